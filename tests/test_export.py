"""Every export format read back by the tool it is meant for: networkx, csv, stix2."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import stix2
from stix2validator import ValidationOptions, validate_parsed_json

from graph.domain.ontology import Ontology
from graph.services import export
from graph.services.export import GraphPart
from graph.stores.protocol import ClaimQuery, GraphStore

PROVOKE_PAKISTAN = "isk-provoke-pakistan-mines"
TAJIK_ATTACK = "isk-attacked-tajikistan-2022-05-07"
SEED_REPORT = "rferl-2022-05-isk-central-asia"


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
    assert dict(zip(nodes[0], isk, strict=True))["parent"] == "islamic-state"
    assert dict(zip(nodes[0], isk, strict=True))["parent_relation"] == "AFFILIATE_OF"
    edges = list(csv.DictReader(io.StringIO(export.csv_edges(part))))
    assert list(edges[0])[:3] == [":START_ID", ":END_ID", ":TYPE"]
    provoke = next(row for row in edges if row["id"] == PROVOKE_PAKISTAN)
    assert (provoke[":START_ID"], provoke[":END_ID"], provoke[":TYPE"]) == ("isk", "pakistan", "SEEKS_TO_PROVOKE")
    assert "IS-K seeks to provoke Pakistan" in provoke["quote"]
    assert len(edges) == len(part.claims)


def _by_id(bundle: Any) -> dict[str, Any]:
    return {o["id"]: o for o in bundle.objects}


def _parsed(part: GraphPart, ontology: Ontology) -> Any:
    # The bundle's extension declares x-kg-place objects, which the stix2 library reads as custom.
    return stix2.parse(export.stix_bundle(part, ontology), allow_custom=True)


def test_stix_bundle_parses_with_stix2_and_maps_kinds_from_the_ontology(part: GraphPart, ontology: Ontology) -> None:
    bundle = _parsed(part, ontology)
    objects = _by_id(bundle)
    isk = objects[export.stix_id("threat-actor", "isk")]
    assert isk.name == "IS-K" and "ISKP" in isk.aliases
    assert isk.threat_actor_types == ontology.entity_kinds["armed_group"].stix.threat_actor_types == ["terrorist"]
    assert objects[export.stix_id("identity", "pakistan")].identity_class == "organization"
    assert objects[export.stix_id("identity", "pakistan")].sectors == ["government-national"]
    assert objects[export.stix_id("identity", "riccardo-valle")].identity_class == "individual"
    takhar = objects[export.stix_id("x-kg-place", "takhar")]
    assert takhar["name"] == "Takhar" and takhar["extensions"] == {export.EXTENSION_ID: {"extension_type": "new-sdo"}}
    producer = objects[export.PRODUCER_ID]
    assert (producer.name, producer.identity_class) == ("kg", "system")
    assert all(o["created_by_ref"] == export.PRODUCER_ID for o in bundle.objects if o["type"] != "url")
    relationships = [o for o in bundle.objects if o["type"] == "relationship"]
    assert len(relationships) == len(part.claims)
    definition = objects[export.EXTENSION_ID]
    assert definition.extension_types == ["toplevel-property-extension", "new-sdo"]
    assert all(f"{name} ({rel.meaning})" in definition.schema for name, rel in ontology.relation_types.items())


def test_stix_relationships_carry_their_type_confidence_dates_and_source(part: GraphPart, ontology: Ontology) -> None:
    objects = _by_id(_parsed(part, ontology))
    attack = objects[export.stix_id("relationship", TAJIK_ATTACK)]
    assert (attack.relationship_type, attack["x_kg_relation"], attack.confidence) == ("related-to", "ATTACKED", 100)
    assert attack["extensions"] == {export.EXTENSION_ID: {"extension_type": "toplevel-property-extension"}}
    assert attack.source_ref == export.stix_id("threat-actor", "isk")
    assert attack.target_ref == export.stix_id("identity", "tajikistan")
    assert str(attack.start_time).startswith("2022-05-07 00:00:00")
    assert str(attack.stop_time).startswith("2022-05-07 23:59:59")
    assert set(attack.labels) == {"claimed", "disputed"}
    reference = attack.external_references[0]
    assert reference.source_name == "RFE/RL (Gandhara)" and reference.external_id == SEED_REPORT
    assert "url" not in reference and "IS-K claimed that it had fire rockets" in reference.description
    undated = objects[export.stix_id("relationship", PROVOKE_PAKISTAN)]
    assert "start_time" not in undated
    report = objects[export.stix_id("report", SEED_REPORT)]
    assert report.published.year == 2022 and attack.id in report.object_refs
    (address,) = [o for o in objects.values() if o["type"] == "url"]
    assert address.value.startswith("https://gandhara.rferl.org/") and address.id in report.object_refs
    assert address.id == stix2.URL(value=address.value).id  # the spec's UUIDv5, as the stix2 library derives it


def test_stix_bundle_passes_the_oasis_validator_in_strict_mode(part: GraphPart, ontology: Ontology,
                                                                tmp_path: Path) -> None:
    bundle = export.stix_bundle(part, ontology)
    ids = [uuid.UUID(o["id"].split("--", 1)[1]) for o in [bundle, *bundle["objects"]]]
    observables = {o["id"] for o in bundle["objects"] if o["type"] == "url"}
    assert all(u.version == (5 if f"url--{u}" in observables else 4) for u in ids)
    results = validate_parsed_json(bundle, ValidationOptions(version="2.1", strict=True))
    assert results.is_valid and not [e.message for e in results.errors] and not results.warnings
    # And the validator's own command, as a user runs it, on the file.
    path = tmp_path / "kg.stix.json"
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    command = Path(sys.executable).with_name("stix2_validator")
    done = subprocess.run([str(command), "--strict", str(path)], capture_output=True, text=True, check=False,
                          timeout=300)
    assert done.returncode == 0 and "STIX JSON: Valid" in done.stdout, done.stdout[-3000:]
    assert "[!]" not in done.stdout and "[X]" not in done.stdout


def test_exports_are_deterministic(part: GraphPart, ontology: Ontology) -> None:
    assert export.stix_bundle(part, ontology) == export.stix_bundle(part, ontology)
    assert export.graphml(part) == export.graphml(part)
    reordered = GraphPart(entities=list(reversed(part.entities)), claims=part.claims, sources=part.sources)
    assert export.stix_bundle(reordered, ontology)["id"] == export.stix_bundle(part, ontology)["id"]
