"""The explorer's incidents map in a real browser (Debian's Chromium), over each seeded store.

The map, the timeline and the graph are checked against what the API says (the same process the page calls):
one point per incident with coordinates, filters that refetch, a timeline brush that narrows the map, a click that
opens the incident's reports and quotes and marks its actors in the graph. Every test also checks that the page
raised no error, that no request failed and that none left the test server's origin.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from graph.domain.model import Batch, Incident, IncidentReport
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.stores.protocol import GraphStore
from graph.stores.sqlite.store import SqliteStore
from tests.conftest import SEED_REPORT, SEEDS
from tests.web.test_explorer import (
    EXPANSION_STEP,
    Explorer,
    Served,
    every_incident,
    incidents_by_month,
    month_span,
    neighbours,
    serve,
)

KUNDUZ = "kunduz-mosque-2021-10"
MASHHAD = "mashhad-shrine-stabbing-2022-04"


@pytest.fixture(scope="module")
def served(seeded: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app over each seeded store."""
    yield from serve(seeded, Path(tmp_path_factory.mktemp("map")))


@dataclass
class MapTab(Explorer):
    """A tab on the explorer that also records failed requests (the map must load all it asks for)."""

    failed: list[str] = field(default_factory=list)

    def points(self) -> set[str]:
        return set(self.page.locator("#map .point").evaluate_all("els => els.map(e => e.dataset.id)"))

    def point(self, incident: str) -> Any:
        return self.page.locator(f"#map .point[data-id='{incident}']")

    def bar(self, month: str) -> Any:
        return self.page.locator(f"#timeline-chart rect.bar[data-month='{month}']")

    def check_stayed_local(self) -> None:
        super().check_stayed_local()
        assert not self.failed, self.failed


def open_tab(browser: Browser, served: Served) -> MapTab:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    tab = MapTab(page, served)
    page.on("request", lambda request: tab.requested.append(request.url))
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    page.on("requestfailed", lambda request: tab.failed.append(f"{request.url}: {request.failure}"))
    page.on("response", lambda response: tab.failed.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    return tab


@pytest.fixture
def tab(browser: Browser, served: Served) -> Iterator[MapTab]:
    opened = open_tab(browser, served)
    yield opened
    opened.page.close()


def located(served: Served, **filters: Any) -> set[str]:
    """The ids the API gives as GeoJSON points for these filters."""
    collection = served.get("/v1/incidents", format="geojson", limit=500, **filters)
    return {feature["id"] for feature in collection["features"]}


def test_the_map_draws_one_point_per_located_incident_coloured_by_type_and_sized_by_the_killed(tab: MapTab) -> None:
    incidents = every_incident(tab.served)
    with_coordinates = {i["id"] for i in incidents if i["location"]}
    collection = tab.served.get("/v1/incidents", format="geojson", limit=500)
    assert collection["count"] == len(incidents) and collection["unlocated"] == []
    assert len(with_coordinates) == len(incidents) == 8  # the seed report's incidents are all placed
    tab.open()

    assert tab.points() == with_coordinates == located(tab.served)
    assert tab.page.locator("#map-status").inner_text() == f"{len(with_coordinates)} incident(s) on the map"
    colours = tab.served.get("/v1/schema")["incident_colours"]
    for incident in incidents:
        point = tab.point(incident["id"])
        stated = incident["killed"] and (incident["killed"]["min"] is not None or incident["killed"]["max"] is not None)
        dot = point.locator(".dot")
        # A stated figure fills the point with its type's colour; no figure leaves it hollow, ringed in that colour.
        assert dot.get_attribute("stroke") == colours[incident["type"]], incident["id"]
        assert dot.get_attribute("fill") == (colours[incident["type"]] if stated else "#ffffff"), incident["id"]
        assert ("unknown" in (point.get_attribute("class") or "")) == (not stated), incident["id"]
        label = point.get_attribute("aria-label") or ""
        assert label.startswith(incident["type_label"]) and incident["place"]["name"] in label
    radius = {i["id"]: float(tab.point(i["id"]).locator(".dot").get_attribute("r") or 0) for i in incidents}
    # Kandahar (more than 60 killed) is drawn larger than Kunduz (more than 50), Kunduz than Mashhad (two).
    assert radius["kandahar-mosque-2021-10"] > radius[KUNDUZ] > radius[MASHHAD]

    # Framed: every point inside the map, and the map zoomed in past the whole world.
    inside = tab.page.evaluate("""() => {
        const box = document.querySelector('#map').getBoundingClientRect();
        return [...document.querySelectorAll('#map .point .dot')].every(dot => {
          const r = dot.getBoundingClientRect();
          return r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom; });
    }""")
    assert inside and tab.page.evaluate("window.incidentMap.transform.k") > 1
    # Outlines from world-atlas, served by this server; the legend names every type drawn.
    assert len(tab.page.locator("#map .land").get_attribute("d") or "") > 10_000
    assert f"{tab.served.base}/assets/vendor/countries-50m.json" in tab.requested
    labels = {i["type"]: i["type_label"] for i in incidents}
    assert tab.page.locator("#map-legend .types li").all_inner_texts() == [
        labels[t] for t in tab.served.get("/v1/schema")["incident_types"] if t in labels]
    tab.screenshot("explorer-map")
    tab.check_stayed_local()


def test_type_and_perpetrator_filters_refetch_the_points_and_the_timeline_and_survive_a_reload(tab: MapTab) -> None:
    tab.open()
    everything = tab.points()

    tab.page.select_option("#incident-types", ["rocket_or_missile_attack"])
    tab.settle()
    rockets = located(tab.served, type="rocket_or_missile_attack")
    assert tab.points() == rockets and rockets and rockets < everything
    asked = [url for url in tab.requested if "format=geojson" in url and "type=rocket_or_missile_attack" in url]
    assert asked, "the filter must refetch the points from the API"
    assert bars(tab) == incidents_by_month(every_incident(tab.served, type="rocket_or_missile_attack"))

    # A type takes in the types that refine it: bombings include Kandahar's suicide bombing.
    tab.page.select_option("#incident-types", ["bombing"])
    tab.settle()
    assert tab.points() == located(tab.served, type="bombing") == {"kandahar-mosque-2021-10"}

    tab.page.select_option("#incident-types", [])
    tab.page.select_option("#incident-perpetrator", "isk")
    tab.settle()
    by_isk = located(tab.served, perpetrator="isk")
    assert tab.points() == by_isk and by_isk < everything
    assert MASHHAD not in by_isk  # Iran blamed an unnamed attacker, not IS-K
    assert bars(tab) == incidents_by_month(every_incident(tab.served, perpetrator="isk"))
    assert "ip=isk" in tab.page.url

    tab.page.reload()
    tab.settle()
    assert tab.points() == by_isk
    assert tab.page.input_value("#incident-perpetrator") == "isk"
    tab.check_stayed_local()


def bars(tab: MapTab) -> dict[str, int]:
    return {bar.get_attribute("data-month") or "": int(bar.get_attribute("data-count") or 0)
            for bar in tab.page.locator("#timeline-chart rect.bar").all()}


def drag_across(tab: MapTab, first: str, last: str) -> None:
    """Drag the pointer across the timeline from one month's bar to another's, as a user brushing it does."""
    start = tab.bar(first).bounding_box()
    end = tab.bar(last).bounding_box()
    assert start and end
    tab.page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    tab.page.mouse.down()
    tab.page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=6)
    tab.page.mouse.up()
    tab.settle()


def test_brushing_the_timeline_limits_the_map_and_the_graph_to_those_months(tab: MapTab) -> None:
    tab.open("#e=isk&x=isk~ATTACKED.DENIED")
    everything = tab.points()
    assert bars(tab) == incidents_by_month(every_incident(tab.served))
    edges_before = tab.edges()

    drag_across(tab, "2021-10", "2022-03")
    window = located(tab.served, since="2021-10", until="2022-03")
    assert tab.points() == window and window and window < everything
    assert "since=2021-10" in tab.page.url and "until=2022-03" in tab.page.url
    assert tab.page.locator("#dates-on").is_checked()
    assert tab.page.locator("#since-out").inner_text() == "2021-10"
    assert tab.page.locator("#until-out").inner_text() == "2022-03"
    brush = tab.page.locator("#timeline-chart rect.brush")
    assert (brush.get_attribute("data-since"), brush.get_attribute("data-until")) == ("2021-10", "2022-03")
    # The timeline keeps counting every month (the brush must not empty it); months outside are dimmed.
    assert bars(tab) == incidents_by_month(every_incident(tab.served))
    assert "outside" in (tab.bar("2022-04").get_attribute("class") or "")
    assert "in-window" in (tab.bar("2021-10").get_attribute("class") or "")
    # The graph takes the same window.
    shown = tab.edges()
    assert shown < edges_before
    for claim_id in shown:
        span = month_span(tab.served.get(f"/v1/claims/{claim_id}")["claim"]["date"])
        assert span and span[1] >= "2021-10" and span[0] <= "2022-03", claim_id
    tab.screenshot("explorer-map-brushed")

    # From the keyboard: Enter on a focused bar shows that month alone.
    tab.bar("2022-04").focus()
    tab.page.keyboard.press("Enter")
    tab.settle()
    assert tab.points() == located(tab.served, since="2022-04", until="2022-04") and "since=2022-04" in tab.page.url

    tab.page.click("#clear-dates")
    tab.settle()
    assert tab.points() == everything and not tab.page.locator("#dates-on").is_checked()
    tab.check_stayed_local()


def test_hovering_a_point_lights_its_month_and_a_bar_lights_its_points(tab: MapTab) -> None:
    tab.open()
    tab.point(MASHHAD).hover()
    assert "hot" in (tab.bar("2022-04").get_attribute("class") or "")
    assert tab.page.locator("#timeline-chart rect.bar.hot").count() == 1
    tooltip = tab.page.locator("#map-tooltip")
    assert tooltip.is_visible() and "Mashhad" in tooltip.inner_text() and "killed: 2" in tooltip.inner_text()

    tab.bar("2021-10").hover()
    october = {i["id"] for i in every_incident(tab.served, since="2021-10", until="2021-10")}
    hot = set(tab.page.locator("#map .point.hot").evaluate_all("els => els.map(e => e.dataset.id)"))
    assert hot == october == {KUNDUZ, "kandahar-mosque-2021-10"}
    assert not tooltip.is_visible()
    tab.check_stayed_local()


def test_clicking_a_point_opens_the_incident_with_every_report_and_quote_and_marks_its_actors_in_the_graph(
        tab: MapTab) -> None:
    tab.open()
    # October 2021 alone, so the map frames Kunduz and Kandahar apart from the points around them.
    tab.bar("2021-10").focus()
    tab.page.keyboard.press("Enter")
    tab.settle()
    tab.point(KUNDUZ).click()
    tab.settle()

    incident = tab.served.get(f"/v1/incidents/{KUNDUZ}")
    panel = tab.page.locator("#panel")
    assert panel.locator(".incident-type").inner_text() == incident["type_label"]
    assert panel.locator(".incident-date").inner_text().startswith(incident["date"])
    place = panel.locator(".incident-place").inner_text()
    assert incident["place"]["name"] in place and incident["country"]["name"] in place
    assert panel.locator(".incident-killed").inner_text() == "more than 50 people (at least 51)"
    assert incident["killed"]["text"] == "more than 50 people"
    # Every report, with its quote, word for word, and who published it.
    quotes = panel.locator(".incident-reports blockquote").all_inner_texts()
    assert quotes == [report["quote"] for report in incident["reports"]] and len(quotes) == 2
    outlets = panel.locator(".incident-reports .source").all_inner_texts()
    assert all(report["report"]["outlet"] in shown for report, shown in zip(incident["reports"], outlets, strict=True))
    # The figure as each report states it: the first quote holds it, the second gives none.
    assert panel.locator(".incident-reports .figures").all_inner_texts() == [
        "killed: more than 50 people (at least 51)", "gives no casualty figure here"]
    assert panel.locator(".incident-reports mark.figure").all_inner_texts() == ["more than 50 people"]
    # Perpetrators with their basis and who says so.
    perpetrators = panel.locator(".incident-perpetrators li").all_inner_texts()
    assert len(perpetrators) == len(incident["perpetrators"])
    for line, perpetrator in zip(perpetrators, incident["perpetrators"], strict=True):
        assert perpetrator["name"] in line and perpetrator["basis"] in line
        assert f"according to {perpetrator['asserted_by_name']}" in line
    assert panel.locator(".incident-targets").inner_text().count("\n") + 1 == len(incident["targets"])

    # The graph: its perpetrators and targets marked, with the claims that point at the incident.
    marked = set(tab.page.evaluate("cy.nodes('.incident-perpetrator').map(n => n.id())"))
    assert marked == {p["id"] for p in incident["perpetrators"] if p["id"]} == {"isk", "mohammad-al-uyghuri"}
    targets = set(tab.page.evaluate("cy.nodes('.incident-target').map(n => n.id())"))
    assert targets == {t["id"] for t in incident["targets"] if t["id"]} == {"shia-muslims"}
    claims = tab.served.get("/v1/claims", source=SEED_REPORT, limit=500)["data"]
    about = {c["id"] for c in claims if c["incident"] == KUNDUZ}
    assert about and about <= tab.edges()
    # The map and the timeline mark it too.
    assert "selected" in (tab.point(KUNDUZ).get_attribute("class") or "")
    assert "selected" in (tab.bar("2021-10").get_attribute("class") or "")
    assert f"inc={KUNDUZ}" in tab.page.url

    # A perpetrator clicked in the panel is expanded in the graph, and the incident stays open.
    around_isk, _ = neighbours(tab.served, "isk", EXPANSION_STEP)  # the expansion's first twelve neighbours
    panel.locator(".incident-perpetrators button[data-entity='isk']").click()
    tab.settle()
    assert "x=isk" in tab.page.url
    tab.page.click("#clear-dates")  # the graph shows October 2021 only until then
    tab.settle()
    assert around_isk <= tab.nodes()
    assert panel.locator(".incident-reports blockquote").all_inner_texts() == quotes
    tab.screenshot("explorer-map-incident")

    # A reload rebuilds the same view: the incident open, its actors marked.
    tab.page.reload()
    tab.settle()
    assert tab.page.locator("#panel .incident-reports blockquote").all_inner_texts() == quotes
    assert set(tab.page.evaluate("cy.nodes('.incident-perpetrator').map(n => n.id())")) == marked
    tab.check_stayed_local()


def test_the_map_and_its_points_are_reachable_from_the_keyboard(tab: MapTab) -> None:
    tab.open()
    fitted = tab.page.evaluate("window.incidentMap.transform.k")
    tab.page.focus("#map")
    tab.page.keyboard.press("+")
    assert tab.page.evaluate("window.incidentMap.transform.k") == pytest.approx(fitted * 1.5)
    tab.page.keyboard.press("0")
    assert tab.page.evaluate("window.incidentMap.transform.k") == pytest.approx(fitted)
    # Tab goes from the map to its points, each named for a screen reader.
    tab.page.keyboard.press("Tab")
    focused = tab.page.evaluate("document.activeElement.dataset.id")
    assert focused in tab.points()
    # Enter opens the focused incident.
    tab.point(MASHHAD).focus()
    tab.page.keyboard.press("Enter")
    tab.settle()
    incident = tab.served.get(f"/v1/incidents/{MASHHAD}")
    assert tab.page.locator("#panel .incident-reports blockquote").all_inner_texts() == [
        report["quote"] for report in incident["reports"]]
    tab.page.click("#map-zoom-in")
    assert tab.page.evaluate("window.incidentMap.transform.k") == pytest.approx(fitted * 1.5)
    tab.page.click("#map-fit")
    assert tab.page.evaluate("window.incidentMap.transform.k") == pytest.approx(fitted)
    tab.check_stayed_local()


@pytest.fixture(scope="module")
def served_with_an_unlocated_incident(ontology: Ontology, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The seed graph plus an incident no gazetteer could place: it has a date but no coordinates."""
    store = SqliteStore(ontology)
    load(SEEDS, store, ontology)
    kunduz = store.get_incident(KUNDUZ)
    report = kunduz.reports[0]
    nowhere = Incident(id="somewhere-2022-04", type="shooting", date="2022-04-02",
                       reports=[IncidentReport(source=report.source, quote=report.quote, span=report.span)])
    store.upsert(Batch(incidents=[nowhere]))
    yield from serve(store, Path(tmp_path_factory.mktemp("map-unlocated")))


def test_an_incident_without_coordinates_is_counted_and_named_not_dropped(
        browser: Browser, served_with_an_unlocated_incident: Served) -> None:
    tab = open_tab(browser, served_with_an_unlocated_incident)
    tab.open()
    collection = tab.served.get("/v1/incidents", format="geojson", limit=500)
    assert collection["unlocated"] == ["somewhere-2022-04"]
    assert tab.points() == {feature["id"] for feature in collection["features"]}
    assert "somewhere-2022-04" not in tab.points()
    assert tab.page.locator("#map-status").inner_text() == (
        f"{len(collection['features'])} incident(s) on the map; 1 without coordinates not drawn (somewhere-2022-04)")
    # The timeline counts it in its month all the same.
    assert bars(tab) == incidents_by_month(every_incident(tab.served))
    assert bars(tab)["2022-04"] == 4
    tab.check_stayed_local()
    tab.page.close()


def test_the_incident_panel_lists_the_claims_about_it(tab: MapTab) -> None:
    tab.open()
    tab.point("termez-attack-2022-04-18").click()
    tab.settle()
    detail = tab.served.get("/v1/incidents/termez-attack-2022-04-18")
    shown = tab.page.locator("#panel .incident-claims li")
    assert shown.evaluate_all("els => els.map(e => e.dataset.type)") == [c["type"] for c in detail["claims"]]
    assert {c["id"] for c in detail["claims"]} >= {"uzbekistan-denied-termez-attack", "taliban-denied-termez-attack"}
    lines = shown.all_inner_texts()
    assert any(line.startswith("Uzbekistan DENIED IS-K") and "denied" in line for line in lines)
    assert any(line.startswith("IS-K ATTACKED Uzbekistan") and "disputed" in line for line in lines)
    tab.check_stayed_local()


def test_asking_how_many_were_killed_lists_the_incidents_with_quotes_and_opens_one_on_the_map(tab: MapTab) -> None:
    tab.open()
    question = "how many were killed in Afghanistan in 2021?"
    tab.submit("#ask-input", question)
    tab.settle()
    answer = tab.served.get("/v1/ask", q=question)
    panel = tab.page.locator("#panel")
    assert panel.locator(".count").inner_text() == "at least 112 killed in 2 incident(s), as the reports state"
    assert panel.locator(".explanation").inner_text() == answer["explanation"]
    listed = panel.locator(".incidents > li")
    assert listed.evaluate_all("els => els.map(e => e.dataset.incident)") == [
        "kandahar-mosque-2021-10", KUNDUZ] == [i["id"] for i in answer["incidents"]]
    assert panel.locator(".incidents .killed").all_inner_texts() == [
        "Killed: more than 60 worshipers", "Killed: more than 50 people"]
    quotes = panel.locator(".incidents blockquote").all_inner_texts()
    assert quotes == [r["quote"] for i in answer["incidents"] for r in i["reports"]]
    panel.locator(f".incidents > li[data-incident='{KUNDUZ}'] .incident-link").click()
    tab.settle()
    assert tab.page.locator("#panel .incident-type").inner_text() == "other attack"
    assert tab.point(KUNDUZ).get_attribute("class") is not None and "selected" in (
        tab.point(KUNDUZ).get_attribute("class") or "")
    tab.check_stayed_local()
