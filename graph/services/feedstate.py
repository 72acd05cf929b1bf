"""The feed state file: the one module that opens it.

One SQLite database beside the store's data file (``KG_FEEDS_FILE``) holds everything feeds and
watchlists remember between runs, apart from the graph itself: the feeds followed and their
conditional-request validators; every item seen (by canonical URL) with its state, its text's
fingerprint and, until its report is in the graph, its page as it was fetched; MinHash signatures and
their LSH bands; failures with their reasons and retry times; the claims that arrived and when;
robots.txt answers; watchlists, alert messages and the delivery log.

Every change is one transaction (``write()``), in WAL mode with ``synchronous=FULL``: a poll
killed at any instant leaves the file as the last committed step left it, which is the
checkpoint the next poll resumes from. Threads each get their own connection; a page fetched
by a worker thread is committed by that thread at once, so a kill loses no page already read.
Readers (the API) open it read-only and see an empty state when it does not exist yet.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from graph.domain.errors import FeedStateBusy, FeedStateUnavailable
from graph.services.fetch import RobotsRecord

SCHEMA_VERSION = "1"
BUSY_TIMEOUT_MS = 30_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    outlet TEXT,
    title TEXT,
    added_at TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    polled_at TEXT,
    status TEXT NOT NULL DEFAULT 'new',
    error_reason TEXT,
    error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    retry_at TEXT,
    moved_to TEXT,
    entries INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER,
    url TEXT NOT NULL UNIQUE,
    link TEXT NOT NULL,
    title TEXT,
    published TEXT,
    state TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    fetched_at TEXT,
    done_at TEXT,
    final_url TEXT,
    redirects TEXT,
    page BLOB,
    page_type TEXT,
    page_title TEXT,
    page_published TEXT,
    fingerprint TEXT,
    source_id TEXT,
    voice TEXT,
    same_as INTEGER,
    similarity REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error_reason TEXT,
    error TEXT,
    retry_at TEXT,
    claims INTEGER
);
CREATE INDEX IF NOT EXISTS items_by_state ON items (state, retry_at);
CREATE INDEX IF NOT EXISTS items_by_feed ON items (feed_id, state);
CREATE INDEX IF NOT EXISTS items_by_fingerprint ON items (fingerprint);
CREATE INDEX IF NOT EXISTS items_by_source ON items (source_id);
CREATE TABLE IF NOT EXISTS signatures (item_id INTEGER PRIMARY KEY, signature BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS bands (band INTEGER NOT NULL, key BLOB NOT NULL, item_id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS bands_by_key ON bands (band, key);
CREATE TABLE IF NOT EXISTS robots (origin TEXT PRIMARY KEY, status INTEGER NOT NULL, text TEXT NOT NULL,
                                   fetched_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS polls (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    state TEXT NOT NULL,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS intents (item_id INTEGER NOT NULL, claim_id TEXT NOT NULL, PRIMARY KEY (item_id, claim_id));
CREATE TABLE IF NOT EXISTS arrivals (
    claim_id TEXT PRIMARY KEY,
    source_id TEXT NOT NULL,
    item_id INTEGER,
    arrived_at TEXT NOT NULL,
    subject TEXT NOT NULL,
    type TEXT NOT NULL,
    object TEXT NOT NULL,
    relation TEXT NOT NULL,
    event INTEGER NOT NULL DEFAULT 0,
    matched INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS arrivals_unmatched ON arrivals (matched) WHERE matched = 0;
CREATE INDEX IF NOT EXISTS arrivals_by_time ON arrivals (arrived_at);
CREATE INDEX IF NOT EXISTS arrivals_by_relation ON arrivals (relation, arrived_at);
CREATE TABLE IF NOT EXISTS watchlists (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    entities TEXT NOT NULL,
    types TEXT NOT NULL,
    statuses TEXT NOT NULL,
    places TEXT NOT NULL,
    webhook TEXT,
    secret TEXT,
    file TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY,
    watchlist_id INTEGER NOT NULL,
    relation TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    next_attempt_at TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    file_offset INTEGER
);
CREATE INDEX IF NOT EXISTS messages_by_state ON messages (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS message_claims (
    watchlist_id INTEGER NOT NULL,
    claim_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    PRIMARY KEY (watchlist_id, claim_id)
);
"""


def utc_now() -> datetime:
    """The current time in UTC (the default clock)."""
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """A moment as stored: ISO 8601 in UTC with microseconds and a Z (four-digit years), so text order is time
    order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_stamp(text: str) -> datetime:
    """A stored moment back as a datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def later(moment: datetime, seconds: float) -> str:
    """``moment`` plus some seconds, as stored."""
    return stamp(moment + timedelta(seconds=seconds))


class FeedState:
    """The feed state file, opened lazily: a connection per thread, one transaction per change."""

    def __init__(self, path: Path, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.path = path
        self.clock = clock
        self._local = threading.local()
        self._ready = False
        self._lock = threading.Lock()

    # --- connections ----------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        return self.path.exists()

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                         check_same_thread=True)
            connection.row_factory = sqlite3.Row
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            with self._lock:
                if not self._ready:
                    connection.executescript(SCHEMA)
                    self._check_version(connection)
                    self._ready = True
        except sqlite3.DatabaseError as error:
            raise FeedStateUnavailable(f"the feed state file {self.path} cannot be opened: {error}") from error
        except OSError as error:
            raise FeedStateUnavailable(f"the feed state file {self.path} cannot be created: {error}") from error
        if os.name == "posix":
            with contextlib.suppress(OSError):
                os.chmod(self.path, 0o600)  # it holds webhook signing keys
        return connection

    def _check_version(self, connection: sqlite3.Connection) -> None:
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None:
            connection.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif row["value"] != SCHEMA_VERSION:
            raise FeedStateUnavailable(f"the feed state file {self.path} has schema {row['value']}; this kg reads "
                                       f"schema {SCHEMA_VERSION}")

    @property
    def connection(self) -> sqlite3.Connection:
        """This thread's connection (opened, and the schema made, on first use)."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._open()
            self._local.connection = connection
        return connection

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken before its first read (``BEGIN IMMEDIATE``), committed whole or not at all."""
        connection = self.connection
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise FeedStateUnavailable(f"the feed state file {self.path} is locked: {error}") from error
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def query(self, sql: str, parameters: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        """Rows of a read; an empty list when the file does not exist yet (nothing was ever followed)."""
        if not self._ready and not self.exists:
            return []
        try:
            return list(self.connection.execute(sql, parameters).fetchall())
        except sqlite3.DatabaseError as error:
            raise FeedStateUnavailable(f"the feed state file {self.path} cannot be read: {error}") from error

    def close(self) -> None:
        """Close this thread's connection (other threads' close when their thread ends)."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def now(self) -> datetime:
        return self.clock()

    # --- one process at a time ------------------------------------------------------------------

    @contextlib.contextmanager
    def exclusive(self, what: str) -> Iterator[None]:
        """Hold the lock of ``what`` (``poll``, ``deliver``) for this process, or fail at once if another holds it.

        An OS file lock: a process that is killed lets go of it with its last breath, so a killed
        poll never blocks the next one, while two polls at once never read the same item twice.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(f"{self.path.name}.{what}.lock")
        handle = open(lock_path, "a+")  # noqa: SIM115 - held for the whole block
        try:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                raise FeedStateBusy(f"another {what} is running ({holder}) on {self.path}; wait for it to end"
                                    ) from error
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}")
            handle.flush()
            yield
        finally:
            handle.close()

    # --- robots.txt, for graph.services.fetch ---------------------------------------------------

    def robots(self, origin: str) -> RobotsRecord | None:
        rows = self.query("SELECT status, text, fetched_at FROM robots WHERE origin = ?", (origin,))
        return RobotsRecord(rows[0]["status"], rows[0]["text"], rows[0]["fetched_at"]) if rows else None

    def remember_robots(self, origin: str, record: RobotsRecord) -> None:
        with self.write() as db:
            db.execute("INSERT INTO robots (origin, status, text, fetched_at) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (origin) DO UPDATE SET status = excluded.status, text = excluded.text, "
                       "fetched_at = excluded.fetched_at", (origin, record.status, record.text, record.fetched_at))
