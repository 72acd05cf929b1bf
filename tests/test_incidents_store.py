"""Incidents in every store: written in the all-or-nothing upsert, read by id and by one page of filters.

Runs once per store kind (see ``STORE_KINDS`` in conftest), on the seed graph's eight incidents; all kinds must
give the same answers by content.
"""

from __future__ import annotations

import pytest

from graph.domain.dates import window
from graph.domain.errors import IncidentNotFound, InconsistentWrite, InvalidParameter, KgError
from graph.domain.model import Batch, Incident
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.stores.protocol import BoundingBox, ClaimQuery, GraphStore, IncidentQuery
from tests.conftest import SEED_REPORT, SEEDS

ALL = ["tajikistan-rockets-2022-05-07", "termez-attack-2022-04-18", "mashhad-shrine-stabbing-2022-04",
       "pakistan-air-strikes-2022-04", "peshawar-mosque-2022-03", "kandahar-mosque-2021-10", "kunduz-mosque-2021-10",
       "september-11-2001"]


def ids(store: GraphStore, **filters: object) -> list[str]:
    query = IncidentQuery(**filters)  # type: ignore[arg-type]
    found = [i.id for i in store.incidents(query)]
    assert store.count_incidents(query) >= len(found)
    return found


def test_the_seed_incidents_are_stored_whole_and_read_by_id(seeded: GraphStore, seed_text: str) -> None:
    found = seeded.get_incidents(["kunduz-mosque-2021-10", "termez-attack-2022-04-18", "no-such-incident"])
    assert set(found) == {"kunduz-mosque-2021-10", "termez-attack-2022-04-18"}
    kunduz = found["kunduz-mosque-2021-10"]
    assert (kunduz.type, kunduz.date, kunduz.date_precision) == ("other_attack", "2021-10", "month")
    assert kunduz.place is not None and (kunduz.place.id, kunduz.place.gazetteer) == ("kunduz", "geonames:1135689")
    assert (kunduz.admin1, kunduz.admin1_code, kunduz.country) == ("Kunduz", "AF-KDZ", "afghanistan")
    assert kunduz.location is not None
    assert (round(kunduz.location.lat, 2), kunduz.location.precision) == (36.73, "city")
    assert {(p.id, p.basis, p.asserted_by) for p in kunduz.perpetrators} == {
        ("isk", "reported", "rferl"), ("mohammad-al-uyghuri", "reported", "rferl")}
    assert [t.id or t.description for t in kunduz.targets] == ["shia-muslims", "a Shi'ite mosque"]
    assert kunduz.killed is not None and (kunduz.killed.min, kunduz.killed.text) == (51, "more than 50 people")
    for report in kunduz.reports:
        assert report.source == SEED_REPORT and seed_text[report.span[0]:report.span[1]] == report.quote
    termez = found["termez-attack-2022-04-18"]
    assert {(p.asserted_by, p.basis) for p in termez.perpetrators} == {
        ("rferl", "reported"), ("uzbekistan", "denied"), ("taliban", "denied")}
    assert seeded.get_incident("september-11-2001").place.name == "United States"  # type: ignore[union-attr]
    with pytest.raises(IncidentNotFound, match="no incident has id 'nope'"):
        seeded.get_incident("nope")


def test_pages_come_newest_first_with_a_count_of_all(seeded: GraphStore) -> None:
    assert ids(seeded) == ALL
    assert ids(seeded, limit=3, offset=2) == ALL[2:5]
    assert seeded.count_incidents(IncidentQuery(limit=1)) == 8 == seeded.count_incidents()
    assert seeded.stats().incidents == 8
    with pytest.raises(InvalidParameter, match="limit"):
        seeded.incidents(IncidentQuery(limit=0))


def test_filters_by_country_place_and_province(seeded: GraphStore) -> None:
    assert ids(seeded, country="afghanistan") == ["pakistan-air-strikes-2022-04", "kandahar-mosque-2021-10",
                                                  "kunduz-mosque-2021-10"]
    assert ids(seeded, places=("kunduz",)) == ["kunduz-mosque-2021-10"]
    assert ids(seeded, places=("AF-KDZ",)) == ["kunduz-mosque-2021-10"]  # the province takes in its city
    assert ids(seeded, places=("geonames:1215957", "PK-KP")) == ["termez-attack-2022-04-18", "peshawar-mosque-2022-03"]
    assert ids(seeded, places=()) == []


def test_filters_by_box_dates_perpetrator_type_and_source(seeded: GraphStore) -> None:
    central_asia = BoundingBox.parse("55,30,75,40")
    assert ids(seeded, bbox=central_asia) == ["tajikistan-rockets-2022-05-07", "termez-attack-2022-04-18",
                                              "mashhad-shrine-stabbing-2022-04", "pakistan-air-strikes-2022-04",
                                              "peshawar-mosque-2022-03", "kandahar-mosque-2021-10",
                                              "kunduz-mosque-2021-10"]
    assert ids(seeded, bbox=BoundingBox.parse("-80,38,-70,40")) == ["september-11-2001"]
    assert ids(seeded, bbox=BoundingBox.parse("170,-10,-170,10")) == []  # across the antimeridian: nothing there
    # A month-precise date overlaps any window touching the month; a day outside it does not.
    assert ids(seeded, window=window("2022-04-18", "2022-04-18")) == [
        "termez-attack-2022-04-18", "mashhad-shrine-stabbing-2022-04", "pakistan-air-strikes-2022-04"]
    assert ids(seeded, window=window(None, "2001")) == ["september-11-2001"]
    # Named as perpetrator on any basis but a denial: the Taliban only deny, Tajikistan only denies.
    assert ids(seeded, perpetrator="isk") == ["tajikistan-rockets-2022-05-07", "termez-attack-2022-04-18",
                                              "peshawar-mosque-2022-03", "kandahar-mosque-2021-10",
                                              "kunduz-mosque-2021-10"]
    assert ids(seeded, perpetrator="taliban") == []
    assert ids(seeded, types=("suicide_bombing", "airstrike")) == ["pakistan-air-strikes-2022-04",
                                                                   "kandahar-mosque-2021-10"]
    assert ids(seeded, source=SEED_REPORT, perpetrator="isk", country="uzbekistan") == ["termez-attack-2022-04-18"]
    assert ids(seeded, source="another-report") == []


def _incident(seed_text: str, **fields: object) -> Incident:
    quote = "The attack was carried out by Mohammad al-Uyghuri, an IS-K fighter."
    start = seed_text.index(quote)
    base: dict[str, object] = {"id": "test-incident", "type": "shooting", "date": "2022-01-02",
                               "perpetrators": [{"id": "isk", "basis": "claimed", "asserted_by": "isk"}],
                               "reports": [{"source": SEED_REPORT, "quote": quote,
                                            "span": [start, start + len(quote)]}]}
    return Incident.model_validate({**base, **fields})


def test_writing_is_idempotent_and_an_update_replaces_the_links(empty_store: GraphStore, ontology: Ontology,
                                                                seed_text: str) -> None:
    load(SEEDS, empty_store, ontology)
    incident = _incident(seed_text)
    first = empty_store.upsert(Batch(incidents=[incident]))
    again = empty_store.upsert(Batch(incidents=[incident]))
    assert (first.created["incidents"], again.unchanged["incidents"], again.created["incidents"]) == (1, 1, 0)
    revision = empty_store.revision()
    changed = incident.model_copy(update={"perpetrators": [], "type": "armed_assault"})
    assert empty_store.upsert(Batch(incidents=[changed])).updated["incidents"] == 1
    assert empty_store.revision() > revision
    assert empty_store.get_incident("test-incident") == changed
    assert "test-incident" not in ids(empty_store, perpetrator="isk", limit=100)
    assert ids(empty_store, types=("armed_assault",)) == ["test-incident"]


def test_a_write_naming_what_the_graph_lacks_writes_nothing(empty_store: GraphStore, ontology: Ontology,
                                                            seed_text: str) -> None:
    load(SEEDS, empty_store, ontology)
    before = empty_store.stats()
    bad = _incident(seed_text, country="atlantis", targets=[{"id": "nobody"}])
    with pytest.raises(InconsistentWrite) as caught:
        empty_store.upsert(Batch(incidents=[bad, _incident(seed_text, id="fine")]))
    assert "'atlantis' is not an entity" in caught.value.message and "'nobody' is not an entity" in caught.value.message
    moved = _incident(seed_text, reports=[{"source": SEED_REPORT, "quote": "Not there.", "span": [0, 10]}])
    with pytest.raises(InconsistentWrite, match=f"the quote of report {SEED_REPORT} is not its text at \\[0, 10\\]"):
        empty_store.upsert(Batch(incidents=[moved]))
    with pytest.raises(KgError, match="type 'riot' is not an incident type of the ontology"):
        empty_store.upsert(Batch(incidents=[_incident(seed_text, type="riot")]))
    assert empty_store.stats() == before and empty_store.get_incidents(["fine", "test-incident"]) == {}


TAJIKISTAN_CLAIMS = ["isk-attacked-tajikistan-2022-05-07", "isk-operates-in-takhar-2022-05-07",
                     "taliban-investigates-tajikistan-attack", "tajikistan-denied-rocket-attack"]


def test_claims_are_read_under_their_incident(seeded: GraphStore) -> None:
    found = seeded.claims(ClaimQuery(incident="tajikistan-rockets-2022-05-07"))
    assert sorted(c.id for c in found) == sorted(TAJIKISTAN_CLAIMS)
    assert {c.incident for c in found} == {"tajikistan-rockets-2022-05-07"}
    denial = next(c for c in found if c.id == "tajikistan-denied-rocket-attack")
    assert (denial.type, denial.subject) == ("DENIED", "tajikistan")
    assert denial.denies == "isk-attacked-tajikistan-2022-05-07"
    # other filters narrow an incident's claims as they narrow any listing
    assert [c.id for c in seeded.claims(ClaimQuery(incident="tajikistan-rockets-2022-05-07", types=("DENIED",)))] == [
        "tajikistan-denied-rocket-attack"]
    assert [c.id for c in seeded.claims(ClaimQuery(incident="termez-attack-2022-04-18", subject="taliban"))] == [
        "taliban-denied-termez-attack"]
    attack = seeded.claims(ClaimQuery(incident="tajikistan-rockets-2022-05-07", disputed=True))
    assert [c.id for c in attack] == ["isk-attacked-tajikistan-2022-05-07"]
    page = seeded.claim_page(ClaimQuery(incident="tajikistan-rockets-2022-05-07"), limit=2, offset=1)
    assert ([c.id for c in page.claims], page.total) == (sorted(TAJIKISTAN_CLAIMS)[1:3], 4)
    assert page.claims[0].id == "isk-operates-in-takhar-2022-05-07"
    undisputed = seeded.claim_page(ClaimQuery(incident="tajikistan-rockets-2022-05-07", disputed=False), limit=10)
    assert undisputed.total == 3 and "isk-attacked-tajikistan-2022-05-07" not in {c.id for c in undisputed.claims}
    disputed = seeded.claim_page(ClaimQuery(incident="tajikistan-rockets-2022-05-07"), limit=10)
    assert next(c for c in disputed.claims if c.id == "isk-attacked-tajikistan-2022-05-07").disputed_by == [
        "tajikistan-denied-rocket-attack"]
    assert seeded.claims(ClaimQuery(incident="no-such-incident")) == []


def test_the_incident_timeline_counts_in_the_store_what_the_pages_list(seeded: GraphStore) -> None:
    """Counted per month and type where the incidents are, it agrees with the incidents themselves: each dated to
    the month in its month, coarser dates and undated ones apart; the filters narrow it as they narrow a page."""
    every = seeded.incidents(IncidentQuery(limit=50))
    counts = seeded.incident_timeline(IncidentQuery(), "month")
    expected: dict[str, dict[str, int]] = {}
    for incident in every:
        if incident.date and len(incident.date) >= 7:
            by_type = expected.setdefault(incident.date[:7], {})
            by_type[incident.type] = by_type.get(incident.type, 0) + 1
    assert counts.buckets == dict(sorted(expected.items()))
    assert counts.buckets["2021-10"] == {"other_attack": 1, "suicide_bombing": 1}  # Kunduz and Kandahar
    assert counts.imprecise == sum(1 for i in every if i.date and len(i.date) < 7)
    assert counts.undated == sum(1 for i in every if not i.date)
    assert sum(sum(b.values()) for b in counts.buckets.values()) + counts.imprecise + counts.undated == 8
    years = seeded.incident_timeline(IncidentQuery(), "year")
    assert sum(years.buckets["2022"].values()) == 5 and sum(years.buckets["2021"].values()) == 2
    isk = IncidentQuery(perpetrator="isk")
    narrowed = seeded.incident_timeline(isk, "month")
    assert sum(sum(b.values()) for b in narrowed.buckets.values()) + narrowed.imprecise + narrowed.undated == \
        seeded.count_incidents(isk)
    spring = seeded.incident_timeline(IncidentQuery(window=window("2022-04", "2022-04")), "month")
    assert set(spring.buckets) == {"2022-04"}
    with pytest.raises(InvalidParameter, match="interval"):
        seeded.incident_timeline(IncidentQuery(), "week")
