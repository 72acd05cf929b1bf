"""The Neo4j store: the same protocol as the embedded store, on a Neo4j 5 server.

Graph shape: ``(:Entity:<Label>)`` nodes (label from the ontology's entity kind) with
``id``, ``name``, ``kind``, ``aliases``; ``(:Source)`` nodes with the report's metadata
and text; each claim a relationship of its ontology type between entities, carrying the
claim's properties; and one ``(:Source)-[:REPORTS {claim}]->(subject)`` entry per claim
(see ``cypher/schema.cypher`` for why); each incident an ``(:Incident)`` node linked to its reports' sources and to
the entities it names (``cypher/upsert_incidents.cypher``). All Cypher is in ``cypher/``, loaded by name;
every value is a parameter, and labels and types are checked against the ontology.

Reads run in read transactions and writes in write transactions, so a cluster or Aura
(``neo4j://``, ``neo4j+s://``) routes them. A neighbourhood is one Cypher query (a
breadth-first search inside the server, the names, claims and denials of what it returns
fetched at its end); a path search asks the server for the next entities a level (or an
entity) at a time, in one read transaction, and then reads the claims on the hops it keeps;
both follow the rules of ``graph.stores.traversal`` that the embedded store also
follows, so the two give the same answers.

A write that changes few rows is one transaction. A larger one (a million claims would not
fit the server's transaction memory) is a *load*: its new records are written in chunks of
``CHUNK_ROWS``, each its own transaction, marked with the load's id and invisible to readers
(every read query skips a marked record unless its load is listed as published); then one
small transaction applies its updates to existing records and publishes it; then the marks
are taken off in chunks. A load that fails before publishing is discarded, chunk by chunk,
and was never seen. ``Load`` nodes say which loads are under way, who writes each and when it
last wrote; a load whose writer died (killed mid-load: its process is gone, or it has written
nothing for ``STALE_AFTER`` seconds) is discarded if it was not yet published, or settled if it
was, by the next write (``upsert`` first calls ``recover_loads``) or by ``kg neo4j loads --recover``.

Every transaction is a managed one (``execute_read``/``execute_write``): the driver retries
transient failures (a deadlock, a leader switch, a connection lost) for at most the configured
timeout, and then the store raises ``StoreUnavailable``, so a request never hangs on a server
that is gone. Two writers creating the same new claim at once cannot both succeed (claim ids are
unique); the loser's transaction is rolled back and ``upsert`` diffs and writes again.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

from neo4j import (
    READ_ACCESS,
    Driver,
    GraphDatabase,
    ManagedTransaction,
    Query,
    Result,
    RoutingControl,
    unit_of_work,
)
from neo4j.exceptions import AuthError, ClientError, ConfigurationError, DriverError, Neo4jError

from graph.domain.errors import KgError, StoreOutOfMemory, StoreUnavailable, WriteConflict
from graph.domain.model import (
    Alias,
    Batch,
    Claim,
    ClaimView,
    Entity,
    Incident,
    Source,
    SourceRef,
    Stats,
    UpsertResult,
)
from graph.domain.ontology import Direction, Ontology
from graph.stores.base import KINDS, BaseStore, Changes, FoundPage, FoundPaths, Walk, claim_shape
from graph.stores.neo4j import procedures
from graph.stores.neo4j.cypher import query, statements
from graph.stores.protocol import (
    HUB_DEGREE,
    MAX_LINKS,
    MAX_OFFSET,
    ClaimGroups,
    ClaimQuery,
    ClaimTypeCounts,
    Coverage,
    IncidentQuery,
)
from graph.stores.rows import claim_row, entity_row, incident_row, source_row
from graph.stores.traversal import Filters, claim_matches, find_paths

_T = TypeVar("_T")
# Rows per UNWIND statement: large enough to amortise round trips, small enough for a modest heap.
BATCH_ROWS = 2_000
# A write of more changed rows than this is a load in chunks (see the module's docstring); each
# chunk is one transaction of this many rows.
CHUNK_ROWS = 20_000
SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
OUT_OF_MEMORY = ("MemoryPoolOutOfMemoryError", "OutOfMemoryError", "TransactionOutOfMemory")
# Chunks of a load in flight at once. Two let the client build one while the server writes another, but hold two
# chunks' transaction memory: at a million claims with a 4 GB heap that was refused (MemoryPoolOutOfMemoryError),
# so one unless KG_NEO4J_LOAD_WRITERS says more.
WRITERS = 1
# A load whose writer has written no chunk for this long is taken for abandoned, wherever its writer
# ran (a chunk of CHUNK_ROWS claims takes seconds); on this host a dead writer is known at once.
STALE_AFTER = 900
# How many times an upsert that lost a race for the same new claims is diffed and written again.
WRITE_ATTEMPTS = 5
# How long the driver retries a transaction that failed for a transient reason, by default.
RETRY_SECONDS = 10.0
# How many entities, in id order, a neighbourhood of a hub asks whether they touch it before it reads the hub's claims
# instead (cypher/neighbourhood.cypher): the scan is tried only when the hub's claims outnumber the entities enough
# that so many would hold the answer's neighbours twice over.
SCAN_NODES = 5_000
# How long finishing an imported graph waits for its new indexes to come online (a million claims take seconds).
INDEX_WAIT_SECONDS = 1800


def connect(uri: str, user: str, password: str | None, *, timeout: float = RETRY_SECONDS) -> Driver:
    """A driver for ``uri``; creating it does not touch the network, so errors surface on first use.

    ``timeout`` bounds the driver's retries of a managed transaction (its default is 30 s): with the
    server gone, a request is answered "unavailable" within that time rather than after it.
    """
    scheme = uri.split("://", 1)[0] if "://" in uri else ""
    if scheme not in SCHEMES:
        raise StoreUnavailable(f"cannot use Neo4j URI {uri!r}: the scheme must be one of "
                               f"{', '.join(s + '://' for s in SCHEMES)}")
    if not password:
        raise StoreUnavailable(f"no password for Neo4j at {uri}: set NEO4J_PASSWORD")
    try:
        # The store's queries are fixed; the server's notifications about them are noise in logs.
        return GraphDatabase.driver(uri, auth=(user, password or ""), notifications_min_severity="OFF",
                                    connection_timeout=min(10.0, timeout), max_transaction_retry_time=timeout,
                                    connection_acquisition_timeout=max(timeout, 10.0), max_connection_pool_size=64)
    except (ConfigurationError, ValueError) as error:
        raise StoreUnavailable(f"cannot use Neo4j URI {uri!r}: {error}") from error


class Neo4jStore(BaseStore):
    """Graph store on a Neo4j server, through a driver created once and passed in."""

    def __init__(self, driver: Driver, ontology: Ontology, *, database: str = "neo4j",
                 timeout: float | None = None, uri: str | None = None, chunk_rows: int = CHUNK_ROWS,
                 writers: int = WRITERS, procedures: bool | None = None) -> None:
        """``procedures``: ``None`` asks the server once whether it holds this build of the project's procedures;
        ``False`` answers in Cypher alone whatever it holds (tests and benchmarks compare the two)."""
        super().__init__(ontology)
        self._driver = driver
        self._uri = uri or "the configured Neo4j server"
        self._database = database
        self._timeout = timeout
        self._chunk_rows = chunk_rows
        self._writers = writers
        self._schema_ready = False
        self._verified = False
        self._symmetric = sorted(name for name, rel in ontology.relation_types.items() if rel.symmetric)
        self._relation_types = sorted(ontology.relation_types)
        self._procedures = procedures  # None until asked, on the first walk or path search

    @property
    def address(self) -> str:
        """Where the store points, for error messages."""
        return f"{self._uri} (database {self._database!r})"

    # --- transactions -------------------------------------------------------------------

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn driver failures into the store's own errors, named for what they are."""
        where = self.address
        try:
            yield
        except KgError:
            raise
        except AuthError as error:
            raise StoreUnavailable(f"Neo4j at {where} refused the credentials: {(error.message or '').rstrip('.')}. "
                                   "Check NEO4J_USER and NEO4J_PASSWORD.") from error
        except Neo4jError as error:
            code = error.code or ""
            if any(name in code for name in OUT_OF_MEMORY):
                raise StoreOutOfMemory(
                    f"Neo4j at {where} refused a transaction for lack of memory ({code}: {error.message}); "
                    "the server is reachable. Give it more heap (dbms.memory.transaction.total.max is a share "
                    "of it), or write in smaller loads.", details={"code": code}) from error
            if "ConstraintValidationFailed" in code:
                raise WriteConflict(f"another writer to Neo4j at {where} created the same records at the same "
                                    f"moment ({error.message}); nothing of this write was kept, try again") from error
            if "DatabaseNotFound" in code:
                raise StoreUnavailable(f"Neo4j at {where}: no such database; check NEO4J_DATABASE") from error
            if "TransactionTimedOut" in code:
                raise StoreUnavailable(f"a query to Neo4j at {where} ran past the {self._timeout} s timeout "
                                       "(KG_QUERY_TIMEOUT); narrow it (fewer hops, types, a date window)") from error
            if isinstance(error, ClientError):
                raise StoreUnavailable(f"Neo4j at {where} rejected a query: {code}: {error.message}") from error
            raise StoreUnavailable(f"Neo4j at {where} failed: {code}: {error.message}") from error
        except (DriverError, OSError) as error:
            raise StoreUnavailable(f"cannot reach Neo4j at {where}: {error}") from error

    def _connect(self) -> None:
        """Check the server once before the first query: an unreachable server or a wrong password then
        fails at once with a clear message, instead of after the driver's retries. A graph that
        ``neo4j-admin database import`` wrote is finished then (``finish_admin_import``)."""
        if self._verified:
            return
        pending = self._verify()
        self._verified = True  # before finishing, whose queries come back through here
        if pending:
            try:
                self.finish_admin_import()
            except BaseException:
                self._verified = False  # the next query tries again
                raise

    def finish_admin_import(self) -> None:
        """Make a graph imported by ``neo4j-admin`` (``kg export --format admin-csv``) what a ``kg load`` leaves.

        The importer writes nodes and relationships but cannot know the element ids the REPORTS entries keep
        (``rel``, how a claim is found by id), nor create constraints and indexes. The CSV marks the graph
        (``GraphMeta.unlinked``); the first store to open it applies the schema and links the claims, a chunk per
        transaction, then takes the mark off. Running it again does nothing more.
        """
        self._ensure_schema()
        with self._guard(), self._driver.session(database=self._database) as session:
            # The link seeks each entry by the claim_id index, which must be online first (a fresh import builds it).
            session.run("CALL db.awaitIndexes($seconds)", {"seconds": INDEX_WAIT_SECONDS}).consume()
            session.run(query("link_claims"), {"rows": self._chunk_rows}).consume()
        self._write_tx(lambda tx: _rows(tx, "import_linked", {}))

    @property
    def database(self) -> str:
        """The database's name on its server."""
        return self._database

    def is_empty(self) -> bool:
        """Whether the database holds no node at all (the server's count store answers; nothing is read)."""
        return int(self._read_one("node_count")[0]["nodes"]) == 0

    def reopened(self) -> None:
        """Forget what this store knew of its server (checked, schema applied, names cached): the server was
        restarted under it and its database replaced (the bulk importer), so the next use checks again."""
        self._verified = False
        self._schema_ready = False
        with self._names_lock:
            self._names = None
            self._names_revision = -1

    def _read(self, work: Callable[[ManagedTransaction], _T]) -> _T:
        self._connect()
        # Read mode twice over: the session's default and the transaction function. Neo4j refuses
        # any write in it, so a read can never change the graph, whatever its Cypher says.
        with self._guard(), self._driver.session(database=self._database, default_access_mode=READ_ACCESS) as session:
            return session.execute_read(unit_of_work(timeout=self._timeout)(work))

    def _write_tx(self, work: Callable[[ManagedTransaction], _T]) -> _T:
        # No timeout on writes: a chunk of a load must not be cut off by a limit meant for reads.
        self._ensure_schema()
        with self._guard(), self._driver.session(database=self._database) as session:
            return session.execute_write(work)

    def _read_one(self, name: str, **parameters: Any) -> list[dict[str, Any]]:
        """One read statement in a read transaction of its own, in fewer round trips than ``_read``.

        ``execute_query`` sends BEGIN with the statement (a session's ``execute_read`` waits for BEGIN's answer
        first: a round trip more, a fifth of an API request's time), retries transient failures as ``_read``
        does, and refuses writes the same way (read access). No bookmark manager: the store talks to one server
        or a cluster's routing, and its writes are committed before their transaction function returns, so a
        later read sees them; the driver's shared manager would only serialise every read on its lock.
        """
        return self._read_records(name, parameters, Result.data)

    def _read_plain(self, name: str, **parameters: Any) -> list[dict[str, Any]]:
        """``_read_one`` for a query that returns only maps, lists and scalars (no nodes or relationships): its
        records are taken as they come. ``Record.data`` would copy every value again, in Python, for nothing
        (7 % of a neighbourhood request's time, measured)."""
        return self._read_records(name, parameters, _plain_records)

    def _read_records(self, name: str, parameters: dict[str, Any],
                      transform: Callable[[Result], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        self._connect()
        with self._guard():
            return self._driver.execute_query(
                Query(_statement(name, parameters), timeout=self._timeout), parameters,
                database_=self._database, routing_=RoutingControl.READ, bookmark_manager_=None,
                result_transformer_=transform)

    def _read_command(self, name: str) -> list[dict[str, Any]]:
        """A named administration command (``SHOW …``) in read access: sent as written, since a command takes no
        clause before it (every statement goes through ``_statement``)."""
        self._connect()
        with self._guard():
            return self._driver.execute_query(
                Query(query(name), timeout=self._timeout), database_=self._database, routing_=RoutingControl.READ,
                bookmark_manager_=None, result_transformer_=_plain_records)

    def _ensure_schema(self) -> None:
        """Apply ``cypher/schema.cypher`` once per store object; every statement is idempotent."""
        if self._schema_ready:
            return
        self._connect()
        with self._guard(), self._driver.session(database=self._database) as session:
            for statement in statements("schema"):
                session.run(statement).consume()
        self._schema_ready = True

    def verify(self) -> None:
        """Fail now, with the server named, if the server cannot be reached or refuses the login."""
        self._verify()

    def _verify(self) -> bool:
        """``verify``, and in the same read session whether the graph is an admin import still to finish."""
        with self._guard():
            self._driver.verify_connectivity()
            with self._driver.session(database=self._database, default_access_mode=READ_ACCESS) as session:
                session.run(query("revision")).consume()
                row = session.run(query("import_pending")).single()
        return bool(row is not None and row["pending"])

    def close(self) -> None:
        """Close the driver (the store owns nothing else)."""
        self._driver.close()

    def clear(self) -> None:
        """Delete everything in the database: for tests and `kg neo4j reset`, never for a load."""
        self._connect()
        with self._guard(), self._driver.session(database=self._database) as session:
            # Relationships first, in batches: a hub's DETACH DELETE would take its every claim into one transaction.
            session.run(query("clear_relationships")).consume()
            session.run(query("clear")).consume()
        with self._names_lock:
            self._names = None
            self._names_revision = -1

    def revision(self) -> int:
        """A counter that grows with every write that changed something."""
        rows = self._read_one("revision")
        return int(rows[0]["revision"])

    # --- writes -----------------------------------------------------------------------

    def upsert(self, batch: Batch, *, remove_incidents: Iterable[str] = ()) -> UpsertResult:
        """Merge a batch all-or-nothing (see ``BaseStore.upsert``), after cleaning up loads whose writer died.

        Losing a race for the same new claims to another writer rolls this write back whole; it is then
        diffed again (what the other wrote now reads as there) and written, a few times at most.
        """
        self.recover_loads()
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                return super().upsert(batch, remove_incidents=remove_incidents)
            except WriteConflict:
                if attempt == WRITE_ATTEMPTS:
                    raise
                time.sleep(random.uniform(0.05, 0.2) * attempt)  # noqa: S311 - jitter, not a secret
        raise AssertionError("unreachable")  # pragma: no cover

    def _write(self, changes: Changes) -> None:
        """One transaction for a small write; a load in chunks, published at once, for a large one."""
        created, updated = changes.created, changes.updated
        rows = sum(len(getattr(b, k)) for b in (created, updated) for k in KINDS)
        removed = changes.removed_incidents
        if rows <= self._chunk_rows:
            def work(tx: ManagedTransaction) -> None:
                revision = _bump(tx)
                self._write_records(tx, created, revision, load=None)
                self._write_records(tx, updated, revision, load=None, replace=True)
                _remove_incidents(tx, removed)

            self._write_tx(work)
            return
        self.write_load(changes)

    def write_load(self, changes: Changes) -> None:
        """Write changes as a load in chunks (see the module's docstring); nothing is seen unless all is."""
        created, updated = changes.created, changes.updated
        rows = sum(len(getattr(b, k)) for b in (created, updated) for k in KINDS)
        load = self.begin_load(rows)
        try:
            # Kind by kind (claims need their entities and sources written), each kind's chunks ``writers`` at a
            # time; the first failure stops the rest and the load is discarded.
            for kind in KINDS:
                parts = [part for part in _split(created, self._chunk_rows) if getattr(part, kind)]
                with ThreadPoolExecutor(max_workers=min(self._writers, len(parts) or 1)) as pool:
                    futures = [pool.submit(self.write_chunk, load, part) for part in parts]
                    try:
                        for future in futures:
                            future.result()
                    except BaseException:
                        for future in futures:
                            future.cancel()
                        raise
            self.publish_load(load, updated, changes.removed_incidents)
        except BaseException:
            with contextlib.suppress(KgError):
                self.discard_load(load)
            raise
        self.settle_load(load)

    def begin_load(self, rows: int) -> str:
        """Start a load: a ``Load`` node naming it and its writer; returns its id."""
        load = f"load-{uuid.uuid4().hex[:16]}"
        self._write_tx(lambda tx: _rows(tx, "load_begin", {"load": load, "rows": rows, "writer": writer_id()}))
        return load

    def write_chunk(self, load: str, records: Batch) -> None:
        """Write new records as part of a load, in one transaction, invisible to readers until it is published; then
        say the writer is alive (a transaction of its own, so chunks written at once do not queue on the load's
        node)."""
        self._write_tx(lambda tx: self._write_records(tx, records, None, load=load))
        self._write_tx(lambda tx: _rows(tx, "load_beat", {"load": load}))

    def publish_load(self, load: str, updated: Batch, removed_incidents: Sequence[str] = ()) -> None:
        """In one transaction: apply the load's changes to existing records, remove the incidents it removes, and
        make all it wrote visible."""
        def publish(tx: ManagedTransaction) -> None:
            revision = _bump(tx)
            self._write_records(tx, updated, revision, load=None, replace=True)
            _remove_incidents(tx, removed_incidents)
            _rows(tx, "load_publish", {"load": load, "rev": revision})

        self._write_tx(publish)

    def loads(self) -> list[dict[str, Any]]:
        """The loads under way or left behind (``id``, ``state``, ``started``, ``rows``, ``writer``, ``age``: seconds
        since its writer last wrote, and ``abandoned``: whether its writer is known to be gone)."""
        return [{**row["load"], "abandoned": abandoned(row["load"])} for row in self._read_one("loads")]

    def recover_loads(self) -> list[dict[str, Any]]:
        """Settle the published loads and discard the unpublished ones whose writer died; return what was done.

        A load under way by a live writer is left alone. Each abandoned load is first taken over (its
        ``writer`` becomes this process), so two processes never clean up the same load at once.
        """
        done = []
        for load in self.loads():
            if not load["abandoned"]:
                continue
            taken = self._write_tx(lambda tx, load=load: _rows(  # type: ignore[misc]
                tx, "load_take", {"load": load["id"], "writer": load["writer"], "me": writer_id()}))
            if not taken:
                continue  # another process took it first
            if taken[0]["state"] == "published":
                self.settle_load(load["id"])
                done.append({**load, "outcome": "settled"})
            else:
                self.discard_load(load["id"])
                done.append({**load, "outcome": "discarded"})
        return done

    def settle_load(self, load: str) -> None:
        """Take a published load's marks off its records, a chunk per transaction, then forget it."""
        for name in ("load_settle_claims", "load_settle_nodes"):
            while self._write_tx(lambda tx, name=name: _count(tx, name, load, self._chunk_rows)):  # type: ignore[misc]
                pass
        self._write_tx(lambda tx: _rows(tx, "load_done", {"load": load}))

    def discard_load(self, load: str) -> None:
        """Delete what an unpublished load wrote, a chunk per transaction, then forget it."""
        for name in ("load_discard_claims", "load_discard_nodes"):
            while self._write_tx(lambda tx, name=name: _count(tx, name, load, self._chunk_rows)):  # type: ignore[misc]
                pass
        self._write_tx(lambda tx: _rows(tx, "load_done", {"load": load}))

    def _write_records(self, tx: ManagedTransaction, batch: Batch, revision: int | None, *, load: str | None,
                       replace: bool = False) -> None:
        for chunk in _chunks([entity_row(e, self._ontology, revision, load) for e in batch.entities]):
            tx.run(query("upsert_entities"), {"entities": chunk}).consume()
        for chunk in _chunks([source_row(s, load) for s in batch.sources]):
            tx.run(query("upsert_sources"), {"sources": chunk}).consume()
        if replace:
            for ids in _chunks([c.id for c in batch.claims]):
                tx.run(query("delete_claims"), {"ids": ids}).consume()
        for chunk in _chunks([claim_row(c, load) for c in batch.claims]):
            written = tx.run(query("create_claims"), {"claims": chunk}).single()
            if written is None or written["written"] != len(chunk):
                raise KgError("refusing an inconsistent write: a claim's subject, object or source is missing")
        for chunk in _chunks([incident_row(i, load) for i in batch.incidents]):
            tx.run(query("upsert_incidents"), {"incidents": chunk}).consume()

    # --- entities and sources -----------------------------------------------------------

    def _fingerprints(self, kind: str, ids: Sequence[str]) -> dict[str, str | None]:
        name = {"entities": "entity_fingerprints", "sources": "source_fingerprints", "claims": "claim_fingerprints",
                "incidents": "incident_fingerprints"}
        return {row["id"]: row["fp"] for row in self._read_one(name[kind], ids=list(ids))}

    def _entities_by_id(self, ids: Sequence[str]) -> list[Entity]:
        return [_entity_from(row["entity"]) for row in self._read_one("entities_by_id", ids=list(ids))]

    def _entities_since(self, revision: int) -> list[Entity]:
        return [_entity_from(row["entity"]) for row in self._read_one("entities_since", since=revision)]

    def entities(self) -> list[Entity]:
        """Every entity, ordered by id."""
        return self.list_entities(limit=None)

    def list_entities(self, *, kind: str | None = None, limit: int | None = 50, offset: int = 0) -> list[Entity]:
        """One page of entities (of a kind), ordered by id; ``limit=None`` for all."""
        return [_entity_from(row["entity"]) for row in self._read_one("entities", kind=kind, limit=limit,
                                                                        offset=min(offset, MAX_OFFSET))]

    def count_entities(self, kind: str | None = None) -> int:
        """How many entities (of a kind)."""
        return int(self._read_one("entity_count", kind=kind)[0]["count"])

    def _sources_by_id(self, ids: Sequence[str]) -> list[Source]:
        return [_source_from(row["source"]) for row in self._read_one("sources_by_id", ids=list(ids))]

    def _source_refs_by_id(self, ids: Sequence[str]) -> list[SourceRef]:
        return [SourceRef.model_validate(row["source"]) for row in self._read_one("source_refs_by_id", ids=list(ids))]

    def sources(self) -> list[Source]:
        """Every source, ordered by id."""
        return self.list_sources(limit=None)

    def list_sources(self, *, limit: int | None = 50, offset: int = 0) -> list[Source]:
        """One page of sources, ordered by id; ``limit=None`` for all."""
        return [_source_from(row["source"]) for row in self._read_one("sources", limit=limit,
                                                                        offset=min(offset, MAX_OFFSET))]

    def count_sources(self) -> int:
        """How many sources."""
        return int(self._read_one("source_count")[0]["count"])

    def _coverage(self, entity_id: str, top: int) -> Coverage:
        """One query: the server counts the entity's claims by report, sums them and keeps the top reports."""
        rows = self._read_one("coverage", id=entity_id, top=top)
        if not rows or not rows[0]["claims"]:
            return Coverage(entity_id)
        row = rows[0]
        return Coverage(entity_id, claims=int(row["claims"]), reports=int(row["reports"]), first=row["first"],
                        last=row["last"], top=tuple((r["source"], int(r["claims"])) for r in row["top"]))

    def _relation_sources(self, triples: Sequence[tuple[str, str, str]]) -> list[tuple[str, str, str, str]]:
        wanted = [{"subject": s, "type": t, "object": o} for s, t, o in triples]
        return [(row["subject"], row["type"], row["object"], row["source"])
                for row in self._read_one("relation_sources", triples=wanted)]

    def _claim_counts(self, source_ids: Sequence[str]) -> dict[str, int]:
        return {row["id"]: row["claims"] for row in self._read_one("claim_counts", ids=list(source_ids))}

    # --- claims -------------------------------------------------------------------------

    def count_claims(self) -> int:
        """How many claims (Neo4j's count of REPORTS entries, kept by the server; a load under way counts)."""
        return int(self._read_one("claim_count")[0]["count"])

    def _claims_by_id(self, ids: Sequence[str]) -> list[Claim]:
        return [_claim_from(row) for row in self._read_one("claims_by_id", ids=list(ids))]

    def _denials(self, ids: Sequence[str]) -> dict[str, list[str]]:
        return {row["id"]: row["denied_by"] for row in self._read_one("denials_of", ids=list(ids))}

    def _denied_ids(self) -> list[str]:
        return [row["id"] for row in self._read_one("denied_ids")]

    def _find_claims(self, query: ClaimQuery) -> list[Claim]:
        if query.incident is not None:
            # An incident's claims are few: one seek on the REPORTS entries' incident index, filtered here.
            rows = self._read_one("claims_of_incident", incident=query.incident)
            return [c for c in map(_claim_from, rows) if claim_matches(c, query, self._ontology)]
        since, until = Filters.of(None, None, query.window, 0.0).day_bounds()
        filters = {"types": list(query.types) if query.types is not None else None,
                   "statuses": list(query.statuses) if query.statuses is not None else None,
                   "source": query.source, "min_confidence": query.min_confidence, "since": since, "until": until}
        anchor = query.subject if query.subject is not None else query.object
        if anchor is None:
            rows = self._read_one("claims", location=query.location, asserted_by=query.asserted_by, **filters)
        else:
            rows = self._read_one("claims_touching", anchor=anchor, **filters)
        return [c for c in map(_claim_from, rows) if claim_matches(c, query, self._ontology)]

    # --- incidents --------------------------------------------------------------------

    def _incidents_by_id(self, ids: Sequence[str]) -> list[Incident]:
        return [Incident.model_validate_json(row["body"]) for row in self._read_one("incidents_by_id", ids=list(ids))]

    def _find_incidents(self, query: IncidentQuery) -> list[Incident]:
        rows = self._read_one("incidents", **_incident_parameters(query), offset=min(query.offset, MAX_OFFSET),
                              limit=query.limit)
        return [Incident.model_validate_json(row["body"]) for row in rows]

    def _count_incidents(self, query: IncidentQuery) -> int:
        return int(self._read_one("incident_count", **_incident_parameters(query))[0]["count"])

    def _incident_timeline_rows(self, query: IncidentQuery, width: int) -> list[tuple[str | None, str, int]]:
        """One query: the server groups the matching incidents by (date cut to the width, type) and counts."""
        rows = self._read_one("incident_timeline", **_incident_parameters(query), width=width)
        return [(row["cut"], row["type"], int(row["count"])) for row in rows]

    def _claim_parameters(self, query: ClaimQuery) -> dict[str, Any]:
        """A claim query's filters as the parameters of claim_page, claim_timeline and claim_groups (and their
        ``_touching`` forms)."""
        since, until = Filters.of(None, None, query.window, 0.0).day_bounds()
        return {"types": list(query.types) if query.types is not None else None,
                "statuses": list(query.statuses) if query.statuses is not None else None,
                "source": query.source, "location": query.location, "asserted_by": query.asserted_by,
                "min_confidence": query.min_confidence, "since": since, "until": until,
                "undisputed": query.disputed is False}

    def _read_matching(self, names: tuple[str, str], query: ClaimQuery, actor: str | None = None,
                       **parameters: Any) -> list[dict[str, Any]]:
        """A named query run over the claims matching ``query``: the first of ``names`` (from the REPORTS entries)
        when no entity anchors it, else the second (from the anchor's relationships), ``actor`` at either end."""
        name, touching = names
        parameters.update(self._claim_parameters(query))
        anchor = query.subject if query.subject is not None else query.object if query.object is not None else actor
        if anchor is None:
            return self._read_one(name, **parameters)
        return self._read_one(touching, anchor=anchor, subject=query.subject, object=query.object,
                              actor=actor, symmetric=self._symmetric, **parameters)

    def _claim_page(self, query: ClaimQuery, limit: int, offset: int) -> FoundPage:
        """One query: the server filters, counts, orders by id and sends the page with its denials (an incident's
        claims, which are few, are read through their index and paged here)."""
        if query.incident is not None:
            found = sorted(self._find_claims(query), key=lambda c: c.id)
            denials = self._denials([c.id for c in found])
            if query.disputed is False:
                found = [c for c in found if not denials.get(c.id)]
            page = found[offset:offset + limit]
            return FoundPage(page, len(found), {c.id: denials[c.id] for c in page if denials.get(c.id)})
        parameters = {**self._claim_parameters(query), "offset": offset, "limit": limit}
        anchor = query.subject if query.subject is not None else query.object
        if anchor is None:
            rows = self._read_one("claim_page", **parameters)
        else:
            rows = self._read_one("claim_page_touching", anchor=anchor, subject=query.subject, object=query.object,
                                  symmetric=self._symmetric, **parameters)
        row = rows[0]
        # The day bounds are ``DateWindow.admits`` at the precision of days (undated claims out), as the
        # embedded store's arrays apply them: nothing is filtered after the count, so the count is the page's.
        page = sorted(map(_claim_from, row["page"]), key=lambda c: c.id)
        return FoundPage(page, int(row["total"]),
                         {item["claim"]["id"]: item["denied_by"] for item in row["page"] if item["denied_by"]})

    def _timeline_rows(self, query: ClaimQuery, width: int, actor: str | None) -> list[tuple[str | None, str, int]]:
        """One query: the server groups the matching claims by (date cut to the width, type) and counts."""
        rows = self._read_matching(("claim_timeline", "claim_timeline_touching"), query, actor,
                                   width=width)
        return [(row["cut"], row["type"], int(row["count"])) for row in rows]

    def _group_page(self, query: ClaimQuery, limit: int, offset: int) -> ClaimGroups:
        """One query: the server groups the matching claims into relations and sends a page of their ids."""
        row = self._read_matching(("claim_groups", "claim_groups_touching"), query, offset=offset,
                                 limit=limit)[0]
        return ClaimGroups([sorted(ids) for ids in row["page"]], int(row["total"]))

    def _type_counts(self, entity_id: str) -> ClaimTypeCounts:
        """One query: the server counts the entity's claims by type, each way."""
        rows = self._read_one("claim_type_counts", id=entity_id)
        if not rows:
            return ClaimTypeCounts({}, {}, 0)
        row = rows[0]
        return ClaimTypeCounts({t: int(n) for t, n in row["outgoing"]}, {t: int(n) for t, n in row["incoming"]},
                               int(row["total"]))

    def claim_pairs(self) -> list[tuple[str, str, int]]:
        """The adjacency, aggregated in the server."""
        return [(row["subject"], row["object"], int(row["claims"])) for row in self._read_one("claim_pairs")]

    def keep_candidates(self, kept: Mapping[str, list[dict[str, Any]]]) -> None:
        """One ``ReportCandidates`` node per report (``cypher/keep_candidates.cypher``), a batch in one write."""
        if not kept:
            return
        rows = [{"source": source, "names": json.dumps(names, ensure_ascii=False)} for source, names in kept.items()]
        for chunk in _chunks(rows):
            def work(tx: ManagedTransaction, chunk: list[dict[str, str]] = chunk) -> None:
                tx.run(query("keep_candidates"), {"reports": chunk}).consume()

            self._write_tx(work)

    def candidates_of(self, source_id: str) -> list[dict[str, Any]] | None:
        """The node kept for the report, if any."""
        rows = self._read_one("candidates_of", source=source_id)
        if not rows:
            return None
        kept: list[dict[str, Any]] = json.loads(rows[0]["names"])
        return kept

    # --- traversals ---------------------------------------------------------------------

    def _filter_parameters(self, filters: Filters) -> dict[str, Any]:
        since, until = filters.day_bounds()
        return {"types": sorted(filters.types) if filters.types is not None else None,
                "statuses": sorted(filters.statuses) if filters.statuses is not None else None,
                "min_confidence": filters.min_confidence, "since": since, "until": until,
                "symmetric": self._symmetric}

    def _walk(self, center: str, depth: int, filters: Filters, direction: Direction, max_nodes: int) -> Walk | None:
        if self.has_procedures():
            parameters = self._filter_parameters(filters)
            if parameters["types"] is None:
                parameters["types"] = self._relation_types  # claims read by their types: see walk.cypher
            rows = self._read_plain("walk", center=center, depth=depth, direction=direction, hub_degree=HUB_DEGREE,
                                    max_nodes=max_nodes, max_links=MAX_LINKS, **parameters)
        else:
            rows = self._read_plain("neighbourhood", center=center, depth=depth, direction=direction,
                                    hub_degree=HUB_DEGREE, max_nodes=max_nodes, max_links=MAX_LINKS,
                                    scan_nodes=SCAN_NODES, **self._filter_parameters(filters))
        if not rows:
            return None
        row = rows[0]
        # The query sends what a subgraph node shows (id, name, kind), not the entities' aliases and descriptions.
        entities = {n["entity"]["id"]: Entity(**n["entity"]) for n in row["nodes"]}
        # Claims stay rows, in their JSON shape: the API serialises them as they are, and only an answer
        # returned as models validates them (``Walk.views``).
        shapes = [claim_shape(link["claim"], link["subject"], link["type"], link["object"], link["denied_by"] or ())
                  for link in row["links"]]
        # The server returns what passes the filters at the precision of days; the window's rule
        # for undated claims is checked once more here, as the embedded store applies it.
        return Walk(depths={n["entity"]["id"]: n["depth"] for n in row["nodes"]}, entities=entities, claims=[],
                    denials={}, truncated=row["truncated"],
                    shapes=[shape for shape in shapes if filters.admits_shape(shape)])

    def has_procedures(self) -> bool:
        """Whether the server holds this build of the project's procedures (a server ``kg neo4j start`` runs does),
        which walk a neighbourhood and search paths inside it; a server without them is asked in Cypher alone (a
        path level by level), with the same answers."""
        if self._procedures is None:
            build = procedures.digest()
            held = {row["name"] for row in self._read_command("procedures") if build in row["description"]}
            self._procedures = held >= procedures.NAMES
        return self._procedures

    def _paths(self, source: str, target: str, *, max_hops: int, k: int, filters: Filters,
               directed: bool) -> FoundPaths:
        if self.has_procedures():
            return self._paths_in_server(source, target, max_hops=max_hops, k=k, filters=filters, directed=directed)
        return self._paths_by_levels(source, target, max_hops=max_hops, k=k, filters=filters, directed=directed)

    def _paths_in_server(self, source: str, target: str, *, max_hops: int, k: int, filters: Filters,
                         directed: bool) -> FoundPaths:
        types = sorted(filters.types) if filters.types is not None else self._relation_types
        row = self._read_plain("paths", source=source, target=target, max_hops=max_hops, k=k, directed=directed,
                               symmetric=self._symmetric, types=types,
                               statuses=sorted(filters.statuses) if filters.statuses is not None else None)[0]
        ranked = [list(ids) for ids in row["paths"]]
        hops: dict[tuple[str, str], list[Claim]] = {(a, b): [] for ids in ranked for a, b in pairwise(ids)}
        denials: dict[str, list[str]] = {}
        for hop in row["hops"]:
            claim = _claim_from(hop)
            hops[(hop["pair"][0], hop["pair"][1])].append(claim)
            if hop["denied_by"]:
                denials[claim.id] = hop["denied_by"]
        return FoundPaths(paths=ranked, hops=hops, denials=denials, missing=row["missing"])

    def _paths_by_levels(self, source: str, target: str, *, max_hops: int, k: int, filters: Filters,
                         directed: bool) -> FoundPaths:
        parameters = {"source": source, "target": target, "max_hops": max_hops, "directed": directed,
                      "symmetric": self._symmetric,
                      "types": sorted(filters.types) if filters.types is not None else None,
                      "statuses": sorted(filters.statuses) if filters.statuses is not None else None}

        def work(tx: ManagedTransaction) -> FoundPaths:
            def steps(way: str) -> Callable[[list[str]], dict[str, list[str]]]:
                def ask(ids: list[str]) -> dict[str, list[str]]:
                    rows = _rows(tx, "steps", {"ids": ids, "direction": way, "symmetric": self._symmetric,
                                               "types": parameters["types"], "statuses": parameters["statuses"]})
                    return {row["id"]: row["next"] for row in rows}
                return ask

            ranked = find_paths(source, target, max_hops=max_hops, k=k,
                                forward=steps("out" if directed else "both"),
                                backward=steps("in" if directed else "both"))
            pairs = sorted({(a, b) for nodes in ranked for a, b in pairwise(nodes)})
            hops: dict[tuple[str, str], list[Claim]] = {pair: [] for pair in pairs}
            denials: dict[str, list[str]] = {}
            if pairs:
                rows = _rows(tx, "hop_claims", {"pairs": [list(p) for p in pairs], "directed": directed,
                                                "symmetric": self._symmetric, "types": parameters["types"],
                                                "statuses": parameters["statuses"]})
                for row in rows:
                    claim = _claim_from(row)
                    hops[(row["pair"][0], row["pair"][1])].append(claim)
                    if row["denied_by"]:
                        denials[claim.id] = row["denied_by"]
            return FoundPaths(paths=ranked, hops=hops, denials=denials)

        return self._read(work)

    def stats(self) -> Stats:
        """Counts by kind, type and status."""
        row = self._read_one("stats")[0]
        return Stats(
            entities=row["entities"], sources=row["sources"], claims=sum(n for _, n in row["claims_by_type"]),
            disputed_claims=row["disputed_claims"], incidents=row["incidents"],
            entities_by_kind=dict(sorted((k, n) for k, n in row["entities_by_kind"])),
            claims_by_type=dict(sorted((k, n) for k, n in row["claims_by_type"])),
            claims_by_status=dict(sorted((k, n) for k, n in row["claims_by_status"])),
        )


# --- who writes a load -------------------------------------------------------------------

def writer_id(pid: int | None = None) -> str:
    """``host:pid:start``: the process writing a load, with its start time (in clock ticks since boot), so a
    process id the system has since given to another process is not taken for the writer."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_process_start(pid) or 0}"


def abandoned(load: dict[str, Any]) -> bool:
    """Whether a load's writer is gone: silent for ``STALE_AFTER`` seconds, or a process of this host that no longer
    runs (or whose id now belongs to a process started later)."""
    if int(load.get("age") or 0) >= STALE_AFTER:
        return True
    host, _, rest = str(load.get("writer") or "").partition(":")
    if host != socket.gethostname():
        return False
    pid_text, _, start_text = rest.partition(":")
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    if pid == os.getpid():
        return False
    start = _process_start(pid)
    if start is None:
        return not _process_exists(pid)
    return start_text not in ("", "0") and start_text != str(start)


def _process_start(pid: int) -> int | None:
    """A process's start time in clock ticks since boot (Linux's /proc), or None when it is not known or gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] == "Z":
        return None  # a zombie has exited; only its parent has not collected it yet
    return int(fields[19])


def _process_exists(pid: int) -> bool:
    if Path("/proc").is_dir():
        return False  # /proc knows every process of this system, and it does not know this one
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- rows to models ---------------------------------------------------------------------

def _rows(tx: ManagedTransaction, name: str, parameters: dict[str, Any]) -> list[dict[str, Any]]:
    return tx.run(_statement(name, parameters), parameters).data()


def _plain_records(result: Result) -> list[dict[str, Any]]:
    keys = result.keys()
    return [dict(zip(keys, record, strict=True)) for record in result]


def _statement(name: str, parameters: dict[str, Any]) -> str:
    """The Cypher of the named query: every statement the store runs by name comes through here (a test puts a
    write in front of each to show that reads refuse it)."""
    return query(name)


def _bump(tx: ManagedTransaction) -> int:
    row = tx.run(query("bump_revision")).single()
    assert row is not None
    return int(row["revision"])


def _count(tx: ManagedTransaction, name: str, load: str, rows: int) -> int:
    row = tx.run(query(name), {"load": load, "rows": rows}).single()
    return int(row[0]) if row is not None else 0


def _entity_from(properties: dict[str, Any]) -> Entity:
    details = properties.get("alias_details")
    aliases = ([Alias.model_validate(a) for a in json.loads(details)] if details
               else [Alias(name=name) for name in properties.get("aliases", [])])
    return Entity(id=properties["id"], name=properties["name"], kind=properties["kind"],
                  description=properties.get("description"), aliases=aliases, parent=properties.get("parent"),
                  parent_relation=properties.get("parent_relation"), source=properties.get("source"),
                  gazetteer=properties.get("gazetteer"))


def _source_from(properties: dict[str, Any]) -> Source:
    return Source.model_validate({k: v for k, v in properties.items() if k not in ("load", "fp")})






def _claim_from(row: dict[str, Any]) -> Claim:
    # Read as a view (not yet marked disputed): answers are built from it without a copy.
    return ClaimView(**claim_shape(row["claim"], row["subject"], row["type"], row["object"], ()))




def _remove_incidents(tx: ManagedTransaction, ids: Sequence[str]) -> None:
    """Delete incidents with their links (a merge folded them into another)."""
    for chunk in _chunks(list(ids)):
        tx.run(query("delete_incidents"), {"ids": chunk}).consume()


def _incident_parameters(query: IncidentQuery) -> dict[str, Any]:
    """An incident query's filters as the parameters of incidents.cypher and incident_count.cypher."""
    since, until = Filters.of(None, None, query.window, 0.0).day_bounds()
    box = query.bbox
    return {"types": list(query.types) if query.types is not None else None, "country": query.country,
            "places": list(query.places) if query.places is not None else None, "perpetrator": query.perpetrator,
            "source": query.source, "since": since, "until": until,
            "bbox": None if box is None else {"west": box.west, "south": box.south, "east": box.east,
                                              "north": box.north}}


def _chunks(rows: list[_T]) -> Iterator[list[_T]]:
    for start in range(0, len(rows), BATCH_ROWS):
        yield rows[start:start + BATCH_ROWS]


def _split(batch: Batch, rows: int) -> Iterator[Batch]:
    """A batch in parts of at most ``rows`` records, entities first, then sources, claims and incidents."""
    for kind in KINDS:
        records = getattr(batch, kind)
        for start in range(0, len(records), rows):
            yield Batch(**{kind: records[start:start + rows]})
