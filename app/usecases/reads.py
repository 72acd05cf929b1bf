"""The graph's read use cases, shared by ``kg`` and ``/v1``: each resolves its names once (``Names``), parses its
filters once (``app.usecases.filters``), then asks the store, and returns domain values the interface renders.

The order in which a request's parts are checked is the order its errors are reported in: a report id
first, then the names (subject, object), then the filters, then the other names (location, asserter).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from app.usecases.filters import Blank, claim_filters, entity_kind, relation_types, statuses
from app.usecases.names import Names
from graph.domain.dates import window
from graph.domain.errors import EntityNotFound, InvalidParameter
from graph.domain.model import ClaimView, Entity, EntityMatch, Hop, Subgraph, SubgraphNode
from graph.domain.ontology import ANY_TIE, Direction, Ontology
from graph.services.analysis import GroupedRelation, Timeline, group_claims, timeline_from
from graph.services.export import GraphPart
from graph.stores.protocol import ClaimPage, ClaimQuery, GraphStore

_R = TypeVar("_R")

# Claims a CLI listing reads per page: the store is asked a page at a time, never for every match at once,
# and a page is printed before the next is read.
LISTING_PAGE = 500


@dataclass(frozen=True)
class ClaimsAsked:
    """A claim listing as an interface received it: names, not ids; filters as text."""

    subject: str | None = None
    object: str | None = None
    types: Sequence[str] | None = None
    statuses: Sequence[str] | None = None
    since: str | None = None
    until: str | None = None
    min_confidence: float = 0.0
    disputed: bool | None = None
    source: str | None = None
    location: str | None = None
    asserted_by: str | None = None
    incident: str | None = None
    types_parameter: str = "types"
    blank: Blank = "refuse"


def claim_query(store: GraphStore, ontology: Ontology, names: Names, asked: ClaimsAsked) -> ClaimQuery:
    """The store query a listing stands for: its report and incident checked (an unknown id is an error, not an
    empty list),
    its names resolved once each and its filters parsed once."""
    if asked.source is not None and not store.source_refs([asked.source]):
        store.get_source(asked.source)  # raises SourceNotFound, named as every interface names it
    if asked.incident is not None:
        store.get_incident(asked.incident)  # an unknown incident is IncidentNotFound, not an empty list
    subject, obj = names.id_of(asked.subject), names.id_of(asked.object)
    filters = claim_filters(ontology, asked.types, asked.statuses, asked.since, asked.until, asked.min_confidence,
                            types_parameter=asked.types_parameter, blank=asked.blank)
    return ClaimQuery(subject=subject, object=obj, types=filters.types, statuses=filters.statuses,
                      window=filters.window, min_confidence=filters.min_confidence, disputed=asked.disputed,
                      source=asked.source, location=names.id_of(asked.location),
                      asserted_by=names.id_of(asked.asserted_by), incident=asked.incident)


def claims_page(store: GraphStore, query: ClaimQuery, *, limit: int, offset: int) -> ClaimPage:
    """One page of the matching claims and how many match: the store pages, nothing else is read."""
    return store.claim_page(query, limit=limit, offset=offset)


@dataclass(frozen=True)
class EntityDetail:
    """One entity and its claims counted by type, as subject (out) and as object (in)."""

    entity: Entity
    claims_out: dict[str, int]
    claims_in: dict[str, int]
    claims_total: int


def entity_detail(store: GraphStore, names: Names, name: str) -> EntityDetail:
    """An entity by id or any alias, with its claims counted by type and direction: the store counts them where
    they are (a hub's 50,000 claims are not read to be counted)."""
    entity = names.entity(name)
    counts = store.claim_type_counts(entity.id)
    return EntityDetail(entity, counts.outgoing, counts.incoming, counts.total)


def claim_pages(store: GraphStore, query: ClaimQuery, page_size: int | None = None) -> Iterator[list[ClaimView]]:
    """The matching claims a page at a time, in id order (the CLI prints them as they come): at most one page is
    held (``LISTING_PAGE`` claims unless ``page_size`` says). Stops at an empty page (the graph shrank while it
    was read)."""
    page_size = page_size or LISTING_PAGE
    offset = 0
    while True:
        page = store.claim_page(query, limit=page_size, offset=offset)
        if not page.claims:
            return
        yield page.claims
        offset += len(page.claims)
        if offset >= page.total:
            return


@dataclass(frozen=True)
class Relations:
    """One page of the relations matching claims make (``GroupedRelation``), and how many relations in all."""

    relations: list[GroupedRelation]
    total: int


def relations_page(store: GraphStore, query: ClaimQuery, *, limit: int, offset: int) -> Relations:
    """One page of relations: the store groups the matching claims and sends the page's claim ids; those claims
    and their reports' citations are then read by id."""
    found = store.claim_groups(query, limit=limit, offset=offset)
    claims = store.get_claims(i for ids in found.groups for i in ids)
    page = [claims[i] for ids in found.groups for i in ids if i in claims]
    return Relations(group_claims(page, store.source_refs({c.source for c in page})), found.total)


def timeline(store: GraphStore, ontology: Ontology, names: Names, *, types: Iterable[str] | None = None,
             actor: str | None = None, interval: str = "month", since: str | None = None, until: str | None = None,
             status: Iterable[str] | None = None) -> Timeline:
    """Matching claims (with ``actor`` at either end) counted per period and type by the store."""
    filters = claim_filters(ontology, types, status, since, until)
    query = ClaimQuery(types=filters.types, statuses=filters.statuses, window=filters.window)
    entity_id = names.entity(actor).id if actor is not None else None
    return timeline_from(store.claim_timeline(query, interval, actor=entity_id))


def search(store: GraphStore, ontology: Ontology, query: str, *, kind: str | None = None,
           limit: int | None = 10) -> list[EntityMatch]:
    """Entities whose names resemble ``query``, best first; ``limit=None`` for every match."""
    entity_kind(ontology, kind)
    index = store.name_index()
    return index.search(query, kind=kind, limit=limit if limit is not None else max(len(index), 1))


@dataclass(frozen=True)
class Neighbourhood:
    """An entity's neighbourhood, with the entity it was asked about (as the walk found it: the depth-0 node)."""

    center: SubgraphNode
    subgraph: Subgraph


def neighbourhood(store: GraphStore, ontology: Ontology, names: Names, name: str, *, depth: int = 1,
                  types: Iterable[str] | None = None, direction: Direction = "both", since: str | None = None,
                  until: str | None = None, status: Iterable[str] | None = None, min_confidence: float = 0.0,
                  blank: Blank = "refuse") -> Neighbourhood:
    """The entities within ``depth`` hops of one entity over matching claims, and the claims among them.

    An entity's id that the alias index already holds is walked from without a revision round trip
    (``Names.known_id``): the walk reads the store as it is now and finds that entity or none; only then, or for
    any other name, is the name resolved against a current reading of the index.
    """
    subgraph = _around(ontology, names, name, store.neighbourhood, depth=depth, types=types, direction=direction,
                       since=since, until=until, status=status, min_confidence=min_confidence, blank=blank)
    return Neighbourhood(subgraph.nodes[0], subgraph)


def neighbourhood_json(store: GraphStore, ontology: Ontology, names: Names, name: str, *, depth: int = 1,
                       types: Iterable[str] | None = None, direction: Direction = "both", since: str | None = None,
                       until: str | None = None, status: Iterable[str] | None = None,
                       min_confidence: float = 0.0) -> bytes:
    """``neighbourhood``'s subgraph as JSON bytes, read and resolved the same way, serialised without a model per
    claim (``GraphStore.neighbourhood_json``): the API's answer."""
    return _around(ontology, names, name, store.neighbourhood_json, depth=depth, types=types, direction=direction,
                   since=since, until=until, status=status, min_confidence=min_confidence, blank="refuse")


def _around(ontology: Ontology, names: Names, name: str, read: Callable[..., _R], *, depth: int,
            types: Iterable[str] | None, direction: Direction, since: str | None, until: str | None,
            status: Iterable[str] | None, min_confidence: float, blank: Blank) -> _R:
    """A neighbourhood read (``read``: the store's, as models or as JSON) from the entity ``name`` names."""
    known = names.known_id(name)
    center = known if known is not None else names.entity(name).id
    types_ = relation_types(ontology, types, blank=blank)
    scope = window(since, until)
    found = statuses(ontology, status, blank)

    def walk(center: str) -> _R:
        return read(center, depth=depth, types=types_, direction=direction, window=scope, statuses=found,
                    min_confidence=min_confidence)

    try:
        return walk(center)
    except EntityNotFound:
        if known is None:
            raise
        return walk(names.entity(name).id)  # gone since the index was read: the name resolved afresh


@dataclass(frozen=True)
class Paths:
    """The paths found between two entities, with the entities they were asked between."""

    start: Entity
    end: Entity
    paths: list[list[Hop]] = field(default_factory=list)

    def nodes(self) -> list[str]:
        """Every entity on some path, in the order first met."""
        return list(dict.fromkeys(n for hops in self.paths for n in [hops[0].from_, *(h.to for h in hops)]))

    def claims(self) -> list[ClaimView]:
        """Every claim behind some hop, once each, by id."""
        return sorted({c.id: c for hops in self.paths for h in hops for c in h.claims}.values(), key=lambda c: c.id)


def paths(store: GraphStore, ontology: Ontology, names: Names, source: str, target: str, *, max_hops: int = 4,
          k: int = 1, types: Iterable[str] | None = None, directed: bool = False, blank: Blank = "refuse",
          status: Iterable[str] | None = None, ties: str = ANY_TIE) -> Paths:
    """The ``k`` shortest simple paths between two entities, each hop with the claims that make it: over claims of
    these types and statuses, and of the tie chosen (hostile or friendly types, as the ontology's ``ties`` say)."""
    start, end = names.entity(source), names.entity(target)
    chosen = tie_filter(ontology, relation_types(ontology, types, blank=blank), ties)
    found = store.paths(start.id, end.id, max_hops=max_hops, k=k, types=chosen, directed=directed,
                        statuses=statuses(ontology, status, blank=blank))
    return Paths(start, end, found)


def tie_filter(ontology: Ontology, types: tuple[str, ...] | None, tie: str) -> tuple[str, ...] | None:
    """The types a path may follow: those asked for within the tie's (all of the tie's when none are asked for).
    Types outside the tie would give no path at all, so asking for them is an error that says which tie refused."""
    of_tie = ontology.tie_types(tie)
    if of_tie is None:
        return types
    if types is None:
        return tuple(of_tie)
    kept = tuple(t for t in types if t in of_tie)
    if not kept:
        raise InvalidParameter("types", ",".join(types), f"none of these is a {tie.strip().lower()} tie", of_tie)
    return kept


def drawing(names: Names, entity_ids: Sequence[str], claims: Sequence[ClaimView]) -> GraphPart:
    """Entities and claims for the formats that draw them (node-link, Cytoscape): those show each entity's id,
    name and kind and each claim, never a report, so the entities come from the request's alias index and no
    report is read."""
    return GraphPart(entities=names.entities(entity_ids), claims=list(claims), sources={})


def part_with_sources(store: GraphStore, names: Names, entity_ids: Sequence[str],
                      claims: Sequence[ClaimView]) -> GraphPart:
    """Entities and claims with the reports they cite, read by id: for the formats that carry reports."""
    return GraphPart(entities=names.entities(entity_ids), claims=list(claims),
                     sources=store.get_sources({c.source for c in claims}))

