"""What every endpoint shares: the error shape, ETags, CORS, API keys, the schema and the store probes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.api import create_app
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.stores.sqlite.store import SqliteStore
from tests.api.conftest import settings_for
from tests.conftest import SEEDS

ClientFactory = Callable[..., TestClient]


def test_every_error_has_the_one_shape(client: TestClient, client_with: ClientFactory) -> None:
    for path in ("/v1/entities/Atlantis", "/v1/entities/Kabul", "/v1/claims?limit=0", "/v1/claims?limit=abc",
                 "/v1/claims?offset=-1", "/v1/nothing-here", "/v1/export?format=pdf"):
        response = client.get(path)
        assert response.status_code in (404, 409, 422), path
        assert set(response.json()) == {"error", "message", "details"}, path
    # Any POST is a write: the key is asked for before the route is even looked up.
    assert client.post("/v1/claims").json()["error"] == "writes_disabled"
    keyed = client_with(api_keys=[SecretStr("a-key-of-twenty-chars")])
    not_allowed = keyed.post("/v1/claims", headers={"X-API-Key": "a-key-of-twenty-chars"})
    assert not_allowed.status_code == 405 and not_allowed.json()["error"] == "method_not_allowed"


def test_validation_errors_name_the_parameter_and_accepted_values(client: TestClient) -> None:
    negative = client.get("/v1/claims", params={"offset": -1}).json()
    assert negative["error"] == "invalid_parameter"
    assert negative["details"]["parameter"] == "offset" and negative["details"]["accepted"] == ["0..2147483647"]
    not_a_number = client.get("/v1/claims", params={"limit": "many"}).json()
    assert not_a_number["details"] == {**not_a_number["details"], "parameter": "limit", "value": "many",
                                       "accepted": ["an integer"]}
    assert not_a_number["message"].startswith("limit='many': ")


def test_a_page_beyond_the_configured_maximum_is_refused(client_with: ClientFactory) -> None:
    client = client_with(max_page_size=5)
    response = client.get("/v1/claims", params={"limit": 6})
    assert response.status_code == 422
    assert response.json()["details"]["parameter"] == "limit" and "at most 5" in response.json()["message"]
    assert len(client.get("/v1/claims", params={"limit": 5}).json()["data"]) == 5
    huge = client.get("/v1/claims", params={"limit": 10**30})
    assert huge.status_code == 422 and huge.json()["details"]["parameter"] == "limit"


def test_etag_lets_a_poller_skip_unchanged_answers(client: TestClient) -> None:
    first = client.get("/v1/stats")
    tag = first.headers["etag"]
    assert tag.startswith('"') and first.headers["cache-control"] == "no-cache"
    again = client.get("/v1/stats", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert client.get("/v1/stats", headers={"If-None-Match": '"stale"'}).status_code == 200
    assert client.get("/v1/stats?top=2").headers["etag"] != tag
    assert "etag" not in client.get("/v1/entities/Atlantis").headers


def test_etag_changes_when_the_graph_changes(ontology: Ontology, tmp_path: Path) -> None:
    store = SqliteStore(ontology, tmp_path / "graph.json")
    client = TestClient(create_app(settings_for(tmp_path), store))
    empty = client.get("/v1/stats").headers["etag"]
    load(SEEDS, store, ontology)
    assert client.get("/v1/stats", headers={"If-None-Match": empty}).status_code == 200


def test_cors_is_off_by_default_and_allows_configured_origins(client: TestClient,
                                                             client_with: ClientFactory) -> None:
    origin = {"Origin": "https://dashboard.example"}
    assert "access-control-allow-origin" not in client.get("/v1/stats", headers=origin).headers
    allowed = client_with(cors_origins=["https://dashboard.example"])
    response = allowed.get("/v1/stats", headers=origin)
    assert response.headers["access-control-allow-origin"] == "https://dashboard.example"
    assert "etag" in response.headers["access-control-expose-headers"].lower()
    preflight = allowed.options("/v1/stats", headers={**origin, "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    other = allowed.get("/v1/stats", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers


def test_an_unreadable_store_is_503_not_500(ontology: Ontology, tmp_path: Path) -> None:
    data = tmp_path / "graph.sqlite"
    store = SqliteStore(ontology, data)
    load(SEEDS, store, ontology)
    client = TestClient(create_app(settings_for(tmp_path), store))
    assert client.get("/ready").status_code == 200
    for damaged in (data, data.with_name(data.name + "-wal"), data.with_name(data.name + "-shm")):
        damaged.write_bytes(b"not a database" * 1000)
    for path in ("/ready", "/v1/stats", "/v1/claims", "/v1/entities/isk"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert response.json()["error"] == "store_unavailable"
    assert client.get("/health").json() == {"status": "ok"}


def test_openapi_lists_every_endpoint_and_the_ontologys_vocabulary(client: TestClient, ontology: Ontology) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/v1/entities", "/v1/entities/{id}", "/v1/entities/{id}/neighbourhood", "/v1/paths", "/v1/claims",
            "/v1/claims/{id}", "/v1/sources", "/v1/sources/{id}", "/v1/schema", "/v1/stats", "/v1/timeline",
            "/v1/export", "/v1/reports", "/v1/reports/{id}/claims", "/v1/reports/{id}/review", "/health",
            "/ready"} <= set(schema["paths"])
    parameters = {p["name"]: p for p in schema["paths"]["/v1/claims"]["get"]["parameters"]}
    type_items = parameters["type"]["schema"]["anyOf"][0]["items"]["enum"]
    assert "SEEKS_TO_PROVOKE" in type_items and "hostile" in type_items
    assert set(parameters["status"]["schema"]["anyOf"][0]["items"]["enum"]) == set(ontology.statuses)
    assert "422" in schema["paths"]["/v1/claims"]["get"]["responses"]
    assert client.get("/docs").status_code == 200
