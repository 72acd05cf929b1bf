"""The explorer's landing overview and its state, in a real browser (Debian's Chromium), over each seeded store.

What the overview shows is read from the API the page calls (the same process); clicks go where an analyst would
go (a hub opens its neighbourhood, a report its claims); "Clear view" is pressed from the keyboard and must leave
nothing behind; axe-core, served from this origin like the page's other libraries, finds no serious or critical
accessibility violation on the landing page. Every test checks that the page raised no error, that no request
failed and that none left the test server's origin.
"""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from graph.services.review import Staging
from graph.stores.protocol import GraphStore
from tests.api.conftest import settings_for
from tests.test_backup import stage_two_claims
from tests.web.test_explorer import EXPANSION_STEP, Served, neighbours, serve
from tests.web.test_map import MapTab, open_tab

# A question the reader refuses (with suggestions), as an analyst's typo would be.
UNREADABLE = "blah blah blah"


@pytest.fixture(scope="module")
def served(seeded: GraphStore, seed_text: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app over each seeded store, with two extracted claims awaiting review in its staging file."""
    tmp = Path(tmp_path_factory.mktemp("workbench"))
    stage_two_claims(Staging(settings_for(tmp).staging_path), seed_text)
    yield from serve(seeded, tmp)


@pytest.fixture
def tab(browser: Browser, served: Served) -> Iterator[MapTab]:
    opened = open_tab(browser, served)
    yield opened
    opened.page.close()


def test_the_landing_page_shows_what_the_graph_covers_and_each_figure_is_a_way_in(tab: MapTab) -> None:
    stats = tab.served.get("/v1/stats", top=10)
    reports = tab.served.get("/v1/sources", limit=50)
    staged = tab.served.get("/v1/review/claims", limit=1)["count"]
    months = [bucket["period"] for bucket in tab.served.get("/v1/timeline", interval="month")["buckets"]]
    tab.open()

    overview = tab.page.locator("#panel #overview")
    assert overview.is_visible()
    coverage = overview.locator(".coverage")
    assert coverage.get_attribute("data-reports") == str(stats["sources"]) and stats["sources"] > 0
    outlets = {report["outlet"] for report in reports["data"]}
    assert coverage.get_attribute("data-outlets") == str(len(outlets))
    assert overview.locator(".date-range").inner_text() == f"{min(months)} to {max(months)}"
    kinds = overview.locator(".by-kind li").evaluate_all(
        "els => Object.fromEntries(els.map(e => [e.dataset.name, Number(e.dataset.count)]))")
    assert kinds == stats["entities_by_kind"]
    types = overview.locator(".by-type li").evaluate_all(
        "els => Object.fromEntries(els.map(e => [e.dataset.name, Number(e.dataset.count)]))")
    assert types == stats["claims_by_type"]
    hubs = overview.locator(".hubs button")
    assert hubs.all_inner_texts() == [hub["name"] for hub in stats["most_connected"]]
    assert overview.locator(".review").get_attribute("data-staged") == str(staged) == "2"
    assert "2 claims extracted by machine await review" in overview.locator(".review").inner_text()
    newest = max(reports["data"], key=lambda report: report["published"] or "")
    assert overview.locator(".reports button").first.inner_text() == newest["title"]
    assert tab.nodes() == set(), "the canvas stays empty until the analyst picks a way in"
    tab.screenshot("explorer-landing")

    # A hub opens its neighbourhood, as the API gives it, and its details.
    hub = stats["most_connected"][0]
    hubs.first.click()
    tab.settle()
    expected_nodes, expected_claims = neighbours(tab.served, hub["id"], EXPANSION_STEP)
    assert expected_nodes <= tab.nodes() and expected_claims <= tab.edges()
    assert hub["name"] in tab.page.locator("#panel h2").inner_text()

    # Back to the overview; the newest report opens with its claims, and a claim with its quote.
    tab.page.click("#reset")
    tab.settle()
    tab.page.locator("#overview .reports button").first.click()
    tab.settle()
    detail = tab.served.get(f"/v1/sources/{newest['id']}")
    assert tab.page.locator("#panel .report-title").inner_text() == newest["title"]
    shown = tab.page.locator("#panel .claims .claim-link").evaluate_all("els => els.map(e => e.dataset.claim)")
    assert shown == [claim["id"] for claim in detail["claims"]] and shown
    tab.page.locator("#panel .claims .claim-link").first.click()
    tab.settle()
    quote = tab.served.get(f"/v1/claims/{shown[0]}")["quote"]["text"]
    assert tab.page.locator("#panel mark").inner_text() == quote
    tab.check_stayed_local()


def test_clear_view_from_the_keyboard_leaves_nothing_behind_and_a_refusal_shows_once(tab: MapTab) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        tab.served.get("/v1/ask", q=UNREADABLE)
    message = json.loads(refused.value.read())["message"]
    tab.open()
    hub = tab.served.get("/v1/stats", top=1)["most_connected"][0]

    # A view with something in every place Clear view must empty.
    tab.page.locator(f"#overview .hubs button[data-entity='{hub['id']}']").click()
    tab.settle()
    tab.page.fill("#path-from", "IS-K")
    tab.page.fill("#path-to", "China")
    tab.page.check("#dates-on")
    tab.page.locator("#filter-types").select_option(index=0)
    tab.settle()
    tab.page.evaluate("() => cy.nodes().first().select()")
    tab.submit("#ask-input", UNREADABLE)
    body = tab.page.locator("body").inner_text()
    assert body.count(message) == 1, f"the refusal {message!r} is shown {body.count(message)} times"
    assert tab.page.locator("#panel .error").count() > 0

    # Reach "Clear view" with Tab, as a keyboard user would, and press it.
    tab.page.locator("#ask-input").focus()
    for _ in range(10):
        if tab.page.evaluate("document.activeElement.id") == "reset":
            break
        tab.page.keyboard.press("Tab")
    assert tab.page.evaluate("document.activeElement.id") == "reset"
    tab.page.keyboard.press("Enter")
    tab.settle()

    for field in ["#ask-input", "#search-input", "#path-from", "#path-to"]:
        assert tab.page.input_value(field) == "", field
    assert not tab.page.is_checked("#dates-on")
    assert tab.page.evaluate("[...document.querySelector('#filter-types').selectedOptions].length") == 0
    assert tab.nodes() == set() and tab.edges() == set()
    assert tab.page.evaluate("cy.$(':selected').length") == 0
    assert tab.page.locator("#panel .error").count() == 0
    assert message not in tab.page.locator("body").inner_text()
    assert tab.page.locator("#panel #overview").is_visible()
    assert tab.page.locator("#status-line").inner_text() == "View cleared"
    assert tab.page.evaluate("location.hash") in ("", "#")
    # The refusal is the one answer meant to be an error (a 422 the page shows); no other request may fail.
    refusal = f"422 {tab.served.base}/v1/ask?q={UNREADABLE.replace(' ', '+')}"
    assert tab.failed.count(refusal) == 1, tab.failed
    tab.failed.remove(refusal)
    tab.check_stayed_local()


def test_the_landing_page_has_no_serious_accessibility_violation(tab: MapTab) -> None:
    tab.open()
    tab.page.add_script_tag(url=f"{tab.served.base}/assets/vendor/axe.min.js")
    results = tab.page.evaluate("async () => await axe.run(document)")
    serious = [(violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
               for violation in results["violations"] if violation["impact"] in ("serious", "critical")]
    assert not serious, serious
    # What axe could not decide must not be ARIA misuse either (only contrast over the map's drawing is left).
    undecided = {check["id"] for check in results["incomplete"]}
    assert not {rule for rule in undecided if rule.startswith("aria-")}, undecided
    assert results["passes"], "axe-core ran no check at all"
    # Every way in on the overview is reachable and usable from the keyboard: Tab to the first hub, press Enter.
    hub = tab.page.locator("#overview .hubs button").first
    hub_id = hub.get_attribute("data-entity")
    tab.page.locator("#ask-input").focus()
    for _ in range(80):
        if tab.page.evaluate("document.activeElement.dataset.entity || ''") == hub_id:
            break
        tab.page.keyboard.press("Tab")
    assert tab.page.evaluate("document.activeElement.dataset.entity || ''") == hub_id
    tab.page.keyboard.press("Enter")
    tab.settle()
    assert hub_id in tab.nodes()
    tab.check_stayed_local()
