"""Entities through the HTTP API: search, one entity by id or alias, neighbourhoods."""

from __future__ import annotations

import networkx as nx
from fastapi.testclient import TestClient

from graph.stores.protocol import ClaimQuery, GraphStore


def test_search_ranks_by_name_and_alias(client: TestClient) -> None:
    body = client.get("/v1/entities", params={"q": "valle"}).json()
    assert set(body) == {"data", "count", "limit", "offset"}
    assert body["data"][0]["id"] == "riccardo-valle" and body["data"][0]["score"] > 0
    by_alias = client.get("/v1/entities", params={"q": "ISKP"}).json()["data"][0]
    assert (by_alias["id"], by_alias["matched"], by_alias["score"]) == ("isk", "ISKP", 1.0)


def test_listing_filters_by_kind_and_pages(client: TestClient, seeded: GraphStore) -> None:
    states = client.get("/v1/entities", params={"kind": "state", "limit": 3}).json()
    expected = sorted(e.id for e in seeded.entities() if e.kind == "state")
    assert [e["id"] for e in states["data"]] == expected[:3]
    assert (states["count"], states["limit"], states["offset"]) == (len(expected), 3, 0)
    rest = client.get("/v1/entities", params={"kind": "state", "limit": 3, "offset": 3}).json()
    assert [e["id"] for e in rest["data"]] == expected[3:6]
    beyond = client.get("/v1/entities", params={"offset": 10_000}).json()
    assert beyond["data"] == [] and beyond["count"] == len(seeded.entities())


def test_an_entity_by_alias_with_claims_counted_by_type_and_direction(client: TestClient,
                                                                      seeded: GraphStore) -> None:
    response = client.get("/v1/entities/Dushanbe")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["kind"]) == ("tajikistan", "state")
    assert "Dushanbe" in {a["name"] for a in body["aliases"]}
    assert body["claims_out"]["DENIED"] == 1 and body["claims_in"]["ATTACKED"] >= 1
    denials = seeded.claims(ClaimQuery(subject="tajikistan", types=("DENIED",)))
    assert body["claims_out"]["DENIED"] == len(denials)
    assert client.get("/v1/entities/tajikistan").json() == body


def test_an_entity_says_its_parent_group_and_where_its_facts_come_from(client: TestClient) -> None:
    body = client.get("/v1/entities/Islamic%20State%20in%20the%20Greater%20Sahara").json()
    assert (body["id"], body["parent"], body["parent_relation"]) == ("islamic-state-sahel", "islamic-state",
                                                                     "AFFILIATE_OF")
    assert body["source"].startswith("US State Department FTO list")
    alone = client.get("/v1/entities/tajikistan").json()
    assert (alone["parent"], alone["parent_relation"], alone["source"]) == (None, None, None)
    hit = client.get("/v1/entities", params={"q": "Katiba Macina"}).json()["data"][0]
    assert (hit["id"], hit["parent"], hit["parent_relation"]) == ("katiba-macina", "jnim", "MEMBER_OF")


def test_url_encoded_names_resolve(client: TestClient) -> None:
    assert client.get("/v1/entities/Islamic%20State-Khorasan").json()["id"] == "isk"
    assert client.get("/v1/entities/Reccardo%20Valle").json()["id"] == "riccardo-valle"


def test_unknown_entity_is_404_with_suggestions(client: TestClient) -> None:
    response = client.get("/v1/entities/Tajikstan")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "entity_not_found" and "did you mean: Tajikistan" in body["message"]
    assert body["details"]["suggestions"][0]["id"] == "tajikistan"
    weird = client.get("/v1/entities/%E2%80%8B%F0%9F%92%A3")
    assert weird.status_code == 404 and weird.json()["error"] == "entity_not_found"
    control = client.get("/v1/entities/%E2%80%8B%00%F0%9F%92%A3")
    assert control.status_code == 422 and "control character '\\x00'" in control.json()["message"]


def test_ambiguous_alias_is_409_with_candidates(client: TestClient) -> None:
    response = client.get("/v1/entities/Kabul")
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "ambiguous_name"
    assert {c["id"] for c in body["details"]["candidates"]} == {"afghanistan", "taliban"}


def test_neighbourhood_by_alias_follows_types_and_direction(client: TestClient) -> None:
    body = client.get("/v1/entities/ISKP/neighbourhood",
                      params={"types": "RECRUITS_FROM", "direction": "out"}).json()
    assert body["center"] == "isk"
    assert {n["id"] for n in body["nodes"]} == {"isk", "ttp", "uzbeks", "tajiks", "uyghurs",
                                                "central-asian-jihadists"}
    assert all(link["type"] == "RECRUITS_FROM" and link["source"] == "isk" and link["claim"]["quote"]
               for link in body["links"])
    deeper = client.get("/v1/entities/isk/neighbourhood", params={"depth": 2}).json()
    assert {"china": 2}.items() <= {n["id"]: n["depth"] for n in deeper["nodes"]}.items()


def test_neighbourhood_filters_on_dates_and_status(client: TestClient) -> None:
    may = client.get("/v1/entities/isk/neighbourhood",
                     params={"types": "ATTACKED", "since": "2022-05-07", "until": "2022-05-31"}).json()
    assert {link["key"] for link in may["links"]} == {"isk-attacked-tajikistan-2022-05-07"}
    claimed = client.get("/v1/entities/isk/neighbourhood", params={"status": "claimed"}).json()
    assert claimed["links"] and all(link["claim"]["status"] == "claimed" for link in claimed["links"])


def test_neighbourhood_in_node_link_and_cytoscape(client: TestClient) -> None:
    data = client.get("/v1/entities/isk/neighbourhood",
                      params={"types": "SEEKS_TO_PROVOKE", "format": "node-link"}).json()
    graph = nx.node_link_graph(data, edges="links")
    assert set(graph.successors("isk")) == {"pakistan", "iran"}
    elements = client.get("/v1/entities/isk/neighbourhood",
                          params={"types": "SEEKS_TO_PROVOKE", "format": "cytoscape"}).json()
    assert {e["data"]["target"] for e in elements["edges"]} == {"pakistan", "iran"}
    assert {n["data"]["label"] for n in elements["nodes"]} == {"IS-K", "Pakistan", "Iran"}


def test_neighbourhood_bounds_and_vocabulary_are_422_naming_the_parameter(client: TestClient) -> None:
    deep = client.get("/v1/entities/isk/neighbourhood", params={"depth": 99})
    assert deep.status_code == 422
    assert deep.json()["details"]["parameter"] == "depth" and deep.json()["details"]["accepted"] == ["1..3"]
    bad_type = client.get("/v1/entities/isk/neighbourhood", params={"types": "BEFRIENDED"}).json()
    assert bad_type["details"]["parameter"] == "types" and "ATTACKED" in bad_type["details"]["accepted"]
    bad_direction = client.get("/v1/entities/isk/neighbourhood", params={"direction": "sideways"}).json()
    assert bad_direction["details"]["accepted"] == ["out", "in", "both"]
    bad_format = client.get("/v1/entities/isk/neighbourhood", params={"format": "svg"}).json()
    assert bad_format["details"] == {**bad_format["details"], "parameter": "format",
                                     "accepted": ["subgraph", "node-link", "cytoscape"]}


def test_an_alias_with_a_slash_and_overlong_names(client: TestClient) -> None:
    assert client.get("/v1/entities/RFE%2FRL").json()["id"] == "rferl"
    assert client.get("/v1/entities/RFE%2FRL/neighbourhood").json()["center"] == "rferl"
    too_long = client.get("/v1/entities/" + "x" * 201)
    assert too_long.status_code == 422 and too_long.json()["details"]["parameter"] == "id"
    long_query = client.get("/v1/entities", params={"q": "ab" * 200})
    assert long_query.status_code == 422 and long_query.json()["details"]["parameter"] == "q"
    assert long_query.json()["details"]["accepted"] == ["at most 200 characters"]
