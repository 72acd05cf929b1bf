"""The explorer's "new from the feeds" panel in Chromium, over each store: what it lists is what
``/v1/feeds/new`` says arrived (a real poll of outlets on 127.0.0.1 brought it), and a new incident it lists
is drawn with every source that ran it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from app.api import create_app
from app.components import fetch_policy
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Extractor
from graph.services.feeds import Poller, add_feed
from graph.services.feedstate import FeedState
from graph.services.fetch import Client
from graph.services.loader import read_bundle
from graph.stores.protocol import GraphStore
from graph.stores.sqlite.store import SqliteStore
from tests.api.conftest import served_in_thread
from tests.conftest import SEEDS
from tests.feeds.conftest import feed_settings
from tests.feeds.site import RSS, Page, Site, article, rss
from tests.feeds.stories import EXPRESS, GEO, OTHER, WIRE
from tests.web.test_explorer import Explorer, Served

FRIDAY = "Fri, 08 Mar 2024 10:00:00 GMT"


@pytest.fixture(scope="module")
def served(seeded: GraphStore, ontology: Ontology, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Three outlets running one story and one running another, polled into the seeded store, and the app over it."""
    tmp = Path(tmp_path_factory.mktemp("new-since"))
    settings = feed_settings(tmp)
    site = Site()
    try:
        state = FeedState(settings.feeds_path)
        for key, outlet, paragraphs in (("dawn", "Dawn", WIRE), ("geo", "Geo News", GEO),
                                        ("express", "Express Tribune", EXPRESS), ("rfe", "RFE/RL", OTHER[0])):
            site.put(f"/{key}/1", Page(article("News", paragraphs, site=outlet)))
            site.put(f"/{key}/rss", Page(rss(outlet, [("News", site.url(f"/{key}/1"), FRIDAY)]), RSS))
            add_feed(state, site.url(f"/{key}/rss"), outlet=outlet, allow_private=True)
        extractor = Extractor(ontology, read_bundle(SEEDS, ontology).entities)
        Poller(state, seeded, ontology, extractor=extractor, client=Client(fetch_policy(settings), state)).poll()
    finally:
        site.close()  # the explorer must not need the outlets: everything it shows comes from the API
    with served_in_thread(create_app(settings, seeded)) as base:
        yield Served(base, "memory" if isinstance(seeded, SqliteStore) else "neo4j")


@pytest.fixture
def explorer(browser: Browser, served: Served) -> Iterator[Explorer]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    tab = Explorer(page, served)
    page.on("request", lambda request: tab.requested.append(request.url))
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    page.close()


def show_new(explorer: Explorer, since: str) -> None:
    explorer.page.fill("#new-since", since)
    explorer.page.click("#new-form button[type=submit]")
    explorer.settle()


def test_the_new_since_panel_lists_what_arrived_and_draws_an_incident_with_its_sources(explorer: Explorer) -> None:
    explorer.open()
    week_ago = (datetime.now(UTC) - timedelta(days=7)).strftime("%Y-%m-%d")
    assert explorer.page.input_value("#new-since") == week_ago  # what a morning check-in asks by default
    since = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    show_new(explorer, since)

    incidents = explorer.served.get("/v1/feeds/new", since=since, show="incidents", limit=50)
    claims = explorer.served.get("/v1/feeds/new", since=since, show="claims", limit=100)
    assert claims["count"] >= 15 and incidents["count"] >= 2
    listed = explorer.page.locator("#panel .new-incidents > li")
    assert listed.count() == len(incidents["data"])
    texts = listed.all_inner_texts()
    for text, incident in zip(texts, incidents["data"], strict=True):
        assert f"{incident['subject_name']} {incident['type']} {incident['object_name']}" in text
        assert f"{incident['source_count']} source" in text
    bombing = next(i for i in incidents["data"] if (i["subject"], i["object"]) == ("isk", "peshawar"))
    row = texts[incidents["data"].index(bombing)]
    assert "3 sources" in row and all(o in row for o in ("Dawn", "Geo News", "Express Tribune"))
    assert explorer.page.locator("#panel .new-claims > li").count() == len(claims["data"])
    quotes = explorer.page.locator("#panel .new-claims .quote").all_inner_texts()
    assert quotes == [c["quote"] for c in claims["data"]]
    explorer.screenshot("explorer-new-since")

    explorer.page.locator('#panel .incident[data-relation="isk|ATTACKED|peshawar"] button.claim-link').click()
    explorer.settle()
    drawn = {c["id"] for c in bombing["claims"]}
    assert drawn <= explorer.edges() and {"isk", "peshawar"} <= explorer.nodes()
    assert explorer.page.locator("#panel mark").inner_text() == WIRE[1]
    explorer.screenshot("explorer-new-since-incident")

    # the incident the graph holds for it, told by the three outlets, opens from the list
    assert bombing["incident"] is not None
    show_new(explorer, since)
    explorer.page.locator('#panel .incident[data-relation="isk|ATTACKED|peshawar"] button.open-incident').click()
    explorer.settle()
    held = explorer.served.get(f"/v1/incidents/{bombing['incident']}")
    opened = explorer.page.locator("#panel .incident-reports").inner_text()
    assert held["corroboration"] == 3 and all(o in opened for o in ("Dawn", "Geo News", "Express Tribune"))

    show_new(explorer, (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d"))
    assert "No new incident." in explorer.page.locator("#panel").inner_text()
    assert "0 incidents and 0 claims arrived" in explorer.page.locator("#panel .new-summary").inner_text()
    explorer.check_stayed_local()
