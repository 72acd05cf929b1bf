"""Entities: fuzzy search, one entity by id or any alias, and its neighbourhood."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from app.api import present
from app.api.dependencies import (
    NAME_MAX,
    ConfidenceQuery,
    Config,
    EntityPath,
    LimitQuery,
    OffsetQuery,
    SinceQuery,
    StatusQuery,
    Store,
    TypesQuery,
    UntilQuery,
    Vocabulary,
    check_page,
    date_window,
    parse_kind,
    parse_statuses,
    parse_types,
    resolve_entity,
)
from app.api.errors import error_responses
from app.api.schemas import CytoscapeGraph, EntityDetail, EntityHit, NodeLinkGraph, Page
from graph.domain.model import Subgraph
from graph.services import export
from graph.stores.protocol import MAX_DEPTH, ClaimQuery

router = APIRouter(prefix="/v1/entities", tags=["entities"])


@router.get("", response_model=Page[EntityHit], responses=error_responses(304, 422, 503))
def read_entities(store: Store, settings: Config, ontology: Vocabulary,
                  q: Annotated[str | None, Query(max_length=NAME_MAX,
                                                 description="Name or alias to search for, fuzzily.")] = None,
                  kind: Annotated[str | None, Query(description="Only entities of this kind.")] = None,
                  limit: LimitQuery = 50, offset: OffsetQuery = 0) -> Page[EntityHit]:
    """Entities by name and alias, best match first; without ``q``, every entity by id."""
    check_page(settings, limit)
    parse_kind(ontology, kind)
    if q is not None and q.strip():
        matches = store.find_entities(q, kind=kind, limit=max(store.count_entities(kind), 1))
        hits = [EntityHit(**m.entity.model_dump(), matched=m.matched, score=m.score) for m in matches]
        return present.page(hits, limit, offset)
    page = [EntityHit(**e.model_dump()) for e in store.list_entities(kind=kind, limit=limit, offset=offset)]
    return Page[EntityHit](data=page, count=store.count_entities(kind), limit=limit, offset=offset)


# ``{id:path}``: aliases may hold a slash ("RFE/RL", sent as RFE%2FRL); the neighbourhood
# route is declared first so ``…/isk/neighbourhood`` is not read as an entity named so.
@router.get("/{id:path}/neighbourhood", response_model=Subgraph | NodeLinkGraph | CytoscapeGraph,
            responses=error_responses(304, 404, 409, 422, 503))
def read_neighbourhood(
    id: EntityPath, store: Store, ontology: Vocabulary,
    depth: Annotated[int, Query(ge=1, le=MAX_DEPTH, description="Hops out from the entity.")] = 1,
    types: TypesQuery = None,
    direction: Annotated[Literal["out", "in", "both"], Query(
        description="Follow claims from the entity, to it, or both.")] = "both",
    since: SinceQuery = None, until: UntilQuery = None, status: StatusQuery = None,
    min_confidence: ConfidenceQuery = 0.0,
    format: Annotated[Literal["subgraph", "node-link", "cytoscape"], Query(
        description="subgraph (nodes with their depth, links with claims), node-link or cytoscape.")] = "subgraph",
) -> Subgraph | NodeLinkGraph | CytoscapeGraph:
    """The entities within ``depth`` hops of one entity over matching claims, and the claims among them."""
    center = resolve_entity(store, id)
    subgraph = store.neighbourhood(
        center.id, depth=depth, types=parse_types(ontology, types), direction=direction,
        window=date_window(since, until), statuses=parse_statuses(ontology, status), min_confidence=min_confidence)
    if format == "node-link":
        return NodeLinkGraph(**export.node_link(present.subgraph_part(store, subgraph)))
    if format == "cytoscape":
        return CytoscapeGraph(**export.cytoscape(present.subgraph_part(store, subgraph)))
    # Serialised once here: the store built a valid Subgraph, and validating its claims again
    # against the response model's union costs as much as the query itself.
    return Response(subgraph.model_dump_json(by_alias=True), media_type="application/json")  # type: ignore[return-value]


@router.get("/{id:path}", response_model=EntityDetail, responses=error_responses(304, 404, 409, 422, 503))
def read_entity(id: EntityPath, store: Store) -> EntityDetail:
    """One entity by id or any alias, with its claims counted by type and direction."""
    entity = resolve_entity(store, id)
    as_subject = [c for c in store.claims(ClaimQuery(subject=entity.id)) if c.subject == entity.id]
    as_object = [c for c in store.claims(ClaimQuery(object=entity.id)) if c.object == entity.id]
    return EntityDetail(**entity.model_dump(),
                        claims_out=dict(sorted(Counter(c.type for c in as_subject).items())),
                        claims_in=dict(sorted(Counter(c.type for c in as_object).items())),
                        claims_total=len({c.id for c in as_subject + as_object}))
