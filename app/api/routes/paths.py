"""Paths: how two entities are connected, hop by hop, with the claims behind each hop."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app.api.dependencies import NAME_MAX, RequestNames, StatusQuery, Store, TypesQuery, Vocabulary, Whole
from app.api.errors import error_responses
from app.api.schemas import CytoscapeGraph, NodeLinkGraph, Page, PathOut
from app.usecases import reads
from graph.domain.ontology import ANY_TIE
from graph.services import export
from graph.stores.protocol import MAX_HOPS, MAX_K

router = APIRouter(prefix="/v1/paths", tags=["graph"])


@router.get("", response_model=Page[PathOut] | NodeLinkGraph | CytoscapeGraph,
            responses=error_responses(304, 404, 409, 422, 503))
def read_paths(
    store: Store, ontology: Vocabulary, names: RequestNames,
    source: Annotated[str, Query(max_length=NAME_MAX, description="Where paths start: id, name or alias.")],
    target: Annotated[str, Query(max_length=NAME_MAX, description="Where paths end: id, name or alias.")],
    max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS, description="Longest path, in hops."), Whole] = 4,
    k: Annotated[int, Query(ge=1, le=MAX_K, description="How many shortest paths."), Whole] = 1,
    types: TypesQuery = None,
    directed: Annotated[bool, Query(description="Follow claims only from subject to object.")] = False,
    status: StatusQuery = None,
    ties: Annotated[str, Query(max_length=40, description=(
        "Which ties to follow: hostile or friendly (the relation types of the categories the ontology's `ties` "
        "names; see /v1/schema), or any. With `types`, the types asked for within the tie."))] = ANY_TIE,
    format: Annotated[Literal["paths", "node-link", "cytoscape"], Query(
        description="paths (each hop with its claims), or their union as node-link or cytoscape.")] = "paths",
) -> Page[PathOut] | NodeLinkGraph | CytoscapeGraph:
    """The k shortest simple paths between two entities, each hop with the claims that make it, over the claims of
    the types, statuses and ties chosen."""
    found = reads.paths(store, ontology, names, source, target, max_hops=max_hops, k=k, types=types, directed=directed,
                        status=status, ties=ties)
    paths = [PathOut(length=len(hops), nodes=[hops[0].from_, *(h.to for h in hops)], hops=hops) for hops in found.paths]
    if format == "paths":
        return Page[PathOut](data=paths, count=len(paths), limit=k, offset=0)
    # The drawing formats show entities' names and kinds and the claims, never a report: none is read.
    part = reads.drawing(names, found.nodes(), found.claims())
    if format == "node-link":
        return NodeLinkGraph(**export.node_link(part))
    return CytoscapeGraph(**export.cytoscape(part))
