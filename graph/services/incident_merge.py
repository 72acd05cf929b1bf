"""One incident, many reports: placing a report's incidents among those the store holds, and merging and splitting
incidents by hand, each decision explained, recorded and reversible.

**Placing** (``place_incidents``, which ingest calls): an incident read from a report joins the stored incident
it is (``graph.domain.incident_match.match``: types related by ``broader``, places one within the other, dates
overlapping at their precision, perpetrators not excluding each other, and some evidence in common), found by a
bounded lookup: the store's incident query by country and a date window around it (never a listing of the
store), and the incidents already holding the report (so ingesting a report again changes nothing). Of several
candidates the one sharing most wins. The merged incident keeps every report with its quote and its own casualty
figures; the incident's figure spans what the reports state, and ``contradictions`` lists where they differ (a
figure, or a perpetrator claimed by one side and denied by another).

**Deciding by hand** (``merge``, ``split``): ``kg incidents merge A B`` folds B into A, ``kg incidents split ID
--report SOURCE`` takes one report's part out again. Each merge, automatic or by hand, and each split is an
``IncidentChange`` in the incident's ``history`` (what matched, which reports moved, who, when) and a line of the
**decisions log** (``DecisionLog``: JSON Lines beside the store, like the review queue), which also keeps the
incidents as they were before each merge, so a split gives back what each report told. The log is replayed
whenever incidents are written again (``replay``: ``kg load`` of a bundle, ``kg import``): an incident merged
away is folded into its survivor again, reports split out stay out, and two incidents split apart are never
merged again by ingest. A backup carries the log (``graph.services.backup``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from graph.domain.dates import DateWindow, PartialDate, parse_optional
from graph.domain.errors import IncidentNotFound, InvalidParameter
from graph.domain.incident_match import (
    Match,
    dates_overlap,
    match,
    more_precise_date,
    narrower_type,
    place_rank,
    place_relation,
    types_related,
)
from graph.domain.model import Batch, Claim, Count, Incident, IncidentChange, Target, UpsertResult
from graph.domain.ontology import Ontology
from graph.language.extract.incidents.words import load_words
from graph.services.export import stored_claim
from graph.services.filelock import locked_beside
from graph.stores.protocol import ClaimQuery, GraphStore, IncidentQuery

LOOKUP_LIMIT = 200  # stored incidents one lookup reads at most: a country's incidents of a few days
LOOKUP_DAYS = 3  # days either side of an incident's date that the lookup reaches
UNDATED_DAYS = 10  # an undated incident is taken as of the days before its report


def confusable_pairs() -> frozenset[frozenset[str]]:
    """Types reporting confuses for one event (the incident reader's ``confusable_types``)."""
    return frozenset(frozenset(pair) for pair in load_words().confusable_types)


def now() -> str:
    """The time a decision is recorded, in UTC to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# --- the decisions log --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """One merge or split.

    ``merge``: ``other`` was folded into ``kept``; ``split``: the reports ``reports`` were taken out of ``kept``
    into ``other``. ``parts`` are the incidents as each report told them (snapshots), those of ``kept`` after the
    decision, and ``moved`` those of ``other`` after a split, so later splits give back what each part said.
    """

    action: Literal["merge", "split"]
    kept: str
    other: str
    reports: list[str]
    by: str
    at: str
    reason: str = ""
    matched: dict[str, str] = field(default_factory=dict)
    parts: list[dict[str, Any]] = field(default_factory=list)
    moved: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, "kept": self.kept, "other": self.other, "reports": self.reports,
                "by": self.by, "at": self.at, "reason": self.reason, "matched": self.matched, "parts": self.parts,
                "moved": self.moved}

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Decision:
        """A decision from its JSON; ``InvalidParameter`` names what is wrong."""
        action = data.get("action")
        if action not in ("merge", "split"):
            raise InvalidParameter("action", action, "a decision is a merge or a split")
        fields = {k: data[k] for k in ("kept", "other", "by", "at") if isinstance(data.get(k), str)}
        missing = sorted({"kept", "other", "by", "at"} - set(fields))
        if missing:
            raise InvalidParameter(missing[0], data.get(missing[0]), "a decision names it as a string")
        reports = data.get("reports") or []
        if not isinstance(reports, list) or not all(isinstance(r, str) for r in reports):
            raise InvalidParameter("reports", reports, "must be a list of report ids")
        return cls(action=action, reports=list(reports), reason=str(data.get("reason") or ""),
                   matched=dict(data.get("matched") or {}), parts=list(data.get("parts") or []),
                   moved=list(data.get("moved") or []), **fields)


class DecisionLog:
    """The merges and splits made, in order, in one JSON Lines file (appended under a lock); ``None`` for a path
    keeps them in memory only (an evaluation run)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._memory: list[Decision] = []

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if self.path is None:
            yield
            return
        with locked_beside(self.path):
            yield

    def entries(self) -> list[Decision]:
        """Every decision, oldest first."""
        if self.path is None:
            return list(self._memory)
        if not self.path.exists():
            return []
        decisions = []
        with self.path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    decisions.append(Decision.of(json.loads(line)))
                except (json.JSONDecodeError, InvalidParameter, TypeError) as error:
                    raise InvalidParameter("decisions log", f"{self.path}:{number}",
                                           f"is not a decision: {error}") from error
        return decisions

    def append(self, decisions: Sequence[Decision]) -> None:
        """Record decisions after the write they explain has succeeded."""
        if not decisions:
            return
        if self.path is None:
            self._memory.extend(decisions)
            return
        with self._locked(), self.path.open("a", encoding="utf-8") as out:
            for decision in decisions:
                out.write(json.dumps(decision.as_dict(), ensure_ascii=False, separators=(",", ":")) + "\n")
            out.flush()
            os.fsync(out.fileno())

    def restore(self, decisions: Sequence[Decision]) -> int:
        """Put back decisions read from a backup (those not already recorded); how many were new."""
        known = {(d.action, d.kept, d.other, d.at) for d in self.entries()}
        new = [d for d in decisions if (d.action, d.kept, d.other, d.at) not in known]
        if self.path is not None and not self.path.exists() and new:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=self.path.parent, prefix=".decisions-")
            os.close(handle)
            os.replace(name, self.path)
        self.append(new)
        return len(new)

    # --- what the decisions say ----------------------------------------------------------------

    def absorbed_into(self, incident_id: str) -> str | None:
        """The incident an incident was merged into (following later merges of that one), unless a later split gave
        it back; None when it stands on its own."""
        into: dict[str, str] = {}
        for decision in self.entries():
            if decision.action == "merge":
                into[decision.other] = decision.kept
            elif decision.other in into:
                del into[decision.other]  # split out again under its own id
        current, seen = incident_id, {incident_id}
        while current in into and into[current] not in seen:
            current = into[current]
            seen.add(current)
        return current if current != incident_id else None

    def apart(self, a: str, b: str) -> bool:
        """Whether a split separated these two incidents (ingest never merges them again)."""
        return any(d.action == "split" and {d.kept, d.other} == {a, b} for d in self.entries())

    def split_out(self, incident_id: str) -> list[Decision]:
        """The splits that took reports out of this incident."""
        return [d for d in self.entries() if d.action == "split" and d.kept == incident_id]

    def parts(self, incident_id: str) -> list[Incident] | None:
        """The incident's parts as each report told them, by its latest decision; None when no decision knows."""
        for decision in reversed(self.entries()):
            if decision.kept == incident_id and decision.parts:
                return [Incident.model_validate(p) for p in decision.parts]
            if decision.action == "split" and decision.other == incident_id and decision.moved:
                return [Incident.model_validate(p) for p in decision.moved]
        return None


# --- folding one incident into another ----------------------------------------------------------------------


def _count_key(count: Count | None) -> tuple[int | None, int | None]:
    return (count.min, count.max) if count is not None else (None, None)


def span_of(counts: Sequence[Count]) -> Count | None:
    """One figure for what several reports state: the figure itself when they agree, else the range they span
    (lowest minimum, highest maximum; open above when one is), its wording naming each."""
    stated = [c for c in counts if c is not None]
    if not stated:
        return None
    distinct = list(dict.fromkeys(_count_key(c) for c in stated))
    if len(distinct) == 1:
        return stated[0]
    lows = [c.min if c.min is not None else c.max for c in stated]
    highs = [c.max for c in stated]
    low = min(v for v in lows if v is not None) if any(v is not None for v in lows) else None
    high = None if any(h is None for h in highs) else max(h for h in highs if h is not None)
    if low is not None and high is not None and high < low:
        high = low
    texts = list(dict.fromkeys(c.text or _figure(c) for c in stated))
    return Count(min=low, max=high, text="reports differ: " + "; ".join(texts))


def _figure(count: Count) -> str:
    if count.min == count.max:
        return str(count.min)
    return f"{count.min if count.min is not None else ''}-{count.max if count.max is not None else ''}"


def _figures(incident: Incident, casualty: str) -> list[Count]:
    """The figures an incident's reports state, each report's own, or the incident's where its reports give none."""
    own: list[Count] = [c for r in incident.reports if (c := getattr(r, casualty, None)) is not None]
    if own:
        return own
    count = getattr(incident, casualty)
    return [count] if count is not None else []


def fold(ontology: Ontology, kept: Incident, other: Incident, *, by: str, at: str, reason: str) -> Incident:
    """``other`` folded into ``kept``: every report of both (each with its figures), the narrower type, the more
    precise date and place, every perpetrator and target each names, figures spanning what the reports state, and
    the merge in the history."""
    seen = {(r.source, r.span) for r in kept.reports}
    reports = [*kept.reports, *(r for r in other.reports if (r.source, r.span) not in seen)]
    kind = narrower_type(ontology, kept.type, other.type) if types_related(ontology, kept.type, other.type) \
        != "none" else kept.type
    when = more_precise_date(kept.date, other.date) if dates_overlap(kept.date, other.date) is not False \
        else kept.date
    where = kept
    rank_kept, rank_other = place_rank(kept), place_rank(other)
    if rank_other is not None and (rank_kept is None or (rank_other < rank_kept and place_relation(kept, other)
                                                          != "apart")):
        where = other
    perpetrators = list(kept.perpetrators)
    keys = {(p.id, p.description, p.basis, p.asserted_by, p.role) for p in perpetrators}
    for perp in other.perpetrators:
        if (perp.id, perp.description, perp.basis, perp.asserted_by, perp.role) not in keys:
            keys.add((perp.id, perp.description, perp.basis, perp.asserted_by, perp.role))
            perpetrators.append(perp)
    targets = list(kept.targets)
    named = {_target_key(t): n for n, t in enumerate(targets)}
    for target in other.targets:
        key = _target_key(target)
        if key not in named:
            named[key] = len(targets)
            targets.append(target)
        elif target.description and len(target.description) > len(targets[named[key]].description or ""):
            targets[named[key]] = target  # "Shia mosque" says more than "mosque"
    figures = {casualty: span_of(_figures(kept, casualty) + _figures(other, casualty))
               for casualty in ("killed", "injured", "abducted")}
    change = IncidentChange(action="merged", incident=other.id, reports=other.sources, by=by, at=at, reason=reason)
    notes = list(dict.fromkeys(n for n in (kept.note, other.note) if n))
    return kept.model_copy(update={
        "type": kind, "date": when, "end_date": kept.end_date or other.end_date, "place": where.place,
        "admin1": where.admin1, "admin1_code": where.admin1_code, "country": kept.country or other.country,
        "location": where.location, "perpetrators": perpetrators, "targets": targets, "reports": reports,
        "note": "; ".join(notes) or None, "confidence": max(kept.confidence, other.confidence),
        "history": [*kept.history, *other.history, change], **figures})


def _target_key(target: Target) -> str:
    """What two targets are the same by: the entity, or the described thing's last word ("a Shi'ite mosque",
    "the Shia mosque" and "mosque" are one mosque)."""
    if target.id:
        return target.id
    words = (target.description or "").casefold().replace("'", "").replace("\u2019", "").split()
    return words[-1] if words else ""


# --- placing a report's incidents ---------------------------------------------------------------------------


@dataclass
class Placement:
    """What placing incidents decided: the incidents to write (new or grown), the id each incoming incident ended
    under, the decisions to record once written, and one line per incident saying what became of it."""

    incidents: dict[str, Incident] = field(default_factory=dict)
    ids: dict[tuple[str, str], str] = field(default_factory=dict)  # (report, incoming id) -> id it ended under
    decisions: list[Decision] = field(default_factory=list)
    said: list[str] = field(default_factory=list)


def _lookup_window(incident: Incident, published: str | None) -> DateWindow | None:
    days = parse_optional(incident.date)
    if days is not None:
        start, end = days.start, days.end
    else:
        given = parse_optional(published)
        if given is None:
            return None
        start, end = given.start - timedelta(days=UNDATED_DAYS), given.end
    since, until = start - timedelta(days=LOOKUP_DAYS), end + timedelta(days=LOOKUP_DAYS)
    return DateWindow(PartialDate(since.year, since.month, since.day), PartialDate(until.year, until.month, until.day))


def candidates(store: GraphStore, incident: Incident, published: str | None) -> list[Incident]:
    """The stored incidents a telling may be: those of its country (if known) within a few days of its date (or of
    its report's, when it has none): one page of the store's incident query, never a listing."""
    window = _lookup_window(incident, published)
    if window is None:
        return []
    return store.incidents(IncidentQuery(country=incident.country, window=window, limit=LOOKUP_LIMIT))


def place_incidents(store: GraphStore, ontology: Ontology, incoming: Sequence[Incident], log: DecisionLog, *,
                    published: Mapping[str, str | None], by: str) -> Placement:
    """Where each incoming incident (one report's telling) goes: into the stored (or earlier incoming) incident it
    is, or in as a new one (see the module's docstring). ``published`` gives each report's date by source id."""
    placement = Placement()
    confusable = confusable_pairs()
    stored: dict[str, Incident] = {}
    for incident in incoming:
        sources = incident.sources
        held = _holding(store, incident, stored)
        if held is not None:
            # ingested before: the report's part of the incident it went into is read again
            updated = _replace_reports(held, incident, sources)
            placement.incidents[updated.id] = updated
            stored[updated.id] = updated
            placement.ids[(sources[0], incident.id)] = updated.id
            placement.said.append(f"{_told(incident)}: already in {updated.id}")
            continue
        survivor = log.absorbed_into(incident.id)
        pool = {**{i.id: i for i in candidates(store, incident, published.get(sources[0]) if sources else None)},
                **stored, **placement.incidents}
        if survivor is not None and survivor not in pool:
            pool.update(store.get_incidents([survivor]))
        best: tuple[Match, Incident] | None = None
        for candidate in pool.values():
            if set(candidate.sources) & set(sources) or log.apart(candidate.id, incident.id):
                continue  # one report's incidents are told apart already; a split is kept
            found = match(ontology, candidate, incident, confusable=confusable,
                          a_published=_published_of(candidate, published),
                          b_published=published.get(sources[0]) if sources else None)
            if candidate.id == survivor:
                found.compatible, found.score = True, found.score + 100
                found.matched["decision"] = f"merged into {survivor} before"
            if found.compatible and (best is None or found.score > best[0].score):
                best = (found, candidate)
        if best is not None:
            found, kept = best
            reason = found.explain()
            merged = fold(ontology, kept, incident, by=by, at=now(), reason=reason)
            placement.incidents[merged.id] = merged
            stored[merged.id] = merged
            placement.ids[(sources[0], incident.id)] = merged.id
            placement.decisions.append(Decision(
                "merge", merged.id, incident.id, sources, by, now(), reason, found.matched,
                parts=[p.model_dump(mode="json", exclude_none=True) for p in [*_parts(log, kept), incident]]))
            placement.said.append(f"{_told(incident)}: merged into {merged.id} ({reason})")
            continue
        new = incident
        if new.id in placement.incidents or new.id in stored or store.get_incidents([new.id]):
            new = new.model_copy(update={"id": f"{new.id}-{_short(sources)}"})
        placement.incidents[new.id] = new
        stored[new.id] = new
        placement.ids[(sources[0], incident.id)] = new.id
        placement.said.append(f"{_told(incident)}: new incident {new.id}")
    return placement


def _told(incident: Incident) -> str:
    """An incoming incident as placing's messages name it: its id and the report telling it."""
    return f"{incident.id} ({incident.sources[0]})"


def _published_of(incident: Incident, published: Mapping[str, str | None]) -> str | None:
    return next((published[s] for s in incident.sources if published.get(s)), None)


def _short(sources: Sequence[str]) -> str:
    return hashlib.sha256("|".join(sources).encode("utf-8")).hexdigest()[:6]


def _holding(store: GraphStore, incident: Incident, pending: Mapping[str, Incident]) -> Incident | None:
    """The incident that already holds this telling: one with the report's first quote at the same place in the
    same report (ingesting a report again), among those placed in this run and those stored."""
    first = incident.reports[0]
    key = (first.source, first.span)
    for held in pending.values():
        if key in {(r.source, r.span) for r in held.reports}:
            return held
    for held in store.incidents(IncidentQuery(source=first.source, limit=LOOKUP_LIMIT)):
        if key in {(r.source, r.span) for r in held.reports}:
            return held
    return None


def _replace_reports(held: Incident, incident: Incident, sources: Sequence[str]) -> Incident:
    """A stored incident with one report's entries as the report tells them now (re-ingesting changes nothing
    when the report reads the same; an incident only this report tells is read again whole)."""
    if set(held.sources) == set(sources) and not held.history:
        return incident.model_copy(update={"id": held.id})
    spans = {(r.source, r.span) for r in held.reports}
    fresh = [r for r in incident.reports if r.source in sources]
    if {(r.source, r.span) for r in fresh} <= spans:
        return held
    kept = [r for r in held.reports if r.source not in sources]
    return held.model_copy(update={"reports": [*kept, *fresh]})


def _parts(log: DecisionLog, incident: Incident) -> list[Incident]:
    return log.parts(incident.id) or [incident]


def repoint_claims(claims: Iterable[Claim], ids: Mapping[tuple[str, str], str]) -> list[Claim]:
    """Claims with their incident ids as placing decided (by the report they come from)."""
    return [c.model_copy(update={"incident": ids.get((c.source, c.incident), c.incident)}) if c.incident else c
            for c in claims]


# --- merging and splitting by hand --------------------------------------------------------------------------


@dataclass
class Outcome:
    """A merge or split done: the incidents as written, what the write changed, the decision recorded."""

    incidents: list[Incident]
    written: UpsertResult
    decision: Decision
    match: Match | None = None


def _claims_of(store: GraphStore, incident: Incident) -> list[Claim]:
    """The claims pointing at an incident, read report by report (a few reads, never the store)."""
    found = []
    for source in incident.sources:
        found += [stored_claim(v) for v in store.claims(ClaimQuery(source=source)) if v.incident == incident.id]
    return found


def merge(store: GraphStore, ontology: Ontology, log: DecisionLog, kept_id: str, other_id: str, *, by: str,
          reason: str | None = None, force: bool = False) -> Outcome:
    """Fold incident ``other_id`` into ``kept_id``: its reports, perpetrators, targets and figures join, its claims
    point at the survivor, it is removed, and the decision is recorded. Incidents that cannot be one (types, places
    or dates that exclude each other) are refused unless ``force``; ``InvalidParameter`` says why."""
    if kept_id == other_id:
        raise InvalidParameter("incident", other_id, "an incident cannot be merged into itself")
    found = store.get_incidents([kept_id, other_id])
    for wanted in (kept_id, other_id):
        if wanted not in found:
            raise IncidentNotFound(f"no incident has id {wanted!r}", details={"id": wanted})
    kept, other = found[kept_id], found[other_id]
    checked = match(ontology, kept, other, confusable=confusable_pairs())
    if not checked.compatible and not force:
        differ = "; ".join(f"{k}: {v}" for k, v in checked.differ.items())
        raise InvalidParameter("incident", other_id, f"may not be {kept_id}: {differ} (pass --force to merge anyway)")
    said = reason or ("by hand: " + checked.explain() if checked.explain() else "by hand")
    at = now()
    merged = fold(ontology, kept, other, by=by, at=at, reason=said)
    claims = [c.model_copy(update={"incident": kept_id}) for c in _claims_of(store, other)]
    written = store.upsert(Batch(incidents=[merged], claims=claims), remove_incidents=[other_id])
    decision = Decision("merge", kept_id, other_id, other.sources, by, at, said, checked.matched,
                        parts=[p.model_dump(mode="json", exclude_none=True)
                               for p in _parts(log, kept) + _parts(log, other)])
    log.append([decision])
    return Outcome([merged], written, decision, checked)


def split(store: GraphStore, ontology: Ontology, log: DecisionLog, incident_id: str, source: str, *, by: str,
          into: str | None = None, reason: str | None = None) -> Outcome:
    """Take report ``source``'s part out of incident ``incident_id`` into an incident of its own (``into``, else
    the id it had before a merge, else one made from the incident's): each side rebuilt from the parts the
    decisions log kept, or, where it kept none, the incident's fields with each side's reports. The claims of that
    report follow it; the decision is recorded."""
    incident = store.get_incident(incident_id)
    moved_reports = [r for r in incident.reports if r.source == source]
    if not moved_reports:
        raise InvalidParameter("report", source, f"is not a report of incident {incident_id} "
                               f"(its reports: {', '.join(incident.sources)})")
    if len(incident.sources) == 1:
        raise InvalidParameter("report", source, f"is the only report of incident {incident_id}: nothing to split")
    at = now()
    parts = log.parts(incident_id) or []
    moving = [p for p in parts if source in p.sources]
    staying = [p for p in parts if source not in p.sources]
    if moving and staying and all(set(p.sources) <= {source} for p in moving):
        new = _rebuilt(ontology, moving, by, at)
        rest = _rebuilt(ontology, staying, by, at)
    else:
        moving, staying = [], []
        new = _without(incident, moved_reports)
        rest = _without(incident, [r for r in incident.reports if r.source != source])
    new_id = into or (moving[0].id if moving and moving[0].id != incident_id else f"{incident_id}-{_short([source])}")
    if store.get_incidents([new_id]):
        raise InvalidParameter("into", new_id, "an incident with this id exists already")
    said = reason or f"by hand: report {source} is another incident"
    rest = rest.model_copy(update={"id": incident_id, "history": [*incident.history, IncidentChange(
        action="split", incident=new_id, reports=[source], by=by, at=at, reason=said)]})
    new = new.model_copy(update={"id": new_id, "history": [IncidentChange(
        action="split", incident=incident_id, reports=[source], by=by, at=at, reason=f"split out of {incident_id}")]})
    claims = [c.model_copy(update={"incident": new_id}) for c in _claims_of(store, incident) if c.source == source]
    written = store.upsert(Batch(incidents=[rest, new], claims=claims))
    decision = Decision("split", incident_id, new_id, [source], by, at, said,
                        parts=[p.model_dump(mode="json", exclude_none=True) for p in staying],
                        moved=[p.model_dump(mode="json", exclude_none=True) for p in moving])
    log.append([decision])
    return Outcome([rest, new], written, decision)


def _rebuilt(ontology: Ontology, parts: Sequence[Incident], by: str, at: str) -> Incident:
    """An incident from the parts that make it, folded in order (their histories left out: the caller writes
    the history of the split)."""
    result = parts[0].model_copy(update={"history": []})
    for part in parts[1:]:
        result = fold(ontology, result, part.model_copy(update={"history": []}), by=by, at=at, reason="rebuilt")
    return result.model_copy(update={"history": []})


def _without(incident: Incident, reports: list[Any]) -> Incident:
    """The incident with only these reports, its figures those the reports state (where they state any)."""
    figures = {casualty: span_of([getattr(r, casualty) for r in reports if getattr(r, casualty) is not None])
               or (getattr(incident, casualty) if not any(getattr(r, casualty) for r in incident.reports) else None)
               for casualty in ("killed", "injured")}
    return incident.model_copy(update={"reports": reports, **figures})


# --- replaying decisions on incidents written again ---------------------------------------------------------


def replay(store: GraphStore, ontology: Ontology, log: DecisionLog, incidents: Sequence[Incident], *,
           by: str) -> tuple[list[Incident], list[str]]:
    """Incidents about to be written again (a bundle's, a backup's) as the decisions left them: one merged away is
    folded into its survivor (read from the batch or the store), reports split out of one go to the incident they
    were split into. Returns the incidents to write and the ids to remove; without decisions, the incidents as
    given."""
    entries = log.entries()
    if not entries:
        return list(incidents), []
    batch = {i.id: i for i in incidents}
    removed: list[str] = []
    for incident_id in list(batch):
        survivor = log.absorbed_into(incident_id)
        if survivor is None or survivor == incident_id or incident_id not in batch:
            continue
        target = batch.get(survivor) or store.get_incidents([survivor]).get(survivor)
        absorbed = batch.pop(incident_id)
        if target is None:
            batch[incident_id] = absorbed
            continue
        if {(r.source, r.span) for r in absorbed.reports} <= {(r.source, r.span) for r in target.reports}:
            batch[survivor] = target  # folded before: the survivor holds it already
        else:
            batch[survivor] = fold(ontology, target, absorbed, by=by, at=now(), reason=f"replayed merge into "
                                   f"{survivor}")
        removed.append(incident_id)
    for incident_id in list(batch):
        for decision in log.split_out(incident_id):
            incident = batch[incident_id]
            moved = [r for r in incident.reports if r.source in decision.reports]
            if not moved or len(moved) == len(incident.reports):
                continue
            batch[incident_id] = _without(incident, [r for r in incident.reports if r.source not in decision.reports])
            target = batch.get(decision.other) or store.get_incidents([decision.other]).get(decision.other)
            batch[decision.other] = target or _without(incident, moved).model_copy(update={"id": decision.other})
    return list(batch.values()), [i for i in removed if i not in batch]

