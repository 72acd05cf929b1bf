"""/docs renders in a real browser from files this process serves: no CDN is needed."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from app.api import create_app
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.stores.sqlite.store import SqliteStore
from tests.api.conftest import served_in_thread, settings_for
from tests.conftest import ARTIFACTS, SEEDS


@pytest.fixture(scope="module")
def served(ontology: Ontology, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API on a free loopback port, in a thread of this process."""
    store = SqliteStore(ontology)
    load(SEEDS, store, ontology)
    with served_in_thread(create_app(settings_for(Path(tmp_path_factory.mktemp("docs"))), store)) as base:
        yield base


def test_docs_page_and_its_assets_are_served_locally(served: str) -> None:
    with urllib.request.urlopen(f"{served}/docs") as response:
        page = response.read().decode()
    assert "/docs/static/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    with urllib.request.urlopen(f"{served}/docs/static/swagger-ui-bundle.js") as response:
        assert response.status == 200 and b"SwaggerUIBundle" in response.read()


def test_docs_render_the_operations_in_a_browser(served: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{served}/docs", wait_until="networkidle")
    page.get_by_text("/v1/claims/{id}").first.wait_for(timeout=30_000)
    assert page.locator(".opblock").count() >= 14
    assert all(url.startswith(served) for url in requested), [u for u in requested if not u.startswith(served)]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
    page.close()
