"""A hub with tens of thousands of claims: walks from it, to it and through it are answered, bounded and
flagged as truncated, on both stores and through the API, never by a timeout or a store out of memory.

The graph is a star: one armed group holds 30,000 claims with 5,000 people (six relation types each),
and one state hangs off the first person, so the only way from any other person to that state runs
through the hub. The Neo4j store runs with its ordinary query timeout: a walk that read the hub's
claims unbounded would fail with it rather than pass slowly.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from graph.domain.dates import window
from graph.domain.model import Batch, Claim, Entity, Source
from graph.domain.ontology import Ontology
from graph.stores.protocol import HUB_DEGREE, MAX_LINKS, ClaimQuery, GraphStore
from tests.api.conftest import settings_for
from tests.conftest import Neo4jTestDatabase

HUB = "hub-group"
FAR = "far-state"
WIRE = "hub-wire"
PEOPLE = 5_000
# Six claims between the hub and each person, in both directions, of types the ontology allows there.
TIES = [("person", "MEMBER_OF", "hub"), ("hub", "ATTACKED", "person"), ("hub", "TARGETS", "person"),
        ("person", "OPPOSES", "hub"), ("person", "ALLIED_WITH", "hub"), ("hub", "SUPPORTS", "person")]
CLAIMS_PER_SOURCE = 50


def star(ontology: Ontology) -> Batch:
    """The hub, its people and the far state, with every claim quoted from a report."""
    entities = [Entity(id=HUB, name="Hub Front", kind="armed_group"), Entity(id=FAR, name="Farland", kind="state"),
                Entity(id=WIRE, name="Hub Wire", kind="organization")]
    entities += [Entity(id=f"person-{n}", name=f"Person Number {n}", kind="person") for n in range(PEOPLE)]
    ties: list[dict[str, Any]] = []
    for n in range(PEOPLE):
        for subject, relation, obj in TIES:
            ends = {"hub": HUB, "person": f"person-{n}"}
            ties.append({"id": f"tie-{n}-{relation.lower()}", "subject": ends[subject], "type": relation,
                         "object": ends[obj], "status": "reported", "asserted_by": WIRE,
                         "date": f"2023-{1 + n % 12:02d}-01"})
    ties.append({"id": "far-tie", "subject": "person-0", "type": "OPPOSES", "object": FAR, "status": "reported",
                 "asserted_by": WIRE, "date": "2023-01-01"})
    sources: list[Source] = []
    claims: list[Claim] = []
    for start in range(0, len(ties), CLAIMS_PER_SOURCE):
        source_id = f"hub-report-{start // CLAIMS_PER_SOURCE}"
        text, spans = "", []
        for tie in ties[start:start + CLAIMS_PER_SOURCE]:
            sentence = f"{tie['subject']} {tie['type'].lower().replace('_', ' ')} {tie['object']}."
            spans.append((sentence, (len(text), len(text) + len(sentence))))
            text += sentence + "\n"
        sources.append(Source(id=source_id, title=f"Hub report {start}", outlet="Hub Wire", outlet_id=WIRE, text=text))
        for tie, (sentence, span) in zip(ties[start:start + CLAIMS_PER_SOURCE], spans, strict=True):
            claims.append(Claim.model_validate({**tie, "source": source_id, "quote": sentence, "span": span}))
    assert set(ontology.relation_types) >= {relation for _, relation, _ in TIES}
    return Batch(entities=entities, sources=sources, claims=claims)


@pytest.fixture(scope="module")
def stores(neo4j_database: Neo4jTestDatabase, ontology: Ontology) -> Iterator[dict[str, GraphStore]]:
    # The store the API and `kg` open: the default query timeout, not the test fixture's generous one.
    with neo4j_database.beside_memory(ontology, star(ontology), timeout=10.0) as both:
        yield both


@pytest.fixture(params=["memory", "neo4j", "neo4j_cypher"])
def store(request: pytest.FixtureRequest, stores: dict[str, GraphStore]) -> GraphStore:
    return stores[request.param]


def test_the_hub_holds_tens_of_thousands_of_claims(store: GraphStore) -> None:
    assert store.count_claims() == PEOPLE * len(TIES) + 1
    told_by_hub = store.claims(ClaimQuery(subject=HUB))
    assert len(told_by_hub) >= PEOPLE * 3
    assert all(HUB in (c.subject, c.object) for c in told_by_hub)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_a_neighbourhood_of_the_hub_is_cut_and_says_so(store: GraphStore, depth: int) -> None:
    graph = store.neighbourhood(HUB, depth=depth)
    assert graph.truncated
    assert 0 < len(graph.links) <= MAX_LINKS
    assert graph.nodes[0].id == HUB and graph.nodes[0].depth == 0
    # Every link is a real claim of the hub, between nodes the answer holds.
    held = {node.id for node in graph.nodes}
    assert all(link.source in held and link.target in held for link in graph.links)
    assert all(HUB in (link.source, link.target) or FAR in (link.source, link.target) for link in graph.links)


def test_a_neighbourhood_beside_the_hub_is_whole_but_does_not_walk_through_it(store: GraphStore) -> None:
    graph = store.neighbourhood("person-0", depth=2)
    ids = {node.id for node in graph.nodes}
    assert {"person-0", HUB, FAR} <= ids
    assert len(graph.links) <= MAX_LINKS
    assert len(ids) <= HUB_DEGREE + 3, "the hub's 5,000 people are not all pulled in at depth 2"


def test_stores_agree_on_the_hub(stores: dict[str, GraphStore]) -> None:
    memory = stores["memory"]
    for neo4j, depth in product((stores["neo4j"], stores["neo4j_cypher"]), (1, 2)):
        left, right = memory.neighbourhood(HUB, depth=depth), neo4j.neighbourhood(HUB, depth=depth)
        assert left.truncated == right.truncated
        assert [(n.id, n.depth) for n in left.nodes] == [(n.id, n.depth) for n in right.nodes]
        assert [link.key for link in left.links] == [link.key for link in right.links]


@pytest.mark.parametrize(("options", "reached"), [
    ({}, True),
    ({"direction": "out"}, True),
    ({"types": ["MEMBER_OF"], "direction": "in"}, True),
    ({"window": window("2023-03", "2023-03")}, True),  # a twelfth of the people: found within the scan
    ({"statuses": ["confirmed"]}, False),  # no claim passes: the scan finds none and the hub's claims are read
    ({"types": ["OPPOSES"], "window": window("2023-01", "2023-01")}, True),
], ids=["plain", "out", "member-of-in", "one-month", "none-pass", "opposes-one-month"])
def test_stores_agree_on_the_hub_under_filters(stores: dict[str, GraphStore], options: dict[str, Any],
                                               reached: bool) -> None:
    """A hub's first level comes from a scan of the entity ids in order when its claims are many, from its claims
    when the scan does not find enough: the same entities, links and flags as the embedded store either way."""
    memory = stores["memory"]
    for neo4j, depth in product((stores["neo4j"], stores["neo4j_cypher"]), (1, 2)):
        left = memory.neighbourhood(HUB, depth=depth, **options)
        right = neo4j.neighbourhood(HUB, depth=depth, **options)
        assert left.model_dump() == right.model_dump(), (options, depth)
        assert (len(left.nodes) > 1) == reached, "the case holds what its name says"


def test_a_path_through_the_hub_is_found(store: GraphStore) -> None:
    paths = store.paths(f"person-{PEOPLE - 1}", FAR, max_hops=4, k=1)
    assert len(paths) == 1, "the only way runs through the hub"
    hops = paths[0]
    assert [hop.from_ for hop in hops] + [hops[-1].to] == [f"person-{PEOPLE - 1}", HUB, "person-0", FAR]
    assert {claim.id for claim in hops[-1].claims} == {"far-tie"}
    assert len(hops[0].claims) == len(TIES), "every claim between the person and the hub backs that hop"


def test_the_api_answers_walks_from_the_hub_truncated(stores: dict[str, GraphStore], tmp_path: Path) -> None:
    for name, store in stores.items():
        client = TestClient(create_app(settings_for(tmp_path), store))
        answer = client.get(f"/v1/entities/{HUB}/neighbourhood", params={"depth": 3})
        assert answer.status_code == 200, (name, answer.text)
        body = answer.json()
        assert body["truncated"] is True and 0 < len(body["links"]) <= MAX_LINKS, name
        listed = client.get("/v1/claims", params={"subject": HUB, "limit": 500})
        assert listed.status_code == 200, (name, listed.text[:300])
        page = listed.json()
        assert len(page["data"]) == 500 and page["count"] >= PEOPLE * 3, name
        assert all(HUB in (c["subject"], c["object"]) for c in page["data"]), name
        too_many = client.get("/v1/claims", params={"subject": HUB, "limit": 100_000})
        assert too_many.status_code == 422, (name, too_many.text[:300])
