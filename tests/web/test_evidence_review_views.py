"""Evidence inline, review in the page, and views kept and shared: in a real browser (Debian's Chromium), over each
seeded store, done as an analyst would (clicks, typing), each checked by content against what the API answers.

The app is served with a write key and two extracted claims awaiting review. Every test checks that the page raised
no error, that no request failed but the refusals it provokes on purpose (a wrong key), and that none left the test
server's origin (the exports are blob URLs of that origin).
"""

from __future__ import annotations

import csv
import io
import json
import struct
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser
from pydantic import SecretStr

from graph.services.review import Staging
from graph.stores.protocol import GraphStore
from tests.api.conftest import settings_for
from tests.test_backup import stage_two_claims
from tests.web.test_explorer import Served, serve
from tests.web.test_map import MapTab, open_tab

KEY = "workbench-key-31c9"
PROVOKE = "who is IS-K trying to provoke?"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


@pytest.fixture(scope="module")
def served(seeded: GraphStore, seed_text: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app over each seeded store, with a write key and two extracted claims awaiting review."""
    tmp = Path(tmp_path_factory.mktemp("evidence"))
    stage_two_claims(Staging(settings_for(tmp).staging_path), seed_text)
    yield from serve(seeded, tmp, api_keys=[SecretStr(KEY)])


@pytest.fixture
def tab(browser: Browser, served: Served) -> Iterator[MapTab]:
    opened = open_tab(browser, served)
    yield opened
    opened.page.close()


def patch(served: Served, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(f"{served.base}{path}", data=json.dumps(body).encode(), method="PATCH",
                                     headers={"Content-Type": "application/json", "X-API-Key": KEY})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def expect_refused(tab: MapTab, status: int, path: str) -> None:
    """The one refusal provoked on purpose is recorded, once, and then set aside."""
    refusal = f"{status} {tab.served.base}{path}"
    assert tab.failed.count(refusal) == 1, tab.failed
    tab.failed.remove(refusal)


def type_key(tab: MapTab, key: str) -> None:
    tab.page.fill("#write-key", key)


def test_an_answer_shows_each_claims_evidence_and_a_source_is_graded_with_the_key(tab: MapTab) -> None:
    report = "rferl-2022-05-isk-central-asia"
    patch(tab.served, f"/v1/sources/{report}", {"reliability": "B"})  # as the seed has it, whatever ran before
    answer = tab.served.get("/v1/ask", q=PROVOKE)
    evidence = {e["id"]: e for e in tab.served.get(
        "/v1/claims/evidence", ids=",".join(c["id"] for c in answer["claims"]))["data"]}
    tab.open()
    tab.submit("#ask-input", PROVOKE)

    # Without a click: each claim with its quote, status, asserter, source and grade, date and corroboration.
    items = tab.page.locator("#panel li.evidence")
    assert items.count() == len(answer["claims"]) > 0
    for claim in answer["claims"]:
        item = tab.page.locator(f"#panel li.evidence[data-claim='{claim['id']}']")
        assert item.locator(".quote").inner_text() == claim["quote"]
        assert item.locator(".status").inner_text() == claim["status"]
        assert item.locator(".asserted-by").inner_text() == f"asserted by {evidence[claim['id']]['asserted_by_name']}"
        assert item.locator(".claim-date").inner_text() == (claim["date"] or "undated")
        source = item.locator(".source").inner_text()
        assert claim["report"]["outlet"] in source and claim["report"]["title"] in source
        assert item.locator(".reliability").get_attribute("data-grade") == "B"
        assert "usually reliable" in item.locator(".reliability").inner_text()
        count = evidence[claim["id"]]["corroboration"]
        assert item.locator(".corroboration").get_attribute("data-count") == str(count)
    assert "Andrew Mines" in tab.page.locator("#panel .evidence-list").inner_text()

    # A node's claims list shows the same evidence (its citations read for claims the walk gave without them).
    tab.tap("isk")
    in_view = tab.page.locator("#panel li.evidence")
    assert in_view.count() > 0
    first = in_view.first
    claim = tab.served.get(f"/v1/claims/{first.get_attribute('data-claim')}")
    assert first.locator(".quote").inner_text() == claim["claim"]["quote"]
    assert claim["source"]["title"] in first.locator(".source").inner_text()
    assert first.locator(".corroboration").get_attribute("data-count") != ""
    assert tab.page.locator("#panel .source[data-pending]").count() == 0

    # Open a claim; grade its source with a wrong key (a clear refusal, nothing changed), then with the right one.
    tab.page.locator(f"#panel li.evidence[data-claim='{answer['claims'][0]['id']}'] .claim-link").click()
    tab.settle()
    editor = tab.page.locator("#panel .grade-editor")
    editor.locator("select").select_option("A")
    editor.locator(".save-grade").click()
    tab.settle()
    assert "needs the write key" in editor.locator(".grade-message").inner_text()
    expect_refused(tab, 401, f"/v1/sources/{report}")
    type_key(tab, "not-the-key")
    editor.locator(".save-grade").click()
    tab.settle()
    assert "write key was refused" in editor.locator(".grade-message").inner_text()
    assert tab.served.get(f"/v1/sources/{report}")["source"]["reliability"] == "B"
    expect_refused(tab, 403, f"/v1/sources/{report}")
    type_key(tab, KEY)
    editor.locator(".save-grade").click()
    tab.settle()
    assert editor.locator(".grade-message").inner_text() == "Graded A (reliable)."
    assert tab.page.locator("#panel .reliability").get_attribute("data-grade") == "A"
    assert tab.served.get(f"/v1/sources/{report}")["source"]["reliability"] == "A"
    # The answer, asked again, cites the new grade.
    tab.submit("#ask-input", PROVOKE)
    grades = tab.page.locator("#panel li.evidence .reliability").evaluate_all("els => els.map(e => e.dataset.grade)")
    assert set(grades) == {"A"}
    patch(tab.served, f"/v1/sources/{report}", {"reliability": "B"})
    tab.check_stayed_local()


def test_staged_claims_are_reviewed_in_the_page_one_by_one_and_in_bulk_with_the_key(tab: MapTab) -> None:
    staged = tab.served.get("/v1/review/claims")["data"]
    assert [claim["id"] for claim in staged] == ["staged-0", "staged-1"]
    tab.open()
    tab.page.locator("#overview .open-review").click()
    tab.settle()

    review = tab.page.locator("#panel #review")
    assert review.locator("h2").inner_text() == "Claims awaiting review (2)"
    for claim in staged:
        item = review.locator(f"li.staged[data-claim='{claim['id']}']")
        assert item.locator(".quote").inner_text() == claim["quote"]
        assert item.locator(".confidence").inner_text() == f"confidence {claim['confidence']:.2f}"
        assert claim["source"] in item.inner_text()
    tab.screenshot("explorer-review")

    # No key: the page says what to do and sends nothing; a wrong key: the server's refusal, in words.
    review.locator("li[data-claim='staged-0'] .review-accept").click()
    tab.settle()
    assert "Type the write key" in tab.page.locator("#review .review-error").inner_text()
    type_key(tab, "a-wrong-key")
    tab.page.locator("#review li[data-claim='staged-0'] .review-accept").click()
    tab.settle()
    assert "write key was refused" in tab.page.locator("#review .review-error").inner_text()
    expect_refused(tab, 403, "/v1/review/claims")
    assert tab.served.get("/v1/review/claims")["count"] == 2

    # The right key: one claim accepted into the graph, then the rest rejected together.
    type_key(tab, KEY)
    tab.page.locator("#review li[data-claim='staged-0'] .review-accept").click()
    tab.settle()
    assert tab.page.locator("#review .review-done").inner_text() == \
        "Accepted 1 claim (now in the graph); 1 still awaits review."
    assert tab.page.locator("#review li.staged").evaluate_all("els => els.map(e => e.dataset.claim)") == ["staged-1"]
    assert tab.served.get("/v1/claims/staged-0")["claim"]["quote"] == staged[0]["quote"]
    tab.page.locator("#review-select-all").check()
    tab.page.locator("#review .review-reject-selected").click()
    tab.settle()
    assert tab.page.locator("#review .review-done").inner_text() == "Rejected 1; 0 still await review."
    assert tab.page.locator("#review .review-empty").inner_text() == "No claim awaits review."
    assert tab.served.get("/v1/review/claims")["count"] == 0

    # The key is kept for this tab only: in sessionStorage, never in localStorage nor in the link.
    assert tab.page.evaluate("sessionStorage.getItem('kg-write-key')") == KEY
    assert KEY not in tab.page.evaluate("JSON.stringify({...localStorage})") and KEY not in tab.page.url
    # Back on the landing page, the overview counts what is left.
    tab.page.click("#reset")
    tab.settle()
    assert tab.page.locator("#overview .review").get_attribute("data-staged") == "0"
    tab.check_stayed_local()


def shown(tab: MapTab) -> dict[str, Any]:
    """What the view shows: nodes and claims drawn, the type filter, the selection and the panel's title."""
    return {"nodes": tab.nodes(), "edges": tab.edges(),
            "types": tab.page.locator("#filter-types option:checked").evaluate_all("els => els.map(o => o.value)"),
            "selected": tab.page.evaluate("cy.$(':selected').map(e => e.id())"),
            "title": tab.page.locator("#panel h2").first.inner_text()}


def downloaded(tab: MapTab, button: str) -> tuple[str, bytes]:
    with tab.page.expect_download() as info:
        tab.page.click(button)
    tab.settle()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_a_view_is_shared_as_a_link_saved_by_name_and_exported(tab: MapTab, browser: Browser) -> None:
    tab.open()
    hub = tab.served.get("/v1/stats", top=1)["most_connected"][0]
    tab.page.locator(f"#overview .hubs button[data-entity='{hub['id']}']").click()
    tab.settle()
    tab.page.select_option("#filter-types", ["ATTACKED", "SEEKS_TO_PROVOKE"])
    tab.settle()
    edge = sorted(tab.edges())[0]
    tab.tap(edge)
    before = shown(tab)
    assert before["types"] == ["ATTACKED", "SEEKS_TO_PROVOKE"] and before["selected"] == [edge]
    types = {tab.served.get(f"/v1/claims/{claim}")["claim"]["type"] for claim in before["edges"]}
    assert types <= {"ATTACKED", "SEEKS_TO_PROVOKE"} and before["edges"]

    # The link restores the view in another tab: nodes, expansions, filters, selection, panel.
    tab.page.click("#copy-link")
    link = tab.page.input_value("#view-link")
    assert link.startswith(f"{tab.served.base}/#")
    other = open_tab(browser, tab.served)
    try:
        other.page.goto(link)
        other.settle()
        assert shown(other) == before
        other.check_stayed_local()
    finally:
        other.page.close()

    # Saved under a name, listed, reopened after Clear view and after a reload.
    tab.page.fill("#view-name", "IS-K attacks")
    tab.page.press("#view-name", "Enter")
    assert tab.page.locator("#saved-views .open-view").all_inner_texts() == ["IS-K attacks"]
    tab.page.click("#reset")
    tab.settle()
    assert tab.nodes() == set()
    tab.page.reload()
    tab.settle()
    tab.page.locator("#saved-views .open-view", has_text="IS-K attacks").click()
    tab.settle()
    assert shown(tab) == before

    # CSV: one row a claim in view, with its quote and its source as the API gives them.
    name, body = downloaded(tab, "#export-csv")
    assert name.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert {row["claim"] for row in rows} == before["edges"]
    for row in rows:
        claim = tab.served.get(f"/v1/claims/{row['claim']}")
        assert row["quote"] == claim["claim"]["quote"] and row["type"] == claim["claim"]["type"]
        assert (row["source"], row["source_title"], row["outlet"]) == (
            claim["source"]["id"], claim["source"]["title"], claim["source"]["outlet"])
        assert row["reliability"] == (claim["source"]["reliability"] or "")
        assert row["corroboration"].isdigit() and row["asserted_by_name"]

    # GraphML: valid XML, the nodes and claims in view, each claim with its quote.
    name, body = downloaded(tab, "#export-graphml")
    assert name.endswith(".graphml")
    root = ET.fromstring(body)
    graph = root.find(f"{GRAPHML}graph")
    assert graph is not None and graph.get("edgedefault") == "directed"
    assert {node.get("id") for node in graph.iter(f"{GRAPHML}node")} == before["nodes"]
    edges = {e.get("id"): e for e in graph.iter(f"{GRAPHML}edge")}
    assert set(edges) == before["edges"]
    quotes = {row["claim"]: row["quote"] for row in rows}
    for claim_id, element in edges.items():
        data = {d.get("key"): d.text for d in element.iter(f"{GRAPHML}data")}
        assert data["e_quote"] == quotes[claim_id]

    # PNG: Cytoscape's picture of the graph, a real image of some size.
    name, body = downloaded(tab, "#export-png")
    assert name.endswith(".png") and body[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", body[16:24])
    assert width > 200 and height > 100

    # The files were blob URLs of this origin: nothing left it.
    blobs = [url for url in tab.requested if url.startswith("blob:")]
    assert all(url.startswith(f"blob:{tab.served.base}/") for url in blobs), blobs
    tab.requested = [url for url in tab.requested if not url.startswith("blob:")]
    tab.check_stayed_local()


def test_the_workbench_controls_have_no_serious_accessibility_violation(tab: MapTab) -> None:
    tab.open()
    tab.page.locator("#open-review").click()
    tab.settle()
    tab.page.add_script_tag(url=f"{tab.served.base}/assets/vendor/axe.min.js")
    results = tab.page.evaluate("async () => await axe.run(document)")
    serious = [(violation["id"], [node["target"] for node in violation["nodes"]])
               for violation in results["violations"] if violation["impact"] in ("serious", "critical")]
    assert not serious, serious
    tab.check_stayed_local()
