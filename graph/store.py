"""The store protocol: the questions every store answers, whatever holds the graph.

Two implementations stand behind it, ``graph.stores.memory`` (networkx, embedded, the
default) and ``graph.stores.neo4j`` (a Neo4j server). One behavioural test suite runs against each and
they must agree; keeping the protocol small is what makes that affordable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from graph.dates import DateWindow
from graph.errors import InvalidParameter
from graph.model import Batch, Claim, ClaimView, Entity, EntityMatch, Hop, Source, Stats, Subgraph, UpsertResult
from graph.ontology import Direction

MAX_DEPTH = 3
MAX_HOPS = 6
MAX_K = 20


@dataclass(frozen=True)
class ClaimQuery:
    """Filters on claims; ``None`` means "any". Entity fields hold ids, already resolved."""

    subject: str | None = None
    object: str | None = None
    types: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    window: DateWindow = field(default_factory=DateWindow)
    min_confidence: float = 0.0
    disputed: bool | None = None
    source: str | None = None
    location: str | None = None  # where it happened (a place or state id)
    asserted_by: str | None = None


class GraphStore(Protocol):
    """What the interfaces may ask of a store."""

    def upsert(self, batch: Batch) -> UpsertResult:
        """Write a validated batch all-or-nothing; writing the same batch twice changes nothing."""
        ...

    def entities(self) -> list[Entity]:
        """Every entity, ordered by id."""
        ...

    def get_entity(self, entity_id: str) -> Entity:
        """The entity with this exact id, or ``EntityNotFound``."""
        ...

    def resolve(self, name: str, at: str | None = None) -> Entity:
        """The entity a name or alias stands for (at a date, for aliases with windows)."""
        ...

    def find_entities(self, query: str, *, kind: str | None = None, limit: int = 10) -> list[EntityMatch]:
        """Entities ranked by how well their names match ``query``."""
        ...

    def sources(self) -> list[Source]:
        """Every source, ordered by id."""
        ...

    def get_source(self, source_id: str) -> Source:
        """The source with this id, or ``SourceNotFound``."""
        ...

    def get_claim(self, claim_id: str) -> ClaimView:
        """The claim with this id, or ``ClaimNotFound``."""
        ...

    def claims(self, query: ClaimQuery) -> list[ClaimView]:
        """Claims matching every filter, ordered by id, with ``disputed`` set."""
        ...

    def neighbourhood(self, center: str, *, depth: int = 1, types: Iterable[str] | None = None,
                      direction: Direction = "both", window: DateWindow | None = None,
                      statuses: Iterable[str] | None = None, min_confidence: float = 0.0) -> Subgraph:
        """Entities within ``depth`` hops of ``center`` over matching claims, and the claims among them."""
        ...

    def paths(self, source: str, target: str, *, max_hops: int = 4, k: int = 1,
              types: Iterable[str] | None = None, directed: bool = False) -> list[list[Hop]]:
        """Up to ``k`` shortest simple paths of at most ``max_hops`` hops, each hop with its claims."""
        ...

    def stats(self) -> Stats:
        """Counts by kind, type and status."""
        ...

    def close(self) -> None:
        """Release connections; the store is not used afterwards."""
        ...


def claim_matches(claim: Claim, query: ClaimQuery) -> bool:
    """Whether a claim happened where the query says and is asserted by whom it says (``None``: anyone)."""
    return query.location in (None, claim.location) and query.asserted_by in (None, claim.asserted_by)


def check_depth(depth: int) -> int:
    """Refuse a depth outside 1..MAX_DEPTH before any work is done."""
    if not 1 <= depth <= MAX_DEPTH:
        raise InvalidParameter("depth", depth, f"must be between 1 and {MAX_DEPTH}")
    return depth


def check_path_options(max_hops: int, k: int) -> None:
    """Refuse path bounds outside what the stores promise to answer quickly."""
    if not 1 <= max_hops <= MAX_HOPS:
        raise InvalidParameter("max_hops", max_hops, f"must be between 1 and {MAX_HOPS}")
    if not 1 <= k <= MAX_K:
        raise InvalidParameter("k", k, f"must be between 1 and {MAX_K}")


def check_direction(direction: str) -> Direction:
    """Refuse a direction other than out, in or both."""
    if direction not in ("out", "in", "both"):
        raise InvalidParameter("direction", direction, "unknown direction", ["out", "in", "both"])
    return direction  # type: ignore[return-value]
