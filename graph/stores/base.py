"""What every store shares, written once: a store implements the primitives, this does the rest.

``BaseStore`` implements the ``graph.stores.protocol.GraphStore`` protocol on top of a small set of
primitives a concrete store provides (the abstract methods below: reads by id, a claim
filter, a bounded walk, a path search, one write). Everything else is here, so that the
stores cannot drift apart:

- **upsert**: ontology checks, diffing the batch against what the store holds (each record's
  fingerprint, a hash of its content kept beside it, read by id in chunks: re-sending a
  million unchanged claims reads a million short strings, not a million claims), the
  integrity check (every subject, object, asserter, location, source and
  denied claim exists in the batch or the store), then one ``_write`` of what changed;
- **incidents**: the same diff, checks (every entity, source and quote span an incident names exists in the
  batch or the store) and write as claims, in the same transaction; page checks before a query;
- **names**: one alias index per store object, built on first use and then kept current
  from ``_entities_since(revision)``, so resolving a name never lists the store;
- **claims**: dispute marking from ``denials_of(ids)``, the ``disputed`` filter, ordering; pages
  (``claim_page``): the store counts and slices the matches where they are (``_claim_page``),
  except for disputed claims, which are found from the denials (few) and paged here;
- **neighbourhoods and paths**: option checks, then assembly of what the store's walk or
  path search found into ``Subgraph`` and hops (names, claim views, order).

A third store (say, on PostgreSQL) would subclass ``BaseStore`` and implement the
primitives only; ``tests/test_stores.py`` and ``tests/test_store_agreement.py`` then say
whether it behaves.
"""

from __future__ import annotations

import hashlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, TypeVar

from pydantic_core import to_json

from graph.domain.dates import DateWindow
from graph.domain.errors import (
    ClaimNotFound,
    EntityNotFound,
    IncidentNotFound,
    InconsistentWrite,
    InvalidParameter,
    KgError,
    SourceNotFound,
)
from graph.domain.model import (
    RELIABILITY_GRADES,
    Batch,
    Claim,
    ClaimView,
    Entity,
    EntityMatch,
    Hop,
    Incident,
    Source,
    SourceRef,
    Stats,
    Subgraph,
    SubgraphLink,
    SubgraphNode,
    UpsertResult,
)
from graph.domain.names import AliasIndex
from graph.domain.ontology import Direction, Ontology
from graph.stores.protocol import (
    COVERAGE_TOP,
    MAX_NODES,
    MAX_OFFSET,
    ClaimGroups,
    ClaimPage,
    ClaimQuery,
    ClaimTypeCounts,
    Coverage,
    IncidentQuery,
    TimelineCounts,
    check_depth,
    check_direction,
    check_incident_page,
    check_interval,
    check_max_nodes,
    check_path_options,
)
from graph.stores.traversal import Filters, claim_matches

_T = TypeVar("_T")
# Ids per batched read: large enough to amortise a round trip, small enough for any server.
ID_CHUNK = 5_000
KINDS = ("entities", "sources", "claims", "incidents")


@dataclass
class Changes:
    """What one upsert writes, after diffing: records the store lacks, records it holds differently, and the ids of
    incidents it removes (folded into another by a merge)."""

    created: Batch
    updated: Batch
    removed_incidents: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.removed_incidents) or any(getattr(b, kind) for b in (self.created, self.updated)
                                                   for kind in KINDS)


@dataclass
class Walk:
    """What a store's bounded walk found (see ``graph.stores.traversal`` for the rules every store follows).

    A store gives its claims either as models (``claims``, with ``denials``) or, when it reads them as rows, in
    their JSON shape (``shapes``: ``claim_shape``'s, already filtered and marked disputed), so that an answer
    sent as JSON needs no model built per claim and one returned as models is validated from the same shapes.
    """

    depths: dict[str, int]
    entities: dict[str, Entity]  # of each, id, name and kind are read: a store may leave the rest unread
    claims: list[Claim]
    denials: dict[str, list[str]]
    truncated: bool = False
    shapes: list[dict[str, Any]] | None = None

    def views(self) -> list[ClaimView]:
        """The claims as validated views, ordered by id."""
        if self.shapes is None:
            return views(self.claims, self.denials)
        return [ClaimView(**shape) for shape in sorted(self.shapes, key=lambda s: s["id"])]

    def claim_shapes(self) -> list[dict[str, Any]]:
        """The claims in their JSON shape, ordered by id: what ``views`` would serialise to, without the models
        when the store read rows."""
        if self.shapes is None:
            return [view.model_dump() for view in self.views()]
        return sorted(self.shapes, key=lambda s: s["id"])

    def nodes(self) -> list[tuple[str, int]]:
        """(entity id, depth) in a subgraph's order: nearest first, then by id."""
        return sorted(self.depths.items(), key=lambda item: (item[1], item[0]))


# ClaimView's fields in its order, with their defaults: a claim's JSON shape is derived from the model, so a field
# added to it reaches the shape without a second list to keep in step.
_CLAIM_FIELDS: tuple[tuple[str, Any], ...] = tuple(
    (name, info.get_default(call_default_factory=True)) for name, info in ClaimView.model_fields.items())


def claim_shape(properties: Mapping[str, Any], subject: str, type_: str, object_: str,
                denied_by: Iterable[str]) -> dict[str, Any]:
    """A claim read back as a row (its stored properties, its ends and type, the ids of the claims that deny it) in
    the shape ``ClaimView(...).model_dump()`` gives: the same keys in the same order, absent properties at the
    model's defaults, stored-only properties (a store's indexes, its load mark) left out. The one place a row
    becomes a claim: the validated views are built from these shapes and the API serialises them directly."""
    disputed_by = sorted(denied_by)
    given = {"subject": subject, "type": type_, "object": object_, "disputed": bool(disputed_by),
             "disputed_by": disputed_by}
    shape: dict[str, Any] = {}
    for name, default in _CLAIM_FIELDS:
        if name in given:
            shape[name] = given[name]
        elif name == "span":
            shape[name] = tuple(properties[name])
        else:
            shape[name] = properties.get(name, default)
    return shape


@dataclass
class FoundPaths:
    """A store's path search: the paths (entity ids, best first) and the claims behind each hop."""

    paths: list[list[str]]
    hops: dict[tuple[str, str], list[Claim]] = field(default_factory=dict)
    denials: dict[str, list[str]] = field(default_factory=dict)
    # The ends the store found it does not hold, when its search looked (``None``: it did not; they are read by id).
    missing: list[str] | None = None


@dataclass
class FoundPage:
    """A store's page of matching claims (in id order), how many match in all, and the page's denials."""

    claims: list[Claim]
    total: int
    denials: dict[str, list[str]] = field(default_factory=dict)


class BaseStore(ABC):
    """The protocol's behaviour, on top of the primitives a store implements."""

    def __init__(self, ontology: Ontology) -> None:
        self._ontology = ontology
        self._names_lock = threading.Lock()
        self._names: AliasIndex | None = None
        self._names_revision = -1

    # === primitives: what a store implements ============================================

    @abstractmethod
    def revision(self) -> int:
        """A counter that grows with every write that changed something."""

    @abstractmethod
    def _fingerprints(self, kind: str, ids: Sequence[str]) -> dict[str, str | None]:
        """For each of these ids of ``kind`` (entities, sources, claims) that exists, the fingerprint it was
        written with (``fingerprint``), or None when it has none."""

    @abstractmethod
    def _entities_by_id(self, ids: Sequence[str]) -> list[Entity]:
        """The entities with these ids that exist (any order)."""

    @abstractmethod
    def _entities_since(self, revision: int) -> list[Entity]:
        """Entities written after ``revision`` (for keeping the name index current)."""

    @abstractmethod
    def entities(self) -> list[Entity]:
        """Every entity, ordered by id: for exports and whole-graph commands only."""

    @abstractmethod
    def list_entities(self, *, kind: str | None = None, limit: int = 50, offset: int = 0) -> list[Entity]:
        """One page of entities (of a kind), ordered by id."""

    @abstractmethod
    def count_entities(self, kind: str | None = None) -> int:
        """How many entities (of a kind) the graph holds."""

    @abstractmethod
    def _sources_by_id(self, ids: Sequence[str]) -> list[Source]:
        """The sources with these ids that exist, with their text."""

    @abstractmethod
    def _source_refs_by_id(self, ids: Sequence[str]) -> list[SourceRef]:
        """Citations of the sources with these ids that exist, without reading their text."""

    @abstractmethod
    def sources(self) -> list[Source]:
        """Every source, ordered by id: for exports and whole-graph commands only."""

    @abstractmethod
    def list_sources(self, *, limit: int = 50, offset: int = 0) -> list[Source]:
        """One page of sources, ordered by id."""

    @abstractmethod
    def count_sources(self) -> int:
        """How many sources the graph holds."""

    @abstractmethod
    def _claim_counts(self, source_ids: Sequence[str]) -> dict[str, int]:
        """How many claims cite each of these sources (those citing none may be left out)."""

    @abstractmethod
    def _relation_sources(self, triples: Sequence[tuple[str, str, str]]) -> list[tuple[str, str, str, str]]:
        """The distinct (subject, type, object, source) of the published claims on these relations."""

    @abstractmethod
    def _coverage(self, entity_id: str, top: int) -> Coverage:
        """One entity's coverage, aggregated where the store keeps its claims."""

    @abstractmethod
    def count_claims(self) -> int:
        """How many claims the graph holds (from a count the store keeps, not by reading them)."""

    @abstractmethod
    def _claims_by_id(self, ids: Sequence[str]) -> list[Claim]:
        """The claims with these ids that exist."""

    @abstractmethod
    def _denials(self, ids: Sequence[str]) -> dict[str, list[str]]:
        """For each of these claim ids that denials dispute, the denials' ids (any order)."""

    @abstractmethod
    def _denied_ids(self) -> list[str]:
        """Every claim id some denial disputes (denials are few; an index answers this)."""

    @abstractmethod
    def _find_claims(self, query: ClaimQuery) -> list[Claim]:
        """Claims matching every filter of ``query`` but ``disputed``, in any order."""

    @abstractmethod
    def _incidents_by_id(self, ids: Sequence[str]) -> list[Incident]:
        """The incidents with these ids that exist (any order)."""

    @abstractmethod
    def _find_incidents(self, query: IncidentQuery) -> list[Incident]:
        """The page ``query`` asks for of the incidents matching its filters, in ``IncidentQuery``'s order."""

    @abstractmethod
    def _count_incidents(self, query: IncidentQuery) -> int:
        """How many incidents match the filters of ``query`` (its page aside)."""

    @abstractmethod
    def _incident_timeline_rows(self, query: IncidentQuery, width: int) -> list[tuple[str | None, str, int]]:
        """The incidents matching the filters of ``query`` counted by (date cut to ``width`` characters, None when
        undated; incident type): folded by ``fold_timeline``, as claims are."""

    @abstractmethod
    def _claim_page(self, query: ClaimQuery, limit: int, offset: int) -> FoundPage:
        """The page of claims matching every filter of ``query``, ``disputed=False`` included (``disputed=True``
        never comes here), ordered by id: filtered, counted and sliced by the store, not read whole."""

    @abstractmethod
    def _timeline_rows(self, query: ClaimQuery, width: int, actor: str | None) -> list[tuple[str | None, str, int]]:
        """The claims matching ``query`` but ``disputed`` (and with ``actor`` at either end, when given), counted
        by (date cut to ``width`` characters, None when undated; type): folded by ``fold_timeline``."""

    @abstractmethod
    def _group_page(self, query: ClaimQuery, limit: int, offset: int) -> ClaimGroups:
        """One page of the relations the claims matching ``query`` make (``disputed`` is True never, False maybe),
        keyed as ``relation_key`` keys them."""

    @abstractmethod
    def _type_counts(self, entity_id: str) -> ClaimTypeCounts:
        """The entity's claims counted by type and direction."""

    @abstractmethod
    def claim_pairs(self) -> list[tuple[str, str, int]]:
        """Each (subject, object) some claim joins, with how many claims join them."""

    @abstractmethod
    def keep_candidates(self, kept: Mapping[str, list[dict[str, Any]]]) -> None:
        """Keep a report's unplaced names as ingest found them."""

    @abstractmethod
    def candidates_of(self, source_id: str) -> list[dict[str, Any]] | None:
        """A report's kept names, or ``None`` when none were kept."""

    @abstractmethod
    def _walk(self, center: str, depth: int, filters: Filters, direction: Direction, max_nodes: int) -> Walk | None:
        """The bounded walk of ``graph.stores.traversal`` from ``center``; ``None`` when there is no such entity."""

    @abstractmethod
    def _paths(self, source: str, target: str, *, max_hops: int, k: int, filters: Filters,
               directed: bool) -> FoundPaths:
        """The ``k`` first paths by the rule of ``graph.stores.traversal``, with every matching claim on each hop."""

    @abstractmethod
    def _write(self, changes: Changes) -> None:
        """Write what changed, all of it or nothing, and advance the revision."""

    @abstractmethod
    def stats(self) -> Stats:
        """Counts by kind, type and status."""

    @abstractmethod
    def close(self) -> None:
        """Release what the store holds."""

    # === writes =========================================================================

    def upsert(self, batch: Batch, *, remove_incidents: Iterable[str] = ()) -> UpsertResult:
        """Merge a batch by id, all of it or nothing; the same batch twice changes nothing the second time.

        ``remove_incidents`` are incidents deleted in the same write (a merge folds one incident into another and
        rewrites the claims that pointed at it); ids the store does not hold are ignored, and an id the batch
        writes cannot also be removed."""
        removing = list(dict.fromkeys(remove_incidents))
        clash = sorted(set(removing) & {i.id for i in batch.incidents})
        if clash:
            raise InvalidParameter("remove_incidents", clash, "an incident cannot be written and removed at once")
        entities, sources, claims, incidents = self._checked(batch)
        kinds: tuple[tuple[str, dict[str, Any]], ...] = (
            ("entities", entities), ("sources", sources), ("claims", claims), ("incidents", incidents))
        old = {kind: self.fingerprints(kind, records) for kind, records in kinds}
        counts: dict[str, dict[str, int]] = {o: dict.fromkeys(KINDS, 0) for o in ("created", "updated", "unchanged")}
        created: dict[str, list[Any]] = {kind: [] for kind in KINDS}
        updated: dict[str, list[Any]] = {kind: [] for kind in KINDS}
        for kind, new in kinds:
            for record_id, record in new.items():
                if record_id not in old[kind]:
                    counts["created"][kind] += 1
                    created[kind].append(record)
                elif old[kind][record_id] == fingerprint(record):
                    counts["unchanged"][kind] += 1
                else:
                    counts["updated"][kind] += 1
                    updated[kind].append(record)
        held = set(self.fingerprints("incidents", removing)) if removing else set()
        changes = Changes(Batch(**created), Batch(**updated), [i for i in removing if i in held])
        if changes:
            self._write(changes)
        return UpsertResult(**counts, removed={"incidents": len(changes.removed_incidents)})

    def checked(self, batch: Batch) -> Batch:
        """The batch as ``upsert`` would take it: its types in the ontology, its references to records it or the store
        holds, one record per id (a later one wins). Raises as ``upsert`` does; for a writer that bypasses ``upsert``
        (the Neo4j bulk importer) and must refuse exactly what it refuses."""
        entities, sources, claims, incidents = self._checked(batch)
        return Batch.model_construct(entities=list(entities.values()), sources=list(sources.values()),
                                     claims=list(claims.values()), incidents=list(incidents.values()))

    def _checked(self, batch: Batch) -> tuple[dict[str, Entity], dict[str, Source], dict[str, Claim],
                                              dict[str, Incident]]:
        self._check_ontology(batch)
        entities = _unique(batch.entities)
        sources = _unique(batch.sources)
        claims = _unique(batch.claims)
        incidents = _unique(batch.incidents)
        self._check_references(claims.values(), entities, sources, claims)
        self._check_incident_references(incidents.values(), entities, sources)
        return entities, sources, claims, incidents

    def _check_ontology(self, batch: Batch) -> None:
        """Labels and relationship types come only from the ontology: refuse anything else before any read."""
        for entity in batch.entities:
            if entity.kind not in self._ontology.entity_kinds:
                raise KgError(f"refusing entity {entity.id}: kind {entity.kind!r} is not in the ontology")
        for claim in batch.claims:
            if claim.type not in self._ontology.relation_types:
                raise KgError(f"refusing claim {claim.id}: type {claim.type!r} is not in the ontology")
        precisions = self._ontology.location_precisions
        for incident in batch.incidents:
            problems = []
            if incident.type not in self._ontology.incident_types:
                problems.append(f"type {incident.type!r} is not an incident type of the ontology")
            problems += [f"perpetrator basis {p.basis!r} is not a status of the ontology"
                         for p in incident.perpetrators if p.basis not in self._ontology.statuses]
            problems += [f"{where} precision {value!r} is not a location precision of the ontology"
                         for where, value in (("place", incident.place.precision if incident.place else None),
                                              ("location", incident.location.precision if incident.location else None))
                         if value is not None and value not in precisions]
            if problems:
                raise KgError(f"refusing incident {incident.id}: {'; '.join(problems)}")

    def _check_references(self, claims: Iterable[Claim], entities: dict[str, Entity], sources: dict[str, Source],
                          batch_claims: dict[str, Claim]) -> None:
        """Refuse claims pointing at entities, sources or claims that neither the batch nor the store holds."""
        claims = list(claims)
        wanted_entities = {v for c in claims for v in (c.subject, c.object, c.asserted_by, c.location)
                           if v is not None and v not in entities}
        wanted_sources = {c.source for c in claims if c.source not in sources}
        wanted_claims = {c.denies for c in claims if c.denies is not None and c.denies not in batch_claims}
        missing_entities = wanted_entities - set(self.get_entities(wanted_entities))
        missing_sources = wanted_sources - set(self.source_refs(wanted_sources))
        missing_claims = wanted_claims - set(self.existing_claims(wanted_claims))
        problems = []
        for claim in claims:
            for role in ("subject", "object", "asserted_by", "location"):
                value = getattr(claim, role)
                if value is not None and value in missing_entities:
                    problems.append(f"claim {claim.id}: {role} {value!r} is not an entity")
            if claim.source in missing_sources:
                problems.append(f"claim {claim.id}: source {claim.source!r} is not a source")
            if claim.denies is not None and claim.denies in missing_claims:
                problems.append(f"claim {claim.id}: denies {claim.denies!r}, which is not a claim")
        if problems:
            more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
            raise InconsistentWrite("refusing an inconsistent write: " + "; ".join(problems[:10]) + more,
                                    details={"problems": problems[:100]})

    def _check_incident_references(self, incidents: Iterable[Incident], entities: dict[str, Entity],
                                   sources: dict[str, Source]) -> None:
        """Refuse incidents naming entities or sources that neither the batch nor the store holds, or quoting a
        report at a span where its text does not read so."""
        incidents = list(incidents)
        wanted_entities = {i for incident in incidents for i in incident.entity_ids() if i not in entities}
        wanted_sources = {s for incident in incidents for s in incident.sources if s not in sources}
        missing_entities = wanted_entities - set(self.get_entities(wanted_entities))
        texts = {s.id: s.text for s in sources.values()}
        texts.update({s.id: s.text for s in self.get_sources(wanted_sources).values()})
        problems = []
        for incident in incidents:
            problems += [f"incident {incident.id}: {entity!r} is not an entity"
                         for entity in sorted(incident.entity_ids() & missing_entities)]
            for report in incident.reports:
                text = texts.get(report.source)
                start, end = report.span
                if text is None:
                    problems.append(f"incident {incident.id}: report {report.source!r} is not a source")
                elif text[start:end] != report.quote:
                    problems.append(f"incident {incident.id}: the quote of report {report.source} is not its text "
                                    f"at [{start}, {end}]")
        if problems:
            more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
            raise InconsistentWrite("refusing an inconsistent write: " + "; ".join(problems[:10]) + more,
                                    details={"problems": problems[:100]})

    def fingerprints(self, kind: str, ids: Iterable[str]) -> dict[str, str | None]:
        """The stored fingerprints of the records of ``kind`` with these ids that exist, by id."""
        return {i: f for chunk in _chunks(ids) for i, f in self._fingerprints(kind, chunk).items()}

    # === entities =======================================================================

    def get_entities(self, ids: Iterable[str]) -> dict[str, Entity]:
        """The entities with these ids that exist, by id: batched reads, never a listing."""
        return {e.id: e for chunk in _chunks(ids) for e in self._entities_by_id(chunk)}

    def get_entity(self, entity_id: str) -> Entity:
        """The entity with this exact id."""
        found = self._entities_by_id([entity_id])
        if not found:
            raise EntityNotFound(entity_id, self.name_index().suggest(entity_id))
        return found[0]

    def name_index(self) -> AliasIndex:
        """Every name and alias: built once per store object, then brought up to date by revision."""
        current = self.revision()
        with self._names_lock:
            if self._names is None:
                self._names = AliasIndex(self.entities())
            elif current != self._names_revision:
                self._names.update(self._entities_since(self._names_revision))
            self._names_revision = current
            return self._names

    def known_names(self) -> AliasIndex | None:
        """The alias index as last brought up to date, without asking the store whether it still is (``None``
        until ``name_index`` first built it).

        For a caller whose next query proves what it takes from the index: an id the index holds, passed to a
        query that finds the entity by that id, names the entity a fresh index would name (an exact id outranks
        every alias); a query that finds no such entity sends the caller back to ``name_index``.
        """
        return self._names

    def resolve(self, name: str, at: str | None = None) -> Entity:
        """The entity a name or alias stands for."""
        return self.name_index().resolve(name, at)

    def find_entities(self, query: str, *, kind: str | None = None, limit: int = 10) -> list[EntityMatch]:
        """Entities ranked by name similarity (the same ranking in every store)."""
        return self.name_index().search(query, kind=kind, limit=limit)

    # === sources ========================================================================

    def get_sources(self, ids: Iterable[str]) -> dict[str, Source]:
        """The sources with these ids that exist, by id."""
        return {s.id: s for chunk in _chunks(ids) for s in self._sources_by_id(chunk)}

    def source_refs(self, ids: Iterable[str]) -> dict[str, SourceRef]:
        """Citations of the sources with these ids that exist, by id, without their text."""
        return {s.id: s for chunk in _chunks(ids) for s in self._source_refs_by_id(chunk)}

    def get_source(self, source_id: str) -> Source:
        """The source with this id."""
        found = self._sources_by_id([source_id])
        if not found:
            raise SourceNotFound(f"no source has id {source_id!r}", details={"id": source_id})
        return found[0]

    def claim_counts(self, source_ids: Iterable[str]) -> dict[str, int]:
        """How many claims cite each of these sources."""
        ids = list(dict.fromkeys(source_ids))
        counts = dict.fromkeys(ids, 0)
        for chunk in _chunks(ids):
            counts.update(self._claim_counts(chunk))
        return counts

    def set_reliability(self, source_id: str, grade: str | None) -> Source:
        """Grade a source through the ordinary upsert, so both stores write it alike, its fingerprint and the
        store's revision move on (ETags change) and nothing else of the source is touched."""
        if grade is not None and grade not in RELIABILITY_GRADES:
            raise InvalidParameter("reliability", grade, "must be one grade from A (reliable) to F (cannot be judged)",
                                   list(RELIABILITY_GRADES))
        source = self.get_source(source_id)
        graded = source.model_copy(update={"reliability": grade})
        if graded != source:
            self.upsert(Batch(sources=[graded]))
        return graded

    def corroboration(self, claim_ids: Iterable[str]) -> dict[str, int]:
        """Other sources asserting each claim's relation; see the protocol. Two batched
        reads: the claims by id, then the sources on their relations (and the reversed ones of symmetric types)."""
        claims = self.existing_claims(claim_ids)
        symmetric = {name for name, spec in self._ontology.relation_types.items() if spec.symmetric}
        triples: set[tuple[str, str, str]] = set()
        for claim in claims.values():
            triples.add((claim.subject, claim.type, claim.object))
            if claim.type in symmetric:
                triples.add((claim.object, claim.type, claim.subject))
        held: dict[tuple[str, str, str], set[str]] = {}
        wanted = sorted(triples)
        for start in range(0, len(wanted), ID_CHUNK):
            for subject, kind, obj, source in self._relation_sources(wanted[start:start + ID_CHUNK]):
                held.setdefault((subject, kind, obj), set()).add(source)
        counts: dict[str, int] = {}
        for claim_id, claim in claims.items():
            sources = set(held.get((claim.subject, claim.type, claim.object), ()))
            if claim.type in symmetric:
                sources |= held.get((claim.object, claim.type, claim.subject), set())
            sources.discard(claim.source)
            counts[claim_id] = len(sources)
        return counts

    def coverage(self, entity_ids: Iterable[str], *, top: int = COVERAGE_TOP) -> dict[str, Coverage]:
        """Each entity's claims counted with their reports and dates; a question names few entities."""
        return {entity_id: self._coverage(entity_id, top) for entity_id in dict.fromkeys(entity_ids)}

    # === claims =========================================================================

    def existing_claims(self, ids: Iterable[str]) -> dict[str, Claim]:
        """The stored claims with these ids, by id."""
        return {c.id: c for chunk in _chunks(ids) for c in self._claims_by_id(chunk)}

    def denials_of(self, ids: Iterable[str]) -> dict[str, list[str]]:
        """For each of these claims that denials dispute, the denials' ids in order."""
        found: dict[str, list[str]] = {}
        for chunk in _chunks(ids):
            for claim_id, denials in self._denials(chunk).items():
                found[claim_id] = sorted(denials)
        return found

    def get_claims(self, ids: Iterable[str]) -> dict[str, ClaimView]:
        """The claims with these ids that exist, with ``disputed`` set, by id."""
        claims = self.existing_claims(ids)
        return {v.id: v for v in views(claims.values(), self.denials_of(claims))}

    def get_claim(self, claim_id: str) -> ClaimView:
        """The claim with this id."""
        found = self.get_claims([claim_id])
        if claim_id not in found:
            raise ClaimNotFound(f"no claim has id {claim_id!r}", details={"id": claim_id})
        return found[claim_id]

    def claims(self, query: ClaimQuery) -> list[ClaimView]:
        """Claims matching every filter, ordered by id; symmetric types match with either end as subject."""
        if query.disputed:
            # Disputed claims are found from the denials, which are few, rather than by a scan.
            candidates = [c for c in self.existing_claims(self._denied_ids()).values()
                          if claim_matches(c, query, self._ontology)]
        else:
            candidates = self._find_claims(query)
        found = views(candidates, self.denials_of(c.id for c in candidates))
        if query.disputed is False:
            found = [v for v in found if not v.disputed]
        return found

    def claim_page(self, query: ClaimQuery, *, limit: int, offset: int = 0) -> ClaimPage:
        """One page of the claims matching every filter, in id order, and how many match in all."""
        if limit < 0:
            raise InvalidParameter("limit", limit, "must be at least 0")
        if offset < 0:
            raise InvalidParameter("offset", offset, "must be at least 0")
        offset = min(offset, MAX_OFFSET)
        if query.disputed:
            # Disputed claims are found from the denials, which are few, and paged here.
            matched = sorted((c for c in self.existing_claims(self._denied_ids()).values()
                              if claim_matches(c, query, self._ontology)), key=lambda c: c.id)
            page = matched[offset:offset + limit]
            return ClaimPage(views(page, self.denials_of(c.id for c in page)), len(matched))
        found = self._claim_page(query, limit, offset)
        return ClaimPage(views(found.claims, found.denials), found.total)

    def claim_timeline(self, query: ClaimQuery, interval: str, *, actor: str | None = None) -> TimelineCounts:
        """Claims counted per period and type where they are; disputed ones from the denials (few), here."""
        width = check_interval(interval)
        if query.disputed or query.incident is not None:
            touching = [c for c in self._few_matching(query) if actor is None or actor in (c.subject, c.object)]
            rows = [(_date_cut(c.date, width), c.type, 1) for c in touching]
        else:
            rows = self._timeline_rows(query, width, actor)
        return fold_timeline(rows, interval)

    def claim_groups(self, query: ClaimQuery, *, limit: int, offset: int = 0) -> ClaimGroups:
        """One page of relations, grouped where the claims are; disputed ones from the denials (few), here."""
        if limit < 0:
            raise InvalidParameter("limit", limit, "must be at least 0")
        if offset < 0:
            raise InvalidParameter("offset", offset, "must be at least 0")
        offset = min(offset, MAX_OFFSET)
        if query.disputed or query.incident is not None:
            grouped: dict[tuple[str, ...], list[str]] = {}
            for claim in self._few_matching(query):
                grouped.setdefault(relation_key(claim), []).append(claim.id)
            groups = list(grouped.values())
            return ClaimGroups(groups[offset:offset + limit], len(groups))
        return self._group_page(query, limit, offset)

    def claim_type_counts(self, entity_id: str) -> ClaimTypeCounts:
        """An entity's claims by type and direction, counted by the store, types in order."""
        found = self._type_counts(entity_id)
        return ClaimTypeCounts(dict(sorted(found.outgoing.items())), dict(sorted(found.incoming.items())),
                               found.total)

    def _few_matching(self, query: ClaimQuery) -> list[Claim]:
        """The claims matching a query that names an incident or asks for disputed claims, in id order: both are
        few (an incident's claims through their index, disputed ones from the denials), so they are counted here."""
        if query.incident is None:
            return self._disputed_matching(query)
        found = sorted(self._find_claims(query), key=lambda c: c.id)
        if query.disputed is None:
            return found
        denied = self.denials_of(c.id for c in found)
        return [c for c in found if bool(denied.get(c.id)) == query.disputed]

    def _disputed_matching(self, query: ClaimQuery) -> list[Claim]:
        """The disputed claims matching ``query``, in id order: found from the denials, which are few."""
        return sorted((c for c in self.existing_claims(self._denied_ids()).values()
                       if claim_matches(c, query, self._ontology)), key=lambda c: c.id)

    # === incidents ======================================================================

    def get_incidents(self, ids: Iterable[str]) -> dict[str, Incident]:
        """The incidents with these ids that exist, by id: batched reads, never a listing."""
        return {i.id: i for chunk in _chunks(ids) for i in self._incidents_by_id(chunk)}

    def get_incident(self, incident_id: str) -> Incident:
        """The incident with this id."""
        found = self._incidents_by_id([incident_id])
        if not found:
            raise IncidentNotFound(f"no incident has id {incident_id!r}", details={"id": incident_id})
        return found[0]

    def incidents(self, query: IncidentQuery) -> list[Incident]:
        """One page of the incidents matching every filter, newest first, ties by id."""
        check_incident_page(query.limit, query.offset)
        return self._find_incidents(query)

    def count_incidents(self, query: IncidentQuery | None = None) -> int:
        """How many incidents match the filters (all pages)."""
        return self._count_incidents(query or IncidentQuery())

    def incident_timeline(self, query: IncidentQuery, interval: str) -> TimelineCounts:
        """Incidents counted per period and type where they are (a chart of them needs no incident sent)."""
        width = check_interval(interval)
        return fold_timeline(self._incident_timeline_rows(query, width), interval)

    # === traversals =====================================================================

    def neighbourhood(self, center: str, *, depth: int = 1, types: Iterable[str] | None = None,
                      direction: Direction = "both", window: DateWindow | None = None,
                      statuses: Iterable[str] | None = None, min_confidence: float = 0.0,
                      max_nodes: int = MAX_NODES) -> Subgraph:
        """Entities within ``depth`` hops over matching claims, and the matching claims among them."""
        check_depth(depth)
        check_direction(direction)
        check_max_nodes(max_nodes)
        walk = self._checked_walk(center, depth, types, direction, window, statuses, min_confidence, max_nodes)
        nodes = [SubgraphNode(id=n, name=walk.entities[n].name, kind=walk.entities[n].kind, depth=d)
                 for n, d in walk.nodes()]
        links = [SubgraphLink(source=v.subject, target=v.object, key=v.id, type=v.type, claim=v)
                 for v in walk.views()]
        return Subgraph(center=center, nodes=nodes, links=links, truncated=walk.truncated)

    def neighbourhood_json(self, center: str, *, depth: int = 1, types: Iterable[str] | None = None,
                           direction: Direction = "both", window: DateWindow | None = None,
                           statuses: Iterable[str] | None = None, min_confidence: float = 0.0,
                           max_nodes: int = MAX_NODES) -> bytes:
        """``neighbourhood`` as its JSON (the bytes ``Subgraph.model_dump_json()`` gives), serialised from the
        claims' shapes without a model per claim: the API's answer, where building and validating a ``ClaimView``
        per claim cost as much as reading it."""
        walk = self._checked_walk(center, depth, types, direction, window, statuses, min_confidence, max_nodes)
        nodes = [{"id": n, "name": walk.entities[n].name, "kind": walk.entities[n].kind, "depth": d}
                 for n, d in walk.nodes()]
        links = [{"source": c["subject"], "target": c["object"], "key": c["id"], "type": c["type"], "claim": c}
                 for c in walk.claim_shapes()]
        # pydantic's own encoder, so numbers and text come out as model_dump_json writes them.
        return to_json({"center": center, "nodes": nodes, "links": links, "truncated": walk.truncated})

    def _checked_walk(self, center: str, depth: int, types: Iterable[str] | None, direction: Direction,
                      window: DateWindow | None, statuses: Iterable[str] | None, min_confidence: float,
                      max_nodes: int) -> Walk:
        check_depth(depth)
        check_direction(direction)
        check_max_nodes(max_nodes)
        walk = self._walk(center, depth, Filters.of(types, statuses, window, min_confidence), direction, max_nodes)
        if walk is None:
            raise EntityNotFound(center, self.name_index().suggest(center))
        return walk

    def paths(self, source: str, target: str, *, max_hops: int = 4, k: int = 1,
              types: Iterable[str] | None = None, directed: bool = False,
              statuses: Iterable[str] | None = None) -> list[list[Hop]]:
        """The ``k`` shortest simple paths, ties ordered by the ids along them, so answers are stable."""
        check_path_options(max_hops, k)
        if source == target:
            raise InvalidParameter("target", target, "a path needs two different entities")
        found = self._paths(source, target, max_hops=max_hops, k=k, filters=Filters.of(types, statuses, None, 0.0),
                            directed=directed)
        if not found.paths:
            # A path found joins two entities that exist; only an empty answer needs to know whether they do.
            for entity_id in self._missing_ends(found, source, target):
                raise EntityNotFound(entity_id, self.name_index().suggest(entity_id))
        return [
            [Hop(**{"from": a, "to": b, "claims": views(found.hops[(a, b)], found.denials)})
             for a, b in pairwise(nodes)]
            for nodes in found.paths
        ]

    def _missing_ends(self, found: FoundPaths, source: str, target: str) -> list[str]:
        """The ends of an empty path search that the store does not hold: as the search saw them, when it looked
        (a round trip fewer), else read by id."""
        if found.missing is not None:
            return [e for e in (source, target) if e in found.missing]
        known = self.get_entities([source, target])
        return [e for e in (source, target) if e not in known]


def relation_key(claim: Claim) -> tuple[str, ...]:
    """What makes claims one relation: subject, type, object, and the incident they tell of, or, without one, the
    dates (so a rule that ended in 2001 stays apart from the current one). The stores group by the same key."""
    anchor = ("incident", claim.incident) if claim.incident else ("dates", claim.date or "", claim.end_date or "")
    return (claim.subject, claim.type, claim.object, *anchor)


def _date_cut(date: str | None, width: int) -> str | None:
    text = (date or "").strip()
    return text[:width] if text else None


def fold_timeline(rows: Iterable[tuple[str | None, str, int]], interval: str) -> TimelineCounts:
    """Counts by (date cut to the interval's width, type) as a timeline: a cut date as long as the width is a
    period (``2022-05`` when counting months); a shorter one was known only more coarsely (``2022``) and counts
    as imprecise; none, as undated. Periods without claims are left out."""
    width = check_interval(interval)
    buckets: dict[str, dict[str, int]] = {}
    imprecise = undated = 0
    for cut, type_, count in rows:
        if not cut:
            undated += count
        elif len(cut) < width:
            imprecise += count
        else:
            by_type = buckets.setdefault(cut, {})
            by_type[type_] = by_type.get(type_, 0) + count
    return TimelineCounts(interval, {p: dict(sorted(buckets[p].items())) for p in sorted(buckets)}, imprecise,
                          undated)


def timeline_of(claims: Iterable[Claim], interval: str) -> TimelineCounts:
    """The timeline of claims already in hand, by the rule the stores count by (``fold_timeline``)."""
    width = check_interval(interval)
    return fold_timeline(((_date_cut(c.date, width), c.type, 1) for c in claims), interval)


def timeline_of_incidents(incidents: Iterable[Incident], interval: str) -> TimelineCounts:
    """The timeline of incidents already in hand (a few, read by id), by the rule the stores count by."""
    width = check_interval(interval)
    return fold_timeline(((_date_cut(i.date, width), i.type, 1) for i in incidents), interval)


def fingerprint(record: Entity | Source | Claim | Incident) -> str:
    """A hash of a record's content: equal records, equal fingerprints; stores keep it beside the record."""
    return fingerprint_of(record.model_dump_json(exclude_none=True))


def fingerprint_of(serialised: str) -> str:
    """The fingerprint of a record already serialised as ``model_dump_json(exclude_none=True)``."""
    return hashlib.blake2b(serialised.encode("utf-8"), digest_size=16).hexdigest()


def views(claims: Iterable[Claim], denials: dict[str, list[str]]) -> list[ClaimView]:
    """Claims as read back, ordered by id, each marked disputed when a denial points at it.

    A store may read its claims as ``ClaimView`` already (undisputed); those are kept, not rebuilt.
    """
    found = []
    for claim in sorted(claims, key=lambda c: c.id):
        denied_by = sorted(denials.get(claim.id, []))
        if isinstance(claim, ClaimView) and not claim.disputed and not denied_by:
            found.append(claim)
        elif isinstance(claim, ClaimView):
            found.append(claim.model_copy(update={"disputed": bool(denied_by), "disputed_by": denied_by}))
        else:
            found.append(ClaimView(**claim.model_dump(), disputed=bool(denied_by), disputed_by=denied_by))
    return found


def _unique(records: Sequence[_T]) -> dict[str, _T]:
    """Records by id; a later record with the same id wins, as a second upsert would."""
    return {getattr(r, "id"): r for r in records}  # noqa: B009 - every record kind has an id


def _chunks(ids: Iterable[str]) -> Iterator[list[str]]:
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), ID_CHUNK):
        yield unique[start:start + ID_CHUNK]
