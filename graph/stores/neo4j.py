"""The Neo4j store: the same protocol as the embedded store, on a Neo4j 5 server.

Graph shape: ``(:Entity:<Label>)`` nodes (label from the ontology's entity kind) with
``id``, ``name``, ``kind``, ``aliases``; ``(:Source)`` nodes with the report's metadata
and text; each claim a relationship of its ontology type between entities, carrying the
claim's properties; and one ``(:Source)-[:REPORTS {claim}]->(subject)`` entry per claim
(see ``cypher/schema.cypher`` for why). All Cypher is in ``cypher/``, loaded by name;
every value is a parameter, and labels and types are checked against the ontology.

Reads run in read transactions and writes in write transactions, so a cluster or Aura
(``neo4j://``, ``neo4j+s://``) routes them. Neighbourhoods and paths are gathered level by
level in Cypher and ranked by the rules in ``graph.traversal`` that the embedded store
also uses, so both stores give the same answers.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import pairwise
from typing import Any, TypeVar

from neo4j import READ_ACCESS, Driver, GraphDatabase, ManagedTransaction, unit_of_work
from neo4j.exceptions import AuthError, ClientError, ConfigurationError, DriverError, Neo4jError

from graph.cypher import query, statements
from graph.dates import DateWindow, parse_optional
from graph.errors import ClaimNotFound, EntityNotFound, InvalidParameter, KgError, SourceNotFound, StoreUnavailable
from graph.model import (
    Alias,
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
from graph.traversal import as_hops, attributes_match, endpoints_match, path_graph, shortest_paths, steps

_T = TypeVar("_T")
# Rows per UNWIND: large enough to amortise round trips, small enough for a modest heap.
BATCH_ROWS = 2_000
KINDS = ("entities", "sources", "claims")


SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def connect(uri: str, user: str, password: str | None) -> Driver:
    """A driver for ``uri``; creating it does not touch the network, so errors surface on first use."""
    scheme = uri.split("://", 1)[0] if "://" in uri else ""
    if scheme not in SCHEMES:
        raise StoreUnavailable(f"cannot use Neo4j URI {uri!r}: the scheme must be one of "
                               f"{', '.join(s + '://' for s in SCHEMES)}")
    if not password:
        raise StoreUnavailable(f"no password for Neo4j at {uri}: set NEO4J_PASSWORD")
    try:
        # The store's queries are fixed; the server's notifications about them are noise in logs.
        return GraphDatabase.driver(uri, auth=(user, password or ""), notifications_min_severity="OFF",
                                    connection_timeout=10.0)
    except (ConfigurationError, ValueError) as error:
        raise StoreUnavailable(f"cannot use Neo4j URI {uri!r}: {error}") from error


class Neo4jStore:
    """Graph store on a Neo4j server, through a driver created once and passed in."""

    def __init__(self, driver: Driver, ontology: Ontology, *, database: str = "neo4j",
                 timeout: float | None = None, uri: str | None = None) -> None:
        self._driver = driver
        self._uri = uri or "the configured Neo4j server"
        self._ontology = ontology
        self._database = database
        self._timeout = timeout
        self._schema_ready = False
        self._verified = False
        self._index_lock = threading.Lock()
        self._index: tuple[int, AliasIndex] | None = None
        self._symmetric = sorted(name for name, rel in ontology.relation_types.items() if rel.symmetric)

    @property
    def address(self) -> str:
        """Where the store points, for error messages."""
        return f"{self._uri} (database {self._database!r})"

    # --- transactions -------------------------------------------------------------------

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn driver failures into the store's own errors, naming the server."""
        where = self.address
        try:
            yield
        except KgError:
            raise
        except AuthError as error:
            raise StoreUnavailable(f"Neo4j at {where} refused the credentials: {(error.message or '').rstrip('.')}. "
                                   "Check NEO4J_USER and NEO4J_PASSWORD.") from error
        except ClientError as error:
            if error.code and "DatabaseNotFound" in error.code:
                raise StoreUnavailable(f"Neo4j at {where}: no such database; "
                                       "check NEO4J_DATABASE") from error
            if error.code and "TransactionTimedOut" in error.code:
                raise StoreUnavailable(f"a query to Neo4j at {where} ran past the {self._timeout} s timeout "
                                       "(KG_QUERY_TIMEOUT); narrow it (fewer hops, types, a date window)") from error
            raise StoreUnavailable(f"Neo4j at {where} rejected a query: {error.code}: {error.message}") from error
        except (Neo4jError, DriverError, OSError) as error:
            raise StoreUnavailable(f"cannot reach Neo4j at {where}: {error}") from error

    def _connect(self) -> None:
        """Check the server once before the first query: an unreachable server or a wrong password then
        fails at once with a clear message, instead of after the driver's retries."""
        if not self._verified:
            self.verify()
            self._verified = True

    def _read(self, work: Callable[[ManagedTransaction], _T]) -> _T:
        self._connect()
        # Read mode twice over: the session's default and the transaction function. Neo4j refuses
        # any write in it, so a read can never change the graph, whatever its Cypher says.
        with self._guard(), self._driver.session(database=self._database, default_access_mode=READ_ACCESS) as session:
            return session.execute_read(unit_of_work(timeout=self._timeout)(work))

    def _write(self, work: Callable[[ManagedTransaction], _T]) -> _T:
        # No timeout on writes: a load is one transaction, and a large one must not be cut off
        # halfway by a limit meant for interactive reads.
        self._ensure_schema()
        with self._guard(), self._driver.session(database=self._database) as session:
            return session.execute_write(work)

    def _read_one(self, name: str, **parameters: Any) -> list[dict[str, Any]]:
        return self._read(lambda tx: _rows(tx, name, parameters))

    def _ensure_schema(self) -> None:
        """Apply ``cypher/schema.cypher`` once per store object; every statement is idempotent."""
        if self._schema_ready:
            return
        self._connect()
        with self._guard(), self._driver.session(database=self._database) as session:
            for statement in statements("schema"):
                session.run(statement).consume()
        self._schema_ready = True

    def verify(self) -> None:
        """Fail now, with the server named, if the server cannot be reached or refuses the login."""
        with self._guard():
            self._driver.verify_connectivity()
            with self._driver.session(database=self._database, default_access_mode=READ_ACCESS) as session:
                session.run(query("revision")).consume()

    def close(self) -> None:
        """Close the driver (the store owns nothing else)."""
        self._driver.close()

    def clear(self) -> None:
        """Delete everything in the database: for tests and `kg neo4j reset`, never for a load."""
        self._connect()
        with self._guard(), self._driver.session(database=self._database) as session:
            session.run(query("clear")).consume()
        with self._index_lock:
            self._index = None

    def revision(self) -> int:
        """A counter that grows with every write that changed something."""
        rows = self._read_one("revision")
        return int(rows[0]["revision"])

    # --- writes -----------------------------------------------------------------------

    def upsert(self, batch: Batch) -> UpsertResult:
        """Merge a batch by id in one write transaction: all of it, or nothing."""
        for entity in batch.entities:
            if entity.kind not in self._ontology.entity_kinds:
                raise KgError(f"refusing entity {entity.id}: kind {entity.kind!r} is not in the ontology")
        for claim in batch.claims:
            if claim.type not in self._ontology.relation_types:
                raise KgError(f"refusing claim {claim.id}: type {claim.type!r} is not in the ontology")
        return self._write(lambda tx: self._upsert(tx, batch))

    def _upsert(self, tx: ManagedTransaction, batch: Batch) -> UpsertResult:
        entities = {e.id: e for e in batch.entities}
        sources = {s.id: s for s in batch.sources}
        claims = {c.id: c for c in batch.claims}
        old_entities = {e.id: e for e in map(_entity_from, _column(tx, "entities_by_id", "entity", list(entities)))}
        old_sources = {s.id: s for s in map(_source_from, _column(tx, "sources_by_id", "source", list(sources)))}
        old_claims = {c.id: c for c in map(_claim_from, _rows(tx, "claims_by_id", {"ids": list(claims)}))}
        counts: dict[str, dict[str, int]] = {outcome: dict.fromkeys(KINDS, 0)
                                             for outcome in ("created", "updated", "unchanged")}
        changed: dict[str, list[Any]] = {kind: [] for kind in KINDS}
        for kind, new, old in (("entities", entities, old_entities), ("sources", sources, old_sources),
                               ("claims", claims, old_claims)):
            for record_id, record in new.items():
                previous = old.get(record_id)
                outcome = "created" if previous is None else "unchanged" if previous == record else "updated"
                counts[outcome][kind] += 1
                if outcome != "unchanged":
                    changed[kind].append(record)
        self._check_integrity(tx, batch, entities, sources, claims)
        for chunk in _chunks([self._entity_row(e) for e in changed["entities"]]):
            tx.run(query("upsert_entities"), {"entities": chunk}).consume()
        for chunk in _chunks([_source_row(s) for s in changed["sources"]]):
            tx.run(query("upsert_sources"), {"sources": chunk}).consume()
        replaced = [c.id for c in changed["claims"] if c.id in old_claims]
        for chunk in _chunks(replaced):
            tx.run(query("delete_claims"), {"ids": chunk}).consume()
        for chunk in _chunks([_claim_row(c) for c in changed["claims"]]):
            written = tx.run(query("create_claims"), {"claims": chunk}).single()
            if written is None or written["written"] != len(chunk):
                raise KgError("refusing an inconsistent write: a claim's subject, object or source is missing")
        if any(changed.values()):
            tx.run(query("bump_revision")).consume()
        return UpsertResult(**counts)

    def _check_integrity(self, tx: ManagedTransaction, batch: Batch, entities: dict[str, Entity],
                         sources: dict[str, Source], claims: dict[str, Claim]) -> None:
        """Refuse claims pointing at entities, sources or claims that neither the batch nor the graph holds."""
        wanted_entities = {v for c in batch.claims for v in (c.subject, c.object, c.asserted_by, c.location)
                           if v is not None and v not in entities}
        wanted_sources = {c.source for c in batch.claims if c.source not in sources}
        wanted_claims = {c.denies for c in batch.claims if c.denies is not None and c.denies not in claims}
        found_entities = {row["id"] for row in _column(tx, "entities_by_id", "entity", sorted(wanted_entities))}
        found_sources = {row["id"] for row in _column(tx, "sources_by_id", "source", sorted(wanted_sources))}
        found_claims = {row["claim"]["id"] for row in _rows(tx, "claims_by_id", {"ids": sorted(wanted_claims)})}
        missing = []
        for claim in batch.claims:
            for role in ("subject", "object", "asserted_by", "location"):
                value = getattr(claim, role)
                if value is not None and value in wanted_entities - found_entities:
                    missing.append(f"claim {claim.id}: {role} {value!r} is not an entity")
            if claim.source in wanted_sources - found_sources:
                missing.append(f"claim {claim.id}: source {claim.source!r} is not a source")
            if claim.denies is not None and claim.denies in wanted_claims - found_claims:
                missing.append(f"claim {claim.id}: denies {claim.denies!r}, which is not a claim")
        if missing:
            raise KgError("refusing an inconsistent write: " + "; ".join(missing[:10]))

    def _entity_row(self, entity: Entity) -> dict[str, Any]:
        properties: dict[str, Any] = {
            "id": entity.id, "name": entity.name, "kind": entity.kind,
            "aliases": [alias.name for alias in entity.aliases],
        }
        if entity.description is not None:
            properties["description"] = entity.description
        if any(alias.valid_from or alias.valid_until or alias.note for alias in entity.aliases):
            # Neo4j properties cannot hold maps; the windows and notes travel as JSON.
            properties["alias_details"] = json.dumps([a.model_dump(exclude_none=True) for a in entity.aliases],
                                                     ensure_ascii=False)
        return {"id": entity.id, "label": self._ontology.entity_kinds[entity.kind].label, "properties": properties}

    # --- entities and sources -----------------------------------------------------------

    def _alias_index(self) -> AliasIndex:
        """The alias index of the current revision, rebuilt only after a write."""
        current = self.revision()
        with self._index_lock:
            if self._index is None or self._index[0] != current:
                self._index = (current, AliasIndex(self.entities()))
            return self._index[1]

    def entities(self) -> list[Entity]:
        """Every entity, ordered by id."""
        return [_entity_from(row["entity"]) for row in self._read_one("entities")]

    def get_entity(self, entity_id: str) -> Entity:
        """The entity with this exact id."""
        rows = self._read_one("entities_by_id", ids=[entity_id])
        if not rows:
            raise EntityNotFound(entity_id, self._alias_index().suggest(entity_id))
        return _entity_from(rows[0]["entity"])

    def resolve(self, name: str, at: str | None = None) -> Entity:
        """The entity a name or alias stands for."""
        return self._alias_index().resolve(name, at)

    def find_entities(self, query: str, *, kind: str | None = None, limit: int = 10) -> list[EntityMatch]:
        """Entities ranked by name similarity (the same ranking as the embedded store)."""
        return self._alias_index().search(query, kind=kind, limit=limit)

    def sources(self) -> list[Source]:
        """Every source, ordered by id."""
        return [_source_from(row["source"]) for row in self._read_one("sources")]

    def get_source(self, source_id: str) -> Source:
        """The source with this id."""
        rows = self._read_one("sources_by_id", ids=[source_id])
        if not rows:
            raise SourceNotFound(f"no source has id {source_id!r}", details={"id": source_id})
        return _source_from(rows[0]["source"])

    # --- claims -------------------------------------------------------------------------

    def get_claim(self, claim_id: str) -> ClaimView:
        """The claim with this id."""
        def work(tx: ManagedTransaction) -> list[ClaimView]:
            return self._views(tx, [_claim_from(row) for row in _rows(tx, "claims_by_id", {"ids": [claim_id]})])

        found = self._read(work)
        if not found:
            raise ClaimNotFound(f"no claim has id {claim_id!r}", details={"id": claim_id})
        return found[0]

    def claims(self, query: ClaimQuery) -> list[ClaimView]:
        """Claims matching every filter; symmetric types match with either end as subject."""
        types = list(query.types) if query.types is not None else None
        statuses = list(query.statuses) if query.statuses is not None else None
        filters = {"types": types, "statuses": statuses, "source": query.source,
                   "min_confidence": query.min_confidence, **_window_bounds(query.window)}
        unanchored = {"location": query.location, "asserted_by": query.asserted_by}
        anchor = query.subject if query.subject is not None else query.object

        def work(tx: ManagedTransaction) -> list[ClaimView]:
            if anchor is None:
                rows = _rows(tx, "claims", {**filters, **unanchored})
            else:
                rows = _rows(tx, "claims_touching", {"anchors": [anchor], "among": None, **filters})
            found = [
                c for c in map(_claim_from, rows)
                if endpoints_match(c, self._ontology, query.subject, query.object)
                and query.window.admits(c.date, c.end_date) and claim_matches(c, query)
            ]
            views = self._views(tx, found)
            if query.disputed is not None:
                views = [v for v in views if v.disputed == query.disputed]
            return views

        return self._read(work)

    def _views(self, tx: ManagedTransaction, claims: list[Claim]) -> list[ClaimView]:
        """Claims with ``disputed`` set from the denials in the graph, ordered by id."""
        denied_by: dict[str, list[str]] = defaultdict(list)
        if claims:
            for row in _rows(tx, "denials", {}):
                denied_by[row["id"]].append(row["denied_by"])
        return sorted(
            (ClaimView(**c.model_dump(), disputed=bool(denied_by[c.id]), disputed_by=sorted(denied_by[c.id]))
             for c in claims),
            key=lambda v: v.id,
        )

    def _touching(self, tx: ManagedTransaction, anchors: Iterable[str], types: list[str] | None,
                  statuses: list[str] | None, window: DateWindow | None, min_confidence: float,
                  among: list[str] | None = None) -> list[Claim]:
        """Claims at the given entities that pass every filter (and join two of ``among``): one step of a walk."""
        found: list[Claim] = []
        for chunk in _chunks(sorted(anchors)):
            rows = _rows(tx, "claims_touching", {"anchors": chunk, "types": types, "statuses": statuses,
                                                 "source": None, "min_confidence": min_confidence,
                                                 "among": among, **_window_bounds(window)})
            found.extend(c for c in map(_claim_from, rows)
                         if attributes_match(c, None, None, window, min_confidence))
        return found

    # --- traversals ---------------------------------------------------------------------

    def neighbourhood(self, center: str, *, depth: int = 1, types: Iterable[str] | None = None,
                      direction: Direction = "both", window: DateWindow | None = None,
                      statuses: Iterable[str] | None = None, min_confidence: float = 0.0) -> Subgraph:
        """Entities within ``depth`` hops over matching claims, and every matching claim among them."""
        check_depth(depth)
        check_direction(direction)
        wanted_types = list(types) if types is not None else None
        wanted_statuses = list(statuses) if statuses is not None else None

        def work(tx: ManagedTransaction) -> Subgraph:
            entity = self._entity_in(tx, center)
            distance = {center: 0}
            gathered: dict[str, Claim] = {}
            frontier = {center}
            for level in range(depth):
                found = self._touching(tx, frontier, wanted_types, wanted_statuses, window, min_confidence)
                gathered.update((c.id, c) for c in found)
                frontier = {b for c in found for a, b in steps(c, self._ontology, direction)
                            if a in frontier and b not in distance}
                distance.update(dict.fromkeys(frontier, level + 1))
                if not frontier:
                    break
            # The outer ring's claims among the neighbourhood are links too; only those are fetched.
            gathered.update((c.id, c) for c in self._touching(tx, frontier, wanted_types, wanted_statuses, window,
                                                              min_confidence, among=sorted(distance)))
            names = {e.id: e for e in map(_entity_from, _column(tx, "entities_by_id", "entity", list(distance)))}
            names[center] = entity
            views = {v.id: v for v in self._views(tx, list(gathered.values()))}
            nodes = [SubgraphNode(id=n, name=names[n].name, kind=names[n].kind, depth=d)
                     for n, d in sorted(distance.items(), key=lambda item: (item[1], item[0]))]
            links = [SubgraphLink(source=v.subject, target=v.object, key=v.id, type=v.type, claim=v)
                     for v in views.values() if v.subject in distance and v.object in distance]
            return Subgraph(center=center, nodes=nodes, links=links)

        return self._read(work)

    def paths(self, source: str, target: str, *, max_hops: int = 4, k: int = 1,
              types: Iterable[str] | None = None, directed: bool = False) -> list[list[Hop]]:
        """The ``k`` shortest simple paths, ties ordered by the ids along them so answers are stable."""
        check_path_options(max_hops, k)
        if source == target:
            raise InvalidParameter("target", target, "a path needs two different entities")
        wanted_types = list(types) if types is not None else None
        direction: Direction = "out" if directed else "both"

        def work(tx: ManagedTransaction) -> list[list[Hop]]:
            self._entity_in(tx, source)
            self._entity_in(tx, target)
            # Meet in the middle: on a path of at most max_hops hops, every hop starts within
            # ceil(max_hops / 2) - 1 steps of the source or ends within floor(max_hops / 2) - 1
            # steps of the target, so the claims at those two small balls hold every such path.
            gathered: dict[str, Claim] = {}
            outward = (max_hops + 1) // 2
            for start, radius, way in ((source, outward, direction),
                                       (target, max_hops - outward, "in" if directed else "both")):
                seen, frontier = {start}, {start}
                for _ in range(radius):
                    found = self._touching(tx, frontier, wanted_types, None, None, 0.0)
                    gathered.update((c.id, c) for c in found)
                    frontier = {b for c in found for a, b in steps(c, self._ontology, way)
                                if a in frontier and b not in seen}
                    seen |= frontier
                    if not frontier:
                        break
            graph, between = path_graph(gathered.values(), self._ontology, directed)
            found_paths = shortest_paths(graph, source, target, max_hops=max_hops, k=k)
            used = {c.id for a, b in _pairs(found_paths) for c in between[(a, b)]}
            views = {v.id: v for v in self._views(tx, [gathered[i] for i in used])}
            return as_hops(found_paths, between, lambda c: views[c.id])

        return self._read(work)

    def _entity_in(self, tx: ManagedTransaction, entity_id: str) -> Entity:
        """An entity read in the query's own transaction, so the check and the walk see one graph."""
        rows = _column(tx, "entities_by_id", "entity", [entity_id])
        if not rows:
            raise EntityNotFound(entity_id, self._alias_index().suggest(entity_id))
        return _entity_from(rows[0])

    def stats(self) -> Stats:
        """Counts by kind, type and status."""
        row = self._read_one("stats")[0]
        return Stats(
            entities=row["entities"], sources=row["sources"], claims=sum(n for _, n in row["claims_by_type"]),
            disputed_claims=row["disputed_claims"],
            entities_by_kind=dict(sorted((k, n) for k, n in row["entities_by_kind"])),
            claims_by_type=dict(sorted((k, n) for k, n in row["claims_by_type"])),
            claims_by_status=dict(sorted((k, n) for k, n in row["claims_by_status"])),
        )


# --- rows to models ---------------------------------------------------------------------

def _rows(tx: ManagedTransaction, name: str, parameters: dict[str, Any]) -> list[dict[str, Any]]:
    return tx.run(query(name), parameters).data()


def _column(tx: ManagedTransaction, name: str, column: str, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    return [row[column] for row in _rows(tx, name, {"ids": ids})]


def _entity_from(properties: dict[str, Any]) -> Entity:
    details = properties.get("alias_details")
    aliases = ([Alias.model_validate(a) for a in json.loads(details)] if details
               else [Alias(name=name) for name in properties.get("aliases", [])])
    return Entity(id=properties["id"], name=properties["name"], kind=properties["kind"],
                  description=properties.get("description"), aliases=aliases)


def _source_from(properties: dict[str, Any]) -> Source:
    return Source.model_validate(properties)


def _source_row(source: Source) -> dict[str, Any]:
    return source.model_dump(exclude_none=True)


def _claim_from(row: dict[str, Any]) -> Claim:
    properties = dict(row["claim"])
    properties["span"] = tuple(properties["span"])
    properties.pop("happened_from", None)
    properties.pop("happened_to", None)
    return Claim(**properties, subject=row["subject"], type=row["type"], object=row["object"])


def _claim_row(claim: Claim) -> dict[str, Any]:
    properties = claim.model_dump(exclude_none=True, exclude={"subject", "type", "object"})
    properties["span"] = list(claim.span)
    # The days a claim's dates cover, at their precision: what lets Cypher filter date windows.
    first = parse_optional(claim.date)
    last = parse_optional(claim.end_date) or first
    if first is not None:
        properties["happened_from"] = first.start.isoformat()
    if last is not None:
        properties["happened_to"] = last.end.isoformat()
    return {"subject": claim.subject, "type": claim.type, "object": claim.object, "source": claim.source,
            "properties": properties}


def _window_bounds(window: DateWindow | None) -> dict[str, str | None]:
    """A window as the first and last day it admits (``None`` for an open end)."""
    since = window.since.start.isoformat() if window is not None and window.since is not None else None
    until = window.until.end.isoformat() if window is not None and window.until is not None else None
    return {"since": since, "until": until}


def _chunks(rows: list[_T]) -> Iterator[list[_T]]:
    for start in range(0, len(rows), BATCH_ROWS):
        yield rows[start:start + BATCH_ROWS]


def _pairs(paths: list[list[str]]) -> Iterator[tuple[str, str]]:
    for nodes in paths:
        yield from pairwise(nodes)
