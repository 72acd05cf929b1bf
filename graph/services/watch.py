"""Watchlists, what matches them, and alerts delivered exactly once.

A watchlist names entities, relation types (or categories), statuses and places; a claim matches
when it meets every criterion given (any of the values of each): one of the entities at either
end, one of the types, one of the statuses, a place where it happened (``location``) or that it
was done to (``object``). At least one criterion is required, and exactly one delivery: a webhook
(JSON POSTed, signed with the watchlist's HMAC key) or a file (JSON Lines).

A poll (``graph.services.feeds``) records the claims that arrived as it writes them, and once it has
read everything hands those not matched yet to ``queue_alerts``, which matches them in the
transaction that marks them matched: each new claim goes into at most one message per watchlist
(the ``message_claims`` table's key), and the claims of one relation (subject, type, object and
incident or date: the grouping of ``graph.services.analysis.group_claims``) that one poll brings are
one message, so a wire story on three outlets is one alert with three sources. A watchlist hears of
what arrived after it was made. An alert of an event type (an attack, a retaliation) is an
``incident``; any other is a ``claim``.

``deliver`` sends what is pending, under a lock only one process holds. Exactly once:
- to a file, the message's place in the file is committed before it is written; a delivery
  cut short is cut off at that place and written again, so each message is in the file once;
- to a webhook, each message carries a stable ``X-KG-Delivery`` id; it is marked delivered only
  after a 2xx answer, and sent again (same id, fresh signature) if the process died between the
  answer and the mark, so a receiver that keeps the ids it has seen acts on each message once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from graph.domain.errors import (
    AmbiguousName,
    EntityNotFound,
    FeedStateBusy,
    FetchFailed,
    HttpStatusError,
    WatchlistExists,
    WatchlistInvalid,
    WatchlistNotFound,
)
from graph.domain.inputs import text_problem, url_problem
from graph.domain.model import Claim, Entity, Incident, SourceRef
from graph.domain.ontology import Ontology
from graph.services.feedstate import FeedState, later, stamp
from graph.services.fetch import Policy, address_problem, request_once
from graph.stores.protocol import GraphStore

SIGNATURE_HEADER = "X-KG-Signature"
DELIVERY_HEADER = "X-KG-Delivery"
WATCHLIST_HEADER = "X-KG-Watchlist"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")
RETRY_BASE = 60.0  # seconds before a failed delivery is tried again; doubled each time, up to an hour
RETRY_MAX = 3600.0
RESPONSE_MAX_BYTES = 65_536  # what a webhook's answer may hold; its body is not used


def event_types(ontology: Ontology) -> frozenset[str]:
    """The relation types recorded one claim per act (attacks, retaliations): what an incident is."""
    return frozenset(ontology.questions.lexicon.attacks.values())


def relation_key(claim: Claim) -> str:
    """The relation a claim belongs to, as ``group_claims`` groups them: ends, type, and incident or dates."""
    anchor = f"incident:{claim.incident}" if claim.incident else f"dates:{claim.date or ''}:{claim.end_date or ''}"
    return f"{claim.subject}|{claim.type}|{claim.object}|{anchor}"


@dataclass
class Watchlist:
    """What one analyst watches, and where its alerts go."""

    id: int
    name: str
    entities: list[str]
    types: list[str]
    statuses: list[str]
    places: list[str]
    webhook: str | None
    file: str | None
    created_at: str
    pending: int = 0
    delivered: int = 0
    failed: int = 0

    def matches(self, claim: Claim, incident: Incident | None = None) -> bool:
        """Whether the claim meets every criterion the watchlist gives; a place also matches where the incident the
        claim is about happened (its place, gazetteer entry or province: ``Incident.place_keys``)."""
        where = incident.place_keys() if incident is not None else set()
        return ((not self.entities or claim.subject in self.entities or claim.object in self.entities)
                and (not self.types or claim.type in self.types)
                and (not self.statuses or claim.status in self.statuses)
                and (not self.places or claim.location in self.places or claim.object in self.places
                     or bool(where & set(self.places))))

    @property
    def delivery(self) -> str:
        return f"webhook {self.webhook}" if self.webhook else f"file {self.file}"

    def as_dict(self) -> dict[str, Any]:
        """The watchlist as the API and ``--json`` show it: never its signing key."""
        return {"name": self.name, "entities": self.entities, "types": self.types, "statuses": self.statuses,
                "places": self.places, "webhook": self.webhook, "file": self.file, "created_at": self.created_at,
                "messages": {"pending": self.pending, "delivered": self.delivered, "failed": self.failed}}


def _watchlist(row: sqlite3.Row, counts: Mapping[str, int] | None = None) -> Watchlist:
    counts = counts or {}
    return Watchlist(id=row["id"], name=row["name"], entities=json.loads(row["entities"]),
                     types=json.loads(row["types"]), statuses=json.loads(row["statuses"]),
                     places=json.loads(row["places"]), webhook=row["webhook"], file=row["file"],
                     created_at=row["created_at"], pending=counts.get("pending", 0) + counts.get("sending", 0),
                     delivered=counts.get("delivered", 0), failed=counts.get("failed", 0))


# --- watchlists -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criteria:
    """What to watch, as given: names (resolved against the graph), types or categories, statuses, places."""

    entities: Sequence[str] = ()
    types: Sequence[str] = ()
    statuses: Sequence[str] = ()
    places: Sequence[str] = ()


def add_watchlist(state: FeedState, store: GraphStore, ontology: Ontology, name: str, criteria: Criteria, *,
                  webhook: str | None = None, secret: str | None = None, file: Path | None = None,
                  remote: bool = False, allow_private: bool = False,
                  private_networks: Sequence[str] = ()) -> tuple[Watchlist, str | None]:
    """Create a watchlist; returns it and the webhook's signing key when one was generated (shown once).

    Names resolve against the graph now (an id, a name or an alias), so a watchlist never matches
    by a name that later means someone else. ``remote`` (the HTTP API) may not choose a file for the
    server to write.
    """
    if not NAME.match(name or ""):
        raise WatchlistInvalid(f"name {name!r}: 1 to 64 letters, digits, spaces, dots, dashes or underscores, "
                               "starting with a letter or digit")
    entities = [_resolve(store, n, "entities").id for n in criteria.entities]
    places = []
    for value in criteria.places:
        place = _resolve(store, value, "places")
        if place.kind not in ontology.location_kinds:
            raise WatchlistInvalid(f"places: {value!r} is {place.name}, a {place.kind}; a place is one of "
                                   f"{', '.join(ontology.location_kinds)}")
        places.append(place.id)
    types = ontology.expand_types(list(criteria.types)) if criteria.types else []
    statuses = [ontology.check_status(s) for s in criteria.statuses]
    if not (entities or types or statuses or places):
        raise WatchlistInvalid("a watchlist needs something to watch: entities, types, statuses or places")
    generated = None
    if (webhook is None) == (file is None):
        raise WatchlistInvalid("a watchlist needs exactly one delivery: a webhook URL or a file")
    if webhook is not None:
        problem = url_problem(webhook)
        if problem:
            raise WatchlistInvalid(f"webhook {webhook!r} {problem}")
        _refuse_private_literal(webhook, allow_private, private_networks)
        if secret is None:
            secret = generated = secrets.token_urlsafe(32)
        elif len(secret) < 16 or text_problem(secret):
            raise WatchlistInvalid("the webhook's signing key must be at least 16 characters of plain text")
    elif file is not None:
        if remote:
            raise WatchlistInvalid("a file delivery is set up with `kg watch add --file` on the server: a client "
                                   "of the HTTP API may not choose a file the server writes")
        file = file.expanduser().resolve()
        if file.is_dir():
            raise WatchlistInvalid(f"file {file} is a directory; name a file to append alerts to")
    now = stamp(state.now())
    try:
        with state.write() as db:
            cursor = db.execute(
                "INSERT INTO watchlists (name, entities, types, statuses, places, webhook, secret, file, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (name, json.dumps(entities), json.dumps(types), json.dumps(statuses), json.dumps(places), webhook,
                 secret if webhook else None, str(file) if file else None, now))
            row = db.execute("SELECT * FROM watchlists WHERE id = ?", (cursor.lastrowid,)).fetchone()
    except sqlite3.IntegrityError as error:
        raise WatchlistExists(f"a watchlist named {name!r} exists already", details={"name": name}) from error
    return _watchlist(row), generated


def _resolve(store: GraphStore, name: str, what: str) -> Entity:
    try:
        return store.get_entity(name)
    except EntityNotFound:
        try:
            return store.resolve(name)
        except EntityNotFound as error:
            raise WatchlistInvalid(f"{what}: {error.message}", details=error.details) from error
        except AmbiguousName as error:
            raise WatchlistInvalid(f"{what}: {error.message}; name it by its id", details=error.details) from error


def _refuse_private_literal(url: str, allow_private: bool, private_networks: Sequence[str] = ()) -> None:
    """A webhook at a private or loopback address literal is refused now; a name is checked when delivering."""
    from urllib.parse import urlsplit  # noqa: PLC0415 - only here

    host = urlsplit(url).hostname or ""
    try:
        problem = address_problem(host, private_networks)
    except ValueError:
        return
    if problem and not allow_private:
        raise WatchlistInvalid(f"webhook {url!r}: {problem}; set KG_FEEDS_ALLOW_PRIVATE=true to deliver to "
                               "private and loopback addresses")


def list_watchlists(state: FeedState) -> list[Watchlist]:
    """Every watchlist, by name, with its messages counted by state."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in state.query("SELECT watchlist_id, state, COUNT(*) AS n FROM messages GROUP BY watchlist_id, state"):
        counts[row["watchlist_id"]][row["state"]] = row["n"]
    return [_watchlist(row, counts[row["id"]]) for row in state.query("SELECT * FROM watchlists ORDER BY name")]


def get_watchlist(state: FeedState, name: str) -> Watchlist:
    """The watchlist of this name, or ``WatchlistNotFound`` naming those that exist."""
    for watchlist in list_watchlists(state):
        if watchlist.name == name:
            return watchlist
    names = [w.name for w in list_watchlists(state)]
    raise WatchlistNotFound(f"no watchlist is named {name!r}" + (f" (there are: {', '.join(names)})" if names else ""),
                            details={"name": name, "names": names})


def remove_watchlist(state: FeedState, name: str) -> Watchlist:
    """Remove a watchlist; its undelivered messages are cancelled (kept in the log as such), never sent."""
    watchlist = get_watchlist(state, name)
    with state.write() as db:
        db.execute("DELETE FROM watchlists WHERE id = ?", (watchlist.id,))
        db.execute("UPDATE messages SET state = 'cancelled' WHERE watchlist_id = ? AND state != 'delivered'",
                   (watchlist.id,))
    return watchlist


# --- matching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrived:
    """A claim that has just arrived, with the report it came from."""

    claim: Claim
    source: SourceRef
    arrived_at: str
    incident: Incident | None = None  # the incident the claim is about, as the graph holds it after the write


def claim_payload(claim: Claim, source: SourceRef, names: Mapping[str, str]) -> dict[str, Any]:
    """One claim as an alert carries it: the relation, its quote, and the source to cite."""
    return {"id": claim.id, "subject": claim.subject, "subject_name": names.get(claim.subject, claim.subject),
            "type": claim.type, "object": claim.object, "object_name": names.get(claim.object, claim.object),
            "status": claim.status, "asserted_by": claim.asserted_by, "date": claim.date, "location": claim.location,
            "confidence": claim.confidence, "quote": claim.quote,
            "source": {"id": source.id, "outlet": source.outlet, "title": source.title, "url": source.url,
                       "published": source.published}}


def incident_payload(incident: Incident | None, names: Mapping[str, str]) -> dict[str, Any] | None:
    """The incident an alert's claims are about, as the graph holds it: what, when, where, the figures, and how many
    reports tell it (one more outlet running the story raises that count, not the number of alerts)."""
    if incident is None:
        return None
    return {"id": incident.id, "type": incident.type, "date": incident.date,
            "place": incident.place.name if incident.place else None,
            "country": names.get(incident.country, incident.country) if incident.country else None,
            "perpetrators": [names.get(p.id, p.id) if p.id else p.description for p in incident.perpetrators
                             if p.basis != "denied"],
            "killed": incident.killed.model_dump(exclude_none=True) if incident.killed else None,
            "injured": incident.injured.model_dump(exclude_none=True) if incident.injured else None,
            "reports": len(incident.sources)}


def queue_alerts(db: sqlite3.Connection, arrived: Sequence[Arrived], names: Mapping[str, str], events: frozenset[str],
                 now: datetime) -> int:
    """Match arrived claims against every watchlist made before they arrived and queue their messages, inside the
    caller's transaction.

    A claim already queued for a watchlist is never queued again (exactly once per claim and
    watchlist). Returns how many messages were queued.
    """
    watchlists = [_watchlist(row) for row in db.execute("SELECT * FROM watchlists ORDER BY id")]
    queued = 0
    for watchlist in watchlists:
        groups: dict[str, list[Arrived]] = defaultdict(list)
        for item in arrived:
            if item.arrived_at >= watchlist.created_at and watchlist.matches(item.claim, item.incident):
                groups[relation_key(item.claim)].append(item)
        for key, members in groups.items():
            fresh = [m for m in sorted(members, key=lambda m: m.claim.id)
                     if db.execute("INSERT OR IGNORE INTO message_claims (watchlist_id, claim_id, message_id) "
                                   "VALUES (?, ?, '')", (watchlist.id, m.claim.id)).rowcount]
            if not fresh:
                continue
            message_id = "m-" + hashlib.sha256(
                f"{watchlist.id}|{key}|{'|'.join(m.claim.id for m in fresh)}".encode()).hexdigest()[:24]
            first = fresh[0].claim
            payload = {
                "id": message_id, "watchlist": watchlist.name,
                "kind": "incident" if first.type in events else "claim",
                "relation": {"subject": first.subject, "subject_name": names.get(first.subject, first.subject),
                             "type": first.type, "object": first.object,
                             "object_name": names.get(first.object, first.object), "date": first.date,
                             "end_date": first.end_date, "incident": first.incident},
                "incident": incident_payload(fresh[0].incident, names),
                "sources": len({m.source.id for m in fresh}),
                "claims": [claim_payload(m.claim, m.source, names) for m in fresh],
                "arrived_at": min(m.arrived_at for m in fresh),
            }
            db.execute("UPDATE message_claims SET message_id = ? WHERE watchlist_id = ? AND message_id = ''",
                       (message_id, watchlist.id))
            db.execute("INSERT OR IGNORE INTO messages (id, watchlist_id, relation, payload, state, created_at) "
                       "VALUES (?, ?, ?, ?, 'pending', ?)",
                       (message_id, watchlist.id, key, json.dumps(payload, ensure_ascii=False, sort_keys=True),
                        stamp(now)))
            queued += 1
    return queued


# --- delivery -----------------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>``.

    The timestamp is signed with the body so that a receiver can refuse an old message replayed.
    """
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, tolerance: float = 300.0, now: float | None = None) -> bool:
    """Whether a signature header is this body's under ``secret`` and no older than ``tolerance`` seconds."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if not fields.get("t", "").isdigit() or "v1" not in fields:
        return False
    timestamp = int(fields["t"])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), f"t={timestamp},v1={fields['v1']}")


@dataclass
class DeliveryReport:
    """What one ``deliver`` run did: messages delivered, failed (with why and when they are tried again), or nothing
    because another process was delivering (``busy``: it delivers them)."""

    delivered: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    resent: list[str] = field(default_factory=list)
    busy: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"delivered": len(self.delivered), "failed": self.failed, "resent_after_interruption": self.resent,
                "busy": self.busy}


def deliver(state: FeedState, policy: Policy, *, watchlist: str | None = None) -> DeliveryReport:
    """Deliver every message that is due (pending, interrupted, or failed and past its retry time)."""
    report = DeliveryReport()
    if not state.exists:
        return report
    try:
        with state.exclusive("delivery"):
            _deliver_due(state, policy, watchlist, report)
    except FeedStateBusy:
        report.busy = True
    return report


def _deliver_due(state: FeedState, policy: Policy, watchlist: str | None, report: DeliveryReport) -> None:
    """Deliver, under the delivery lock, every message due, recording each failure with its next attempt."""
    now = state.now()
    rows = state.query(
        "SELECT m.*, w.name, w.webhook, w.secret, w.file FROM messages m "
        "JOIN watchlists w ON w.id = m.watchlist_id "
        "WHERE m.state IN ('pending', 'sending') OR (m.state = 'failed' AND m.next_attempt_at <= ?) "
        "ORDER BY m.created_at, m.id", (stamp(now),))
    for row in rows:
        if watchlist is not None and row["name"] != watchlist:
            continue
        if row["state"] == "sending":
            report.resent.append(row["id"])
        try:
            if row["file"]:
                _to_file(state, row)
            else:
                _to_webhook(state, policy, row)
        except (FetchFailed, OSError) as error:
            attempts = row["attempts"] + 1
            wait = min(RETRY_MAX, RETRY_BASE * 2 ** (attempts - 1))
            reason = error.message if isinstance(error, FetchFailed) else f"cannot write {row['file']}: {error}"
            retry_at = later(state.now(), wait)
            with state.write() as db:
                db.execute("UPDATE messages SET state = 'failed', attempts = ?, error = ?, next_attempt_at = ? "
                           "WHERE id = ?", (attempts, reason, retry_at, row["id"]))
            report.failed.append({"message": row["id"], "watchlist": row["name"], "error": reason,
                                  "retry_at": retry_at})
            continue
        report.delivered.append(row["id"])


def _mark_delivered(state: FeedState, message_id: str, attempts: int) -> None:
    with state.write() as db:
        db.execute("UPDATE messages SET state = 'delivered', attempts = ?, error = NULL, next_attempt_at = NULL, "
                   "delivered_at = ? WHERE id = ?", (attempts, stamp(state.now()), message_id))


def _to_webhook(state: FeedState, policy: Policy, row: sqlite3.Row) -> None:
    with state.write() as db:
        db.execute("UPDATE messages SET state = 'sending' WHERE id = ?", (row["id"],))
    body = row["payload"].encode("utf-8")
    headers = {"Content-Type": "application/json", DELIVERY_HEADER: row["id"], WATCHLIST_HEADER: row["name"],
               SIGNATURE_HEADER: sign(row["secret"] or "", int(time.time()), body)}
    response = request_once(row["webhook"], policy, method="POST", headers=headers, body=body,
                            max_bytes=RESPONSE_MAX_BYTES)
    if not 200 <= response.status < 300:
        raise HttpStatusError(row["webhook"], response.status)
    _mark_delivered(state, row["id"], row["attempts"] + 1)


def _to_file(state: FeedState, row: sqlite3.Row) -> None:
    path = Path(row["file"])
    path.parent.mkdir(parents=True, exist_ok=True)
    offset = row["file_offset"]
    if row["state"] != "sending" or offset is None:
        offset = path.stat().st_size if path.exists() else 0
        with state.write() as db:
            db.execute("UPDATE messages SET state = 'sending', file_offset = ? WHERE id = ?", (offset, row["id"]))
    line = (json.dumps(json.loads(row["payload"]), ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    with open(path, "r+b" if path.exists() else "w+b") as handle:
        handle.truncate(offset)  # a delivery cut short is cut off here and written again, whole
        handle.seek(offset)
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
    _mark_delivered(state, row["id"], row["attempts"] + 1)


# --- the log ------------------------------------------------------------------------------------


def delivery_log(state: FeedState, *, watchlist: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The latest messages, newest first: what they carried, their state, attempts, error and next attempt."""
    rows = state.query(
        "SELECT m.id, m.state, m.attempts, m.error, m.next_attempt_at, m.created_at, m.delivered_at, m.payload, "
        "w.name FROM messages m LEFT JOIN watchlists w ON w.id = m.watchlist_id "
        "WHERE (? IS NULL OR w.name = ?) ORDER BY m.created_at DESC, m.id DESC LIMIT ?",
        (watchlist, watchlist, limit))
    log = []
    for row in rows:
        payload = json.loads(row["payload"])
        relation = payload["relation"]
        log.append({"id": row["id"], "watchlist": row["name"] or payload["watchlist"], "kind": payload["kind"],
                    "relation": f"{relation['subject_name']} {relation['type']} {relation['object_name']}",
                    "date": relation["date"], "claims": len(payload["claims"]), "sources": payload["sources"],
                    "state": row["state"], "attempts": row["attempts"], "error": row["error"],
                    "next_attempt_at": row["next_attempt_at"], "created_at": row["created_at"],
                    "delivered_at": row["delivered_at"]})
    return log


def entity_names(store: GraphStore, claims: Iterable[Claim]) -> dict[str, str]:
    """Display names of the entities these claims join, read by id in one batch."""
    ids = {i for c in claims for i in (c.subject, c.object)}
    return {entity_id: entity.name for entity_id, entity in store.get_entities(sorted(ids)).items()}

