"""Reviewing candidate entities: actors the registry lacks, staged with the claims that name them.

An analyst lists the candidates (``candidate_entities``: each with where it is named, the merge and parent
proposed, and the staged claims waiting on it), then decides each one (``decide``):

- **accept**: the candidate becomes an entity (its kind and name may be edited), with its other names as
  aliases, its parent relation (when the parent is in the graph) and the report it was read in as its source;
  every staged claim whose candidates are all decided now loads with it, in one all-or-nothing write;
- **merge**: the candidate is an entity the graph holds already: its claims are renamed to that entity's id, its
  names become that entity's aliases, and the claims load as for an accept;
- **reject**: its claims are dropped, and how many is said.

A candidate is decided by id across every report that staged it (two reports naming JNIM stage two entries with
the same id, one decision). Each decision is appended to the review log (``ReviewLog``, a JSON Lines file beside the
staging file, ``KG_REVIEW_LOG_FILE``) once the write succeeded, and ingest reapplies it when a report names the same
actor again (``Verdicts``): an accepted or merged name resolves to its entity and its claims load directly; a
rejected name's claims are discarded and counted. Backups carry the log as ``review_decision`` lines.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from graph.domain.errors import (
    CandidateEntityConflict,
    CandidateEntityNotFound,
    EntityNotFound,
    InvalidParameter,
)
from graph.domain.inputs import check_text
from graph.domain.model import Entity, UpsertResult
from graph.domain.names import name_key
from graph.domain.ontology import Ontology
from graph.services.filelock import locked_beside
from graph.services.records import load_report_records, report_records
from graph.services.review import Staging, report_sources
from graph.stores.protocol import GraphStore

Action = Literal["accept", "merge", "reject"]
ACTIONS: tuple[Action, ...] = ("accept", "merge", "reject")
_DONE = {"accept": "accepted", "merge": "merged", "reject": "rejected"}
SNIPPET = 240  # characters of a mention's sentence shown in a listing
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


@dataclass(frozen=True)
class Verdict:
    """One decision on a candidate entity, as the review log keeps it.

    ``names`` are the names it was known by (its name and aliases in every report that staged it): a report naming
    any of them again gets the same decision. ``entity`` is the entity it became or was merged into (None when
    rejected); ``record`` the entity as accepted, so that a graph reloaded without it gets it back with the claims.
    """

    action: Action
    candidate: str
    names: list[str]
    entity: str | None
    at: str
    by: str
    record: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action, "candidate": self.candidate, "names": list(self.names),
                               "entity": self.entity, "at": self.at, "by": self.by}
        if self.record is not None:
            out["record"] = self.record
        return out

    @classmethod
    def of(cls, data: Any) -> Verdict:
        """A verdict read back (from the log or a backup), checked field by field."""
        if not isinstance(data, dict):
            raise InvalidParameter("review decision", data, "must be an object")
        action = data.get("action")
        if action not in ACTIONS:
            raise InvalidParameter("review decision.action", action, "unknown action", list(ACTIONS))
        names = data.get("names")
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
            raise InvalidParameter("review decision.names", names, "must be a list of names")
        for key in ("candidate", "at", "by"):
            if not isinstance(data.get(key), str) or not data.get(key):
                raise InvalidParameter(f"review decision.{key}", data.get(key), "missing or not a string")
        entity, record = data.get("entity"), data.get("record")
        if (action == "reject") != (entity is None) or (entity is not None and not isinstance(entity, str)):
            raise InvalidParameter("review decision.entity", entity,
                                   "an accept or merge names its entity's id, a reject none")
        if record is not None and not isinstance(record, dict):
            raise InvalidParameter("review decision.record", record, "must be an object")
        return cls(action, data["candidate"], list(names), entity, data["at"], data["by"], record)


class ReviewLog:
    """The decisions on candidate entities, in order, in one JSON Lines file appended under a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with locked_beside(self.path):
            yield

    def entries(self) -> list[Verdict]:
        """Every decision, oldest first; a line that is not one is refused with its place."""
        if not self.path.exists():
            return []
        verdicts = []
        with self.path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    verdicts.append(Verdict.of(json.loads(line)))
                except (json.JSONDecodeError, InvalidParameter) as error:
                    reason = error.message if isinstance(error, InvalidParameter) else error.msg
                    raise InvalidParameter("review decisions log", f"{self.path}:{number}",
                                           f"is not a decision: {reason}") from error
        return verdicts

    def append(self, verdicts: Sequence[Verdict]) -> None:
        """Record decisions after the write they explain has succeeded."""
        if not verdicts:
            return
        with self._locked(), self.path.open("a", encoding="utf-8") as out:
            for verdict in verdicts:
                out.write(json.dumps(verdict.as_dict(), ensure_ascii=False, separators=(",", ":")) + "\n")
            out.flush()
            os.fsync(out.fileno())

    def restore(self, verdicts: Sequence[Verdict]) -> int:
        """Put back decisions read from a backup (those not recorded already); how many were new."""
        known = {(v.action, v.candidate, v.at) for v in self.entries()}
        new = [v for v in verdicts if (v.action, v.candidate, v.at) not in known]
        self.append(new)
        return len(new)

    def verdicts(self) -> Verdicts:
        """The decisions by name, as ingest reapplies them."""
        return Verdicts(self.entries())


class Verdicts:
    """The latest decision for each name (compared by ``name_key``: case, diacritics and punctuation aside)."""

    def __init__(self, entries: Sequence[Verdict] = ()) -> None:
        self._by_name: dict[str, Verdict] = {}
        for verdict in entries:  # oldest first: a later decision on a name replaces an earlier one
            for name in verdict.names:
                self._by_name[name_key(name)] = verdict

    def __bool__(self) -> bool:
        return bool(self._by_name)

    def find(self, names: Sequence[str]) -> Verdict | None:
        """The decision taken on any of these names (the first name's first)."""
        for name in names:
            verdict = self._by_name.get(name_key(name))
            if verdict is not None:
                return verdict
        return None


# --- listing ----------------------------------------------------------------------------------------


def snippet(text: str, span: Sequence[int]) -> str:
    """The sentence around a mention (cut to ``SNIPPET`` characters), from the report's text."""
    start, end = int(span[0]), int(span[1])
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    first = before[-1] if before else 0
    last = after.end() if after else len(text)
    sentence = " ".join(text[first:last].split())
    return sentence if len(sentence) <= SNIPPET else sentence[:SNIPPET - 1] + "…"


def candidate_entities(staging: Staging) -> list[dict[str, Any]]:
    """The candidate entities awaiting review, one per id (gathered from every report that staged it), each with
    its mentions (report, name as written, the sentence), the merge and parent proposed, the reports, and the staged
    claims waiting on it."""
    reports = staging.reports()
    claims = {c["id"]: c for c in staging.claims()}
    listed: dict[str, dict[str, Any]] = {}
    for entry in staging.entities():
        text = reports.get(entry["source"], {}).get("text", "")
        item = listed.setdefault(entry["id"], {
            "id": entry["id"], "name": entry["name"], "kind": entry["kind"], "aliases": [],
            "parent": entry.get("parent"), "parent_relation": entry.get("parent_relation"),
            "merge_into": entry.get("merge_into"), "confidence": entry.get("confidence"),
            "reason": entry.get("reason", ""), "sources": [], "mentions": [], "claims": []})
        for name in [entry["name"], *entry.get("aliases", [])]:
            if name != item["name"] and name not in item["aliases"]:
                item["aliases"].append(name)
        for key in ("parent", "parent_relation", "merge_into"):
            item[key] = item[key] or entry.get(key)
        item["sources"].append(entry["source"])
        item["mentions"] += [{"source": entry["source"], "text": m["text"], "span": m["span"],
                              "sentence": snippet(text, m["span"]) if text else ""}
                             for m in entry.get("mentions", [])]
        item["claims"] += [{k: claims[i][k] for k in ("id", "subject", "type", "object", "status", "confidence",
                                                      "quote", "source", "waits_on")}
                           for i in entry.get("claims", []) if i in claims]
    return list(listed.values())


# --- deciding ---------------------------------------------------------------------------------------


@dataclass
class Decided:
    """What one decision did: the entity the candidate became (or was merged into), the claims it loaded, those
    still staged (waiting on another candidate), those dropped, the write, and anything worth saying."""

    candidate: str
    action: Action
    entity: str | None
    loaded: list[str] = field(default_factory=list)
    still_staged: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    written: UpsertResult | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"candidate": self.candidate, "action": self.action, "entity": self.entity, "loaded": self.loaded,
                "still_staged": self.still_staged, "dropped": self.dropped,
                "written": self.written.model_dump() if self.written else None, "notes": self.notes}


def decide(staging: Staging, log: ReviewLog, store: GraphStore, ontology: Ontology, candidate: str,
           action: str, *, kind: str | None = None, name: str | None = None, into: str | None = None,
           by: str = "kg review") -> Decided:
    """Accept, merge or reject one candidate entity (see the module's docstring), all-or-nothing: a write the loader
    refuses changes neither the store nor the queue nor the log."""
    if action not in ACTIONS:
        raise InvalidParameter("decision", action, "unknown decision", list(ACTIONS))
    with staging.transaction() as data:
        entries = [e for e in data["entities"] if e["id"] == candidate]
        if not entries:  # first: whatever else is wrong with the request, there is nothing to decide
            raise CandidateEntityNotFound(f"no candidate entity awaiting review has id {candidate!r} (see `kg review`)",
                                          details={"id": candidate})
        if action != "accept" and (kind is not None or name is not None):
            raise InvalidParameter("kind" if kind is not None else "name", kind or name,
                                   "only an accepted candidate's kind or name can be edited")
        if action != "merge" and into is not None:
            raise InvalidParameter("into", into, "only a merge names an entity to merge into")
        names = list(dict.fromkeys(n for e in entries for n in [e["name"], *e.get("aliases", [])]))
        record, target, notes = _target(entries, names, action, store, ontology, kind, name, into)
        done = Decided(candidate, action, target)
        done.notes += notes
        keep, load = [], []
        for claim in data["claims"]:
            if candidate not in claim.get("waits_on", ()):
                keep.append(claim)
            elif target is None:
                done.dropped.append(claim["id"])
            else:
                renamed = {**claim, **{k: target for k in ("subject", "object", "asserted_by")
                                       if claim.get(k) == candidate}}
                waits = [e for e in claim["waits_on"] if e != candidate]
                if waits:
                    keep.append({**renamed, "waits_on": waits})
                    done.still_staged.append(claim["id"])
                else:
                    load.append({k: v for k, v in renamed.items() if k != "waits_on"})
        if target is not None:
            sources = report_sources(data, [c["source"] for c in load], store)
            entities = [record] if record is not None else []
            done.written = load_report_records(store, ontology,
                                               report_records(sources, load, str(staging.path), entities))
            done.loaded = [c["id"] for c in load]
        data["claims"] = keep
        data["entities"] = [e for e in data["entities"] if e["id"] != candidate]
        known_as = list(dict.fromkeys([*names, *([name.strip()] if name else [])]))
        log.append([Verdict(action, candidate, known_as, target, datetime.now(UTC).isoformat(timespec="seconds"),
                            by, record if action == "accept" else None)])
    return done


def _target(entries: list[dict[str, Any]], names: list[str], action: str, store: GraphStore, ontology: Ontology,
            kind: str | None, name: str | None, into: str | None
            ) -> tuple[dict[str, Any] | None, str | None, list[str]]:
    """The entity record to write (new, or the merge target with the candidate's names added), the id the claims
    take, and what is worth saying; ``(None, None, [])`` for a reject."""
    first = entries[0]
    if action == "reject":
        return None, None, []
    if action == "merge":
        into = into or first.get("merge_into") or next((e["merge_into"] for e in entries if e.get("merge_into")), None)
        if not into:
            raise InvalidParameter("into", None, f"candidate {first['id']!r} has no proposed merge: name the entity "
                                                 "to merge it into")
        held = store.get_entities([into])
        if into not in held:
            raise EntityNotFound(into, [])
        return _with_aliases(held[into], names), into, []
    if kind is not None and kind not in ontology.entity_kinds:
        raise InvalidParameter("kind", kind, "unknown entity kind", sorted(ontology.entity_kinds))
    if name is not None:  # a name goes into the registry: one line of text, no markup
        check_text("name", name)
        if not name.strip():
            raise InvalidParameter("name", name, "must not be empty")
    if store.get_entities([first["id"]]):
        raise CandidateEntityConflict(f"the graph holds an entity with id {first['id']!r} already: merge the "
                                      "candidate into it instead", details={"id": first["id"]})
    chosen = (name or first["name"]).strip()
    record: dict[str, Any] = {"id": first["id"], "name": chosen, "kind": kind or first["kind"],
                              "aliases": [n for n in names if name_key(n) != name_key(chosen)],
                              "source": f"report {first['source']}",
                              "description": "An actor read from reporting and accepted in review."}
    notes = []
    parent = next((e for e in entries if e.get("parent") and e.get("parent_relation")), None)
    if parent is not None:
        if store.get_entities([parent["parent"]]):
            record["parent"], record["parent_relation"] = parent["parent"], parent["parent_relation"]
        else:
            notes.append(f"parent {parent['parent']} ({parent['parent_relation']}) is not in the graph: not kept")
    return record, first["id"], notes


def _with_aliases(entity: Entity, names: list[str]) -> dict[str, Any]:
    """An existing entity as a loader record, with the names it lacks added as aliases."""
    record = entity.model_dump(exclude_none=True)
    record["aliases"] = [{k: v for k, v in a.items() if v is not None} for a in record.get("aliases", [])]
    held = {name_key(entity.name), *(name_key(a.name) for a in entity.aliases)}
    for name in names:
        if name_key(name) not in held:
            record["aliases"].append({"name": name})
            held.add(name_key(name))
    return record


# --- at ingest ----------------------------------------------------------------------------------------


@dataclass
class Reapplied:
    """What the recorded decisions did to one report's claims: candidate ids resolved to entity ids, accepted
    entities the graph lacks (to write with the claims), and the claims dropped because they name a rejected actor."""

    resolved: dict[str, str] = field(default_factory=dict)
    entities: list[dict[str, Any]] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)  # candidate id -> its name
    discarded: int = 0
    said: list[str] = field(default_factory=list)


def reapply(candidates: Sequence[Any], verdicts: Verdicts, store: GraphStore) -> Reapplied:
    """The decisions recorded for these candidate entities (``CandidateEntity``), by name: reads the store by id
    only (the entities decided into)."""
    out = Reapplied()
    if not verdicts:
        return out
    found = {c.id: (c, verdicts.find([c.name, *c.aliases])) for c in candidates}
    wanted = sorted({v.entity for _, v in found.values() if v is not None and v.entity})
    held = set(store.get_entities(wanted)) if wanted else set()
    for cid, (candidate, verdict) in found.items():
        if verdict is None:
            continue
        if verdict.action == "reject":
            out.rejected[cid] = candidate.name
            continue
        assert verdict.entity is not None
        if verdict.entity not in held:
            if verdict.action == "merge" or verdict.record is None:
                out.said.append(f"{candidate.name} was merged into {verdict.entity}, which the graph no longer "
                                "holds: staged for review again")
                continue
            out.entities.append(verdict.record)
            held.add(verdict.entity)
        out.resolved[cid] = verdict.entity
        out.said.append(f"{candidate.name} resolved to {verdict.entity} ({_DONE[verdict.action]} in review at "
                        f"{verdict.at})")
    return out
