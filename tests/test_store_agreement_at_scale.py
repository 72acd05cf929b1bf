"""Both stores agree on a generated graph with hubs, where the bounds of a walk come into play.

The seed graph is too small for a hub (an entity with more claims than a walk expands), a
node cap or a link cap to matter; this graph (shaped like coded reporting: a few entities
hold most of the claims) makes every bound of ``graph.stores.traversal`` decide something, and the
two stores must still give the same answers, truncated ones included.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks.synthetic import Size, generate
from graph.domain.dates import window
from graph.domain.model import Subgraph
from graph.domain.ontology import Ontology
from graph.stores.protocol import HUB_DEGREE, ClaimQuery, GraphStore
from graph.stores.sqlite.store import SqliteStore
from tests.conftest import Neo4jTestDatabase

SIZE = Size("T", 1_500, 12_000)


@pytest.fixture(scope="module")
def generated(neo4j_database: Neo4jTestDatabase, ontology: Ontology) -> Iterator[tuple[GraphStore, GraphStore, Any]]:
    synthetic = generate(ontology, SIZE, seed=3)
    memory = SqliteStore(ontology)
    memory.upsert(synthetic.batch)
    neo4j = neo4j_database.reset(ontology, seeded=False)
    neo4j.upsert(synthetic.batch)
    yield memory, neo4j, synthetic
    neo4j_database.reset(ontology, seeded=bool(neo4j_database.seeded_readers))


def shape(graph: Subgraph) -> tuple[list[tuple[str, int]], list[str], bool]:
    return [(n.id, n.depth) for n in graph.nodes], [link.key for link in graph.links], graph.truncated


def picks(synthetic: Any) -> list[str]:
    degree: Counter[str] = Counter()
    for claim in synthetic.batch.claims:
        degree[claim.subject] += 1
        degree[claim.object] += 1
    ranked = [e for e, _ in sorted(degree.items(), key=lambda item: (item[1], item[0]))]
    return [ranked[-1], ranked[-2], ranked[int(len(ranked) * 0.99)], ranked[int(len(ranked) * 0.9)],
            ranked[len(ranked) // 2], ranked[len(ranked) // 3]]


def test_the_graph_has_hubs_and_the_bounds_bite(generated: tuple[GraphStore, GraphStore, Any]) -> None:
    memory, _, synthetic = generated
    hub = picks(synthetic)[0]
    assert len(memory.claims(ClaimQuery(subject=hub))) + len(memory.claims(ClaimQuery(object=hub))) > HUB_DEGREE
    assert memory.neighbourhood(hub, depth=2).truncated
    assert memory.neighbourhood(picks(synthetic)[-1], depth=3).truncated


def test_neighbourhoods_agree_truncated_or_not(generated: tuple[GraphStore, GraphStore, Any],
                                               neo4j_database: Neo4jTestDatabase, ontology: Ontology) -> None:
    memory, neo4j, synthetic = generated
    cypher = neo4j_database.store(ontology, procedures=False)
    hostile = ontology.expand_types(["hostile"])
    truncated = 0
    for entity in picks(synthetic):
        for options in ({"depth": 1}, {"depth": 2}, {"depth": 3}, {"depth": 2, "direction": "out"},
                        {"depth": 2, "types": hostile, "window": window("2022", "2023")},
                        {"depth": 2, "statuses": ["claimed", "alleged"], "min_confidence": 0.7},
                        {"depth": 3, "max_nodes": 40}):
            expected = shape(memory.neighbourhood(entity, **options))  # type: ignore[arg-type]
            assert expected == shape(neo4j.neighbourhood(entity, **options)), (entity, options)  # type: ignore[arg-type]
            # The same server in Cypher alone, as one without the project's procedures answers.
            assert expected == shape(cypher.neighbourhood(entity, **options)), (entity, options)  # type: ignore[arg-type]
            truncated += expected[2]
    assert truncated >= 10, "the comparison must cover truncated answers"


def test_paths_agree_between_hubs_and_ordinary_entities(generated: tuple[GraphStore, GraphStore, Any],
                                                        neo4j_database: Neo4jTestDatabase, ontology: Ontology) -> None:
    memory, neo4j, synthetic = generated
    by_levels = neo4j_database.store(ontology, procedures=False)
    chosen = picks(synthetic)
    lonely = synthetic.isolated[0][0]
    found = 0
    for source in chosen:
        for target in [*chosen, lonely]:
            if source == target:
                continue
            for options in ({"max_hops": 4}, {"max_hops": 3, "k": 3}, {"max_hops": 4, "k": 2, "directed": True}):
                expected = memory.paths(source, target, **options)  # type: ignore[arg-type]
                assert expected == neo4j.paths(source, target, **options), (source, target, options)  # type: ignore[arg-type]
                assert expected == by_levels.paths(source, target, **options), (source, target, options)  # type: ignore[arg-type]
                found += bool(expected)
    assert found > 20
