"""Who may read and write: keys checked before anything else, CORS by allow-list, safe settings to start
with, and reads that cannot write on Neo4j whatever a bug asks of them."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError

from app.api import create_app
from app.settings import load_settings
from graph.domain.errors import ConfigurationInvalid
from graph.domain.ontology import Ontology
from graph.stores.neo4j import store as neo4j_module
from graph.stores.protocol import GraphStore
from tests.api.conftest import settings_for
from tests.conftest import SEED_REPORT, Neo4jTestDatabase

WRITE_KEY = "write-key-4f1a9c7e2b"
OTHER_WRITE_KEY = "second-write-key-88d0"
READ_KEY = "read-key-5c2e7a9d13"
ClientFactory = Callable[..., TestClient]
REPORT = {"text": "IS-K claimed that it fired rockets at Tajikistan on May 7.\n", "outlet": "RFE/RL",
          "published": "2022-05-20"}


@pytest.fixture
def keyed(client_with: ClientFactory) -> TestClient:
    return client_with(api_keys=[SecretStr(WRITE_KEY), SecretStr(OTHER_WRITE_KEY)])


def write_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every path the application declares with a method that writes, and the method, with ids filled in."""
    return sorted((method.upper(), path.replace("{id}", SEED_REPORT).replace("{name}", "a-watchlist"))
                  for path, operations in app.openapi()["paths"].items()
                  for method in set(operations) - {"get", "head", "options"})


def counts(store: GraphStore) -> tuple[int, int, int]:
    stats = store.stats()
    return stats.entities, stats.sources, stats.claims


def test_every_write_checks_the_key_before_reading_the_body(keyed: TestClient, seeded: GraphStore) -> None:
    paths = write_routes(keyed.app)  # type: ignore[arg-type]
    assert paths == [("DELETE", f"/v1/feeds/{SEED_REPORT}"), ("DELETE", "/v1/watchlists/a-watchlist"),
                     ("PATCH", f"/v1/sources/{SEED_REPORT}"),
                     ("POST", "/v1/feeds"), ("POST", "/v1/reports"), ("POST", f"/v1/reports/{SEED_REPORT}/review"),
                     ("POST", "/v1/review/claims"),
                     ("POST", f"/v1/review/entities/{SEED_REPORT}"), ("POST", "/v1/watchlists")]
    before = counts(seeded)
    bodies: list[dict[str, Any]] = [
        {"content": b"{not json at all", "headers": {"Content-Type": "application/json"}},
        {"content": b"\xff\xfe", "headers": {"Content-Type": "application/json"}},
        {"content": b"x" * 64, "headers": {"Content-Type": "application/octet-stream"}},
        {"content": b"[" * 10_000, "headers": {"Content-Type": "application/json"}},
        {"json": REPORT},
    ]
    for method, path in paths:
        for body in bodies:
            headers = body.get("headers", {})
            request = {k: v for k, v in body.items() if k != "headers"}
            missing = keyed.request(method, path, headers=headers, **request)
            assert (missing.status_code, missing.json()["error"]) == (401, "unauthorized"), (path, body)
            assert missing.json()["message"] == "this endpoint needs an X-API-Key header"
            wrong = keyed.request(method, path, headers={**headers, "X-API-Key": WRITE_KEY + "x"}, **request)
            assert (wrong.status_code, wrong.json()["error"]) == (403, "forbidden"), (path, body)
            assert wrong.json()["message"] == "the X-API-Key is not one of the keys configured for writes"
    # A body declared larger than any limit is still answered 401 first: the key comes before the size.
    huge = {"Content-Length": str(10**12), "Content-Type": "application/json"}
    assert keyed.post("/v1/reports", content=b"{}", headers=huge).status_code == 401
    assert keyed.post("/v1/reports", content=b"{}", headers={**huge, "X-API-Key": WRITE_KEY}).status_code == 413
    assert counts(seeded) == before


def test_any_configured_key_writes_and_without_keys_nobody_does(keyed: TestClient,
                                                               client_with: ClientFactory) -> None:
    for key in (WRITE_KEY, OTHER_WRITE_KEY):
        # An empty review is refused on its merits, so passing the gate is all this shows.
        passed = keyed.post(f"/v1/reports/{SEED_REPORT}/review", json={}, headers={"X-API-Key": key})
        assert passed.status_code == 422 and passed.json()["error"] == "invalid_parameter"
    doubled = keyed.post("/v1/reports", json=REPORT, headers=[("X-API-Key", WRITE_KEY), ("X-API-Key", "guess")])
    assert doubled.status_code == 403
    closed = client_with().post("/v1/reports", json=REPORT, headers={"X-API-Key": WRITE_KEY})
    assert (closed.status_code, closed.json()["error"]) == (403, "writes_disabled")
    assert "KG_API_KEYS" in closed.json()["message"]


def test_a_write_route_added_later_is_keyed_by_construction(keyed: TestClient) -> None:
    app = keyed.app
    written: list[str] = []

    @app.post("/v1/test-write")  # type: ignore[attr-defined, untyped-decorator]
    def test_write() -> dict[str, str]:
        written.append("yes")
        return {"written": "yes"}

    assert keyed.post("/v1/test-write").status_code == 401
    assert keyed.post("/v1/test-write", headers={"X-API-Key": "guess"}).status_code == 403
    assert written == []
    assert keyed.post("/v1/test-write", headers={"X-API-Key": WRITE_KEY}).json() == {"written": "yes"}


def test_reads_are_open_unless_read_keys_are_set(client: TestClient, client_with: ClientFactory) -> None:
    assert client.get("/v1/stats").status_code == 200
    closed = client_with(api_keys=[SecretStr(WRITE_KEY)], read_keys=[SecretStr(READ_KEY)])
    missing = closed.get("/v1/stats")
    assert (missing.status_code, missing.json()["error"]) == (401, "unauthorized")
    wrong = closed.get("/v1/claims", headers={"X-API-Key": "guess"})
    assert (wrong.status_code, wrong.json()["error"]) == (403, "forbidden")
    assert wrong.json()["message"] == "the X-API-Key is not one of the keys configured for reads"
    assert closed.get("/v1/stats", headers={"X-API-Key": READ_KEY}).status_code == 200
    assert closed.get("/v1/stats", headers={"X-API-Key": WRITE_KEY}).status_code == 200  # a writer may read
    assert closed.post("/v1/reports", json=REPORT, headers={"X-API-Key": READ_KEY}).status_code == 403
    # Probes, the schema and the documentation stay open: they hold nothing of the graph.
    for path in ("/health", "/ready", "/openapi.json", "/docs"):
        assert closed.get(path).status_code == 200, path
    schema = closed.get("/openapi.json").json()
    assert schema["paths"]["/v1/stats"]["get"]["security"] == [{"APIKey": []}]
    assert schema["components"]["securitySchemes"]["APIKey"] == {
        "type": "apiKey", "in": "header", "name": "X-API-Key",
        "description": "One of KG_API_KEYS (writes), or of KG_READ_KEYS (reads, when set)."}
    assert "security" not in schema["paths"]["/health"]["get"]
    open_schema = client.get("/openapi.json").json()
    assert "security" not in open_schema["paths"]["/v1/stats"]["get"]
    assert open_schema["paths"]["/v1/reports"]["post"]["security"] == [{"APIKey": []}]


def test_keys_are_never_logged_nor_echoed(client_with: ClientFactory, caplog: pytest.LogCaptureFixture) -> None:
    client = client_with(api_keys=[SecretStr(WRITE_KEY)], read_keys=[SecretStr(READ_KEY)])
    app = client.app

    @app.get("/v1/test-failure")  # type: ignore[attr-defined, untyped-decorator]
    def fail() -> None:
        raise RuntimeError("a bug")

    guess = "guessed-key-77e1"
    bodies = []
    with caplog.at_level(logging.DEBUG):
        for key in (WRITE_KEY, READ_KEY, guess):
            headers = {"X-API-Key": key}
            bodies.append(client.post("/v1/reports", json={**REPORT, "published": "nope"}, headers=headers).text)
            bodies.append(client.get("/v1/claims", params={"limit": "x"}, headers=headers).text)
            bodies.append(client.get("/v1/entities/Atlantis", headers=headers).text)
            bodies.append(TestClient(app, raise_server_exceptions=False).get("/v1/test-failure", headers=headers).text)
    assert "unexpected error on GET /v1/test-failure" in caplog.text
    for key in (WRITE_KEY, READ_KEY, guess):
        assert key not in caplog.text
        assert all(key not in body for body in bodies)
    settings = client.app.state.settings  # type: ignore[attr-defined]
    assert WRITE_KEY not in repr(settings) and READ_KEY not in str(settings.model_dump())


def test_cors_is_an_allow_list(client_with: ClientFactory, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="'\\*' would let every web site call the API"):
        settings_for(tmp_path, cors_origins=["*"])
    with pytest.raises(ValidationError, match=r"'https://dash\.example/' is not an origin"):
        settings_for(tmp_path, cors_origins=["https://dash.example/"])
    client = client_with(cors_origins=["https://dash.example"], api_keys=[SecretStr(WRITE_KEY)])
    preflight = client.options("/v1/reports", headers={
        "Origin": "https://dash.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "X-API-Key, Content-Type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://dash.example"
    assert "access-control-allow-credentials" not in preflight.headers
    refused = client.options("/v1/reports", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
    assert "access-control-allow-origin" not in client.get("/v1/stats", headers={"Origin": "null"}).headers


@pytest.mark.parametrize(("password", "says"), [
    (None, "NEO4J_PASSWORD is not set"),
    ("", "NEO4J_PASSWORD is empty"),
    ("neo4j", "NEO4J_PASSWORD is a well-known default"),
    ("Password", "NEO4J_PASSWORD is a well-known default"),
    ("short", "NEO4J_PASSWORD is shorter than 8 characters"),
])
def test_a_default_or_empty_neo4j_password_outside_local_development_is_refused(
        tmp_path: Path, password: str | None, says: str) -> None:
    given = {"neo4j_password": SecretStr(password)} if password is not None else {}
    with pytest.raises(ValidationError) as refused:
        settings_for(tmp_path, environment="production", neo4j_uri="bolt://db.example:7687", **given)
    assert says in str(refused.value)
    assert "outside local development (KG_ENVIRONMENT=production)" in str(refused.value)
    # The same settings are fine in local development, and a strong password is fine anywhere.
    settings_for(tmp_path, environment="local", neo4j_uri="bolt://db.example:7687", **given)
    settings_for(tmp_path, environment="production", neo4j_uri="bolt://db.example:7687",
                 neo4j_password=SecretStr("a-long-password-of-its-own"))
    # The embedded store needs no password.
    settings_for(tmp_path, environment="production", store="memory")


def test_default_api_keys_outside_local_development_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"KG_API_KEYS\[1\] is a well-known default"):
        settings_for(tmp_path, environment="staging", store="memory",
                     api_keys=[SecretStr(WRITE_KEY), SecretStr("change-me")])
    with pytest.raises(ValidationError, match=r"KG_READ_KEYS\[0\] is shorter than 8 characters"):
        settings_for(tmp_path, environment="staging", store="memory", read_keys=[SecretStr("abc")])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_kg_serve_does_not_start_with_a_default_password_outside_local_development(tmp_path: Path) -> None:
    """The real command in a real process: it stops at once with the message, and never listens."""
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("KG_", "NEO4J_"))}
    env.update(KG_ENVIRONMENT="production", NEO4J_URI="bolt://127.0.0.1:1", NEO4J_PASSWORD="neo4j",
               KG_DATA_FILE=str(tmp_path / "graph.json"))
    kg = Path(sys.executable).with_name("kg")
    done = subprocess.run([str(kg), "serve", "--port", str(port)], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: invalid configuration: NEO4J_PASSWORD is a well-known default; outside local development "
        "(KG_ENVIRONMENT=production) the Neo4j store needs a password of its own")
    assert "neo4j" not in done.stdout


def test_a_malformed_key_list_is_named_without_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_API_KEYS", '["top-secret-value", ')
    with pytest.raises(ConfigurationInvalid) as refused:
        load_settings(_env_file=None)
    assert 'field "api_keys"' in refused.value.message and "top-secret-value" not in refused.value.message


# --- read transactions ---------------------------------------------------------------------

READS = [
    "/v1/entities", "/v1/entities?q=valle", "/v1/entities/isk", "/v1/entities/isk/neighbourhood",
    "/v1/paths?source=isk&target=china", "/v1/claims?subject=isk", "/v1/claims/isk-provoke-pakistan-mines",
    "/v1/sources", f"/v1/sources/{SEED_REPORT}", f"/v1/reports/{SEED_REPORT}/claims", "/v1/stats",
    "/v1/timeline", "/v1/export?format=stix", "/v1/ask?q=who%20is%20IS-K%20trying%20to%20provoke",
    "/v1/ask/query?shape=profile&subject=isk", "/ready", "/v1/incidents?place=Kunduz&perpetrator=isk",
    "/v1/incidents.geojson?country=afghanistan", "/v1/incidents/kunduz-mosque-2021-10",
    "/v1/incidents/timeline?perpetrator=isk",
    "/v1/claims/evidence?ids=isk-provoke-pakistan-mines",
]


def test_a_write_attempted_inside_any_read_endpoint_fails_and_writes_nothing(
        neo4j_seeded: Neo4jTestDatabase, ontology: Ontology, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every query the Neo4j store runs by name starts with a CREATE, as a bug might add one: inside the read
    transactions that read endpoints use, Neo4j refuses it, the endpoint answers 503 and nothing is written."""
    statement = neo4j_module._statement

    def with_a_write(name: str, parameters: dict[str, Any]) -> str:
        return "CALL () { CREATE (:Injected) } " + statement(name, parameters)

    client = TestClient(create_app(settings_for(tmp_path), neo4j_seeded.store(ontology)))
    schema_paths = {path for path, operations in client.get("/openapi.json").json()["paths"].items()
                    if "get" in operations}
    covered = {read.split("?")[0].replace("isk-provoke-pakistan-mines", "{id}").replace(SEED_REPORT, "{id}")
               .replace("/isk", "/{id}").replace("kunduz-mosque-2021-10", "{id}") for read in READS}
    # The feed endpoints read the feed state file, not the store (what arrived is read from the store by id,
    # and nothing has arrived here); the review queue reads the staging file.
    feeds = {"/v1/feeds", "/v1/feeds/new", "/v1/feeds/{id}", "/v1/watchlists", "/v1/watchlists/{name}"}
    assert schema_paths - covered == {"/v1/schema", "/health", "/v1/review/entities", "/v1/review/claims", *feeds}, \
        "a new read endpoint: add it to READS"

    monkeypatch.setattr(neo4j_module, "_statement", with_a_write)
    for read in READS:
        response = client.get(read)
        assert response.status_code == 503, (read, response.text)
        assert "Writing in read access mode not allowed" in response.json()["message"], read
    assert client.get("/v1/schema").status_code == 200  # it reads no store
    assert client.get("/v1/review/entities").json()["count"] == 0  # nor does the review queue
    assert all(client.get(path.replace("{id}", "1").replace("{name}", "x")).status_code in (200, 404)
               for path in feeds)
    assert client.get("/v1/review/claims").json()["count"] == 0
    injected, _, _ = neo4j_seeded.driver.execute_query("MATCH (n:Injected) RETURN count(n) AS n")
    assert injected[0]["n"] == 0

    # The same statement does write in a write transaction: the refusal above is the read mode's.
    store = neo4j_seeded.store(ontology)
    store._write_tx(lambda tx: neo4j_module._rows(tx, "revision", {}))
    written, _, _ = neo4j_seeded.driver.execute_query("MATCH (n:Injected) DETACH DELETE n RETURN count(n) AS n")
    assert written[0]["n"] == 1
