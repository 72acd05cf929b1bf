"""Bundles carry incidents: read from incidents.yaml and incidents/*.yaml, every problem named with file and line,
and what the incident leaves out of its place filled in from the gazetteer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from graph.domain.errors import ValidationFailed
from graph.domain.ontology import Ontology
from graph.services.loader import load, read_bundle
from graph.stores.protocol import GraphStore
from tests.bundles import SEED_REPORT, line_of

Bundle = Callable[..., Path]
QUOTE = "The attack was carried out by Mohammad al-Uyghuri, an IS-K fighter."


def with_incidents(bundle: Bundle, text: str, *, folder: bool = False) -> Path:
    root = bundle("source: " + SEED_REPORT + "\nclaims:\n  - {subject: IS-K, type: OPPOSES, object: Taliban, "
                  "quote: 'IS-K Ramps Up War Against The Taliban By Attacking Central Asian Neighbors', "
                  "status: reported, asserted_by: RFE/RL}\n")
    target = root / "incidents" / "extra.yaml" if folder else root / "incidents.yaml"
    target.parent.mkdir(exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return root


GOOD = f"""incidents:
  - id: achin-ambush
    type: armed assault
    date: 2021-11-03
    place: Achin
    perpetrators:
      - {{id: IS-K, basis: claimed, asserted_by: IS-K}}
      - {{description: unidentified gunmen, basis: reported, asserted_by: RFE/RL}}
    targets:
      - {{description: a police post}}
    killed: 4
    injured: {{max: 200, text: nearly 200}}
    reports:
      - {{source: {SEED_REPORT}, quote: "{QUOTE}"}}
"""


def test_an_incident_named_by_a_district_gets_its_province_country_and_coordinates(
        bundle: Bundle, ontology: Ontology) -> None:
    with pytest.raises(ValidationFailed, match="unknown incident type; did you mean armed_assault"):
        read_bundle(with_incidents(bundle, GOOD), ontology)
    batch = read_bundle(with_incidents(bundle, GOOD.replace("armed assault", "armed_assault")), ontology)
    incident = next(i for i in batch.incidents if i.id == "achin-ambush")
    assert incident.place is not None
    assert (incident.place.name, incident.place.id, incident.place.gazetteer, incident.place.precision) == (
        "Achin", None, "district:AF-NAN:achin", "district")
    assert (incident.admin1, incident.admin1_code, incident.country) == ("Nangarhar", "AF-NAN", "afghanistan")
    assert incident.location is not None and (incident.location.lat, incident.location.lon) == (34.10, 70.69)
    assert [(p.id, p.description, p.basis) for p in incident.perpetrators] == [
        ("isk", None, "claimed"), (None, "unidentified gunmen", "reported")]
    assert incident.killed is not None and (incident.killed.min, incident.killed.max) == (4, 4)
    assert incident.injured is not None and (incident.injured.min, incident.injured.max) == (None, 200)
    text = (Path(__file__).parents[1] / "seeds" / "reports" / f"{SEED_REPORT}.txt").read_text(encoding="utf-8")
    assert text[incident.reports[0].span[0]:incident.reports[0].span[1]] == QUOTE
    # The test bundle holds this one only; a folder of incident files is read beside incidents.yaml.
    assert len(batch.incidents) == 1
    folder = read_bundle(with_incidents(bundle, GOOD.replace("armed assault", "armed_assault").replace(
        "achin-ambush", "achin-ambush-2"), folder=True), ontology)
    assert {i.id for i in folder.incidents} == {"achin-ambush", "achin-ambush-2"}


def test_every_problem_of_an_incident_is_named_with_its_file_and_line(bundle: Bundle, ontology: Ontology) -> None:
    text = f"""incidents:
  - id: Bad Id
    type: riot
    date: 2022-13
    place: Nowhere-on-the-Oxus
    country: IS-K
    location: {{lat: 95, lon: 10}}
    perpetrators:
      - {{id: IS-K, basis: rumoured}}
      - {{id: IS-K, description: also named, basis: claimed}}
    targets:
      - {{id: Atlantis}}
    killed: {{min: 40, max: 10}}
    weather: fine
    reports:
      - {{source: {SEED_REPORT}, quote: "Not a sentence of the report."}}
      - {{source: no-such-report, quote: "{QUOTE}"}}
"""
    root = with_incidents(bundle, text)
    with pytest.raises(ValidationFailed) as caught:
        read_bundle(root, ontology)
    path = root / "incidents.yaml"
    found = [str(p) for p in caught.value.problems]
    expected = {
        "Bad Id": "incidents[0].id: 'Bad Id': must be a lowercase slug",
        "riot": "incidents[0].type: 'riot': unknown incident type",
        "2022-13": "incidents[0].date: '2022-13': invalid date: month 13 does not exist",
        "Nowhere": "incidents[0].place: 'Nowhere-on-the-Oxus': unknown place",
        "country: IS-K": "incidents[0].country: 'IS-K': a country must be an entity of kind state",
        "lat: 95": "incidents[0].location.lat: 95: must be a number of degrees from -90 to 90",
        "rumoured": "incidents[0].perpetrators[0].basis: 'rumoured': unknown basis",
        "also named": "incidents[0].perpetrators[1]: give the actor's entity (id) or a description, one of them",
        "Atlantis": "incidents[0].targets[0].id: 'Atlantis': unknown entity or alias",
        "max: 10": "incidents[0].killed.max: 10: is below min 40",
        "weather": "incidents[0].weather: 'fine': unknown field",
        "Not a sentence": f"incidents[0].reports[0].quote: 'Not a sentence of the report.': not found in report "
                          f"{SEED_REPORT}",
        "no-such-report": "incidents[0].reports[1].source: 'no-such-report': unknown report",
    }
    for needle, message in expected.items():
        where = f"{path}:{line_of(text, needle)}: "
        assert any(p.startswith(where) and message in p for p in found), (needle, where + message, found)


def test_duplicate_ids_and_a_list_that_is_no_list_are_refused(bundle: Bundle, ontology: Ontology) -> None:
    good = GOOD.replace("armed assault", "armed_assault")
    twice = good + good.split("incidents:\n", 1)[1]
    with pytest.raises(ValidationFailed, match=r"incidents\[1\]\.id: 'achin-ambush': duplicate incident id \(first "
                                               r"used at .*incidents\.yaml:2\)"):
        read_bundle(with_incidents(bundle, twice), ontology)
    with pytest.raises(ValidationFailed, match=r"incidents\.yaml:1: incidents: must be a list"):
        read_bundle(with_incidents(bundle, "incidents: {id: x}\n"), ontology)


def test_loading_an_incident_twice_changes_nothing(bundle: Bundle, ontology: Ontology,
                                                   empty_store: GraphStore) -> None:
    root = with_incidents(bundle, GOOD.replace("armed assault", "armed_assault"))
    _, first = load(root, empty_store, ontology)
    _, second = load(root, empty_store, ontology)
    assert first is not None and second is not None
    assert (first.created["incidents"], second.unchanged["incidents"], second.created["incidents"]) == (1, 1, 0)
    assert empty_store.get_incident("achin-ambush").admin1_code == "AF-NAN"
