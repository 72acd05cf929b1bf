"""Both stores rank paths alike where ranking is hard, and the Neo4j store finds them in one round trip.

The graph is small and drawn by hand so that every rule of a path search in ``graph.stores.traversal``
decides something: several paths of each length (ties broken by the ids along them), parallel claims
on one hop (two claims, one path), a claim that steps only one way (the ``directed`` search drops it),
a symmetric claim stored against the direction of travel (which the ``directed`` search still takes),
a cycle (a longer path may not pass an entity twice), and type and status filters. Every combination of
those options is asked of the embedded store, of Neo4j through the project's procedure (``kg.paths``, one
statement) and of Neo4j level by level (a server without the procedure); a few answers are also checked
by their content.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from itertools import product
from pathlib import Path

import pytest

from benchmarks.roundtrips import CountingDriver, counted
from graph.domain.errors import EntityNotFound
from graph.domain.model import Batch, Claim, Entity, Hop, Source
from graph.domain.ontology import Ontology
from graph.stores.neo4j import procedures
from graph.stores.neo4j.server import LocalServer
from graph.stores.neo4j.store import Neo4jStore
from graph.stores.protocol import GraphStore
from graph.stores.sqlite.store import SqliteStore
from tests.conftest import Neo4jTestDatabase

Three = tuple[GraphStore, Neo4jStore, Neo4jStore]
WIRE = "paths-wire"
# (claim id, subject, type, object): from grp-s to grp-t, four ways of two hops (grp-m1 only against the
# direction of its second claim, grp-m3 over two parallel claims, grp-m4 over a symmetric claim stored
# from grp-m4 to grp-s), more of three (grp-m2 and grp-m3 joined both ways round, grp-x1 to grp-x2) and
# of four (through grp-x3).
CLAIMS = [
    ("p01", "grp-s", "SUPPORTS", "grp-m1"), ("p02", "grp-t", "SUPPORTS", "grp-m1"),
    ("p03", "grp-s", "OPPOSES", "grp-m2"), ("p04", "grp-m2", "OPPOSES", "grp-t"),
    ("p05", "grp-s", "ATTACKED", "grp-m3"), ("p06", "grp-s", "ATTACKED", "grp-m3"),
    ("p07", "grp-m3", "ATTACKED", "grp-t"),
    ("p08", "grp-m4", "ALLIED_WITH", "grp-s"), ("p09", "grp-m4", "OPPOSES", "grp-t"),
    ("p10", "grp-m2", "OPPOSES", "grp-m3"), ("p11", "grp-s", "OPPOSES", "grp-x1"),
    ("p12", "grp-x1", "OPPOSES", "grp-x2"), ("p13", "grp-x2", "OPPOSES", "grp-t"),
    ("p14", "grp-m2", "OPPOSES", "grp-x2"), ("p15", "grp-x1", "OPPOSES", "grp-x3"),
    ("p16", "grp-x3", "SUPPORTS", "grp-x4"), ("p17", "grp-x4", "OPPOSES", "grp-t"),
]
# Claimed, not reported: a status filter drops the shortest way round through grp-m2 and the one through grp-x2.
CLAIMED = {"p04", "p13"}
ENTITIES = sorted({end for _, subject, _, obj in CLAIMS for end in (subject, obj)} | {"grp-lone"})


def drawn() -> Batch:
    """The graph above, every claim quoted from one report."""
    text, claims = "", []
    for claim_id, subject, relation, obj in CLAIMS:
        sentence = f"{subject} {relation.lower().replace('_', ' ')} {obj} ({claim_id})."
        claims.append(Claim.model_validate({
            "id": claim_id, "subject": subject, "type": relation, "object": obj,
            "status": "claimed" if claim_id in CLAIMED else "reported",
            "asserted_by": WIRE, "date": "2024-03-01", "source": "paths-report", "quote": sentence,
            "span": (len(text), len(text) + len(sentence))}))
        text += sentence + "\n"
    entities = [Entity(id=WIRE, name="Paths Wire", kind="organization")]
    entities += [Entity(id=e, name=f"Group {e.removeprefix('grp-').upper()}", kind="armed_group") for e in ENTITIES]
    return Batch(entities=entities, sources=[Source(id="paths-report", title="Paths", outlet="Paths Wire",
                                                   outlet_id=WIRE, text=text)], claims=claims)


@pytest.fixture(scope="module")
def stores(neo4j_database: Neo4jTestDatabase,
           ontology: Ontology) -> Iterator[Three]:
    """The embedded store, Neo4j searching with the procedure, and the same Neo4j searching level by level."""
    batch = drawn()
    memory = SqliteStore(ontology)
    memory.upsert(batch)
    neo4j = neo4j_database.reset(ontology, seeded=False)
    neo4j.upsert(batch)
    by_levels = Neo4jStore(neo4j_database.driver, ontology, uri=neo4j_database.status.bolt_uri, timeout=60,
                           procedures=False)
    yield memory, neo4j, by_levels
    memory.close()
    neo4j_database.reset(ontology, seeded=bool(neo4j_database.seeded_readers))


def shape(paths: list[list[Hop]]) -> list[list[tuple[str, str, list[str]]]]:
    return [[(hop.from_, hop.to, [c.id for c in hop.claims]) for hop in path] for path in paths]


def entities_along(paths: list[list[Hop]]) -> list[list[str]]:
    return [[path[0].from_, *(hop.to for hop in path)] for path in paths]


def test_the_test_server_holds_this_build_of_the_procedures(stores: Three) -> None:
    _, neo4j, by_levels = stores
    assert neo4j.has_procedures(), "kg neo4j start installs them; without them this suite compares nothing new"
    assert not by_levels.has_procedures()


def test_paths_agree_under_every_option(stores: Three) -> None:
    memory, neo4j, by_levels = stores
    found = 0
    for (source, target), k, max_hops, directed, types, statuses in product(
            [("grp-s", "grp-t"), ("grp-t", "grp-s"), ("grp-m1", "grp-x4"), ("grp-s", "grp-lone")],
            [1, 2, 3, 5, 8, 20], [1, 2, 3, 4, 5], [False, True],
            [None, ["OPPOSES"], ["ALLIED_WITH", "OPPOSES"], ["ATTACKED", "SUPPORTS"]], [None, ["reported"]]):
        options = {"k": k, "max_hops": max_hops, "directed": directed, "types": types, "statuses": statuses}
        expected = shape(memory.paths(source, target, **options))  # type: ignore[arg-type]
        assert expected == shape(neo4j.paths(source, target, **options)), (source, target, options)  # type: ignore[arg-type]
        assert expected == shape(by_levels.paths(source, target, **options)), (source, target, options)  # type: ignore[arg-type]
        found += len(expected) > 1
    assert found >= 300, "the comparison must cover answers of several paths, not only empty ones"


def test_a_status_filter_drops_the_claims_of_other_statuses(stores: Three) -> None:
    for store in stores:
        options = {"max_hops": 3, "k": 20, "types": ["ALLIED_WITH", "OPPOSES"]}
        assert entities_along(store.paths("grp-s", "grp-t", **options)) == [  # type: ignore[arg-type]
            ["grp-s", "grp-m2", "grp-t"], ["grp-s", "grp-m4", "grp-t"], ["grp-s", "grp-m2", "grp-x2", "grp-t"],
            ["grp-s", "grp-x1", "grp-x2", "grp-t"]], store
        kept = entities_along(store.paths("grp-s", "grp-t", statuses=["reported"], **options))  # type: ignore[arg-type]
        assert kept == [["grp-s", "grp-m4", "grp-t"]], store


def test_ties_are_ranked_by_the_ids_along_the_paths(stores: Three) -> None:
    for store in stores:
        assert entities_along(store.paths("grp-s", "grp-t", max_hops=3, k=6)) == [
            ["grp-s", "grp-m1", "grp-t"], ["grp-s", "grp-m2", "grp-t"], ["grp-s", "grp-m3", "grp-t"],
            ["grp-s", "grp-m4", "grp-t"], ["grp-s", "grp-m2", "grp-m3", "grp-t"],
            ["grp-s", "grp-m2", "grp-x2", "grp-t"]]


def test_parallel_claims_make_one_path_with_both_claims_on_its_hop(stores: Three) -> None:
    for store in stores:
        paths = store.paths("grp-s", "grp-t", max_hops=2, k=20, types=["ATTACKED"])
        assert shape(paths) == [[("grp-s", "grp-m3", ["p05", "p06"]), ("grp-m3", "grp-t", ["p07"])]]


def test_a_directed_search_steps_forward_or_over_symmetric_claims(stores: Three) -> None:
    for store in stores:
        first = entities_along(store.paths("grp-s", "grp-t", max_hops=2, k=20, directed=True))
        assert first == [["grp-s", "grp-m2", "grp-t"], ["grp-s", "grp-m3", "grp-t"], ["grp-s", "grp-m4", "grp-t"]]
        assert store.paths("grp-t", "grp-s", max_hops=4, k=3, directed=True) == []


def test_a_longer_path_never_passes_an_entity_twice(stores: Three) -> None:
    for store in stores:
        for nodes in entities_along(store.paths("grp-s", "grp-t", max_hops=5, k=20)):
            assert len(nodes) == len(set(nodes)), nodes


def test_a_neo4j_path_search_is_one_round_trip(stores: Three,
                                               neo4j_database: Neo4jTestDatabase, ontology: Ontology) -> None:
    memory = stores[0]
    driver = CountingDriver(neo4j_database.driver)
    store = Neo4jStore(driver, ontology, uri=neo4j_database.status.bolt_uri, timeout=60)  # type: ignore[arg-type]
    store.revision()  # the connection check a store makes once, before its first query
    store.has_procedures()  # asked once, on the first search
    for source, target, options in [("grp-s", "grp-t", {"max_hops": 4, "k": 8}),
                                    ("grp-t", "grp-x3", {"max_hops": 3, "k": 1, "directed": False}),
                                    ("grp-s", "grp-lone", {"max_hops": 6, "k": 20})]:
        with counted(driver) as tally:
            answer = store.paths(source, target, **options)  # type: ignore[arg-type]
        assert (tally.transactions, tally.queries, tally.records) == (1, 1, 1), (source, target, tally)
        assert shape(answer) == shape(memory.paths(source, target, **options))  # type: ignore[arg-type]


def test_an_end_the_graph_does_not_hold_is_named(stores: Three) -> None:
    # That Neo4j learns it in the search's own round trip, the round-trip test shows (grp-lone: no path, one trip).
    for store in stores:
        for source, target in [("grp-s", "grp-nowhere"), ("grp-nowhere", "grp-t")]:
            with pytest.raises(EntityNotFound) as missing:
                store.paths(source, target, max_hops=3)
            assert missing.value.name == "grp-nowhere", store


def test_the_procedure_is_compiled_once_for_each_build_of_its_source(neo4j_database: Neo4jTestDatabase,
                                                                     tmp_path: Path) -> None:
    jars = LocalServer(Path(neo4j_database.status.home or "")).jars
    plugins = tmp_path / "plugins"
    (plugins).mkdir()
    stale = plugins / f"{procedures.JAR_PREFIX}0000000000000000.jar"
    stale.write_bytes(b"an older build")
    jar = procedures.install(jars, plugins)
    assert jar is not None and jar.name == f"{procedures.JAR_PREFIX}{procedures.digest()}.jar"
    with zipfile.ZipFile(jar) as archive:
        assert {"kg/Paths.class", "kg/Version.class"} <= set(archive.namelist())
    assert not stale.exists(), "an older build must not stay beside the new one (two kg.paths would clash)"
    built = jar.stat().st_mtime_ns
    assert procedures.install(jars, plugins) == jar and jar.stat().st_mtime_ns == built


def test_a_claim_of_a_load_under_way_is_walked_only_once_published(stores: Three, neo4j_database: Neo4jTestDatabase,
                                                                   ontology: Ontology) -> None:
    # The procedure is told to read no load mark when no claim carries one; this is the case where some do.
    _, neo4j, by_levels = stores
    shortcut = drawn().claims[0].model_copy(update={"id": "p99", "subject": "grp-s", "type": "ATTACKED",
                                                    "object": "grp-t"})
    try:
        load = neo4j.begin_load(1)
        neo4j.write_chunk(load, Batch(claims=[shortcut]))
        for store in (neo4j, by_levels):
            assert entities_along(store.paths("grp-s", "grp-t", max_hops=2)) == [["grp-s", "grp-m1", "grp-t"]]
        neo4j.publish_load(load, Batch())  # published, its marks not yet taken off
        for store in (neo4j, by_levels):
            assert shape(store.paths("grp-s", "grp-t", max_hops=2)) == [[("grp-s", "grp-t", ["p99"])]]
        neo4j.settle_load(load)
        assert shape(neo4j.paths("grp-s", "grp-t", max_hops=2)) == [[("grp-s", "grp-t", ["p99"])]]
    finally:
        neo4j_database.reset(ontology, seeded=False).upsert(drawn())  # the module's graph again
