"""Eight clients ingest overlapping reports at once, over HTTP and from the command line, on each store: every
entity, source and claim ends up once, and the graph is exactly what loading the same reports one after the
other gives.

Four clients post to a real uvicorn serving the store (in a thread of this process, through its threadpool);
four are ``kg ingest`` processes writing to the same store (the SQLite file, or the throwaway Neo4j). Each
client brings three of six short reports, so every report comes from four clients, HTTP and CLI alike, with
the same claims; every report names the same outlet, which the registry lacks and ingest adds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from app.api import create_app
from app.components import build_extractor
from app.settings import Settings
from graph.domain.ontology import Ontology
from graph.language.extract.text import from_text
from graph.services.ingest import ingest, ingest_many
from graph.services.loader import load
from graph.stores.neo4j.store import Neo4jStore
from graph.stores.protocol import ClaimQuery, GraphStore
from graph.stores.sqlite.store import SqliteStore
from tests.api.conftest import served_in_thread
from tests.conftest import SEEDS
from tests.faults.conftest import FaultServer

KG = str(Path(sys.executable).with_name("kg"))
KEY = "concurrency-key-3b9d"
OUTLET, OUTLET_ID = "Khorasan Monitor", "khorasan-monitor"
BODIES = [
    "IS-K claimed that it fired rockets at Tajikistan on May 7. Dushanbe denied that any attack took place.",
    "Analysts say IS-K seeks to provoke Uzbekistan. The Taliban attacked IS-K fighters in Kunduz on June 2.",
    "Pakistan accused the TTP of attacking a checkpoint in Khyber on June 2. Islamabad says the Taliban "
    "shelter the TTP.",
    "IS-K recruits from Tajiks and Uzbeks, analysts say. The Taliban deny that IS-K has bases in Afghanistan.",
    "Iran condemned the IS-K attack on a shrine in Shiraz. IS-K threatened Iran in a statement on June 5.",
    "China urged the Taliban to act against the Turkistan Islamic Party. Beijing says the group attacked Chinese "
    "workers in Pakistan.",
]
REPORTS = [f"---\ntitle: Brief {n}\noutlet: {OUTLET}\npublished: 2022-06-10\n---\n{body}\n"
           for n, body in enumerate(BODIES)]
CLIENTS = 8
HTTP_CLIENTS = range(4)
CLI_CLIENTS = range(4, 8)
# After its first round, an HTTP client posts its reports again while the CLI clients still run, so that its
# requests (each an extraction, a diff and a write of nothing) keep overlapping theirs; bounded.
MAX_ROUNDS = 15


def reports_of(client: int) -> list[int]:
    return [(client + k) % len(REPORTS) for k in range(3)]


def dump(store: GraphStore) -> dict[str, Any]:
    """The whole graph as plain data, for comparing two graphs record by record."""
    return {"entities": [e.model_dump() for e in store.entities()],
            "sources": [s.model_dump() for s in store.sources()],
            "claims": [c.model_dump() for c in store.claims(ClaimQuery())]}


@pytest.fixture(scope="module")
def sequential(ontology: Ontology, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The graph the same clients leave when they come one after the other, through the same functions the API
    (one report a write) and ``kg ingest`` (its reports in one write) call."""
    store = SqliteStore(ontology)
    load(SEEDS, store, ontology)
    settings = Settings(_env_file=None, data_file=tmp_path_factory.mktemp("seq") / "unused.sqlite")  # type: ignore[call-arg]
    for client in range(CLIENTS):
        extractor = build_extractor(settings, ontology, store.name_index().entities())
        reports = [from_text(REPORTS[r], origin=f"client {client}") for r in reports_of(client)]
        if client in CLI_CLIENTS:
            ingest_many(reports, store, ontology, extractor=extractor)
        else:
            for report in reports:
                ingest(report, store, ontology, extractor=extractor)
    return dump(store)


def run_clients(store: GraphStore, settings: Settings, environment: dict[str, str], folder: Path) -> dict[str, Any]:
    """All eight clients at once; what each was answered.

    Each new claim is said to be created by exactly one client: the counts the clients were given add up to what
    the graph gained, so no two writers both believed they wrote the same claim."""
    before = store.count_claims()
    files = []
    for number, text in enumerate(REPORTS):
        path = folder / f"brief-{number}.txt"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    statuses: list[int] = []
    created: list[int] = []
    lock = threading.Lock()
    with served_in_thread(create_app(settings, store)) as base:
        # Build the API's extractor before the clients start, so all of them start at once.
        with httpx.Client(base_url=base, timeout=120) as http:
            assert http.get("/ready").status_code == 200
        revision = store.revision()
        processes = [subprocess.Popen([KG, "ingest", *(str(files[r]) for r in reports_of(client)), "--json"],
                                      env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for client in CLI_CLIENTS]

        def client(number: int) -> None:
            with httpx.Client(base_url=base, timeout=120, headers={"X-API-Key": KEY}) as http:
                for round_ in range(MAX_ROUNDS):
                    for r in reports_of(number):
                        answer = http.post("/v1/reports", json={"text": REPORTS[r]})
                        with lock:
                            statuses.append(answer.status_code)
                            if answer.status_code in (200, 201):
                                created.append(answer.json()["written"]["created"]["claims"])
                        assert answer.status_code in (200, 201), answer.text
                    if round_ and all(p.poll() is not None for p in processes):
                        return

        # The HTTP clients start when the first CLI client's write lands: the other CLI clients, started with
        # it, are about to write theirs, and the HTTP clients' first posts of the same reports come among them.
        while store.revision() == revision and any(p.poll() is None for p in processes):
            time.sleep(0.01)
        threads = [threading.Thread(target=client, args=(n,)) for n in HTTP_CLIENTS]
        for thread in threads:
            thread.start()
        outputs = [p.communicate(timeout=600) for p in processes]
        for thread in threads:
            thread.join(timeout=600)
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, out + err
    assert statuses and set(statuses) <= {200, 201}, statuses
    cli_created = [json.loads(out)["written"]["created"]["claims"] for out, _ in outputs]
    assert sum(cli_created) > 0, "the CLI clients wrote new claims, not only what the HTTP clients had written"
    assert sum(created) + sum(cli_created) == store.count_claims() - before > 0
    return {"statuses": statuses, "http_created": created, "cli_created": cli_created}


def check_once(store: GraphStore, expected: dict[str, Any]) -> None:
    graph = dump(store)
    for kind in ("entities", "sources", "claims"):
        ids = [record["id"] for record in graph[kind]]
        assert len(ids) == len(set(ids)), f"duplicate {kind}"
    assert [s["id"] for s in graph["sources"]] == [s["id"] for s in expected["sources"]]
    assert graph == expected
    outlet = store.get_entity(OUTLET_ID)
    assert (outlet.name, outlet.kind) == (OUTLET, "organization")
    assert store.resolve(OUTLET).id == OUTLET_ID, "one entity by that name (two would be ambiguous)"


@pytest.fixture
def memory_target(ontology: Ontology, tmp_path: Path) -> Iterator[tuple[GraphStore, Settings, dict[str, str]]]:
    data = tmp_path / "graph.sqlite"
    seeding = SqliteStore(ontology, data)
    load(SEEDS, seeding, ontology)
    seeding.close()
    settings = Settings(_env_file=None, data_file=data, store="memory", api_keys=[SecretStr(KEY)],  # type: ignore[call-arg]
                        staging_file=tmp_path / "staged.json")
    store = SqliteStore(ontology, data)
    yield store, settings, {**os.environ, "KG_STORE": "memory", "KG_DATA_FILE": str(data)}
    store.close()


def test_eight_clients_at_once_on_the_embedded_store(memory_target: tuple[GraphStore, Settings, dict[str, str]],
                                                     sequential: dict[str, Any], tmp_path: Path) -> None:
    store, settings, environment = memory_target
    run_clients(store, settings, environment, tmp_path)
    check_once(store, sequential)
    # Another process's view of the file is the same graph.
    with_sql = SqliteStore(store._ontology, settings.data_file)
    assert dump(with_sql) == sequential
    with_sql.close()


def test_eight_clients_at_once_on_neo4j(fault_server: FaultServer, ontology: Ontology, sequential: dict[str, Any],
                                        tmp_path: Path) -> None:
    store: Neo4jStore = fault_server.store(ontology)
    store.clear()
    load(SEEDS, store, ontology)
    settings = fault_server.settings(tmp_path, api_keys=[SecretStr(KEY)], staging_file=tmp_path / "staged.json")
    run_clients(store, settings, fault_server.environment(), tmp_path)
    check_once(store, sequential)
    # Past the store's reads: one node per entity and source id, one relationship and one REPORTS entry per claim.
    for text in ("MATCH (n:Entity) WITH n.id AS id, count(*) AS n WHERE n > 1 RETURN id",
                 "MATCH (n:Source) WITH n.id AS id, count(*) AS n WHERE n > 1 RETURN id",
                 "MATCH ()-[c]->() WHERE c.id IS NOT NULL WITH c.id AS id, count(*) AS n WHERE n > 1 RETURN id",
                 "MATCH ()-[r:REPORTS]->() WITH r.claim AS id, count(*) AS n WHERE n > 1 RETURN id"):
        assert fault_server.cypher(text) == [], text
    claims = fault_server.cypher("MATCH ()-[c]->() WHERE c.id IS NOT NULL RETURN count(c) AS n")[0]["n"]
    assert claims == len(sequential["claims"])
    assert fault_server.cypher("MATCH (n:Entity {id: $id}) RETURN count(n) AS n", id=OUTLET_ID) == [{"n": 1}]
    store.close()
