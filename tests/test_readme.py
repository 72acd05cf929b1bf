"""The README's promises: two set-up commands, the second being exactly what CI runs.

What the README used to hold beyond these (the configuration table, the explorer, the shapes of questions)
moved to docs/, and tests/test_docs_coverage.py holds those pages to the code.
"""

import re

from app.settings import PROJECT_ROOT
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
    assert {"ruff check app graph benchmarks tests scripts/bench", "lint-imports", "mypy"} <= set(script)
    assert "mkdocs build --strict --site-dir .cache/docs-site" in script
    assert script.index("lint-imports") < script.index("mkdocs build --strict --site-dir .cache/docs-site")
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


def test_the_test_command_does_not_print_the_neo4j_password() -> None:
    """`kg neo4j start` prints no password; the script reads the status as JSON into grep, never to its log."""
    script = (PROJECT_ROOT / "scripts" / "test").read_text(encoding="utf-8")
    for line in script.splitlines():
        if "kg neo4j status --json" in line:
            assert "| grep -q" in line, line


def test_system_deps_says_which_package_and_why_before_installing() -> None:
    script = (PROJECT_ROOT / "scripts" / "system-deps").read_text(encoding="utf-8")
    announce = script.index("because the tests need them")
    assert announce < script.index("apt-get install")
    assert "[chromium]=" in script and "[docker-compose]=" in script and "${why[$package]}" in script
