"""`kg load` into an empty local Neo4j goes through the bulk importer (`neo4j-admin database import full`), and the
graph it leaves answers exactly as the same bundle loaded in batched transactions: the same entities, claims (their
denials and disputes), incidents, sources and stats, the same neighbourhoods and paths. A load into a graph that is
there already takes the transactional path and says why; an import that fails leaves the database empty and the
server running, and names the step.

These run on the throwaway server of the fault tests (its own home and ports, stopped and started by the import),
never on the shared test server or a developer's instance.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.domain.errors import BulkImportFailed
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.stores.neo4j.bulk import import_into_empty
from graph.stores.protocol import MAX_INCIDENT_PAGE, ClaimQuery, GraphStore, IncidentQuery
from tests.conftest import SEEDS
from tests.faults.conftest import FaultServer

KG = str(Path(sys.executable).with_name("kg"))


def answers(store: GraphStore) -> dict[str, Any]:
    """What the store answers about the whole seed graph, by content."""
    claims = store.claims(ClaimQuery())
    return {
        "entities": [e.model_dump() for e in store.entities()],
        "sources": [s.model_dump() for s in store.sources()],
        "claims": [c.model_dump() for c in claims],
        "disputed": sorted((c.id, tuple(c.disputed_by)) for c in claims if c.disputed),
        "denials": sorted((c.id, c.denies) for c in claims if c.denies),
        "stats": store.stats().model_dump(),
        "incidents": [i.model_dump() for i in store.incidents(IncidentQuery(limit=MAX_INCIDENT_PAGE))],
        "incident_claims": [c.id for c in store.claims(ClaimQuery(incident="termez-attack-2022-04-18"))],
        "neighbourhood": store.neighbourhood("isk", depth=2).model_dump(),
        "paths": [[hop.model_dump() for hop in path] for path in store.paths("isk", "china", k=3)],
        "resolved": store.resolve("Kabul", at="2022-05-07").id,
        "revision": store.revision(),
    }


def kg_load(fault: FaultServer, tmp_path: Path, *options: str) -> dict[str, Any]:
    """`kg load --json` on the throwaway server as the local server `kg neo4j` manages (NEO4J_URI unset)."""
    server = fault.server
    environment = {key: value for key, value in fault.environment().items()
                   if key not in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD")}
    environment.update({"KG_NEO4J_HOME": str(server.home), "KG_NEO4J_BOLT_PORT": str(server.bolt_port),
                        "KG_NEO4J_HTTP_PORT": str(server.http_port), "KG_NEO4J_HEAP": "512m",
                        "KG_NEO4J_PAGECACHE": "128m", "KG_DATA_FILE": str(tmp_path / "unused.sqlite"),
                        "KG_INCIDENT_LOG_FILE": str(tmp_path / "incident-decisions.jsonl"),
                        "KG_QUERY_TIMEOUT": "300"})  # a busy machine is not what these tests are about
    done = subprocess.run([KG, "load", str(SEEDS), "--json", *options], env=environment, capture_output=True,
                          text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr
    loaded: dict[str, Any] = json.loads(done.stdout)
    return loaded


@pytest.fixture
def emptied(fault_server: FaultServer, ontology: Ontology) -> Iterator[FaultServer]:
    """The throwaway server, running and empty before and after the test, whatever happened in it."""
    fault_server.emptied(ontology)
    yield fault_server
    fault_server.emptied(ontology)


def test_a_first_load_goes_through_the_bulk_importer_and_answers_as_a_transactional_load(
        emptied: FaultServer, ontology: Ontology, tmp_path: Path) -> None:
    bulk = kg_load(emptied, tmp_path, "--bulk")
    assert bulk["write_path"] == "bulk", bulk
    assert bulk["written"]["created"]["claims"] == 80 and bulk["written"]["created"]["incidents"] == 8
    assert set(bulk["seconds"]) == {"csv", "stop", "import", "start", "finish"}
    assert emptied.server.status().running
    store = emptied.store(ontology)
    try:
        by_import = answers(store)
        # No claim is left unlinked, and no load mark nor unfinished-import mark remains.
        assert emptied.cypher("MATCH (:Source)-[r:REPORTS]->() WHERE r.rel IS NULL RETURN count(r) AS n") == [{"n": 0}]
        assert emptied.cypher("MATCH (m:GraphMeta) RETURN m.unlinked AS unlinked, m.revision AS revision") == [
            {"unlinked": None, "revision": 1}]
        assert emptied.cypher("MATCH (l:Load) RETURN count(l) AS n") == [{"n": 0}]
        store.clear()
    finally:
        store.close()

    transactional = kg_load(emptied, tmp_path)
    assert transactional["write_path"] == "transactions"
    assert transactional["write_path_reason"] == "the default (--bulk asks for the importer)"
    store = emptied.store(ontology)
    try:
        by_transactions = answers(store)
    finally:
        store.close()
    assert by_import == by_transactions
    assert by_import["stats"]["claims"] == 80 and by_import["stats"]["disputed_claims"] == 2
    assert ("isk-attacked-tajikistan-2022-05-07", ("tajikistan-denied-rocket-attack",)) in by_import["disputed"]
    assert by_import["incident_claims"] and by_import["neighbourhood"]["links"] and by_import["paths"]

    # The graph is there now: the next load is incremental, in transactions, and says why.
    again = kg_load(emptied, tmp_path, "--bulk")
    assert again["write_path"] == "transactions"
    assert "holds a graph" in again["write_path_reason"]
    assert again["written"]["unchanged"]["claims"] == 80 and sum(again["written"]["created"].values()) == 0


def test_a_failed_import_leaves_the_database_empty_and_the_server_running(
        emptied: FaultServer, ontology: Ontology, tmp_path: Path) -> None:
    nodes, relationships = tmp_path / "nodes.csv", tmp_path / "relationships.csv"
    nodes.write_text(":ID,name:nosuchtype\n\"a\",\"A\"\n", encoding="utf-8")  # a type neo4j-admin does not know
    relationships.write_text(":START_ID,:END_ID,:TYPE\n", encoding="utf-8")
    store = emptied.store(ontology)
    try:
        with pytest.raises(BulkImportFailed, match="neo4j-admin could not import") as failed:
            import_into_empty(emptied.server, store, nodes, [relationships], array_delimiter=";")
        assert failed.value.stage == "import" and failed.value.details == {"stage": "import"}
        assert emptied.server.status().running
        assert store.is_empty()
        # The database works as before: a load in transactions writes the seeds.
        _, result = load(SEEDS, store, ontology)
        assert result is not None and result.created["claims"] == 80
        # And the importer refuses a database that holds a graph, before stopping anything.
        with pytest.raises(BulkImportFailed, match="holds a graph already") as refused:
            import_into_empty(emptied.server, store, nodes, [relationships], array_delimiter=";")
        assert refused.value.stage == "check"
        assert store.count_claims() == 80
    finally:
        store.close()
