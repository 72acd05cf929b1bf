"""The ontology, counts and centrality, timelines, and the liveness and readiness probes."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app.api.dependencies import (
    NAME_MAX,
    Figures,
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
from app.api.schemas import Health, Ready, StatsOut
from app.usecases import reads
from app.usecases.stats import graph_stats
from graph.domain.ontology import Ontology
from graph.services.analysis import Timeline

router = APIRouter(tags=["graph"])
probes = APIRouter(tags=["probes"])


@router.get("/v1/schema", response_model=Ontology, responses=error_responses(304))
def read_schema(ontology: Vocabulary) -> Ontology:
    """The ontology: entity kinds, claim statuses and relation types with their definitions."""
    return ontology


@router.get("/v1/stats", response_model=StatsOut, responses=error_responses(304, 422, 503))
def read_stats(store: Store, ontology: Vocabulary, cache: Figures,
               top: Annotated[int, Query(ge=1, le=100, description="How many most-connected entities."), Whole] = 10,
               kind: Annotated[list[str] | None, Query(
                   description="Rank only entities of these kinds (e.g. armed_group,state); all by default.")] = None,
               ) -> StatsOut:
    """Counts by kind, type and status, and the most connected entities by degree and betweenness (computed once
    per revision of the graph, then kept)."""
    found = graph_stats(store, ontology, cache, top=top, kinds=kind)
    return StatsOut(**found.stats.model_dump(), most_connected=found.most_connected)


@router.get("/v1/timeline", response_model=Timeline, responses=error_responses(304, 404, 409, 422, 503))
def read_timeline(
    store: Store, ontology: Vocabulary, names: RequestNames, types: TypesQuery = None,
    actor: Annotated[str | None, Query(
        max_length=NAME_MAX, description="Only claims with this entity at either end.")] = None,
    interval: Annotated[Literal["year", "month", "day"], Query(description="Size of each period.")] = "month",
    since: SinceQuery = None, until: UntilQuery = None, status: StatusQuery = None,
) -> Timeline:
    """Claims counted per year, month or day of when they happened, for charts."""
    return reads.timeline(store, ontology, names, types=types, actor=actor, interval=interval, since=since,
                          until=until, status=status)


@probes.get("/health", response_model=Health)
def read_health() -> Health:
    """The process is up (it does not touch the store)."""
    return Health(status="ok")


@probes.get("/ready", response_model=Ready, responses=error_responses(503))
def read_ready(store: Store) -> Ready:
    """The store answers; 503 with the reason when it does not."""
    return Ready(status="ready", store=type(store).__name__, entities=store.count_entities(),
                 claims=store.count_claims())
