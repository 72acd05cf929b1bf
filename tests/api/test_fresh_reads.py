"""A read through the API answers from the store as it is now: a write the serving store took (or another writer
made) is in the next answer, although a neighbourhood by id no longer asks the store for its revision first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.api import create_app
from graph.domain.model import Batch, Claim, Entity
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.stores.protocol import GraphStore
from tests.api.conftest import settings_for
from tests.conftest import SEEDS


def _keys(answer: dict[str, Any]) -> set[str]:
    return {link["key"] for link in answer["links"]}


def test_a_write_is_in_the_next_neighbourhood_read_on_the_same_server(empty_store: GraphStore, ontology: Ontology,
                                                                       tmp_path: Path) -> None:
    load(SEEDS, empty_store, ontology)
    client = TestClient(create_app(settings_for(tmp_path), empty_store))
    first = client.get("/v1/entities/isk/neighbourhood")  # reads the alias index: it holds "isk" from here on
    assert first.status_code == 200 and "test-fresh-claim" not in _keys(first.json())

    pakistan = empty_store.get_entity("pakistan")
    newcomer = Entity(id="test-newcomer", name="Test newcomer", kind=pakistan.kind)
    curated = empty_store.get_claim("isk-provoke-pakistan-mines")
    fresh = Claim(**{**curated.model_dump(exclude={"disputed", "disputed_by"}), "id": "test-fresh-claim",
                     "object": "test-newcomer"})
    renamed = pakistan.model_copy(update={"name": "Islamic Republic of Pakistan"})
    empty_store.upsert(Batch(entities=[newcomer, renamed], claims=[fresh]))

    second = client.get("/v1/entities/isk/neighbourhood", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200, "the answer changed, so the old ETag must not match"
    answer = second.json()
    assert "test-fresh-claim" in _keys(answer)
    names = {node["id"]: node["name"] for node in answer["nodes"]}
    assert names["test-newcomer"] == "Test newcomer" and names["pakistan"] == "Islamic Republic of Pakistan"
    drawn = client.get("/v1/entities/isk/neighbourhood", params={"format": "node-link"}).json()
    assert {node["id"]: node["name"] for node in drawn["nodes"]}["pakistan"] == "Islamic Republic of Pakistan"
    # An entity the index did not hold when it was read is found by id and by name.
    for name in ("test-newcomer", "Test newcomer"):
        around = client.get(f"/v1/entities/{name}/neighbourhood").json()
        assert around["center"] == "test-newcomer" and _keys(around) == {"test-fresh-claim"}

