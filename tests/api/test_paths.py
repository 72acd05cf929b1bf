"""Paths through the HTTP API: hop by hop, with the claims behind each hop."""

from __future__ import annotations

import networkx as nx
from fastapi.testclient import TestClient


def test_paths_by_alias_list_each_hop_with_its_claims(client: TestClient) -> None:
    body = client.get("/v1/paths", params={"source": "IS-K", "target": "Beijing", "k": 3}).json()
    assert body["count"] == len(body["data"]) == 3 and body["limit"] == 3
    for path in body["data"]:
        assert path["nodes"][0] == "isk" and path["nodes"][-1] == "china"
        assert path["length"] == len(path["hops"]) == len(path["nodes"]) - 1
        for hop in path["hops"]:
            assert hop["claims"] and all({c["subject"], c["object"]} == {hop["from"], hop["to"]} and c["quote"]
                                         for c in hop["claims"])


def test_paths_restricted_to_types(client: TestClient) -> None:
    body = client.get("/v1/paths", params={"source": "isk", "target": "china",
                                           "types": "RECRUITS_FROM,REPRESSES"}).json()
    assert [p["nodes"] for p in body["data"]] == [["isk", "uyghurs", "china"]]
    assert client.get("/v1/paths", params={"source": "isk", "target": "china", "max_hops": 1}).json()["data"] == []


def test_paths_as_node_link(client: TestClient) -> None:
    data = client.get("/v1/paths", params={"source": "isk", "target": "china", "types": "RECRUITS_FROM,REPRESSES",
                                           "format": "node-link"}).json()
    graph = nx.node_link_graph(data, edges="links")
    assert set(graph.nodes) == {"isk", "uyghurs", "china"}


def test_path_errors(client: TestClient) -> None:
    too_long = client.get("/v1/paths", params={"source": "isk", "target": "china", "max_hops": 7})
    assert too_long.status_code == 422 and too_long.json()["details"]["accepted"] == ["1..6"]
    same = client.get("/v1/paths", params={"source": "isk", "target": "ISKP"})
    assert same.status_code == 422 and same.json()["details"]["parameter"] == "target"
    missing = client.get("/v1/paths", params={"source": "isk"})
    assert missing.status_code == 422 and missing.json()["details"]["parameter"] == "target"
    unknown = client.get("/v1/paths", params={"source": "isk", "target": "Atlantis"})
    assert unknown.status_code == 404 and unknown.json()["details"]["name"] == "Atlantis"


def _hop_claims(body: dict) -> list[dict]:  # type: ignore[type-arg]
    return [claim for path in body["data"] for hop in path["hops"] for claim in hop["claims"]]


def test_ties_follow_the_ontologys_hostile_or_friendly_categories(client: TestClient) -> None:
    """The tie chosen restricts a path to the relation types of the categories the ontology's ``ties`` names for
    it: read here from /v1/schema, as the explorer reads them, never listed in the test."""
    schema = client.get("/v1/schema").json()
    of_tie = {tie: {name for name, spec in schema["relation_types"].items() if spec["category"] in categories}
              for tie, categories in schema["ties"].items()}
    assert set(of_tie) == {"hostile", "friendly"} and all(of_tie.values())
    params = {"source": "Taliban", "target": "Pakistan", "k": 3}
    every = client.get("/v1/paths", params=params).json()
    for tie, types in of_tie.items():
        body = client.get("/v1/paths", params={**params, "ties": tie}).json()
        assert body["data"], tie
        assert {c["type"] for c in _hop_claims(body)} <= types, tie
        assert len(body["data"]) <= len(every["data"])
    # The Taliban's tie to al-Qaeda is friendly, none of the graph's paths between them is hostile.
    friendly = client.get("/v1/paths", params={"source": "taliban", "target": "al-qaeda", "ties": "friendly"}).json()
    assert [p["nodes"] for p in friendly["data"]] == [["taliban", "al-qaeda"]]
    assert client.get("/v1/paths", params={"source": "taliban", "target": "al-qaeda", "ties": "hostile",
                                           "k": 5}).json()["data"] == []
    assert client.get("/v1/paths", params={**params, "ties": "any"}).json() == every
    # Types asked for within a tie narrow it; types wholly outside it are refused, naming the tie's types.
    hostile_type = sorted(of_tie["hostile"])[0]
    refused = client.get("/v1/paths", params={**params, "ties": "friendly", "types": hostile_type})
    assert refused.status_code == 422 and refused.json()["details"]["parameter"] == "types"
    assert set(refused.json()["details"]["accepted"]) == of_tie["friendly"]
    unknown = client.get("/v1/paths", params={**params, "ties": "enemy"})
    assert unknown.status_code == 422
    assert unknown.json()["details"]["accepted"] == ["friendly", "hostile", "any"]


def test_paths_restricted_to_statuses_and_k(client: TestClient) -> None:
    params = {"source": "isk", "target": "china", "k": 5}
    every = client.get("/v1/paths", params=params).json()
    assert len(every["data"]) == 5
    assessed = client.get("/v1/paths", params={**params, "status": "assessed"}).json()
    assert [p["nodes"] for p in assessed["data"]] == [["isk", "afghanistan", "china"]]
    assert {c["status"] for c in _hop_claims(assessed)} == {"assessed"}
    assert client.get("/v1/paths", params={**params, "status": "reported,claimed"}).json()["data"] == []
    two = client.get("/v1/paths", params={**params, "k": 2}).json()
    assert [p["nodes"] for p in two["data"]] == [p["nodes"] for p in every["data"][:2]]
    bad = client.get("/v1/paths", params={**params, "status": "rumour"})
    assert bad.status_code == 422 and bad.json()["details"]["parameter"] == "status"
