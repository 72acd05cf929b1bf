"""The CSV pair of `kg export --format admin-csv`, imported by the real `neo4j-admin database import full` into the
throwaway server, is the graph `kg` sees: the same entities, sources and claims as the store it came from, the
store's schema, and claims found by id; `kg stats` counts them all.

The throwaway server is stopped for the import and started again; it is left running and empty, as the other
fault tests expect it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.domain.ontology import Ontology
from graph.services.export import ARRAY_DELIMITER_OPTION, admin_csv
from graph.services.loader import load, read_bundle
from graph.stores.neo4j.cypher import statements
from graph.stores.protocol import MAX_INCIDENT_PAGE, ClaimQuery, GraphStore, IncidentQuery
from graph.stores.sqlite.store import SqliteStore
from tests.conftest import SEEDS
from tests.faults.conftest import FaultServer

KG = str(Path(sys.executable).with_name("kg"))


def dump(store: GraphStore) -> dict[str, Any]:
    return {"entities": [e.model_dump() for e in store.entities()],
            "sources": [s.model_dump() for s in store.sources()],
            "claims": [c.model_dump() for c in store.claims(ClaimQuery())], "stats": store.stats().model_dump(),
            "incidents": [i.model_dump() for i in store.incidents(IncidentQuery(limit=MAX_INCIDENT_PAGE))]}


@pytest.fixture
def original(tmp_path: Path, ontology: Ontology) -> Iterator[SqliteStore]:
    store = SqliteStore(ontology, tmp_path / "graph.sqlite")
    load(SEEDS, store, ontology)
    yield store
    store.close()


@pytest.fixture
def restarted(fault_server: FaultServer, ontology: Ontology) -> Iterator[FaultServer]:
    """The throwaway server, running again and emptied after the test, whatever happened in it."""
    yield fault_server
    fault_server.emptied(ontology)


def test_the_admin_csv_imported_by_neo4j_admin_is_the_graph_kg_sees(
        original: SqliteStore, restarted: FaultServer, ontology: Ontology, tmp_path: Path) -> None:
    written = admin_csv(original, ontology, tmp_path / "csv")
    entities = len(read_bundle(SEEDS, ontology).entities)
    assert (written.entities, written.sources, written.claims, written.incidents) == (entities, 1, 80, 8)
    server = restarted.server
    server.stop()
    report = server.admin_import([written.nodes], [written.relationships], array_delimiter=ARRAY_DELIMITER_OPTION)
    assert "IMPORT DONE" in report
    server.start("java")
    # Straight after the import: the claims' REPORTS entries do not yet know their claims, and there is no schema.
    assert restarted.cypher("MATCH (:Source)-[r:REPORTS]->() WHERE r.rel IS NULL RETURN count(r) AS n") == [{"n": 80}]
    store = restarted.store(ontology)
    try:
        assert dump(store) == dump(original)  # the first read finishes the import, then reads like any other
        assert store.get_claim("isk-attacked-tajikistan-2022-05-07").disputed_by == ["tajikistan-denied-rocket-attack"]
        assert store.resolve("Kabul", at="2022-05-07").id == "taliban"
        sahel = store.get_entity("islamic-state-sahel")
        assert (sahel.parent, sahel.parent_relation) == ("islamic-state", "AFFILIATE_OF") and sahel.source
        assert store.neighbourhood("isk").links and store.paths("isk", "china", k=1)
        # What the store's own load would have left: every entry linked, the schema there, fingerprints equal.
        assert restarted.cypher("MATCH (:Source)-[r:REPORTS]->() WHERE r.rel IS NULL RETURN count(r) AS n") == [
            {"n": 0}]
        names = {row["name"] for row in restarted.cypher("SHOW CONSTRAINTS YIELD name RETURN name")
                 + restarted.cypher("SHOW INDEXES YIELD name RETURN name")}
        schema = {re.search(r"(?:CONSTRAINT|INDEX) (\w+)", statement).group(1)  # type: ignore[union-attr]
                  for statement in statements("schema")}
        assert len(schema) == 22 and schema <= names  # claim_incident among them (an incident's claims)
        # The incidents came in linked to their reports and the entities they name, as the store links them.
        assert restarted.cypher("MATCH (i:Incident {id: 'termez-attack-2022-04-18'})-[r]->(n) "
                                "RETURN type(r) AS link, coalesce(n.id, '') AS to ORDER BY link, to") == [
            {"link": "COUNTRY", "to": "uzbekistan"}, {"link": "PERPETRATOR", "to": "isk"},
            {"link": "PERPETRATOR", "to": "isk"}, {"link": "PERPETRATOR", "to": "isk"},
            {"link": "PLACE", "to": "termez"},
            {"link": "REPORT", "to": "rferl-2022-05-isk-central-asia"},
            {"link": "REPORT", "to": "rferl-2022-05-isk-central-asia"}, {"link": "TARGET", "to": "uzbekistan"}]
        _, result = load(SEEDS, store, ontology)
        assert result is not None and sum(result.unchanged.values()) == entities + 1 + 80 + 8
        assert sum(result.created.values()) == sum(result.updated.values()) == 0
    finally:
        store.close()
    done = subprocess.run([KG, "stats", "--json"], env=restarted.environment(), capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == original.stats().model_dump()
    assert json.loads(done.stdout)["claims"] == 80
