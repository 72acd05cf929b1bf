"""Entities: fuzzy search, one entity by id or any alias, and its neighbourhood."""

from __future__ import annotations

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
    RequestNames,
    SinceQuery,
    StatusQuery,
    Store,
    TypesQuery,
    UntilQuery,
    Vocabulary,
    Whole,
    check_page,
)
from app.api.errors import error_responses
from app.api.schemas import CytoscapeGraph, EntityDetail, EntityHit, NodeLinkGraph, Page
from app.usecases import reads
from app.usecases.filters import entity_kind
from graph.domain.model import Subgraph
from graph.services import export
from graph.stores.protocol import MAX_DEPTH

router = APIRouter(prefix="/v1/entities", tags=["entities"])


@router.get("", response_model=Page[EntityHit], responses=error_responses(304, 422, 503))
def read_entities(store: Store, settings: Config, ontology: Vocabulary,
                  q: Annotated[str | None, Query(max_length=NAME_MAX,
                                                 description="Name or alias to search for, fuzzily.")] = None,
                  kind: Annotated[str | None, Query(description="Only entities of this kind.")] = None,
                  limit: LimitQuery = 50, offset: OffsetQuery = 0) -> Page[EntityHit]:
    """Entities by name and alias, best match first; without ``q``, every entity by id."""
    check_page(settings, limit)
    entity_kind(ontology, kind)
    if q is not None and q.strip():
        matches = reads.search(store, ontology, q, kind=kind, limit=None)
        hits = [EntityHit(**m.entity.model_dump(), matched=m.matched, score=m.score) for m in matches]
        return present.page(hits, limit, offset)
    page = [EntityHit(**e.model_dump()) for e in store.list_entities(kind=kind, limit=limit, offset=offset)]
    return Page[EntityHit](data=page, count=store.count_entities(kind), limit=limit, offset=offset)


# ``{id:path}``: aliases may hold a slash ("RFE/RL", sent as RFE%2FRL); the neighbourhood
# route is declared first so ``…/isk/neighbourhood`` is not read as an entity named so.
@router.get("/{id:path}/neighbourhood", response_model=Subgraph | NodeLinkGraph | CytoscapeGraph,
            responses=error_responses(304, 404, 409, 422, 503))
def read_neighbourhood(
    id: EntityPath, store: Store, ontology: Vocabulary, names: RequestNames,
    depth: Annotated[int, Query(ge=1, le=MAX_DEPTH, description="Hops out from the entity."), Whole] = 1,
    types: TypesQuery = None,
    direction: Annotated[Literal["out", "in", "both"], Query(
        description="Follow claims from the entity, to it, or both.")] = "both",
    since: SinceQuery = None, until: UntilQuery = None, status: StatusQuery = None,
    min_confidence: ConfidenceQuery = 0.0,
    format: Annotated[Literal["subgraph", "node-link", "cytoscape"], Query(
        description="subgraph (nodes with their depth, links with claims), node-link or cytoscape.")] = "subgraph",
) -> Subgraph | NodeLinkGraph | CytoscapeGraph:
    """The entities within ``depth`` hops of one entity over matching claims, and the claims among them."""
    if format == "subgraph":
        # Serialised by the store from its rows: building and validating a ClaimView per claim cost as much as
        # the query itself, and the JSON is the same byte for byte (tests/api/test_neighbourhood_json.py).
        body = reads.neighbourhood_json(store, ontology, names, id, depth=depth, types=types, direction=direction,
                                        since=since, until=until, status=status, min_confidence=min_confidence)
        return Response(body, media_type="application/json")  # type: ignore[return-value]
    found = reads.neighbourhood(store, ontology, names, id, depth=depth, types=types, direction=direction,
                                since=since, until=until, status=status, min_confidence=min_confidence)
    subgraph = found.subgraph
    part = reads.drawing(names, [n.id for n in subgraph.nodes], [link.claim for link in subgraph.links])
    drawn = NodeLinkGraph(**export.node_link(part)) if format == "node-link" else \
        CytoscapeGraph(**export.cytoscape(part))
    return present.once(drawn)  # type: ignore[return-value]


@router.get("/{id:path}", response_model=EntityDetail, responses=error_responses(304, 404, 409, 422, 503))
def read_entity(id: EntityPath, names: RequestNames, store: Store) -> EntityDetail:
    """One entity by id or any alias, with its claims counted by type and direction."""
    detail = reads.entity_detail(store, names, id)
    return EntityDetail(**detail.entity.model_dump(), claims_out=detail.claims_out, claims_in=detail.claims_in,
                        claims_total=detail.claims_total)
