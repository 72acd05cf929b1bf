"""The evidence an analyst weighs a claim by, over HTTP on both stores: a source's reliability grade (set at ingest,
changed with PATCH /v1/sources/{id} behind the write key), each claim's asserter and corroboration
(GET /v1/claims/evidence), and the review of staged claims from any report (POST /v1/review/claims)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.api import create_app
from graph.domain.model import Batch, Claim, Source
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.services.review import Staging
from graph.stores.protocol import ClaimQuery, GraphStore
from tests.api.conftest import settings_for
from tests.conftest import SEEDS
from tests.test_backup import stage_two_claims

KEY = "evidence-key-7d41"
REPORT = "rferl-2022-05-isk-central-asia"
PROVOKE = "isk-provoke-pakistan-mines"


@pytest.fixture
def store(empty_store: GraphStore, ontology: Ontology) -> GraphStore:
    load(SEEDS, empty_store, ontology)
    return empty_store


@pytest.fixture
def staging(tmp_path: Path) -> Staging:
    return Staging(settings_for(tmp_path).staging_path)


@pytest.fixture
def client(store: GraphStore, tmp_path: Path) -> Iterator[TestClient]:
    yield TestClient(create_app(settings_for(tmp_path, api_keys=[SecretStr(KEY)]), store))


def grade(client: TestClient, source: str, body: object, key: str | None = KEY) -> tuple[int, dict[str, object]]:
    response = client.patch(f"/v1/sources/{source}", json=body, headers={"X-API-Key": key} if key else {})
    return response.status_code, response.json()


def test_a_source_is_graded_with_the_write_key_and_every_claim_shows_it(client: TestClient) -> None:
    assert client.get(f"/v1/sources/{REPORT}").json()["source"]["reliability"] == "B"  # as the seed's metadata says
    # The key is checked before anything else: a bad body or an unknown source without the key is still a 401.
    assert grade(client, REPORT, {"reliability": "Z"}, key=None)[0] == 401
    assert grade(client, "no-such-report", {"reliability": "A"}, key=None)[0] == 401
    status, body = grade(client, REPORT, {"reliability": "A"}, key="not-the-key")
    assert (status, body["error"]) == (403, "forbidden")
    assert client.get(f"/v1/sources/{REPORT}").json()["source"]["reliability"] == "B"

    status, body = grade(client, REPORT, {"reliability": "D"})
    assert status == 200 and body["id"] == REPORT and body["reliability"] == "D" and body["claims"] > 0
    assert client.get(f"/v1/sources/{REPORT}").json()["source"]["reliability"] == "D"
    claims = client.get("/v1/claims", params={"subject": "isk", "type": "SEEKS_TO_PROVOKE"}).json()["data"]
    assert claims and {claim["report"]["reliability"] for claim in claims} == {"D"}
    assert grade(client, REPORT, {"reliability": None})[1]["reliability"] is None
    assert client.get(f"/v1/sources/{REPORT}").json()["source"]["reliability"] is None


def test_a_bad_grade_or_an_unknown_source_is_refused_by_name(client: TestClient) -> None:
    status, body = grade(client, REPORT, {"reliability": "G"})
    assert status == 422 and "reliability" in body["message"]
    status, body = grade(client, REPORT, {})
    assert status == 422 and "reliability" in body["message"]
    status, body = grade(client, "no-such-report", {"reliability": "A"})
    assert (status, body["error"]) == (404, "source_not_found")
    assert client.get(f"/v1/sources/{REPORT}").json()["source"]["reliability"] == "B"


def test_evidence_gives_the_asserter_by_name_and_the_corroboration(client: TestClient, store: GraphStore) -> None:
    provoke = store.get_claim(PROVOKE)
    body = client.get("/v1/claims/evidence", params={"ids": PROVOKE}).json()
    assert body == {"data": [{"id": PROVOKE, "asserted_by": "andrew-mines", "asserted_by_name": "Andrew Mines",
                              "corroboration": 0}]}
    unknown = client.get("/v1/claims/evidence", params={"ids": f"{PROVOKE},no-such-claim"})
    assert unknown.status_code == 404 and unknown.json()["details"] == {"ids": ["no-such-claim"]}
    assert "no-such-claim" in unknown.json()["message"]
    # A second report says the same: each claim now has one other source behind it.
    text = "IS-K seeks to provoke Pakistan, analysts say."
    store.upsert(Batch(
        sources=[Source(id="second-report", title="Second", outlet="Another", url=None, published=None, text=text)],
        claims=[Claim(**{**provoke.model_dump(exclude={"disputed", "disputed_by"}), "id": "provoke-second",
                         "source": "second-report", "quote": text, "span": (0, len(text))})]))
    body = client.get("/v1/claims/evidence", params=[("ids", PROVOKE), ("ids", "provoke-second")]).json()
    assert {e["id"]: e["corroboration"] for e in body["data"]} == {PROVOKE: 1, "provoke-second": 1}
    everything = store.claims(ClaimQuery(source=REPORT))
    counted = client.get("/v1/claims/evidence", params={"ids": ",".join(c.id for c in everything)}).json()["data"]
    assert [e["id"] for e in counted] == [c.id for c in everything]
    # Only the seed's claims of the one relation the second report tells have another source behind them.
    same = {c.id for c in everything if (c.subject, c.type, c.object) == ("isk", "SEEKS_TO_PROVOKE", "pakistan")}
    assert {e["id"] for e in counted if e["corroboration"]} == same and PROVOKE in same


def test_evidence_of_no_claim_is_empty_and_of_too_many_is_refused(client: TestClient) -> None:
    assert client.get("/v1/claims/evidence", params={"ids": ","}).json() == {"data": []}
    response = client.get("/v1/claims/evidence", params={"ids": ",".join(f"c{n}" for n in range(501))})
    assert response.status_code == 422 and "at most 500" in response.json()["message"]


def review(client: TestClient, body: object, key: str | None = KEY) -> tuple[int, dict[str, object]]:
    response = client.post("/v1/review/claims", json=body, headers={"X-API-Key": key} if key else {})
    return response.status_code, response.json()


def test_staged_claims_of_any_report_are_accepted_or_rejected_with_the_key(
        client: TestClient, store: GraphStore, staging: Staging, seed_text: str) -> None:
    stage_two_claims(staging, seed_text)
    assert client.get("/v1/review/claims").json()["count"] == 2
    assert review(client, {"accept": ["staged-0"]}, key=None)[0] == 401
    status, body = review(client, {"accept": ["staged-0"]}, key="wrong")
    assert (status, body["error"]) == (403, "forbidden")
    # Nothing is written when any id is wrong, nor when one id is both accepted and rejected.
    status, body = review(client, {"accept": ["staged-0"], "reject": ["no-such-claim"]})
    assert (status, body["error"]) == (404, "staged_claim_not_found") and "no-such-claim" in str(body["message"])
    status, body = review(client, {"accept": ["staged-0"], "reject": ["staged-0"]})
    assert status == 422 and "accepted and rejected" in str(body["message"])
    assert not store.get_claims(["staged-0"]) and client.get("/v1/review/claims").json()["count"] == 2

    status, body = review(client, {"accept": ["staged-0"], "reject": ["staged-1"]})
    assert status == 200, body
    assert (body["accepted"], body["rejected"], body["remaining"]) == (["staged-0"], ["staged-1"], 0)
    assert store.get_claim("staged-0").quote == "IS-K claimed that it had fire rockets"
    assert not store.get_claims(["staged-1"])
    assert client.get("/v1/review/claims").json()["count"] == 0
    status, body = review(client, {"reject": ["staged-1"]})
    assert status == 404 and "reviewed already" in str(body["message"])


def test_every_staged_claim_is_accepted_at_once(client: TestClient, store: GraphStore, staging: Staging,
                                                seed_text: str) -> None:
    stage_two_claims(staging, seed_text)
    status, body = review(client, {"accept": ["all"]})
    assert status == 200 and sorted(body["accepted"]) == ["staged-0", "staged-1"] and body["remaining"] == 0
    assert set(store.get_claims(["staged-0", "staged-1"])) == {"staged-0", "staged-1"}


def test_a_report_posted_with_a_grade_keeps_it(client: TestClient) -> None:
    text = "Islamic State Khorasan fighters attacked Tajikistan on 7 May 2022.\n"
    refused = client.post("/v1/reports", json={"text": text, "reliability": "Q"}, headers={"X-API-Key": KEY})
    assert refused.status_code == 422 and "reliability" in refused.json()["message"]
    response = client.post("/v1/reports", json={"text": text, "reliability": "E"}, headers={"X-API-Key": KEY})
    assert response.status_code == 201, response.text
    assert response.json()["source"]["reliability"] == "E"
    assert client.get(f"/v1/sources/{response.json()['source']['id']}").json()["source"]["reliability"] == "E"
