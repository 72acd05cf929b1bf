"""POST /v1/reports (behind the API key), what came of a report, and reviewing its staged claims, on both stores."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.api import create_app
from graph.domain.model import Batch, Entity
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.stores.protocol import ClaimQuery, GraphStore
from tests.api.conftest import settings_for
from tests.conftest import SEEDS

KEY = "test-key-7d1e"
TEXT = ("IS-K claimed that it fired rockets at Tajikistan on May 7. Dushanbe denied that any attack took place. "
        "Analysts say IS-K seeks to provoke Uzbekistan. Separately, Zarnigor Brigade fighters were seen near "
        "the border.\n")
REPORT = {"text": TEXT, "title": "Rockets over the Panj", "outlet": "RFE/RL", "published": "2022-05-20"}


@pytest.fixture
def store(empty_store: GraphStore, ontology: Ontology) -> GraphStore:
    load(SEEDS, empty_store, ontology)
    return empty_store


@pytest.fixture
def client_for(store: GraphStore, tmp_path: Path) -> Callable[..., TestClient]:
    def build(**overrides: Any) -> TestClient:
        return TestClient(create_app(settings_for(tmp_path, **overrides), store))

    return build


@pytest.fixture
def client(client_for: Callable[..., TestClient]) -> TestClient:
    return client_for(api_keys=[SecretStr(KEY)])


def post(client: TestClient, body: dict[str, Any], key: str | None = KEY) -> Any:
    return client.post("/v1/reports", json=body, headers={"X-API-Key": key} if key else {})


def triples(claims: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(c["subject"], c["type"], c["object"]) for c in claims}


def test_posting_a_report_needs_a_key_and_writes_nothing_without_one(
        client: TestClient, client_for: Callable[..., TestClient], store: GraphStore) -> None:
    sources = len(store.sources())
    missing = post(client, REPORT, key=None)
    assert missing.status_code == 401 and missing.json()["error"] == "unauthorized"
    assert "X-API-Key" in missing.json()["message"]
    wrong = post(client, REPORT, key="guess")
    assert wrong.status_code == 403 and wrong.json()["error"] == "forbidden" and KEY not in wrong.text
    closed = post(client_for(), REPORT, key=KEY)
    assert closed.status_code == 403 and closed.json()["error"] == "writes_disabled"
    assert len(store.sources()) == sources


def test_a_posted_report_is_extracted_loaded_and_shown_once(client: TestClient, store: GraphStore) -> None:
    before = len(store.claims(ClaimQuery()))
    response = post(client, REPORT)
    assert response.status_code == 201, response.text
    body = response.json()
    source = body["source"]["id"]
    assert source.startswith("r-") and body["source"]["title"] == "Rockets over the Panj"
    assert response.headers["location"] == body["outcome"] == f"/v1/reports/{source}/claims"
    assert triples(body["claims"]) >= {("isk", "ATTACKED", "tajikistan"), ("tajikistan", "DENIED", "isk"),
                                       ("isk", "SEEKS_TO_PROVOKE", "uzbekistan")}
    assert all(c["extracted_by"].startswith("kg-parse/") and c["confidence"] < 1 for c in body["claims"])
    attack = next(c for c in body["claims"] if c["type"] == "ATTACKED")
    assert attack["status"] == "claimed" and attack["date"] == "2022-05-07"
    assert TEXT[attack["span"][0]:attack["span"][1]] == attack["quote"]
    assert body["written"]["created"]["claims"] == len(body["claims"]) and body["staged"] == 0
    assert "Zarnigor Brigade" in {c["name"] for c in body["candidates"]}
    assert len(store.claims(ClaimQuery())) == before + len(body["claims"])

    outcome = client.get(body["outcome"]).json()
    assert {c["id"] for c in outcome["loaded"]} == {c["id"] for c in body["claims"]}
    assert next(c for c in outcome["loaded"] if c["type"] == "ATTACKED")["disputed"] is True
    assert outcome["staged"] == [] and "Zarnigor Brigade" in {c["name"] for c in outcome["candidates"]}

    again = post(client, REPORT)
    assert again.status_code == 200 and again.json()["source"]["id"] == source
    assert again.json()["written"]["created"] == {"entities": 0, "sources": 0, "claims": 0, "incidents": 0}
    assert again.json()["written"]["updated"]["incidents"] == 0  # its incident is where the first post put it
    assert len(store.claims(ClaimQuery())) == before + len(body["claims"])


def test_review_stages_then_accepts_and_rejects_claims_of_that_report(client: TestClient, store: GraphStore) -> None:
    before = len(store.claims(ClaimQuery()))
    staged = post(client, {**REPORT, "review": True})
    assert staged.status_code == 201
    body = staged.json()
    assert body["staged"] == len(body["claims"]) >= 3 and body["written"]["created"]["claims"] == 0
    assert len(store.claims(ClaimQuery())) == before
    outcome = client.get(body["outcome"]).json()
    assert outcome["loaded"] == [] and {c["id"] for c in outcome["staged"]} == {c["id"] for c in body["claims"]}

    review = f"/v1/reports/{body['source']['id']}/review"
    attack = next(c["id"] for c in body["claims"] if c["type"] == "ATTACKED")
    provoke = next(c["id"] for c in body["claims"] if c["type"] == "SEEKS_TO_PROVOKE")
    assert client.post(review, json={"accept": [attack]}).status_code == 401
    unknown = client.post(review, json={"accept": ["not-staged"]}, headers={"X-API-Key": KEY})
    assert unknown.status_code == 404 and unknown.json()["details"]["ids"] == ["not-staged"]
    done = client.post(review, json={"accept": [attack], "reject": [provoke]}, headers={"X-API-Key": KEY})
    assert done.status_code == 200, done.text
    assert done.json()["accepted"] == [attack] and done.json()["rejected"] == [provoke]
    assert {c["id"] for c in done.json()["staged"]} == {c["id"] for c in body["claims"]} - {attack, provoke}
    assert [c.id for c in store.claims(ClaimQuery(source=body["source"]["id"]))] == [attack]

    rest = client.post(review, json={"accept": ["all"]}, headers={"X-API-Key": KEY}).json()
    assert rest["staged"] == [] and len(rest["accepted"]) == len(body["claims"]) - 2
    loaded = client.get(body["outcome"]).json()["loaded"]
    assert provoke not in {c["id"] for c in loaded} and len(loaded) == len(body["claims"]) - 1


def test_an_html_page_is_read_for_its_article_body(client: TestClient) -> None:
    page = ("<html><head><title>Border rockets</title></head><body><nav>Home | World | Asia</nav><article><h1>"
            "Border rockets</h1>" + "".join(f"<p>{s}.</p>" for s in TEXT.strip().rstrip(".").split(". ")) +
            "</article><footer>Copyright The Outlet</footer></body></html>")
    response = post(client, {"html": page, "outlet": "RFE/RL", "published": "2022-05-20"})
    assert response.status_code == 201, response.text
    assert ("isk", "ATTACKED", "tajikistan") in triples(response.json()["claims"])
    text = client.get(f"/v1/sources/{response.json()['source']['id']}").json()["text"]
    assert "Dushanbe denied" in text and "Home | World" not in text and "Copyright" not in text


@pytest.mark.parametrize(("body", "parameter", "says"), [
    ({"outlet": "RFE/RL"}, "body", "exactly one of text and html"),
    ({"text": TEXT, "html": "<p>x</p>", "outlet": "RFE/RL"}, "body", "exactly one of text and html"),
    ({**REPORT, "published": "20 May 2022"}, "published", "pattern"),
    ({**REPORT, "source": "mine"}, "source", "not permitted"),
])
def test_malformed_requests_name_the_field(client: TestClient, body: dict[str, Any], parameter: str,
                                           says: str) -> None:
    response = post(client, body)
    assert response.status_code == 422 and response.json()["error"] == "invalid_parameter"
    assert parameter in response.json()["message"] and says in response.text


def test_unusable_reports_are_refused_with_the_reason_and_nothing_written(client: TestClient,
                                                                          store: GraphStore) -> None:
    sources = len(store.sources())
    impossible = post(client, {**REPORT, "published": "2022-02-30"})
    assert impossible.status_code == 422 and "2022-02-30" in impossible.json()["message"]
    no_article = post(client, {"html": "<html><body><div></div></body></html>", "outlet": "RFE/RL"})
    assert no_article.status_code == 422 and "no article text" in no_article.json()["message"]
    assert len(store.sources()) == sources
    missing = client.get("/v1/reports/r-0000000000000000/claims")
    assert missing.status_code == 404 and missing.json()["error"] == "source_not_found"


def test_an_outlet_the_registry_lacks_is_added_and_keeps_its_claims(client: TestClient, store: GraphStore) -> None:
    response = post(client, {**REPORT, "outlet": "Daily Nowhere"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["written"]["created"]["entities"] == 1 and body["claims"]
    assert store.get_entity("daily-nowhere").kind == "organization"
    assert store.get_source(body["source"]["id"]).outlet_id == "daily-nowhere"
    reported = [c for c in body["claims"] if c["status"] in ("reported", "assessed") and c["note"] is None]
    assert all(c["asserted_by"] == "daily-nowhere" for c in reported)


def test_a_refused_body_is_not_echoed_back_whole(client: TestClient) -> None:
    huge = "Kabul said the border was calm. " * 2000
    response = post(client, {"text": huge, "html": "<p>also</p>", "outlet": "RFE/RL"})
    assert response.status_code == 422 and len(response.text) < 2000
    unreadable = client.post("/v1/reports", content=b"\xff{not json", headers={"X-API-Key": KEY,
                                                                                "Content-Type": "application/json"})
    assert unreadable.status_code in (400, 422) and unreadable.json()["error"] in ("invalid_body", "invalid_parameter")


def test_a_reports_unknown_names_are_read_back_as_kept_at_ingest(client: TestClient, store: GraphStore,
                                                                  ontology: Ontology) -> None:
    body = post(client, REPORT).json()
    kept = store.candidates_of(body["source"]["id"])
    assert kept is not None and "Zarnigor Brigade" in {c["name"] for c in kept}
    outcome = client.get(body["outcome"]).json()
    assert outcome["candidates_kept"] is True and outcome["candidates"] == body["candidates"]
    # A name the graph has learnt since is no longer unknown.
    store.upsert(Batch(entities=[Entity(id="zarnigor-brigade", name="Zarnigor Brigade", kind="armed_group")]))
    later = client.get(body["outcome"]).json()
    assert "Zarnigor Brigade" not in {c["name"] for c in later["candidates"]}
    assert [c for c in later["candidates"] if c["name"] != "Zarnigor Brigade"] == [
        c for c in body["candidates"] if c["name"] != "Zarnigor Brigade"]


def test_a_report_without_kept_names_says_so(client: TestClient, store: GraphStore) -> None:
    curated = client.get("/v1/reports/rferl-2022-05-isk-central-asia/claims").json()
    assert curated["candidates_kept"] is False and curated["candidates"] == []
    assert {c["id"] for c in curated["loaded"]} == {c.id for c in store.claims(
        ClaimQuery(source="rferl-2022-05-isk-central-asia"))}
