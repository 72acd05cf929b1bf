"""Traversal rules every store follows, so that they give the same neighbourhoods and paths.

Each store runs its walks where its data is (the embedded store over arrays in memory, the
Neo4j store in one Cypher query) but by these rules, which ``tests/test_store_agreement.py``
holds them to, on the seed graph and on a generated graph with hubs.

**A step.** A claim that passes the filters lets a walk step from its subject to its object
when the direction is ``out`` or ``both``, and back when it is ``in`` or ``both``; a
symmetric type (an alliance, a border…) steps both ways whatever the direction.

**A neighbourhood** (``walk``), bounded in hops, results and work:

1. Level by level from the centre (depth 0). At each level, every entity of the frontier is
   expanded, except an entity other than the centre with more than ``HUB_DEGREE`` claims
   (counted over all its claims, unfiltered): a hub is kept as a node but not walked
   through, and the answer is marked ``truncated``.
2. The entities first reached at a level get that level as their depth. If the nodes so
   far would exceed ``max_nodes``, only the first of the new ones by id are kept, the
   answer is ``truncated`` and the walk stops.
3. The links are the matching claims between two kept entities that the walk can see: those
   with at least one end that is the centre or not a hub (two hubs' claims to each other
   are not read); ordered by id, at most ``MAX_LINKS`` (more marks it ``truncated``).

**Paths** (``rank_paths``): the ``k`` simple paths of at most ``max_hops`` hops that come
first in (number of hops, entity ids along the path) order, over the simple graph where two
entities are adjacent when some matching claim allows a step between them (``directed``:
the ``out`` steps only). Each hop carries every matching claim behind that step.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graph.dates import DateWindow
from graph.model import Claim
from graph.ontology import Direction, Ontology

if TYPE_CHECKING:
    from graph.store import ClaimQuery


@dataclass(frozen=True)
class Filters:
    """The filters a traversal applies to claims, whatever their place in the graph."""

    types: frozenset[str] | None = None
    statuses: frozenset[str] | None = None
    window: DateWindow | None = None
    min_confidence: float = 0.0

    @classmethod
    def of(cls, types: Iterable[str] | None, statuses: Iterable[str] | None, window: DateWindow | None,
           min_confidence: float) -> Filters:
        """Filters from the options a query takes (an open window filters nothing)."""
        return cls(None if types is None else frozenset(types), None if statuses is None else frozenset(statuses),
                   None if window is None or window.is_open else window, min_confidence)

    def admits(self, claim: Claim) -> bool:
        """Whether a claim passes these filters."""
        return attributes_match(claim, self.types, self.statuses, self.window, self.min_confidence)

    def day_bounds(self) -> tuple[str | None, str | None]:
        """The window as the first and last day it admits, ISO (``None`` for an open end)."""
        if self.window is None:
            return None, None
        since = self.window.since.start.isoformat() if self.window.since is not None else None
        until = self.window.until.end.isoformat() if self.window.until is not None else None
        return since, until


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


def claim_matches(claim: Claim, query: ClaimQuery, ontology: Ontology) -> bool:
    """Whether a claim passes every filter of a claim query but ``disputed``."""
    return (endpoints_match(claim, ontology, query.subject, query.object)
            and attributes_match(claim, query.types, query.statuses, query.window, query.min_confidence)
            and (query.source is None or claim.source == query.source))


def steps(claim: Claim, ontology: Ontology, direction: Direction) -> list[tuple[str, str]]:
    """The moves a claim allows a walk: symmetric types go both ways whatever the direction."""
    symmetric = ontology.relation_types[claim.type].symmetric
    moves = []
    if direction in ("out", "both") or symmetric:
        moves.append((claim.subject, claim.object))
    if direction in ("in", "both") or symmetric:
        moves.append((claim.object, claim.subject))
    return moves


def rank_paths(candidates: Iterable[Iterable[str]], k: int, max_hops: int) -> list[list[str]]:
    """The ``k`` first simple paths in (hops, ids along the path) order, from candidates that may repeat.

    A store that finds paths as sequences of claims passes one candidate per sequence; several
    claims between the same two entities make the same path, which counts once.
    """
    unique = {tuple(nodes) for nodes in candidates}
    simple = [list(p) for p in unique if len(set(p)) == len(p) and 1 <= len(p) - 1 <= max_hops]
    simple.sort(key=lambda nodes: (len(nodes), nodes))
    return simple[:k]


def k_paths(steps_between: Iterable[tuple[str, str]], source: str, target: str, *, max_hops: int,
            k: int) -> list[list[str]]:
    """The ``k`` first simple paths by ``rank_paths`` order over the given steps (from, to), exactly.

    For each length from the shortest on, a depth-first search from the source visits neighbours
    in id order and prunes by the distance to the target, so paths come out in rank order.
    """
    forward: dict[str, set[str]] = {}
    backward: dict[str, set[str]] = {}
    for a, b in steps_between:
        if a != b:
            forward.setdefault(a, set()).add(b)
            backward.setdefault(b, set()).add(a)
    distance = {target: 0}
    frontier = [target]
    while frontier:
        nxt = []
        for node in frontier:
            for before in backward.get(node, ()):
                if before not in distance:
                    distance[before] = distance[node] + 1
                    nxt.append(before)
        frontier = nxt
    if source not in distance or distance[source] > max_hops:
        return []
    ordered = {node: sorted(others) for node, others in forward.items()}
    found: list[list[str]] = []

    def extend(path: list[str], hops: int) -> None:
        node = path[-1]
        if len(path) - 1 == hops:
            if node == target:
                found.append(list(path))
            return
        for nxt in ordered.get(node, ()):
            if len(found) >= k:
                return
            left = hops - len(path)
            if nxt in path or nxt not in distance or distance[nxt] > left or (nxt == target) != (left == 0):
                continue
            path.append(nxt)
            extend(path, hops)
            path.pop()

    for hops in range(distance[source], max_hops + 1):
        extend([source], hops)
        if len(found) >= k:
            break
    return found[:k]
