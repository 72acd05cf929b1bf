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
