"""Schema, stats, timeline and the probes through the HTTP API."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.api import create_app
from app.usecases.stats import StatsCache
from graph.domain.model import Batch, Claim
from graph.domain.ontology import Ontology
from graph.services.analysis import centrality
from graph.services.loader import load
from graph.stores.protocol import ClaimQuery, GraphStore
from tests.api.conftest import settings_for
from tests.conftest import SEEDS


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


def test_stats_are_the_whole_graphs_centrality_computed_once_per_revision(empty_store: GraphStore,
                                                                           ontology: Ontology,
                                                                           tmp_path: Path) -> None:
    load(SEEDS, empty_store, ontology)
    app = create_app(settings_for(tmp_path), empty_store)
    client = TestClient(app)
    body = client.get("/v1/stats", params={"top": 100}).json()
    # The same ranking the whole-graph computation gives, from the store's adjacency instead of its claims.
    whole = centrality(empty_store.entities(), empty_store.claims(ClaimQuery()), top=100)
    assert body["most_connected"] == [c.model_dump() for c in whole]
    cache: StatsCache = app.state.stats
    kept = cache.figures(empty_store)
    assert cache.figures(empty_store) is kept and kept.revision == empty_store.revision()
    assert client.get("/v1/stats", params={"top": 100}).json() == body and cache.figures(empty_store) is kept
    empty_store.upsert(Batch(claims=[Claim(
        id="isk-attacked-hazara-test", subject="isk", type="ATTACKED", object="hazara",
        source="rferl-2022-05-isk-central-asia", quote="IS-K", span=(0, 4), status="reported",
        asserted_by="rferl")]))
    moved = client.get("/v1/stats", params={"top": 100}).json()
    assert cache.figures(empty_store) is not kept and moved["claims"] == body["claims"] + 1
    hazara = next(c for c in moved["most_connected"] if c["id"] == "hazara")
    before = next(c for c in body["most_connected"] if c["id"] == "hazara")
    assert hazara["claims"] == before["claims"] + 1
