"""The documentation covers the product: every setting, command and route is in docs/, and what it shows holds.

Read from the code itself (the settings' fields, the click group, the FastAPI app's routes), so a setting,
command or route added without a word in the docs fails here, and so does a console example whose output
has drifted from what the command prints on the seed graph.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.routing import APIRoute
from markdown.extensions.toc import slugify
from pydantic import AliasChoices

from app.api import create_app
from app.cli import cli
from app.settings import PROJECT_ROOT, Settings
from graph.domain.ontology import Ontology
from graph.stores.sqlite.store import SqliteStore
from tests.api.conftest import settings_for
from tests.conftest import SEEDS

DOCS = PROJECT_ROOT / "docs"
README = PROJECT_ROOT / "README.md"
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def all_docs() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md")))


def env_names(field: str) -> list[str]:
    """Every environment variable that sets a field: its alias choices, else ``KG_`` and its name."""
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice) for choice in alias.choices]
    return ["KG_" + field.upper()]


def test_every_setting_and_each_of_its_names_is_in_the_configuration_table() -> None:
    rows = [line for line in page("configuration.md").splitlines() if line.startswith("| `")]
    assert len(rows) >= 15
    documented = " ".join(row.split(" | ")[0] + " | " + row.split(" | ")[-1] for row in rows)
    missing = [name for field in Settings.model_fields for name in env_names(field) if f"`{name}`" not in documented]
    assert not missing, f"settings missing from docs/configuration.md's table: {missing}"
    every = {name for field in Settings.model_fields for name in env_names(field)}
    assert {"KG_DATA_FILE", "NEO4J_URI", "KG_NEO4J_URI", "CI"} <= every


def commands(group: click.Group, prefix: str = "kg") -> Iterator[str]:
    """``kg NAME`` for every command, and ``kg GROUP NAME`` for every command of a group, walked from the group."""
    for name, command in group.commands.items():
        yield f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")


def test_every_command_and_subcommand_is_in_the_command_line_page() -> None:
    found = list(commands(cli))  # type: ignore[arg-type]
    assert {"kg relations", "kg neo4j start", "kg neo4j loads", "kg ask", "kg bench"} <= set(found)
    text = page("cli.md")
    missing = [name for name in found if not re.search(rf"`{re.escape(name)}(?=[` \[])", text)]
    assert not missing, f"commands missing from docs/cli.md: {missing}"


def routes(entries: Iterable[Any]) -> Iterator[tuple[str, str, bool]]:
    """(method, path, in the schema) for every route, into the routers FastAPI keeps whole when it includes them."""
    for route in entries:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from routes(inner.routes)
        elif isinstance(route, APIRoute):
            path = re.sub(r":\w+}", "}", route.path)
            for method in sorted(route.methods):
                yield method, path, route.include_in_schema


@pytest.fixture(scope="module")
def app(ontology: Ontology, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(settings_for(tmp_path_factory.mktemp("docs-routes")), SqliteStore(ontology))


def test_every_route_is_in_the_http_api_page(app: FastAPI) -> None:
    found = sorted({(method, path) for method, path, shown in routes(app.routes)
                    if path.startswith("/v1") or (shown and method != "HEAD")})
    # the walk sees every operation the OpenAPI schema lists, so it cannot quietly miss a router
    schema = {(method.upper(), path) for path, operations in app.openapi()["paths"].items() for method in operations}
    assert schema <= set(found) and ("POST", "/v1/reports") in found and ("GET", "/health") in found
    text = page("http-api.md")
    missing = [f"{m} {p}" for m, p in found if not re.search(re.escape(f"{m} {p}") + r"(?![\w/{-])", text)]
    assert not missing, f"routes missing from docs/http-api.md: {missing}"


def headings(markdown: str) -> set[str]:
    """The anchors MkDocs gives a page's headings (fenced code left out: a shell comment is no heading)."""
    return {slugify(title.strip(), "-") for title in re.findall(r"^#{1,6} (.+)$", FENCE.sub("", markdown),
                                                                 re.MULTILINE)}


def test_the_readmes_links_lead_to_files_and_headings_that_exist() -> None:
    links = re.findall(r"\]\(([^)\s]+)\)", FENCE.sub("", README.read_text(encoding="utf-8")))
    local = [link for link in links if not re.match(r"^(https?:|mailto:)", link)]
    assert any(link.startswith("docs/") for link in local)
    for link in local:
        target, _, anchor = link.partition("#")
        path = PROJECT_ROOT / target if target else README
        assert path.exists(), f"README links to {link}, which is not there"
        if anchor:
            assert anchor in headings(path.read_text(encoding="utf-8")), f"README links to {link}: no such heading"


def test_mkdocs_lists_every_page_by_topic_and_fails_on_broken_links() -> None:
    config = yaml.safe_load((PROJECT_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    listed: list[str] = []

    def walk(items: Any) -> None:
        for item in items if isinstance(items, list) else items.values():
            if isinstance(item, str):
                listed.append(item)
            else:
                walk(item)

    walk(config["nav"])
    assert sorted(listed) == sorted(p.name for p in DOCS.glob("*.md"))
    assert config["strict"] is True
    assert config["validation"]["links"]["not_found"] == "warn" and config["validation"]["links"]["anchors"] == "warn"
    # the explorer is met right after the API it is built on
    assert listed[listed.index("http-api.md") + 1] == "explorer.md"
    script = (PROJECT_ROOT / "scripts" / "test").read_text(encoding="utf-8").splitlines()
    build = [line for line in script if line.startswith("mkdocs build")]
    assert build and "--strict" in build[0] and "--quiet" not in build[0]


def test_the_explorer_page_names_real_screenshots() -> None:
    named = re.findall(r"`(explorer-[a-z-]+)\.png`", page("explorer.md"))
    tests = (PROJECT_ROOT / "tests" / "web" / "test_explorer.py").read_text(encoding="utf-8")
    assert len(named) >= 5 and all(f'"{name}"' in tests for name in named), named


def test_asking_questions_lists_every_shape_the_reader_answers() -> None:
    from app.usecases.ask import SHAPE_EXAMPLES  # noqa: PLC0415

    text = page("questions.md")
    missing = [e.question for e in SHAPE_EXAMPLES if f"`{e.question}`" not in text]
    assert not missing, missing
    assert "kg ask-eval" in text and "kg ask-bench" in text


def test_the_architecture_map_is_the_tree() -> None:
    text = page("architecture.md")
    block = text.split("## The map", 1)[1].split("```", 2)[1]
    mapped = [line.split()[0].rstrip("/") for line in block.strip().splitlines()]
    assert all((PROJECT_ROOT / entry).exists() for entry in mapped), [e for e in mapped
                                                                        if not (PROJECT_ROOT / e).exists()]
    packages = [str(p.parent.relative_to(PROJECT_ROOT)) for root in ("app", "graph")
                for p in (PROJECT_ROOT / root).rglob("__init__.py")
                if p.parent.name not in ("routes",) and "__pycache__" not in p.parts]
    folders = ["app/web", "app/components.py", "cypher", "seeds", "evaluation", "benchmarks", "docs", "tests",
               "scripts"]
    missing = sorted(set(packages + folders) - set(mapped))
    assert not missing, f"in the tree but not in docs/architecture.md's map: {missing}"


# Commands whose output on the seed graph is fixed: their console examples are run and their first line compared.
RUNNABLE = {"relations", "ask", "resolve", "neighbours", "path", "search", "entity"}


def console_examples() -> list[tuple[str, str, str]]:
    """(file, command line, first output line) of every `$ kg …` example in a console block that shows output."""
    found = []
    for path in [README, *sorted(DOCS.glob("*.md"))]:
        for block in re.findall(r"^```console\n(.*?)^```", path.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL):
            lines = block.splitlines()
            for i, line in enumerate(lines[:-1]):
                if line.startswith("$ kg ") and not lines[i + 1].startswith(("$ ", "…")):
                    found.append((path.name, line[2:], lines[i + 1]))
    return found


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(store="memory", data_file=tmp_path_factory.mktemp("docs-console") / "graph.sqlite",
                        seeds_dir=SEEDS)
    assert CliRunner().invoke(cli, ["load"], obj=settings).exit_code == 0
    return settings


def test_there_are_console_examples_to_hold_to_the_truth() -> None:
    examples = console_examples()
    ran = [e for e in examples if shlex.split(e[1])[1] in RUNNABLE]
    assert len(ran) >= 12, ran
    assert any(f == "README.md" for f, _, _ in ran) and any("provke" in line for _, line, _ in ran)


@pytest.mark.parametrize(("where", "line", "first"), [e for e in console_examples()
                                                      if shlex.split(e[1])[1] in RUNNABLE],
                         ids=lambda value: str(value)[:60])
def test_a_console_example_prints_what_the_docs_show(seeded: Settings, where: str, line: str, first: str) -> None:
    result = CliRunner().invoke(cli, shlex.split(line)[1:], obj=seeded)
    printed = result.output.splitlines()[0] if result.output else ""
    assert printed == first, f"{where}: `{line}` prints {printed!r}, the docs show {first!r}"


def test_the_readme_fits_on_a_page_and_sends_the_reader_to_docs() -> None:
    readme = README.read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    linked = set(re.findall(r"\(docs/([a-z0-9-]+\.md)", readme))
    assert linked == {p.name for p in DOCS.glob("*.md")} - {"index.md"}, linked
