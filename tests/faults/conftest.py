"""A throwaway Neo4j for fault tests, apart from the shared test server, which is never stopped.

Fault tests kill and restart Neo4j, kill loaders in the middle of a load and import into a
fresh database with ``neo4j-admin``: none of that may touch the test server every other module
reads. This instance lives in ``.cache/neo4j-fault`` (beside the jar cache, so nothing is
fetched twice), is wiped at the start of a run, listens on free loopback ports, runs with a
small heap and page cache, and is started once for the whole run and stopped at its end.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.settings import PROJECT_ROOT, Settings
from graph.domain.errors import KgError
from graph.domain.ontology import Ontology
from graph.stores.neo4j.server import LocalServer
from graph.stores.neo4j.store import Neo4jStore, connect
from tests.conftest import SEEDS

FAULT_HOME = PROJECT_ROOT / ".cache" / "neo4j-fault"
HEAP = "512m"
PAGECACHE = "128m"


def free_port() -> int:
    """A loopback port nothing listens on now (the fault server binds it moments later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class FaultServer:
    """The throwaway instance, and what a store, the API or a ``kg`` process needs to use it."""

    server: LocalServer

    @property
    def uri(self) -> str:
        return self.server.bolt_uri

    def store(self, ontology: Ontology, *, timeout: float = 30.0, chunk_rows: int | None = None) -> Neo4jStore:
        """A store on a driver of its own (closed with the store), retrying for ``timeout`` seconds at most."""
        extra: dict[str, Any] = {"chunk_rows": chunk_rows} if chunk_rows is not None else {}
        return Neo4jStore(connect(self.uri, "neo4j", self.server.password(), timeout=timeout), ontology,
                          uri=self.uri, timeout=timeout, **extra)

    def settings(self, tmp: Path, **overrides: Any) -> Settings:
        """Settings of an API or a command on this instance, ignoring the developer's environment file."""
        return Settings(_env_file=None, data_file=tmp / "unused.sqlite", store="neo4j",  # type: ignore[call-arg]
                        neo4j_uri=self.uri, neo4j_password=self.server.password(), **overrides)

    def cypher(self, text: str, **parameters: Any) -> list[dict[str, Any]]:
        """Rows of a Cypher query run straight on the server, past the store: what is really there."""
        with connect(self.uri, "neo4j", self.server.password()) as driver:
            records, _, _ = driver.execute_query(text, parameters)
        return [record.data() for record in records]

    def emptied(self, ontology: Ontology) -> None:
        """Running and empty: after a test that stopped the server or loaded into it, whatever happened in it."""
        if not self.server.status().running:
            self.server.start("java")
        store = self.store(ontology)
        store.clear()
        store.close()

    def environment(self, **variables: str) -> dict[str, str]:
        """The environment of a ``kg`` process on this instance."""
        return {**os.environ, "KG_STORE": "neo4j", "NEO4J_URI": self.uri, "NEO4J_USER": "neo4j",
                "NEO4J_PASSWORD": self.server.password(), **variables}


@pytest.fixture(scope="session")
def fault_server() -> Iterator[FaultServer]:
    """The throwaway Neo4j, started once; a failure under CI, a skip elsewhere when it cannot start."""
    LocalServer(FAULT_HOME).stop()  # one a crashed earlier run left behind
    shutil.rmtree(FAULT_HOME, ignore_errors=True)
    server = LocalServer(FAULT_HOME, bolt_port=free_port(), http_port=free_port(), heap=HEAP, pagecache=PAGECACHE)
    try:
        server.start("java")
    except KgError as error:
        if Settings().ci:
            pytest.fail(f"CI=true and the throwaway Neo4j for fault tests cannot start: {error.message}")
        pytest.skip(f"no throwaway Neo4j for fault tests: {error.message}")
    yield FaultServer(server)
    server.stop()


def write_large_bundle(root: Path, claims: int, *, report: str = "large-report") -> set[str]:
    """A bundle of one long report and ``claims`` claims on the seed registry's armed groups and states, each quoting
    a sentence of its own; it brings no entities, so it loads on top of the seeds. Returns the claim ids."""
    entities = yaml.safe_load((SEEDS / "entities.yaml").read_text(encoding="utf-8"))["entities"]
    groups = [e for e in entities if e["kind"] == "armed_group"]
    states = [e for e in entities if e["kind"] == "state"]
    sentences, records = [], []
    for number in range(claims):
        group, state = groups[number % len(groups)], states[(number * 7) % len(states)]
        day = 1 + number % 28
        sentence = f"In incident {number}, {group['name']} attacked {state['name']} on 2021-03-{day:02d}."
        sentences.append(sentence)
        records.append({"id": f"large-{number:06d}", "subject": group["id"], "type": "ATTACKED",
                        "object": state["id"], "quote": sentence, "status": "reported", "asserted_by": "rferl",
                        "date": f"2021-03-{day:02d}", "confidence": 0.9})
    (root / "reports").mkdir(parents=True)
    (root / "claims").mkdir()
    (root / "reports" / f"{report}.txt").write_text("\n".join(sentences) + "\n", encoding="utf-8")
    (root / "reports" / f"{report}.yaml").write_text(yaml.safe_dump(
        {"id": report, "title": "A long report of many incidents", "outlet": "RFE/RL", "outlet_id": "rferl",
         "published": "2021-04-01", "reliability": "B"}), encoding="utf-8")
    (root / "claims" / f"{report}.yaml").write_text(yaml.safe_dump({"source": report, "claims": records},
                                                                   sort_keys=False, width=1000), encoding="utf-8")
    return {r["id"] for r in records}
