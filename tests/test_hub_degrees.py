"""Which entity is a hub is decided by its claims alone, on both stores, at the exact bound.

A walk does not go through an entity other than its centre with more than ``HUB_DEGREE`` claims. The Neo4j store
takes that count from the server's relationship counts (no claim read): every relationship at the entity but the
REPORTS entries and the incident links that end at it. Two groups sit at the bound: ``edge-group`` with exactly
``HUB_DEGREE`` claims, which a walk goes through, and ``over-group`` with one more, which it does not; both are named
by incidents (as targets) many times, links that are no claims and must not make ``edge-group`` a hub.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph.domain.model import Batch, Claim, Entity, Incident, IncidentReport, Source, Target
from graph.domain.ontology import Ontology
from graph.stores.protocol import HUB_DEGREE, GraphStore
from tests.conftest import Neo4jTestDatabase

INCIDENTS = 40  # incident links at each group: enough to push edge-group past the bound if they counted


def bounded(ontology: Ontology) -> Batch:
    """Two groups, each joined to a centre of its own and to people, and named by incidents."""
    entities = [Entity(id="wire", name="The Wire", kind="organization")]
    claims: list[Claim] = []
    text, spans = "", []
    for group, people in (("edge-group", HUB_DEGREE - 1), ("over-group", HUB_DEGREE)):
        centre = f"{group}-centre"
        entities += [Entity(id=group, name=group.title(), kind="armed_group"),
                     Entity(id=centre, name=f"{group.title()} Centre", kind="person")]
        members = [centre] + [f"{group}-member-{n:03d}" for n in range(people)]
        entities += [Entity(id=m, name=f"Member {m}", kind="person") for m in members[1:]]
        for member in members:
            sentence = f"{member} joined {group}."
            spans.append((member, group, sentence, (len(text), len(text) + len(sentence))))
            text += sentence + "\n"
    source = Source(id="roster", title="Roster", outlet="The Wire", outlet_id="wire", text=text)
    for member, group, sentence, span in spans:
        claims.append(Claim(id=f"joined-{member}", subject=member, type="MEMBER_OF", object=group, status="reported",
                            asserted_by="wire", date="2023-01-01", source="roster", quote=sentence, span=span))
    incidents = [Incident(id=f"attack-{group}-{n}", type="bombing", date="2023-02-01", targets=[Target(id=group)],
                          reports=[IncidentReport(source="roster", quote=spans[0][2], span=spans[0][3])])
                 for group in ("edge-group", "over-group") for n in range(INCIDENTS)]
    assert "MEMBER_OF" in ontology.relation_types
    return Batch(entities=entities, sources=[source], claims=claims, incidents=incidents)


@pytest.fixture(scope="module")
def stores(neo4j_database: Neo4jTestDatabase, ontology: Ontology) -> Iterator[dict[str, GraphStore]]:
    with neo4j_database.beside_memory(ontology, bounded(ontology)) as both:
        yield both


@pytest.mark.parametrize("name", ["memory", "neo4j", "neo4j_cypher"])
def test_an_entity_at_the_bound_is_walked_through_and_one_past_it_is_not(stores: dict[str, GraphStore],
                                                                         name: str) -> None:
    store = stores[name]
    through = store.neighbourhood("edge-group-centre", depth=2)
    assert [(n.id, n.depth) for n in through.nodes[:3]] == [
        ("edge-group-centre", 0), ("edge-group", 1), ("edge-group-member-000", 2)]
    assert through.truncated, "edge-group's members fill the answer past its bound of nodes"
    stopped = store.neighbourhood("over-group-centre", depth=2)
    assert [(n.id, n.depth) for n in stopped.nodes] == [("over-group-centre", 0), ("over-group", 1)]
    assert stopped.truncated, "the walk stopped at a hub and says so"
    assert [link.key for link in stopped.links] == ["joined-over-group-centre"]


def test_the_stores_agree_at_the_bound(stores: dict[str, GraphStore]) -> None:
    memory = stores["memory"]
    for neo4j in (stores["neo4j"], stores["neo4j_cypher"]):
        for centre in ("edge-group-centre", "over-group-centre", "edge-group", "over-group"):
            for depth in (1, 2, 3):
                left, right = memory.neighbourhood(centre, depth=depth), neo4j.neighbourhood(centre, depth=depth)
                assert left.model_dump() == right.model_dump(), (centre, depth)
