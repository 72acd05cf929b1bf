"""Readable expansions, paths as analysts ask for them and the incident chart counted by the store, in a real
browser (Debian's Chromium), over each seeded store.

What the page draws is compared by content with what the API answers (the same process the page calls): the
neighbours an expansion shows and the rest behind "show more", the claims of one type between two entities drawn
as one edge with their count, nodes sized by their claims in view and shaped by kind, pin / hide / collapse, the
aliases; k paths over hostile or friendly ties (their types read from the ontology through /v1/schema) and over
chosen statuses; the incident chart from /v1/incidents/timeline. Every test checks that the page raised no error,
that no request failed and that none left the test server's origin.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from graph.stores.protocol import GraphStore
from tests.web.test_explorer import EXPANSION_STEP, Served, incidents_about, neighbours, serve
from tests.web.test_map import MapTab, open_tab


@pytest.fixture(scope="module")
def served(seeded: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(seeded, Path(tmp_path_factory.mktemp("graph-paths")))


@pytest.fixture
def tab(browser: Browser, served: Served) -> Iterator[MapTab]:
    opened = open_tab(browser, served)
    yield opened
    opened.page.close()


def bundles_expected(served: Served, claim_ids: set[str]) -> dict[tuple[str, str, str], set[str]]:
    """Claims of one type between two entities (either way for a symmetric type), where there are two or more."""
    schema = served.get("/v1/schema")
    groups: dict[tuple[str, str, str], set[str]] = {}
    for claim_id in claim_ids:
        claim = served.get(f"/v1/claims/{claim_id}")["claim"]
        ends = (claim["subject"], claim["object"])
        if schema["relation_types"][claim["type"]]["symmetric"]:
            ends = tuple(sorted(ends))  # type: ignore[assignment]
        groups.setdefault((ends[0], claim["type"], ends[1]), set()).add(claim_id)
    return {key: ids for key, ids in groups.items() if len(ids) > 1}


def drawn_bundles(tab: MapTab) -> dict[tuple[str, str, str], dict[str, Any]]:
    found = tab.page.evaluate("""cy.edges('.bundle:visible').map(e => ({
        source: e.data('source'), type: e.data('type'), target: e.data('target'), claims: e.data('claims'),
        count: e.data('count'), label: e.data('label')}))""")
    return {(b["source"], b["type"], b["target"]): b for b in found}


def boxes(tab: MapTab, labels: bool) -> dict[str, dict[str, float]]:
    return dict(tab.page.evaluate(
        "labels => Object.fromEntries(cy.nodes(':visible').map(n => [n.id(), n.boundingBox({includeLabels: labels})]))",
        labels))


def overlapping(found: dict[str, dict[str, float]]) -> list[tuple[str, str]]:
    return [(a, b) for a, b in combinations(sorted(found), 2)
            if found[a]["x1"] < found[b]["x2"] and found[b]["x1"] < found[a]["x2"]
            and found[a]["y1"] < found[b]["y2"] and found[b]["y1"] < found[a]["y2"]]


def test_an_expanded_hub_is_capped_bundled_sized_and_each_node_can_be_pinned_hidden_or_collapsed(tab: MapTab) -> None:
    hub = tab.served.get("/v1/stats", top=1)["most_connected"][0]["id"]
    everything, _ = neighbours(tab.served, hub)
    shown_nodes, shown_claims = neighbours(tab.served, hub, EXPANSION_STEP)
    assert len(everything) - 1 > EXPANSION_STEP, "the hub must have more neighbours than an expansion shows"
    tab.open()
    tab.submit("#search-input", hub)
    tab.tap(hub)

    # Capped: the twelve neighbours joined by the most claims, and the claims among them; the rest offered.
    assert tab.nodes() == shown_nodes and tab.edges() == shown_claims
    rest = len(everything) - 1 - EXPANSION_STEP
    more = tab.page.locator("#panel .node-tools button", has_text="more of")
    assert more.inner_text() == f"Show {min(rest, EXPANSION_STEP)} more of {rest} hidden neighbours"

    # Claims of one type between two entities are one edge with their count; clicking it lists them.
    expected = bundles_expected(tab.served, shown_claims)
    assert expected, "the hub's expansion should hold parallel claims of one type"
    drawn = drawn_bundles(tab)
    assert {key: set(b["claims"]) for key, b in drawn.items()} == expected
    key, bundle = max(drawn.items(), key=lambda item: item[1]["count"])
    assert bundle["label"] == f"{key[1]} ×{len(expected[key])}" and bundle["count"] == len(expected[key])
    tab.tap(f"bundle:{'|'.join(key)}")
    listed = tab.page.locator("#panel .bundle-claims .claim-link").evaluate_all("els => els.map(e => e.dataset.claim)")
    assert sorted(listed) == sorted(expected[key])
    assert f"({len(expected[key])} claims)" in tab.page.locator("#panel h2").inner_text()
    tab.page.locator("#panel .bundle-claims .claim-link").first.click()
    tab.settle()
    quote = tab.served.get(f"/v1/claims/{listed[0]}")["quote"]["text"]
    assert tab.page.locator("#panel mark").inner_text() == quote

    # Nodes sized by their claims in view, shaped by kind (kinds apart in shape as well as colour).
    degrees = {node: sum(1 for c in shown_claims if node in (tab.served.get(f"/v1/claims/{c}")["claim"]["subject"],
                                                              tab.served.get(f"/v1/claims/{c}")["claim"]["object"]))
               for node in [hub, *sorted(shown_nodes - {hub})[:3]]}
    for node, degree in degrees.items():
        assert tab.node_data(node)["degree"] == degree, node
    widths = {node: float(tab.page.evaluate("id => parseFloat(cy.getElementById(id).style('width'))", node))
              for node in degrees}
    assert all(widths[hub] > widths[node] for node in degrees if degrees[node] < degrees[hub])
    shapes = tab.page.evaluate("cy.nodes(':visible').map(n => [n.data('kind'), n.style('shape')])")
    by_kind: dict[str, set[str]] = {}
    for kind, shape in shapes:
        by_kind.setdefault(kind, set()).add(shape)
    assert all(len(found) == 1 for found in by_kind.values()), by_kind
    assert len({next(iter(found)) for found in by_kind.values()}) == len(by_kind) > 1

    # The layout keeps nodes apart (no two nodes' bodies overlap) and labels mostly so: the count is reported.
    assert overlapping(boxes(tab, labels=False)) == []
    label_clashes = overlapping(boxes(tab, labels=True))
    print(f"label overlaps after expanding {hub}: {len(label_clashes)} of {len(shown_nodes)} nodes: {label_clashes}")
    assert len(label_clashes) <= len(shown_nodes) // 4, label_clashes
    tab.screenshot("explorer-expanded-hub")

    # A few aliases, the rest behind "more".
    tab.tap(hub)  # the same expansion again: its panel
    aliases = [alias["name"] for alias in tab.served.get(f"/v1/entities/{hub}")["aliases"]]
    shown_aliases = tab.page.locator("#panel .aliases-shown")
    if len(aliases) > 5:
        assert shown_aliases.inner_text() == ", ".join(aliases[:5])
        tab.page.locator("#panel .aliases-more").click()
        assert shown_aliases.inner_text() == ", ".join(aliases)
    else:
        assert shown_aliases.inner_text() == ", ".join(aliases)

    # Show more: the next neighbours by the same rule.
    more.click()
    tab.settle()
    assert tab.nodes() == neighbours(tab.served, hub, 2 * EXPANSION_STEP)[0]
    assert f"~{2 * EXPANSION_STEP}" in urllib.parse.unquote(tab.page.url)

    # Pin: the node stays where it is when the graph is laid out again.
    tab.page.locator("#panel .node-tools button", has_text="Pin").click()
    assert tab.page.evaluate("id => cy.getElementById(id).locked()", hub)
    before = tab.page.evaluate("id => cy.getElementById(id).position()", hub)
    tab.page.click("#relayout")
    tab.settle()
    after = tab.page.evaluate("id => cy.getElementById(id).position()", hub)
    assert abs(before["x"] - after["x"]) < 1 and abs(before["y"] - after["y"]) < 1

    # Collapse: the neighbours joined to nothing else shown are folded away, and come back.
    shown = tab.nodes()
    claims = [tab.served.get(f"/v1/claims/{c}")["claim"] for c in tab.edges()]
    leaves = {n for n in shown - {hub}
              if all(hub in (c["subject"], c["object"]) for c in claims if n in (c["subject"], c["object"]))}
    assert leaves
    tab.page.locator("#panel .node-tools button", has_text="Collapse").click()
    tab.settle()
    assert tab.nodes() == shown - leaves
    tab.page.locator("#panel .node-tools button", has_text="Expand collapsed").click()
    tab.settle()
    assert tab.nodes() == shown

    # Hide: the node and its claims leave the drawing; "Show hidden nodes" brings them back.
    tab.page.locator("#panel .node-tools button", has_text="Hide").click()
    tab.settle()
    left = [tab.served.get(f"/v1/claims/{e}")["claim"] for e in tab.edges()]
    assert hub not in tab.nodes() and not any(hub in (c["subject"], c["object"]) for c in left)
    tab.page.click("#show-hidden")
    tab.settle()
    assert tab.nodes() == shown
    tab.check_stayed_local()


def hop_claims(paths: list[dict[str, Any]]) -> set[str]:
    return {claim["id"] for path in paths for hop in path["hops"] for claim in hop["claims"]}


def drawn_paths(tab: MapTab) -> tuple[list[str], set[str]]:
    summaries = tab.page.locator("#panel .paths .path-summary").all_inner_texts()
    drawn = set(tab.page.evaluate("cy.edges('.path').map(e => e.id())"))
    return summaries, drawn


def summary(served: Served, path: dict[str, Any]) -> str:
    names = [served.get(f"/v1/entities/{node}")["name"] for node in path["nodes"]]
    return f"{path['length']} hop(s): " + " → ".join(names)


def test_k_paths_over_hostile_or_friendly_ties_and_chosen_statuses(tab: MapTab) -> None:
    schema = tab.served.get("/v1/schema")
    of_tie = {tie: {t for t, spec in schema["relation_types"].items() if spec["category"] in categories}
              for tie, categories in schema["ties"].items()}
    tab.open()
    tab.page.fill("#path-from", "Taliban")
    tab.page.fill("#path-to", "Pakistan")
    tab.page.fill("#path-k", "3")

    for tie in ("hostile", "friendly"):
        tab.page.check(f"#path-ties input[value='{tie}']")
        tab.page.click("#path-form button[type=submit]")
        tab.settle()
        expected = tab.served.get("/v1/paths", source="Taliban", target="Pakistan", k=3, ties=tie)["data"]
        assert expected, tie
        summaries, drawn = drawn_paths(tab)
        assert summaries == [summary(tab.served, path) for path in expected], tie
        assert drawn == hop_claims(expected), tie
        drawn_types = set(tab.page.evaluate("cy.edges('.path').map(e => e.data('type'))"))
        assert drawn_types <= of_tie[tie], (tie, drawn_types)
        assert tab.page.locator("#panel .path-options").get_attribute("data-found") == str(len(expected))
        assert f"over {tie} ties" in tab.page.locator("#panel .path-options").inner_text()

    # Any tie, k = 5, only claims the analysts assessed: the API's paths under the same options.
    tab.page.fill("#path-from", "IS-K")
    tab.page.fill("#path-to", "China")
    tab.page.fill("#path-k", "5")
    tab.page.check("#path-ties input[value='any']")
    tab.page.locator("#path-options summary").click()
    for box in tab.page.locator("#path-status input").all():
        if box.get_attribute("value") != "assessed":
            box.uncheck()
    tab.page.click("#path-form button[type=submit]")
    tab.settle()
    expected = tab.served.get("/v1/paths", source="IS-K", target="China", k=5, status="assessed")["data"]
    everything = tab.served.get("/v1/paths", source="IS-K", target="China", k=5)["data"]
    assert len(expected) < len(everything)
    summaries, drawn = drawn_paths(tab)
    assert summaries == [summary(tab.served, path) for path in expected]
    assert drawn == hop_claims(expected)
    assert set(tab.page.evaluate("cy.edges('.path').map(e => e.data('status'))")) == {"assessed"}

    # The options are in the link: a reload asks for the same paths.
    assert "pk=5" in tab.page.url and "ps=assessed" in tab.page.url
    tab.page.reload()
    tab.settle()
    assert drawn_paths(tab) == (summaries, drawn)
    assert tab.page.input_value("#path-k") == "5"
    assert tab.page.locator("#path-status input:checked").evaluate_all("els => els.map(e => e.value)") == ["assessed"]

    # Clear view resets the options too.
    tab.page.click("#reset")
    tab.settle()
    assert tab.page.input_value("#path-k") == "1" and tab.page.is_checked("#path-ties input[value='any']")
    tab.check_stayed_local()


def bars(tab: MapTab) -> dict[str, int]:
    return {bar.get_attribute("data-month") or "": int(bar.get_attribute("data-count") or 0)
            for bar in tab.page.locator("#timeline-chart rect.bar").all()}


def page_requests(tab: MapTab) -> list[str]:
    """The requests for pages of incidents as JSON (not the map's GeoJSON, not the counts)."""
    return [url for url in tab.requested if urllib.parse.urlparse(url).path == "/v1/incidents"
            and "format=geojson" not in url]


def test_the_incident_chart_is_counted_by_the_store_and_refiltered_without_reading_incidents(tab: MapTab) -> None:
    tab.open()
    counts = tab.served.get("/v1/incidents/timeline", interval="month")
    assert bars(tab) == {bucket["period"]: bucket["count"] for bucket in counts["buckets"]}
    assert any(urllib.parse.urlparse(url).path == "/v1/incidents/timeline" for url in tab.requested)
    read_before = len(page_requests(tab))

    # A perpetrator chosen for the map: the chart asks for the counts under it, not for the incidents.
    tab.page.select_option("#incident-perpetrator", "isk")
    tab.settle()
    isk = tab.served.get("/v1/incidents/timeline", interval="month", perpetrator="isk")
    assert bars(tab) == {bucket["period"]: bucket["count"] for bucket in isk["buckets"]}
    assert len(page_requests(tab)) == read_before
    assert any("/v1/incidents/timeline" in url and "perpetrator=isk" in url for url in tab.requested)

    # The dark share of a bar: the incidents the claims in view are about, counted by the API by id.
    tab.page.select_option("#incident-perpetrator", "")
    tab.settle()
    tab.submit("#search-input", "Pakistan")
    tab.tap("pakistan")
    claims = [tab.served.get(f"/v1/claims/{c}")["claim"] for c in tab.edges()]
    feet = {bar.get_attribute("data-month") or "": int(bar.get_attribute("data-in-view") or 0)
            for bar in tab.page.locator("#timeline-chart rect.bar").all()}
    assert {m: n for m, n in feet.items() if n} == incidents_about(tab.served, claims)
    assert any("/v1/incidents/timeline" in url and "id=" in url for url in tab.requested)
    tab.check_stayed_local()
