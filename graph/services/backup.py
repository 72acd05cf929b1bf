"""Backup and restore: the whole graph and the claims awaiting review, in one JSON Lines file.

``write_backup`` writes, and ``restore_backup`` reads back into an empty store (or, asked to, merges into
one holding records already), the same graph on either store: a backup made from the embedded store
restores into Neo4j and back, record for record.

The file is UTF-8 JSON Lines, each line one object with one key naming what it holds::

    {"kg_backup": {"format": "kg-backup", "version": 1, "ontology": {...}, "counts": {...}}}
    {"entity": {...}}          every entity, by id       (``Entity`` as ``model_dump`` gives it)
    {"source": {...}}          every report, with text   (``Source``)
    {"claim": {...}}           every claim, by id        (``Claim``: every property it is stored with)
    {"incident": {...}}        every incident            (``Incident``, with its reports' quotes and its history)
    {"incident_decision": {...}}  a merge or split of incidents, as the decisions log keeps it, in order
    {"staged_report": {...}}   a report staged claims cite: ``id``, ``meta``, ``text``
    {"staged_claim": {...}}    a claim awaiting review, as the staging file keeps it
    {"staged_entity": {...}}   a candidate entity awaiting review with the claims naming it, as staged
    {"review_decision": {...}} a candidate entity accepted, merged or rejected, as the review log keeps it, in order

The header comes first and counts the lines of each kind, so a file cut short is refused, not half
restored. Entities and sources are read a page at a time and written as they are read; the file is
written beside its destination and renamed into place, so an interrupted backup leaves no file that
looks whole.

A restore reads every line into the loader's records (``graph.services.loader.Record``) and loads them with
``load_records``: the checks are the ones ``kg load`` makes, every problem is reported with its line,
and nothing is written unless there are none. Staged claims go back into the staging file, with the candidate
entities those claims wait on, the incident decisions into the decisions log and the review decisions into the
review log, after the graph is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.domain.errors import BackupInvalid, InvalidParameter, Problem, StoreNotEmpty
from graph.domain.model import UpsertResult
from graph.domain.ontology import Ontology
from graph.domain.yamlio import Located
from graph.services.actor_review import ReviewLog, Verdict
from graph.services.export import read_pages, stored_claim
from graph.services.incident_merge import Decision, DecisionLog
from graph.services.loader import Record, Records, load_records
from graph.services.records import CLAIM_KEYS, incident_record
from graph.services.review import Staging
from graph.stores.protocol import MAX_INCIDENT_PAGE, ClaimQuery, GraphStore, IncidentQuery

FORMAT = "kg-backup"
VERSION = 1
HEADER = "kg_backup"
KINDS = ("entity", "source", "claim", "incident", "incident_decision", "staged_report", "staged_claim",
         "staged_entity", "review_decision")
PAGE = 1_000  # entities or sources held in memory at a time while writing
STAGED_CLAIM_KEYS = frozenset((*CLAIM_KEYS, "source", "waits_on"))


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds: where it is and how many records of each kind."""

    path: Path
    counts: dict[str, int]


@dataclass
class Backup:
    """A backup file read into records: the graph's for the loader, and the staged reports and claims."""

    header: dict[str, Any]
    records: Records
    staged_reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    staged_claims: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    staged_entities: list[dict[str, Any]] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)


@dataclass(frozen=True)
class Restored:
    """What a restore wrote: the upsert's counts and how many staged claims went back for review."""

    counts: dict[str, int]
    written: UpsertResult
    staged: int


def ontology_hash(ontology: Ontology) -> str:
    """A hash of the ontology a backup was made under, so a restore under another one can say so."""
    return hashlib.blake2b(ontology.model_dump_json().encode("utf-8"), digest_size=16).hexdigest()


# --- writing --------------------------------------------------------------------------------------


def write_backup(store: GraphStore, ontology: Ontology, path: Path, staging: Staging | None = None,
                 decisions: DecisionLog | None = None, review: ReviewLog | None = None) -> BackupSummary:
    """Write the whole graph (and the staged claims, the incident decisions and the review decisions, if their files
    are given) to ``path``.

    The body is written first to a file beside ``path``, counted as it goes; then the header with the counts
    and the body go into a second file, renamed over ``path``. Only one page of entities or sources is in memory
    at a time (claims are read in one query, as the store protocol offers no pages of them).
    """
    try:
        return _write_backup(store, ontology, path, staging, decisions, review)
    except OSError as error:
        raise BackupInvalid(f"cannot write the backup {path}: {error.strerror or error}") from error


def _write_backup(store: GraphStore, ontology: Ontology, path: Path, staging: Staging | None,
                  decisions: DecisionLog | None, review: ReviewLog | None) -> BackupSummary:
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(KINDS, 0)
    handle, body_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.body-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as body:
            for kind, record in _backup_records(store, staging, decisions, review):
                body.write(_line(kind, record))
                counts[kind] += 1
        header = {"format": FORMAT, "version": VERSION,
                  "ontology": {"version": ontology.version, "hash": ontology_hash(ontology)}, "counts": counts}
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out, \
                    open(body_name, encoding="utf-8", newline="") as body:
                out.write(_line(HEADER, header))
                shutil.copyfileobj(body, out)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(name, 0o666 & ~_umask())  # a temporary file is private; the backup is made as any file is
            os.replace(name, path)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
    finally:
        Path(body_name).unlink(missing_ok=True)
    return BackupSummary(path, counts)


def _umask() -> int:
    """The process's file-creation mask (reading it means setting it, so it is set back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _backup_records(store: GraphStore, staging: Staging | None, decisions: DecisionLog | None,
                    review: ReviewLog | None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every record of the backup in file order, each as the JSON its line holds."""
    for entity in read_pages(lambda offset: store.list_entities(limit=PAGE, offset=offset), PAGE):
        yield "entity", entity.model_dump(mode="json")
    for source in read_pages(lambda offset: store.list_sources(limit=PAGE, offset=offset), PAGE):
        yield "source", source.model_dump(mode="json")
    for view in store.claims(ClaimQuery()):
        yield "claim", stored_claim(view).model_dump(mode="json")
    page = min(PAGE, MAX_INCIDENT_PAGE)
    for incident in read_pages(lambda offset: store.incidents(IncidentQuery(limit=page, offset=offset)), page):
        yield "incident", incident_record(incident)
    if decisions is not None:
        for decision in decisions.entries():
            yield "incident_decision", decision.as_dict()
    if staging is not None:
        for report_id, entry in staging.reports().items():
            yield "staged_report", {"id": report_id, "meta": entry["meta"], "text": entry["text"]}
        for claim in staging.claims():
            yield "staged_claim", claim
        for candidate in staging.entities():
            yield "staged_entity", candidate
    if review is not None:
        for verdict in review.entries():
            yield "review_decision", verdict.as_dict()


def _line(kind: str, record: dict[str, Any]) -> str:
    """One line: JSON escapes line breaks inside strings, so a report's text never splits a record."""
    return json.dumps({kind: record}, ensure_ascii=False, separators=(",", ":")) + "\n"


# --- reading --------------------------------------------------------------------------------------


def read_backup(path: Path) -> Backup:
    """Read a backup into records, with a problem (naming its line) for every line that is not a record.

    Raises ``BackupInvalid`` when the file cannot be read or does not open with a backup header; everything
    else wrong is collected in ``records.problems`` for the loader to report with its own findings.
    """
    origin = str(path)
    if not path.is_file():
        raise BackupInvalid(f"{path}: no such file", details={"path": origin})
    backup = Backup(header={}, records=Records())
    problems = backup.records.problems
    counts = dict.fromkeys(KINDS, 0)
    staged_lines: list[tuple[int, dict[str, Any]]] = []
    entity_lines: list[tuple[int, dict[str, Any]]] = []
    try:
        with path.open(encoding="utf-8", newline="") as lines:
            for number, line in enumerate(lines, start=1):
                if number == 1:
                    backup.header = _header(path, line)
                    continue
                if not line.strip():
                    continue
                parsed = _parse_line(origin, number, line, problems)
                if parsed is None:
                    continue
                kind, value = parsed
                counts[kind] += 1
                if kind == "staged_claim":
                    staged_lines.append((number, value))
                elif kind == "incident_decision":
                    _add_decision(backup, value, origin, number)
                elif kind == "staged_entity":
                    entity_lines.append((number, value))
                elif kind == "review_decision":
                    _add_verdict(backup, value, origin, number)
                else:
                    _add_record(backup, kind, value, origin, number)
    except UnicodeDecodeError as error:
        raise BackupInvalid(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from error
    except OSError as error:
        raise BackupInvalid(f"{path}: cannot read: {error}") from error
    if not backup.header:
        raise BackupInvalid(f"{path}: empty; a backup opens with a {HEADER!r} header line (see `kg export`)")
    _add_staged_claims(backup, staged_lines, origin)
    _add_staged_entities(backup, entity_lines, origin)
    declared = backup.header.get("counts")
    for kind in KINDS:
        wanted = declared.get(kind, 0) if isinstance(declared, dict) else None
        if wanted != counts[kind]:
            problems.append(Problem(origin, 1, f"counts.{kind}", wanted,
                                    f"the file holds {counts[kind]} {kind} line(s): it was cut short or edited"))
    return backup


def _header(path: Path, line: str) -> dict[str, Any]:
    """The header line's content, or ``BackupInvalid``: without it the file is not a backup at all."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise BackupInvalid(f"{path}:1: not a kg backup: line 1 is not JSON ({error.msg})") from error
    header = data.get(HEADER) if isinstance(data, dict) else None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupInvalid(f"{path}:1: not a kg backup: line 1 must be the {HEADER!r} header `kg export` writes")
    if header.get("version") != VERSION:
        raise BackupInvalid(f"{path}:1: backup format version {header.get('version')!r} is not one this kg reads "
                            f"(it reads version {VERSION})")
    return header


def _parse_line(origin: str, number: int, line: str, problems: list[Problem]) -> tuple[str, dict[str, Any]] | None:
    """A line's kind and object, or None with a problem saying why the line is not a record."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        problems.append(Problem(origin, number, "(line)", None, f"not JSON: {error.msg} at column {error.colno}"))
        return None
    if not isinstance(data, dict) or len(data) != 1:
        problems.append(Problem(origin, number, "(line)", None,
                                f"must be an object with one key, one of {', '.join(KINDS)}"))
        return None
    kind, value = next(iter(data.items()))
    if kind not in KINDS:
        problems.append(Problem(origin, number, "(line)", kind, f"unknown record kind (accepted: {', '.join(KINDS)})"))
        return None
    if not isinstance(value, dict):
        problems.append(Problem(origin, number, kind, value, "must be an object"))
        return None
    return kind, value


def _add_record(backup: Backup, kind: str, value: dict[str, Any], origin: str, number: int) -> None:
    """Turn one line into a loader record (or a staged report), located at its line for the loader's messages."""
    records = backup.records
    if kind == "entity":
        records.entities.append(Record(_located(value, number), origin, "entity"))
    elif kind == "source":
        fields = {k: v for k, v in value.items() if k != "text"}
        text = value.get("text")
        records.sources.append(Record(_located(fields, number), origin, "source",
                                      text=text if isinstance(text, str) else None))
    elif kind == "claim":
        fields = {k: v for k, v in value.items() if k != "source"}
        source = value.get("source")
        records.claims.append(Record(_located(fields, number), origin, "claim",
                                     source=source if isinstance(source, str) else None, source_line=number))
    elif kind == "incident":
        records.incidents.append(Record(_located(value, number), origin, "incident"))
    elif kind == "staged_report":
        report_id, meta, text = value.get("id"), value.get("meta"), value.get("text")
        if not isinstance(report_id, str) or not isinstance(meta, dict) or not isinstance(text, str):
            records.problems.append(Problem(origin, number, "staged_report", None,
                                            "must hold an id, a meta object and a text"))
        elif report_id in backup.staged_reports:
            records.problems.append(Problem(origin, number, "staged_report.id", report_id, "duplicate id"))
        else:
            backup.staged_reports[report_id] = {"meta": meta, "text": text}


def _add_decision(backup: Backup, value: dict[str, Any], origin: str, number: int) -> None:
    """A merge or split of incidents, checked as the decisions log reads it."""
    try:
        backup.decisions.append(Decision.of(value))
    except (InvalidParameter, TypeError, ValueError) as error:
        message = error.message if isinstance(error, InvalidParameter) else str(error)
        backup.records.problems.append(Problem(origin, number, "incident_decision", None, message))


def _add_verdict(backup: Backup, value: dict[str, Any], origin: str, number: int) -> None:
    """A decision on a candidate entity, checked as the review log reads it."""
    try:
        backup.verdicts.append(Verdict.of(value))
    except InvalidParameter as error:
        backup.records.problems.append(Problem(origin, number, "review_decision", None, error.message))


def _add_staged_claims(backup: Backup, lines: list[tuple[int, dict[str, Any]]], origin: str) -> None:
    """Staged claims are kept as they were staged (they await review, not loading); each needs an id, a report
    staged with it, and no field a claim does not have."""
    problems = backup.records.problems
    seen: set[str] = set()
    for number, claim in lines:
        claim_id, source = claim.get("id"), claim.get("source")
        unknown = sorted(set(claim) - STAGED_CLAIM_KEYS)
        if not isinstance(claim_id, str) or not claim_id:
            problems.append(Problem(origin, number, "staged_claim.id", claim_id, "missing or not a string"))
        elif claim_id in seen:
            problems.append(Problem(origin, number, "staged_claim.id", claim_id, "duplicate id"))
        elif not isinstance(source, str) or source not in backup.staged_reports:
            problems.append(Problem(origin, number, "staged_claim.source", source,
                                    "names no staged_report of this file"))
        elif unknown:
            problems.append(Problem(origin, number, f"staged_claim.{unknown[0]}", None, "unknown field"))
        else:
            seen.add(claim_id)
            backup.staged_claims.append(claim)


def _add_staged_entities(backup: Backup, lines: list[tuple[int, dict[str, Any]]], origin: str) -> None:
    """Staged candidate entities are kept as staged; each needs an id, a name, a kind and a report staged with it,
    and no two may share an id within one report."""
    problems = backup.records.problems
    seen: set[tuple[str, str]] = set()
    for number, entity in lines:
        entity_id, source = entity.get("id"), entity.get("source")
        missing = [k for k in ("id", "name", "kind") if not isinstance(entity.get(k), str) or not entity.get(k)]
        if missing:
            problems.append(Problem(origin, number, f"staged_entity.{missing[0]}", entity.get(missing[0]),
                                    "missing or not a string"))
        elif not isinstance(source, str) or source not in backup.staged_reports:
            problems.append(Problem(origin, number, "staged_entity.source", source,
                                    "names no staged_report of this file"))
        elif (source, entity_id) in seen:
            problems.append(Problem(origin, number, "staged_entity.id", entity_id, "duplicate id in its report"))
        else:
            seen.add((source, str(entity_id)))
            backup.staged_entities.append(entity)


def _located(value: Any, line: int) -> Any:
    """Mappings (nested ones too) that know their line, so every problem the loader finds names it."""
    if isinstance(value, dict):
        located = Located({k: _located(v, line) for k, v in value.items()})
        located.line = line
        located.key_lines = dict.fromkeys(value, line)
        return located
    if isinstance(value, list):
        return [_located(v, line) for v in value]
    return value


# --- restoring ------------------------------------------------------------------------------------


def restore_backup(path: Path, store: GraphStore, ontology: Ontology, staging: Staging, *,
                   merge: bool = False, decisions: DecisionLog | None = None,
                   review: ReviewLog | None = None) -> Restored:
    """Load a backup into ``store``, its staged claims into ``staging`` and its incident decisions into
    ``decisions``, all of it or nothing.

    Without ``merge`` the store and the staging file must be empty (``StoreNotEmpty`` otherwise), so that what
    is restored is exactly what was backed up. With it, records are merged by id as ``kg load`` merges them.
    A file with any problem (``ValidationFailed``, every problem with its line) writes nothing.
    """
    backup = read_backup(path)
    if not merge:
        _check_empty(store, staging, decisions, review)
    _, written = load_records(backup.records, store, ontology)
    assert written is not None
    staged = staging.restore(backup.staged_reports, backup.staged_claims, backup.staged_entities) \
        if backup.staged_claims else 0
    if decisions is not None and backup.decisions:
        decisions.restore(backup.decisions)
    if review is not None and backup.verdicts:
        review.restore(backup.verdicts)
    counts = {"entities": len(backup.records.entities), "sources": len(backup.records.sources),
              "claims": len(backup.records.claims), "incidents": len(backup.records.incidents),
              "incident_decisions": len(backup.decisions), "staged_claims": len(backup.staged_claims),
              "review_decisions": len(backup.verdicts)}
    return Restored(counts, written, staged)


def _check_empty(store: GraphStore, staging: Staging, decisions: DecisionLog | None,
                 review: ReviewLog | None = None) -> None:
    """Refuse to restore over records: a restore gives back the backed-up graph, not a blend of two."""
    held = {"entities": store.count_entities(), "sources": store.count_sources(), "claims": store.count_claims(),
            "incidents": store.count_incidents(), "staged claims": len(staging.claims()),
            "incident decisions": len(decisions.entries()) if decisions is not None else 0,
            "review decisions": len(review.entries()) if review is not None else 0}
    if any(held.values()):
        listed = ", ".join(f"{n} {kind}" for kind, n in held.items() if n)
        raise StoreNotEmpty(f"the store already holds {listed}: restore into an empty store, or pass --merge to "
                            "merge the backup into it by id", details={"held": held})
