"""A loader killed with SIGKILL in the middle of a large load leaves all of it or none of it, and a rerun completes it.

The loader is a real ``kg load`` process loading a report of thousands of claims; it is killed at a
moment read from the store itself (the embedded store's write lock held; a Neo4j load with chunks
written, or published and not yet settled), never after a guessed delay.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph.domain.errors import SourceNotFound
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.stores.neo4j.store import Neo4jStore
from graph.stores.protocol import ClaimQuery
from graph.stores.sqlite.store import SqliteStore
from tests.conftest import SEEDS
from tests.faults.conftest import FaultServer, write_large_bundle

CLAIMS = 3_000
REPORT = "large-report"
CHUNK_ROWS = "250"  # a dozen chunks: a load in Neo4j long enough to be killed in the middle of
KG = [str(Path(sys.executable).with_name("kg"))]
# A loader that has not reached the awaited moment by then has hung (a guard, not a measure of speed).
PATIENCE = 300.0


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    root = tmp_path_factory.mktemp("large") / "bundle"
    return root, write_large_bundle(root, CLAIMS, report=REPORT)


def kg(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*KG, *arguments], env=env, capture_output=True, text=True, check=False, timeout=PATIENCE)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def kill_when(command: list[str], env: dict[str, str], moment: Callable[[], bool]) -> bool:
    """Start ``command``, SIGKILL it as soon as ``moment()`` holds; False when it exited before that."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + PATIENCE
    try:
        while process.poll() is None and time.monotonic() < deadline:
            if moment():
                process.send_signal(signal.SIGKILL)
                process.wait()
                return True
            time.sleep(0.005)
        assert process.poll() is not None, "the loader hung"
        return False
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        if process.stderr is not None:
            process.stderr.close()


# --- the embedded store ---------------------------------------------------------------------------------

def write_lock_held(path: Path) -> bool:
    """Whether another connection holds the database's write lock: a write transaction is under way."""
    if not path.exists():
        return False
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as error:
        return "locked" in str(error)
    finally:
        probe.close()


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as db:
        result: str = db.execute("PRAGMA integrity_check").fetchone()[0]
        return result


def test_a_loader_killed_while_it_writes_leaves_the_embedded_store_whole(
        bundle: tuple[Path, set[str]], ontology: Ontology, tmp_path: Path) -> None:
    root, ids = bundle
    seeded = tmp_path / "seeded.sqlite"
    kg("load", str(SEEDS), env={**os.environ, "KG_STORE": "memory", "KG_DATA_FILE": str(seeded)})
    store = SqliteStore(ontology, seeded)
    before = store.stats()
    store.close()
    # Killed at the moment the write is seen to hold the lock (its rows going in), then at moments a little
    # later, which may fall in the commit or after it: each time the database opens, passes SQLite's
    # integrity check and holds the seeds alone or the seeds and all of the report, never a part.
    outcomes = []
    for attempt, delay in enumerate((0.0, 0.01, 0.02, 0.04)):
        data = tmp_path / f"graph-{attempt}.sqlite"
        shutil.copy(seeded, data)
        env = {**os.environ, "KG_STORE": "memory", "KG_DATA_FILE": str(data)}
        seen: list[float] = []

        def moment(data: Path = data, seen: list[float] = seen, delay: float = delay) -> bool:
            if not seen and write_lock_held(data):
                seen.append(time.monotonic())
            return bool(seen) and time.monotonic() - seen[0] >= delay

        assert kill_when([*KG, "load", str(root)], env, moment), "the loader finished before it was killed"
        assert integrity(data) == "ok"
        store = SqliteStore(ontology, data)
        found = store.existing_claims(ids)
        if not found:
            assert store.stats() == before
            outcomes.append("none")
        else:
            assert set(found) == ids and store.stats().claims == before.claims + CLAIMS
            outcomes.append("all")
        store.close()
    assert outcomes[0] == "none", "the first kill, with the write lock held, must have cut the write short"
    # A rerun on the first database completes the load.
    data = tmp_path / "graph-0.sqlite"
    kg("load", str(root), env={**os.environ, "KG_STORE": "memory", "KG_DATA_FILE": str(data)})
    assert integrity(data) == "ok"
    store = SqliteStore(ontology, data)
    assert store.stats().claims == before.claims + CLAIMS
    assert set(store.existing_claims(ids)) == ids
    assert len(store.claims(ClaimQuery(source=REPORT))) == CLAIMS
    store.close()


# --- Neo4j ---------------------------------------------------------------------------------------------

def marked(server: FaultServer) -> int:
    """Claims of a load not yet settled, really in the database (readers skip those of unpublished loads)."""
    rows = server.cypher("MATCH (:Source)-[r:REPORTS]->() WHERE r.load IS NOT NULL RETURN count(r) AS n")
    return int(rows[0]["n"])


def load_state(server: FaultServer) -> dict[str, Any] | None:
    rows = server.cypher("MATCH (l:Load) OPTIONAL MATCH (:Source)-[r:REPORTS {load: l.id}]->() "
                         "RETURN l.state AS state, count(r) AS claims")
    return rows[0] if rows else None


@pytest.fixture
def neo4j_seeded(fault_server: FaultServer, ontology: Ontology) -> Any:
    store = fault_server.store(ontology)
    store.clear()
    load(SEEDS, store, ontology)
    yield store
    store.close()


def test_a_loader_killed_before_its_load_is_published_leaves_none_of_it_in_neo4j(
        bundle: tuple[Path, set[str]], fault_server: FaultServer, neo4j_seeded: Neo4jStore) -> None:
    root, ids = bundle
    store = neo4j_seeded
    before = store.stats()
    env = fault_server.environment(KG_NEO4J_CHUNK_ROWS=CHUNK_ROWS)

    def chunks_written() -> bool:
        state = load_state(fault_server)
        return state is not None and state["state"] == "writing" and state["claims"] >= 1_000

    assert kill_when([*KG, "load", str(root)], env, chunks_written), "the loader finished before it was killed"
    left = marked(fault_server)
    assert 1_000 <= left < CLAIMS, "killed in the middle: some chunks written, not all"
    # None of it is seen.
    assert store.stats() == before
    assert store.existing_claims(ids) == {} and store.claims(ClaimQuery(source=REPORT)) == []
    with pytest.raises(SourceNotFound):
        store.get_source(REPORT)
    [abandoned] = store.loads()
    assert abandoned["state"] == "writing" and abandoned["abandoned"]
    # A kg command finds it and discards it.
    recovered = kg("neo4j", "loads", "--recover", "--json", env=env)
    assert '"outcome": "discarded"' in recovered.stdout and abandoned["id"] in recovered.stdout
    assert marked(fault_server) == 0 and store.loads() == []
    assert store.stats() == before
    # The rerun loads all of it.
    kg("load", str(root), env=env)
    assert store.stats().claims == before.claims + CLAIMS
    assert set(store.existing_claims(ids)) == ids and marked(fault_server) == 0 and store.loads() == []


def test_a_loader_killed_after_its_load_is_published_leaves_all_of_it_and_the_next_writer_settles_it(
        bundle: tuple[Path, set[str]], fault_server: FaultServer, neo4j_seeded: Neo4jStore) -> None:
    root, ids = bundle
    store = neo4j_seeded
    before = store.stats()
    env = fault_server.environment(KG_NEO4J_CHUNK_ROWS=CHUNK_ROWS)

    def published() -> bool:
        state = load_state(fault_server)
        return state is not None and state["state"] == "published"

    assert kill_when([*KG, "load", str(root)], env, published), "the loader finished before it was killed"
    assert marked(fault_server) > 0 and [load["state"] for load in store.loads()] == ["published"]
    # All of it is seen, marks or not.
    assert store.stats().claims == before.claims + CLAIMS
    assert set(store.existing_claims(ids)) == ids
    assert store.get_source(REPORT).title == "A long report of many incidents"
    # The next writer (here, loading the seeds again, which changes nothing) settles it first.
    kg("load", str(SEEDS), env=env)
    assert marked(fault_server) == 0 and store.loads() == []
    rerun = kg("load", str(root), "--json", env=env)
    assert '"created": {\n      "entities": 0,\n      "sources": 0,\n      "claims": 0' in rerun.stdout
    assert store.stats().claims == before.claims + CLAIMS
