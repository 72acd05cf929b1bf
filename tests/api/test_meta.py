"""Schema, stats, timeline and the probes through the HTTP API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from graph.domain.ontology import Ontology
from graph.stores.protocol import ClaimQuery, GraphStore


def test_schema_is_the_ontology(client: TestClient, ontology: Ontology) -> None:
    body = client.get("/v1/schema").json()
    assert set(body["relation_types"]) == set(ontology.relation_types)
    assert body["relation_types"]["SEEKS_TO_PROVOKE"]["category"] == "hostile"
    assert set(body["statuses"]) == set(ontology.statuses)


def test_stats_counts_and_most_connected(client: TestClient, seeded: GraphStore) -> None:
    body = client.get("/v1/stats", params={"top": 3}).json()
    stats = seeded.stats()
    assert body["claims"] == stats.claims == sum(body["claims_by_type"].values())
    assert body["claims_by_status"] == stats.claims_by_status
    assert body["entities_by_kind"] == stats.entities_by_kind
    assert body["most_connected"][0]["id"] == "isk" and len(body["most_connected"]) == 3
    assert all(0 <= c["betweenness"] <= 1 and c["degree"] > 0 for c in body["most_connected"])
    assert client.get("/v1/stats", params={"top": 0}).status_code == 422
    actors = client.get("/v1/stats", params={"kind": "armed_group,state", "top": 100}).json()["most_connected"]
    assert actors[0]["id"] == "isk" and {a["kind"] for a in actors} == {"armed_group", "state"}
    assert len(actors) == min(100, sum(body["entities_by_kind"][k] for k in ("armed_group", "state")))
    bad_kind = client.get("/v1/stats", params={"kind": "militia"}).json()
    assert bad_kind["details"]["parameter"] == "kind" and "armed_group" in bad_kind["details"]["accepted"]


def test_timeline_counts_per_period(client: TestClient, seeded: GraphStore) -> None:
    body = client.get("/v1/timeline", params={"types": "ATTACKED", "interval": "month"}).json()
    may = next(b for b in body["buckets"] if b["period"] == "2022-05")
    assert may["by_type"] == {"ATTACKED": may["count"]}
    attacks = seeded.claims(ClaimQuery(types=("ATTACKED",)))
    assert sum(b["count"] for b in body["buckets"]) + body["imprecise"] + body["undated"] == len(attacks)
    actor = client.get("/v1/timeline", params={"actor": "Dushanbe", "interval": "day"}).json()
    assert "2022-05-07" in {b["period"] for b in actor["buckets"]}
    years = client.get("/v1/timeline", params={"interval": "year", "since": "2022"}).json()
    assert [b["period"] for b in years["buckets"]] == ["2022"]
    bad = client.get("/v1/timeline", params={"interval": "week"})
    assert bad.status_code == 422 and bad.json()["details"]["accepted"] == ["year", "month", "day"]


def test_health_and_ready(client: TestClient, seeded: GraphStore) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready").json()
    assert ready["status"] == "ready" and ready["claims"] == seeded.stats().claims
