"""GET /v1/ask: the answer shape, the equivalent request it names, and refusals with suggestions."""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from tests import hostile


def test_the_provoke_question_answers_pakistan_and_iran_with_the_final_shape(client: TestClient) -> None:
    response = client.get("/v1/ask", params={"q": "who is IS-K trying to provoke?"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"question", "answers", "claims", "paths", "groups", "query", "explanation"}
    assert body["question"] == "who is IS-K trying to provoke?"
    assert {a["id"] for a in body["answers"]} == {"pakistan", "iran"}
    assert set(body["answers"][0]) == {"id", "name", "kind", "claims"}
    assert body["paths"] == [] and body["query"]["shape"] == "relation"
    assert "SEEKS_TO_PROVOKE" in body["explanation"] and "IS-K" in body["explanation"]


def test_answer_claims_have_the_shape_of_v1_claims_and_the_endpoint_gives_the_same(client: TestClient) -> None:
    body = client.get("/v1/ask", params={"q": "who attacked Tajikistan since April 2022?"}).json()
    assert body["query"]["endpoint"] == "/v1/claims?object=tajikistan&type=ATTACKED&since=2022-04"
    listed = client.get(body["query"]["endpoint"]).json()["data"]
    assert [c["id"] for c in listed] == [c["id"] for c in body["claims"]] == ["isk-attacked-tajikistan-2022-05-07"]
    assert body["claims"] == listed  # quote, source, status, asserted_by, date, disputed, disputed_by, extracted_by …
    assert body["claims"][0]["disputed"] is True and body["claims"][0]["disputed_by"]


def test_every_relation_endpoint_reruns_to_the_same_claims(client: TestClient) -> None:
    for question in ("who supports the Taliban?", "who are IS-K's enemies?", "who denied the attacks?",
                     "who is the Taliban allied with?"):
        body = client.get("/v1/ask", params={"q": question}).json()
        rerun = client.get(body["query"]["endpoint"] + "&limit=500").json()["data"]
        assert {c["id"] for c in rerun} == {c["id"] for c in body["claims"]}, question


def test_connection_paths_have_the_shape_of_v1_paths(client: TestClient) -> None:
    body = client.get("/v1/ask", params={"q": "how is IS-K connected to China?"}).json()
    paths = client.get(body["query"]["endpoint"]).json()["data"]
    assert body["paths"] == paths and paths
    assert set(paths[0]["hops"][0]) == {"from", "to", "claims"}


def test_profile_groups_claims_by_type(client: TestClient) -> None:
    body = client.get("/v1/ask", params={"q": "what do we know about TTP?"}).json()
    assert body["query"]["shape"] == "profile"
    grouped = {i for ids in body["groups"].values() for i in ids}
    assert grouped == {c["id"] for c in body["claims"]}
    both = {c["id"] for url in body["query"]["endpoints"] for c in client.get(url).json()["data"]}
    assert both == grouped


def test_an_unreadable_question_is_422_with_ranked_suggestions(client: TestClient) -> None:
    response = client.get("/v1/ask", params={"q": "who is IS-K seeking to provke?"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "question_not_understood"
    assert body["details"]["suggestions"][0] == "who is IS-K trying to provoke"
    assert body["details"]["question"] == "who is IS-K seeking to provke?"


def test_an_unknown_entity_is_404_with_suggestions(client: TestClient) -> None:
    response = client.get("/v1/ask", params={"q": "who is ISKK trying to provoke?"})
    assert response.status_code == 404
    assert response.json()["error"] == "entity_not_found"
    assert "isk" in [s["id"] for s in response.json()["details"]["suggestions"]]


def test_a_missing_or_empty_question_names_the_parameter(client: TestClient) -> None:
    for params in ({}, {"q": ""}):
        response = client.get("/v1/ask", params=params)
        assert response.status_code == 422
        assert response.json()["details"]["parameter"] == "q"


def test_ask_is_documented(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/ask"]["get"]
    assert {"200", "404", "422"} <= set(operation["responses"])
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Answer")


HTTP_EXAMPLES = {"memory": 150, "neo4j": 30}


def test_any_question_over_http_is_answered_or_refused_never_a_server_error(
        client: TestClient, request: pytest.FixtureRequest) -> None:
    statuses: Counter[int] = Counter()

    @settings(max_examples=HTTP_EXAMPLES[request.node.callspec.params["seeded"]], deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(question=hostile.questions)
    def check(question: str) -> None:
        # Percent-encoded by hand, so half a surrogate pair goes out as the invalid UTF-8 a client could send.
        response = client.get("/v1/ask?q=" + quote(question.encode("utf-8", "surrogatepass"), safe=""))
        statuses[response.status_code] += 1
        assert response.status_code in (200, 404, 409, 422), (question, response.text)
        if response.status_code != 200:
            assert response.json()["error"] in ("question_not_understood", "invalid_parameter", "entity_not_found",
                                                "ambiguous_name", "empty_graph")

    check()
    assert statuses[200] and statuses[422], statuses
