"""Feeds: the outlets followed, polling them, and never reading an item twice.

A feed is an RSS or Atom URL (``add_feed``), read with ``feedparser`` under conditional requests
(its ``ETag`` and ``Last-Modified`` are kept, so an unchanged feed costs one small request that
answers 304). Each entry becomes an **item**, known by its canonical URL
(``graph.services.dedupe.canonical_url``): an item already seen, in this feed or another, is not
read again. A new item's page is fetched (``graph.services.fetch.Client``: robots.txt, per-host
delay and cap, retries for 5xx and timeouts only, bounds on size and time) and its article body
taken with ``trafilatura``.

Before anything is extracted the text is compared with what was read before, by fingerprint and
then by MinHash (``graph.services.dedupe``). A text met for the first time is a **leader**: the
extractor reads it and ``graph.services.ingest.prepare_batch`` loads it like ``kg ingest``. The
same text from another outlet is a **copy**: not read again, but loaded as a report of its own
outlet whose claims are the leader's (``ingest.copied_claims``), so the wire story on three
outlets is one text with three sources, each relation corroborated three times in
``kg relations``/``/v1/claims?group=true``. The same text from the same outlet again is a
**duplicate**, recorded and skipped.

An item moves through states kept in the feed state file (``graph.services.feedstate``):
``queued`` (seen in a feed) → ``fetched`` (its page kept as it came, committed by the thread that
fetched it) → ``writing`` (the claims about to be new are recorded, then the graph is written) →
``ingested`` or ``duplicate``; or ``failed`` with its reason and, when the failure is transient,
the time it is tried again (backing off), the poll going on. A poll killed at any point leaves
every item in one of these states, and the next poll takes each from where it is: nothing
fetched is fetched again, nothing recorded is lost, and the claims of a write cut short arrive
(and alert) once.
"""

from __future__ import annotations

import io
import json
import logging
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from time import struct_time
from typing import Any, Literal

import feedparser

from graph.domain.dates import PartialDate
from graph.domain.errors import (
    AddressRefused,
    ArticleUnreadable,
    ExtractionInputError,
    FeedExists,
    FeedNotFound,
    FeedUnreadable,
    FetchFailed,
    InconsistentWrite,
    InputTooLarge,
    InvalidParameter,
    KgError,
    ValidationFailed,
)
from graph.domain.inputs import check_report_size, report_text_problem, url_problem
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Extraction
from graph.language.extract.text import ReportInput, from_html
from graph.services.actor_review import Verdicts
from graph.services.dedupe import Bands, Sketch, canonical_url, fingerprint
from graph.services.feedstate import FeedState, later, stamp
from graph.services.fetch import Client, Response, address_problem, check_url, decode
from graph.services.incident_merge import DecisionLog
from graph.services.ingest import Copy, OutletReader, PreparedBatch, copy_source_id, prepare_batch, write_batch
from graph.services.watch import Arrived, entity_names, event_types, queue_alerts, relation_key
from graph.stores.protocol import GraphStore

log = logging.getLogger("kg.feeds")

ITEM_RETRY_BASE = 900.0  # a page that failed for a transient reason is tried again after 15 min, then 30, 60…
ITEM_RETRY_MAX = 86_400.0
MAX_ATTEMPTS = 6  # …and given up after six attempts (`kg feeds retry` tries again on demand)
FEED_RETRY_BASE = 300.0
FEED_RETRY_MAX = 21_600.0
GATHER = 0.25  # seconds the reading waits for one more page before it reads what it has
MIN_ARTICLE_WORDS = 20  # less is a navigation stub, a paywall notice or a caption, not an article
BATCH = 32  # reports extracted and written together: the parse batches, and a kill loses at most this much work
ACCEPT_FEED = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"
ACCEPT_PAGE = "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.5, */*;q=0.1"
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain", ""})
_HTML_START = re.compile(rb"\A\s*(?:\xef\xbb\xbf)?\s*(?:<!doctype html|<html|<head|<body)", re.IGNORECASE)
_ALTERNATE = re.compile(r"""<link[^>]+type=["']application/(?:rss|atom)\+xml["'][^>]*>""", re.IGNORECASE)
_HREF = re.compile(r"""href=["']([^"']+)["']""", re.IGNORECASE)
ItemState = Literal["queued", "fetched", "writing", "ingested", "duplicate", "failed"]
ITEM_STATES: tuple[ItemState, ...] = ("queued", "fetched", "writing", "ingested", "duplicate", "failed")


# --- feed records -------------------------------------------------------------------------------


@dataclass
class Feed:
    """A feed followed: where it is, whose it is, how its last poll went, and its items counted by state."""

    id: int
    url: str
    outlet: str | None
    title: str | None
    added_at: str
    polled_at: str | None
    status: str
    error_reason: str | None
    error: str | None
    failures: int
    retry_at: str | None
    moved_to: str | None
    entries: int
    items: dict[str, int] = field(default_factory=dict)
    copies: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "url": self.url, "outlet": self.outlet, "title": self.title, "added_at": self.added_at,
                "polled_at": self.polled_at, "status": self.status, "error_reason": self.error_reason,
                "error": self.error, "failures": self.failures, "retry_at": self.retry_at,
                "moved_to": self.moved_to, "entries": self.entries,
                "items": {s: self.items.get(s, 0) for s in ITEM_STATES}, "copies": self.copies}


def _feed(row: sqlite3.Row, counts: dict[str, int] | None = None) -> Feed:
    counts = dict(counts or {})
    copies = counts.pop("copies", 0)
    return Feed(id=row["id"], url=row["url"], outlet=row["outlet"], title=row["title"], added_at=row["added_at"],
                polled_at=row["polled_at"], status=row["status"], error_reason=row["error_reason"], error=row["error"],
                failures=row["failures"], retry_at=row["retry_at"], moved_to=row["moved_to"],
                entries=row["entries"], items=counts, copies=copies)


# Items counted by state, and the ingested ones that run another outlet's text (copies) apart as well.
_COUNTS = ("SELECT feed_id, state, COUNT(*) AS n, SUM(state = 'ingested' AND similarity IS NOT NULL) AS copies "
           "FROM items {where} GROUP BY feed_id, state")


def _counts(rows: Sequence[sqlite3.Row]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        feed = counts.setdefault(row["feed_id"], {})
        feed[row["state"]] = row["n"]
        feed["copies"] = feed.get("copies", 0) + (row["copies"] or 0)
    return counts


def add_feed(state: FeedState, url: str, *, outlet: str | None = None, allow_private: bool = False,
             private_networks: Sequence[str] = ()) -> Feed:
    """Follow a feed. Nothing is fetched now (the next poll reads it); the URL is checked and canonicalised.

    An address literal in a private or loopback range is refused here already; a name is checked
    against what it resolves to at every fetch.
    """
    problem = url_problem(url)
    if problem:
        raise InvalidParameter("url", url, problem)
    try:
        _, host, _ = check_url(url)
    except AddressRefused as error:
        raise InvalidParameter("url", url, error.message.removeprefix(f"{url}: ")) from error
    try:
        private = address_problem(host.strip("[]"), private_networks)
    except ValueError:
        private = None
    if private and not allow_private:
        raise InvalidParameter("url", url, f"{private}; set KG_FEEDS_ALLOW_PRIVATE=true to follow feeds on "
                                           "private and loopback addresses")
    if outlet is not None and (not outlet.strip() or len(outlet) > 200 or re.search(r"[\x00-\x1f<>]", outlet)):
        raise InvalidParameter("outlet", outlet, "an outlet is a name of 1 to 200 characters, without markup")
    canonical = canonical_url(url)
    try:
        with state.write() as db:
            cursor = db.execute("INSERT INTO feeds (url, outlet, added_at) VALUES (?, ?, ?)",
                                (canonical, outlet.strip() if outlet else None, stamp(state.now())))
            row = db.execute("SELECT * FROM feeds WHERE id = ?", (cursor.lastrowid,)).fetchone()
    except sqlite3.IntegrityError as error:
        raise FeedExists(f"{canonical} is followed already", details={"url": canonical}) from error
    return _feed(row)


def list_feeds(state: FeedState) -> list[Feed]:
    """Every feed followed, by id, with its items counted by state."""
    counts = _counts(state.query(_COUNTS.format(where="")))
    return [_feed(row, counts.get(row["id"])) for row in state.query("SELECT * FROM feeds ORDER BY id")]


def get_feed(state: FeedState, key: str | int) -> Feed:
    """The feed with this id or URL (as given or canonical), or ``FeedNotFound``."""
    text = str(key).strip()
    if text.isdigit():
        rows = state.query("SELECT * FROM feeds WHERE id = ?", (int(text),))
    else:
        rows = state.query("SELECT * FROM feeds WHERE url IN (?, ?)", (text, canonical_url(text)))
    if not rows:
        raise FeedNotFound(f"no feed is followed with the id or URL {text!r} (`kg feeds list` shows them)",
                           details={"feed": text})
    counts = _counts(state.query(_COUNTS.format(where="WHERE feed_id = ?"), (rows[0]["id"],)))
    return _feed(rows[0], counts.get(rows[0]["id"]))


def remove_feed(state: FeedState, key: str | int) -> Feed:
    """Stop following a feed. Its items stay known, so following it again reads nothing twice."""
    feed = get_feed(state, key)
    with state.write() as db:
        db.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))
    return feed


def feed_items(state: FeedState, feed_id: int | None = None, *, states: Sequence[str] | None = None,
               limit: int = 50) -> list[dict[str, Any]]:
    """Items, newest first: their URL, title, state, report in the graph, and for failures why and when next."""
    wanted = list(states or ITEM_STATES)
    marks = ",".join("?" for _ in wanted)
    rows = state.query(
        f"SELECT i.*, f.url AS feed_url FROM items i LEFT JOIN feeds f ON f.id = i.feed_id "  # noqa: S608 - marks only
        f"WHERE (? IS NULL OR i.feed_id = ?) AND i.state IN ({marks}) ORDER BY i.id DESC LIMIT ?",
        (feed_id, feed_id, *wanted, limit))
    return [{"id": r["id"], "feed": r["feed_id"], "url": r["url"], "title": r["page_title"] or r["title"],
             "state": r["state"], "source": r["source_id"], "same_as": r["same_as"], "similarity": r["similarity"],
             "claims": r["claims"], "attempts": r["attempts"], "error_reason": r["error_reason"], "error": r["error"],
             "retry_at": r["retry_at"], "seen_at": r["seen_at"], "done_at": r["done_at"],
             "redirects": json.loads(r["redirects"]) if r["redirects"] else []} for r in rows]


def retry_failed(state: FeedState, feed_id: int | None = None) -> int:
    """Make every failed item (of a feed) due at the next poll, whatever its failure; returns how many."""
    with state.write() as db:
        return db.execute("UPDATE items SET retry_at = ?, attempts = 0 WHERE state = 'failed' "
                          "AND (? IS NULL OR feed_id = ?)", (stamp(state.now()), feed_id, feed_id)).rowcount


# --- reading a feed -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One feed entry: its link as given and canonical, title and publication date."""

    link: str
    url: str
    title: str | None
    published: str | None


@dataclass
class ParsedFeed:
    """A feed's title and usable entries, what was skipped and why, and a warning if it was malformed."""

    title: str | None
    entries: list[Entry]
    skipped: Counter[str]
    warning: str | None


def _date(parsed: struct_time | None) -> str | None:
    if not parsed:
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return None


def _bozo(parsed: Any) -> str:
    """What feedparser found wrong, in words: the XML error and where, or the exception's first line."""
    error = parsed.get("bozo_exception")
    if error is None:
        return "malformed"
    line = getattr(error, "getLineNumber", lambda: None)()
    if line:
        message = getattr(error, "getMessage", lambda: str(error))()
        return f"XML error at line {line}, column {error.getColumnNumber()}: {message}"
    return f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"


def parse_feed(response: Response, max_entries: int) -> ParsedFeed:
    """The entries of an RSS or Atom document; ``FeedUnreadable`` when it is none (saying what it is instead)."""
    url = response.url
    body = response.body
    if not body.strip():
        raise FeedUnreadable(url, "the server sent an empty document, not a feed")
    html = "is an HTML page, not an RSS or Atom feed"
    if _HTML_START.match(body[:2048]):
        raise FeedUnreadable(url, html + _alternates(response))
    parsed = feedparser.parse(io.BytesIO(body), response_headers={
        "content-type": response.headers.get("content-type", "application/xml"), "content-location": url})
    if not parsed.get("version") and response.content_type in ("text/html", "application/xhtml+xml"):
        raise FeedUnreadable(url, html + _alternates(response))
    if not parsed.get("version") or (not parsed.entries and parsed.get("bozo")):
        reason = _bozo(parsed) if parsed.get("bozo") else "no RSS or Atom root element"
        raise FeedUnreadable(url, f"is not a readable RSS or Atom feed ({reason})")
    warning = None
    if parsed.get("bozo"):
        warning = f"malformed feed ({_bozo(parsed)}); {len(parsed.entries)} entries read by the lenient parser"
    skipped: Counter[str] = Counter()
    entries: list[Entry] = []
    raw = list(parsed.entries)
    if len(raw) > max_entries:
        raw.sort(key=lambda e: tuple(e.get("published_parsed") or e.get("updated_parsed") or ()), reverse=True)
        skipped["beyond the entries read in one poll (KG_FEEDS_MAX_ENTRIES)"] += len(raw) - max_entries
        raw = raw[:max_entries]
    for entry in raw:
        link = entry.get("link") or next((link.get("href") for link in entry.get("links", []) if link.get("href")),
                                         None)
        if not link and str(entry.get("id", "")).startswith(("http://", "https://")):
            link = entry["id"]
        if not link:
            skipped["no link"] += 1
            continue
        link = str(link).strip()
        if url_problem(link):
            skipped["a link that is not http(s)"] += 1
            continue
        title = entry.get("title")
        entries.append(Entry(link=link, url=canonical_url(link), title=str(title)[:500] if title else None,
                             published=_date(entry.get("published_parsed") or entry.get("updated_parsed"))))
    if parsed.get("bozo") and not entries:
        raise FeedUnreadable(url, f"is not a readable RSS or Atom feed ({_bozo(parsed)}; no entry with a link "
                                  "could be read)")
    title = parsed.feed.get("title")
    return ParsedFeed(str(title)[:300] if title else None, entries, skipped, warning)


def _alternates(response: Response) -> str:
    """The feeds an HTML page names in its ``<link rel=alternate>`` tags, as a hint for the error message."""
    from urllib.parse import urljoin  # noqa: PLC0415 - only for this message

    try:
        head = response.body[:65_536].decode("utf-8", "replace")
    except LookupError:
        return ""
    found = [urljoin(response.url, m.group(1)) for tag in _ALTERNATE.findall(head) if (m := _HREF.search(tag))]
    return f"; the page names a feed at {found[0]}: follow that URL instead" if found else ""


# --- polling ------------------------------------------------------------------------------------


@dataclass
class FeedOutcome:
    """How one feed's read went in a poll."""

    feed: int
    url: str
    status: Literal["unchanged", "read", "failed"]
    new: int = 0
    entries: int = 0
    reason: str | None = None
    error: str | None = None
    warning: str | None = None
    retry_at: str | None = None
    skipped: dict[str, int] = field(default_factory=dict)
    moved_to: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"feed": self.feed, "url": self.url, "status": self.status, "new": self.new, "entries": self.entries,
                "reason": self.reason, "error": self.error, "warning": self.warning, "retry_at": self.retry_at,
                "skipped": self.skipped, "moved_to": self.moved_to}


@dataclass
class PollReport:
    """What one poll did, item by item counted, every failure with its reason."""

    poll: int
    resumed: dict[str, int] = field(default_factory=dict)
    feeds: list[FeedOutcome] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    fetched: int = 0
    read: int = 0
    copies: int = 0
    duplicates: int = 0
    left_out: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    written: dict[str, dict[str, int]] = field(default_factory=lambda: {
        k: {"entities": 0, "sources": 0, "claims": 0} for k in ("created", "updated", "unchanged")})
    arrived: int = 0
    alerts: int = 0
    incidents: int = 0  # incidents written (new, or joined by a report of this poll)
    staged: int = 0  # claims naming actors the registry lacks, staged for review with them
    held: int = 0  # such claims neither loaded nor staged: no staging file was given

    def as_dict(self) -> dict[str, Any]:
        return {"poll": self.poll, "resumed": self.resumed, "feeds": [f.as_dict() for f in self.feeds],
                "requests": self.requests, "fetched": self.fetched, "read": self.read, "copies": self.copies,
                "duplicates": self.duplicates, "left_out": self.left_out, "failed": self.failed,
                "written": self.written, "arrived": self.arrived, "alerts": self.alerts,
                "incidents": self.incidents, "staged": self.staged, "held": self.held}


@dataclass
class _Match:
    """The text an item runs: its leader (item and report) and the outlets already carrying it."""

    leader_item: int | None
    leader_source: str
    similarity: float
    voices: dict[str, str]  # outlet id -> the report of that outlet carrying the text


@dataclass
class _Plan:
    item: sqlite3.Row
    report: ReportInput
    fingerprint: str
    sketch: Sketch
    voice: str
    kind: Literal["leader", "copy", "duplicate"] = "leader"
    source_id: str = ""
    match: _Match | None = None


Progress = Callable[[int, int], None]


class Poller:
    """One poll of the feeds followed: read them, fetch what is new, read each text once, write, queue alerts."""

    def __init__(self, state: FeedState, store: GraphStore, ontology: Ontology, *,
                 extractor: OutletReader | Callable[[], OutletReader],
                 client: Client, near_duplicate: float = 0.7, max_entries: int = 500,
                 max_report_chars: int = 2_000_000, batch: int = BATCH, progress: Progress | None = None,
                 staging: Path | None = None, decisions: DecisionLog | None = None,
                 verdicts: Verdicts | None = None) -> None:
        self.state = state
        # As `kg ingest` writes: incidents placed among the store's (merges recorded in ``decisions``), and claims
        # naming actors the registry lacks staged with them in ``staging`` (without one: held back and counted).
        self.staging = staging
        self.decisions = decisions or DecisionLog(None)
        self.verdicts = verdicts  # the review's decisions on new actors, reapplied as `kg ingest` reapplies them
        self.store = store
        self.ontology = ontology
        # A factory is called the first time there is something to read: a poll of unchanged feeds never loads
        # the language pipeline (seconds), which is most of what a quiet poll would otherwise cost.
        self._extractor = extractor
        self.client = client
        self.bands = Bands(near_duplicate)
        self.max_entries = max_entries
        self.max_report_chars = max_report_chars
        self.batch = batch
        self.progress = progress
        self.events = event_types(ontology)
        self._feeds: dict[int, sqlite3.Row] = {}

    @property
    def extractor(self) -> OutletReader:
        if callable(self._extractor):
            self._extractor = _Outlets(self._extractor())
        elif not isinstance(self._extractor, _Outlets):
            self._extractor = _Outlets(self._extractor)
        return self._extractor

    # --- the run --------------------------------------------------------------------------------

    def poll(self, feeds: Sequence[int] | None = None) -> PollReport:
        """Poll the feeds (all, or these ids) once, resuming whatever an interrupted poll left."""
        with self.state.exclusive("poll"):
            report = self._begin()
            try:
                self._queue_alerts(report)  # what a poll killed before its end had not matched yet
                self._feeds = {row["id"]: row for row in self.state.query("SELECT * FROM feeds")}
                wanted = [self._feeds[i] for i in sorted(self._feeds) if feeds is None or i in feeds]
                now = stamp(self.state.now())
                due = [f for f in wanted if feeds is not None or f["retry_at"] is None or f["retry_at"] <= now]
                # Threads waiting out a host's politeness delay hold no request slot (the client caps requests in
                # flight at KG_FEEDS_WORKERS), so there are enough of them for every host to be waiting at once.
                policy = self.client.policy
                threads = min(64, max(policy.workers, len(due) * policy.host_concurrency))
                with ThreadPoolExecutor(threads, thread_name_prefix="kg-feeds") as pool:
                    self._run(pool, due, feeds, report)
                report.feeds.sort(key=lambda outcome: outcome.feed)
                self._queue_alerts(report)
            finally:
                report.requests = dict(self.client.requests)
                self._finish(report)
            return report

    def _begin(self) -> PollReport:
        """Open a poll, noting a poll that was interrupted and what it left for this one."""
        now = stamp(self.state.now())
        with self.state.write() as db:
            db.execute("UPDATE polls SET state = 'interrupted' WHERE state = 'running'")
            poll_id = db.execute("INSERT INTO polls (started_at, state) VALUES (?, 'running')", (now,)).lastrowid
            left = {r["state"]: r["n"] for r in db.execute(
                "SELECT state, COUNT(*) AS n FROM items WHERE state IN ('queued', 'fetched', 'writing') "
                "GROUP BY state")}
        assert poll_id is not None
        return PollReport(poll=poll_id, resumed=left)

    def _finish(self, report: PollReport) -> None:
        with self.state.write() as db:
            db.execute("UPDATE polls SET state = 'done', finished_at = ?, summary = ? WHERE id = ?",
                       (stamp(self.state.now()), json.dumps(report.as_dict()), report.poll))

    # --- feeds ----------------------------------------------------------------------------------

    def _read_feed(self, feed: sqlite3.Row) -> FeedOutcome:
        url = feed["url"]
        headers = {"Accept": ACCEPT_FEED}
        if feed["etag"]:
            headers["If-None-Match"] = feed["etag"]
        if feed["last_modified"]:
            headers["If-Modified-Since"] = feed["last_modified"]
        try:
            response = self.client.get(url, headers=headers)
            if response.status == 304:
                with self.state.write() as db:
                    db.execute("UPDATE feeds SET status = 'unchanged', polled_at = ?, error_reason = NULL, "
                               "error = NULL, failures = 0, retry_at = NULL WHERE id = ?",
                               (stamp(self.state.now()), feed["id"]))
                return FeedOutcome(feed["id"], url, "unchanged")
            parsed = parse_feed(response, self.max_entries)
        except FetchFailed as error:
            return self._feed_failed(feed, error)
        except Exception as error:  # a bug on one feed must not stop the others: recorded, logged
            log.exception("reading feed %s", url)
            return self._feed_failed(feed, FeedUnreadable(url, f"unexpected error: {type(error).__name__}: {error}"))
        now = stamp(self.state.now())
        moved = response.url if response.redirects else None
        with self.state.write() as db:
            new = 0
            for entry in parsed.entries:
                new += db.execute(
                    "INSERT OR IGNORE INTO items (feed_id, url, link, title, published, state, seen_at) "
                    "VALUES (?, ?, ?, ?, ?, 'queued', ?)",
                    (feed["id"], entry.url, entry.link, entry.title, entry.published, now)).rowcount
            # The validators are saved with the items they brought: a kill before this commit re-reads the feed.
            db.execute("UPDATE feeds SET etag = ?, last_modified = ?, polled_at = ?, status = ?, error_reason = ?, "
                       "error = ?, failures = 0, retry_at = NULL, title = COALESCE(?, title), moved_to = ?, "
                       "entries = ? WHERE id = ?",
                       (response.headers.get("etag"), response.headers.get("last-modified"), now,
                        "warning" if parsed.warning else "ok", "malformed" if parsed.warning else None,
                        parsed.warning, parsed.title, moved, len(parsed.entries), feed["id"]))
        return FeedOutcome(feed["id"], url, "read", new=new, entries=len(parsed.entries), warning=parsed.warning,
                           skipped=dict(parsed.skipped), moved_to=moved)

    def _feed_failed(self, feed: sqlite3.Row, error: FetchFailed) -> FeedOutcome:
        failures = feed["failures"] + 1
        wait = min(FEED_RETRY_MAX, FEED_RETRY_BASE * 2 ** (failures - 1))
        if error.retry_after:
            wait = max(wait, error.retry_after)
        retry_at = later(self.state.now(), wait)
        with self.state.write() as db:
            db.execute("UPDATE feeds SET status = 'failed', polled_at = ?, error_reason = ?, error = ?, failures = ?, "
                       "retry_at = ? WHERE id = ?",
                       (stamp(self.state.now()), error.reason, error.message, failures, retry_at, feed["id"]))
        return FeedOutcome(feed["id"], feed["url"], "failed", reason=error.reason, error=error.message,
                           retry_at=retry_at)

    # --- items ----------------------------------------------------------------------------------

    def _run(self, pool: ThreadPoolExecutor, due: Sequence[sqlite3.Row], feeds: Sequence[int] | None,
             report: PollReport) -> None:
        """Read the feeds and fetch, read and write their items, all at once: what an earlier poll left first, then
        each feed's new items as soon as that feed has been read."""
        now = stamp(self.state.now())
        rows = [r for r in self.state.query(
            "SELECT * FROM items WHERE state IN ('queued', 'fetched', 'writing') "
            "OR (state = 'failed' AND retry_at IS NOT NULL AND retry_at <= ?) ORDER BY id", (now,))
            if feeds is None or r["feed_id"] in feeds]
        total, done = len(rows), 0
        self._tick(done, total)
        ready = [r["id"] for r in rows if r["state"] in ("fetched", "writing")]
        fetching = [r for r in rows if r["state"] in ("queued", "failed")]
        submitted = {r["id"] for r in rows}
        reading: dict[Future[FeedOutcome], int] = {pool.submit(self._read_feed, feed): feed["id"] for feed in due}
        pending: set[Future[Any]] = {*reading, *(pool.submit(self._fetch_item, row) for row in _round_robin(fetching))}
        # The reading waits for the fetching only briefly: what has arrived is read (up to a batch) as soon as
        # no further page has come in for GATHER seconds, so the extractor starts on the first pages, and
        # batches fill up (fewer, larger writes) whenever pages come in faster than it reads them. Pages keep
        # coming in, in the workers, meanwhile.
        while pending or ready:
            if ready and (len(ready) >= self.batch or not pending):
                done += self._ingest(ready[:self.batch], report)
                ready = ready[self.batch:]
                self._tick(done, total)
                continue
            arrived, pending = wait(pending, timeout=GATHER if ready else None, return_when=FIRST_COMPLETED)
            for job in arrived:
                if job in reading:
                    outcome = job.result()
                    report.feeds.append(outcome)
                    self._feeds[outcome.feed] = self.state.query("SELECT * FROM feeds WHERE id = ?",
                                                                 (outcome.feed,))[0]
                    new = [r for r in self.state.query("SELECT * FROM items WHERE feed_id = ? AND state = 'queued' "
                                                       "ORDER BY id", (outcome.feed,)) if r["id"] not in submitted]
                    submitted.update(r["id"] for r in new)
                    pending.update(pool.submit(self._fetch_item, row) for row in new)
                    total += len(new)
                    continue
                item_id, failure = job.result()
                if failure is None:
                    report.fetched += 1
                    ready.append(item_id)
                else:
                    report.failed.append(failure)
                    done += 1
            if not arrived and ready:
                done += self._ingest(ready[:self.batch], report)
                ready = ready[self.batch:]
            self._tick(done, total)

    def _tick(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)

    def _fetch_item(self, item: sqlite3.Row) -> tuple[int, dict[str, Any] | None]:
        """Fetch one item's page in a worker thread and commit it, as it came, at once.

        The page is read (decoded, its article taken by trafilatura) by the thread that extracts, when its
        batch comes: workers only wait on the network, so fetching costs the extractor no CPU of its own.
        """
        url = item["url"]
        try:
            response = self.client.get(url, headers={"Accept": ACCEPT_PAGE})
            if response.content_type not in PAGE_TYPES:
                raise ArticleUnreadable(url, f"is {response.content_type}, not an HTML page")
        except FetchFailed as error:
            return item["id"], self._item_failed(item, error)
        except Exception as error:  # a bug on one page must not stop the poll: recorded, logged
            log.exception("fetching item %s", url)
            return item["id"], self._item_failed(item, ArticleUnreadable(
                url, f"unexpected error: {type(error).__name__}: {error}"))
        with self.state.write() as db:
            db.execute("UPDATE items SET state = 'fetched', fetched_at = ?, final_url = ?, redirects = ?, page = ?, "
                       "page_type = ?, attempts = attempts + 1, error_reason = NULL, error = NULL, retry_at = NULL "
                       "WHERE id = ?",
                       (stamp(self.state.now()), canonical_url(response.url), json.dumps(response.redirects),
                        response.body, response.headers.get("content-type", ""), item["id"]))
        return item["id"], None

    def _page(self, item: sqlite3.Row) -> ReportInput:
        """The article a fetched page holds, or the ``FetchFailed`` that says why there is none."""
        url = item["url"]
        try:
            raw = decode(item["page"] or b"", item["page_type"] or "", url)
            kind = (item["page_type"] or "").split(";", 1)[0].strip().lower()
            if kind == "text/plain" and not _HTML_START.match(raw[:512].encode()):
                page = ReportInput(text=raw, origin=url, url=url)
            else:
                # The URL is ours to record, not trafilatura's to parse: given one, it loads the Public Suffix List
                # to name the domain (a second of CPU a process), which the feed's outlet makes needless.
                page = from_html(raw, origin=url).with_metadata(url=url)
            check_report_size(page.text, self.max_report_chars, url)
        except ExtractionInputError as error:
            raise ArticleUnreadable(url, error.message.removeprefix(f"{url}: ")) from error
        except InputTooLarge as error:
            raise ArticleUnreadable(url, error.message, details={"reason": "too_large"}) from error
        problem = report_text_problem(page.text)
        if problem:
            raise ArticleUnreadable(url, f"its article text {problem}")
        words = len(page.text.split())
        if words < MIN_ARTICLE_WORDS:
            raise ArticleUnreadable(url, f"no article text found: the page's main text holds {words} word"
                                         f"{'s' if words != 1 else ''} (an index page, a paywall or a video?)")
        return page

    def _item_failed(self, item: sqlite3.Row, error: FetchFailed) -> dict[str, Any]:
        attempts = item["attempts"] + 1
        retry_at = None
        if error.transient and attempts < MAX_ATTEMPTS:
            wait = min(ITEM_RETRY_MAX, ITEM_RETRY_BASE * 2 ** (attempts - 1))
            retry_at = later(self.state.now(), max(wait, error.retry_after or 0.0))
        reason = str(error.details.get("reason", error.reason))
        with self.state.write() as db:
            db.execute("UPDATE items SET state = 'failed', attempts = ?, error_reason = ?, error = ?, retry_at = ?, "
                       "page = NULL WHERE id = ?", (attempts, reason, error.message, retry_at, item["id"]))
        return {"item": item["id"], "feed": item["feed_id"], "url": item["url"], "reason": reason,
                "error": error.message, "attempts": attempts, "retry_at": retry_at}

    # --- reading and writing a batch ------------------------------------------------------------

    def _ingest(self, ids: Sequence[int], report: PollReport) -> int:
        """Read, compare and write a batch of fetched items; returns how many items it settled."""
        marks = ",".join("?" for _ in ids)
        rows = self.state.query(f"SELECT * FROM items WHERE id IN ({marks}) ORDER BY id", tuple(ids))  # noqa: S608
        read: list[tuple[sqlite3.Row, ReportInput]] = []
        for row in rows:
            try:
                read.append((row, self._page(row)))
            except FetchFailed as error:
                report.failed.append(self._item_failed(row, error))
            except Exception as error:  # a bug on one page must not stop the poll: recorded, logged
                log.exception("reading item %s", row["url"])
                report.failed.append(self._item_failed(row, ArticleUnreadable(
                    row["url"], f"unexpected error: {type(error).__name__}: {error}")))
        if not read:
            return len(rows)
        plans = self._plan(read)
        try:
            self._write(plans, report)
        except (ValidationFailed, InconsistentWrite, ExtractionInputError) as error:
            if len(plans) == 1:
                self._rejected(plans, error, report)
                return len(rows)
            for group in _groups(plans):  # one report the loader refuses must not keep the others out
                try:
                    self._write(group, report)
                except (ValidationFailed, InconsistentWrite, ExtractionInputError) as refused:
                    self._rejected(group, refused, report)
        return len(rows)

    def _report(self, item: sqlite3.Row, page: ReportInput) -> ReportInput:
        """The report an item's page makes: the feed's outlet (as given) over what the page says, the entry's
        title and date where the page gives none."""
        feed = self._feeds.get(item["feed_id"])
        given = feed["outlet"] if feed is not None else None
        outlet = given or page.outlet or (feed["title"] if feed is not None else None)
        published = page.published or item["published"]
        if published:
            try:
                PartialDate.parse(published)
            except ValueError:
                published = None
        return ReportInput(text=page.text, title=page.title or item["title"], outlet=outlet, outlet_id=given,
                           url=item["url"], published=published, origin=item["url"])

    def _plan(self, read: Sequence[tuple[sqlite3.Row, ReportInput]]) -> list[_Plan]:
        """Leader, copy or duplicate, for each item, in order: against this batch, the state file and the graph."""
        plans = []
        for row, page in read:
            report = self._report(row, page)
            plans.append(_Plan(row, report, fingerprint(report.text), Sketch.of(report.text),
                               self.extractor.voice_of(report)))
        stored = self.store.get_sources(sorted({p.report.report_id for p in plans}))
        planned: list[_Plan] = []  # the leaders and copies of this batch so far, each with its group
        carried: dict[str, dict[str, str]] = {}  # leader report -> outlets carrying it, shared across this batch
        for plan in plans:
            match = self._in_batch(plan, planned) or self._in_state(plan)
            if match is not None:
                match.voices = carried.setdefault(match.leader_source, match.voices)
            own_retry = plan.item["state"] == "writing" and plan.item["source_id"] == plan.report.report_id
            if match is None and plan.report.report_id in stored and not own_retry:
                source = stored[plan.report.report_id]  # the graph has this text already, read by `kg ingest`
                voice = self.extractor.voice_of(ReportInput(text=source.text, outlet=source.outlet,
                                                            outlet_id=source.outlet_id, url=source.url))
                match = _Match(None, source.id, 1.0, carried.setdefault(source.id, {voice: source.id}))
            if match is None:
                plan.kind, plan.source_id = "leader", plan.report.report_id
                plan.match = _Match(plan.item["id"], plan.source_id, 1.0, {plan.voice: plan.source_id})
                planned.append(plan)
            elif plan.voice in match.voices:
                plan.kind, plan.source_id, plan.match = "duplicate", match.voices[plan.voice], match
            else:
                plan.kind, plan.match = "copy", match
                plan.source_id = copy_source_id(plan.report.text, plan.report.url or plan.item["url"])
                match.voices[plan.voice] = plan.source_id
                planned.append(plan)
        return plans

    def _in_batch(self, plan: _Plan, planned: Sequence[_Plan]) -> _Match | None:
        """The group of the nearest text read earlier in this batch (a leader's, or a copy's: a copy of a copy is
        in the same group), or None."""
        best: tuple[float, _Plan] | None = None
        for other in planned:
            similarity = 1.0 if other.fingerprint == plan.fingerprint else other.sketch.similarity(plan.sketch)
            if similarity >= self.bands.threshold and (best is None or similarity > best[0]):
                best = (similarity, other)
        if best is None:
            return None
        assert best[1].match is not None
        found = best[1].match
        return _Match(found.leader_item, found.leader_source, best[0], found.voices)

    def _in_state(self, plan: _Plan) -> _Match | None:
        """A text read in an earlier batch or poll: the same fingerprint, else a near signature found through its
        bands; the group is the leader's, whether the nearest text is the leader's or a copy's."""
        exact = self.state.query("SELECT id, same_as FROM items WHERE fingerprint = ? AND state = 'ingested' "
                                 "ORDER BY id LIMIT 1", (plan.fingerprint,))
        if exact:
            return self._group(exact[0]["same_as"] or exact[0]["id"], 1.0)
        keys = self.bands.keys(plan.sketch)
        values = ",".join("(?, ?)" for _ in keys)
        candidates = self.state.query(
            f"SELECT DISTINCT s.item_id, s.signature, i.same_as FROM bands b "  # noqa: S608 - marks only
            f"JOIN signatures s ON s.item_id = b.item_id JOIN items i ON i.id = s.item_id "
            f"WHERE (b.band, b.key) IN (VALUES {values})", tuple(v for key in keys for v in key))
        best: tuple[float, int] | None = None
        for row in candidates:
            similarity = plan.sketch.similarity(Sketch.from_bytes(row["signature"]))
            if similarity >= self.bands.threshold and (best is None or similarity > best[0]):
                best = (similarity, row["same_as"] or row["item_id"])
        return self._group(best[1], best[0]) if best else None

    def _group(self, leader_item: int, similarity: float) -> _Match | None:
        rows = self.state.query("SELECT id, voice, source_id FROM items WHERE (id = ? OR same_as = ?) "
                                "AND state = 'ingested' ORDER BY id", (leader_item, leader_item))
        leader = next((r for r in rows if r["id"] == leader_item), None)
        if leader is None:
            return None
        return _Match(leader_item, leader["source_id"], similarity, {r["voice"]: r["source_id"] for r in rows})

    def _write(self, plans: Sequence[_Plan], report: PollReport) -> None:
        leaders = [p for p in plans if p.kind == "leader"]
        copies = [p for p in plans if p.kind == "copy"]
        extractions = self.extractor.run_many([p.report for p in leaders], source_ids=[p.source_id for p in leaders]
                                              ) if leaders else []
        prepared = prepare_batch([p.report for p in leaders], [_copy(p) for p in copies], self.store, self.ontology,
                                 extractor=self.extractor, extractions=extractions, decisions=self.decisions,
                                 staging=self.staging, by="kg feeds", verdicts=self.verdicts)
        existing = self.store.existing_claims(prepared.claim_ids)
        ids = [p.item["id"] for p in plans]
        writing = [p for p in plans if p.kind != "duplicate"]
        with self.state.write() as db:
            for plan in writing:
                db.execute("UPDATE items SET state = 'writing', source_id = ? WHERE id = ?",
                           (plan.source_id, plan.item["id"]))
                for claim in prepared.claims.get(plan.source_id, []):
                    if claim.id not in existing:
                        db.execute("INSERT OR IGNORE INTO intents (item_id, claim_id) VALUES (?, ?)",
                                   (plan.item["id"], claim.id))
        written = write_batch(self.store, self.ontology, prepared) if writing else None
        marks = ",".join("?" for _ in ids)
        intended = {r["claim_id"] for r in self.state.query(
            f"SELECT claim_id FROM intents WHERE item_id IN ({marks})", tuple(ids))}  # noqa: S608 - marks only
        self._commit(plans, prepared, intended, report)
        report.incidents += len(prepared.placement.incidents) if written is not None else 0
        report.staged += sum(len(part.claims) for part in prepared.staged) if prepared.staging is not None else 0
        report.held += prepared.held
        if written is not None:
            for kind in ("created", "updated", "unchanged"):
                for what, count in getattr(written, kind).items():
                    report.written[kind][what] = report.written[kind].get(what, 0) + count

    def _commit(self, plans: Sequence[_Plan], prepared: PreparedBatch, intended: set[str],
                report: PollReport) -> None:
        arrived_at = stamp(self.state.now())
        left_out = {c.source_id: c.left_out for c in prepared.copies}
        arrived = 0
        with self.state.write() as db:
            for plan in plans:
                item_id = plan.item["id"]
                claims = prepared.claims.get(plan.source_id, []) if plan.kind != "duplicate" else []
                match = plan.match
                assert match is not None
                same_as = None if plan.kind == "leader" else match.leader_item
                db.execute("UPDATE items SET state = ?, source_id = ?, voice = ?, same_as = ?, similarity = ?, "
                           "claims = ?, done_at = ?, page = NULL, fingerprint = ?, page_title = ?, page_published = ?, "
                           "error_reason = NULL, error = NULL, retry_at = NULL WHERE id = ?",
                           ("duplicate" if plan.kind == "duplicate" else "ingested", plan.source_id, plan.voice,
                            same_as, None if plan.kind == "leader" else match.similarity, len(claims), arrived_at,
                            plan.fingerprint, plan.report.title, plan.report.published, item_id))
                if plan.kind == "leader" or (plan.kind == "copy" and same_as is not None):
                    # a copy's signature is kept too: a later text near it (and not near the leader) joins the group
                    db.execute("INSERT OR REPLACE INTO signatures (item_id, signature) VALUES (?, ?)",
                               (item_id, plan.sketch.to_bytes()))
                    db.execute("DELETE FROM bands WHERE item_id = ?", (item_id,))
                    db.executemany("INSERT INTO bands (band, key, item_id) VALUES (?, ?, ?)",
                                   [(band, key, item_id) for band, key in self.bands.keys(plan.sketch)])
                if plan.kind == "leader":
                    report.read += 1
                elif plan.kind == "copy":
                    report.copies += 1
                    report.left_out += left_out.get(plan.source_id, 0)
                else:
                    report.duplicates += 1
                for claim in claims:
                    if claim.id in intended:
                        arrived += db.execute(
                            "INSERT OR IGNORE INTO arrivals (claim_id, source_id, item_id, arrived_at, subject, type, "
                            "object, relation, event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (claim.id, plan.source_id, item_id, arrived_at, claim.subject, claim.type, claim.object,
                             relation_key(claim), int(claim.type in self.events))).rowcount
                db.execute("DELETE FROM intents WHERE item_id = ?", (item_id,))
        report.arrived += arrived

    def _queue_alerts(self, report: PollReport) -> None:
        """Match the claims that arrived and were not matched yet against the watchlists, and queue their alerts.

        Run once a poll has read everything (and at its start, for what a killed poll left): the claims of
        one relation that a poll brings, whichever batch they came in, are one alert. The arrivals are
        marked matched in the transaction that queues their messages, so each is matched once.
        """
        rows = self.state.query("SELECT claim_id, source_id, arrived_at FROM arrivals WHERE matched = 0 "
                                "ORDER BY arrived_at, claim_id")
        if not rows:
            return
        watching = self.state.query("SELECT COUNT(*) AS n FROM watchlists")[0]["n"]
        claims = self.store.get_claims([r["claim_id"] for r in rows]) if watching else {}
        refs = self.store.source_refs({r["source_id"] for r in rows}) if watching else {}
        told = {c.incident for c in claims.values() if c.incident}
        incidents = self.store.get_incidents(sorted(told)) if told else {}
        arrived = [Arrived(claims[r["claim_id"]], refs[r["source_id"]], r["arrived_at"],
                           incidents.get(claims[r["claim_id"]].incident or ""))
                   for r in rows if r["claim_id"] in claims and r["source_id"] in refs]
        names = entity_names(self.store, [a.claim for a in arrived]) if arrived else {}
        with self.state.write() as db:
            report.alerts += queue_alerts(db, arrived, names, self.events, self.state.now())
            db.executemany("UPDATE arrivals SET matched = 1 WHERE claim_id = ?", [(r["claim_id"],) for r in rows])

    def _rejected(self, plans: Sequence[_Plan], error: KgError, report: PollReport) -> None:
        """Items whose reports the loader (or the extractor) refused: failed, with the reason, not retried."""
        message = error.message.splitlines()
        shown = "; ".join(message[:4]) + (f" (and {len(message) - 4} more lines)" if len(message) > 4 else "")
        with self.state.write() as db:
            for plan in plans:
                db.execute("UPDATE items SET state = 'failed', error_reason = 'rejected', error = ?, retry_at = NULL, "
                           "attempts = attempts + 1 WHERE id = ?", (shown, plan.item["id"]))
                db.execute("DELETE FROM intents WHERE item_id = ?", (plan.item["id"],))
                report.failed.append({"item": plan.item["id"], "feed": plan.item["feed_id"], "url": plan.item["url"],
                                      "reason": "rejected", "error": shown, "attempts": plan.item["attempts"] + 1,
                                      "retry_at": None})


class _Outlets:
    """The extractor, with its outlet lookups remembered for the poll.

    Every item of a feed names the same outlet, and a name the registry lacks costs a fuzzy search
    for suggestions each time it is looked up (tens of milliseconds): asked once per outlet, not
    once per item, it stays off the poll's bill.
    """

    def __init__(self, reader: OutletReader) -> None:
        self._reader = reader
        self.name = reader.name
        self._known: dict[tuple[str | None, str | None, str | None], str | None] = {}
        self._voices: dict[tuple[str | None, str | None, str | None], str] = {}

    @staticmethod
    def _key(report: ReportInput) -> tuple[str | None, str | None, str | None]:
        from urllib.parse import urlsplit  # noqa: PLC0415 - a helper of this key only

        return report.outlet_id, report.outlet, urlsplit(report.url).hostname if report.url else None

    def run(self, report: ReportInput, *, source_id: str | None = None) -> Extraction:
        return self._reader.run(report, source_id=source_id)

    def run_many(self, reports: Sequence[ReportInput], *, source_ids: Sequence[str | None] | None = None,
                 n_process: int = 1) -> list[Extraction]:
        return self._reader.run_many(reports, source_ids=source_ids, n_process=n_process)

    def outlet_of(self, report: ReportInput) -> str | None:
        key = self._key(report)
        if key not in self._known:
            self._known[key] = self._reader.outlet_of(report)
        return self._known[key]

    def voice_of(self, report: ReportInput) -> str:
        key = self._key(report)
        if key not in self._voices:
            self._voices[key] = self._reader.voice_of(report)
        return self._voices[key]


def _copy(plan: _Plan) -> Copy:
    assert plan.match is not None
    return Copy(plan.report, plan.source_id, plan.match.leader_source, plan.match.similarity)


def _groups(plans: Sequence[_Plan]) -> Iterator[list[_Plan]]:
    """A batch split into what must be written together: each leader with the copies of it, each other item alone."""
    by_leader: dict[str, list[_Plan]] = {}
    for plan in plans:
        key = plan.source_id if plan.kind == "leader" else f"{plan.match.leader_source if plan.match else ''}"
        by_leader.setdefault(key, []).append(plan)
    yield from by_leader.values()


def _round_robin(rows: Sequence[sqlite3.Row]) -> list[sqlite3.Row]:
    """Items ordered host by host in turn, so that one host's politeness delay does not hold the others up."""
    from graph.services.fetch import origin_of  # noqa: PLC0415 - a helper of this one ordering

    queues: dict[str, list[sqlite3.Row]] = {}
    for row in rows:
        queues.setdefault(origin_of(row["url"]), []).append(row)
    ordered: list[sqlite3.Row] = []
    while queues:
        for origin in list(queues):
            ordered.append(queues[origin].pop(0))
            if not queues[origin]:
                del queues[origin]
    return ordered


# --- what arrived -------------------------------------------------------------------------------


RECENT = 86_400.0  # what "new" means when no date is given: the last day


def parse_since(value: str | None, now: datetime | None = None) -> str:
    """A ``since`` (YYYY, YYYY-MM, YYYY-MM-DD or an ISO 8601 time, UTC unless it says) as a stored moment;
    unset or empty, the last day."""
    text = (value or "").strip()
    if not text:
        return later(now or datetime.now(UTC), -RECENT)
    try:
        if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
            start = PartialDate.parse(text).start
            return stamp(datetime(start.year, start.month, start.day, tzinfo=UTC))
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return stamp(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    except (ValueError, OverflowError) as error:
        raise InvalidParameter("since", value, "a date (YYYY, YYYY-MM, YYYY-MM-DD) or an ISO 8601 time "
                                              "(2024-05-01T08:00:00Z)") from error


@dataclass(frozen=True)
class NewClaimRef:
    """A claim that arrived, and when."""

    claim: str
    arrived_at: str


@dataclass(frozen=True)
class NewIncident:
    """An incident (one relation of an event type) first heard of since a moment: its claims and when."""

    relation: str
    first_arrived: str
    claims: list[str]


def new_claims(state: FeedState, since: str, *, limit: int, offset: int) -> tuple[list[NewClaimRef], int]:
    """Claims that arrived at or after ``since`` (a stored moment), newest first (a report's together): one page,
    and how many in all."""
    count = state.query("SELECT COUNT(*) AS n FROM arrivals WHERE arrived_at >= ?", (since,))
    rows = state.query("SELECT claim_id, arrived_at FROM arrivals WHERE arrived_at >= ? "
                       "ORDER BY arrived_at DESC, source_id, claim_id LIMIT ? OFFSET ?", (since, limit, offset))
    return [NewClaimRef(r["claim_id"], r["arrived_at"]) for r in rows], (count[0]["n"] if count else 0)


def new_incidents(state: FeedState, since: str, *, limit: int, offset: int) -> tuple[list[NewIncident], int]:
    """Incidents first heard of at or after ``since``, newest first, each with every claim of it that arrived."""
    grouped = ("SELECT relation, MIN(arrived_at) AS first FROM arrivals WHERE event = 1 GROUP BY relation "
               "HAVING MIN(arrived_at) >= ?")
    count = state.query(f"SELECT COUNT(*) AS n FROM ({grouped})", (since,))  # noqa: S608 - a constant
    page = state.query(f"{grouped} ORDER BY first DESC, relation LIMIT ? OFFSET ?", (since, limit, offset))
    incidents = []
    for row in page:
        claims = [r["claim_id"] for r in state.query(
            "SELECT claim_id FROM arrivals WHERE relation = ? ORDER BY arrived_at, claim_id", (row["relation"],))]
        incidents.append(NewIncident(row["relation"], row["first"], claims))
    return incidents, (count[0]["n"] if count else 0)


def arrivals_of(state: FeedState, claim_ids: Sequence[str]) -> dict[str, str]:
    """When each of these claims arrived (those that arrived through a feed)."""
    if not claim_ids:
        return {}
    marks = ",".join("?" for _ in claim_ids)
    return {r["claim_id"]: r["arrived_at"] for r in state.query(
        f"SELECT claim_id, arrived_at FROM arrivals WHERE claim_id IN ({marks})", tuple(claim_ids))}  # noqa: S608


def last_poll(state: FeedState) -> dict[str, Any] | None:
    """The latest poll: when it ran, whether it finished, and its summary."""
    rows = state.query("SELECT * FROM polls ORDER BY id DESC LIMIT 1")
    if not rows:
        return None
    row = rows[0]
    return {"poll": row["id"], "started_at": row["started_at"], "finished_at": row["finished_at"],
            "state": row["state"], "summary": json.loads(row["summary"]) if row["summary"] else None}

