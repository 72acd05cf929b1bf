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

**Paths** (``find_paths``): the ``k`` simple paths of at most ``max_hops`` hops that come
first in (number of hops, entity ids along the path) order, over the simple graph where two
entities are adjacent when some matching claim allows a step between them (``directed``:
the ``out`` steps only). Each hop carries every matching claim behind that step.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graph.domain.dates import DateWindow
from graph.domain.model import Claim
from graph.domain.ontology import Direction, Ontology

if TYPE_CHECKING:
    from graph.stores.protocol import ClaimQuery


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

    def admits_shape(self, shape: Mapping[str, Any]) -> bool:
        """Whether a claim in its JSON shape (``graph.stores.base.claim_shape``) passes these filters: the same
        rule as ``admits``, for a claim the API serialises without building its model."""
        return _values_match(shape["type"], shape["status"], shape["confidence"], shape["date"], shape["end_date"],
                             self.types, self.statuses, self.window, self.min_confidence)

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
    return _values_match(claim.type, claim.status, claim.confidence, claim.date, claim.end_date, types, statuses,
                         window, min_confidence)


def _values_match(type_: str, status: str, confidence: float, date: str | None, end_date: str | None,
                  types: Collection[str] | None, statuses: Collection[str] | None, window: DateWindow | None,
                  min_confidence: float) -> bool:
    if types is not None and type_ not in types:
        return False
    if statuses is not None and status not in statuses:
        return False
    if confidence < min_confidence:
        return False
    return window is None or window.admits(date, end_date)


def endpoints_match(claim: Claim, ontology: Ontology, subject: str | None, obj: str | None) -> bool:
    """Whether a claim joins these entities; a symmetric type matches with its ends swapped."""
    if subject in (None, claim.subject) and obj in (None, claim.object):
        return True
    symmetric = ontology.relation_types[claim.type].symmetric
    return symmetric and subject in (None, claim.object) and obj in (None, claim.subject)


def claim_matches(claim: Claim, query: ClaimQuery, ontology: Ontology) -> bool:
    """Whether a claim passes every filter of a claim query but ``disputed``: its ends, attributes, source, where it
    happened, who asserts it and the incident it is about (``None``: any)."""
    return (endpoints_match(claim, ontology, query.subject, query.object)
            and attributes_match(claim, query.types, query.statuses, query.window, query.min_confidence)
            and query.source in (None, claim.source) and query.location in (None, claim.location)
            and query.asserted_by in (None, claim.asserted_by) and query.incident in (None, claim.incident))


def steps(claim: Claim, ontology: Ontology, direction: Direction) -> list[tuple[str, str]]:
    """The moves a claim allows a walk: symmetric types go both ways whatever the direction."""
    symmetric = ontology.relation_types[claim.type].symmetric
    moves = []
    if direction in ("out", "both") or symmetric:
        moves.append((claim.subject, claim.object))
    if direction in ("in", "both") or symmetric:
        moves.append((claim.object, claim.subject))
    return moves


Steps = Callable[[list[str]], dict[str, list[str]]]


def find_paths(source: str, target: str, *, max_hops: int, k: int, forward: Steps, backward: Steps,
               budget: int = 5_000) -> list[list[str]]:
    """The ``k`` first paths in (hops, ids along them) order, asking for neighbours a batch of entities at a time.

    ``forward(ids)`` gives, for each id, the entities one step from it (``backward`` the entities
    one step to it). A bidirectional breadth-first search finds the shortest distance (expanding
    the smaller side); then, for each length from there, a depth-first search from the source in
    id order lists the paths of that length, pruned by the distance to the target, known within
    the target's side of the search (grown while its frontier holds fewer than ``budget``
    entities) and bounded below beyond it. The embedded store runs the same search over arrays
    (``graph.stores.sqlite.arrays``); a store that pays a round trip per call uses this one.
    """
    from_source, to_target = {source: 0}, {target: 0}
    source_frontier, target_frontier = [source], [target]
    distance: int | None = None
    while source_frontier and target_frontier and max(from_source.values()) + max(to_target.values()) < max_hops:
        grow_source = len(source_frontier) <= len(target_frontier)
        seen, frontier, ask = ((from_source, source_frontier, forward) if grow_source
                               else (to_target, target_frontier, backward))
        level = max(seen.values()) + 1
        reached = sorted({n for nexts in ask(frontier).values() for n in nexts if n not in seen})
        seen.update(dict.fromkeys(reached, level))
        if grow_source:
            source_frontier = reached
        else:
            target_frontier = reached
        met = [from_source[n] + to_target[n] for n in reached if n in from_source and n in to_target]
        if met:
            distance = min(met)
            break
    if distance is None or distance > max_hops:
        return []
    memo: dict[str, list[str]] = {}
    found: list[list[str]] = []
    for hops in range(distance, max_hops + 1):
        radius = max(to_target.values())
        while target_frontier and radius < hops - 1 and len(target_frontier) <= budget:
            radius += 1
            target_frontier = sorted({n for nexts in backward(target_frontier).values() for n in nexts
                                      if n not in to_target})
            to_target.update(dict.fromkeys(target_frontier, radius))
        outside = max_hops + 1 if not target_frontier else radius + 1

        def extend(path: list[str], hops: int = hops, outside: int = outside) -> None:
            node = path[-1]
            if len(path) - 1 == hops:
                if node == target:
                    found.append(list(path))
                return
            if len(path) == hops and to_target.get(node) == 1:
                found.append([*path, target])  # a known step to the target: no need to list a hub's neighbours
                return
            if node not in memo:
                memo.update({n: sorted(nexts) for n, nexts in forward([node]).items()})
                memo.setdefault(node, [])
            left = hops - len(path)
            for nxt in memo[node]:
                if len(found) >= k:
                    return
                if nxt in path or to_target.get(nxt, outside) > left or (nxt == target) != (left == 0):
                    continue
                path.append(nxt)
                extend(path)
                path.pop()

        extend([source])
        if len(found) >= k:
            break
    return found[:k]
