"""The README's promises: two set-up commands, the second being exactly what CI runs."""

import re

from app.settings import PROJECT_ROOT, Settings, variable
from tests.conftest import TEST_BOLT_PORT, TEST_HTTP_PORT, TEST_NEO4J_HOME


def setup_commands() -> list[str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set-up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n\s*(.+?)\n\s*```", section)


def test_there_are_exactly_two_setup_commands() -> None:
    first, second = setup_commands()
    assert "pip install" in first and "kg load" in first and first.endswith("kg serve")
    assert "pip install" in second and "scripts/test" in second


def test_ci_runs_the_readmes_test_command_verbatim() -> None:
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert setup_commands()[1] in ci.splitlines()


def test_the_test_script_runs_lint_types_and_tests() -> None:
    script = (PROJECT_ROOT / "scripts" / "test").read_text(encoding="utf-8").splitlines()
    assert {"ruff check app graph tests scripts/bench", "mypy"} <= set(script)
    assert any(line.split()[:1] == ["pytest"] for line in script)


def test_the_test_script_starts_the_same_neo4j_instance_the_fixtures_use() -> None:
    script = (PROJECT_ROOT / "scripts" / "test").read_text(encoding="utf-8")
    # the test ports by default; ports already in the environment win (another checkout's run beside this one)
    assert f'KG_NEO4J_BOLT_PORT="${{KG_NEO4J_BOLT_PORT:-{TEST_BOLT_PORT}}}"' in script
    assert f'KG_NEO4J_HTTP_PORT="${{KG_NEO4J_HTTP_PORT:-{TEST_HTTP_PORT}}}"' in script
    assert 'pytest --neo4j-bolt-port "$KG_NEO4J_BOLT_PORT" --neo4j-http-port "$KG_NEO4J_HTTP_PORT"' in script
    assert f'KG_NEO4J_HOME="$PWD/{TEST_NEO4J_HOME.relative_to(PROJECT_ROOT)}"' in script
    assert "kg neo4j start" in script


def test_both_setup_commands_install_the_explorers_browser_library() -> None:
    for command in setup_commands():
        assert "npm ci" in command, command
        assert command.index("npm ci") < command.index("kg load" if "kg load" in command else "scripts/test")


def test_the_web_explorer_section_follows_the_http_api_and_names_real_screenshots() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", readme, flags=re.MULTILINE)
    assert headings[headings.index("HTTP API") + 1] == "Web explorer"
    section = readme.split("## Web explorer", 1)[1].split("\n## ", 1)[0]
    tests = "".join(path.read_text(encoding="utf-8") for path in (PROJECT_ROOT / "tests" / "web").glob("test_*.py"))
    named = re.findall(r"`(explorer-[a-z-]+)\.png`", section)
    assert named and all(f'"{name}"' in tests for name in named), named


def test_every_setting_is_in_the_configuration_table() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    missing = [variable(field) for field in Settings.model_fields
               if not any(f"`{variable(field)}`" in row.split(" | ")[0] for row in rows)]
    assert not missing, f"settings missing from the README's Configuration table: {missing}"


def test_asking_questions_lists_every_shape_the_reader_answers() -> None:
    from app.usecases.ask import SHAPE_EXAMPLES  # noqa: PLC0415

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Asking questions", 1)[1].split("\n## ", 1)[0]
    missing = [e.question for e in SHAPE_EXAMPLES if f"`{e.question}`" not in section]
    assert not missing, missing
    assert "kg ask-eval" in section and "kg ask-bench" in section
