"""Traversal rules both stores share, so that they give the same neighbourhoods and paths.

A store gathers the claims a question may use (from memory, or from Neo4j level by
level); these functions decide what counts as a step and which paths come first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from itertools import islice, pairwise

import networkx as nx

from graph.dates import DateWindow
from graph.model import Claim, ClaimView, Hop
from graph.ontology import Direction, Ontology

# shortest_simple_paths is lazy; this caps the work when k is large and paths tie.
MAX_CANDIDATE_PATHS = 10_000

Between = dict[tuple[str, str], list[Claim]]


def attributes_match(claim: Claim, types: Collection[str] | None, statuses: Collection[str] | None,
                     window: DateWindow | None, min_confidence: float) -> bool:
    """Whether a claim passes the filters that do not depend on where it sits in the graph."""
    if types is not None and claim.type not in types:
        return False
    if statuses is not None and claim.status not in statuses:
        return False
    if claim.confidence < min_confidence:
        return False
    return window is None or window.admits(claim.date, claim.end_date)


def endpoints_match(claim: Claim, ontology: Ontology, subject: str | None, obj: str | None) -> bool:
    """Whether a claim joins these entities; a symmetric type matches with its ends swapped."""
    if subject in (None, claim.subject) and obj in (None, claim.object):
        return True
    symmetric = ontology.relation_types[claim.type].symmetric
    return symmetric and subject in (None, claim.object) and obj in (None, claim.subject)


def steps(claim: Claim, ontology: Ontology, direction: Direction) -> list[tuple[str, str]]:
    """The moves a claim allows a neighbourhood walk: symmetric types go both ways whatever the direction."""
    symmetric = ontology.relation_types[claim.type].symmetric
    moves = []
    if direction in ("out", "both") or symmetric:
        moves.append((claim.subject, claim.object))
    if direction in ("in", "both") or symmetric:
        moves.append((claim.object, claim.subject))
    return moves


def reach_graph(claims: Iterable[Claim], ontology: Ontology, direction: Direction) -> nx.DiGraph:
    """Which entity each claim lets a neighbourhood step to."""
    reach = nx.DiGraph()
    for claim in claims:
        reach.add_edges_from(steps(claim, ontology, direction))
    return reach


def path_graph(claims: Iterable[Claim], ontology: Ontology, directed: bool) -> tuple[nx.Graph, Between]:
    """A simple graph for path search, and the claims behind each of its edges."""
    graph = nx.DiGraph() if directed else nx.Graph()
    between: Between = defaultdict(list)
    for claim in claims:
        for pair in steps(claim, ontology, "out" if directed else "both"):
            graph.add_edge(*pair)
            between[pair].append(claim)
    return graph, between


def shortest_paths(graph: nx.Graph, source: str, target: str, *, max_hops: int, k: int) -> list[list[str]]:
    """Up to ``k`` shortest simple paths of at most ``max_hops`` hops, ties ordered by the ids along them.

    Every path as long as the k-th is kept before sorting, so which of several equally
    short paths is returned does not depend on the order edges were added in.
    """
    if source not in graph or target not in graph:
        return []
    found: list[list[str]] = []
    try:
        for nodes in islice(nx.shortest_simple_paths(graph, source, target), MAX_CANDIDATE_PATHS):
            hops = len(nodes) - 1
            if hops > max_hops or (len(found) >= k and hops > len(found[k - 1]) - 1):
                break
            found.append(nodes)
    except nx.NetworkXNoPath:
        return []
    found.sort(key=lambda nodes: (len(nodes), nodes))
    return found[:k]


def as_hops(paths: list[list[str]], between: Between, view: Callable[[Claim], ClaimView]) -> list[list[Hop]]:
    """Paths of entity ids as hops, each with the claims behind it ordered by id."""
    return [
        [Hop(**{"from": a, "to": b, "claims": [view(c) for c in sorted(between[(a, b)], key=lambda c: c.id)]})
         for a, b in pairwise(nodes)]
        for nodes in paths
    ]
