"""The store protocol: the questions every store answers, whatever holds the graph.

Two implementations stand behind it, ``graph.stores.sqlite.store`` (embedded: SQLite on disk, a
compact index in memory, the default) and ``graph.stores.neo4j.store`` (a Neo4j server). Both are
built on ``graph.stores.base.BaseStore``, which holds everything they share (diffing and
checking a batch, dispute marking, name resolution, assembling subgraphs and paths, option
checks); a store implements only the primitives listed there. One behavioural test suite
runs against each and they must agree.

Reads that serve a request are by id and batched (``get_entities(ids)``,
``existing_claims(ids)``, ``denials_of(ids)``…) or paged (``claim_page``): no request, ingest
or question lists the store. The whole-graph reads (``entities()``, ``sources()``,
``claims(ClaimQuery())``) are for exports and whole-graph commands only; ``stats()``,
``claim_pairs()``, ``claim_timeline()``, ``claim_groups()`` and ``claim_type_counts()`` are aggregates the
store computes where its data is, so a dashboard's question costs what its answer holds, not what the graph
holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from graph.domain.dates import DateWindow, parse_optional
from graph.domain.errors import InvalidParameter
from graph.domain.model import (
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
    UpsertResult,
)
from graph.domain.names import AliasIndex
from graph.domain.ontology import Direction

MAX_DEPTH = 3
MAX_HOPS = 6
MAX_K = 20
# A neighbourhood's answer is bounded: at most this many entities and claims (more than a person
# reads in one drawing), and an entity with more claims than HUB_DEGREE (a hub: Pakistan in a
# graph of a million claims) is shown but not walked through unless it is the centre. Either
# bound sets ``Subgraph.truncated``. The seed graph's busiest entity has 41 claims.
MAX_OFFSET = 2**62  # past any graph; a larger offset (a page no graph reaches) is read as this one
MAX_NODES = 250
MAX_LINKS = 1_000
HUB_DEGREE = 500
COVERAGE_TOP = 5  # reports named in an entity's coverage (the rest are counted)
MAX_INCIDENT_PAGE = 5_000  # incidents per page: a map of a country's year of violence in a few pages


@dataclass(frozen=True)
class ClaimQuery:
    """Filters on claims; ``None`` means "any". Entity fields hold ids, already resolved."""

    subject: str | None = None
    object: str | None = None
    types: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    window: DateWindow = field(default_factory=DateWindow)
    min_confidence: float = 0.0
    disputed: bool | None = None
    source: str | None = None
    location: str | None = None  # where it happened (a place or state id)
    asserted_by: str | None = None
    incident: str | None = None  # the incident the claim is about (the attack, its claim, blame or denial)


@dataclass(frozen=True)
class ClaimPage:
    """One page of the claims matching a query, in id order, and how many match in all."""

    claims: list[ClaimView]
    total: int


# How many characters of an ISO date name a period of each interval ("2022", "2022-05", "2022-05-17"): a store
# groups claims by their date cut to this width, and a date shorter than the cut is coarser than the interval.
INTERVAL_WIDTH = {"year": 4, "month": 7, "day": 10}


@dataclass(frozen=True)
class TimelineCounts:
    """Claims counted per period of when they happened and by type (periods in order); those dated more coarsely
    than the interval (``imprecise``) and the undated are counted apart, never placed in a made-up period."""

    interval: str
    buckets: dict[str, dict[str, int]]
    imprecise: int = 0
    undated: int = 0


@dataclass(frozen=True)
class ClaimGroups:
    """One page of the relations the matching claims make (claims of one subject, type, object and incident, or
    dates when no incident): each group's claim ids in id order, groups in the order of their first claim id, and
    how many groups there are in all."""

    groups: list[list[str]]
    total: int


@dataclass(frozen=True)
class ClaimTypeCounts:
    """An entity's claims counted by type, as subject (``outgoing``) and as object (``incoming``), and how many
    distinct claims it has (a claim from the entity to itself counts once)."""

    outgoing: dict[str, int]
    incoming: dict[str, int]
    total: int


def check_interval(interval: str) -> int:
    """The width of the interval's periods, or ``InvalidParameter`` naming the intervals there are."""
    if interval not in INTERVAL_WIDTH:
        raise InvalidParameter("interval", interval, "unknown interval", list(INTERVAL_WIDTH))
    return INTERVAL_WIDTH[interval]


@dataclass(frozen=True)
class Coverage:
    """What the graph holds about one entity: how many claims have it at either end, how many reports they
    cite, the dates they cover (as the claims write them, ``None`` when none is dated) and the reports
    citing most of them (``(source id, claims)``, most first). An aggregate the store computes by id, so
    that an empty answer can say what bounds it without reading the claims."""

    entity: str
    claims: int = 0
    reports: int = 0
    first: str | None = None
    last: str | None = None
    top: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class BoundingBox:
    """A box of coordinates (WGS 84 degrees); ``west`` > ``east`` is a box across the antimeridian."""

    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text: str, parameter: str = "bbox") -> BoundingBox:
        """``west,south,east,north`` (GeoJSON's order), or ``InvalidParameter`` saying what is wrong."""
        parts = [p.strip() for p in str(text).split(",")]
        try:
            west, south, east, north = (float(p) for p in parts)
        except ValueError as error:
            raise InvalidParameter(parameter, text, "expected four numbers west,south,east,north "
                                   "(longitudes and latitudes in degrees)") from error
        for name, value, bound in (("west", west, 180), ("east", east, 180), ("south", south, 90),
                                   ("north", north, 90)):
            if not -bound <= value <= bound:  # also refuses NaN
                raise InvalidParameter(parameter, text, f"{name} {value} is outside -{bound}..{bound}")
        if south > north:
            raise InvalidParameter(parameter, text, f"south {south} is north of north {north}")
        return cls(west, south, east, north)

    def contains(self, lat: float, lon: float) -> bool:
        """Whether a point lies inside the box (edges included)."""
        if not self.south <= lat <= self.north:
            return False
        if self.west <= self.east:
            return self.west <= lon <= self.east
        return lon >= self.west or lon <= self.east


@dataclass(frozen=True)
class IncidentQuery:
    """Filters on incidents, and the page wanted; ``None`` means "any". Ids are already resolved.

    ``places`` matches an incident whose place entity, gazetteer entry or province code (``Incident.place_keys``)
    is one of them; ``perpetrator`` one that names the entity as perpetrator on any basis but a denial;
    ``types`` are incident type keys. Answers come newest first (by the first day the date may mean), undated
    last, ties by id.
    """

    places: tuple[str, ...] | None = None
    country: str | None = None
    bbox: BoundingBox | None = None
    window: DateWindow = field(default_factory=DateWindow)
    perpetrator: str | None = None
    types: tuple[str, ...] | None = None
    source: str | None = None
    limit: int = 50
    offset: int = 0


def incident_matches(incident: Incident, query: IncidentQuery) -> bool:
    """Whether an incident passes every filter of ``query`` (the rule both stores implement where their data is)."""
    location = incident.location
    return all((
        query.types is None or incident.type in query.types,
        query.country is None or incident.country == query.country,
        query.places is None or bool(incident.place_keys() & set(query.places)),
        query.perpetrator is None or query.perpetrator in incident.perpetrator_ids(),
        query.source is None or query.source in incident.sources,
        query.bbox is None or (location is not None and query.bbox.contains(location.lat, location.lon)),
        query.window.admits(incident.date, incident.end_date),
    ))


def newest_first(incident: Incident) -> tuple[bool, int, str]:
    """The order of ``IncidentQuery`` answers as a sort key: newest first (by the first day the date may mean),
    undated last, ties by id."""
    first = parse_optional(incident.date)
    return (first is None, -(first.start.toordinal() if first else 0), incident.id)


def check_incident_page(limit: int, offset: int) -> None:
    """Refuse a page outside 1..MAX_INCIDENT_PAGE incidents, or a negative offset."""
    if not 1 <= limit <= MAX_INCIDENT_PAGE:
        raise InvalidParameter("limit", limit, f"must be between 1 and {MAX_INCIDENT_PAGE}")
    if offset < 0:
        raise InvalidParameter("offset", offset, "must not be negative")


class GraphStore(Protocol):
    """What the interfaces may ask of a store."""

    # --- writes -------------------------------------------------------------------------

    def upsert(self, batch: Batch, *, remove_incidents: Iterable[str] = ()) -> UpsertResult:
        """Write a validated batch all-or-nothing, removing these incidents in the same write; writing the same batch
        twice changes nothing."""
        ...

    def revision(self) -> int:
        """A counter that grows with every write that changed something (caches and ETags key on it)."""
        ...

    # --- entities -----------------------------------------------------------------------

    def get_entity(self, entity_id: str) -> Entity:
        """The entity with this exact id, or ``EntityNotFound`` with suggestions."""
        ...

    def get_entities(self, ids: Iterable[str]) -> dict[str, Entity]:
        """The entities with these ids that exist, by id: one batched read."""
        ...

    def name_index(self) -> AliasIndex:
        """Every name and alias, built once per store and kept current as entities are written."""
        ...

    def known_names(self) -> AliasIndex | None:
        """The alias index as last read, unchecked against the store (``None`` before the first ``name_index``):
        only for an id that the caller's next query looks up again."""
        ...

    def resolve(self, name: str, at: str | None = None) -> Entity:
        """The entity a name or alias stands for (at a date, for aliases with windows)."""
        ...

    def find_entities(self, query: str, *, kind: str | None = None, limit: int = 10) -> list[EntityMatch]:
        """Entities ranked by how well their names match ``query``."""
        ...

    def list_entities(self, *, kind: str | None = None, limit: int = 50, offset: int = 0) -> list[Entity]:
        """One page of entities (of a kind), ordered by id."""
        ...

    def count_entities(self, kind: str | None = None) -> int:
        """How many entities (of a kind) the graph holds."""
        ...

    def entities(self) -> list[Entity]:
        """Every entity, ordered by id: for exports and whole-graph commands only."""
        ...

    # --- sources ------------------------------------------------------------------------

    def get_source(self, source_id: str) -> Source:
        """The source with this id, or ``SourceNotFound``."""
        ...

    def get_sources(self, ids: Iterable[str]) -> dict[str, Source]:
        """The sources with these ids that exist, with their text, by id."""
        ...

    def source_refs(self, ids: Iterable[str]) -> dict[str, SourceRef]:
        """Citations (no text) of the sources with these ids that exist, by id."""
        ...

    def list_sources(self, *, limit: int = 50, offset: int = 0) -> list[Source]:
        """One page of sources, ordered by id."""
        ...

    def count_sources(self) -> int:
        """How many sources the graph holds."""
        ...

    def claim_counts(self, source_ids: Iterable[str]) -> dict[str, int]:
        """How many claims cite each of these sources."""
        ...

    def set_reliability(self, source_id: str, grade: str | None) -> Source:
        """Grade a source's reliability (A reliable to F cannot be judged; ``None`` clears it) and return it as
        written; ``SourceNotFound`` for an unknown id, ``InvalidParameter`` for a grade outside A-F."""
        ...

    def corroboration(self, claim_ids: Iterable[str]) -> dict[str, int]:
        """For each of these claims (ids the store lacks are left out), how many other sources hold a claim of the
        same subject, type and object (either way round for a symmetric type): reports that say the same thing.
        A denial is a claim of the denial type, so denials corroborate denials. Counted in the store, read by the
        claims' relations in batches, never by listing the store."""
        ...

    def sources(self) -> list[Source]:
        """Every source, ordered by id: for exports and whole-graph commands only."""
        ...

    def coverage(self, entity_ids: Iterable[str], *, top: int = COVERAGE_TOP) -> dict[str, Coverage]:
        """For each entity, the claims with it at either end counted, their reports and dates (an aggregate by
        id; an entity with no claim, or none the graph has, counts zero)."""
        ...

    # --- claims -------------------------------------------------------------------------

    def get_claim(self, claim_id: str) -> ClaimView:
        """The claim with this id, or ``ClaimNotFound``."""
        ...

    def get_claims(self, ids: Iterable[str]) -> dict[str, ClaimView]:
        """The claims with these ids that exist, with ``disputed`` set, by id."""
        ...

    def existing_claims(self, ids: Iterable[str]) -> dict[str, Claim]:
        """The stored versions of the claims with these ids that exist, by id (no dispute marking)."""
        ...

    def denials_of(self, ids: Iterable[str]) -> dict[str, list[str]]:
        """For each of these claim ids that some denial disputes, the denials' ids in order."""
        ...

    def claims(self, query: ClaimQuery) -> list[ClaimView]:
        """Claims matching every filter, ordered by id, with ``disputed`` set."""
        ...

    def claim_page(self, query: ClaimQuery, *, limit: int, offset: int = 0) -> ClaimPage:
        """The ``limit`` claims matching every filter (``disputed`` too) from ``offset`` on, in id order, with
        ``disputed`` set, and how many match in all: the store pages, so a hub's 50,000 claims are counted
        where they are and only a page of them is read."""
        ...

    def count_claims(self) -> int:
        """How many claims the graph holds (from a count the store keeps, not by reading them)."""
        ...

    def claim_timeline(self, query: ClaimQuery, interval: str, *, actor: str | None = None) -> TimelineCounts:
        """The matching claims (with ``actor`` at either end, when given) counted per ``year``, ``month`` or
        ``day`` of their ``date`` and by type, counted where they are: no claim is sent."""
        ...

    def claim_groups(self, query: ClaimQuery, *, limit: int, offset: int = 0) -> ClaimGroups:
        """One page of the relations the matching claims make (see ``ClaimGroups``), grouped where the claims are:
        only the page's claim ids are sent."""
        ...

    def claim_type_counts(self, entity_id: str) -> ClaimTypeCounts:
        """An entity's claims counted by type and direction where they are (zeros for an unknown id)."""
        ...

    # --- incidents ----------------------------------------------------------------------

    def get_incident(self, incident_id: str) -> Incident:
        """The incident with this id, or ``IncidentNotFound``."""
        ...

    def get_incidents(self, ids: Iterable[str]) -> dict[str, Incident]:
        """The incidents with these ids that exist, by id: one batched read."""
        ...

    def incidents(self, query: IncidentQuery) -> list[Incident]:
        """One page of the incidents matching every filter, newest first (see ``IncidentQuery``)."""
        ...

    def count_incidents(self, query: IncidentQuery | None = None) -> int:
        """How many incidents match the filters (all pages), or how many the graph holds."""
        ...

    def incident_timeline(self, query: IncidentQuery, interval: str) -> TimelineCounts:
        """The incidents matching the filters of ``query`` (its page aside) counted per ``year``, ``month`` or
        ``day`` of their ``date`` and by incident type, counted where they are: no incident is sent."""
        ...

    def claim_pairs(self) -> list[tuple[str, str, int]]:
        """Each (subject, object) some claim joins, with how many claims join them: the graph's adjacency,
        for degrees and centrality (computed where the store keeps it; callers cache it by revision)."""
        ...

    # --- what ingest kept beside a report -------------------------------------------------

    def keep_candidates(self, kept: Mapping[str, list[dict[str, Any]]]) -> None:
        """Keep, for each of these report ids, the names the extractor could not place in it, as found when it
        was ingested (replacing what was kept for it before); one write for a batch of reports."""
        ...

    def candidates_of(self, source_id: str) -> list[dict[str, Any]] | None:
        """The names kept for a report when it was ingested; ``None`` when none were kept (a curated report,
        or one ingested before candidates were kept)."""
        ...

    # --- traversals ---------------------------------------------------------------------

    def neighbourhood(self, center: str, *, depth: int = 1, types: Iterable[str] | None = None,
                      direction: Direction = "both", window: DateWindow | None = None,
                      statuses: Iterable[str] | None = None, min_confidence: float = 0.0,
                      max_nodes: int = MAX_NODES) -> Subgraph:
        """Entities within ``depth`` hops of ``center`` over matching claims, and the claims among them."""
        ...

    def neighbourhood_json(self, center: str, *, depth: int = 1, types: Iterable[str] | None = None,
                           direction: Direction = "both", window: DateWindow | None = None,
                           statuses: Iterable[str] | None = None, min_confidence: float = 0.0,
                           max_nodes: int = MAX_NODES) -> bytes:
        """``neighbourhood``'s answer as the JSON of its ``Subgraph``, byte for byte, built without a model per
        claim (what the API sends)."""
        ...

    def paths(self, source: str, target: str, *, max_hops: int = 4, k: int = 1,
              types: Iterable[str] | None = None, directed: bool = False,
              statuses: Iterable[str] | None = None) -> list[list[Hop]]:
        """Up to ``k`` shortest simple paths of at most ``max_hops`` hops over claims of these types and statuses
        (``None``: any), each hop with its claims."""
        ...

    def stats(self) -> Stats:
        """Counts by kind, type and status."""
        ...

    def close(self) -> None:
        """Release connections; the store is not used afterwards."""
        ...


def check_depth(depth: int) -> int:
    """Refuse a depth outside 1..MAX_DEPTH before any work is done."""
    if not 1 <= depth <= MAX_DEPTH:
        raise InvalidParameter("depth", depth, f"must be between 1 and {MAX_DEPTH}")
    return depth


def check_path_options(max_hops: int, k: int) -> None:
    """Refuse path bounds outside what the stores promise to answer quickly."""
    if not 1 <= max_hops <= MAX_HOPS:
        raise InvalidParameter("max_hops", max_hops, f"must be between 1 and {MAX_HOPS}")
    if not 1 <= k <= MAX_K:
        raise InvalidParameter("k", k, f"must be between 1 and {MAX_K}")


def check_direction(direction: str) -> Direction:
    """Refuse a direction other than out, in or both."""
    if direction not in ("out", "in", "both"):
        raise InvalidParameter("direction", direction, "unknown direction", ["out", "in", "both"])
    return direction  # type: ignore[return-value]


def check_max_nodes(max_nodes: int) -> int:
    """Refuse a node cap below 1 or above MAX_NODES."""
    if not 1 <= max_nodes <= MAX_NODES:
        raise InvalidParameter("max_nodes", max_nodes, f"must be between 1 and {MAX_NODES}")
    return max_nodes
