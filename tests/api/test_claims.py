"""Claims through the HTTP API: filters, provenance, grouping, and one claim in full."""

from __future__ import annotations

from fastapi.testclient import TestClient

from graph.stores.protocol import ClaimQuery, GraphStore

TAJIK_ATTACK = "isk-attacked-tajikistan-2022-05-07"
TAJIK_DENIAL = "tajikistan-denied-rocket-attack"


def test_who_isk_seeks_to_provoke_with_quotes_and_sources(client: TestClient) -> None:
    body = client.get("/v1/claims", params={"subject": "isk", "type": "SEEKS_TO_PROVOKE"}).json()
    assert "pakistan" in {c["object"] for c in body["data"]}
    pakistan = next(c for c in body["data"] if "IS-K seeks to provoke Pakistan" in c["quote"])
    assert (pakistan["subject_name"], pakistan["object_name"]) == ("IS-K", "Pakistan")
    assert pakistan["report"]["outlet"] == "RFE/RL (Gandhara)"
    assert pakistan["report"]["url"].startswith("https://gandhara.rferl.org/")
    assert pakistan["source"] == pakistan["report"]["id"] and pakistan["span"][1] > pakistan["span"][0]


def test_names_resolve_and_filters_combine(client: TestClient, seeded: GraphStore) -> None:
    by_alias = client.get("/v1/claims", params={"subject": "Islamabad", "object": "Taliban",
                                                "type": "cooperative"}).json()
    assert "pakistan-allied-taliban" in {c["id"] for c in by_alias["data"]}
    april = client.get("/v1/claims", params={"type": "ATTACKED", "since": "2022-04", "until": "2022-04"}).json()
    assert ("isk", "uzbekistan") in {(c["subject"], c["object"]) for c in april["data"]}
    assert all(c["date"].startswith("2022-04") for c in april["data"])
    disputed = client.get("/v1/claims", params={"disputed": "true"}).json()
    assert {c["id"] for c in disputed["data"]} == {c.id for c in seeded.claims(ClaimQuery(disputed=True))}
    assert all(c["disputed_by"] for c in disputed["data"])
    claimed = client.get("/v1/claims", params={"status": "claimed,denied"}).json()
    assert {c["status"] for c in claimed["data"]} == {"claimed", "denied"}


def test_paging_counts_every_match(client: TestClient, seeded: GraphStore) -> None:
    total = len(seeded.claims(ClaimQuery()))
    first = client.get("/v1/claims", params={"limit": 5}).json()
    second = client.get("/v1/claims", params={"limit": 5, "offset": 5}).json()
    assert first["count"] == second["count"] == total
    assert len(first["data"]) == 5 and not {c["id"] for c in first["data"]} & {c["id"] for c in second["data"]}


def test_group_merges_claims_into_relations_with_their_sources(client: TestClient) -> None:
    body = client.get("/v1/claims", params={"subject": "isk", "type": "SEEKS_TO_PROVOKE", "group": "true"}).json()
    pakistan = next(r for r in body["data"] if r["object"] == "pakistan")
    assert len(pakistan["claims"]) > 1 and pakistan["source_count"] == 1
    assert {s["claim"] for s in pakistan["sources"]} == set(pakistan["claims"])
    assert all(s["outlet"] == "RFE/RL (Gandhara)" and s["quote"] for s in pakistan["sources"])
    assert body["count"] == len(body["data"]) < len(
        client.get("/v1/claims", params={"subject": "isk", "type": "SEEKS_TO_PROVOKE"}).json()["data"])


def test_one_claim_with_its_source_quote_in_place_and_its_denials(client: TestClient, seed_text: str) -> None:
    body = client.get(f"/v1/claims/{TAJIK_ATTACK}").json()
    assert body["claim"]["id"] == TAJIK_ATTACK and body["claim"]["disputed"]
    assert body["source"]["outlet"] == "RFE/RL (Gandhara)"
    start, end = body["quote"]["span"]
    assert seed_text[start:end] == body["quote"]["text"] == body["claim"]["quote"]
    assert seed_text[:start].endswith(body["quote"]["before"]) and seed_text[end:].startswith(body["quote"]["after"])
    assert [d["id"] for d in body["disputed_by"]] == [TAJIK_DENIAL] and body["denies"] is None
    denial = client.get(f"/v1/claims/{TAJIK_DENIAL}").json()
    assert denial["denies"]["id"] == TAJIK_ATTACK and denial["claim"]["status"] == "denied"


def test_claim_errors(client: TestClient) -> None:
    missing = client.get("/v1/claims/no-such-claim")
    assert missing.status_code == 404 and missing.json()["error"] == "claim_not_found"
    unknown_subject = client.get("/v1/claims", params={"subject": "Tajikstan"})
    assert unknown_subject.status_code == 404
    assert unknown_subject.json()["details"]["suggestions"][0]["id"] == "tajikistan"
    assert client.get("/v1/claims", params={"subject": "Kabul"}).status_code == 409
    bad_type = client.get("/v1/claims", params={"type": "ATACKED"})
    assert bad_type.status_code == 422 and bad_type.json()["details"]["parameter"] == "type"
    bad_date = client.get("/v1/claims", params={"since": "2022-02-30"}).json()
    assert bad_date["details"]["parameter"] == "since" and "day 30 does not exist" in bad_date["message"]
    reversed_window = client.get("/v1/claims", params={"since": "2022", "until": "2021"}).json()
    assert reversed_window["details"]["parameter"] == "until"
    bad_status = client.get("/v1/claims", params={"status": "rumoured"}).json()
    assert bad_status["details"]["parameter"] == "status" and "assessed" in bad_status["details"]["accepted"]
    empty = client.get("/v1/claims", params={"type": ""})
    assert empty.status_code == 422 and "empty value" in empty.json()["message"]
    unknown_source = client.get("/v1/claims", params={"source": "nope"})
    assert unknown_source.status_code == 404 and unknown_source.json()["error"] == "source_not_found"
    bad_bool = client.get("/v1/claims", params={"disputed": "perhaps"}).json()
    assert bad_bool["details"]["parameter"] == "disputed"
