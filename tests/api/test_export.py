"""Exports through the HTTP API: each format served with its media type and readable by its tool."""

from __future__ import annotations

import csv
import io

import networkx as nx
import stix2
from fastapi.testclient import TestClient

from graph.stores.protocol import GraphStore


def test_whole_graph_as_node_link(client: TestClient, seeded: GraphStore) -> None:
    response = client.get("/v1/export")
    assert response.headers["content-type"].startswith("application/json")
    graph = nx.node_link_graph(response.json(), edges="links")
    assert graph.number_of_nodes() == len(seeded.entities())
    assert graph.has_edge("isk", "pakistan")


def test_graphml_and_csv(client: TestClient) -> None:
    graphml = client.get("/v1/export", params={"format": "graphml"})
    assert graphml.headers["content-type"].startswith("application/graphml+xml")
    assert nx.read_graphml(io.StringIO(graphml.text), force_multigraph=True).has_edge("isk", "pakistan")
    nodes = client.get("/v1/export", params={"format": "csv-nodes"})
    assert nodes.headers["content-type"].startswith("text/csv")
    assert 'filename="nodes.csv"' in nodes.headers["content-disposition"]
    assert next(csv.reader(io.StringIO(nodes.text)))[0] == "id:ID"
    edges = list(csv.DictReader(io.StringIO(client.get("/v1/export", params={"format": "csv-edges"}).text)))
    assert ("isk", "pakistan", "SEEKS_TO_PROVOKE") in {(e[":START_ID"], e[":END_ID"], e[":TYPE"]) for e in edges}


def test_stix_bundle_of_a_neighbourhood(client: TestClient) -> None:
    response = client.get("/v1/export", params={"format": "stix", "center": "ISKP", "types": "SEEKS_TO_PROVOKE"})
    assert response.headers["content-type"].startswith("application/stix+json")
    bundle = stix2.parse(response.text, allow_custom=True)
    names = {o["name"] for o in bundle.objects if o["type"] in ("threat-actor", "identity") and o["name"] != "kg"}
    assert names == {"IS-K", "Pakistan", "Iran"}
    relationships = [o for o in bundle.objects if o["type"] == "relationship"]
    assert {r["x_kg_relation"] for r in relationships} == {"SEEKS_TO_PROVOKE"}
    assert all(r.external_references[0].source_name == "RFE/RL (Gandhara)" for r in relationships)


def test_filtered_export_keeps_only_the_claims_and_their_ends(client: TestClient) -> None:
    data = client.get("/v1/export", params={"types": "DENIED", "format": "cytoscape"}).json()
    assert {e["data"]["label"] for e in data["edges"]} == {"DENIED"}
    ends = {e["data"][end] for e in data["edges"] for end in ("source", "target")}
    assert {n["data"]["id"] for n in data["nodes"]} == ends


def test_unknown_format_is_422_listing_the_formats(client: TestClient) -> None:
    response = client.get("/v1/export", params={"format": "pdf"})
    assert response.status_code == 422
    assert response.json()["details"]["accepted"] == ["node-link", "cytoscape", "graphml", "csv-nodes",
                                                       "csv-edges", "stix"]
