"""The incident's shape: what holds whatever the vocabulary (dates, ranges, an actor named one way)."""

import pytest
from pydantic import ValidationError

from graph.domain.model import Count, Incident, Perpetrator, Target

REPORT = {"source": "r1", "quote": "A blast killed at least 40.", "span": [0, 27]}


def test_an_incident_keeps_its_date_precision_sources_and_named_entities() -> None:
    incident = Incident(id="kabul-blast", type="bombing", date="2022-05", country="afghanistan",
                        place={"name": "Kabul", "id": "kabul", "precision": "city"},
                        perpetrators=[{"id": "isk", "basis": "claimed", "asserted_by": "isk"},
                                      {"id": "taliban", "basis": "denied", "asserted_by": "taliban"}],
                        targets=[{"description": "a Shia mosque"}, {"id": "hazara"}],
                        killed={"min": 40, "text": "at least 40"},
                        reports=[REPORT, {**REPORT, "source": "r2"}, REPORT])
    assert incident.date_precision == "month"
    assert incident.sources == ["r1", "r2"]
    assert incident.entity_ids() == {"afghanistan", "kabul", "isk", "taliban", "hazara"}
    again = Incident.model_validate_json(incident.model_dump_json(exclude_none=True))
    assert again == incident


def test_dates_ranges_and_names_are_checked() -> None:
    with pytest.raises(ValidationError, match="month 13 does not exist"):
        Incident(id="x", type="bombing", date="2022-13", reports=[REPORT])
    with pytest.raises(ValidationError, match="end_date 2022-04 is before date 2022-05"):
        Incident(id="x", type="bombing", date="2022-05", end_date="2022-04", reports=[REPORT])
    with pytest.raises(ValidationError, match="reports"):
        Incident(id="x", type="bombing", reports=[])
    with pytest.raises(ValidationError, match="max 10 is below min 40"):
        Count(min=40, max=10)
    with pytest.raises(ValidationError, match="exactly one of them"):
        Perpetrator(id="isk", description="gunmen", basis="alleged")
    with pytest.raises(ValidationError, match="exactly one of them"):
        Target()
    assert Count(max=200, text="nearly 200").min is None
