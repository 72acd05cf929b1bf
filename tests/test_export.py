"""Every export format read back by the tool it is meant for: networkx, csv, stix2."""

from __future__ import annotations

import csv
import io
from typing import Any

import networkx as nx
import pytest
import stix2

from graph import export
from graph.export import GraphPart
from graph.ontology import Ontology
from graph.store import ClaimQuery, GraphStore

PROVOKE_PAKISTAN = "isk-provoke-pakistan-mines"
TAJIK_ATTACK = "isk-attacked-tajikistan-2022-05-07"


@pytest.fixture(scope="module")
def part(seeded: GraphStore) -> GraphPart:
    return GraphPart(entities=seeded.entities(), claims=seeded.claims(ClaimQuery()),
                     sources={s.id: s for s in seeded.sources()})


def test_node_link_reads_back_as_the_same_multigraph(part: GraphPart) -> None:
    graph = nx.node_link_graph(export.node_link(part), edges="links")
    assert graph.is_directed() and graph.is_multigraph()
    assert set(graph.nodes) == {e.id for e in part.entities}
    edge = graph.edges["isk", "pakistan", PROVOKE_PAKISTAN]
    assert edge["type"] == "SEEKS_TO_PROVOKE" and edge["report"] == "rferl-2022-05-isk-central-asia"
    assert "IS-K seeks to provoke Pakistan" in edge["quote"]


def test_cytoscape_edges_join_entities_not_reports(part: GraphPart) -> None:
    elements = export.cytoscape(part)
    node_ids = {n["data"]["id"] for n in elements["nodes"]}
    assert all({e["data"]["source"], e["data"]["target"]} <= node_ids for e in elements["edges"])
    provoke = next(e["data"] for e in elements["edges"] if e["data"]["id"] == PROVOKE_PAKISTAN)
    assert (provoke["source"], provoke["target"], provoke["label"]) == ("isk", "pakistan", "SEEKS_TO_PROVOKE")


def test_graphml_opens_in_networkx_with_claim_attributes(part: GraphPart) -> None:
    graph = nx.read_graphml(io.StringIO(export.graphml(part)), force_multigraph=True)
    assert graph.nodes["isk"]["name"] == "IS-K" and graph.nodes["isk"]["kind"] == "armed_group"
    attack = graph.edges["isk", "tajikistan", TAJIK_ATTACK]
    assert attack["type"] == "ATTACKED" and attack["date"] == "2022-05-07"
    assert attack["disputed"] is True and attack["disputed_by"] == "tajikistan-denied-rocket-attack"
    assert graph.number_of_edges() == len(part.claims)


def test_csv_follows_the_neo4j_admin_import_layout(part: GraphPart, ontology: Ontology) -> None:
    nodes = list(csv.reader(io.StringIO(export.csv_nodes(part, ontology))))
    assert nodes[0][0] == "id:ID" and nodes[0][-1] == ":LABEL"
    isk = next(row for row in nodes[1:] if row[0] == "isk")
    assert isk[-1] == "Entity;ArmedGroup" and "ISKP" in isk[4].split(";")
    edges = list(csv.DictReader(io.StringIO(export.csv_edges(part))))
    assert list(edges[0])[:3] == [":START_ID", ":END_ID", ":TYPE"]
    provoke = next(row for row in edges if row["id"] == PROVOKE_PAKISTAN)
    assert (provoke[":START_ID"], provoke[":END_ID"], provoke[":TYPE"]) == ("isk", "pakistan", "SEEKS_TO_PROVOKE")
    assert "IS-K seeks to provoke Pakistan" in provoke["quote"]
    assert len(edges) == len(part.claims)


def _by_id(bundle: Any) -> dict[str, Any]:
    return {o.id: o for o in bundle.objects}


def test_stix_bundle_parses_with_stix2_and_maps_kinds(part: GraphPart) -> None:
    bundle = stix2.parse(export.stix_bundle(part))  # strict: no custom properties allowed
    objects = _by_id(bundle)
    assert objects[export.stix_id("threat-actor", "isk")].name == "IS-K"
    assert "ISKP" in objects[export.stix_id("threat-actor", "isk")].aliases
    assert objects[export.stix_id("identity", "pakistan")].identity_class == "organization"
    assert objects[export.stix_id("identity", "riccardo-valle")].identity_class == "individual"
    assert objects[export.stix_id("location", "takhar")].type == "location"
    relationships = [o for o in bundle.objects if o.type == "relationship"]
    assert len(relationships) == len(part.claims)


def test_stix_relationships_carry_confidence_dates_and_their_source(part: GraphPart) -> None:
    objects = _by_id(stix2.parse(export.stix_bundle(part)))
    attack = objects[export.stix_id("relationship", TAJIK_ATTACK)]
    assert attack.relationship_type == "attacked" and attack.confidence == 100
    assert attack.source_ref == export.stix_id("threat-actor", "isk")
    assert attack.target_ref == export.stix_id("identity", "tajikistan")
    assert str(attack.start_time).startswith("2022-05-07 00:00:00")
    assert str(attack.stop_time).startswith("2022-05-07 23:59:59")
    assert set(attack.labels) == {"claimed", "disputed"}
    reference = attack.external_references[0]
    assert reference.source_name == "RFE/RL (Gandhara)" and reference.url.startswith("https://gandhara.rferl.org/")
    assert "IS-K claimed that it had fire rockets" in reference.description
    undated = objects[export.stix_id("relationship", PROVOKE_PAKISTAN)]
    assert "start_time" not in undated


def test_exports_are_deterministic(part: GraphPart) -> None:
    assert export.stix_bundle(part) == export.stix_bundle(part)
    assert export.graphml(part) == export.graphml(part)
    reordered = GraphPart(entities=list(reversed(part.entities)), claims=part.claims, sources=part.sources)
    assert export.stix_bundle(reordered)["id"] == export.stix_bundle(part)["id"]
