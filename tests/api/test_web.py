"""The explorer's files are served by the API, its libraries (graph and map) from npm's install, pinned exactly."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api import create_app, web
from app.settings import PROJECT_ROOT
from graph.domain.ontology import Ontology
from graph.stores.sqlite.store import SqliteStore
from tests.api.conftest import settings_for

EXACT = re.compile(r"^\d+\.\d+\.\d+$")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def client_over(ontology: Ontology, tmp_path: Path) -> Any:
    """A client on an empty store, with Cytoscape.js looked for in ``node_modules`` (the project's by default)."""

    def build(node_modules: Path = PROJECT_ROOT / "node_modules") -> TestClient:
        return TestClient(create_app(settings_for(tmp_path, node_modules=node_modules), SqliteStore(ontology)))

    return build


def test_the_explorer_page_and_its_scripts_are_served(client_over: Any) -> None:
    client = client_over()
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for needed in ('id="ask-input"', 'id="search-input"', 'id="cy"', "/assets/app/app.js", "/assets/app/style.css"):
        assert needed in page.text
    assert '<div id="vendor-missing" class="notice" role="alert" hidden>' in page.text
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text), "the page must not load anything from elsewhere"
    script = client.get("/assets/app/app.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert web.VENDOR_URL in script.text
    for module in ("state.js", "timeline.js", "style.css"):
        assert client.get(f"/assets/app/{module}").status_code == 200
    assert "/" not in client.get("/openapi.json").json()["paths"]


def referenced(path: str, body: str, content_type: str) -> set[str]:
    """The same-origin files a page, a module or a style sheet asks the browser to fetch."""
    if content_type.startswith("text/html"):
        found = set(re.findall(r'(?:src|href)="([^"#]+)"', body))
    elif "javascript" in content_type:
        static = re.findall(r'^\s*import\s[^;]*?from\s*"([^"]+)"', body, re.MULTILINE)
        named = re.findall(r'"(/assets/[^"]+)"', body)  # module paths held in constants, e.g. for import()
        found = set(static) | set(named)
    elif content_type.startswith("text/css"):
        found = set(re.findall(r"url\(['\"]?([^'\")]+)", body))
    else:
        return set()
    base = path.rsplit("/", 1)[0]
    return {ref if ref.startswith("/") else f"{base}/{ref.removeprefix('./')}"
            for ref in found if not ref.startswith(("data:", "http:", "https:", "//"))}


def test_every_file_the_explorer_asks_for_is_served(client_over: Any) -> None:
    """From the page down, every stylesheet, script and module it references answers 200: no 404 in the console."""
    if not (PROJECT_ROOT / "node_modules" / web.CYTOSCAPE).exists():
        pytest.fail("node_modules is missing: run `npm ci` (the README's set-up commands do)")
    client = client_over()
    seen: dict[str, int] = {}
    queue = ["/"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if response.status_code == 200 and path != web.VENDOR_URL:
            queue.extend(referenced(path, response.text, response.headers["content-type"]))
    assert {"/assets/app/style.css", "/assets/app/app.js", "/assets/app/state.js", "/assets/app/timeline.js",
            web.VENDOR_URL} <= set(seen), sorted(seen)
    assert all(status == 200 for status in seen.values()), {p: s for p, s in seen.items() if s != 200}


def test_devtools_asking_for_a_workspace_gets_an_empty_answer_not_a_404(client_over: Any) -> None:
    """Chromium's DevTools asks every localhost page for this file; a 404 would show among the page's errors."""
    response = client_over().get(web.DEVTOOLS_WORKSPACE)
    assert response.status_code == 204 and response.content == b""
    assert web.DEVTOOLS_WORKSPACE not in client_over().get("/openapi.json").json()["paths"]


def test_cytoscape_is_served_from_the_npm_install(client_over: Any) -> None:
    installed = PROJECT_ROOT / "node_modules" / web.CYTOSCAPE
    if not installed.exists():
        pytest.fail("node_modules is missing: run `npm ci` (the README's set-up commands do)")
    response = client_over().get(web.VENDOR_URL)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.content == installed.read_bytes()


def test_the_map_libraries_and_outlines_are_served_from_the_npm_install_and_nothing_else_is(client_over: Any) -> None:
    client = client_over()
    for name, path in {**web.VENDOR, **web.CHECKERS}.items():
        installed = PROJECT_ROOT / "node_modules" / path
        if not installed.exists():
            pytest.fail("node_modules is missing: run `npm ci` (the README's set-up commands do)")
        response = client.get(f"/assets/vendor/{name}")
        assert response.status_code == 200, name
        assert response.content == installed.read_bytes(), name
        expected = "application/json" if name.endswith(".json") else "text/javascript"
        assert response.headers["content-type"].startswith(expected), name
    outlines = client.get("/assets/vendor/countries-50m.json").json()
    assert outlines["type"] == "Topology" and "countries" in outlines["objects"]
    # Only the listed files: no path leads elsewhere in node_modules.
    for other in ("package.json", "d3-geo.js", "commander"):
        refused = client.get(f"/assets/vendor/{other}")
        assert refused.status_code == 404 and "countries-50m.json" in refused.text, other
    assert client.get("/assets/vendor/..%2Fpackage.json").status_code == 404
    # The page's scripts: app.js and the modules that load a library of their own (layout.js: the graph's layout).
    script = "".join(client.get(f"/assets/app/{module}").text for module in ("app.js", "layout.js"))
    assert all(name in script for name in web.VENDOR), "the page asks for every library the server lists"
    assert not any(name in script for name in web.CHECKERS), "the accessibility checker is the tests', not the page's"


def test_without_node_modules_the_page_still_loads_and_says_to_run_npm_ci(client_over: Any, tmp_path: Path) -> None:
    client = client_over(tmp_path / "no-node-modules")
    page = client.get("/")
    assert page.status_code == 200
    assert '<div id="vendor-missing" class="notice" role="alert">' in page.text and "npm ci" in page.text
    for name in web.VENDOR:
        missing = client.get(f"/assets/vendor/{name}")
        assert missing.status_code == 404 and "npm ci" in missing.text, name


def test_package_json_pins_exact_versions_and_the_lockfile_matches() -> None:
    package = read_json(PROJECT_ROOT / "package.json")
    lock = read_json(PROJECT_ROOT / "package-lock.json")
    dependencies: dict[str, str] = {**package.get("dependencies", {}), **package.get("devDependencies", {})}
    assert "cytoscape" in dependencies
    assert all(EXACT.match(version) for version in dependencies.values()), dependencies
    assert lock["packages"][""]["dependencies"] == package.get("dependencies", {})
    for name, version in dependencies.items():
        locked = lock["packages"][f"node_modules/{name}"]
        assert locked["version"] == version and locked["integrity"].startswith("sha512-"), name
    assert dependencies["cytoscape"].startswith("3.")
    # The map's: country outlines (TopoJSON), the client that turns them into GeoJSON, and d3's projections.
    assert {"world-atlas", "topojson-client", "d3-geo", "d3-array"} <= set(dependencies)


def test_node_modules_is_not_committed() -> None:
    ignored = (PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "node_modules/" in ignored
