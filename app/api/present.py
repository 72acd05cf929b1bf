"""Turning store records into response shapes: names for ids, citations for source ids, pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from fastapi import Response
from pydantic import BaseModel

from app.api.schemas import ClaimOut, Page, SourceRef
from app.usecases.names import Names
from graph.domain.model import ClaimView, Entity, Source
from graph.services.export import GraphPart
from graph.stores import cite
from graph.stores.protocol import GraphStore

T = TypeVar("T")


def once(answer: BaseModel) -> Response:
    """An answer built (so validated) once, serialised once: a route returning the model itself would have FastAPI
    validate it against the route's ``response_model`` a second time and encode it again. The OpenAPI schema still
    comes from ``response_model``."""
    return Response(answer.model_dump_json(by_alias=True), media_type="application/json")


def page(items: Sequence[T], limit: int, offset: int) -> Page[T]:
    """One page of a list, with the total count of what matched."""
    return Page[T](data=list(items[offset:offset + limit]), count=len(items), limit=limit, offset=offset)


def source_ref(source: Source) -> SourceRef:
    """A report's citation, without its text."""
    return cite.source_ref(source)


def claims_out(store: GraphStore, claims: Sequence[ClaimView], names: Names | None = None) -> list[ClaimOut]:
    """Claims with display names and citations, looked up once per request, not per claim (the names from the
    request's alias index when it has one)."""
    if names is None:
        return cite.cite(store, claims)
    ends = names.entities({end for c in claims for end in (c.subject, c.object)})
    return cite.cite(store, claims, {e.id: e.name for e in ends})


def part_of(store: GraphStore, entity_ids: Sequence[str], claims: Sequence[ClaimView]) -> GraphPart:
    """The given entities (in the given order) and claims as an exportable part, with the reports they cite."""
    entities: dict[str, Entity] = store.get_entities(entity_ids)
    return GraphPart(entities=[entities[i] for i in entity_ids if i in entities], claims=list(claims),
                     sources=store.get_sources({c.source for c in claims}))
