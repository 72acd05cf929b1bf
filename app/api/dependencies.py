"""What route handlers receive: the one store, the settings, the ontology, and parsed filters.

The store is opened once by ``create_app`` and kept on the application; handlers get it
through ``get_store`` and never open anything themselves.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request

from app.components import ExtractorHolder
from app.settings import Settings
from graph.domain.dates import DateWindow, window
from graph.domain.errors import EntityNotFound, InvalidParameter
from graph.domain.inputs import check_parameter
from graph.domain.model import Entity
from graph.domain.ontology import Ontology
from graph.stores.protocol import GraphStore


def get_store(request: Request) -> GraphStore:
    """The store the application was created with."""
    store: GraphStore = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    """The settings the application was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_ontology(request: Request) -> Ontology:
    """The ontology the application validates parameters against."""
    ontology: Ontology = request.app.state.ontology
    return ontology


def get_extractor(request: Request) -> ExtractorHolder:
    """The application's one extractor (built on first use)."""
    holder: ExtractorHolder = request.app.state.extractor
    return holder
def plain_parameters(request: Request) -> None:
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


def resolve_entity(store: GraphStore, name: str) -> Entity:
    """The entity an id, name or alias stands for: an exact id first, then any alias.

    Unknown names (blank ones included) raise ``EntityNotFound`` with suggestions; an
    alias of several entities raises ``AmbiguousName`` with the candidates.
    """
    try:
        return store.get_entity(name)
    except EntityNotFound:
        return store.resolve(name)


def split(parameter: str, values: list[str] | None, accepted: list[str]) -> list[str]:
    """Multi-valued parameters accept repeats and commas alike (``types=A,B`` or ``types=A&types=B``).

    An empty value is refused rather than read as "any", so a typo never widens a query.
    """
    parts = [part.strip() for value in values or [] for part in value.split(",")]
    if any(not part for part in parts):
        raise InvalidParameter(parameter, ",".join(values or []), "empty value", accepted)
    return parts


def parse_types(ontology: Ontology, values: list[str] | None, parameter: str = "types") -> tuple[str, ...] | None:
    """Relation type names from types or categories; ``InvalidParameter`` lists what exists."""
    accepted = sorted(ontology.relation_types) + sorted(ontology.categories)
    names = split(parameter, values, accepted)
    try:
        expanded = ontology.expand_types(names)
    except InvalidParameter as error:
        value = error.details["value"]
        raise InvalidParameter(parameter, value, "neither a relation type nor a category", accepted) from error
    return tuple(expanded) if expanded else None


def parse_statuses(ontology: Ontology, values: list[str] | None) -> tuple[str, ...] | None:
    """Claim statuses, each checked against the ontology."""
    return tuple(ontology.check_status(s) for s in split("status", values, list(ontology.statuses))) or None


def parse_kind(ontology: Ontology, kind: str | None) -> str | None:
    """An entity kind the ontology defines, or ``InvalidParameter`` listing them."""
    if kind is not None and kind not in ontology.entity_kinds:
        raise InvalidParameter("kind", kind, "unknown entity kind", list(ontology.entity_kinds))
    return kind


def parse_kinds(ontology: Ontology, values: list[str] | None) -> list[str] | None:
    """Entity kinds, repeated or comma-separated, each one the ontology defines."""
    kinds = split("kind", values, list(ontology.entity_kinds))
    for kind in kinds:
        parse_kind(ontology, kind)
    return kinds or None


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
LimitQuery = Annotated[int, Query(ge=1, description="Page size; at most KG_MAX_PAGE_SIZE (default 500).")]
# The largest 32-bit integer: past it, a page is empty in any graph, and JavaScript clients still read it exactly.
MAX_OFFSET = 2_147_483_647
OffsetQuery = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="How many matching items to skip.")]
ConfidenceQuery = Annotated[float, Query(ge=0, le=1, description="Lowest confidence to include.")]


def date_window(since: str | None, until: str | None) -> DateWindow:
    """A date window; ``InvalidParameter`` names ``since`` or ``until`` when malformed."""
    return window(since, until)
