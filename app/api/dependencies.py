"""What route handlers receive: the one store, the settings, the ontology, the request's names, and the shapes of
the query parameters.

The store is opened once by ``create_app`` and kept on the application; handlers get it
through ``get_store`` and never open anything themselves. Names and filters are resolved and
parsed by the use cases (``app.usecases``) the CLI calls too.

Every dependency here is ``async def``, though none awaits: FastAPI runs a plain ``def`` dependency in its thread
pool, a hand-off to a worker thread and back for each one of them on every request (``solve_dependencies`` was a
tenth of a neighbourhood request's samples, measured); these only read what the application holds, so they
run on the event loop at once. Route handlers stay plain ``def``: they wait on the store.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from app.components import ExtractorHolder
from app.settings import Settings
from app.usecases.names import Names
from app.usecases.stats import StatsCache
from graph.domain.errors import InvalidParameter
from graph.domain.inputs import check_parameter
from graph.domain.ontology import Ontology
from graph.services.feedstate import FeedState
from graph.stores.protocol import GraphStore


async def get_store(request: Request) -> GraphStore:
    """The store the application was created with."""
    store: GraphStore = request.app.state.store
    return store


async def get_settings(request: Request) -> Settings:
    """The settings the application was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_ontology(request: Request) -> Ontology:
    """The ontology the application validates parameters against."""
    ontology: Ontology = request.app.state.ontology
    return ontology


async def get_extractor(request: Request) -> ExtractorHolder:
    """The application's one extractor (built on first use)."""
    holder: ExtractorHolder = request.app.state.extractor
    return holder


async def get_names(request: Request) -> Names:
    """This request's names, resolved against one reading of the store's alias index (one per request)."""
    return Names(request.app.state.store)


async def get_stats_cache(request: Request) -> StatsCache:
    """The application's counts and centrality, kept per store revision."""
    cache: StatsCache = request.app.state.stats
    return cache


async def plain_parameters(request: Request) -> None:
    """Every query and path parameter is one line of text without angle brackets: names, types, dates and
    questions alike (``graph.domain.inputs.PARAMETER_PATTERN``, which the OpenAPI schema states too).

    Applied to every route by ``create_app``, so a parameter added later is checked too.
    Quotes and Cypher fragments pass (they reach Cypher only as parameters, and match nothing);
    control characters and markup do not.
    """
    for name, value in [*request.query_params.multi_items(), *request.path_params.items()]:
        check_parameter(name, str(value))


Store = Annotated[GraphStore, Depends(get_store)]
Extractors = Annotated[ExtractorHolder, Depends(get_extractor)]
Config = Annotated[Settings, Depends(get_settings)]
Vocabulary = Annotated[Ontology, Depends(get_ontology)]
RequestNames = Annotated[Names, Depends(get_names)]
Figures = Annotated[StatsCache, Depends(get_stats_cache)]


def check_page(settings: Settings, limit: int) -> None:
    """Refuse a page larger than the configured maximum."""
    if limit > settings.max_page_size:
        raise InvalidParameter("limit", limit, f"must be at most {settings.max_page_size} (KG_MAX_PAGE_SIZE)")


# Names are short; a cap keeps fuzzy matching (quadratic in the name's length) cheap.
NAME_MAX = 200
EntityPath = Annotated[str, Path(max_length=NAME_MAX, description="An entity id, name or alias.")]

TypesQuery = Annotated[list[str] | None, Query(
    description="Relation types or categories (hostile, cooperative, …), repeated or comma-separated.")]
StatusQuery = Annotated[list[str] | None, Query(description="Claim statuses, repeated or comma-separated.")]
SinceQuery = Annotated[str | None, Query(description="Happened on or after (YYYY, YYYY-MM or YYYY-MM-DD).")]
UntilQuery = Annotated[str | None, Query(description="Happened on or before (YYYY, YYYY-MM or YYYY-MM-DD).")]
_WHOLE = re.compile(r"[+-]?[0-9]+")


def _whole_number(value: object) -> object:
    """A count, page or hop number written as a whole number: pydantic alone reads ``+0.0`` or ``5.0`` as an
    integer, which a client sending a fraction should hear about rather than have rounded for it."""
    if isinstance(value, str) and not _WHOLE.fullmatch(value):
        # an int_ error type, as pydantic's own, so the error names "an integer" as what is accepted
        raise PydanticCustomError("int_parsing", "Input should be a whole number such as 10, got '{given}'",
                                  {"given": value})
    return value


Whole = BeforeValidator(_whole_number)  # on every integer parameter: Annotated[int, Query(...), Whole]
LimitQuery = Annotated[int, Query(ge=1, description="Page size; at most KG_MAX_PAGE_SIZE (default 500)."), Whole]
# The largest 32-bit integer: past it, a page is empty in any graph, and JavaScript clients still read it exactly.
MAX_OFFSET = 2_147_483_647
OffsetQuery = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="How many matching items to skip."), Whole]
ConfidenceQuery = Annotated[float, Query(ge=0, le=1, description="Lowest confidence to include.")]


async def get_feeds(request: Request) -> FeedState:
    """The feed state file the application was created with (feeds, arrivals, watchlists, deliveries)."""
    feeds: FeedState = request.app.state.feeds
    return feeds


Feeds = Annotated[FeedState, Depends(get_feeds)]
