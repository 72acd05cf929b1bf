"""The Neo4j store on a real server: graph shape, idempotent all-or-nothing writes, clear errors."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from graph.domain.errors import KgError, StoreUnavailable, ValidationFailed
from graph.domain.model import Batch, Claim, Entity
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.stores.neo4j.server import LocalServer, ServerError
from graph.stores.neo4j.store import Neo4jStore, connect
from graph.stores.protocol import ClaimQuery
from graph.stores.sqlite.store import SqliteStore
from tests.bundles import claim_yaml, claims_file
from tests.conftest import SEED_REPORT, SEEDS, Neo4jTestDatabase


@pytest.fixture
def store(neo4j_database: Neo4jTestDatabase, ontology: Ontology) -> Neo4jStore:
    """An empty Neo4j store (the seed graph is put back afterwards for modules that read it)."""
    return neo4j_database.reset(ontology, seeded=False)


def cypher(database: Neo4jTestDatabase, text: str, **parameters: Any) -> list[dict[str, Any]]:
    records, _, _ = database.driver.execute_query(text, parameters)
    return [record.data() for record in records]


def counts(database: Neo4jTestDatabase) -> dict[str, Any]:
    """Everything that could change: nodes and relationships by label and type, and all properties."""
    return {
        "nodes": cypher(database, "MATCH (n) RETURN labels(n) AS labels, count(*) AS n ORDER BY n, labels"),
        "relationships": cypher(database, "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n ORDER BY type"),
        "fingerprint": cypher(database, "MATCH (n) WITH n ORDER BY elementId(n) "
                                        "RETURN collect(properties(n)) AS nodes")[0]["nodes"],
    }


def test_loading_the_seeds_twice_leaves_identical_counts(store: Neo4jStore, neo4j_database: Neo4jTestDatabase,
                                                         ontology: Ontology) -> None:
    _, first = load(SEEDS, store, ontology)
    after_first = counts(neo4j_database)
    revision = store.revision()
    _, second = load(SEEDS, store, ontology)
    assert first is not None and second is not None
    assert first.created["claims"] == second.unchanged["claims"] > 0
    assert sum(second.created.values()) == sum(second.updated.values()) == 0
    assert counts(neo4j_database) == after_first
    assert store.revision() == revision, "a load that changes nothing must not count as a write"


def test_the_graph_has_the_documented_shape(store: Neo4jStore, neo4j_database: Neo4jTestDatabase,
                                            ontology: Ontology) -> None:
    load(SEEDS, store, ontology)
    isk = cypher(neo4j_database, "MATCH (n:Entity {id: 'isk'}) RETURN labels(n) AS labels, n.aliases AS aliases")[0]
    assert set(isk["labels"]) == {"Entity", ontology.entity_kinds["armed_group"].label}
    assert "ISKP" in isk["aliases"]
    provoked = cypher(neo4j_database, "MATCH (:Entity {id: 'isk'})-[c:SEEKS_TO_PROVOKE]->(o:Entity) "
                                      "RETURN o.id AS object, c.quote AS quote, c.source AS source")
    assert {row["object"] for row in provoked} == {"pakistan", "iran"}
    assert all(row["source"] == SEED_REPORT and row["quote"] for row in provoked)
    entries = cypher(neo4j_database, "MATCH (s:Source)-[r:REPORTS]->(e:Entity) "
                                     "RETURN s.id AS source, count(r) AS n, count(DISTINCT r.claim) AS claims")
    assert entries == [{"source": SEED_REPORT, "n": store.stats().claims, "claims": store.stats().claims}]
    labels = {row["label"] for row in cypher(neo4j_database, "CALL db.labels() YIELD label RETURN label")}
    # db.labels() lists every label the database ever held, so what ingest keeps beside a report
    # (ReportCandidates, written by tests that ran earlier against this server) is listed too.
    assert labels <= {k.label for k in ontology.entity_kinds.values()} | {"Entity", "Source", "GraphMeta", "Load",
                                                                          "Incident", "ReportCandidates"}
    types = {row["t"] for row in cypher(neo4j_database, "MATCH ()-[r]->() RETURN DISTINCT type(r) AS t")}
    incident_links = {"REPORT", "PERPETRATOR", "TARGET", "PLACE", "COUNTRY"}
    assert types <= set(ontology.relation_types) | {"REPORTS"} | incident_links
    # An incident's links all start at the incident: an entity's relationships with other entities are its claims.
    starts = cypher(neo4j_database, "MATCH (a)-[r:REPORT|PERPETRATOR|TARGET|PLACE|COUNTRY]->(b) "
                                    "RETURN DISTINCT labels(a) AS start, type(r) AS link ORDER BY link")
    assert starts == [{"start": ["Incident"], "link": link} for link in sorted(incident_links)]
    assert cypher(neo4j_database, "MATCH (i:Incident) RETURN count(i) AS n") == [{"n": store.stats().incidents}]


def test_a_report_with_one_bad_claim_loads_nothing(store: Neo4jStore, neo4j_database: Neo4jTestDatabase,
                                                   ontology: Ontology, bundle: Any) -> None:
    good = claim_yaml(id="good-claim", subject="IS-K", type="THREATENS", object="Uzbekistan",
                      quote="IS-K has threatened Uzbekistan", status="reported", asserted_by="rferl")
    bad = claim_yaml(id="bad-claim", subject="Nobody Known", type="ATTACKED", object="Uzbekistan",
                     quote="IS-K has threatened Uzbekistan", status="reported", asserted_by="rferl")
    with pytest.raises(ValidationFailed):
        load(bundle(claims_file(SEED_REPORT, good, bad)), store, ontology)
    assert counts(neo4j_database)["nodes"] == []


def test_a_write_the_graph_cannot_hold_is_rolled_back_whole(store: Neo4jStore, neo4j_database: Neo4jTestDatabase,
                                                            ontology: Ontology) -> None:
    load(SEEDS, store, ontology)
    before = counts(neo4j_database)
    quote = store.get_claim("isk-attacked-tajikistan-2022-05-07")
    orphan = Claim(**{**quote.model_dump(exclude={"disputed", "disputed_by"}), "id": "orphan",
                      "object": "no-such-entity"})
    newcomer = Entity(id="newcomer", name="Newcomer", kind="armed_group")
    with pytest.raises(KgError, match="no-such-entity"):
        store.upsert(Batch(entities=[newcomer], claims=[orphan]))
    assert counts(neo4j_database) == before
    with pytest.raises(KgError, match="not in the ontology"):
        store.upsert(Batch(entities=[Entity(id="x", name="X", kind="militia`) DETACH DELETE (n")]))
    assert counts(neo4j_database) == before


def test_an_updated_claim_and_a_changed_kind_replace_what_was_there(store: Neo4jStore, ontology: Ontology,
                                                                     neo4j_database: Neo4jTestDatabase) -> None:
    load(SEEDS, store, ontology)
    claim = store.get_claim("isk-attacked-tajikistan-2022-05-07")
    moved = Claim(**{**claim.model_dump(exclude={"disputed", "disputed_by"}), "object": "uzbekistan"})
    result = store.upsert(Batch(claims=[moved]))
    assert result.updated["claims"] == 1
    assert store.get_claim(claim.id).object == "uzbekistan"
    assert cypher(neo4j_database, "MATCH ()-[c {id: $id}]->() RETURN count(c) AS n", id=claim.id) == [{"n": 1}]
    assert store.get_claim(claim.id).disputed, "its denial still points at it"
    valle = store.get_entity("riccardo-valle")
    store.upsert(Batch(entities=[Entity(**{**valle.model_dump(), "kind": "organization"})]))
    labels = cypher(neo4j_database, "MATCH (n:Entity {id: 'riccardo-valle'}) RETURN labels(n) AS labels")
    assert set(labels[0]["labels"]) == {"Entity", ontology.entity_kinds["organization"].label}


def test_aliases_with_windows_survive_the_round_trip(store: Neo4jStore, ontology: Ontology) -> None:
    load(SEEDS, store, ontology)
    assert store.resolve("Kabul", at="2020-01-01").id == "afghanistan"
    assert store.resolve("Kabul", at="2022-05-01").id == "taliban"
    assert store.claims(ClaimQuery(subject="isk")) == store.claims(ClaimQuery(subject="isk"))


def test_an_unreachable_server_is_named_in_the_error(ontology: Ontology) -> None:
    store = Neo4jStore(connect("bolt://127.0.0.1:1", "neo4j", "secret"), ontology, uri="bolt://127.0.0.1:1")
    with pytest.raises(StoreUnavailable, match=r"cannot reach Neo4j at bolt://127\.0\.0\.1:1"):
        store.stats()
    store.close()


def test_a_wrong_password_is_named_in_the_error(neo4j_database: Neo4jTestDatabase, ontology: Ontology) -> None:
    uri = neo4j_database.status.bolt_uri
    store = Neo4jStore(connect(uri, "neo4j", "not-the-password"), ontology, uri=uri)
    with pytest.raises(StoreUnavailable, match=f"Neo4j at {uri}.*refused the credentials"):
        store.entities()
    store.close()


def test_bad_uris_are_refused_before_connecting() -> None:
    with pytest.raises(StoreUnavailable, match="scheme must be one of"):
        connect("http://127.0.0.1:7474", "neo4j", "x")
    with pytest.raises(StoreUnavailable, match="NEO4J_PASSWORD"):
        connect("bolt://127.0.0.1:7687", "neo4j", None)


def test_a_second_instance_on_the_same_ports_does_not_take_the_first_for_its_own(
        neo4j_database: Neo4jTestDatabase, test_neo4j_server: LocalServer, tmp_path: Path) -> None:
    # Two checkouts starting at once both find the ports free; the one that binds second must not
    # report "running" on the first one's answers while its own Java dies on "address in use".
    other = LocalServer(tmp_path / "neo4j-other", bolt_port=test_neo4j_server.bolt_port,
                        http_port=test_neo4j_server.http_port)
    starting = subprocess.Popen(["sleep", "3"])  # stands in for the second Java, which exits
    try:
        with pytest.raises(ServerError, match="exited while starting"):
            other._wait(30, starting.pid)
    finally:
        starting.wait()
    assert test_neo4j_server.status().running


def _seed_batch(ontology: Ontology) -> Batch:
    from graph.services.loader import read_bundle  # noqa: PLC0415

    return read_bundle(SEEDS, ontology)


def test_a_load_larger_than_a_chunk_is_published_whole_and_leaves_no_marks(
        neo4j_database: Neo4jTestDatabase, ontology: Ontology) -> None:
    neo4j_database.reset(ontology, seeded=False)
    single = neo4j_database.store(ontology)
    single.upsert(_seed_batch(ontology))
    expected = counts(neo4j_database)
    neo4j_database.reset(ontology, seeded=False)
    # Two chunks in flight at once (KG_NEO4J_LOAD_WRITERS=2): entities before the claims that need them.
    chunked = Neo4jStore(neo4j_database.driver, ontology, uri=neo4j_database.status.bolt_uri, chunk_rows=40,
                         writers=2)
    result = chunked.upsert(_seed_batch(ontology))
    assert result.created["claims"] == 80 and result.created["entities"] > 200
    assert chunked.loads() == []
    assert cypher(neo4j_database, "MATCH (n) WHERE n.load IS NOT NULL RETURN count(n) AS n")[0]["n"] == 0
    assert cypher(neo4j_database, "MATCH ()-[r]->() WHERE r.load IS NOT NULL RETURN count(r) AS n")[0]["n"] == 0
    shape = counts(neo4j_database)
    assert shape["nodes"] == expected["nodes"] and shape["relationships"] == expected["relationships"]
    assert chunked.get_claim("isk-attacked-tajikistan-2022-05-07").disputed


def test_what_a_load_writes_is_unseen_until_it_is_published(neo4j_database: Neo4jTestDatabase,
                                                             ontology: Ontology) -> None:
    store = neo4j_database.reset(ontology, seeded=False)
    batch = _seed_batch(ontology)
    load = store.begin_load(len(batch.claims))
    store.write_chunk(load, Batch(entities=batch.entities, sources=batch.sources))
    store.write_chunk(load, Batch(claims=batch.claims))
    assert [row["id"] for row in store.loads()] == [load]
    assert store.count_entities() == 0 and store.stats().claims == 0
    assert store.get_entities(["isk"]) == {} and store.existing_claims([batch.claims[0].id]) == {}
    assert store.claims(ClaimQuery(types=("ATTACKED",))) == []
    with pytest.raises(KgError):
        store.neighbourhood("isk")
    store.publish_load(load, Batch())
    assert store.stats().claims == 80 and store.neighbourhood("isk").links
    store.settle_load(load)
    assert store.loads() == [] and store.stats().claims == 80


def test_a_claim_of_a_load_under_way_joins_published_entities_only_once_published(
        neo4j_database: Neo4jTestDatabase, ontology: Ontology) -> None:
    # The neighbourhood reads no load mark while no claim carries one; here one does, between entities all can see.
    store = neo4j_database.reset(ontology, seeded=False)
    batch = _seed_batch(ontology)
    store.upsert(batch)
    shown = {link.key for link in store.neighbourhood("isk", depth=2).links}
    late = batch.claims[0].model_copy(update={"id": "isk-late-claim", "subject": "isk", "type": "THREATENS",
                                              "object": "china", "confidence": 0.35})
    load = store.begin_load(1)
    store.write_chunk(load, Batch(claims=[late]))
    assert {link.key for link in store.neighbourhood("isk", depth=2).links} == shown
    store.publish_load(load, Batch())
    assert {link.key for link in store.neighbourhood("isk", depth=2).links} == shown | {"isk-late-claim"}
    store.settle_load(load)
    assert {link.key for link in store.neighbourhood("isk", depth=2).links} == shown | {"isk-late-claim"}
    memory = SqliteStore(ontology)
    memory.upsert(batch.model_copy(update={"claims": [*batch.claims, late]}))
    for depth in (1, 2):
        kept = store.neighbourhood("isk", depth=depth, min_confidence=0.5)
        assert kept == memory.neighbourhood("isk", depth=depth, min_confidence=0.5)
        assert "isk-late-claim" not in {link.key for link in kept.links} and kept.links
    memory.close()


def test_a_load_that_fails_midway_leaves_nothing(neo4j_database: Neo4jTestDatabase, ontology: Ontology,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    neo4j_database.reset(ontology, seeded=False)
    store = Neo4jStore(neo4j_database.driver, ontology, uri=neo4j_database.status.bolt_uri, chunk_rows=40,
                       writers=2)
    empty = counts(neo4j_database)
    written = []
    write_chunk = Neo4jStore.write_chunk

    def crash_on_the_third(self: Neo4jStore, load: str, records: Batch) -> None:
        if len(written) >= 2:  # with two writers, the chunk beside the crash may still finish
            raise StoreUnavailable("cannot reach Neo4j: connection reset (a crash in the middle of a load)")
        write_chunk(self, load, records)
        written.append(load)

    monkeypatch.setattr(Neo4jStore, "write_chunk", crash_on_the_third)
    with pytest.raises(StoreUnavailable, match="connection reset"):
        store.upsert(_seed_batch(ontology))
    assert 2 <= len(written) <= 3
    assert counts(neo4j_database)["relationships"] == empty["relationships"]
    assert cypher(neo4j_database, "MATCH (n) WHERE NOT n:GraphMeta RETURN count(n) AS n")[0]["n"] == 0
    assert store.loads() == []


def test_the_alias_index_follows_what_another_writer_adds(neo4j_database: Neo4jTestDatabase,
                                                          ontology: Ontology) -> None:
    reader = neo4j_database.reset(ontology, seeded=True)
    assert reader.resolve("ISKP").id == "isk"
    writer = neo4j_database.store(ontology)
    writer.upsert(Batch(entities=[Entity(id="zarnigor-brigade", name="Zarnigor Brigade", kind="armed_group",
                                         aliases=[{"name": "ZB"}])]))  # type: ignore[list-item]
    assert reader.resolve("Zarnigor Brigade").id == "zarnigor-brigade" == reader.resolve("ZB").id
    assert reader.resolve("ISKP").id == "isk"
