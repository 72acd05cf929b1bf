"""The steps of `kg bench` that run in a process of their own: building and reopening the embedded
store, and the networkx baseline. Only what the step needs is imported, so that the resident
memory measured is the store's (and Python's), not the command line's.

``python -m benchmarks.worker STEP ARGS...`` prints one JSON object.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path

from graph.domain.model import Batch, Claim, Entity, Source
from graph.domain.ontology import load_ontology
from graph.stores.sqlite.store import SqliteStore


def rss_mb() -> float:
    """This process's resident memory."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def read_data(path: Path) -> Batch:
    """The graph a run wrote as JSON lines (``{"entity": …}``, ``{"source": …}``, ``{"claim": …}``)."""
    entities, sources, claims = [], [], []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            kind, _, body = line[2:].partition('":')
            if kind == "claim":
                claims.append(Claim.model_validate_json(body[:-2]))
            elif kind == "entity":
                entities.append(Entity.model_validate_json(body[:-2]))
            else:
                sources.append(Source.model_validate_json(body[:-2]))
    return Batch.model_construct(entities=entities, sources=sources, claims=claims)


def work(step: str, arguments: list[str]) -> dict[str, float]:
    """What one step measures."""
    ontology = load_ontology()
    if step == "build":
        batch = read_data(Path(arguments[0]))
        path = Path(arguments[1])
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        start = time.perf_counter()
        SqliteStore(ontology, path).upsert(batch)
        return {"seconds": time.perf_counter() - start}
    if step == "reopen":
        before = rss_mb()
        start = time.perf_counter()
        store = SqliteStore(ontology, Path(arguments[0]))
        store.neighbourhood(arguments[1])
        seconds = time.perf_counter() - start
        gc.collect()
        return {"seconds": seconds, "rss_mb": rss_mb(), "rss_before_mb": before}
    if step == "networkx":
        import networkx as nx  # noqa: PLC0415 (the baseline only)

        before = rss_mb()
        batch = read_data(Path(arguments[0]))
        start = time.perf_counter()
        graph = nx.MultiDiGraph()
        for entity in batch.entities:
            graph.add_node(entity.id, entity=entity)
        for claim in batch.claims:
            graph.add_edge(claim.subject, claim.object, key=claim.id, claim=claim)
        seconds = time.perf_counter() - start
        gc.collect()
        return {"seconds": seconds, "rss_mb": rss_mb(), "rss_before_mb": before, "edges": graph.number_of_edges()}
    raise SystemExit(f"unknown step {step}")


if __name__ == "__main__":
    print(json.dumps(work(sys.argv[1], sys.argv[2:])))  # noqa: T201 - the worker's one line of output
