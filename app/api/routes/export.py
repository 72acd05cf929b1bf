"""Exports: the whole graph, or one neighbourhood, in the formats other tools read."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from app.api import present
from app.api.dependencies import (
    NAME_MAX,
    RequestNames,
    SinceQuery,
    StatusQuery,
    Store,
    TypesQuery,
    UntilQuery,
    Vocabulary,
    Whole,
)
from app.api.errors import error_responses
from app.usecases import reads
from app.usecases.filters import claim_filters
from graph.domain.ontology import Ontology
from graph.services import export
from graph.stores.protocol import MAX_DEPTH, ClaimQuery

router = APIRouter(prefix="/v1/export", tags=["export"])

Format = Literal["node-link", "cytoscape", "graphml", "csv-nodes", "csv-edges", "stix"]

MEDIA = {
    "node-link": "application/json",
    "cytoscape": "application/json",
    "stix": "application/stix+json;version=2.1",
    "graphml": "application/graphml+xml",
    "csv-nodes": "text/csv; charset=utf-8",
    "csv-edges": "text/csv; charset=utf-8",
}
FILENAMES = {"node-link": "kg.json", "cytoscape": "kg.cyjs.json", "stix": "kg.stix.json", "graphml": "kg.graphml",
             "csv-nodes": "nodes.csv", "csv-edges": "relationships.csv"}

_DOCUMENTED: dict[int | str, dict[str, Any]] = {
    200: {"description": "The export, in the media type of its format.",
          "content": {"application/json": {"schema": {"type": "object"}},
                      "application/stix+json;version=2.1": {"schema": {"type": "object"}},
                      "application/graphml+xml": {"schema": {"type": "string"}},
                      "text/csv": {"schema": {"type": "string"}}}},
    **error_responses(304, 404, 409, 422, 503),
}


@router.get("", response_class=Response, responses=_DOCUMENTED)
def read_export(
    store: Store, ontology: Vocabulary, names: RequestNames,
    format: Annotated[Format, Query(description=(
        "node-link (networkx JSON), cytoscape (Cytoscape.js elements), graphml (Gephi), csv-nodes and "
        "csv-edges (neo4j-admin database import), stix (STIX 2.1 bundle)."))] = "node-link",
    center: Annotated[str | None, Query(
        max_length=NAME_MAX, description="Export only this entity's neighbourhood (id or alias).")] = None,
    depth: Annotated[int, Query(ge=1, le=MAX_DEPTH, description="Hops out from center."), Whole] = 1,
    types: TypesQuery = None, since: SinceQuery = None, until: UntilQuery = None, status: StatusQuery = None,
) -> Response:
    """The whole graph, or the neighbourhood of ``center``, filtered, as a file for another tool."""
    filters = claim_filters(ontology, types, status, since, until)
    types_, statuses, window = filters.types, filters.statuses, filters.window
    if center is not None:
        entity = names.entity(center)
        subgraph = store.neighbourhood(entity.id, depth=depth, types=types_, window=window, statuses=statuses)
        part = reads.part_with_sources(store, names, [n.id for n in subgraph.nodes],
                                       [link.claim for link in subgraph.links])
    else:
        claims = store.claims(ClaimQuery(types=types_, statuses=statuses, window=window))
        filtered = types_ is not None or statuses is not None or not window.is_open
        touched = {end for c in claims for end in (c.subject, c.object)}
        # Filtered, the part is the claims kept and their ends; unfiltered, every entity, linked or not.
        part = present.part_of(store, [e.id for e in store.entities() if not filtered or e.id in touched], claims)
    body = _render(format, part, ontology)
    return Response(body, media_type=MEDIA[format],
                    headers={"Content-Disposition": f'inline; filename="{FILENAMES[format]}"'})


def _render(format: str, part: export.GraphPart, ontology: Ontology) -> str:
    if format == "graphml":
        return export.graphml(part)
    if format == "csv-nodes":
        return export.csv_nodes(part, ontology)
    if format == "csv-edges":
        return export.csv_edges(part)
    if format == "stix":
        return json.dumps(export.stix_bundle(part, ontology), ensure_ascii=False, indent=2)
    document = {"node-link": export.node_link, "cytoscape": export.cytoscape}[format](part)
    return json.dumps(document, ensure_ascii=False, indent=2)
