"""GET /v1/review/entities and POST /v1/review/entities/{id} (behind the write key), on both stores."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.api import create_app
from graph.domain.errors import EntityNotFound
from graph.domain.ontology import Ontology
from graph.services.actor_review import ReviewLog
from graph.services.loader import load
from graph.stores.protocol import ClaimQuery, GraphStore
from tests.api.conftest import settings_for
from tests.conftest import SEEDS

KEY = "test-key-5c2a"
SAHEL = ("JNIM, al-Qaeda's affiliate in the Sahel, claimed an attack on a military camp in Djibo, Burkina Faso, on "
         "Sunday. In a separate statement, the group said it had ambushed a Wagner Group convoy near Gao in northern "
         "Mali. Burkina Faso's junta blamed the Islamic State Sahel Province for a raid near Dori, a charge the group "
         "denied.\n")
KAIDA = "Al-Kaida fighters attacked a Malian convoy on May 3.\n"
AGAIN = "Wagner Group fighters attacked Niger on May 10. JNIM fighters attacked Malian troops on May 9.\n"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds without the regional registry, where the Sahel's groups are actors the registry lacks."""
    seeds = tmp_path_factory.mktemp("home") / "seeds"
    shutil.copytree(SEEDS, seeds, ignore=shutil.ignore_patterns("registry"))
    return seeds


@pytest.fixture
def store(empty_store: GraphStore, ontology: Ontology, home: Path) -> GraphStore:
    load(home, empty_store, ontology)
    return empty_store


@pytest.fixture
def client(store: GraphStore, tmp_path: Path, home: Path) -> Iterator[TestClient]:
    yield TestClient(create_app(settings_for(tmp_path, api_keys=[SecretStr(KEY)], seeds_dir=home), store))


def ingest(client: TestClient, text: str, title: str) -> dict[str, Any]:
    response = client.post("/v1/reports", json={"text": text, "title": title, "outlet": "RFE/RL",
                                                "published": "2024-05-20"}, headers={"X-API-Key": KEY})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def decide(client: TestClient, candidate: str, body: dict[str, str], key: str | None = KEY) -> TestClient:
    return client.post(f"/v1/review/entities/{candidate}", json=body,  # type: ignore[return-value]
                       headers={"X-API-Key": key} if key else {})


def test_candidates_are_listed_and_decided_with_the_write_key(client: TestClient, store: GraphStore,
                                                              tmp_path: Path) -> None:
    sahel = ingest(client, SAHEL, "Sahel")["source"]["id"]
    ingest(client, KAIDA, "Kaida")
    listed = client.get("/v1/review/entities").json()
    assert listed["count"] == 4
    by_id = {e["id"]: e for e in listed["data"]}
    jnim = by_id["jnim"]
    assert (jnim["name"], jnim["kind"], jnim["parent"], jnim["parent_relation"], jnim["sources"]) == (
        "JNIM", "armed_group", "al-qaeda", "AFFILIATE_OF", [sahel])
    assert jnim["mentions"][0]["sentence"].startswith("JNIM, al-Qaeda's affiliate in the Sahel")
    assert {(c["type"], c["object"]) for c in jnim["claims"]} == {
        ("AFFILIATE_OF", "al-qaeda"), ("ATTACKED", "burkina-faso"), ("ATTACKED", "wagner-group")}
    kaida = next(e for e in listed["data"] if e["merge_into"] == "al-qaeda")
    paged = client.get("/v1/review/entities", params={"limit": 1, "offset": 1}).json()
    assert (paged["count"], [e["id"] for e in paged["data"]]) == (4, [listed["data"][1]["id"]])

    # the key is checked first: none is 401, a wrong one 403, and nothing is decided
    assert decide(client, "jnim", {"decision": "accept"}, key=None).status_code == 401
    assert decide(client, "jnim", {"decision": "accept"}, key="wrong-key-0000").status_code == 403
    assert decide(client, "jnim", {"decision": "bogus"}, key=None).status_code == 401
    missing = decide(client, "hamas", {"decision": "accept"})
    assert (missing.status_code, missing.json()["error"]) == (404, "candidate_entity_not_found")
    bad_kind = decide(client, "jnim", {"decision": "accept", "kind": "militia-ish"})
    assert (bad_kind.status_code, bad_kind.json()["details"]["parameter"]) == (422, "kind")
    assert decide(client, "jnim", {"decision": "adopt"}).status_code == 422
    unknown = decide(client, kaida["id"], {"decision": "merge", "into": "no-such-group"})
    assert (unknown.status_code, unknown.json()["error"]) == (404, "entity_not_found")
    with pytest.raises(EntityNotFound):
        store.get_entity("jnim")
    assert client.get("/v1/review/entities").json()["count"] == 4

    accepted = decide(client, "jnim", {"decision": "accept", "name": "Jama'at Nusrat al-Islam wal-Muslimin"})
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert (body["entity"], len(body["loaded"]), len(body["still_staged"])) == ("jnim", 2, 1)
    assert body["written"]["created"]["entities"] == 1
    assert store.get_entity("jnim").name == "Jama'at Nusrat al-Islam wal-Muslimin"
    assert {(c.subject, c.type, c.object) for c in store.claims(ClaimQuery(source=sahel))} == {
        ("jnim", "AFFILIATE_OF", "al-qaeda"), ("jnim", "ATTACKED", "burkina-faso")}
    merged = decide(client, kaida["id"], {"decision": "merge"}).json()
    assert (merged["entity"], len(merged["loaded"])) == ("al-qaeda", 1)
    assert "Al-Kaida" in [a.name for a in store.get_entity("al-qaeda").aliases]
    rejected = decide(client, "wagner-group", {"decision": "reject"}).json()
    assert (rejected["action"], len(rejected["dropped"]), rejected["written"]) == ("reject", 1, None)
    assert [e["id"] for e in client.get("/v1/review/entities").json()["data"]] == ["islamic-state-sahel-province"]
    log = ReviewLog(tmp_path / "review-decisions.jsonl").entries()
    assert [(v.action, v.entity, v.by) for v in log] == [("accept", "jnim", "POST /v1/review/entities"),
                                                         ("merge", "al-qaeda", "POST /v1/review/entities"),
                                                         ("reject", None, "POST /v1/review/entities")]

    # the next report: JNIM is known, Wagner's claim is discarded as a rejected actor's, nothing is staged
    posted = ingest(client, AGAIN, "Again")
    assert posted["reviewed"] == {"resolved": {}, "rejected": ["Wagner Group"], "discarded": 1}
    again = posted["source"]["id"]
    assert {(c.subject, c.type, c.object) for c in store.claims(ClaimQuery(source=again))} == {
        ("jnim", "ATTACKED", "mali")}
    assert client.get(f"/v1/reports/{again}/claims").json()["staged"] == []
    assert [e["id"] for e in client.get("/v1/review/entities").json()["data"]] == ["islamic-state-sahel-province"]


def test_claims_awaiting_review_are_listed_from_every_report_with_their_count(client: TestClient) -> None:
    assert client.get("/v1/review/claims").json()["count"] == 0
    reports = [ingest(client, SAHEL, "Sahel")["source"]["id"], ingest(client, KAIDA, "Kaida")["source"]["id"]]
    staged = [claim["id"] for report in reports
              for claim in client.get(f"/v1/reports/{report}/claims").json()["staged"]]
    listed = client.get("/v1/review/claims").json()
    assert listed["count"] == len(staged) > 0
    assert [claim["id"] for claim in listed["data"]] == staged
    assert all(claim["source"] in reports and claim["quote"] for claim in listed["data"])
    paged = client.get("/v1/review/claims", params={"limit": 1, "offset": 1}).json()
    assert (paged["count"], [claim["id"] for claim in paged["data"]]) == (len(staged), staged[1:2])
