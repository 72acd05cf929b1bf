"""Sources through the HTTP API: the reports and the claims cut from them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from graph.stores.protocol import ClaimQuery, GraphStore

REPORT = "rferl-2022-05-isk-central-asia"


def test_sources_are_listed_with_their_claim_counts(client: TestClient, seeded: GraphStore) -> None:
    body = client.get("/v1/sources").json()
    report = next(s for s in body["data"] if s["id"] == REPORT)
    assert report["outlet"] == "RFE/RL (Gandhara)" and report["reliability"] == "B"
    assert report["claims"] == len(seeded.claims(ClaimQuery(source=REPORT)))
    assert "text" not in report and body["count"] == len(seeded.sources())


def test_one_source_with_its_text_and_claims(client: TestClient, seed_text: str) -> None:
    body = client.get(f"/v1/sources/{REPORT}").json()
    assert body["source"]["title"].startswith("IS-K Ramps Up War Against The Taliban")
    assert body["text"] == seed_text
    assert all(seed_text[c["span"][0]:c["span"][1]] == c["quote"] for c in body["claims"])
    assert len(body["claims"]) == body["source"]["claims"]


def test_unknown_source_is_404(client: TestClient) -> None:
    response = client.get("/v1/sources/no-such-report")
    assert response.status_code == 404
    assert response.json() == {"error": "source_not_found", "message": "no source has id 'no-such-report'",
                               "details": {"id": "no-such-report"}}
