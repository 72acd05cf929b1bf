"""The embedded store's graph in memory: integer ids, one array per claim attribute, compact adjacency.

A million claims as Python objects (networkx's dict of dicts of dicts) take gigabytes and
seconds to walk; here each claim is one slot in a few numpy arrays (subject, object, type,
status, the days its dates cover, confidence: 30 bytes), and adjacency is in CSR form (for
each entity, the slots of its claims, contiguous). Filters are vector operations over the
slots a step reads, so a hub's 50,000 claims are filtered in a fraction of a millisecond.

Claims written after the adjacency was built wait in a small side list (``_delta``) that
every step also reads, until it is large enough to rebuild the adjacency. A claim whose
subject or object changed keeps a stale entry under its old entity, which a step drops by
checking the slot's current owner.

What this module knows is ids, numbers and the traversal rules of ``graph.stores.traversal``; the
claims themselves (quotes, sources…) stay in SQLite and are read by slot when returned.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from graph.domain.dates import parse_optional
from graph.domain.model import Claim
from graph.domain.ontology import Direction, Ontology
from graph.stores.traversal import Filters

Ints = npt.NDArray[np.int64]
NO_START = np.iinfo(np.int32).min  # no first day: passes any "until"
NO_END = np.iinfo(np.int32).max  # no last day: passes any "since"
REBUILD_AFTER = 20_000  # claims waiting beside the adjacency before it is rebuilt
BALL_BUDGET = 20_000  # claims a path search may read to learn more distances to the target
_EMPTY: Ints = np.zeros(0, dtype=np.int64)


def day_span(claim: Claim) -> tuple[int, int]:
    """The first and last day a claim's dates cover, as ordinals (``NO_START``/``NO_END`` when absent)."""
    return _day_span(claim.date, claim.end_date)


@functools.lru_cache(maxsize=65_536)
def _day_span(date: str | None, end_date: str | None) -> tuple[int, int]:
    # Dates repeat (a few thousand days in a million claims): parse each once.
    first = parse_optional(date)
    last = parse_optional(end_date) or first
    return (first.start.toordinal() if first else int(NO_START), last.end.toordinal() if last else int(NO_END))


@dataclass
class ClaimRow:
    """What the compact graph keeps of one claim."""

    slot: int
    subject: int
    object: int
    type: str
    status: str
    first_day: int
    last_day: int
    confidence: float


class CompactGraph:
    """Entities and claims as integers and arrays; slots and entity numbers come from the database rows."""

    def __init__(self, ontology: Ontology) -> None:
        self.ontology = ontology
        self.type_names = sorted(ontology.relation_types)
        self.type_code = {name: i for i, name in enumerate(self.type_names)}
        self.symmetric = np.array([ontology.relation_types[t].symmetric for t in self.type_names], dtype=bool)
        self.status_names = sorted(ontology.statuses)
        self.status_code = {name: i for i, name in enumerate(self.status_names)}
        self.entity_ids: list[str] = [""]  # entity numbers start at 1, as SQLite rowids do
        self.entity_number: dict[str, int] = {}
        self._rank: Ints | None = None
        self.size = 0  # highest slot + 1
        self.subject = np.zeros(0, dtype=np.int32)
        self.object = np.zeros(0, dtype=np.int32)
        self.type = np.zeros(0, dtype=np.int16)
        self.status = np.zeros(0, dtype=np.int8)
        self.first_day = np.zeros(0, dtype=np.int32)
        self.last_day = np.zeros(0, dtype=np.int32)
        self.confidence = np.zeros(0, dtype=np.float64)
        self.present = np.zeros(0, dtype=bool)
        self.degree = np.zeros(1, dtype=np.int64)
        self._out_ptr: Ints = np.zeros(2, dtype=np.int64)
        self._out: Ints = _EMPTY
        self._in_ptr: Ints = np.zeros(2, dtype=np.int64)
        self._in: Ints = _EMPTY
        self._delta: list[int] = []
        self._delta_array: Ints = _EMPTY

    # --- building ---------------------------------------------------------------------

    def add_entities(self, numbered: Iterable[tuple[int, str]]) -> None:
        """Entities by their database number (new ones only change anything)."""
        for number, entity_id in numbered:
            if entity_id in self.entity_number:
                continue
            while len(self.entity_ids) <= number:
                self.entity_ids.append("")
            self.entity_ids[number] = entity_id
            self.entity_number[entity_id] = number
            self._rank = None
        if len(self.degree) < len(self.entity_ids):
            grown = np.zeros(len(self.entity_ids), dtype=np.int64)
            grown[:len(self.degree)] = self.degree
            self.degree = grown

    def load_columns(self, slots: Ints, subjects: Ints, objects: Ints, types: Sequence[str],
                     statuses: Sequence[str], first_days: Ints, last_days: Ints, confidences: npt.NDArray[np.float64]
                     ) -> None:
        """Every claim at once (opening a database), then the adjacency."""
        size = int(slots.max()) + 1 if len(slots) else 0
        self._grow(size)
        self.subject[slots] = subjects
        self.object[slots] = objects
        type_code = self.type_code
        status_code = self.status_code
        self.type[slots] = np.fromiter((type_code[t] for t in types), dtype=np.int16, count=len(types))
        self.status[slots] = np.fromiter((status_code[s] for s in statuses), dtype=np.int8, count=len(statuses))
        self.first_day[slots] = first_days
        self.last_day[slots] = last_days
        self.confidence[slots] = confidences
        self.present[slots] = True
        self.size = max(self.size, size)
        self.rebuild()

    def set_claims(self, rows: Iterable[ClaimRow]) -> None:
        """New or changed claims, after the adjacency was built."""
        rows = list(rows)
        if not rows:
            return
        self._grow(max(r.slot for r in rows) + 1)
        for row in rows:
            slot = row.slot
            if self.present[slot]:
                self.degree[self.subject[slot]] -= 1
                self.degree[self.object[slot]] -= 1
            self.subject[slot] = row.subject
            self.object[slot] = row.object
            self.type[slot] = self.type_code[row.type]
            self.status[slot] = self.status_code[row.status]
            self.first_day[slot] = row.first_day
            self.last_day[slot] = row.last_day
            self.confidence[slot] = row.confidence
            self.present[slot] = True
            self.degree[row.subject] += 1
            self.degree[row.object] += 1
            self._delta.append(slot)
        self.size = max(self.size, max(r.slot for r in rows) + 1)
        self._delta_array = np.array(sorted(set(self._delta)), dtype=np.int64)
        if len(self._delta) > REBUILD_AFTER:
            self.rebuild()

    def _grow(self, size: int) -> None:
        capacity = len(self.subject)
        if size <= capacity:
            return
        capacity = max(size, capacity * 3 // 2, 1024)
        for name in ("subject", "object", "type", "status", "first_day", "last_day", "confidence", "present"):
            old = getattr(self, name)
            new = np.zeros(capacity, dtype=old.dtype)
            new[:len(old)] = old
            setattr(self, name, new)

    def rebuild(self) -> None:
        """The adjacency from the arrays (CSR, both directions), and every entity's degree."""
        nodes = len(self.entity_ids)
        slots = np.flatnonzero(self.present[:self.size]).astype(np.int64)
        subjects = self.subject[slots].astype(np.int64)
        objects = self.object[slots].astype(np.int64)
        self._out_ptr, self._out = _csr(subjects, slots, nodes)
        self._in_ptr, self._in = _csr(objects, slots, nodes)
        self.degree = (np.bincount(subjects, minlength=nodes) + np.bincount(objects, minlength=nodes)).astype(np.int64)
        self._delta = []
        self._delta_array = _EMPTY

    # --- a snapshot, so that opening a large graph reads arrays, not a million rows ------------

    ARRAYS = ("subject", "object", "type", "status", "first_day", "last_day", "confidence", "present")

    def snapshot(self) -> bytes:
        """The arrays and the adjacency as one blob (numpy's own format, no pickling)."""
        buffer = io.BytesIO()
        size = self.size
        arrays = {name: getattr(self, name)[:size] for name in self.ARRAYS}
        np.savez(buffer, **arrays, out_ptr=self._out_ptr, out=self._out, in_ptr=self._in_ptr, inward=self._in,
                 degree=self.degree, delta=np.array(self._delta, dtype=np.int64),
                 names=np.frombuffer(json.dumps({"entities": self.entity_ids, "types": self.type_names,
                                                 "statuses": self.status_names}).encode(), dtype=np.uint8))
        return buffer.getvalue()

    @classmethod
    def from_snapshot(cls, ontology: Ontology, data: bytes) -> CompactGraph | None:
        """The graph a snapshot holds, or None when it was written for another ontology's types."""
        graph = cls(ontology)
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            names = json.loads(stored["names"].tobytes().decode())
            if names["types"] != graph.type_names or names["statuses"] != graph.status_names:
                return None
            for name in cls.ARRAYS:
                setattr(graph, name, stored[name].copy())
            graph.size = len(graph.subject)
            graph._out_ptr, graph._out = stored["out_ptr"], stored["out"]
            graph._in_ptr, graph._in = stored["in_ptr"], stored["inward"]
            graph.degree = stored["degree"].copy()
            graph._delta = stored["delta"].tolist()
        graph.entity_ids = names["entities"]
        graph.entity_number = {e: n for n, e in enumerate(graph.entity_ids) if e}
        graph._delta_array = np.array(sorted(set(graph._delta)), dtype=np.int64)
        return graph

    # --- ids and order ----------------------------------------------------------------

    def rank(self) -> Ints:
        """Each entity number's position in id order: the order every answer sorts entities in."""
        if self._rank is None or len(self._rank) < len(self.entity_ids):
            order = sorted(range(len(self.entity_ids)), key=self.entity_ids.__getitem__)
            rank = np.empty(len(self.entity_ids), dtype=np.int64)
            rank[np.array(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int64)
            self._rank = rank
        return self._rank

    def numbers(self, ids: Iterable[str]) -> list[int]:
        """Entity numbers of the ids that are entities."""
        return [self.entity_number[i] for i in ids if i in self.entity_number]

    # --- the slots a step reads ---------------------------------------------------------

    def _admitted(self, slots: Ints, filters: Filters) -> npt.NDArray[np.bool_]:
        keep = self.present[slots].copy()
        if filters.types is not None:
            allowed = np.zeros(len(self.type_names), dtype=bool)
            allowed[[self.type_code[t] for t in filters.types if t in self.type_code]] = True
            keep &= allowed[self.type[slots]]
        if filters.statuses is not None:
            allowed = np.zeros(len(self.status_names), dtype=bool)
            allowed[[self.status_code[s] for s in filters.statuses if s in self.status_code]] = True
            keep &= allowed[self.status[slots]]
        if filters.min_confidence > 0:
            keep &= self.confidence[slots] >= filters.min_confidence
        if filters.window is not None:
            first, last = self.first_day[slots], self.last_day[slots]
            keep &= (first != NO_START) | (last != NO_END)
            if filters.window.since is not None:
                keep &= last >= filters.window.since.start.toordinal()
            if filters.window.until is not None:
                keep &= first <= filters.window.until.end.toordinal()
        return keep

    def touching(self, nodes: Ints, filters: Filters, *, outgoing: bool) -> tuple[Ints, Ints]:
        """Admitted claim slots with one of ``nodes`` as subject (``outgoing``) or object, and that node."""
        ptr, adjacency = (self._out_ptr, self._out) if outgoing else (self._in_ptr, self._in)
        ends = self.subject if outgoing else self.object
        inside = nodes[nodes < len(ptr) - 1]
        starts, stops = ptr[inside], ptr[inside + 1]
        lengths = stops - starts
        total = int(lengths.sum())
        slots = _EMPTY
        owners = _EMPTY
        if total:
            offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
            slots = adjacency[offsets + np.arange(total, dtype=np.int64)]
            owners = np.repeat(inside, lengths)
        if len(self._delta_array):
            waiting = self._delta_array[np.isin(ends[self._delta_array], nodes)]
            if len(waiting):
                slots = np.concatenate([slots, waiting])
                owners = np.concatenate([owners, ends[waiting].astype(np.int64)])
        if not len(slots):
            return _EMPTY, _EMPTY
        keep = (ends[slots] == owners) & self._admitted(slots, filters)
        return slots[keep], owners[keep]

    def steps_from(self, nodes: Ints, filters: Filters, direction: Direction) -> tuple[Ints, Ints, Ints]:
        """Every step the admitted claims at ``nodes`` allow: (from, to, slot)."""
        parts: list[tuple[Ints, Ints, Ints]] = []
        out_slots, out_owner = self.touching(nodes, filters, outgoing=True)
        if direction == "in":
            keep = self.symmetric[self.type[out_slots]]
            out_slots, out_owner = out_slots[keep], out_owner[keep]
        parts.append((out_owner, self.object[out_slots].astype(np.int64), out_slots))
        in_slots, in_owner = self.touching(nodes, filters, outgoing=False)
        if direction == "out":
            keep = self.symmetric[self.type[in_slots]]
            in_slots, in_owner = in_slots[keep], in_owner[keep]
        parts.append((in_owner, self.subject[in_slots].astype(np.int64), in_slots))
        return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
                np.concatenate([p[2] for p in parts]))

    def claim_slots(self, node: int | None, filters: Filters) -> Ints:
        """Admitted claims at one entity (either end), or every admitted claim when ``node`` is None."""
        if node is None:
            slots = np.flatnonzero(self.present[:self.size]).astype(np.int64)
            return slots[self._admitted(slots, filters)]
        anchor = np.array([node], dtype=np.int64)
        out_slots, _ = self.touching(anchor, filters, outgoing=True)
        in_slots, _ = self.touching(anchor, filters, outgoing=False)
        return np.unique(np.concatenate([out_slots, in_slots]))

    def joining(self, slots: Ints, subject: int | None, obj: int | None) -> Ints:
        """The slots among ``slots`` whose claims join these entities (``None``: any end), in the order given; a
        symmetric type matches with its ends swapped (``graph.stores.traversal.endpoints_match``)."""
        if subject is None and obj is None:
            return slots
        subjects, objects = self.subject[slots], self.object[slots]
        direct = np.ones(len(slots), dtype=bool)
        swapped = self.symmetric[self.type[slots]].copy()
        if subject is not None:
            direct &= subjects == subject
            swapped &= objects == subject
        if obj is not None:
            direct &= objects == obj
            swapped &= subjects == obj
        kept: Ints = slots[direct | swapped]
        return kept

    def pairs(self) -> list[tuple[str, str, int]]:
        """Each (subject, object) some claim joins, with how many claims join them, from the arrays."""
        slots = np.flatnonzero(self.present[:self.size])
        if not len(slots):
            return []
        ends = np.stack([self.subject[slots].astype(np.int64), self.object[slots].astype(np.int64)], axis=1)
        unique, counts = np.unique(ends, axis=0, return_counts=True)
        ids = self.entity_ids
        return [(ids[a], ids[b], int(n)) for (a, b), n in zip(unique.tolist(), counts.tolist(), strict=True)]

    # --- neighbourhoods -------------------------------------------------------------------

    def walk(self, center: int, depth: int, filters: Filters, direction: Direction, *, max_nodes: int,
             max_links: int, hub_degree: int) -> tuple[dict[int, int], Ints, bool]:
        """The bounded walk of ``graph.stores.traversal``: entity numbers with their depth, link slots, truncated."""
        rank = self.rank()
        depths = {center: 0}
        seen = np.zeros(len(self.entity_ids), dtype=bool)
        seen[center] = True
        frontier = np.array([center], dtype=np.int64)
        truncated = False
        for level in range(1, depth + 1):
            expand = frontier if level == 1 else frontier[self.degree[frontier] <= hub_degree]
            truncated |= len(expand) < len(frontier)
            _, reached, _ = self.steps_from(expand, filters, direction)
            reached = np.unique(reached)
            reached = reached[~seen[reached]]
            if len(depths) + len(reached) > max_nodes:
                reached = reached[np.argsort(rank[reached], kind="stable")][:max_nodes - len(depths)]
                truncated = True
            seen[reached] = True
            depths.update(dict.fromkeys(reached.tolist(), level))
            frontier = reached
            if (truncated and len(depths) >= max_nodes) or not len(frontier):
                break
        kept = np.array(sorted(depths), dtype=np.int64)
        seeds = kept[(kept == center) | (self.degree[kept] <= hub_degree)]
        out_slots, _ = self.touching(seeds, filters, outgoing=True)
        in_slots, _ = self.touching(seeds, filters, outgoing=False)
        slots = np.unique(np.concatenate([out_slots, in_slots]))
        slots = slots[seen[self.subject[slots]] & seen[self.object[slots]]]
        return depths, slots, truncated or len(slots) > max_links

    # --- paths --------------------------------------------------------------------------

    def paths(self, source: int, target: int, *, max_hops: int, k: int, filters: Filters,
              directed: bool) -> list[list[int]]:
        """The ``k`` first simple paths in (hops, ids along them) order, as entity numbers.

        A bidirectional breadth-first search finds the shortest distance (or that there is none
        within ``max_hops``), expanding whichever side has fewer claims to read; then, for each
        length from there, a depth-first search from the source in id order lists the paths of
        that length, pruned by each entity's distance to the target (known within a ball around
        the target, grown while it is cheap, and bounded below outside it).
        """
        forward: Direction = "out" if directed else "both"
        backward: Direction = "in" if directed else "both"
        nodes = len(self.entity_ids)
        from_source = np.full(nodes, -1, dtype=np.int64)
        to_target = np.full(nodes, -1, dtype=np.int64)
        from_source[source] = 0
        to_target[target] = 0
        source_frontier = np.array([source], dtype=np.int64)
        target_frontier = np.array([target], dtype=np.int64)
        source_radius = target_radius = 0
        distance: int | None = None
        while len(source_frontier) and len(target_frontier) and source_radius + target_radius < max_hops:
            if self.degree[source_frontier].sum() <= self.degree[target_frontier].sum():
                source_radius += 1
                source_frontier = self._ring(source_frontier, from_source, source_radius, filters, forward)
                met = source_frontier[to_target[source_frontier] >= 0]
            else:
                target_radius += 1
                target_frontier = self._ring(target_frontier, to_target, target_radius, filters, backward)
                met = target_frontier[from_source[target_frontier] >= 0]
            if len(met):
                distance = int((from_source[met] + to_target[met]).min())
                break
        if distance is None or distance > max_hops:
            return []
        rank = self.rank()
        memo: dict[int, Ints] = {}

        def neighbours(node: int) -> Ints:
            if node not in memo:
                _, reached, _ = self.steps_from(np.array([node], dtype=np.int64), filters, forward)
                reached = np.unique(reached)
                memo[node] = reached[np.argsort(rank[reached], kind="stable")]
            return memo[node]

        found: list[list[int]] = []
        for hops in range(distance, max_hops + 1):
            while len(target_frontier) and target_radius < hops - 1 and \
                    self.degree[target_frontier].sum() <= BALL_BUDGET:
                target_radius += 1
                target_frontier = self._ring(target_frontier, to_target, target_radius, filters, backward)
            outside = nodes + max_hops if not len(target_frontier) else target_radius + 1
            bound = np.where(to_target >= 0, to_target, outside)
            path, on_path = [source], {source}

            def extend(node: int, used: int, hops: int = hops, path: list[int] = path, on_path: set[int] = on_path,
                       bound: Ints = bound) -> None:
                if used == hops:
                    if node == target:
                        found.append(list(path))
                    return
                candidates = neighbours(node)
                candidates = candidates[used + 1 + bound[candidates] <= hops]
                for nxt in candidates.tolist():
                    if nxt in on_path or (nxt == target) != (used + 1 == hops):
                        continue
                    path.append(nxt)
                    on_path.add(nxt)
                    extend(nxt, used + 1)
                    path.pop()
                    on_path.discard(nxt)
                    if len(found) >= k:
                        return

            extend(source, 0)
            if len(found) >= k:
                break
        return found[:k]

    def _ring(self, frontier: Ints, distance: Ints, radius: int, filters: Filters, direction: Direction) -> Ints:
        """Expand one level of a breadth-first search: the entities first reached, their distance set."""
        _, reached, _ = self.steps_from(frontier, filters, direction)
        reached = np.unique(reached)
        new = reached[distance[reached] < 0]
        distance[new] = radius
        return new

    def hop_slots(self, a: int, b: int, filters: Filters, directed: bool) -> Ints:
        """The admitted claims behind one step of a path from ``a`` to ``b``."""
        _, reached, slots = self.steps_from(np.array([a], dtype=np.int64), filters,
                                                  "out" if directed else "both")
        return np.unique(slots[reached == b])


def _csr(owners: Ints, slots: Ints, nodes: int) -> tuple[Ints, Ints]:
    order = np.argsort(owners, kind="stable")
    counts = np.bincount(owners, minlength=nodes)
    ptr = np.zeros(nodes + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr, slots[order]

