"""GET /v1/ask and GET /v1/ask/query: the answer shape, the /v1 requests behind it, the query accepted back,
refusals with suggestions, and one reader built once for the application."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from app.api import create_app
from app.usecases.ask import SHAPE_EXAMPLES
from graph.domain.model import Batch, Entity
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.stores.protocol import GraphStore
from tests import hostile
from tests.api.conftest import settings_for
from tests.conftest import SEEDS

SHAPE_FIELDS = {"question", "answers", "claims", "paths", "groups", "verdict", "nearest", "count", "coverage",
                "reading", "query", "explanation", "endpoint", "endpoints", "rerun", "incidents", "casualties"}


def test_the_provoke_question_answers_pakistan_and_iran_with_the_final_shape(client: TestClient) -> None:
    response = client.get("/v1/ask", params={"q": "who is IS-K trying to provoke?"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == SHAPE_FIELDS
    assert body["question"] == "who is IS-K trying to provoke?"
    assert {a["id"] for a in body["answers"]} == {"pakistan", "iran"}
    assert set(body["answers"][0]) == {"id", "name", "kind", "claims"}
    assert body["query"]["shape"] == "relation" and body["reading"]["asks"] == "who"
    assert [m["id"] for m in body["reading"]["mentions"]] == ["isk"]
    assert body["endpoint"] == "/v1/claims?subject=isk&type=SEEKS_TO_PROVOKE"
    assert "SEEKS_TO_PROVOKE" in body["explanation"] and "IS-K" in body["explanation"]


def test_answer_claims_have_the_shape_of_v1_claims_and_the_endpoint_gives_the_same(client: TestClient) -> None:
    body = client.get("/v1/ask", params={"q": "who attacked Tajikistan since April 2022?"}).json()
    assert body["endpoint"] == "/v1/claims?object=tajikistan&type=ATTACKED&since=2022-04"
    listed = client.get(body["endpoint"]).json()["data"]
    assert [c["id"] for c in listed] == [c["id"] for c in body["claims"]] == ["isk-attacked-tajikistan-2022-05-07"]
    assert body["claims"] == listed  # quote, source, status, asserted_by, date, disputed, disputed_by, extracted_by …


QUESTIONS = ["who are the Taliban's supporters?", "who are IS-K's enemies?", "who is the Taliban allied with?",
             "what is the relationship between Pakistan and the Taliban?", "what happened in Kunduz?",
             "what does Riccardo Valle say about the Taliban?", "which claims about Iran are alleged?",
             "who was behind the Termez attack?", "what do we know about TTP?", "what happened in October 2021?"]


def test_every_endpoint_reruns_to_the_claims_it_names(client: TestClient) -> None:
    for question in QUESTIONS:
        body = client.get("/v1/ask", params={"q": question}).json()
        rerun = {c["id"] for url in body["endpoints"] for c in client.get(url + "&limit=500").json()["data"]}
        assert rerun >= {c["id"] for c in body["claims"]}, question
        assert rerun, question


def test_the_structured_query_is_accepted_back_and_gives_the_same_answer(client: TestClient) -> None:
    for question in [*QUESTIONS, "who hosted al-Qaeda's leader?", "does IS-K recruit from the TTP?",
                     "how many attacks did IS-K carry out in 2021?", "who denied the Termez attack?",
                     "how is IS-K connected to China?"]:
        body = client.get("/v1/ask", params={"q": question}).json()
        again = client.get(body["rerun"])
        assert again.status_code == 200, (question, again.json())
        rerun = again.json()
        for field in ("answers", "claims", "paths", "verdict", "count", "query"):
            assert rerun[field] == body[field], (question, field)
        assert rerun["question"] is None and rerun["reading"] is None


def test_a_structured_query_is_validated(client: TestClient) -> None:
    unknown_type = client.get("/v1/ask/query", params={"shape": "relation", "types": "BEFRIENDED"})
    assert unknown_type.status_code == 422 and unknown_type.json()["details"]["parameter"] == "types"
    missing = client.get("/v1/ask/query", params={"shape": "pair", "subject": "isk"})
    assert missing.status_code == 422 and missing.json()["details"]["parameter"] == "object"
    nobody = client.get("/v1/ask/query", params={"shape": "profile", "subject": "atlantis"})
    assert nobody.status_code == 404 and nobody.json()["error"] == "entity_not_found"
    bad_shape = client.get("/v1/ask/query", params={"shape": "horoscope"})
    assert bad_shape.status_code == 422


def test_yes_no_counts_and_pairs_have_their_fields(client: TestClient) -> None:
    no = client.get("/v1/ask", params={"q": "is IS-K allied with the Taliban?"}).json()
    assert no["verdict"] == "no" and no["claims"] == [] and no["nearest"]
    assert all({c["subject"], c["object"]} == {"isk", "taliban"} for c in no["nearest"])
    counted = client.get("/v1/ask", params={"q": "how many attacks were there in October 2021?"}).json()
    assert counted["count"] == {"value": 2, "of": "incidents", "claims": 4}
    pair = client.get("/v1/ask", params={"q": "what is the relationship between Pakistan and the Taliban?"}).json()
    assert set(pair["groups"]) == {"ALLIED_WITH", "STRAINED_RELATIONS_WITH"}


def test_an_unreadable_question_is_422_with_ranked_suggestions(client: TestClient) -> None:
    response = client.get("/v1/ask", params={"q": "who is IS-K seeking to prvke?"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "question_not_understood"
    assert body["details"]["suggestions"][0] == "who is IS-K trying to provoke"
    assert body["details"]["question"] == "who is IS-K seeking to prvke?"


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


def test_ask_is_documented_with_every_shape(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/v1/ask"]["get"]
    assert {"200", "404", "422"} <= set(operation["responses"])
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/AskAnswer")
    query = schema["paths"]["/v1/ask/query"]["get"]
    names = {p["name"] for p in query["parameters"]}
    assert {"shape", "types", "subject", "object", "place", "asserted_by", "via", "form", "count_of"} <= names
    for example in SHAPE_EXAMPLES:  # /docs lists every shape with a real answer (kept true by tests/test_cli.py)
        assert f"`{example.question}` | {example.answer}" in operation["description"]
    shape = next(p for p in query["parameters"] if p["name"] == "shape")
    assert set(shape["schema"]["enum"]) >= {"relation", "pair", "events", "incident", "assertions", "denials", "chain"}


def test_the_reader_is_built_once_and_renewed_when_the_store_learns_a_name(
        ontology: Ontology, tmp_path: Path, empty_store: GraphStore) -> None:
    load(SEEDS, empty_store, ontology)
    app = create_app(settings_for(tmp_path), empty_store)
    client = TestClient(app)
    slot = app.state.reader
    first = slot.reader
    assert client.get("/v1/ask", params={"q": "who leads al-Qaeda?"}).status_code == 200
    assert slot.reader is first  # the same reader answers every request
    unknown = client.get("/v1/ask", params={"q": "what do we know about Sirajuddin Haqqani?"})
    assert unknown.status_code == 404
    assert slot.reader is first  # a name nobody knows does not rebuild it
    empty_store.upsert(Batch(entities=[Entity(id="sirajuddin-haqqani", name="Sirajuddin Haqqani", kind="person")]))
    known = client.get("/v1/ask", params={"q": "what do we know about Sirajuddin Haqqani?"})
    assert known.status_code == 200 and known.json()["query"]["subject"] == "sirajuddin-haqqani"
    assert slot.reader is not first


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


def test_an_empty_answer_states_what_the_graph_covers_of_the_entity(client: TestClient, seeded: GraphStore) -> None:
    body = client.get("/v1/ask", params={"q": "who attacked Tajikistan in 2021?"}).json()
    assert body["claims"] == []
    held = seeded.coverage(["tajikistan"])["tajikistan"]
    (entity,) = body["coverage"]["entities"]
    assert (entity["id"], entity["name"], entity["claims"], entity["reports"], entity["first"], entity["last"]) == \
        ("tajikistan", "Tajikistan", held.claims, held.reports, held.first, held.last)
    assert [(r["id"], r["claims"]) for r in entity["top"]] == list(held.top)
    assert "absence in the graph is not absence in the world" in body["coverage"]["note"].lower()
    assert client.get("/v1/ask", params={"q": "who are IS-K's enemies?"}).json()["coverage"] is None


def test_the_reading_and_a_refusal_say_what_was_read_as_the_reader_does(client: TestClient) -> None:
    body = client.get("/v1/ask", params={"q": "who is IS-K seeking to provke?"}).json()
    assert "'provke' read as 'provoke'" in body["reading"]["notes"] and 0 < body["reading"]["confidence"] < 1
    assert "'provke' read as 'provoke'" in body["explanation"]
    refused = client.get("/v1/ask", params={"q": "who is IS-K trying to provoke tomorrow?"})
    assert refused.status_code == 422
    details = refused.json()["details"]
    assert details["read"]["names"] == ["IS-K"] and details["read"]["relations"][0] == "SEEKS_TO_PROVOKE"
    assert all("IS-K" in s for s in details["suggestions"])


def test_a_follow_up_reuses_the_query_passed_back_as_context(client: TestClient) -> None:
    first = client.get("/v1/ask", params={"q": "who attacked Tajikistan?"}).json()
    context = json.dumps(first["query"])
    later = client.get("/v1/ask", params={"q": "and in 2021?", "context": context}).json()
    assert later["query"] == {**first["query"], "since": "2021", "until": "2021"}
    assert later["claims"] == client.get("/v1/ask", params={"q": "who attacked Tajikistan in 2021?"}).json()["claims"]
    other = client.get("/v1/ask", params={"q": "what about Uzbekistan?", "context": context}).json()
    assert [a["id"] for a in other["answers"]] == ["isk"] and other["query"]["object"] == "uzbekistan"
    bad = client.get("/v1/ask", params={"q": "and in 2021?", "context": '{"shape": "nonsense"}'})
    assert bad.status_code == 422 and bad.json()["details"]["parameter"] == "context"


def test_casualty_questions_answer_from_incidents(client: TestClient) -> None:
    question = "how many were killed in Afghanistan in 2021?"
    body = client.get("/v1/ask", params={"q": question}).json()
    assert body["count"] == {"value": 112, "of": "killed", "claims": 5}  # the claims located there cited beside
    assert body["casualties"] == {"of": "killed", "min": 112, "max": None, "incidents": 2, "unstated": []}
    assert [i["id"] for i in body["incidents"]] == ["kandahar-mosque-2021-10", "kunduz-mosque-2021-10"]
    assert body["incidents"][0]["killed"]["text"] == "more than 60 worshipers"
    assert body["incidents"][0]["reports"][0]["quote"].startswith("Similarly, one of the suicide bombers")
    listed = client.get(body["endpoint"]).json()
    assert body["endpoint"] == "/v1/incidents?place=afghanistan&since=2021&until=2021"
    assert [i["id"] for i in listed["data"]] == [i["id"] for i in body["incidents"]]
    rerun = client.get(body["rerun"]).json()
    assert (rerun["casualties"], rerun["incidents"]) == (body["casualties"], body["incidents"])
    assert "At least 112 killed in 2 incidents, as the reports state. 2 incidents: 2021-10 suicide bombing in " \
           "Kandahar" in body["explanation"]
