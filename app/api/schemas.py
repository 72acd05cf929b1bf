"""Response shapes of the HTTP API, declared so the OpenAPI schema says exactly what comes back."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from graph.analysis import Centrality
from graph.model import Alias, ClaimOut, ClaimView, Hop, SourceRef

__all__ = ["ClaimOut", "SourceRef"]  # moved to graph.model (graph.ask answers cite claims too)

T = TypeVar("T")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(_Out, Generic[T]):
    """The one envelope of every list: the page of items, how many match in all, and the window."""

    data: list[T]
    count: int = Field(description="How many items match in all, not only on this page.")
    limit: int
    offset: int


class ErrorBody(_Out):
    """The one shape of every error."""

    error: str = Field(description="A stable code, e.g. invalid_parameter, entity_not_found.")
    message: str = Field(description="What was wrong, for people.")
    details: dict[str, Any] = Field(description="Machine-readable specifics: parameter, value, accepted, suggestions.")


class EntityHit(_Out):
    """An entity in a list; ``matched`` and ``score`` say why it matched a search."""

    id: str
    name: str
    kind: str
    description: str | None
    aliases: list[Alias]
    matched: str | None = None
    score: float | None = None


class EntityDetail(_Out):
    """One entity with its claims counted by type, as subject (out) and as object (in)."""

    id: str
    name: str
    kind: str
    description: str | None
    aliases: list[Alias]
    claims_out: dict[str, int]
    claims_in: dict[str, int]
    claims_total: int


class QuoteInContext(_Out):
    """The quote, its span in the report text, and the text just around it."""

    text: str
    span: tuple[int, int]
    before: str
    after: str


class ClaimDetail(_Out):
    """One claim, its source, its quote in place, what disputes it and what it denies."""

    claim: ClaimOut
    source: SourceRef
    quote: QuoteInContext
    disputed_by: list[ClaimView]
    denies: ClaimView | None


class SourceSummary(SourceRef):
    """A report in a list, with how many claims cite it."""

    outlet_id: str | None
    note: str | None
    claims: int


class SourceDetail(_Out):
    """A report, its full text, and its claims."""

    source: SourceSummary
    text: str
    claims: list[ClaimView]


class PathOut(_Out):
    """One path: the entities along it and each hop with the claims behind it."""

    length: int
    nodes: list[str]
    hops: list[Hop]


class CytoscapeElement(_Out):
    """A Cytoscape.js element: everything is under ``data``."""

    data: dict[str, Any]


class CytoscapeGraph(_Out):
    """Cytoscape.js elements, grouped as ``cy.add`` and ``cytoscape({elements})`` accept them."""

    nodes: list[CytoscapeElement]
    edges: list[CytoscapeElement]


class NodeLinkGraph(_Out):
    """networkx node-link JSON (read back with ``nx.node_link_graph(data, edges="links")``)."""

    directed: bool
    multigraph: bool
    graph: dict[str, Any]
    nodes: list[dict[str, Any]]
    links: list[dict[str, Any]]


class Health(_Out):
    """The process is up."""

    status: str


class Ready(_Out):
    """The store answers, and what it holds."""

    status: str
    store: str
    entities: int
    claims: int


class StatsOut(_Out):
    """Counts by kind, type and status, and the most connected entities."""

    entities: int
    sources: int
    claims: int
    disputed_claims: int
    entities_by_kind: dict[str, int]
    claims_by_type: dict[str, int]
    claims_by_status: dict[str, int]
    most_connected: list[Centrality]
