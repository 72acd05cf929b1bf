"""The embedded store: SQLite on disk, the graph's shape in memory as arrays.

Zero set-up is the point, so it must still never lose what a user loaded, and it must hold a
million claims. SQLite (the standard library's, in WAL mode) is the record: one database
file, written a transaction at a time (what changed, never the whole file), atomic and
durable, with readers in other processes that never block a writer. The in-memory side is
``graph.stores.sqlite.arrays.CompactGraph``: integer ids and arrays, built from three columns of
the claims table when the store opens and kept current from each row's ``rev`` (the revision
that last wrote it) when another process writes. Claims, entities and sources are read by
id (by rowid for claims) when a question returns them.

An older data file (``graph.json``, the one-JSON-document format this store used to write)
is migrated on first open into a database beside it (``graph.sqlite``); the JSON file is left
as it was.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from graph.domain.dates import parse_optional
from graph.domain.errors import KgError, StoreUnavailable
from graph.domain.model import Batch, Claim, ClaimView, Entity, Incident, Source, SourceRef, Stats, UpsertResult
from graph.domain.ontology import Direction, Ontology
from graph.stores.base import BaseStore, Changes, FoundPage, FoundPaths, Walk, fingerprint_of, relation_key
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
from graph.stores.sqlite.arrays import ClaimRow, CompactGraph, day_span
from graph.stores.traversal import Filters, claim_matches

FILE_FORMAT = "kg-graph"
FILE_VERSION = 2  # 1 was the single JSON document
JSON_VERSION = 1
SQL_CHUNK = 900  # bound parameters per statement, under SQLite's default limit
RELOAD_AFTER = 50_000  # changed claims past which the in-memory graph is rebuilt rather than patched

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entities (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, rev INTEGER NOT NULL, fp TEXT NOT NULL,
    body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entities_rev ON entities (rev);
CREATE INDEX IF NOT EXISTS entities_kind ON entities (kind, id);
CREATE TABLE IF NOT EXISTS sources (
    id TEXT PRIMARY KEY, rev INTEGER NOT NULL, fp TEXT NOT NULL, ref TEXT NOT NULL, body TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS claims (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, rev INTEGER NOT NULL, fp TEXT NOT NULL,
    subject INTEGER NOT NULL, object INTEGER NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL,
    first_day INTEGER NOT NULL, last_day INTEGER NOT NULL, confidence REAL NOT NULL,
    source TEXT NOT NULL, denies TEXT, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS claims_rev ON claims (rev);
CREATE INDEX IF NOT EXISTS claims_source ON claims (source);
CREATE INDEX IF NOT EXISTS claims_denies ON claims (denies) WHERE denies IS NOT NULL;
CREATE INDEX IF NOT EXISTS claims_incident ON claims (json_extract(body, '$.incident'))
    WHERE json_extract(body, '$.incident') IS NOT NULL;
CREATE TABLE IF NOT EXISTS incidents (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, rev INTEGER NOT NULL, fp TEXT NOT NULL, type TEXT NOT NULL,
    first_day INTEGER, last_day INTEGER, country TEXT, lat REAL, lon REAL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS incidents_date ON incidents (first_day, id);
CREATE INDEX IF NOT EXISTS incidents_type ON incidents (type);
CREATE INDEX IF NOT EXISTS incidents_country ON incidents (country);
CREATE INDEX IF NOT EXISTS incidents_lat ON incidents (lat) WHERE lat IS NOT NULL;
CREATE TABLE IF NOT EXISTS incident_keys (
    role TEXT NOT NULL, key TEXT NOT NULL, incident INTEGER NOT NULL, PRIMARY KEY (role, key, incident)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS incident_keys_incident ON incident_keys (incident);
CREATE TABLE IF NOT EXISTS snapshot (key TEXT PRIMARY KEY, revision INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS candidates (source TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
"""


def database_path(path: Path) -> Path:
    """Where the database for a configured data file lives: ``graph.json`` names ``graph.sqlite`` beside it."""
    return path.with_suffix(".sqlite") if path.suffix == ".json" else path


class SqliteStore(BaseStore):
    """Embedded graph store; ``path=None`` keeps it in memory only (tests, one-off runs)."""

    def __init__(self, ontology: Ontology, path: Path | None = None) -> None:
        super().__init__(ontology)
        self._path = database_path(path) if path is not None else None
        self._legacy = path.with_suffix(".json") if path is not None else None
        self._local = threading.local()
        self._lock = threading.RLock()
        self._memory_uri = f"file:kg-memory-{id(self)}?mode=memory&cache=shared"
        self._keepalive: sqlite3.Connection | None = None
        self._graph = CompactGraph(ontology)
        self._graph_revision = -1
        self._denied_by: dict[str, list[str]] = {}
        self._open()

    # --- connections ----------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            if self._path is None:
                connection = sqlite3.connect(self._memory_uri, uri=True, check_same_thread=False,
                                             isolation_level=None)
            else:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None,
                                             timeout=60.0)
                connection.execute("PRAGMA journal_mode=WAL")
                # FULL: a committed load survives a power cut, not only a crash of this process.
                connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA foreign_keys=OFF")
            # 256 MB of page cache at most (taken as pages are read): a million-claim load stays in memory.
            connection.execute("PRAGMA cache_size=-262144")
        except sqlite3.Error as error:
            raise StoreUnavailable(f"cannot open the graph database {self._path}: {error}") from error
        return connection

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection (sqlite3 connections are not shared between threads)."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()
            self._local.connection = connection
        return connection

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        where = self._path or "memory"
        try:
            yield
        except KgError:
            raise
        except sqlite3.Error as error:
            raise StoreUnavailable(f"cannot use the graph database {where}: {error}. It was left as it was; "
                                   "move it aside or point KG_DATA_FILE elsewhere.") from error

    def _open(self) -> None:
        if self._path is None:
            self._keepalive = self._connect()  # a shared in-memory database lives while one connection does
        migrate = (self._path is not None and not self._path.exists() and self._legacy is not None
                   and self._legacy.exists())
        legacy = _read_legacy(self._legacy) if migrate and self._legacy is not None else None
        with self._errors():
            db = self._db
            db.executescript(SCHEMA)
            rows = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if not rows:
                db.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?), ('version', ?), ('revision', '0')",
                           (FILE_FORMAT, str(FILE_VERSION)))
            elif rows.get("format") != FILE_FORMAT or rows.get("version") != str(FILE_VERSION):
                raise StoreUnavailable(f"cannot read the graph database {self._path}: expected format "
                                       f"{FILE_FORMAT!r} version {FILE_VERSION}. It was left untouched.")
        if legacy is not None:
            self.upsert(legacy)
        self._refresh(force=True)

    def close(self) -> None:
        """Close this thread's connection; every write is already on disk."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
        if self._keepalive is not None:
            self._keepalive.close()
            self._keepalive = None

    # --- keeping the in-memory graph current ---------------------------------------------

    def revision(self) -> int:
        """The number of writes that changed something."""
        with self._errors():
            row = self._db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        return int(row[0]) if row else 0

    def _refresh(self, *, force: bool = False) -> CompactGraph:
        """The in-memory graph, brought up to date if any connection (another process too) wrote since."""
        if not force and self.revision() == self._graph_revision:
            return self._graph
        with self._lock:
            current = self.revision()
            if current == self._graph_revision and not force:
                return self._graph
            with self._errors():
                if self._graph_revision < 0 or force:
                    self._graph_revision = self._load_snapshot(self._db)
                changed = int(self._db.execute("SELECT count(*) FROM claims WHERE rev > ?",
                                               (self._graph_revision,)).fetchone()[0])
                # Many changed claims are read faster as columns, all at once, than row by row; and the
                # result is kept as a snapshot, so the next open reads arrays, not rows.
                if self._graph_revision < 0 or changed > RELOAD_AFTER:
                    self._load_all(self._db)
                    self._save_snapshot(self._db, current)
                elif current != self._graph_revision:
                    self._load_since(self._db, self._graph_revision)
            self._graph_revision = current
        return self._graph

    def _load_snapshot(self, db: sqlite3.Connection) -> int:
        """The graph from the latest snapshot (its revision), or -1 when there is none to use."""
        row = db.execute("SELECT revision, data FROM snapshot WHERE key = 'graph'").fetchone()
        if row is None:
            return -1
        graph = CompactGraph.from_snapshot(self._ontology, row[1])
        if graph is None:
            return -1
        denied: dict[str, list[str]] = {}
        for claim_id, denies in db.execute("SELECT id, denies FROM claims WHERE denies IS NOT NULL AND rev <= ?",
                                           (row[0],)):
            denied.setdefault(denies, []).append(claim_id)
        self._graph, self._denied_by = graph, denied
        return int(row[0])

    def _save_snapshot(self, db: sqlite3.Connection, revision: int) -> None:
        if self._graph.size < RELOAD_AFTER:
            return  # a small graph opens fast enough from its rows
        db.execute("INSERT INTO snapshot VALUES ('graph', ?, ?) ON CONFLICT (key) DO UPDATE SET "
                   "revision = excluded.revision, data = excluded.data", (revision, self._graph.snapshot()))

    def _load_all(self, db: sqlite3.Connection) -> None:
        graph = CompactGraph(self._ontology)
        graph.add_entities(db.execute("SELECT n, id FROM entities"))
        rows = db.execute("SELECT n, subject, object, type, status, first_day, last_day, confidence FROM claims"
                          ).fetchall()
        if rows:
            slots, subjects, objects, types, statuses, first, last, confidence = zip(*rows, strict=True)
            graph.load_columns(np.array(slots, dtype=np.int64), np.array(subjects, dtype=np.int64),
                               np.array(objects, dtype=np.int64), types, statuses,
                               np.array(first, dtype=np.int64), np.array(last, dtype=np.int64),
                               np.array(confidence, dtype=np.float64))
        else:
            graph.rebuild()
        denied: dict[str, list[str]] = {}
        for claim_id, denies in db.execute("SELECT id, denies FROM claims WHERE denies IS NOT NULL"):
            denied.setdefault(denies, []).append(claim_id)
        self._graph, self._denied_by = graph, denied

    def _load_since(self, db: sqlite3.Connection, revision: int) -> None:
        graph = self._graph
        graph.add_entities(db.execute("SELECT n, id FROM entities WHERE rev > ?", (revision,)))
        changed = db.execute("SELECT n, subject, object, type, status, first_day, last_day, confidence, id, denies "
                             "FROM claims WHERE rev > ?", (revision,)).fetchall()
        graph.set_claims(ClaimRow(*row[:8]) for row in changed)
        for row in changed:
            claim_id, denies = row[8], row[9]
            for denied in self._denied_by.values():
                if claim_id in denied:
                    denied.remove(claim_id)
            if denies is not None:
                self._denied_by.setdefault(denies, []).append(claim_id)

    # --- writes -----------------------------------------------------------------------

    def upsert(self, batch: Batch, *, remove_incidents: Iterable[str] = ()) -> UpsertResult:
        """The diff and the write in one SQLite write transaction, taken before the diff reads anything: a
        writer in another process that wrote the same new records a moment before is seen, so each record is
        counted as created by one writer only, and the write holds exactly what changed."""
        with self._lock, self._errors():
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
                result = super().upsert(batch, remove_incidents=remove_incidents)
                if db.in_transaction:
                    db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        self._refresh()
        return result

    def _write(self, changes: Changes) -> None:
        """One SQLite transaction (the upsert's, when it holds one): all of it or nothing, and the revision
        moves on."""
        with self._lock, self._errors():
            db = self._db
            outer = db.in_transaction
            try:
                if not outer:
                    db.execute("BEGIN IMMEDIATE")
                revision = int(db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0]) + 1
                for batch in (changes.created, changes.updated):
                    self._write_batch(db, batch, revision)
                self._remove_incidents(db, changes.removed_incidents)
                db.execute("UPDATE meta SET value = ? WHERE key = 'revision'", (str(revision),))
                if not outer:
                    db.execute("COMMIT")
            except BaseException:
                if db.in_transaction and not outer:
                    db.execute("ROLLBACK")
                raise
        if not outer:
            self._refresh()

    def _write_batch(self, db: sqlite3.Connection, batch: Batch, revision: int) -> None:
        db.executemany(
            "INSERT INTO entities (id, kind, rev, fp, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "kind = excluded.kind, rev = excluded.rev, fp = excluded.fp, body = excluded.body",
            ((e.id, e.kind, revision, fingerprint_of(body), body)
             for e, body in ((e, e.model_dump_json(exclude_none=True)) for e in batch.entities)))
        db.executemany(
            "INSERT INTO sources (id, rev, fp, ref, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "rev = excluded.rev, fp = excluded.fp, ref = excluded.ref, body = excluded.body",
            ((s.id, revision, fingerprint_of(body), _ref(s).model_dump_json(), body)
             for s, body in ((s, s.model_dump_json(exclude_none=True)) for s in batch.sources)))
        self._write_incidents(db, batch.incidents, revision)
        if not batch.claims:
            return
        numbers = self._entity_numbers(db, {end for c in batch.claims for end in (c.subject, c.object)})
        db.executemany(
            "INSERT INTO claims (id, rev, fp, subject, object, type, status, first_day, last_day, confidence, "
            "source, denies, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "rev = excluded.rev, fp = excluded.fp, subject = excluded.subject, object = excluded.object, "
            "type = excluded.type, "
            "status = excluded.status, first_day = excluded.first_day, last_day = excluded.last_day, "
            "confidence = excluded.confidence, source = excluded.source, denies = excluded.denies, "
            "body = excluded.body",
            ((c.id, revision, fingerprint_of(body), numbers[c.subject], numbers[c.object], c.type, c.status,
              *day_span(c), c.confidence, c.source, c.denies, body)
             for c, body in ((c, c.model_dump_json(exclude_none=True)) for c in batch.claims)))

    def _write_incidents(self, db: sqlite3.Connection, incidents: list[Incident], revision: int) -> None:
        """Incidents as rows (the columns their filters read) and their keys (places, perpetrators, sources) in
        ``incident_keys``, replaced whole when an incident is rewritten."""
        if not incidents:
            return
        db.executemany(
            "INSERT INTO incidents (id, rev, fp, type, first_day, last_day, country, lat, lon, body) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET rev = excluded.rev, "
            "fp = excluded.fp, type = excluded.type, first_day = excluded.first_day, last_day = excluded.last_day, "
            "country = excluded.country, lat = excluded.lat, lon = excluded.lon, body = excluded.body",
            ((i.id, revision, fingerprint_of(body), i.type, *_incident_days(i), i.country,
              i.location.lat if i.location else None, i.location.lon if i.location else None, body)
             for i, body in ((i, i.model_dump_json(exclude_none=True)) for i in incidents)))
        numbers = dict(self._select(db, "SELECT id, n FROM incidents WHERE id IN ({})", [i.id for i in incidents]))
        self._select_all(db, "DELETE FROM incident_keys WHERE incident IN ({})", list(numbers.values()))
        db.executemany("INSERT OR IGNORE INTO incident_keys (role, key, incident) VALUES (?, ?, ?)",
                       ((role, key, numbers[i.id]) for i in incidents
                        for role, keys in (("place", i.place_keys()), ("perpetrator", i.perpetrator_ids()),
                                           ("source", i.sources))
                        for key in keys))

    def _remove_incidents(self, db: sqlite3.Connection, ids: list[str]) -> None:
        """Delete incidents and their keys (a merge folded them into another)."""
        if not ids:
            return
        numbers = [n for _, n in self._select(db, "SELECT id, n FROM incidents WHERE id IN ({})", ids)]
        self._select_all(db, "DELETE FROM incident_keys WHERE incident IN ({})", numbers)
        self._select_all(db, "DELETE FROM incidents WHERE id IN ({})", ids)

    def _select_all(self, db: sqlite3.Connection, sql: str, ids: Sequence[Any]) -> None:
        for _ in self._select(db, sql, ids):
            pass

    def _entity_numbers(self, db: sqlite3.Connection, ids: Iterable[str]) -> dict[str, int]:
        return dict(self._select(db, "SELECT id, n FROM entities WHERE id IN ({})", list(ids)))

    # --- reads by id ----------------------------------------------------------------------

    def _select(self, db: sqlite3.Connection, sql: str, ids: Sequence[Any]) -> Iterator[Any]:
        for start in range(0, len(ids), SQL_CHUNK):
            chunk = ids[start:start + SQL_CHUNK]
            yield from db.execute(sql.format(",".join("?" * len(chunk))), chunk)

    def _rows(self, sql: str, ids: Sequence[Any]) -> list[Any]:
        with self._errors():
            return list(self._select(self._db, sql, ids))

    def _fingerprints(self, kind: str, ids: Sequence[str]) -> dict[str, str | None]:
        table = {"entities": "entities", "sources": "sources", "claims": "claims", "incidents": "incidents"}[kind]
        return dict(self._rows(f"SELECT id, fp FROM {table} WHERE id IN ({{}})", ids))  # noqa: S608 - a fixed name

    def _entities_by_id(self, ids: Sequence[str]) -> list[Entity]:
        return [Entity.model_validate_json(body) for (body,) in self._rows(
            "SELECT body FROM entities WHERE id IN ({})", ids)]

    def _entities_since(self, revision: int) -> list[Entity]:
        with self._errors():
            rows = self._db.execute("SELECT body FROM entities WHERE rev > ?", (revision,)).fetchall()
        return [Entity.model_validate_json(body) for (body,) in rows]

    def entities(self) -> list[Entity]:
        """Every entity, ordered by id."""
        with self._errors():
            rows = self._db.execute("SELECT body FROM entities ORDER BY id").fetchall()
        return [Entity.model_validate_json(body) for (body,) in rows]

    def list_entities(self, *, kind: str | None = None, limit: int = 50, offset: int = 0) -> list[Entity]:
        """One page of entities (of a kind), ordered by id."""
        with self._errors():
            rows = self._db.execute("SELECT body FROM entities WHERE ? IS NULL OR kind = ? ORDER BY id "
                                    "LIMIT ? OFFSET ?", (kind, kind, limit, min(offset, MAX_OFFSET))).fetchall()
        return [Entity.model_validate_json(body) for (body,) in rows]

    def count_entities(self, kind: str | None = None) -> int:
        """How many entities (of a kind)."""
        with self._errors():
            return int(self._db.execute("SELECT count(*) FROM entities WHERE ? IS NULL OR kind = ?",
                                        (kind, kind)).fetchone()[0])

    def _sources_by_id(self, ids: Sequence[str]) -> list[Source]:
        return [Source.model_validate_json(body) for (body,) in self._rows(
            "SELECT body FROM sources WHERE id IN ({})", ids)]

    def _source_refs_by_id(self, ids: Sequence[str]) -> list[SourceRef]:
        return [SourceRef.model_validate_json(ref) for (ref,) in self._rows(
            "SELECT ref FROM sources WHERE id IN ({})", ids)]

    def sources(self) -> list[Source]:
        """Every source, ordered by id."""
        return self.list_sources(limit=-1)

    def list_sources(self, *, limit: int = 50, offset: int = 0) -> list[Source]:
        """One page of sources, ordered by id."""
        with self._errors():
            rows = self._db.execute("SELECT body FROM sources ORDER BY id LIMIT ? OFFSET ?",
                                    (limit, min(offset, MAX_OFFSET))).fetchall()
        return [Source.model_validate_json(body) for (body,) in rows]

    def count_sources(self) -> int:
        """How many sources."""
        with self._errors():
            return int(self._db.execute("SELECT count(*) FROM sources").fetchone()[0])

    def _claim_counts(self, source_ids: Sequence[str]) -> dict[str, int]:
        return dict(self._rows("SELECT source, count(*) FROM claims WHERE source IN ({}) GROUP BY source",
                               source_ids))

    def _coverage(self, entity_id: str, top: int) -> Coverage:
        """The arrays give the entity's claims (either end); SQLite counts them by report with their dates."""
        graph = self._refresh()
        number = graph.entity_number.get(entity_id)
        if number is None:
            return Coverage(entity_id)
        slots = graph.claim_slots(number, Filters())
        if not len(slots):
            return Coverage(entity_id)
        with self._errors():
            rows = self._db.execute(
                "SELECT source, count(*), min(json_extract(body, '$.date')), "
                "max(coalesce(json_extract(body, '$.end_date'), json_extract(body, '$.date'))) "
                "FROM claims WHERE n IN (SELECT value FROM json_each(?)) GROUP BY source",
                (json.dumps(slots.tolist()),)).fetchall()
        return _coverage_of(entity_id, [(source, n, first, last) for source, n, first, last in rows], top)

    def count_claims(self) -> int:
        """How many claims (the in-memory graph knows)."""
        return int(self._refresh().present[:self._graph.size].sum())

    def _claims_by_id(self, ids: Sequence[str]) -> list[Claim]:
        return [Claim.model_validate_json(body) for (body,) in self._rows(
            "SELECT body FROM claims WHERE id IN ({})", ids)]

    def _claims_by_slot(self, slots: Iterable[int]) -> list[Claim]:
        return list(self._claims_at_slots(slots).values())

    def _claims_at_slots(self, slots: Iterable[int]) -> dict[int, Claim]:
        # Read as views (not yet marked disputed): the answer is built from them without a copy.
        return {n: ClaimView.model_validate_json(body) for n, body in self._rows(
            "SELECT n, body FROM claims WHERE n IN ({})", [int(s) for s in slots])}

    def _denials(self, ids: Sequence[str]) -> dict[str, list[str]]:
        self._refresh()
        denied = self._denied_by
        return {i: list(denied[i]) for i in ids if denied.get(i)}

    def _denied_ids(self) -> list[str]:
        self._refresh()
        return [claim_id for claim_id, denials in self._denied_by.items() if denials]

    def _incidents_by_id(self, ids: Sequence[str]) -> list[Incident]:
        return [Incident.model_validate_json(body) for (body,) in self._rows(
            "SELECT body FROM incidents WHERE id IN ({})", ids)]

    def _find_incidents(self, query: IncidentQuery) -> list[Incident]:
        where, parameters = _incident_filters(query)
        sql = (f"SELECT body FROM incidents i WHERE {where} "  # noqa: S608 - fixed clauses, values are parameters
               "ORDER BY first_day IS NULL, first_day DESC, id LIMIT ? OFFSET ?")
        with self._errors():
            rows = self._db.execute(sql, [*parameters, query.limit, min(query.offset, MAX_OFFSET)]).fetchall()
        return [Incident.model_validate_json(body) for (body,) in rows]

    def _count_incidents(self, query: IncidentQuery) -> int:
        where, parameters = _incident_filters(query)
        with self._errors():
            row = self._db.execute(f"SELECT count(*) FROM incidents i WHERE {where}",  # noqa: S608 - as above
                                   parameters).fetchone()
        return int(row[0])

    def _incident_timeline_rows(self, query: IncidentQuery, width: int) -> list[tuple[str | None, str, int]]:
        """One GROUP BY over the matching incidents: their date as written, cut to the width, and their type."""
        where, parameters = _incident_filters(query)
        sql = (f"SELECT substr(json_extract(i.body, '$.date'), 1, ?) AS cut, i.type, count(*) "  # noqa: S608 - as above
               f"FROM incidents i WHERE {where} GROUP BY cut, i.type")
        with self._errors():
            rows = self._db.execute(sql, [width, *parameters]).fetchall()
        return [(cut or None, type_, int(count)) for cut, type_, count in rows]

    # --- queries ----------------------------------------------------------------------------

    def _few_claims(self, query: ClaimQuery) -> list[Claim] | None:
        """A report's or an incident's claims, read through their index (they are few), or ``None`` when the query
        names neither."""
        if query.source is not None:
            sql, value = "SELECT body FROM claims WHERE source = ?", query.source
        elif query.incident is not None:
            sql, value = "SELECT body FROM claims WHERE json_extract(body, '$.incident') = ?", query.incident
        else:
            return None
        with self._errors():
            rows = self._db.execute(sql, (value,)).fetchall()
        return [Claim.model_validate_json(body) for (body,) in rows]

    def _find_claims(self, query: ClaimQuery) -> list[Claim]:
        """The arrays pick the slots, SQLite keeps the rows at the place or of the asserter asked for, and only
        the matching rows are read: a question about a place with no entity to start from reads the claims at
        that place, not every claim. A report's or an incident's claims are read through their index."""
        few = self._few_claims(query)
        if few is not None:
            return [c for c in few if claim_matches(c, query, self._ontology)]
        where = self._where(query)
        if where is None:
            return []
        with self._errors():
            rows = self._db.execute(f"SELECT body FROM claims{where.sql}", where.parameters).fetchall()  # noqa: S608
        return [c for c in (ClaimView.model_validate_json(body) for (body,) in rows)
                if claim_matches(c, query, self._ontology)]

    def _claim_page(self, query: ClaimQuery, limit: int, offset: int) -> FoundPage:
        """The arrays pick the claims at the anchor that pass the type, status, date and confidence filters and
        join the ends asked for; SQLite applies the rest (source, location, asserter, undisputed), counts, orders by
        id and reads the page's rows only."""
        if query.source is not None or query.incident is not None:
            # A report's or an incident's claims are few: read them, filter, and page here.
            found = self._report_claims(query)
            page = found[offset:offset + limit]
            return FoundPage(page, len(found), self._denials([c.id for c in page]))
        where = self._where(query)
        if where is None:
            return FoundPage([], 0)
        with self._errors():
            if where.every and not where.conditions:
                total = self.count_claims()
            elif len(where.conditions) == 1 and where.slots is not None:
                total = where.slots
            else:
                total = int(self._db.execute(f"SELECT count(*) FROM claims{where.sql}",  # noqa: S608
                                             where.parameters).fetchone()[0])
            rows = self._db.execute(f"SELECT body FROM claims{where.sql} ORDER BY id LIMIT ? OFFSET ?",  # noqa: S608
                                    [*where.parameters, limit, offset]).fetchall()
        page = [ClaimView.model_validate_json(body) for (body,) in rows]
        return FoundPage(list(page), total, self._denials([c.id for c in page]))

    def _report_claims(self, query: ClaimQuery, actor: str | None = None) -> list[Claim]:
        """The claims of the query's report or incident that match it (and touch ``actor``), in id order: a
        report's or an incident's claims are few, so they are read and filtered here."""
        denied = self._denials_map()
        return sorted((c for c in self._few_claims(query) or []
                       if claim_matches(c, query, self._ontology)
                       and (actor is None or actor in (c.subject, c.object))
                       and not (query.disputed is False and denied.get(c.id))), key=lambda c: c.id)

    def _where(self, query: ClaimQuery, actor: str | None = None) -> _Where | None:
        """The claims matching ``query`` (but its report, and ``disputed=True``) as a WHERE clause over the claims
        table: the arrays pick the slots at the anchor (or at ``actor``, either end) that pass the type, status,
        date and confidence filters and join the ends asked for; the clause adds the location, the asserter and
        ``undisputed``. None when an entity asked for is unknown (nothing matches)."""
        graph = self._refresh()
        numbers = []
        for end in (query.subject, query.object, actor):
            if end is not None and end not in graph.entity_number:
                return None
            numbers.append(graph.entity_number[end] if end is not None else None)
        subject, obj, at = numbers
        anchor = subject if subject is not None else obj if obj is not None else at
        filters = Filters.of(query.types, query.statuses, query.window, query.min_confidence)
        every = anchor is None and filters == Filters()
        conditions: list[str] = []
        parameters: list[Any] = []
        count: int | None = None
        if not every:
            slots = graph.joining(graph.claim_slots(anchor, filters), subject, obj)
            if at is not None and at != anchor:
                slots = slots[(graph.subject[slots] == at) | (graph.object[slots] == at)]
            conditions.append("n IN (SELECT value FROM json_each(?))")
            parameters.append(json.dumps(slots.tolist()))
            count = len(slots)
        for field_name, value in (("location", query.location), ("asserted_by", query.asserted_by)):
            if value is not None:
                conditions.append(f"json_extract(body, '$.{field_name}') = ?")
                parameters.append(value)
        if query.disputed is False:
            denied_ids = [i for i, by in self._denials_map().items() if by]
            conditions.append("id NOT IN (SELECT value FROM json_each(?))")
            parameters.append(json.dumps(denied_ids))
        return _Where(every, conditions, parameters, count)

    def _timeline_rows(self, query: ClaimQuery, width: int, actor: str | None) -> list[tuple[str | None, str, int]]:
        """One GROUP BY over the matching rows: (date cut to the width, type) and how many."""
        if query.source is not None or query.incident is not None:
            claims = self._report_claims(query, actor)
            return [((c.date or "").strip()[:width] or None, c.type, 1) for c in claims]
        where = self._where(query, actor)
        if where is None:
            return []
        with self._errors():
            rows = self._db.execute(
                "SELECT substr(NULLIF(trim(json_extract(body, '$.date')), ''), 1, ?) AS cut, type, count(*) "  # noqa: S608
                f"FROM claims{where.sql} GROUP BY cut, type", [width, *where.parameters]).fetchall()
        return [(cut, type_, int(count)) for cut, type_, count in rows]

    def _group_page(self, query: ClaimQuery, limit: int, offset: int) -> ClaimGroups:
        """One GROUP BY over the matching rows by ``relation_key``, ordered by each group's first claim id, with
        the number of groups beside each row of the page (counted again only when the page is past the end)."""
        if query.source is not None:
            grouped: dict[tuple[str, ...], list[str]] = {}
            for claim in self._report_claims(query):
                grouped.setdefault(relation_key(claim), []).append(claim.id)
            groups = list(grouped.values())
            return ClaimGroups(groups[offset:offset + limit], len(groups))
        where = self._where(query)
        if where is None:
            return ClaimGroups([], 0)
        grouped_sql = (
            "SELECT min(id) AS first, json_group_array(id) AS ids FROM claims"  # noqa: S608 - fixed clauses
            f"{where.sql} GROUP BY subject, type, object, "
            "CASE WHEN coalesce(json_extract(body, '$.incident'), '') <> '' "
            "THEN 'incident:' || json_extract(body, '$.incident') "
            "ELSE 'dates:' || coalesce(json_extract(body, '$.date'), '') || char(31) || "
            "coalesce(json_extract(body, '$.end_date'), '') END")
        with self._errors():
            rows = self._db.execute(f"SELECT count(*) OVER (), ids FROM ({grouped_sql}) ORDER BY first "  # noqa: S608
                                    "LIMIT ? OFFSET ?", [*where.parameters, limit, offset]).fetchall()
            if rows:
                total = int(rows[0][0])
            else:
                total = int(self._db.execute(f"SELECT count(*) FROM ({grouped_sql})",  # noqa: S608
                                             where.parameters).fetchone()[0])
        return ClaimGroups([sorted(json.loads(ids)) for _, ids in rows], total)

    def _type_counts(self, entity_id: str) -> ClaimTypeCounts:
        """From the in-memory arrays: the entity's claims, their types and which end it is (no row is read)."""
        graph = self._refresh()
        number = graph.entity_number.get(entity_id)
        if number is None:
            return ClaimTypeCounts({}, {}, 0)
        slots = graph.claim_slots(number, Filters())
        counted = []
        for end in (graph.subject, graph.object):
            codes, counts = np.unique(graph.type[slots[end[slots] == number]], return_counts=True)
            counted.append({graph.type_names[c]: int(n) for c, n in zip(codes.tolist(), counts.tolist(),
                                                                          strict=True)})
        return ClaimTypeCounts(counted[0], counted[1], len(slots))

    def _denials_map(self) -> dict[str, list[str]]:
        self._refresh()
        return self._denied_by

    def claim_pairs(self) -> list[tuple[str, str, int]]:
        """The adjacency from the in-memory arrays (no row is read)."""
        return self._refresh().pairs()

    def keep_candidates(self, kept: Mapping[str, list[dict[str, Any]]]) -> None:
        """One row per report, replaced when the report is ingested again (not a graph change: no revision)."""
        if not kept:
            return
        with self._lock, self._errors():
            self._db.executemany("INSERT INTO candidates VALUES (?, ?) ON CONFLICT (source) DO UPDATE SET "
                                 "body = excluded.body",
                                 [(source, json.dumps(names, ensure_ascii=False)) for source, names in kept.items()])

    def candidates_of(self, source_id: str) -> list[dict[str, Any]] | None:
        """The row kept for the report, if any."""
        with self._errors():
            row = self._db.execute("SELECT body FROM candidates WHERE source = ?", (source_id,)).fetchone()
        if row is None:
            return None
        kept: list[dict[str, Any]] = json.loads(row[0])
        return kept

    def _walk(self, center: str, depth: int, filters: Filters, direction: Direction, max_nodes: int) -> Walk | None:
        graph = self._refresh()
        number = graph.entity_number.get(center)
        if number is None:
            return None
        depths, slots, truncated = graph.walk(number, depth, filters, direction, max_nodes=max_nodes,
                                              max_links=MAX_LINKS, hub_degree=HUB_DEGREE)
        ids = {graph.entity_ids[n]: d for n, d in depths.items()}
        if len(slots) > MAX_LINKS:
            first = sorted(self._rows("SELECT id, n FROM claims WHERE n IN ({})", slots.tolist()))[:MAX_LINKS]
            slots = np.array([n for _, n in first], dtype=np.int64)
        claims = sorted(self._claims_by_slot(slots.tolist()), key=lambda c: c.id)
        return Walk(depths=ids, entities=self.get_entities(ids), claims=claims,
                    denials=self._denials([c.id for c in claims]), truncated=truncated)

    def _paths(self, source: str, target: str, *, max_hops: int, k: int, filters: Filters,
               directed: bool) -> FoundPaths:
        graph = self._refresh()
        if source not in graph.entity_number or target not in graph.entity_number:
            return FoundPaths(paths=[])  # no such entity: the caller says which
        numbered = graph.paths(graph.entity_number[source], graph.entity_number[target], max_hops=max_hops, k=k,
                               filters=filters, directed=directed)
        pairs = {(a, b) for nodes in numbered for a, b in pairwise(nodes)}
        slots = {pair: graph.hop_slots(*pair, filters, directed).tolist() for pair in pairs}
        claims = self._claims_at_slots({s for found in slots.values() for s in found})
        hops = {(graph.entity_ids[a], graph.entity_ids[b]): [claims[s] for s in found]
                for (a, b), found in slots.items()}
        return FoundPaths(paths=[[graph.entity_ids[n] for n in nodes] for nodes in numbered], hops=hops,
                          denials=self._denials([c.id for c in claims.values()]))

    def stats(self) -> Stats:
        """Counts by kind, type and status (whole-graph: for `kg stats` and /v1/stats)."""
        with self._errors():
            db = self._db
            entities_by_kind = dict(db.execute("SELECT kind, count(*) FROM entities GROUP BY kind ORDER BY kind"))
            by_type = dict(db.execute("SELECT type, count(*) FROM claims GROUP BY type ORDER BY type"))
            by_status = dict(db.execute("SELECT status, count(*) FROM claims GROUP BY status ORDER BY status"))
            disputed = db.execute("SELECT count(DISTINCT denies) FROM claims WHERE denies IS NOT NULL").fetchone()[0]
            incidents = db.execute("SELECT count(*) FROM incidents").fetchone()[0]
        return Stats(entities=sum(entities_by_kind.values()), sources=self.count_sources(),
                     claims=sum(by_type.values()), disputed_claims=disputed, incidents=incidents,
                     entities_by_kind=entities_by_kind,
                     claims_by_type=by_type, claims_by_status=by_status)


@dataclass(frozen=True)
class _Where:
    """Matching claims as a WHERE clause: ``every`` when no anchor or attribute filter narrowed them, the
    conditions and their parameters, and how many slots the arrays picked (None when they picked none)."""

    every: bool
    conditions: list[str]
    parameters: list[Any]
    slots: int | None

    @property
    def sql(self) -> str:
        return " WHERE " + " AND ".join(self.conditions) if self.conditions else ""


def _coverage_of(entity_id: str, by_source: list[tuple[str, int, str | None, str | None]], top: int) -> Coverage:
    """Per-report counts and dates summed into one entity's coverage."""
    firsts = [first for _, _, first, _ in by_source if first]
    lasts = [last for _, _, _, last in by_source if last]
    ranked = sorted(by_source, key=lambda row: (-row[1], row[0]))
    return Coverage(entity_id, claims=sum(n for _, n, _, _ in by_source), reports=len(by_source),
                    first=min(firsts) if firsts else None, last=max(lasts) if lasts else None,
                    top=tuple((source, n) for source, n, _, _ in ranked[:top]))


def _incident_days(incident: Incident) -> tuple[int | None, int | None]:
    """The first and last day an incident's dates may mean, as ordinals (None when undated)."""
    first = parse_optional(incident.date)
    last = parse_optional(incident.end_date) or first
    return (first.start.toordinal() if first else None, last.end.toordinal() if last else None)


def _incident_filters(query: IncidentQuery) -> tuple[str, list[Any]]:
    """The WHERE clause (fixed fragments) and its parameters for an incident query's filters."""
    clauses: list[str] = ["1 = 1"]
    parameters: list[Any] = []
    if query.types is not None:
        clauses.append(f"i.type IN ({','.join('?' * len(query.types))})" if query.types else "0 = 1")
        parameters += list(query.types)
    if query.country is not None:
        clauses.append("i.country = ?")
        parameters.append(query.country)
    window = query.window
    if not window.is_open:
        clauses.append("i.first_day IS NOT NULL")
        if window.since is not None:
            clauses.append("i.last_day >= ?")
            parameters.append(window.since.start.toordinal())
        if window.until is not None:
            clauses.append("i.first_day <= ?")
            parameters.append(window.until.end.toordinal())
    box = query.bbox
    if box is not None:
        clauses.append("i.lat BETWEEN ? AND ?")
        parameters += [box.south, box.north]
        clauses.append("i.lon BETWEEN ? AND ?" if box.west <= box.east else "(i.lon >= ? OR i.lon <= ?)")
        parameters += [box.west, box.east]
    for role, keys in (("place", query.places), ("perpetrator", (query.perpetrator,) if query.perpetrator else None),
                       ("source", (query.source,) if query.source else None)):
        if keys is None:
            continue
        marks = ",".join("?" * len(keys))
        # The keys' index gives the matching incidents' numbers at once, rather than a lookup per incident scanned.
        clauses.append(f"i.n IN (SELECT k.incident FROM incident_keys k WHERE k.role = ? AND k.key IN ({marks}))"  # noqa: S608
                       if keys else "0 = 1")
        parameters += [role, *keys] if keys else []
    return " AND ".join(clauses), parameters


def _ref(source: Source) -> SourceRef:
    return SourceRef(id=source.id, title=source.title, outlet=source.outlet, url=source.url,
                     published=source.published, reliability=source.reliability)


def _read_legacy(path: Path) -> Batch:
    """A data file in the old one-JSON-document format, as one batch to migrate."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FILE_FORMAT or data.get("version") != JSON_VERSION:
            raise ValueError(f"expected format {FILE_FORMAT!r} version {JSON_VERSION}")
        return Batch(entities=[Entity.model_validate(e) for e in data["entities"]],
                     sources=[Source.model_validate(s) for s in data["sources"]],
                     claims=[Claim.model_validate(c) for c in data["claims"]])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, ValidationError) as error:
        raise StoreUnavailable(
            f"cannot read the graph data file {path}: {error}. It was left untouched; "
            "move it aside or point KG_DATA_FILE elsewhere."
        ) from error
