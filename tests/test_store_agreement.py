"""Both stores, loaded with the seed graph, give the same answers to every question asked of them.

The shared behavioural suite checks each store against expected content; this checks them
against each other, exhaustively over the seed graph's entities, so a divergence anywhere
in filtering, traversal or ranking shows up.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

import pytest

from graph.domain.dates import window
from graph.domain.model import Subgraph
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.stores.protocol import (
    MAX_INCIDENT_PAGE,
    BoundingBox,
    ClaimQuery,
    GraphStore,
    IncidentQuery,
    incident_matches,
)
from graph.stores.sqlite.store import SqliteStore
from tests.conftest import SEEDS, Neo4jTestDatabase


@pytest.fixture(scope="module")
def pair(neo4j_database: Neo4jTestDatabase, ontology: Ontology,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GraphStore, GraphStore]]:
    memory = SqliteStore(ontology, Path(tmp_path_factory.mktemp("agree")) / "graph.json")
    load(SEEDS, memory, ontology)
    neo4j = neo4j_database.reset(ontology, seeded=True)
    neo4j_database.seeded_readers += 1
    yield memory, neo4j
    neo4j_database.seeded_readers -= 1


def connected_entities(store: GraphStore) -> list[str]:
    """Entities at either end of some claim: the registry also lists states no claim names yet."""
    return sorted({end for claim in store.claims(ClaimQuery()) for end in (claim.subject, claim.object)})


def shape(graph: Subgraph) -> tuple[set[tuple[str, int]], set[str]]:
    return {(n.id, n.depth) for n in graph.nodes}, {link.key for link in graph.links}


def test_entities_sources_and_stats_agree(pair: tuple[GraphStore, GraphStore]) -> None:
    memory, neo4j = pair
    assert memory.entities() == neo4j.entities()
    assert memory.sources() == neo4j.sources()
    assert memory.stats() == neo4j.stats()
    for query in ("IS-K", "khorasan", "tajik", "pakistn", "Valle", "the Taliban's", "Kabul"):
        assert memory.find_entities(query) == neo4j.find_entities(query)


def test_claims_agree_under_every_filter(pair: tuple[GraphStore, GraphStore], ontology: Ontology) -> None:
    memory, neo4j = pair
    queries = [ClaimQuery(), ClaimQuery(disputed=True), ClaimQuery(disputed=False),
               ClaimQuery(window=window("2022-04", "2022-05")), ClaimQuery(window=window("2021", None)),
               ClaimQuery(min_confidence=0.9)]
    queries += [ClaimQuery(statuses=(status,)) for status in ontology.statuses]
    queries += [ClaimQuery(location=place) for place in ("kunduz", "termez", "afghanistan", "takhar")]
    queries += [ClaimQuery(asserted_by=who) for who in ("andrew-mines", "riccardo-valle", "isk", "rferl")]
    queries += [ClaimQuery(types=(name,)) for name in ontology.relation_types]
    queries += [ClaimQuery(subject=e) for e in connected_entities(memory)]
    queries += [ClaimQuery(object=e) for e in connected_entities(memory)]
    queries += [ClaimQuery(subject="taliban", object="pakistan"), ClaimQuery(subject="pakistan", object="taliban")]
    for query in queries:
        assert memory.claims(query) == neo4j.claims(query), query
    assert sum(bool(memory.claims(q)) for q in queries) > len(queries) // 2


def test_claim_pages_agree_under_every_filter(pair: tuple[GraphStore, GraphStore], ontology: Ontology) -> None:
    memory, neo4j = pair
    entities = connected_entities(memory)
    queries = [ClaimQuery(), ClaimQuery(disputed=True), ClaimQuery(disputed=False),
               ClaimQuery(window=window("2021", None), disputed=False), ClaimQuery(min_confidence=0.9),
               ClaimQuery(location="termez"), ClaimQuery(asserted_by="andrew-mines", subject="isk")]
    queries += [ClaimQuery(statuses=(status,), disputed=False) for status in ontology.statuses]
    queries += [ClaimQuery(types=tuple(ontology.expand_types(["hostile"]) or []), subject=e) for e in entities]
    queries += [ClaimQuery(object=e, disputed=False) for e in entities]
    for query in queries:
        whole = memory.claims(query)
        for limit, offset in ((3, 0), (3, 2), (50, 0), (2, max(len(whole) - 1, 0))):
            page = memory.claim_page(query, limit=limit, offset=offset)
            assert page == neo4j.claim_page(query, limit=limit, offset=offset), (query, limit, offset)
            assert page.claims == whole[offset:offset + limit] and page.total == len(whole)


def test_adjacency_agrees(pair: tuple[GraphStore, GraphStore]) -> None:
    memory, neo4j = pair
    assert sorted(memory.claim_pairs()) == sorted(neo4j.claim_pairs())


def test_neighbourhoods_agree_for_every_entity(pair: tuple[GraphStore, GraphStore], ontology: Ontology) -> None:
    memory, neo4j = pair
    hostile = ontology.expand_types(["hostile"])
    for entity in connected_entities(memory):
        for depth in (1, 2):
            for direction in ("out", "in", "both"):
                assert shape(memory.neighbourhood(entity, depth=depth, direction=direction)) == \
                    shape(neo4j.neighbourhood(entity, depth=depth, direction=direction)), (entity, depth)
        assert shape(memory.neighbourhood(entity, depth=3, types=hostile, window=window("2022", None))) == \
            shape(neo4j.neighbourhood(entity, depth=3, types=hostile, window=window("2022", None)))


def test_paths_agree_between_every_pair_of_actors(pair: tuple[GraphStore, GraphStore]) -> None:
    memory, neo4j = pair
    kinds = {e.id: e.kind for e in memory.entities()}
    actors = [e for e in connected_entities(memory) if kinds[e] in ("armed_group", "state")]
    connected = 0
    for source, target in combinations(actors, 2):
        for directed in (False, True):
            expected = memory.paths(source, target, max_hops=3, k=3, directed=directed)
            assert expected == neo4j.paths(source, target, max_hops=3, k=3, directed=directed), (source, target)
            connected += bool(expected)
        assert memory.paths(source, target, max_hops=4) == neo4j.paths(source, target, max_hops=4)
    assert connected > len(actors), "the comparison must cover real paths, not only empty answers"


def test_incidents_agree_under_every_filter(pair: tuple[GraphStore, GraphStore]) -> None:
    memory, neo4j = pair
    every = memory.incidents(IncidentQuery(limit=MAX_INCIDENT_PAGE))
    assert every == neo4j.incidents(IncidentQuery(limit=MAX_INCIDENT_PAGE)) and len(every) == 8
    assert memory.get_incidents(i.id for i in every) == neo4j.get_incidents(i.id for i in every)
    keys = sorted({k for i in every for k in i.place_keys()})
    actors = sorted({p for i in every for p in i.perpetrator_ids()} | {"taliban"})
    queries = [IncidentQuery(places=(key,)) for key in keys]
    queries += [IncidentQuery(perpetrator=actor) for actor in actors]
    queries += [IncidentQuery(country=c) for c in sorted({i.country for i in every if i.country})]
    queries += [IncidentQuery(types=(t,)) for t in sorted({i.type for i in every})]
    queries += [IncidentQuery(window=window(since, until)) for since, until in (
        ("2022", None), (None, "2021-12"), ("2022-04-18", "2022-04-18"), ("2001-09", "2001-09"))]
    queries += [IncidentQuery(bbox=BoundingBox.parse(box)) for box in (
        "55,30,75,40", "65,30,70,37", "170,-10,-170,10", "-180,-90,180,90")]
    queries += [IncidentQuery(limit=limit, offset=offset) for limit, offset in ((1, 0), (3, 2), (5, 7))]
    for query in queries:
        found = memory.incidents(query)
        assert [i.id for i in found] == [i.id for i in neo4j.incidents(query)], query
        assert memory.count_incidents(query) == neo4j.count_incidents(query), query
        assert [i.id for i in found] == [i.id for i in every if incident_matches(i, query)][
            query.offset:query.offset + query.limit], query


def test_aggregates_agree_for_every_entity(pair: tuple[GraphStore, GraphStore]) -> None:
    memory, neo4j = pair
    for interval in ("year", "month", "day"):
        assert memory.claim_timeline(ClaimQuery(), interval) == neo4j.claim_timeline(ClaimQuery(), interval)
    assert memory.claim_groups(ClaimQuery(), limit=1_000) == neo4j.claim_groups(ClaimQuery(), limit=1_000)
    for entity in connected_entities(memory):
        assert memory.claim_type_counts(entity) == neo4j.claim_type_counts(entity)
        hostile = ClaimQuery(types=("ATTACKED", "OPPOSES", "DENIED"), window=window(since="2021"))
        for query in (ClaimQuery(), hostile):
            assert memory.claim_timeline(query, "month", actor=entity) == \
                neo4j.claim_timeline(query, "month", actor=entity)
        for query in (ClaimQuery(subject=entity), ClaimQuery(object=entity, disputed=False)):
            assert memory.claim_groups(query, limit=1_000) == neo4j.claim_groups(query, limit=1_000)
            assert memory.claim_groups(query, limit=2, offset=1) == neo4j.claim_groups(query, limit=2, offset=1)


def test_the_claims_under_each_incident_agree(pair: tuple[GraphStore, GraphStore]) -> None:
    memory, neo4j = pair
    every = memory.incidents(IncidentQuery(limit=MAX_INCIDENT_PAGE))
    under: dict[str, list[str]] = {}
    for incident in every:
        for query in (ClaimQuery(incident=incident.id), ClaimQuery(incident=incident.id, disputed=False),
                      ClaimQuery(incident=incident.id, disputed=True),
                      ClaimQuery(incident=incident.id, types=("DENIED",))):
            found = memory.claims(query)
            assert found == neo4j.claims(query), query
            page = (memory.claim_page(query, limit=2, offset=1), neo4j.claim_page(query, limit=2, offset=1))
            assert page[0] == page[1], query
        under[incident.id] = [c.id for c in memory.claims(ClaimQuery(incident=incident.id))]
    # every seed claim that names an incident is found under it, and only there
    named = {c.id: c.incident for c in memory.claims(ClaimQuery()) if c.incident}
    assert sorted(named) == sorted(i for ids in under.values() for i in ids)
    assert all(named[claim] == incident for incident, ids in under.items() for claim in ids)
