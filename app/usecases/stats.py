"""The graph's counts and its most connected entities, for ``/v1/stats`` (and ``kg stats``, which shows the counts).

Counts come from the store's own count queries (``GraphStore.stats``); degrees from its adjacency
(``GraphStore.claim_pairs``: who is joined to whom, aggregated where the store keeps its data), and
betweenness from that adjacency, which costs a pass over the graph per entity. Both are computed once
per store revision (the counter every store keeps and moves on each write that changes something)
and kept in a ``StatsCache``: a dashboard polling ``/v1/stats`` costs one revision read per call until
the graph changes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from app.usecases.filters import entity_kinds
from graph.domain.model import Stats
from graph.domain.ontology import Ontology
from graph.services.analysis import Centrality, most_connected, ranked_centrality
from graph.stores.protocol import GraphStore


@dataclass(frozen=True)
class GraphFigures:
    """What one revision of the graph counts, and every entity ranked by how connected it is."""

    revision: int
    stats: Stats
    ranked: list[Centrality]


class StatsCache:
    """The figures of the last revision computed; one per application (a store's revision is its key)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._figures: GraphFigures | None = None

    def figures(self, store: GraphStore) -> GraphFigures:
        """The figures of the store's current revision: kept, or computed now (once, whatever the callers)."""
        revision = store.revision()
        with self._lock:
            if self._figures is not None and self._figures.revision == revision:
                return self._figures
            # Read after the revision: a write in between makes these figures newer than their key, and the
            # next call, seeing a later revision, computes them again.
            figures = GraphFigures(revision, store.stats(),
                                   ranked_centrality(store.name_index().entities(), store.claim_pairs()))
            self._figures = figures
            return figures


def counts(store: GraphStore) -> Stats:
    """Counts by kind, type and status, from the store's count queries."""
    return store.stats()


@dataclass(frozen=True)
class GraphStats:
    """The counts, and the most connected entities asked for."""

    stats: Stats
    most_connected: list[Centrality]


def graph_stats(store: GraphStore, ontology: Ontology, cache: StatsCache, *, top: int = 10,
                kinds: Iterable[str] | None = None) -> GraphStats:
    """Counts and the ``top`` most connected entities (of these kinds), from the revision's cached figures."""
    wanted = entity_kinds(ontology, kinds)
    figures = cache.figures(store)
    return GraphStats(figures.stats, most_connected(figures.ranked, top=top, kinds=wanted))
