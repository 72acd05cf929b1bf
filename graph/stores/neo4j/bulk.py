"""A first graph into an empty local Neo4j by its bulk importer, read afterwards as if written in transactions.

Transactions write a million claims at a few thousand a second: each claim is a relationship created between
two nodes found by index, under locks, logged. ``neo4j-admin database import full`` writes the store files
directly, at hundreds of thousands of records a second, but only into a stopped server and only a whole
database. So this path is for the one case where that costs nothing: the server is the local one ``kg neo4j``
manages (Java route) and its database holds no node at all. Then: stop the server, set the empty database
aside, import the CSV pair (``graph.services.export.batch_admin_csv``), start the server, and finish the graph
as ``Neo4jStore.finish_admin_import`` does (schema, REPORTS entries linked to their claims, the import's mark
taken off). If the import fails, the empty database is put back and the server started again before the error
is raised; nothing of the import stays.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graph.domain.errors import BulkImportFailed, KgError
from graph.stores.neo4j.server import LocalServer
from graph.stores.neo4j.store import Neo4jStore


@dataclass(frozen=True)
class BulkTimes:
    """Seconds each step took, for the load's report and the benchmark."""

    seconds: dict[str, float] = field(default_factory=dict)


def refusal(server: LocalServer, store: Neo4jStore) -> str | None:
    """Why the bulk importer cannot load into this store now, or ``None`` when it can."""
    status = server.status()
    if not status.running:
        return f"the local Neo4j in {server.home} is not running"
    if status.method != "java":
        return f"the local Neo4j runs under {status.method}; the importer runs beside a server started with Java"
    if not store.is_empty():
        return "the database holds a graph already (the importer replaces a whole database)"
    return None


def import_into_empty(server: LocalServer, store: Neo4jStore, nodes: Path, relationships: Sequence[Path], *,
                      array_delimiter: str) -> BulkTimes:
    """Import the CSV (``relationships``: one group, the file with the header first) into the empty database of the
    running local server, then finish the graph.

    Raises ``BulkImportFailed`` naming the step that failed; up to and including the import, the database is
    then as it was (empty) and the server running again.
    """
    why = refusal(server, store)
    if why is not None:
        raise BulkImportFailed("check", f"cannot bulk-import into {store.address}: {why}")
    times: dict[str, float] = {}
    start = time.perf_counter()
    try:
        server.stop()
        aside = server.set_aside(store.database)
    except KgError as error:
        raise BulkImportFailed("stop", f"could not stop the local Neo4j for the import: {error.message}") from error
    times["stop"] = time.perf_counter() - start
    start = time.perf_counter()
    try:
        server.admin_import([nodes], [relationships], database=store.database, array_delimiter=array_delimiter)
    except BaseException as error:
        server.put_back(aside, store.database)
        _start(server, store)
        reason = error.message if isinstance(error, KgError) else repr(error)
        raise BulkImportFailed("import", f"neo4j-admin could not import the graph into {store.address}; the "
                                         f"database is empty as before: {reason}") from error
    times["import"] = time.perf_counter() - start
    server.discard_aside(aside)
    start = time.perf_counter()
    _start(server, store)
    times["start"] = time.perf_counter() - start
    start = time.perf_counter()
    try:
        store.finish_admin_import()
    except KgError as error:
        raise BulkImportFailed("finish", f"the graph was imported into {store.address}, but applying its schema "
                                         f"and linking its claims failed ({error.message}); the next store to "
                                         "open it tries again") from error
    times["finish"] = time.perf_counter() - start
    return BulkTimes(times)


def _start(server: LocalServer, store: Neo4jStore) -> None:
    try:
        server.start("java")
    except KgError as error:
        raise BulkImportFailed("start", f"the local Neo4j did not start again after the import: "
                                        f"{error.message}") from error
    store.reopened()
