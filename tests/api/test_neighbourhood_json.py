"""The neighbourhood the API sends is serialised from the store's rows (``GraphStore.neighbourhood_json``), not
from validated ``ClaimView`` models: its bytes must be exactly what the validated ``Subgraph`` serialises to, for
claims with denials, dates, odd confidences, notes and non-ASCII text, around entities with aliases, on both
stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from graph.domain.dates import window
from graph.domain.model import Batch, Claim, Entity
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.stores.protocol import GraphStore
from tests.api.conftest import settings_for
from tests.conftest import SEEDS

# (center, options): plain, two hops, filtered by type, status, window and confidence, one way.
ASKED = [
    ("isk", {}),
    ("isk", {"depth": 2}),
    ("tajikistan", {}),
    ("uzbekistan", {"direction": "in"}),
    ("test-übermensch", {}),
    ("test-übermensch", {"min_confidence": 0.5}),
    ("isk", {"window": window("2021", "2022-06")}),
    ("isk", {"statuses": ["alleged", "denied", "reported"], "types": ["ATTACKED", "SEEKS_TO_PROVOKE", "TARGETS"]}),
]


def _odd_claims(store: GraphStore) -> Batch:
    """Claims that stress serialisation: a unicode entity with aliases, odd confidences, a date range, a note in
    three scripts, and a denial of one of them."""
    pakistan = store.get_entity("pakistan")
    odd = Entity(id="test-übermensch", name="Ústí — «Dāʿish» 伊斯兰国 ✓", kind=pakistan.kind,
                 aliases=[{"name": "Ústí"}, {"name": "داعش", "valid_from": "2014"}])
    curated = store.get_claim("isk-provoke-pakistan-mines").model_dump(exclude={"disputed", "disputed_by"})
    claims = [
        Claim(**{**curated, "id": "test-odd-1", "object": odd.id, "confidence": 1e-05, "date": "2021-03",
                 "end_date": "2022", "note": "نفى — «déni» 否认 \"quoted\" \\ back\nline"}),
        Claim(**{**curated, "id": "test-odd-2", "object": odd.id, "confidence": 0.1 + 0.2, "date": "2022-05-07",
                 "extracted_by": "model", "location": "pakistan"}),
        Claim(**{**curated, "id": "test-odd-3", "subject": odd.id, "object": "isk", "confidence": 0.75,
                 "denies": "test-odd-1", "date": None}),
    ]
    return Batch(entities=[odd], claims=claims)


@pytest.mark.parametrize(("center", "options"), ASKED)
def test_neighbourhood_json_is_the_validated_subgraph_byte_for_byte(
        empty_store: GraphStore, ontology: Ontology, center: str, options: dict[str, object]) -> None:
    load(SEEDS, empty_store, ontology)
    empty_store.upsert(_odd_claims(empty_store))
    validated = empty_store.neighbourhood(center, **options)  # type: ignore[arg-type]
    assert validated.links, f"{center} {options}: an answer with claims is what this test is about"
    assert empty_store.neighbourhood_json(center, **options) == \
        validated.model_dump_json(by_alias=True).encode()  # type: ignore[arg-type]


def test_the_api_sends_the_validated_subgraph(empty_store: GraphStore, ontology: Ontology, tmp_path: Path) -> None:
    load(SEEDS, empty_store, ontology)
    empty_store.upsert(_odd_claims(empty_store))
    client = TestClient(create_app(settings_for(tmp_path), empty_store))
    for center, params in [("isk", {}), ("test-übermensch", {}), ("Ústí", {}), ("isk", {"depth": "2"}),
                           ("isk", {"since": "2021", "until": "2022-06", "min_confidence": "0.5"})]:
        answer = client.get(f"/v1/entities/{center}/neighbourhood", params=params)
        assert answer.status_code == 200, answer.text
        found = empty_store.neighbourhood(
            answer.json()["center"], depth=int(params.get("depth", 1)),
            window=window(params.get("since"), params.get("until")),
            min_confidence=float(params.get("min_confidence", 0.0)))
        assert answer.content == found.model_dump_json(by_alias=True).encode(), (center, params)
    disputed = {link["key"]: link["claim"] for link in client.get("/v1/entities/test-übermensch/neighbourhood")
                .json()["links"]}
    assert disputed["test-odd-1"]["disputed"] is True and disputed["test-odd-1"]["disputed_by"] == ["test-odd-3"]
    assert disputed["test-odd-1"]["confidence"] == 1e-05 and disputed["test-odd-1"]["end_date"] == "2022"
