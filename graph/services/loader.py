"""Validating records (entities, reports, claims) into one batch, and reading bundles of them from files.

The loader's contract is all-or-nothing: it checks everything first, collects every problem
of the run (where, field, value, reason) and writes nothing unless there are none. The rules
work on **records** in memory (``Record``: a record's fields and where it came from, for the
messages), so the same checks serve a bundle of YAML files, an extractor's output
(``graph.services.ingest``) and anything else that produces records; ``read_bundle_records``
only turns files into records. What the store already holds is asked by id
(``name_index()``, ``get_sources(ids)``, ``existing_claims(ids)``), never listed.

A bundle is a directory laid out like the project's ``seeds/``::

    entities.yaml            optional: entities to add or update
    registry/*.yaml          optional: more entities in the same format (the seeds' armed groups, by region)
    reports/<id>.txt         the report text, byte for byte
    reports/<id>.yaml        its metadata (id, title, outlet, url, published, ...)
    claims/<name>.yaml       ``source: <report id>`` and a list of ``claims``
    incidents.yaml           optional: a list of ``incidents`` (see docs/incidents.md)
    incidents/<name>.yaml    optional: more of them, a list of ``incidents`` per file

An incident's place is an entity (by name or id), a gazetteer place (``graph.domain.gazetteer``) or a name with
coordinates; what the incident leaves out of its place's province, country and coordinates is taken from the
gazetteer entry of its place (the entity's ``gazetteer`` link, or the place's name), so a bundle names a town and
the graph knows where it is.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml
from pydantic import ValidationError

from graph.domain.dates import PartialDate
from graph.domain.errors import AmbiguousName, EntityNotFound, Problem, ValidationFailed
from graph.domain.gazetteer import Place, load_gazetteer
from graph.domain.inputs import text_problem, url_problem
from graph.domain.model import (
    Alias,
    Batch,
    Claim,
    Count,
    Entity,
    Incident,
    IncidentPlace,
    IncidentReport,
    Location,
    Perpetrator,
    Source,
    Target,
    UpsertResult,
)
from graph.domain.names import AliasIndex
from graph.domain.ontology import Ontology
from graph.domain.yamlio import Located, error_line, read_yaml
from graph.stores.protocol import GraphStore

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ENTITY_FIELDS = {"id": True, "name": True, "kind": True, "description": False, "aliases": False, "parent": False,
                 "parent_relation": False, "source": False, "gazetteer": False}
ALIAS_FIELDS = {"name": True, "valid_from": False, "valid_until": False, "note": False}
REPORT_FIELDS = {"id": True, "title": True, "outlet": True, "outlet_id": False, "url": False,
                 "published": False, "reliability": False, "note": False}
CLAIM_FIELDS = {"id": False, "subject": True, "type": True, "object": True, "quote": True, "span": False,
                "status": True, "asserted_by": True, "date": False, "end_date": False, "location": False,
                "confidence": False, "extracted_by": False, "incident": False, "note": False, "denies": False}
INCIDENT_FIELDS = {"id": True, "type": True, "date": False, "end_date": False, "place": False, "admin1": False,
                   "admin1_code": False, "country": False, "location": False, "perpetrators": False, "targets": False,
                   "killed": False, "injured": False, "abducted": False, "reports": True, "note": False,
                   "confidence": False, "extracted_by": False, "history": False}
PLACE_FIELDS = {"name": False, "id": False, "gazetteer": False, "precision": False}
LOCATION_FIELDS = {"lat": True, "lon": True, "precision": False}
PERPETRATOR_FIELDS = {"id": False, "description": False, "basis": True, "asserted_by": False, "role": False,
                      "note": False}
TARGET_FIELDS = {"id": False, "description": False, "note": False}
COUNT_FIELDS = {"min": False, "max": False, "text": False}
REPORT_REF_FIELDS = {"source": True, "quote": True, "span": False, "killed": False, "injured": False}
_QUOTE_MARKS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


@dataclass(frozen=True)
class Record:
    """One entity, report or claim as input gives it: raw field values, and where it came from.

    ``fields`` is any mapping; a ``yamlio.Located`` (what the YAML reader gives) also knows the
    line of each field, so messages name it. ``origin`` is the file, or whatever stands for it
    (``POST /v1/reports``); ``prefix`` the record's place there (``claims[3]``). A report
    carries its ``text``; a claim the id of the report it cites (``source``), with the line
    where that was said when it was said once for a whole file.
    """

    fields: Mapping[str, Any]
    origin: str
    prefix: str = ""
    text: str | None = None
    source: str | None = None
    source_line: int | None = None


@dataclass
class Records:
    """Everything one load brings, as records, and the problems found while reading them."""

    entities: list[Record] = field(default_factory=list)
    sources: list[Record] = field(default_factory=list)
    claims: list[Record] = field(default_factory=list)
    incidents: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.entities or self.sources or self.claims or self.incidents)


class Known(Protocol):
    """What validation asks of the graph a batch will join: names, and records by id. Stores are ``Known``."""

    def name_index(self) -> AliasIndex:
        """Every name and alias in the graph."""
        ...

    def get_sources(self, ids: Iterable[str]) -> Mapping[str, Source]:
        """The sources with these ids that exist."""
        ...

    def existing_claims(self, ids: Iterable[str]) -> Mapping[str, Claim]:
        """The claims with these ids that exist."""
        ...


class Registry:
    """A ``Known`` held in memory: a registry of entities (and sources, claims) that is not a store."""

    def __init__(self, entities: Iterable[Entity] = (), sources: Iterable[Source] = (),
                 claims: Iterable[str] = ()) -> None:
        self._index = AliasIndex(entities)
        self._sources = {s.id: s for s in sources}
        self._claims = set(claims)

    def name_index(self) -> AliasIndex:
        """The registry's names."""
        return self._index

    def get_sources(self, ids: Iterable[str]) -> dict[str, Source]:
        """The registry's sources among these ids."""
        return {i: self._sources[i] for i in ids if i in self._sources}

    def existing_claims(self, ids: Iterable[str]) -> dict[str, Claim]:
        """Claim ids are all a registry keeps; a stand-in claim answers for each known one."""
        return {i: _PLACEHOLDER for i in ids if i in self._claims}


_PLACEHOLDER = Claim(id="known", subject="", type="", object="", source="", quote="", span=(0, 0), status="",
                     asserted_by="")


class _Problems:
    """Collects problems so that a run reports all of them at once."""

    def __init__(self, items: Iterable[Problem] = ()) -> None:
        self.items: list[Problem] = list(items)

    def add(self, file: Path | str, line: int | None, field_name: str, value: object, message: str) -> None:
        self.items.append(Problem(str(file), line, field_name, value, message))


@dataclass
class _Context:
    ontology: Ontology
    problems: _Problems
    index: AliasIndex
    sources: dict[str, Source]
    known_claims: set[str]
    claim_lines: dict[str, tuple[str, int | None]] = field(default_factory=dict)


def _line(fields: Mapping[str, Any], key: str | None = None) -> int | None:
    """The line of a field (or of the record) when the record came from a file."""
    if isinstance(fields, Located):
        return fields.line_of(key) if key is not None else fields.line
    return None


def validate(records: Records, ontology: Ontology, known: Known | None = None) -> Batch:
    """Check records against the ontology and the graph they join; a batch only when nothing is wrong.

    Raises ``ValidationFailed`` listing every problem (the reader's too). Names resolve
    against the batch's own entities laid over ``known``'s index; reports and denied claims
    not in the batch are read from ``known`` by id.
    """
    known = known or Registry()
    problems = _Problems(records.problems)
    read = _read_entities(records.entities, ontology, problems)
    entities = [entity for entity, _ in read]
    context = _Context(ontology, problems, known.name_index().overlay(entities), {}, set())
    _check_parents(read, context)
    sources = _read_reports(records.sources, context)
    context.sources.update({s.id: s for s in sources})
    wanted = {r.source for r in records.claims if r.source is not None and r.source not in context.sources}
    context.sources.update(known.get_sources(sorted(wanted)))
    denied = {str(r.fields["denies"]) for r in records.claims if r.fields.get("denies")}
    context.known_claims = set(known.existing_claims(sorted(denied)))
    raw_claims = _read_claims(records.claims, context)
    _check_denials(raw_claims, context)
    wanted = {str(r["source"]) for record in records.incidents
              for r in (record.fields.get("reports") or []) if isinstance(r, Mapping) and r.get("source")}
    context.sources.update(known.get_sources(sorted(wanted - set(context.sources))))
    incidents = _read_incidents(records.incidents, context)
    if problems.items:
        raise ValidationFailed(problems.items)
    return Batch(entities=entities, sources=sources, claims=[claim for claim, _ in raw_claims], incidents=incidents)


def read_bundle(path: Path, ontology: Ontology, *, known: Known | None = None,
                known_entities: Iterable[Entity] = ()) -> Batch:
    """Read and validate a bundle against the ontology and what ``known`` (or a registry of entities) holds.

    Raises ``ValidationFailed`` listing every problem; returns a batch only when there are none.
    """
    return validate(read_bundle_records(path), ontology, known or Registry(known_entities))


class IncidentDecisions(Protocol):
    """What the loader asks of the incident decisions log (``graph.services.incident_merge``): the incidents of a
    batch as the recorded merges and splits left them, and the ids those merges removed."""

    def __call__(self, incidents: list[Incident]) -> tuple[list[Incident], list[str]]: ...


class BulkWriter(Protocol):
    """What the loader asks of a store's bulk importer (``app.components.bulk_writer``): whether it can take this
    load, and the load written by it."""

    def refusal(self) -> str | None:
        """Why the importer cannot write into the store now (it holds a graph, say), or ``None`` when it can."""
        ...

    def __call__(self, batch: Batch) -> tuple[UpsertResult, dict[str, float]]:
        """Write the batch; what it wrote, and the seconds each step took."""
        ...


@dataclass(frozen=True)
class Loaded:
    """What a load did: the batch it validated, what it wrote (``None`` for a dry run), and how.

    ``path`` is ``bulk`` (the store's bulk importer), ``transactions`` (batched transactions, ``upsert``) or
    ``none`` (a dry run); ``why`` says why that path; ``seconds`` times the steps of a bulk load.
    """

    batch: Batch
    result: UpsertResult | None
    path: str
    why: str
    seconds: dict[str, float] = field(default_factory=dict)


def load(path: Path, store: GraphStore, ontology: Ontology, *, dry_run: bool = False,
         decisions: IncidentDecisions | None = None) -> tuple[Batch, UpsertResult | None]:
    """Validate a bundle against the store, then write it in one upsert."""
    return load_records(read_bundle_records(path), store, ontology, dry_run=dry_run, decisions=decisions)


def load_bundle(path: Path, store: GraphStore, ontology: Ontology, *, dry_run: bool = False,
                decisions: IncidentDecisions | None = None, bulk: BulkWriter | None = None) -> Loaded:
    """Validate a bundle against the store, then write it: by ``bulk`` when it can take the load (a first load into
    an empty local Neo4j), else in one upsert; the answer says which."""
    return load_batch(_validated(read_bundle_records(path), store, ontology, decisions), store, dry_run=dry_run,
                      bulk=bulk)


def load_batch(prepared: tuple[Batch, list[str]], store: GraphStore, *, dry_run: bool = False,
               bulk: BulkWriter | None = None) -> Loaded:
    """Write a validated batch (and the incidents it removes) by ``bulk`` when it can take it, else in one upsert."""
    batch, removed = prepared
    if dry_run:
        return Loaded(batch, None, "none", "--check: validated only")
    why = "no bulk importer for this store" if bulk is None else bulk.refusal()
    if bulk is not None and why is None:
        result, seconds = bulk(batch)
        return Loaded(batch, result, "bulk", "a first load into an empty local Neo4j", seconds)
    return Loaded(batch, store.upsert(batch, remove_incidents=removed), "transactions", why or "")


def load_records(records: Records, store: GraphStore, ontology: Ontology, *, dry_run: bool = False,
                 decisions: IncidentDecisions | None = None) -> tuple[Batch, UpsertResult | None]:
    """Validate records against the store (reads by id only), then write them in one all-or-nothing upsert.

    ``decisions`` replays the recorded merges and splits of incidents on the batch's incidents first, so that
    loading a bundle again does not undo them."""
    loaded = load_batch(_validated(records, store, ontology, decisions), store, dry_run=dry_run)
    return loaded.batch, loaded.result


def _validated(records: Records, store: GraphStore, ontology: Ontology,
               decisions: IncidentDecisions | None) -> tuple[Batch, list[str]]:
    """The records validated against the store, with the incident decisions replayed: the batch to write, and the
    incidents the write removes."""
    batch = validate(records, ontology, store)
    removed: list[str] = []
    if decisions is not None and batch.incidents:
        incidents, removed = decisions(batch.incidents)
        batch = batch.model_copy(update={"incidents": incidents})
    return batch, removed


def read_bundle_records(path: Path) -> Records:
    """The records of a bundle's files, with the problems of the files themselves (malformed, missing)."""
    problems = _Problems()
    records = Records()
    if not path.is_dir():
        problems.add(path, None, "path", str(path),
                     "not a directory: expected a folder with reports/, claims/ and optionally entities.yaml")
        records.problems = problems.items
        return records
    records.entities = _entity_records(path / "entities.yaml", problems)
    for registry_file in sorted((path / "registry").glob("*.yaml")) if (path / "registry").is_dir() else []:
        records.entities.extend(_entity_records(registry_file, problems))
    records.sources = _report_records(path / "reports", problems)
    claim_files = sorted((path / "claims").glob("*.yaml")) if (path / "claims").is_dir() else []
    for claim_file in claim_files:
        records.claims.extend(_claim_records(claim_file, problems))
    incident_files = [path / "incidents.yaml"] if (path / "incidents.yaml").is_file() else []
    if (path / "incidents").is_dir():
        incident_files += sorted((path / "incidents").glob("*.yaml"))
    for incident_file in incident_files:
        records.incidents.extend(_list_records(incident_file, "incidents", problems))
    if not records.entities and not records.sources and not claim_files and not incident_files:
        problems.add(path, None, "path", str(path),
                     "holds no entities.yaml, registry/*.yaml, reports/*.yaml, claims/*.yaml or incidents")
    records.problems = problems.items
    return records


# --- files into records -------------------------------------------------------------------


def _read_mapping(path: Path, problems: _Problems, required_key: str | None = None) -> Located | None:
    try:
        data = read_yaml(path)
    except yaml.YAMLError as error:
        problems.add(path, error_line(error), "(file)", None, f"malformed YAML: {_yaml_reason(error)}")
        return None
    except (OSError, UnicodeDecodeError) as error:
        problems.add(path, None, "(file)", None, f"cannot read: {error}")
        return None
    if not isinstance(data, Located):
        problems.add(path, 1, "(file)", None, "must be a YAML mapping")
        return None
    if required_key is not None and required_key not in data:
        problems.add(path, data.line, required_key, None, "missing required field")
        return None
    return data


def _yaml_reason(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None)
    return str(problem) if problem else str(error).splitlines()[0]


PLAIN_TEXT = "a bundle holds the report's plain text (`kg extract` reads HTML pages)"


def _entity_records(path: Path, problems: _Problems) -> list[Record]:
    if not path.exists():
        return []
    data = _read_mapping(path, problems, "entities")
    if data is None:
        return []
    items = data["entities"]
    if not isinstance(items, list):
        problems.add(path, data.line_of("entities"), "entities", None, "must be a list")
        return []
    records = []
    for position, item in enumerate(items):
        if not isinstance(item, Located):
            problems.add(path, data.line_of("entities"), f"entities[{position}]", item, "must be a mapping")
            continue
        records.append(Record(item, str(path), f"entities[{position}]"))
    return records


def _list_records(path: Path, key: str, problems: _Problems) -> list[Record]:
    """The mappings of a file's one list (``incidents: [...]``), each a record located in the file."""
    data = _read_mapping(path, problems, key)
    if data is None:
        return []
    items = data[key]
    if not isinstance(items, list):
        problems.add(path, data.line_of(key), key, None, "must be a list")
        return []
    records = []
    for position, item in enumerate(items):
        if not isinstance(item, Located):
            problems.add(path, data.line_of(key), f"{key}[{position}]", item, "must be a mapping")
            continue
        records.append(Record(item, str(path), f"{key}[{position}]"))
    return records


def _report_records(folder: Path, problems: _Problems) -> list[Record]:
    if not folder.is_dir():
        return []
    records = []
    for text_file in sorted(folder.glob("*.txt")):
        if not text_file.with_suffix(".yaml").exists():
            problems.add(text_file, None, "(file)", None, f"report text has no metadata file {text_file.stem}.yaml")
    for meta_file in sorted(folder.glob("*.yaml")):
        data = _read_mapping(meta_file, problems)
        if data is None:
            continue
        if "id" in data and str(data["id"]) != meta_file.stem:
            problems.add(meta_file, data.line_of("id"), "report.id", data["id"],
                         f"must equal the file name {meta_file.stem!r}, which names the text file beside it")
        text_file = meta_file.with_suffix(".txt")
        try:
            text = text_file.read_bytes().decode("utf-8")
        except FileNotFoundError:
            problems.add(meta_file, data.line, "(file)", str(text_file), "report text file is missing")
            continue
        except UnicodeDecodeError as error:
            problems.add(text_file, None, "(file)", None, f"not UTF-8 text: {error}")
            continue
        problem = text_problem(text, multiline=True)
        if problem:  # named here by its text file; a report given in memory is checked in _read_reports
            problems.add(text_file, None, "(file)", None, f"report text {problem}; {PLAIN_TEXT}")
            continue
        records.append(Record(data, str(meta_file), "report", text=text))
    return records


def _claim_records(path: Path, problems: _Problems) -> list[Record]:
    data = _read_mapping(path, problems, "source")
    if data is None:
        return []
    source_id = str(data["source"])
    items = data.get("claims")
    if not isinstance(items, list) or not items:
        problems.add(path, data.line_of("claims"), "claims", None, "must be a non-empty list of claims")
        return []
    records = []
    for position, item in enumerate(items):
        if not isinstance(item, Located):
            problems.add(path, data.line_of("claims"), f"claims[{position}]", item, "must be a mapping")
            continue
        records.append(Record(item, str(path), f"claims[{position}]", source=source_id,
                              source_line=data.line_of("source")))
    return records


# --- field checks ---------------------------------------------------------------------------


def _check_fields(record: Mapping[str, Any], allowed: dict[str, bool], file: str, prefix: str,
                  problems: _Problems) -> bool:
    """Report unknown and missing fields; True when every required field is present."""
    complete = True
    for key in record:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), list(allowed), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (accepted: {', '.join(allowed)})"
            problems.add(file, _line(record, key), f"{prefix}.{key}", record[key], f"unknown field{hint}")
    for key, required in allowed.items():
        if required and (key not in record or record[key] in (None, "")):
            problems.add(file, _line(record), f"{prefix}.{key}", None, "missing required field")
            complete = False
    return complete


def _text(record: Mapping[str, Any], key: str, file: str, prefix: str, problems: _Problems) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.add(file, _line(record, key), f"{prefix}.{key}", value, "must be a string")
        return None
    problem = text_problem(str(value), multiline=True)
    if problem:
        problems.add(file, _line(record, key), f"{prefix}.{key}", value, problem)
        return None
    return str(value)


def _date(record: Mapping[str, Any], key: str, file: str, prefix: str, problems: _Problems) -> PartialDate | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    try:
        return PartialDate.parse(value)
    except ValueError as error:
        problems.add(file, _line(record, key), f"{prefix}.{key}", value, f"invalid date: {error}")
        return None


# --- entities -----------------------------------------------------------------------------


def _read_entities(records: list[Record], ontology: Ontology, problems: _Problems) -> list[tuple[Entity, Record]]:
    """The entities of the records, each with the record it was read from (for where its parent was named)."""
    entities: list[tuple[Entity, Record]] = []
    seen: dict[str, tuple[str, int | None]] = {}
    for record in records:
        item, path, prefix = record.fields, record.origin, record.prefix
        if not _check_fields(item, ENTITY_FIELDS, path, prefix, problems):
            continue
        entity_id = _text(item, "id", path, prefix, problems) or ""
        if not SLUG.match(entity_id):
            problems.add(path, _line(item, "id"), f"{prefix}.id", entity_id,
                         "must be a lowercase slug (letters, digits, single hyphens)")
        if entity_id in seen:
            first_file, first_line = seen[entity_id]
            where = f"line {first_line}" if first_file == path and first_line else f"{first_file}:{first_line}"
            problems.add(path, _line(item, "id"), f"{prefix}.id", entity_id, f"duplicate id (first defined on {where})")
        seen.setdefault(entity_id, (path, _line(item, "id")))
        kind = _text(item, "kind", path, prefix, problems) or ""
        if kind not in ontology.entity_kinds:
            problems.add(path, _line(item, "kind"), f"{prefix}.kind", kind,
                         f"unknown entity kind (accepted: {', '.join(ontology.entity_kinds)})")
        aliases = _read_aliases(item, path, prefix, problems)
        parent = _text(item, "parent", path, prefix, problems)
        relation = _text(item, "parent_relation", path, prefix, problems)
        if relation is not None and relation not in ontology.parent_relations:
            problems.add(path, _line(item, "parent_relation"), f"{prefix}.parent_relation", relation,
                         f"not a parent relation (accepted: {', '.join(ontology.parent_relations)})")
        if (parent is None) != (relation is None):
            given, missing = ("parent", "parent_relation") if relation is None else ("parent_relation", "parent")
            problems.add(path, _line(item, given), f"{prefix}.{missing}", None, f"missing: {given} needs {missing}")
        gazetteer = _text(item, "gazetteer", path, prefix, problems)
        if gazetteer is not None and load_gazetteer().get(gazetteer) is None:
            problems.add(path, _line(item, "gazetteer"), f"{prefix}.gazetteer", gazetteer,
                         "is no gazetteer key (geonames:<id>, an ISO 3166-2 code, country:<code> or a place of "
                         "graph/domain/places/districts.yaml)")
            gazetteer = None
        entities.append((Entity(id=entity_id, name=_text(item, "name", path, prefix, problems) or entity_id,
                                kind=kind, description=_text(item, "description", path, prefix, problems),
                                aliases=aliases, parent=parent, parent_relation=relation,
                                source=_text(item, "source", path, prefix, problems), gazetteer=gazetteer), record))
    return entities


def _check_parents(read: list[tuple[Entity, Record]], context: _Context) -> None:
    """Each parent is an entity of the batch or the graph, of a kind its relation admits, and no chain of
    parents comes back to where it started."""
    index = context.index
    for entity, record in read:
        if entity.parent is None:
            continue
        item, path, where = record.fields, record.origin, f"{record.prefix}.parent"
        parent = index.get(entity.parent)
        if parent is None:
            near = [m["id"] for m in index.suggest(entity.parent, limit=3)]
            hint = f"; did you mean: {', '.join(near)}" if near else ""
            context.problems.add(path, _line(item, "parent"), where, entity.parent,
                                 f"unknown entity id (a parent is named by its id){hint}")
            continue
        relation = context.ontology.relation_types.get(entity.parent_relation or "")
        if relation is not None and relation.parent:
            for role, kind, allowed in (("entity", entity.kind, relation.subject_kinds),
                                        ("parent", parent.kind, relation.object_kinds)):
                if kind not in allowed:
                    context.problems.add(path, _line(item, "parent_relation"), f"{record.prefix}.parent_relation",
                                         relation.name, f"the {role} is a {kind}; {relation.name} joins "
                                         f"{', '.join(relation.subject_kinds)} to {', '.join(relation.object_kinds)}")
        seen = [entity.id]
        step: Entity | None = parent
        while step is not None and step.id not in seen:
            seen.append(step.id)
            step = index.get(step.parent) if step.parent else None
        if step is not None and step.id == entity.id:
            context.problems.add(path, _line(item, "parent"), where, entity.parent,
                                 f"parents run in a circle: {' → '.join([*seen, step.id])}")


def _read_aliases(item: Mapping[str, Any], path: str, prefix: str, problems: _Problems) -> list[Alias]:
    raw = item.get("aliases") or []
    if not isinstance(raw, list):
        problems.add(path, _line(item, "aliases"), f"{prefix}.aliases", raw, "must be a list")
        return []
    aliases = []
    for position, alias in enumerate(raw):
        where = f"{prefix}.aliases[{position}]"
        if isinstance(alias, str | int) and not isinstance(alias, bool):
            aliases.append(Alias(name=str(alias)))
            continue
        if not isinstance(alias, Mapping):
            problems.add(path, _line(item, "aliases"), where, alias, "must be a name or a mapping with name")
            continue
        if not _check_fields(alias, ALIAS_FIELDS, path, where, problems):
            continue
        start = _date(alias, "valid_from", path, where, problems)
        end = _date(alias, "valid_until", path, where, problems)
        if start and end and end.end < start.start:
            problems.add(path, _line(alias, "valid_until"), f"{where}.valid_until", str(end),
                         f"is before valid_from {start}")
        aliases.append(Alias(name=_text(alias, "name", path, where, problems) or "",
                             valid_from=str(start) if start else None, valid_until=str(end) if end else None,
                             note=_text(alias, "note", path, where, problems)))
    return aliases


# --- reports ------------------------------------------------------------------------------


def _read_reports(records: list[Record], context: _Context) -> list[Source]:
    problems = context.problems
    sources = []
    for record in records:
        data, meta_file, prefix = record.fields, record.origin, record.prefix or "report"
        if not _check_fields(data, REPORT_FIELDS, meta_file, prefix, problems):
            continue
        source_id = _text(data, "id", meta_file, prefix, problems) or ""
        if record.text is None:
            problems.add(meta_file, _line(data), "(file)", source_id, "report has no text")
            continue
        problem = text_problem(record.text, multiline=True)
        if problem:
            problems.add(meta_file, _line(data), f"{prefix}.text", None, f"report text {problem}; {PLAIN_TEXT}")
            continue
        published = _date(data, "published", meta_file, prefix, problems)
        reliability = _text(data, "reliability", meta_file, prefix, problems)
        if reliability is not None and (len(reliability) != 1 or reliability not in "ABCDEF"):
            problems.add(meta_file, _line(data, "reliability"), f"{prefix}.reliability", reliability,
                         "must be one grade from A (reliable) to F (cannot be judged)")
            reliability = None
        outlet_id = _text(data, "outlet_id", meta_file, prefix, problems)
        url = _text(data, "url", meta_file, prefix, problems)
        if url is not None and url_problem(url):
            problems.add(meta_file, _line(data, "url"), f"{prefix}.url", url, str(url_problem(url)))
        if outlet_id is not None:
            outlet_id = _resolve(outlet_id, None, f"{prefix}.outlet_id", meta_file, data, context)
        sources.append(Source(
            id=source_id, title=_text(data, "title", meta_file, prefix, problems) or "",
            outlet=_text(data, "outlet", meta_file, prefix, problems) or "", outlet_id=outlet_id,
            url=url, published=str(published) if published else None,
            reliability=reliability, note=_text(data, "note", meta_file, prefix, problems), text=record.text,
        ))
    return sources


# --- claims -------------------------------------------------------------------------------


def _resolve(name: str, at: PartialDate | None, field_name: str, file: str, record: Mapping[str, Any],
             context: _Context, key: str | None = None) -> str | None:
    line = _line(record, key or field_name.rsplit(".", 1)[-1])
    try:
        return context.index.resolve(name, at).id
    except EntityNotFound as error:
        hint = "; did you mean: " + ", ".join(s["name"] for s in error.suggestions) if error.suggestions else ""
        context.problems.add(file, line, field_name, name, f"unknown entity or alias{hint}")
    except AmbiguousName as error:
        options = ", ".join(f"{c['name']} ({c['id']})" for c in error.candidates)
        context.problems.add(file, line, field_name, name,
                             f"ambiguous alias: it may mean {options}; use the entity id")
    return None


def _read_claims(records: list[Record], context: _Context) -> list[tuple[Claim, Record]]:
    problems = context.problems
    reported: set[tuple[str, str]] = set()
    read: list[tuple[Claim, Record]] = []
    for record in records:
        source_id = record.source or ""
        source = context.sources.get(source_id)
        if source is None and (record.origin, source_id) not in reported:
            reported.add((record.origin, source_id))
            problems.add(record.origin, record.source_line, "source", source_id or None,
                         "unknown report: no reports/<id>.yaml in this bundle or in the store has this id")
        claim = _read_claim(record, source_id, source, context)
        if claim is not None:
            read.append((claim, record))
    return read


def _read_claim(record: Record, source_id: str, source: Source | None, context: _Context) -> Claim | None:
    item, path, prefix = record.fields, record.origin, record.prefix
    problems, ontology = context.problems, context.ontology
    before = len(problems.items)
    _check_fields(item, CLAIM_FIELDS, path, prefix, problems)
    text = {key: _text(item, key, path, prefix, problems)
            for key in ("id", "subject", "type", "object", "quote", "status", "asserted_by", "location",
                        "extracted_by", "incident", "note", "denies")}
    when = _date(item, "date", path, prefix, problems)
    ended = _date(item, "end_date", path, prefix, problems)
    if when and ended and ended.end < when.start:
        problems.add(path, _line(item, "end_date"), f"{prefix}.end_date", str(ended), f"is before date {when}")

    relation = None
    if text["type"]:
        relation = ontology.relation_types.get(text["type"])
        if relation is None:
            close = difflib.get_close_matches(text["type"].upper(), list(ontology.relation_types), n=1)
            hint = f"; did you mean {close[0]}?" if close else " (see `kg schema` for the relation types)"
            problems.add(path, _line(item, "type"), f"{prefix}.type", text["type"], f"unknown relation type{hint}")

    ids: dict[str, str | None] = {}
    for role in ("subject", "object", "asserted_by", "location"):
        name = text[role]
        ids[role] = _resolve(name, when, f"{prefix}.{role}", path, item, context) if name else None
    if relation is not None:
        for role, allowed in (("subject", relation.subject_kinds), ("object", relation.object_kinds)):
            entity_id = ids[role]
            entity = context.index.get(entity_id) if entity_id else None
            kind = entity.kind if entity else None
            if kind is not None and kind not in allowed:
                problems.add(path, _line(item, role), f"{prefix}.{role}", text[role],
                             f"{relation.name} does not allow a {role} of kind {kind!r} "
                             f"(allowed: {', '.join(allowed)})")
    place = context.index.get(ids["location"]) if ids["location"] else None
    if place is not None:
        kind = place.kind
        if kind not in ontology.location_kinds:
            problems.add(path, _line(item, "location"), f"{prefix}.location", text["location"],
                         f"a location must be of kind {' or '.join(ontology.location_kinds)}, not {kind!r}")

    status = text["status"]
    if status is not None:
        spec = ontology.statuses.get(status)
        if spec is None:
            problems.add(path, _line(item, "status"), f"{prefix}.status", status,
                         f"unknown status (accepted: {', '.join(ontology.statuses)})")
        elif relation is not None and relation.statuses is not None and status not in relation.statuses:
            problems.add(path, _line(item, "status"), f"{prefix}.status", status,
                         f"{relation.name} claims take status {' or '.join(relation.statuses)}")
        elif relation is not None and spec.denial_only and not relation.denial:
            problems.add(path, _line(item, "status"), f"{prefix}.status", status,
                         f"status {status!r} is only for {ontology.denial_type} claims; "
                         f"record the denial as its own {ontology.denial_type} claim")
    if relation is not None and text["denies"] and not relation.denial:
        problems.add(path, _line(item, "denies"), f"{prefix}.denies", text["denies"],
                     f"only {ontology.denial_type} claims may deny another claim")
    if relation is not None and relation.denial and not text["denies"]:
        problems.add(path, _line(item), f"{prefix}.denies", None,
                     f"a {relation.name} claim must name the claim it denies")

    confidence = item.get("confidence", 1.0)
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        problems.add(path, _line(item, "confidence"), f"{prefix}.confidence", confidence,
                     "must be a number from 0 to 1")
        confidence = 1.0

    span = _check_quote(item, text["quote"], source, path, prefix, problems)

    if len(problems.items) > before or source is None:
        return None
    assert text["subject"] and text["object"] and text["type"] and text["quote"] and status and span
    claim_id = text["id"] or _derived_id(source_id, ids, text, when)
    if not SLUG.match(claim_id):
        problems.add(path, _line(item, "id"), f"{prefix}.id", claim_id,
                     "must be a lowercase slug (letters, digits, single hyphens)")
        return None
    if claim_id in context.claim_lines:
        first_file, first_line = context.claim_lines[claim_id]
        first = f"{first_file}:{first_line}" if first_line else first_file
        problems.add(path, _line(item, "id"), f"{prefix}.id", claim_id, f"duplicate claim id (first used at {first})")
        return None
    context.claim_lines[claim_id] = (path, _line(item, "id"))
    return Claim(
        id=claim_id, subject=ids["subject"] or "", type=text["type"], object=ids["object"] or "",
        source=source_id, quote=text["quote"], span=span, status=status, asserted_by=ids["asserted_by"] or "",
        date=str(when) if when else None, end_date=str(ended) if ended else None, location=ids["location"],
        confidence=float(confidence), extracted_by=text["extracted_by"] or "curated", incident=text["incident"],
        note=text["note"], denies=text["denies"],
    )


def _check_quote(item: Mapping[str, Any], quote: str | None, source: Source | None, path: str, prefix: str,
                 problems: _Problems) -> tuple[int, int] | None:
    """The quote's span in the report: checked when given, found (first occurrence) when not."""
    if quote is None or source is None:
        return None
    raw_span = item.get("span")
    if raw_span is not None:
        if isinstance(raw_span, tuple):
            raw_span = list(raw_span)
        if (not isinstance(raw_span, list) or len(raw_span) != 2
                or not all(isinstance(n, int) and not isinstance(n, bool) for n in raw_span)):
            problems.add(path, _line(item, "span"), f"{prefix}.span", raw_span, "must be [start, end] offsets")
            return None
        start, end = raw_span
        if source.text[start:end] != quote or not 0 <= start < end <= len(source.text):
            found = source.text.find(quote)
            where = f"; the quote is at [{found}, {found + len(quote)}]" if found >= 0 else ""
            problems.add(path, _line(item, "span"), f"{prefix}.span", raw_span,
                         f"does not match the quote in report {source.id}: the text there reads "
                         f"{source.text[start:end][:60]!r}{where}")
            return None
        return (start, end)
    position = source.text.find(quote)
    if position < 0:
        hint = ""
        if source.text.translate(_QUOTE_MARKS).find(quote.translate(_QUOTE_MARKS)) >= 0:
            hint = "; it differs from the text only in its quotation marks or apostrophes (the report uses ’ “ ”)"
        problems.add(path, _line(item, "quote"), f"{prefix}.quote", _shorten(quote),
                     f"not found in report {source.id}{hint}")
        return None
    return (position, position + len(quote))


def _check_denials(claims: list[tuple[Claim, Record]], context: _Context) -> None:
    ids = {claim.id for claim, _ in claims} | context.known_claims
    for claim, record in claims:
        if claim.denies is None:
            continue
        line = _line(record.fields, "denies")
        if claim.denies == claim.id:
            context.problems.add(record.origin, line, "denies", claim.denies, "a claim cannot deny itself")
        elif claim.denies not in ids:
            context.problems.add(record.origin, line, "denies", claim.denies,
                                 "denies no existing claim: no claim in this load or in the store has this id")


def _derived_id(source_id: str, ids: dict[str, str | None], text: dict[str, str | None],
                when: PartialDate | None) -> str:
    """A stable id for a claim given without one: same input, same id, so reloads are idempotent."""
    basis = "|".join(str(v) for v in (source_id, ids["subject"], text["type"], ids["object"], text["quote"],
                                      text["status"], ids["asserted_by"], when))
    return f"c-{hashlib.sha256(basis.encode('utf-8')).hexdigest()[:16]}"


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- incidents ----------------------------------------------------------------------------


def _read_incidents(records: list[Record], context: _Context) -> list[Incident]:
    incidents: list[Incident] = []
    seen: dict[str, tuple[str, int | None]] = {}
    for record in records:
        incident = _read_incident(record, context)
        if incident is None:
            continue
        if incident.id in seen:
            first_file, first_line = seen[incident.id]
            first = f"{first_file}:{first_line}" if first_line else first_file
            context.problems.add(record.origin, _line(record.fields, "id"), f"{record.prefix}.id", incident.id,
                                 f"duplicate incident id (first used at {first})")
            continue
        seen[incident.id] = (record.origin, _line(record.fields, "id"))
        incidents.append(incident)
    return incidents


def _read_incident(record: Record, context: _Context) -> Incident | None:
    """One incident record: every field checked (names resolved, quotes found), then what its place's gazetteer
    entry says filled in where the record is silent."""
    item, path, prefix = record.fields, record.origin, record.prefix
    problems, ontology = context.problems, context.ontology
    before = len(problems.items)
    _check_fields(item, INCIDENT_FIELDS, path, prefix, problems)
    text = {key: _text(item, key, path, prefix, problems)
            for key in ("id", "type", "admin1", "admin1_code", "country", "note", "extracted_by")}
    incident_id = text["id"] or ""
    if incident_id and not SLUG.match(incident_id):
        problems.add(path, _line(item, "id"), f"{prefix}.id", incident_id,
                     "must be a lowercase slug (letters, digits, single hyphens)")
    kind = text["type"]
    if kind is not None and kind not in ontology.incident_types:
        close = difflib.get_close_matches(kind.strip().lower().replace(" ", "_"), list(ontology.incident_types), n=1)
        hint = f"; did you mean {close[0]}?" if close else f" (accepted: {', '.join(ontology.incident_types)})"
        problems.add(path, _line(item, "type"), f"{prefix}.type", kind, f"unknown incident type{hint}")
    when = _date(item, "date", path, prefix, problems)
    ended = _date(item, "end_date", path, prefix, problems)
    if ended and not when:
        problems.add(path, _line(item, "end_date"), f"{prefix}.end_date", str(ended), "an end_date needs a date")
    if when and ended and ended.end < when.start:
        problems.add(path, _line(item, "end_date"), f"{prefix}.end_date", str(ended), f"is before date {when}")
    country = _resolve(text["country"], when, f"{prefix}.country", path, item, context) if text["country"] else None
    country_entity = context.index.get(country) if country else None
    if country_entity is not None and country_entity.kind != "state":
        problems.add(path, _line(item, "country"), f"{prefix}.country", text["country"],
                     f"a country must be an entity of kind state, not {country_entity.kind!r}")
    if text["admin1_code"] is not None and not re.match(r"^[A-Z]{2}-[A-Z0-9]{1,3}$", text["admin1_code"]):
        problems.add(path, _line(item, "admin1_code"), f"{prefix}.admin1_code", text["admin1_code"],
                     "must be an ISO 3166-2 code such as AF-KDZ")
    country_code = _country_code(country_entity.name) if country_entity else None
    place, found = _incident_place(item, when, country_code, path, prefix, context)
    location = _incident_location(item, path, prefix, context)
    perpetrators = [p for p in (_perpetrator(entry, where, when, path, context)
                                for entry, where in _entries(item, "perpetrators", path, prefix, problems)) if p]
    targets = [t for t in (_target(entry, where, when, path, context)
                           for entry, where in _entries(item, "targets", path, prefix, problems)) if t]
    counts = {key: _count(item, key, path, prefix, problems) for key in ("killed", "injured", "abducted")}
    reports = [r for r in (_incident_report(entry, where, path, context)
                           for entry, where in _entries(item, "reports", path, prefix, problems)) if r]
    if "reports" in item and not reports and len(problems.items) == before:
        problems.add(path, _line(item, "reports"), f"{prefix}.reports", None, "must list at least one report")
    confidence = item.get("confidence", 1.0)
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        problems.add(path, _line(item, "confidence"), f"{prefix}.confidence", confidence,
                     "must be a number from 0 to 1")
        confidence = 1.0
    admin1, admin1_code = text["admin1"], text["admin1_code"]
    if found is not None:
        admin1, admin1_code = admin1 or found.admin1, admin1_code or found.admin1_code
        country = country or _country_entity(found, context)
        if location is None and found.lat is not None and found.lon is not None:
            location = Location(lat=found.lat, lon=found.lon, precision=found.precision)
    if len(problems.items) > before or kind is None:
        return None
    try:
        return Incident(id=incident_id, type=kind, date=str(when) if when else None,
                        end_date=str(ended) if ended else None, place=place, admin1=admin1,
                        admin1_code=admin1_code, country=country, location=location, perpetrators=perpetrators,
                        targets=targets, killed=counts["killed"], injured=counts["injured"],
                        abducted=counts["abducted"], reports=reports, note=text["note"],
                        confidence=float(confidence), extracted_by=text["extracted_by"] or "curated",
                        history=item.get("history") or [])
    except ValidationError as error:
        for detail in error.errors():
            field_name = ".".join(str(p) for p in detail["loc"]) or "(record)"
            problems.add(path, _line(item, str(detail["loc"][0]) if detail["loc"] else None),
                         f"{prefix}.{field_name}", None, detail["msg"].removeprefix("Value error, "))
        return None


def _entries(item: Mapping[str, Any], key: str, path: str, prefix: str,
             problems: _Problems) -> list[tuple[Any, str]]:
    """The entries of a list field with their place in the record (``incidents[2].perpetrators[0]``)."""
    raw = item.get(key)
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.add(path, _line(item, key), f"{prefix}.{key}", raw, "must be a list")
        return []
    return [(entry, f"{prefix}.{key}[{position}]") for position, entry in enumerate(raw)]


def _mapping(entry: Any, fields: dict[str, bool], where: str, path: str, problems: _Problems,
             line: int | None) -> Mapping[str, Any] | None:
    if not isinstance(entry, Mapping):
        problems.add(path, line, where, entry, f"must be a mapping with {', '.join(fields)}")
        return None
    return entry if _check_fields(entry, fields, path, where, problems) else None


def _country_code(name: str) -> str | None:
    """The ISO alpha-2 code of a country named as the registry names it, from the gazetteer."""
    place = load_gazetteer().resolve(name, kind="country")
    return place.country_code if place else None


def _country_entity(place: Place, context: _Context) -> str | None:
    """The state entity of a gazetteer place's country, when the graph has one of that name."""
    try:
        entity = context.index.resolve(place.country)
    except (EntityNotFound, AmbiguousName):
        return None
    return entity.id if entity.kind == "state" else None


def _incident_place(item: Mapping[str, Any], when: PartialDate | None, country_code: str | None, path: str,
                    prefix: str, context: _Context) -> tuple[IncidentPlace | None, Place | None]:
    """The incident's place and the gazetteer entry standing for it.

    A bare name is an entity's name or alias if the graph has one, else a gazetteer place (an error when it is
    neither); a mapping may name an entity (``id``), a gazetteer key (``gazetteer``), or give only a ``name``.
    """
    raw = item.get("place")
    if raw is None:
        return None, None
    problems, where, line = context.problems, f"{prefix}.place", _line(item, "place")
    shorthand = isinstance(raw, str | int) and not isinstance(raw, bool)
    spec = {"name": str(raw)} if shorthand else _mapping(raw, PLACE_FIELDS, where, path, problems, line)
    if spec is None:
        return None, None
    name = _text(spec, "name", path, where, problems)
    key = _text(spec, "gazetteer", path, where, problems)
    precision = _text(spec, "precision", path, where, problems)
    entity = None
    if spec.get("id"):
        entity_id = _resolve(str(spec["id"]), when, f"{where}.id", path, spec, context, key="id")
        entity = context.index.get(entity_id) if entity_id else None
    elif shorthand and name:
        try:
            entity = context.index.resolve(name, str(when) if when else None)
        except EntityNotFound:
            entity = None
        except AmbiguousName as error:
            options = ", ".join(f"{c['name']} ({c['id']})" for c in error.candidates)
            problems.add(path, line, where, name, f"ambiguous place: it may mean {options}; give its entity id")
            return None, None
    if entity is not None and entity.kind not in context.ontology.location_kinds:
        problems.add(path, line, where, raw, f"a place must be of kind {' or '.join(context.ontology.location_kinds)}, "
                     f"not {entity.kind!r}")
    gazetteer = load_gazetteer()
    found = None
    if key is not None:
        found = gazetteer.get(key)
        if found is None:
            problems.add(path, _line(spec, "gazetteer"), f"{where}.gazetteer", key, "is no gazetteer key")
    elif entity is not None and entity.gazetteer:
        found = gazetteer.get(entity.gazetteer)
    else:
        names = [n for n in (name, entity.name if entity else None) if n]
        found = next((p for p in (gazetteer.resolve(n, country=country_code) for n in names) if p), None)
        if found is None and shorthand and entity is None:
            problems.add(path, line, where, name, "unknown place: no entity and no gazetteer place has this name; "
                         "give the place as {name, ...} with a location")
    if precision is not None and precision not in context.ontology.location_precisions:
        problems.add(path, _line(spec, "precision"), f"{where}.precision", precision,
                     f"unknown precision (accepted: {', '.join(context.ontology.location_precisions)})")
    display = name or (entity.name if entity else None) or (found.name if found else None)
    if display is None:
        problems.add(path, line, where, raw, "a place needs a name, an entity id or a gazetteer key")
        return None, None
    return IncidentPlace(name=display, id=entity.id if entity else None, gazetteer=found.key if found else None,
                         precision=precision or (found.precision if found else None)), found


def _incident_location(item: Mapping[str, Any], path: str, prefix: str, context: _Context) -> Location | None:
    raw = item.get("location")
    if raw is None:
        return None
    problems, where = context.problems, f"{prefix}.location"
    spec = _mapping(raw, LOCATION_FIELDS, where, path, problems, _line(item, "location"))
    if spec is None:
        return None
    values: dict[str, float] = {}
    for axis, bound in (("lat", 90), ("lon", 180)):
        value = spec.get(axis)
        if isinstance(value, bool) or not isinstance(value, int | float) or not -bound <= value <= bound:
            problems.add(path, _line(spec, axis), f"{where}.{axis}", value,
                         f"must be a number of degrees from -{bound} to {bound}")
        else:
            values[axis] = float(value)
    precision = _text(spec, "precision", path, where, problems)
    if precision is not None and precision not in context.ontology.location_precisions:
        problems.add(path, _line(spec, "precision"), f"{where}.precision", precision,
                     f"unknown precision (accepted: {', '.join(context.ontology.location_precisions)})")
        return None
    if len(values) < 2:
        return None
    return Location(lat=values["lat"], lon=values["lon"], precision=precision)


def _perpetrator(entry: Any, where: str, when: PartialDate | None, path: str, context: _Context) -> Perpetrator | None:
    problems = context.problems
    spec = _mapping(entry, PERPETRATOR_FIELDS, where, path, problems, None)
    if spec is None:
        return None
    before = len(problems.items)
    text = {key: _text(spec, key, path, where, problems) for key in PERPETRATOR_FIELDS}
    actor = _resolve(text["id"], when, f"{where}.id", path, spec, context, key="id") if text["id"] else None
    asserted_by = (_resolve(text["asserted_by"], when, f"{where}.asserted_by", path, spec, context, key="asserted_by")
                   if text["asserted_by"] else None)
    if (text["id"] is None) == (text["description"] is None):
        problems.add(path, _line(spec), where, None, "give the actor's entity (id) or a description, one of them")
    basis = text["basis"]
    if basis is not None and basis not in context.ontology.statuses:
        problems.add(path, _line(spec, "basis"), f"{where}.basis", basis,
                     f"unknown basis (accepted: {', '.join(context.ontology.statuses)})")
    role = text["role"] or "perpetrator"
    if role not in ("perpetrator", "sponsor"):
        problems.add(path, _line(spec, "role"), f"{where}.role", role, "must be perpetrator or sponsor")
    if len(problems.items) > before or basis is None:
        return None
    return Perpetrator(id=actor, description=text["description"], basis=basis, asserted_by=asserted_by,
                       role="sponsor" if role == "sponsor" else "perpetrator", note=text["note"])


def _target(entry: Any, where: str, when: PartialDate | None, path: str, context: _Context) -> Target | None:
    problems = context.problems
    if isinstance(entry, str):
        entity_id = _resolve(entry, when, where, path, {}, context)
        return Target(id=entity_id) if entity_id else None
    spec = _mapping(entry, TARGET_FIELDS, where, path, problems, None)
    if spec is None:
        return None
    before = len(problems.items)
    text = {key: _text(spec, key, path, where, problems) for key in TARGET_FIELDS}
    if (text["id"] is None) == (text["description"] is None):
        problems.add(path, _line(spec), where, None, "give the target's entity (id) or a description, one of them")
        return None
    entity_id = _resolve(text["id"], when, f"{where}.id", path, spec, context, key="id") if text["id"] else None
    if len(problems.items) > before:
        return None
    return Target(id=entity_id, description=text["description"], note=text["note"])


def _count(item: Mapping[str, Any], key: str, path: str, prefix: str,  # noqa: PLR0911 - a return per fault
           problems: _Problems) -> Count | None:
    """A casualty figure: a number, or {min, max, text} ("at least 40": min 40; "nearly 200": max 200)."""
    raw = item.get(key)
    where, line = f"{prefix}.{key}", _line(item, key)
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        if raw < 0:
            problems.add(path, line, where, raw, "must not be negative")
            return None
        return Count(min=raw, max=raw)
    spec = _mapping(raw, COUNT_FIELDS, where, path, problems, line)
    if spec is None:
        return None
    numbers: dict[str, int | None] = {}
    for bound in ("min", "max"):
        value = spec.get(bound)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            problems.add(path, _line(spec, bound), f"{where}.{bound}", value, "must be a whole number, 0 or more")
            return None
        numbers[bound] = value
    text = _text(spec, "text", path, where, problems)
    low, high = numbers["min"], numbers["max"]
    if low is not None and high is not None and high < low:
        problems.add(path, _line(spec, "max"), f"{where}.max", high, f"is below min {low}")
        return None
    if low is None and high is None and not text:
        problems.add(path, line, where, None, "give a min, a max or the wording (text)")
        return None
    return Count(min=low, max=high, text=text)


def _incident_report(entry: Any, where: str, path: str, context: _Context) -> IncidentReport | None:
    problems = context.problems
    spec = _mapping(entry, REPORT_REF_FIELDS, where, path, problems, None)
    if spec is None:
        return None
    source_id = _text(spec, "source", path, where, problems) or ""
    quote = _text(spec, "quote", path, where, problems)
    source = context.sources.get(source_id)
    if source is None:
        problems.add(path, _line(spec, "source"), f"{where}.source", source_id,
                     "unknown report: no reports/<id>.yaml in this bundle or in the store has this id")
        return None
    span = _check_quote(spec, quote, source, path, where, problems)
    counts = {key: _count(spec, key, path, where, problems) for key in ("killed", "injured")}
    if span is None or quote is None:
        return None
    return IncidentReport(source=source_id, quote=quote, span=span, killed=counts["killed"], injured=counts["injured"])
