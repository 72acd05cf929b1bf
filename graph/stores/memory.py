"""The embedded store: a networkx multigraph in memory, persisted to one local JSON file.

Zero set-up is the point, so it must still never lose what a user loaded: every write
goes through an exclusive file lock, re-reads the file (another process may have
written), and replaces it atomically (temporary file, fsync, rename). A reader notices
when the file changed under it and reloads.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx
from pydantic import ValidationError

from graph.dates import DateWindow
from graph.errors import ClaimNotFound, EntityNotFound, InvalidParameter, KgError, SourceNotFound, StoreUnavailable
from graph.model import (
    Batch,
    Claim,
    ClaimView,
    Entity,
    EntityMatch,
    Hop,
    Source,
    Stats,
    Subgraph,
    SubgraphLink,
    SubgraphNode,
    UpsertResult,
)
from graph.names import AliasIndex
from graph.ontology import Direction, Ontology
from graph.store import ClaimQuery, check_depth, check_direction, check_path_options, claim_matches
from graph.traversal import as_hops, attributes_match, endpoints_match, path_graph, reach_graph, shortest_paths

_T = TypeVar("_T")
FILE_FORMAT = "kg-graph"
TRAVERSAL_CACHE_SIZE = 64
FILE_VERSION = 1


class _State:
    """One consistent snapshot of the graph and the indexes derived from it."""

    def __init__(self, entities: dict[str, Entity], sources: dict[str, Source], claims: dict[str, Claim]) -> None:
        self.entities = entities
        self.sources = sources
        self.claims = claims
        self.graph = nx.MultiDiGraph()
        for entity in entities.values():
            self.graph.add_node(entity.id, entity=entity)
        for claim in claims.values():
            self.graph.add_edge(claim.subject, claim.object, key=claim.id, claim=claim)
        self.denied_by: dict[str, list[str]] = defaultdict(list)
        for claim in sorted(claims.values(), key=lambda c: c.id):
            if claim.denies:
                self.denied_by[claim.denies].append(claim.id)
        self.index = AliasIndex(entities.values())
        self._traversals: dict[tuple[Any, ...], Any] = {}

    def cached(self, key: tuple[Any, ...], build: Callable[[], _T]) -> _T:
        """A structure derived from this snapshot, built once per distinct filter.

        Snapshots are immutable (a write makes a new one), so nothing here goes stale.
        """
        if key not in self._traversals:
            if len(self._traversals) >= TRAVERSAL_CACHE_SIZE:
                self._traversals.clear()
            self._traversals[key] = build()
        result: _T = self._traversals[key]
        return result

    def touching(self, subject: str | None, obj: str | None) -> Iterable[Claim]:
        """Claims with ``subject`` or ``obj`` at either end, from adjacency rather than a full scan."""
        anchor = subject if subject is not None else obj
        if anchor is None:
            return self.claims.values()
        if anchor not in self.graph:
            return ()
        out_edges = self.graph.out_edges(anchor, data="claim")
        in_edges = self.graph.in_edges(anchor, data="claim")
        return [claim for _, _, claim in (*out_edges, *in_edges)]

    def view(self, claim: Claim) -> ClaimView:
        denials = self.denied_by.get(claim.id, [])
        return ClaimView(**claim.model_dump(), disputed=bool(denials), disputed_by=list(denials))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "entities": [e.model_dump(exclude_none=True) for e in sorted(self.entities.values(), key=lambda e: e.id)],
            "sources": [s.model_dump(exclude_none=True) for s in sorted(self.sources.values(), key=lambda s: s.id)],
            "claims": [c.model_dump(exclude_none=True) for c in sorted(self.claims.values(), key=lambda c: c.id)],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _State:
        if data.get("format") != FILE_FORMAT or data.get("version") != FILE_VERSION:
            raise ValueError(f"expected format {FILE_FORMAT!r} version {FILE_VERSION}")
        return cls(
            {e["id"]: Entity.model_validate(e) for e in data["entities"]},
            {s["id"]: Source.model_validate(s) for s in data["sources"]},
            {c["id"]: Claim.model_validate(c) for c in data["claims"]},
        )


class MemoryStore:
    """Embedded graph store; ``path=None`` keeps it in memory only (tests, one-off runs)."""

    def __init__(self, ontology: Ontology, path: Path | None = None) -> None:
        self._ontology = ontology
        self._path = path
        self._stamp: tuple[int, int] | None = None
        self._state = _State({}, {}, {})
        if path is not None and path.exists():
            self._state, self._stamp = self._read_file()

    # --- persistence ------------------------------------------------------------------

    def _read_file(self) -> tuple[_State, tuple[int, int] | None]:
        assert self._path is not None
        try:
            stat = self._path.stat()
            data = json.loads(self._path.read_text(encoding="utf-8"))
            return _State.from_json(data), (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            return _State({}, {}, {}), None
        except (OSError, ValueError, KeyError, TypeError, ValidationError) as error:
            raise StoreUnavailable(
                f"cannot read the graph data file {self._path}: {error}. It was left untouched; "
                "move it aside or point KG_DATA_FILE elsewhere."
            ) from error

    def _current(self) -> _State:
        """The latest snapshot, reloaded if another process replaced the file."""
        if self._path is not None:
            try:
                stat = self._path.stat()
                stamp: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
            except FileNotFoundError:
                stamp = None
            if stamp != self._stamp:
                self._state, self._stamp = self._read_file()
        return self._state

    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[None]:
        if self._path is None:
            yield
            return
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            lock = self._path.with_name(self._path.name + ".lock").open("a")
        except OSError as error:
            raise StoreUnavailable(f"cannot write the graph data file {self._path}: {error}") from error
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write_file(self, state: _State) -> None:
        assert self._path is not None
        # No indent: an indented dump falls back to the pure-Python encoder, ten times slower.
        payload = json.dumps(state.to_json(), ensure_ascii=False, separators=(",", ":"))
        temporary: str | None = None
        try:
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self._path.parent, delete=False,
                                             prefix=f".{self._path.name}.", suffix=".tmp") as handle:
                temporary = handle.name
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self._path)
        except OSError as error:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
            raise StoreUnavailable(f"cannot write the graph data file {self._path}: {error}") from error
        stat = self._path.stat()
        self._stamp = (stat.st_mtime_ns, stat.st_size)

    # --- writes -----------------------------------------------------------------------

    def upsert(self, batch: Batch) -> UpsertResult:
        """Merge a batch by id and persist it; on any failure neither file nor memory changes."""
        with self._write_lock():
            if self._path is not None:
                self._state, self._stamp = self._read_file()
            current = self._state
            counts: dict[str, Counter[str]] = {"created": Counter(), "updated": Counter(), "unchanged": Counter()}
            merged: list[dict[str, Any]] = []
            for kind, old, new in (
                ("entities", current.entities, batch.entities),
                ("sources", current.sources, batch.sources),
                ("claims", current.claims, batch.claims),
            ):
                table: dict[str, Any] = dict(old)
                for record in new:
                    previous = table.get(record.id)
                    outcome = "created" if previous is None else "unchanged" if previous == record else "updated"
                    counts[outcome][kind] += 1
                    table[record.id] = record
                merged.append(table)
            state = _State(*merged)
            _check_integrity(state)
            if self._path is not None:
                self._write_file(state)
            self._state = state
        return UpsertResult(**{k: {t: v[t] for t in ("entities", "sources", "claims")} for k, v in counts.items()})

    # --- reads ------------------------------------------------------------------------

    def entities(self) -> list[Entity]:
        """Every entity, ordered by id."""
        return sorted(self._current().entities.values(), key=lambda e: e.id)

    def get_entity(self, entity_id: str) -> Entity:
        """The entity with this exact id."""
        return _entity(self._current(), entity_id)

    def resolve(self, name: str, at: str | None = None) -> Entity:
        """The entity a name or alias stands for."""
        return self._current().index.resolve(name, at)

    def find_entities(self, query: str, *, kind: str | None = None, limit: int = 10) -> list[EntityMatch]:
        """Entities ranked by name similarity."""
        return self._current().index.search(query, kind=kind, limit=limit)

    def sources(self) -> list[Source]:
        """Every source, ordered by id."""
        return sorted(self._current().sources.values(), key=lambda s: s.id)

    def get_source(self, source_id: str) -> Source:
        """The source with this id."""
        source = self._current().sources.get(source_id)
        if source is None:
            raise SourceNotFound(f"no source has id {source_id!r}", details={"id": source_id})
        return source

    def get_claim(self, claim_id: str) -> ClaimView:
        """The claim with this id."""
        state = self._current()
        claim = state.claims.get(claim_id)
        if claim is None:
            raise ClaimNotFound(f"no claim has id {claim_id!r}", details={"id": claim_id})
        return state.view(claim)

    def claims(self, query: ClaimQuery) -> list[ClaimView]:
        """Claims matching every filter; symmetric types match with either end as subject."""
        state = self._current()
        found = []
        for claim in state.touching(query.subject, query.object):
            if not endpoints_match(claim, self._ontology, query.subject, query.object):
                continue
            if not attributes_match(claim, query.types, query.statuses, query.window, query.min_confidence):
                continue
            if query.source is not None and claim.source != query.source:
                continue
            if not claim_matches(claim, query):
                continue
            view = state.view(claim)
            if query.disputed is not None and view.disputed != query.disputed:
                continue
            found.append(view)
        return sorted(found, key=lambda c: c.id)

    def neighbourhood(self, center: str, *, depth: int = 1, types: Iterable[str] | None = None,
                      direction: Direction = "both", window: DateWindow | None = None,
                      statuses: Iterable[str] | None = None, min_confidence: float = 0.0) -> Subgraph:
        """Entities within ``depth`` hops over matching claims, and every matching claim among them."""
        check_depth(depth)
        check_direction(direction)
        state = self._current()
        _entity(state, center)
        wanted = (_frozen(types), _frozen(statuses), window, min_confidence)
        matching = state.cached(("matching", *wanted), lambda: self._matching(state, *wanted))
        reach = state.cached(("reach", direction, *wanted),
                             lambda: reach_graph(matching, self._ontology, direction))
        distance = {center: 0}
        if center in reach:
            distance = nx.single_source_shortest_path_length(reach, center, cutoff=depth)
        nodes = [
            SubgraphNode(id=n, name=state.entities[n].name, kind=state.entities[n].kind, depth=d)
            for n, d in sorted(distance.items(), key=lambda item: (item[1], item[0]))
        ]
        links = [
            SubgraphLink(source=c.subject, target=c.object, key=c.id, type=c.type, claim=state.view(c))
            for c in sorted(matching, key=lambda c: c.id)
            if c.subject in distance and c.object in distance
        ]
        return Subgraph(center=center, nodes=nodes, links=links)

    def paths(self, source: str, target: str, *, max_hops: int = 4, k: int = 1,
              types: Iterable[str] | None = None, directed: bool = False) -> list[list[Hop]]:
        """The ``k`` shortest simple paths, ties ordered by the ids along them so answers are stable."""
        check_path_options(max_hops, k)
        if source == target:
            raise InvalidParameter("target", target, "a path needs two different entities")
        state = self._current()
        _entity(state, source)
        _entity(state, target)
        graph, between = state.cached(("paths", _frozen(types), directed),
                                      lambda: path_graph(self._matching(state, types, None, None, 0.0),
                                                         self._ontology, directed))
        return as_hops(shortest_paths(graph, source, target, max_hops=max_hops, k=k), between, state.view)

    def stats(self) -> Stats:
        """Counts by kind, type and status."""
        state = self._current()
        claims = list(state.claims.values())
        return Stats(
            entities=len(state.entities),
            sources=len(state.sources),
            claims=len(claims),
            disputed_claims=sum(1 for c in claims if c.id in state.denied_by),
            entities_by_kind=dict(sorted(Counter(e.kind for e in state.entities.values()).items())),
            claims_by_type=dict(sorted(Counter(c.type for c in claims).items())),
            claims_by_status=dict(sorted(Counter(c.status for c in claims).items())),
        )

    def close(self) -> None:
        """Nothing to release: every write is already on disk."""

    # --- filtering helpers --------------------------------------------------------------

    def _matching(self, state: _State, types: Iterable[str] | None, statuses: Iterable[str] | None,
                  window: DateWindow | None, min_confidence: float) -> list[Claim]:
        wanted_types = set(types) if types is not None else None
        wanted_statuses = set(statuses) if statuses is not None else None
        return [
            c for c in state.claims.values()
            if attributes_match(c, wanted_types, wanted_statuses, window, min_confidence)
        ]


def _entity(state: _State, entity_id: str) -> Entity:
    """An entity of one snapshot, so a query checks and reads the same version of the graph."""
    entity = state.entities.get(entity_id)
    if entity is None:
        raise EntityNotFound(entity_id, state.index.suggest(entity_id))
    return entity


def _frozen(values: Iterable[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


def _check_integrity(state: _State) -> None:
    """Refuse a merged graph whose claims point at missing entities, sources or claims."""
    missing = []
    for claim in state.claims.values():
        for role in ("subject", "object", "asserted_by", "location"):
            value = getattr(claim, role)
            if value is not None and value not in state.entities:
                missing.append(f"claim {claim.id}: {role} {value!r} is not an entity")
        if claim.source not in state.sources:
            missing.append(f"claim {claim.id}: source {claim.source!r} is not a source")
        if claim.denies is not None and claim.denies not in state.claims:
            missing.append(f"claim {claim.id}: denies {claim.denies!r}, which is not a claim")
    if missing:
        raise KgError("refusing an inconsistent write: " + "; ".join(missing[:10]))
