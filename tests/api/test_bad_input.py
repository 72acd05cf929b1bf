"""Hostile and malformed requests, on both stores: each refused with a clear 4xx naming what and where,
and the graph (and the review queue) unchanged afterwards."""

from __future__ import annotations

import http.client
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.api import create_app
from graph.stores.protocol import ClaimQuery, GraphStore
from tests.api.conftest import served_in_thread, settings_for
from tests.conftest import SEED_REPORT

KEY = "bad-input-key-3e9d1c"
REPORT = {"text": "IS-K claimed that it fired rockets at Tajikistan on May 7.\n", "outlet": "RFE/RL",
          "published": "2022-05-20", "review": True}
# Quotes, comment markers, clause keywords and parameter sigils: what would break a query built by
# string concatenation. Values reach Cypher only as parameters, so these must match nothing.
CYPHER_FRAGMENTS = [
    "' OR 1=1 //",
    '"}) MATCH (n) DETACH DELETE n //',
    "isk'}) DETACH DELETE n RETURN 1 //",
    "`ATTACKED`",
    "$ids",
    "\\'; CALL dbms.killQueries([]) //",
    "]->(x) SET x.hacked = true //",
    'isk" OR "1"="1',
]


def snapshot(store: GraphStore, staging: Path) -> tuple[Any, ...]:
    """Everything a request could have changed."""
    return (store.stats(), sorted(c.id for c in store.claims(ClaimQuery())), sorted(e.id for e in store.entities()),
            sorted(s.id for s in store.sources()), staging.read_bytes() if staging.exists() else None)


@pytest.fixture
def client(seeded: GraphStore, tmp_path: Path) -> Callable[..., TestClient]:
    def build(**overrides: Any) -> TestClient:
        return TestClient(create_app(settings_for(tmp_path, api_keys=[SecretStr(KEY)], **overrides), seeded))

    return build


def _fill(path: str) -> str:
    return path.replace("{id}", "isk")


def test_cypher_fragments_and_quotes_in_every_string_parameter_change_nothing(
        client: Callable[..., TestClient], seeded: GraphStore, tmp_path: Path) -> None:
    api = client()
    before = snapshot(seeded, tmp_path / "staged.json")
    required = {"/v1/paths": {"source": "isk", "target": "china"}, "/v1/ask": {"q": "who attacked Tajikistan?"}}
    tried = 0
    for path, operations in api.get("/openapi.json").json()["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            schema = parameter["schema"]
            options = schema.get("anyOf", [schema])
            if not any(o.get("type") in ("string", "array") for o in options):
                continue
            for fragment in CYPHER_FRAGMENTS:
                if parameter["in"] == "path":
                    url, params = path.replace("{id}", quote(fragment, safe="")), required.get(path, {})
                else:
                    url, params = _fill(path), {**required.get(path, {}), parameter["name"]: fragment}
                response = api.get(url, params=params)
                tried += 1
                # A fuzzy search answers 200 with whatever resembles the text ('>' it refuses, as everywhere).
                searching = (path, parameter["name"]) == ("/v1/entities", "q")
                expected = (200, 422) if searching else (404, 409, 422)
                assert response.status_code in expected, (path, parameter["name"], fragment, response.text)
                if response.status_code != 200:
                    assert set(response.json()) == {"error", "message", "details"}
    assert tried >= 300  # today 38 string parameters of 12 read operations, times each fragment: 304
    assert snapshot(seeded, tmp_path / "staged.json") == before


@pytest.mark.parametrize(("path", "params", "parameter", "says"), [
    ("/v1/entities/isk/neighbourhood", {"depth": 10**30}, "depth", "less than or equal to 3"),
    ("/v1/export", {"depth": 4}, "depth", "less than or equal to 3"),
    ("/v1/paths", {"source": "isk", "target": "china", "max_hops": 10**30}, "max_hops", "less than or equal to 6"),
    ("/v1/paths", {"source": "isk", "target": "china", "k": 10**6}, "k", "less than or equal to 20"),
    ("/v1/claims", {"limit": 10**30}, "limit", "must be at most 500 (KG_MAX_PAGE_SIZE)"),
    ("/v1/claims", {"offset": 10**30}, "offset", "less than or equal to 2147483647"),
    ("/v1/entities", {"offset": "9" * 5000}, "offset", "Unable to parse input string as an integer"),
    ("/v1/incidents", {"offset": "+0.0"}, "offset", "a whole number such as 10, got '+0.0'"),
    ("/v1/claims", {"limit": "5.0"}, "limit", "a whole number such as 10, got '5.0'"),
    ("/v1/paths", {"source": "isk", "target": "china", "k": "2.5"}, "k", "a whole number"),
    ("/v1/stats", {"top": 10**6}, "top", "less than or equal to 100"),
    ("/v1/claims", {"min_confidence": "inf"}, "min_confidence", "less than or equal to 1"),
    ("/v1/claims", {"min_confidence": "nan"}, "min_confidence", "less than or equal to 1"),
    ("/v1/ask", {"q": "who is IS-K trying to provoke? " * 10}, "q", "at most 300 characters"),
    ("/v1/ask", {"q": "who is <b>IS-K</b> trying to provoke?"}, "q",
     "holds '<' at position 7: no name, id, type, date or question holds one (markup is refused)"),
    ("/v1/entities", {"q": "Kabul >"}, "q", "holds '>' at position 6"),
    ("/v1/ask", {"q": "who is IS-K\x07 trying to provoke?"}, "q", "control character '\\x07' at position 11"),
    ("/v1/claims", {"subject": "isk\nMATCH (n) DETACH DELETE n"}, "subject", "control character '\\n'"),
    ("/v1/entities/" + "x" * 201, {}, "id", "at most 200 characters"),
    ("/v1/claims", {"since": "2022-02-30"}, "since", "day 30 does not exist in 2022-02"),
    ("/v1/claims", {"since": "2022-05", "until": "2022-04"}, "until", "before"),
    ("/v1/timeline", {"until": "0000-01-01"}, "until", "year 0000 does not exist"),
    ("/v1/claims", {"type": "ATTACKED' OR 1=1"}, "type", "neither a relation type nor a category"),
    ("/v1/claims", {"status": "rumoured"}, "status", "unknown claim status"),
])
def test_huge_numbers_long_or_marked_up_text_and_impossible_dates_are_refused(
        client: Callable[..., TestClient], path: str, params: dict[str, Any], parameter: str, says: str) -> None:
    response = client().get(path, params=params)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_parameter" and body["details"]["parameter"] == parameter
    assert says in body["message"] and body["message"].startswith(f"{parameter}=")


def _post(api: TestClient, case: dict[str, Any], path: str = "/v1/reports") -> Any:
    headers = {"X-API-Key": KEY, **case.get("headers", {})}
    return api.post(path, headers=headers, **{k: v for k, v in case.items() if k != "headers"})


JSON = {"Content-Type": "application/json"}
# (request, status, error code, the message or its start)
HOSTILE_BODIES: list[tuple[dict[str, Any], int, str, str]] = [
    ({"content": b'{"text": "IS-K", "outlet": ', "headers": JSON}, 400, "invalid_body",
     "the body is not JSON: Expecting value at line 1 column 28"),
    ({"content": b'{"text": "IS-K \xff attacked"}', "headers": JSON}, 400, "invalid_body",
     "the body is not UTF-8: byte 0xff at position 15"),
    ({"content": b'{"text": "IS-K \\ud800 attacked", "outlet": "RFE/RL"}', "headers": JSON}, 400, "invalid_body",
     "the body holds '\\ud800', which is not a Unicode character (a lone surrogate)"),
    ({"content": b'{"text": ' + b"[" * 40 + b"]" * 40 + b"}", "headers": JSON}, 400, "invalid_body",
     "the body nests deeper than 32 levels"),
    ({"content": b"[" * 200_000, "headers": JSON}, 400, "invalid_body", "the body nests deeper than 32 levels"),
    ({"content": b'{"text": 1' + b"0" * 5000 + b"}", "headers": JSON}, 400, "invalid_body",
     "the body is not JSON this API reads: Exceeds the limit (4300 digits)"),
    ({"content": bytes(range(256)) * 4, "headers": {"Content-Type": "application/octet-stream"}}, 415,
     "unsupported_media_type", "the body must be JSON (Content-Type: application/json), not application/octet-stream"),
    ({"files": {"report": ("report.pdf", b"%PDF-1.7\x00\x01binary", "application/pdf")}}, 415,
     "unsupported_media_type", "the body must be JSON (Content-Type: application/json), not multipart/form-data"),
    ({"data": {"text": "IS-K attacked", "outlet": "RFE/RL"}}, 415, "unsupported_media_type",
     "the body must be JSON (Content-Type: application/json), not application/x-www-form-urlencoded"),
    ({"content": b"IS-K attacked Tajikistan."}, 415, "unsupported_media_type",
     "the body must be JSON (Content-Type: application/json), not untyped bytes"),
    ({"content": '{"text": "IS-K"}'.encode("utf-16"), "headers": {"Content-Type": "application/json; charset=utf-16"}},
     415, "unsupported_media_type", "the body must be UTF-8 JSON, not utf-16"),
    ({"json": None}, 422, "invalid_parameter", "body=None: "),
    ({"json": ["IS-K attacked Tajikistan."]}, 422, "invalid_parameter", "body=['IS-K attacked Tajikistan.']: "),
    ({"json": {**REPORT, "text": ["IS-K", "attacked"]}}, 422, "invalid_parameter",
     "text=['IS-K', 'attacked']: Input should be a valid string"),
    ({"json": {**REPORT, "review": "sometimes"}}, 422, "invalid_parameter", "review='sometimes': Input should be"),
    ({"json": {**REPORT, "published": 20220520}}, 422, "invalid_parameter",
     "published=20220520: Input should be a valid string"),
    ({"json": {**REPORT, "source": "mine"}}, 422, "invalid_parameter", "source='mine': Extra inputs are not permitted"),
    ({"json": {**REPORT, "published": "2022-02-30"}}, 422, "extraction_input_invalid",
     "POST /v1/reports: published='2022-02-30': day 30 does not exist in 2022-02"),
    ({"json": {**REPORT, "published": "2022-13"}}, 422, "extraction_input_invalid",
     "POST /v1/reports: published='2022-13': month 13 does not exist"),
    ({"json": {**REPORT, "title": "<script>alert(1)</script>"}}, 422, "invalid_parameter",
     "title='<script>alert(1)</script>': holds HTML markup ('<script>'); plain text is expected"),
    ({"json": {**REPORT, "outlet": "<b>RFE/RL</b>"}}, 422, "invalid_parameter",
     "outlet='<b>RFE/RL</b>': holds HTML markup ('<b>'); plain text is expected"),
    ({"json": {**REPORT, "text": "IS-K fired <b>rockets</b> at Tajikistan."}}, 422, "invalid_parameter",
     "text='IS-K fired <b>rockets</b> at Tajikistan.': holds HTML markup ('<b>'); plain text is expected; a "
     "report is a whole HTML page or plain text"),
    ({"json": {**REPORT, "text": "IS-K fired\x00 rockets."}}, 422, "invalid_parameter",
     "text='IS-K fired\\x00 rockets.': holds the control character '\\x00' at position 10"),
    ({"json": {**REPORT, "url": "javascript:alert(1)"}}, 422, "invalid_parameter",
     "url='javascript:alert(1)': must be an http:// or https:// URL"),
    ({"json": {**REPORT, "url": "file:///etc/passwd"}}, 422, "invalid_parameter",
     "url='file:///etc/passwd': must be an http:// or https:// URL"),
    ({"json": {"html": "<html><body><div></div></body></html>", "outlet": "RFE/RL"}}, 422,
     "extraction_input_invalid", "POST /v1/reports: no article text found in the HTML page"),
    ({"json": {**REPORT, "text": "---\ntitle: " + "[" * 100 + "]" * 100 + "\n---\nIS-K attacked Tajikistan.\n"}},
     422, "extraction_input_invalid", "POST /v1/reports: front matter is not valid YAML: nested deeper than 64 "
                                      "levels"),
    ({"json": {**REPORT, "text": "---\na: &a [x, x, x]\ntitle: [*a, *a]\n---\nIS-K attacked Tajikistan.\n"}},
     422, "extraction_input_invalid", "POST /v1/reports: front matter is not valid YAML: alias *a refused"),
]


def test_hostile_bodies_are_refused_and_nothing_is_written(client: Callable[..., TestClient], seeded: GraphStore,
                                                            tmp_path: Path) -> None:
    api = client()
    before = snapshot(seeded, tmp_path / "staged.json")
    for case, status, code, message in HOSTILE_BODIES:
        response = _post(api, case)
        assert (response.status_code, response.json()["error"]) == (status, code), (case, response.text)
        assert response.json()["message"].startswith(message), (case, response.json()["message"])
        assert len(response.content) < 4000, "a refused body is never echoed back whole"
    review = f"/v1/reports/{SEED_REPORT}/review"
    for case, status, says in [({"json": {"accept": "all"}}, 422, "accept='all': Input should be a valid list"),
                               ({"json": {"accept": ["x' OR 1=1 //"]}}, 404, "has no staged claim x' OR 1=1 //"),
                               ({"json": {"accept": [["nested"]]}}, 422, "Input should be a valid string"),
                               ({"content": b"{}" + b" " * 10, "headers": JSON}, 422, "name claims to accept")]:
        response = _post(api, case, review)
        assert response.status_code == status and says in response.json()["message"], (case, response.text)
    assert snapshot(seeded, tmp_path / "staged.json") == before


def test_an_outlet_made_of_query_fragments_is_stored_as_written_and_nothing_else_changes(
        client: Callable[..., TestClient], seeded: GraphStore) -> None:
    """An outlet the registry does not know becomes an organization of that name: the quotes and comment marker
    are its name, not part of a query, so every entity, claim and source there before is still there."""
    api = client()
    entities, claims = {e.id for e in seeded.entities()}, {c.id for c in seeded.claims(ClaimQuery())}
    outlet = "Daily' OR 1=1 //"
    response = _post(api, {"json": {**REPORT, "outlet": outlet, "review": False}})
    assert response.status_code in (200, 201), response.text
    added = {e.id: e for e in seeded.entities()}
    assert entities < set(added) and claims <= {c.id for c in seeded.claims(ClaimQuery())}
    assert [e.name for i, e in added.items() if i not in entities] == [outlet]


def test_a_report_over_the_limit_is_refused_before_extraction(client: Callable[..., TestClient], seeded: GraphStore,
                                                             tmp_path: Path) -> None:
    api = client(max_report_chars=1000)
    before = snapshot(seeded, tmp_path / "staged.json")
    for field in ("text", "html"):
        body = {**REPORT, field: "IS-K attacked Tajikistan. " * 40}
        body.pop("text" if field == "html" else "html", None)
        response = _post(api, {"json": body})
        assert (response.status_code, response.json()["error"]) == (413, "input_too_large")
        assert response.json()["message"] == ("POST /v1/reports: the report holds 1,040 characters; at most 1,000 "
                                              "characters are accepted (KG_MAX_REPORT_CHARS)")
    schema = api.get("/openapi.json").json()["components"]["schemas"]["ReportIn"]["properties"]
    assert schema["text"]["anyOf"][0]["maxLength"] == schema["html"]["anyOf"][0]["maxLength"] == 1000
    big = api.post("/v1/reports", content=b"{}", headers={"X-API-Key": KEY, "Content-Length": str(10**9)})
    assert big.status_code == 413 and big.json()["message"] == (
        "the request body holds 1,000,000,000 bytes; at most 8,388,608 are accepted (KG_MAX_BODY_BYTES)")
    assert snapshot(seeded, tmp_path / "staged.json") == before


def _raw_post(base: str, headers: dict[str, str], chunks: list[bytes] | None) -> tuple[int, bytes]:
    """A POST written to the socket by hand: chunked (no length), or headers alone when ``chunks`` is None."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.putrequest("POST", "/v1/reports")
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        try:
            for chunk in chunks or []:
                connection.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            if chunks is not None:
                connection.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the rest was sent: what the limit is for
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_the_body_limit_holds_for_streamed_bodies_on_a_real_server(seeded: GraphStore, tmp_path: Path) -> None:
    """uvicorn in a thread, a socket written by hand: the size is checked as the bytes arrive, and a declared
    size is refused before a byte of the body is sent."""
    app = create_app(settings_for(tmp_path, api_keys=[SecretStr(KEY)], max_body_bytes=4096), seeded)
    before = snapshot(seeded, tmp_path / "staged.json")
    text = ("IS-K attacked Tajikistan on May 7. " * 200).encode()
    body = b'{"outlet": "RFE/RL", "review": true, "text": "' + text + b'"}'
    headers = {"X-API-Key": KEY, "Content-Type": "application/json"}
    with served_in_thread(app) as base:
        status, answer = _raw_post(base, {**headers, "Transfer-Encoding": "chunked"},
                                   [body[i:i + 1000] for i in range(0, len(body), 1000)])
        assert status == 413 and b"more bytes than that; at most 4,096 are accepted" in answer
        status, answer = _raw_post(base, {**headers, "Content-Length": str(10**10)}, None)
        assert status == 413 and b"holds 10,000,000,000 bytes" in answer
        assert snapshot(seeded, tmp_path / "staged.json") == before
        small = b'{"outlet": "RFE/RL", "review": true, "text": "IS-K attacked Tajikistan on May 7.\\n"}'
        status, answer = _raw_post(base, {**headers, "Transfer-Encoding": "chunked"}, [small[:30], small[30:]])
        assert status == 201, answer  # under the limit, streamed in two chunks, it goes through
