"""The web explorer at ``/`` in a real browser (Debian's Chromium), over each seeded store.

Every expectation is read from the API the page itself calls (the same process), so the
tests check that the page shows what the graph says, not a list of remembered answers.
Each test also checks that no request left the test server's origin.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from app.api import create_app
from graph.domain.model import Batch, Claim
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.stores.protocol import GraphStore
from graph.stores.sqlite.store import SqliteStore
from tests.api.conftest import served_in_thread, settings_for
from tests.conftest import ARTIFACTS, SEEDS

PROVOKE = "who is IS-K trying to provoke"


@dataclass
class Served:
    """The API on a loopback port, and which store it serves (for screenshot names)."""

    base: str
    store: str

    def get(self, path: str, **params: Any) -> Any:
        """What the API answers, read the way a client would."""
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.base}{path}{query}") as response:
            return json.loads(response.read())


def serve(store: GraphStore, tmp: Path, **settings: Any) -> Iterator[Served]:
    """The app over ``store``, served on a free loopback port in a thread, until resumed."""
    with served_in_thread(create_app(settings_for(tmp, **settings), store)) as base:
        yield Served(base, "memory" if isinstance(store, SqliteStore) else "neo4j")


@pytest.fixture(scope="module")
def served(seeded: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app over each seeded store."""
    yield from serve(seeded, Path(tmp_path_factory.mktemp("web")))


@dataclass
class Explorer:
    """One browser tab on the explorer, with the requests it made and the page's own errors."""

    page: Page
    served: Served
    requested: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, fragment: str = "") -> None:
        self.page.goto(f"{self.served.base}/{fragment}")
        self.settle()

    def settle(self) -> None:
        """Wait until the page has loaded and no request of its own is in flight."""
        self.page.wait_for_function(
            "window.explorer && window.explorer.loaded && window.explorer.pending === 0", timeout=30_000)
        self.page.wait_for_timeout(50)
        self.page.wait_for_function("window.explorer.pending === 0", timeout=30_000)

    def nodes(self) -> set[str]:
        return set(self.page.evaluate("cy.nodes(':visible').map(n => n.id())"))

    def edges(self) -> set[str]:
        """The claims drawn: each edge's, or each claim of a bundle (claims of one type between two entities)."""
        return set(self.page.evaluate("cy.edges(':visible').flatMap(e => e.data('claims') || [e.id()])"))

    def node_data(self, node_id: str) -> dict[str, Any]:
        return dict(self.page.evaluate("id => cy.getElementById(id).data()", node_id))

    def tap(self, element_id: str) -> None:
        """Tap a node or an edge the way a click on the canvas does, through Cytoscape's own event."""
        assert self.page.evaluate("id => cy.getElementById(id).nonempty()", element_id), element_id
        self.page.evaluate("id => { cy.getElementById(id).emit('tap'); }", element_id)
        self.settle()

    def submit(self, selector: str, text: str) -> None:
        self.page.fill(selector, text)
        self.page.press(selector, "Enter")
        self.settle()

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        suffix = "" if self.served.store == "memory" else f"-{self.served.store}"
        self.page.screenshot(path=str(ARTIFACTS / f"{name}{suffix}.png"))

    def check_stayed_local(self) -> None:
        """Nothing was fetched from another origin, and the page raised no error."""
        foreign = [url for url in self.requested if not url.startswith(f"{self.served.base}/")]
        assert self.requested and not foreign, foreign
        assert not self.errors, self.errors


@pytest.fixture
def explorer(browser: Browser, served: Served) -> Iterator[Explorer]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    tab = Explorer(page, served)
    page.on("request", lambda request: tab.requested.append(request.url))
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    page.close()


# How many neighbours an expansion shows before "show more" (EXPANSION_STEP in app/web/layout.js).
EXPANSION_STEP = 12


def neighbours(served: Served, entity: str, cap: int | None = None, **params: Any) -> tuple[set[str], set[str]]:
    """The ids of the entities and claims in one entity's neighbourhood, as the API gives them; with ``cap``, those
    an expansion shows: the ``cap`` neighbours joined to it by the most claims (ties by id), and the claims among
    them."""
    subgraph = served.get(f"/v1/entities/{entity}/neighbourhood", depth=1, **params)
    nodes = {node["id"] for node in subgraph["nodes"]}
    links = subgraph["links"]
    if cap is not None:
        centre = subgraph["center"]
        weight = {node: sum(1 for link in links if {link["source"], link["target"]} == {centre, node})
                  for node in nodes - {centre}}
        nodes = {centre, *sorted(weight, key=lambda node: (-weight[node], node))[:cap]}
        links = [link for link in links if link["source"] in nodes and link["target"] in nodes]
    return nodes, {link["claim"]["id"] for link in links}


def test_asking_who_isk_provokes_lists_pakistan_and_draws_it(explorer: Explorer) -> None:
    expected = explorer.served.get("/v1/ask", q=PROVOKE)
    explorer.open()
    explorer.submit("#ask-input", PROVOKE)

    answers = explorer.page.locator("#panel .answers button").all_inner_texts()
    assert "Pakistan" in answers
    assert answers == [answer["name"] for answer in expected["answers"]]
    assert {"isk", "pakistan"} <= explorer.nodes()
    assert explorer.edges() == {claim["id"] for claim in expected["claims"]}
    pakistan = explorer.node_data("pakistan")
    schema = explorer.served.get("/v1/schema")
    assert pakistan["kind"] == "state" and pakistan["colour"] == schema["entity_kinds"]["state"]["colour"]
    assert "q=" in explorer.page.url
    explorer.screenshot("explorer-ask-provoke")
    explorer.check_stayed_local()


def test_an_empty_answer_shows_what_the_graph_covers(explorer: Explorer) -> None:
    question = "who attacked Tajikistan in 2021?"
    expected = explorer.served.get("/v1/ask", q=question)["coverage"]
    explorer.open()
    explorer.submit("#ask-input", question)

    assert explorer.page.locator("#panel .coverage-note").inner_text() == expected["note"]
    listed = explorer.page.locator("#panel .coverage li")
    assert listed.evaluate_all("items => items.map(i => [i.dataset.entity, Number(i.dataset.claims)])") == \
        [[e["id"], e["claims"]] for e in expected["entities"]]
    assert expected["entities"][0]["top"][0]["id"] in listed.first.inner_text()
    explorer.check_stayed_local()


def test_a_word_read_as_another_shows_with_the_readings_confidence(explorer: Explorer) -> None:
    question = "who is IS-K seeking to provke?"
    reading = explorer.served.get("/v1/ask", q=question)["reading"]
    explorer.open()
    explorer.submit("#ask-input", question)

    shown = explorer.page.locator("#panel .confidence")
    assert shown.get_attribute("data-confidence") == str(reading["confidence"])
    assert "'provke' read as 'provoke'" in shown.inner_text()
    explorer.check_stayed_local()


def test_a_follow_up_reuses_the_last_answers_query_and_survives_a_reload(explorer: Explorer) -> None:
    first = explorer.served.get("/v1/ask", q="who attacked Uzbekistan?")
    expected = explorer.served.get("/v1/ask", q="who denied it?", context=json.dumps(first["query"]))
    explorer.open()
    explorer.submit("#ask-input", "who attacked Uzbekistan?")
    explorer.submit("#ask-input", "who denied it?")

    answers = explorer.page.locator("#panel .answers button").all_inner_texts()
    assert answers == [a["name"] for a in expected["answers"]] and "Uzbekistan" in answers
    assert explorer.edges() == {c["id"] for c in expected["claims"]}
    assert "ctx=" in explorer.page.url
    explorer.page.reload()
    explorer.settle()
    assert explorer.page.locator("#panel .answers button").all_inner_texts() == answers
    explorer.submit("#ask-input", "who attacked Tajikistan?")  # a whole question: no previous query in the link
    assert "ctx=" not in explorer.page.url
    explorer.check_stayed_local()


def test_tapping_an_edge_shows_its_quote_highlighted_in_the_report(explorer: Explorer) -> None:
    explorer.open()
    explorer.submit("#ask-input", PROVOKE)
    claim_id = next(claim["id"] for claim in explorer.served.get("/v1/ask", q=PROVOKE)["claims"]
                    if claim["object"] == "pakistan")
    explorer.tap(claim_id)

    detail = explorer.served.get(f"/v1/claims/{claim_id}")
    claim, quote = detail["claim"], detail["quote"]
    report = explorer.served.get(f"/v1/sources/{claim['source']}")["text"]
    mark = explorer.page.locator("#panel .report mark")
    assert mark.inner_text() == quote["text"]
    # The mark sits where the span says, inside the report's whole text.
    before = explorer.page.evaluate(
        "() => { const r = document.querySelector('#panel .report'); const m = r.querySelector('mark');"
        " const range = document.createRange(); range.setStart(r, 0); range.setEndBefore(m);"
        " return range.toString().length; }")
    assert before == quote["span"][0]
    assert explorer.page.locator("#panel .report").inner_text().replace("\n", "") == report.replace("\n", "")
    assert mark.is_visible()
    asserter = explorer.served.get(f"/v1/entities/{claim['asserted_by']}")["name"]
    assert explorer.page.locator("#panel .asserted-by").inner_text() == asserter
    assert claim["status"] in explorer.page.locator("#panel .status").inner_text()
    assert explorer.page.locator("#panel .source a").get_attribute("href") == detail["source"]["url"]
    assert explorer.page.evaluate("id => cy.getElementById(id).selected()", claim_id)
    explorer.screenshot("explorer-edge-quote")

    # The link holds the question and the selection: a reload rebuilds the same view and panel.
    nodes, edges = explorer.nodes(), explorer.edges()
    explorer.page.reload()
    explorer.settle()
    assert explorer.nodes() == nodes and explorer.edges() == edges
    assert explorer.page.locator("#panel .report mark").inner_text() == quote["text"]
    explorer.check_stayed_local()


def test_expanding_nodes_adds_their_neighbours_counts_hidden_ones_and_undoes(explorer: Explorer) -> None:
    explorer.open()
    explorer.submit("#search-input", "ISKP")  # an alias of IS-K
    assert explorer.nodes() == {"isk"}
    everything_around_isk, _ = neighbours(explorer.served, "isk")
    assert explorer.node_data("isk")["hidden"] == len(everything_around_isk - {"isk"}) > 0

    explorer.page.select_option("#expand-types", ["RECRUITS_FROM"])
    explorer.tap("isk")
    recruited, recruiting_claims = neighbours(explorer.served, "isk", EXPANSION_STEP, types="RECRUITS_FROM")
    assert explorer.nodes() == recruited and explorer.edges() == recruiting_claims
    assert len(recruited) > 1
    assert explorer.node_data("isk")["hidden"] == len(everything_around_isk - recruited)
    first_view = explorer.nodes()

    explorer.page.select_option("#expand-types", [])
    explorer.tap("uyghurs")
    around_uyghurs, _ = neighbours(explorer.served, "uyghurs", EXPANSION_STEP)
    assert explorer.nodes() == first_view | around_uyghurs
    assert around_uyghurs - first_view, "the second expansion should bring new nodes"
    shown = explorer.nodes()
    for node in shown:
        around, _ = neighbours(explorer.served, node)
        assert explorer.node_data(node)["hidden"] == len(around - {node} - shown), node
        label = explorer.node_data(node)["label"]
        assert label.endswith(f"(+{len(around - {node} - shown)})") == bool(around - {node} - shown), label
    assert "x=" in explorer.page.url

    explorer.page.click("#undo")
    explorer.settle()
    assert explorer.nodes() == first_view
    explorer.page.click("#undo")
    explorer.settle()
    assert explorer.nodes() == {"isk"}
    assert explorer.page.locator("#undo").is_disabled()
    explorer.check_stayed_local()


def test_the_path_finder_shows_each_hop_and_draws_the_path(explorer: Explorer) -> None:
    explorer.open()
    explorer.page.fill("#path-from", "IS-K")
    explorer.page.fill("#path-to", "China")
    explorer.page.click("#path-form button")
    explorer.settle()

    path = explorer.served.get("/v1/paths", source="IS-K", target="China", k=1)["data"][0]
    names = {node: explorer.served.get(f"/v1/entities/{node}")["name"] for node in path["nodes"]}
    hops = explorer.page.locator("#panel .hop strong").all_inner_texts()
    assert hops == [f"{names[hop['from']]} — {names[hop['to']]}" for hop in path["hops"]]
    assert set(path["nodes"]) <= explorer.nodes()
    drawn = set(explorer.page.evaluate("cy.edges('.path').map(e => e.id())"))
    assert drawn == {claim["id"] for hop in path["hops"] for claim in hop["claims"]}
    explorer.screenshot("explorer-path")

    explorer.page.goto("about:blank")
    explorer.open("#from=IS-K&to=China")
    assert explorer.page.locator("#panel .hop strong").all_inner_texts() == hops
    explorer.check_stayed_local()


def month_span(date: str | None) -> tuple[str, str] | None:
    """The months a date covers at its precision (the page's rule, restated to check it)."""
    if not date:
        return None
    if len(date) >= 7:
        return date[:7], date[:7]
    return f"{date[:4]}-01", f"{date[:4]}-12"


def test_filters_by_status_and_date_change_what_is_shown_and_survive_a_reload(explorer: Explorer) -> None:
    explorer.open()
    explorer.submit("#search-input", "IS-K")
    explorer.tap("isk")
    subgraph = explorer.served.get("/v1/entities/isk/neighbourhood", depth=1)
    _, shown = neighbours(explorer.served, "isk", EXPANSION_STEP)  # the expansion's first twelve neighbours
    claims = {link["claim"]["id"]: link["claim"] for link in subgraph["links"] if link["claim"]["id"] in shown}
    assert explorer.edges() == set(claims)

    explorer.page.select_option("#filter-types", ["ATTACKED", "RECRUITS_FROM"])
    explorer.settle()
    of_types = {claim_id for claim_id, claim in claims.items() if claim["type"] in ("ATTACKED", "RECRUITS_FROM")}
    assert of_types and explorer.edges() == of_types
    assert "types=ATTACKED%2CRECRUITS_FROM" in explorer.page.url
    explorer.page.select_option("#filter-types", [])
    explorer.settle()
    assert explorer.edges() == set(claims)

    statuses = [box.get_attribute("value") for box in explorer.page.locator("#filter-status input").all()]
    assert set(statuses) == set(explorer.served.get("/v1/schema")["statuses"])
    for status in statuses:
        if status != "claimed":
            explorer.page.uncheck(f"#filter-status input[value='{status}']")
    explorer.settle()
    claimed = {claim_id for claim_id, claim in claims.items() if claim["status"] == "claimed"}
    assert claimed and explorer.edges() == claimed
    for status in statuses:
        explorer.page.check(f"#filter-status input[value='{status}']")
    explorer.settle()
    assert explorer.edges() == set(claims)

    months: list[str] = explorer.page.evaluate("window.explorer.months")
    assert "2022-04" in months and "2022-05" in months
    # Narrow the slider to April–May 2022, as a user dragging it would.
    explorer.page.evaluate(
        """([since, until]) => {
             const all = window.explorer.months;
             for (const [id, month] of [['#since', since], ['#until', until]]) {
               const slider = document.querySelector(id);
               slider.value = String(all.indexOf(month));
               slider.dispatchEvent(new Event('input'));
             }
           }""", ["2022-04", "2022-05"])
    explorer.settle()
    in_window = set()
    for claim_id, claim in claims.items():
        span = month_span(claim["date"])
        if span and span[1] >= "2022-04" and span[0] <= "2022-05":
            in_window.add(claim_id)
    assert in_window and explorer.edges() == in_window
    assert "since=2022-04" in explorer.page.url and "until=2022-05" in explorer.page.url

    # The timeline counts incidents by month, every one the map's filters let through whatever the dates (so
    # choosing dates does not empty it); the dark foot of a bar is the incidents the claims in view are about:
    # Termez and Pakistan's air strikes in April, the rockets on Tajikistan in May (told by two claims each).
    assert bars_of(explorer) == incidents_by_month(every_incident(explorer.served))
    assert in_view_of(explorer) == incidents_about(explorer.served, [claims[c] for c in in_window]) == {
        "2022-04": 2, "2022-05": 1}
    explorer.screenshot("explorer-filters")

    shown = explorer.edges()
    explorer.page.reload()
    explorer.settle()
    assert explorer.edges() == shown
    assert explorer.page.locator("#dates-on").is_checked()
    explorer.check_stayed_local()


def bars_of(explorer: Explorer) -> dict[str, int]:
    """The timeline's bars: month -> incidents counted."""
    return {bar.get_attribute("data-month") or "": int(bar.get_attribute("data-count") or 0)
            for bar in explorer.page.locator("#timeline-chart rect.bar").all()}


def in_view_of(explorer: Explorer) -> dict[str, int]:
    """The dark feet of the timeline's bars: month -> incidents the claims shown in the graph are about."""
    feet = {bar.get_attribute("data-month") or "": int(bar.get_attribute("data-in-view") or 0)
            for bar in explorer.page.locator("#timeline-chart rect.bar").all()}
    return {month: count for month, count in feet.items() if count}


def every_incident(served: Served, **filters: Any) -> list[dict[str, Any]]:
    """Every incident matching the filters, as the API lists them (the seed's fit in one page)."""
    found = served.get("/v1/incidents", limit=500, **filters)
    assert found["count"] == len(found["data"])
    return list(found["data"])


def incidents_by_month(incidents: list[dict[str, Any]]) -> dict[str, int]:
    """Incidents counted by the month of their date; those dated only to the year (or not at all) have none."""
    counted: dict[str, int] = {}
    for incident in incidents:
        date = incident["date"]
        if date and len(date) >= 7:
            counted[date[:7]] = counted.get(date[:7], 0) + 1
    return counted


def incidents_about(served: Served, claims: list[dict[str, Any]]) -> dict[str, int]:
    """The incidents the claims are about, by month, read from the API: claims sharing an incident id are one
    incident, dated by its record."""
    ids = sorted({c["incident"] for c in claims if c.get("incident")})
    return incidents_by_month(served.get("/v1/incidents", id=",".join(ids))["data"] if ids else [])


def test_the_timeline_counts_incidents_not_the_claims_about_them(explorer: Explorer) -> None:
    explorer.open()
    explorer.submit("#search-input", "Pakistan")
    explorer.tap("pakistan")
    subgraph = explorer.served.get("/v1/entities/pakistan/neighbourhood", depth=1)
    claims = [link["claim"] for link in subgraph["links"]]
    assert {c["id"] for c in claims} == explorer.edges()
    assert bars_of(explorer) == incidents_by_month(every_incident(explorer.served))
    # Three claims tell Pakistan's air strikes of April 2022 (the strike, the retaliation, the strained relations):
    # one incident, one count.
    strikes = [c for c in claims if c.get("incident") == "pakistan-air-strikes-2022-04"]
    assert len(strikes) == 3
    assert in_view_of(explorer) == incidents_about(explorer.served, claims) == {"2022-04": 2, "2022-05": 1}
    # Only the attacks in view: Pakistan's strike on the refugees and its retaliation against the TTP are two
    # claims about one incident, counted once.
    explorer.page.select_option("#filter-types", ["ATTACKED", "RETALIATED_AGAINST"])
    explorer.settle()
    attacks = [c for c in claims if c["type"] in ("ATTACKED", "RETALIATED_AGAINST")]
    assert {c["id"] for c in attacks} == explorer.edges()
    assert len([c for c in attacks if (c.get("date") or "").startswith("2022-04")]) == 2
    assert in_view_of(explorer) == incidents_about(explorer.served, attacks) == {"2022-04": 1}
    caption = explorer.page.locator("#timeline figcaption").inner_text()
    counted = incidents_by_month(every_incident(explorer.served))
    assert caption.startswith(f"Incidents by month: {sum(counted.values())} in {len(counted)} month(s) "
                              "(dark: the 1 the graph's claims are about)")
    explorer.screenshot("explorer-timeline-incidents")
    explorer.check_stayed_local()


def test_an_unreadable_question_offers_clickable_suggestions(explorer: Explorer) -> None:
    question = "blah blah blah"
    with pytest.raises(urllib.error.HTTPError) as refused:
        explorer.served.get("/v1/ask", q=question)
    assert refused.value.code == 422
    suggestions = json.loads(refused.value.read())["details"]["suggestions"]
    explorer.open()
    explorer.submit("#ask-input", question)
    shown = explorer.page.locator("#panel .suggestions button").all_inner_texts()
    assert shown == suggestions and shown
    explorer.page.locator("#panel .suggestions button").first.click()
    explorer.settle()
    assert explorer.page.input_value("#ask-input") == suggestions[0]
    explorer.check_stayed_local()


def test_yes_no_answers_show_the_verdict_and_the_claims_or_the_nearest(explorer: Explorer) -> None:
    question = "does IS-K recruit from the TTP?"
    expected = explorer.served.get("/v1/ask", q=question)
    explorer.open()
    explorer.submit("#ask-input", question)
    verdict = explorer.page.locator("#panel .verdict")
    assert verdict.get_attribute("data-verdict") == expected["verdict"] == "yes"
    assert verdict.inner_text().startswith("Yes")
    shown = explorer.page.locator("#panel .claims .claim-link").evaluate_all("els => els.map(e => e.dataset.claim)")
    assert shown == [claim["id"] for claim in expected["claims"]]
    assert {claim["id"] for claim in expected["claims"]} <= explorer.edges()

    question = "is IS-K allied with the Taliban?"
    expected = explorer.served.get("/v1/ask", q=question)
    explorer.submit("#ask-input", question)
    assert explorer.page.locator("#panel .verdict").get_attribute("data-verdict") == expected["verdict"] == "no"
    nearest = explorer.page.locator("#panel .nearest .claim-link").evaluate_all("els => els.map(e => e.dataset.claim)")
    assert nearest == [claim["id"] for claim in expected["nearest"]] and nearest
    explorer.check_stayed_local()


def test_counts_and_pairs_show_what_they_count_and_group_and_survive_a_reload(explorer: Explorer) -> None:
    question = "how many attacks did IS-K carry out in 2021?"
    expected = explorer.served.get("/v1/ask", q=question)
    explorer.open()
    explorer.submit("#ask-input", question)
    count = explorer.page.locator("#panel .count")
    assert count.get_attribute("data-count") == str(expected["count"]["value"])
    assert count.get_attribute("data-of") == expected["count"]["of"] == "incidents"

    question = "what is the relationship between Pakistan and the Taliban?"
    expected = explorer.served.get("/v1/ask", q=question)
    explorer.submit("#ask-input", question)

    def groups() -> dict[str, list[str]]:
        return dict(explorer.page.locator("#panel .groups .group").evaluate_all(
            "els => els.map(g => [g.dataset.type, [...g.querySelectorAll('.claim-link')].map(c => c.dataset.claim)])"))

    assert groups() == expected["groups"] and len(expected["groups"]) == 2
    assert set(expected["groups"]) == {"ALLIED_WITH", "STRAINED_RELATIONS_WITH"}
    assert {"pakistan", "taliban"} <= explorer.nodes()
    links = explorer.page.locator("#panel .query .links a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert links == [*expected["endpoints"], expected["rerun"]]
    explorer.screenshot("explorer-ask-pair")
    # The question is in the link: a reload asks it again and shows the same groups.
    assert "q=" in explorer.page.url
    explorer.page.reload()
    explorer.settle()
    assert groups() == expected["groups"]
    explorer.check_stayed_local()


def test_disputed_claims_and_denials_are_dashed_and_others_solid(explorer: Explorer) -> None:
    explorer.open("#e=isk&x=isk~ATTACKED.DENIED")
    _, claim_ids = neighbours(explorer.served, "isk", EXPANSION_STEP, types="ATTACKED,DENIED")
    assert explorer.edges() == claim_ids
    for claim_id in claim_ids:
        claim = explorer.served.get(f"/v1/claims/{claim_id}")["claim"]
        apart = claim["disputed"] or claim["status"] == "denied"
        style = explorer.page.evaluate("id => cy.getElementById(id).style('line-style')", claim_id)
        assert style == ("dashed" if apart else "solid"), claim_id
        label = explorer.page.evaluate("id => cy.getElementById(id).data('label')", claim_id)
        assert label == claim["type"]
    assert any(explorer.served.get(f"/v1/claims/{c}")["claim"]["disputed"] for c in claim_ids)
    explorer.check_stayed_local()


@pytest.fixture(scope="module")
def served_with_a_machine_claim(ontology: Ontology, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The seed graph plus one claim an extractor made, served like the others."""
    store = SqliteStore(ontology)
    load(SEEDS, store, ontology)
    curated = store.get_claim("isk-provoke-pakistan-mines")
    guess = Claim(**{**curated.model_dump(exclude={"disputed", "disputed_by"}),
                     "id": "machine-guess", "confidence": 0.4, "extracted_by": "test-extractor 0.1"})
    store.upsert(Batch(claims=[guess]))
    yield from serve(store, Path(tmp_path_factory.mktemp("web-machine")))


def test_machine_extracted_claims_are_dotted_and_marked(browser: Browser, served_with_a_machine_claim: Served) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    tab = Explorer(page, served_with_a_machine_claim)
    page.on("request", lambda request: tab.requested.append(request.url))
    tab.open("#e=isk&x=isk~SEEKS_TO_PROVOKE")
    assert "machine-guess" in tab.edges() and "isk-provoke-pakistan-mines" in tab.edges()
    assert page.evaluate("cy.getElementById('machine-guess').style('line-style')") == "dotted"
    assert page.evaluate("cy.getElementById('machine-guess').data('label')") == "⚙ SEEKS_TO_PROVOKE"
    assert page.evaluate("cy.getElementById('isk-provoke-pakistan-mines').style('line-style')") == "solid"
    tab.tap("machine-guess")
    assert "test-extractor 0.1" in page.locator("#panel .facts").inner_text()
    tab.check_stayed_local()
    page.close()


def test_the_search_box_suggests_entities_by_alias(explorer: Explorer) -> None:
    explorer.open()
    explorer.page.fill("#search-input", "Dushanbe")
    explorer.page.wait_for_function("document.querySelectorAll('#entity-options option').length > 0")
    explorer.settle()
    hits = explorer.served.get("/v1/entities", q="Dushanbe", limit=8)["data"]
    options = explorer.page.locator("#entity-options option")
    assert [option.get_attribute("value") for option in options.all()] == [hit["name"] for hit in hits]
    assert options.first.inner_text() == f"{hits[0]['matched']} → {hits[0]['name']} ({hits[0]['kind']})"
    explorer.page.press("#search-input", "Enter")
    explorer.settle()
    assert explorer.nodes() == {hits[0]["id"]}
    explorer.check_stayed_local()


def test_every_control_has_an_accessible_name(explorer: Explorer) -> None:
    explorer.open()
    unnamed = explorer.page.evaluate(
        """() => [...document.querySelectorAll('input, select, button, textarea')]
             .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
             .map(el => el.outerHTML)""")
    assert explorer.page.locator("input, select").count() >= 8
    assert unnamed == []


@pytest.fixture(scope="module")
def served_without_node_modules(ontology: Ontology, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app as it runs before anyone ran ``npm ci``."""
    tmp = Path(tmp_path_factory.mktemp("web-no-npm"))
    yield from serve(SqliteStore(ontology), tmp, node_modules=tmp / "node_modules")


def test_without_npm_ci_the_page_says_what_to_run(browser: Browser, served_without_node_modules: Served) -> None:
    page = browser.new_page()
    tab = Explorer(page, served_without_node_modules)
    tab.open()
    notice = page.locator("#vendor-missing")
    assert notice.is_visible() and "npm ci" in notice.inner_text()
    assert page.evaluate("window.explorer.error") == "cytoscape missing"
    page.close()
