"""The ``kg`` command line, driven as a user would, on a data file of its own."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import uvicorn
from click.testing import CliRunner, Result
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.api import create_app
from app.cli import cli, render
from app.components import open_store
from app.settings import PROJECT_ROOT, Settings
from app.usecases import reads
from app.usecases.names import Names
from graph.domain.ontology import Ontology, load_ontology
from graph.stores.neo4j.server import LocalServer
from graph.stores.protocol import GraphStore
from tests.api.conftest import settings_for
from tests.bundles import claim_yaml, claims_file
from tests.conftest import SEEDS, TEST_NEO4J_HOME, Neo4jTestDatabase


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store="memory", data_file=tmp_path / "data" / "graph.sqlite", seeds_dir=SEEDS)


def kg(settings: Settings, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj=settings)


@pytest.fixture
def loaded(settings: Settings) -> Settings:
    result = kg(settings, "load")
    assert result.exit_code == 0, result.output
    return settings


def as_json(result: Result) -> Any:
    return json.loads(result.stdout)


def test_load_reports_what_it_wrote_and_is_idempotent(settings: Settings) -> None:
    first = kg(settings, "load", "--json")
    assert first.exit_code == 0
    written = as_json(first)["written"]
    assert written["created"]["claims"] == as_json(first)["checked"]["claims"] >= 45
    assert written["created"]["incidents"] == as_json(first)["checked"]["incidents"] == 8
    second = as_json(kg(settings, "load", "--json"))["written"]
    assert second["created"] == {"entities": 0, "sources": 0, "claims": 0, "incidents": 0}
    assert second["unchanged"] == written["created"]
    assert settings.data_file.exists()


def test_the_readme_question_answers_pakistan_with_quote_and_source(loaded: Settings) -> None:
    result = kg(loaded, "relations", "--subject", "IS-K", "--type", "SEEKS_TO_PROVOKE", "--json")
    claims = as_json(result)
    assert "pakistan" in {c["object"] for c in claims}
    for claim in claims:
        assert {"id", "subject", "type", "object", "status", "asserted_by", "date", "location", "source", "quote",
                "confidence", "disputed"} <= set(claim)
        assert claim["quote"] and claim["source"] == "rferl-2022-05-isk-central-asia"
    table = kg(loaded, "relations", "--subject", "IS-K", "--type", "SEEKS_TO_PROVOKE").output
    assert "Pakistan" in table and "IS-K seeks to provoke Pakistan into retaliating" in table
    assert "RFE/RL (Gandhara)" in table


LISTINGS = [
    ({"subject": "IS-K"}, ("--subject", "IS-K")),
    ({}, ()),
    ({"types": ["DENIED"]}, ("--type", "DENIED")),
    ({"types": ["BORDERS"], "since": "2099"}, ("--type", "BORDERS", "--since", "2099")),
]


@pytest.mark.parametrize(("asked", "args"), LISTINGS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_relations_print_a_page_at_a_time_what_the_whole_listing_prints(
        loaded: Settings, asked: dict[str, Any], args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """Read three claims a page (the listing never holds every match), ``kg relations`` prints what one list of
    every matching claim renders: the count, one table fitted over every row, each claim's quote and source; and
    with --json the one JSON array of them all."""
    ontology = load_ontology()
    store = open_store(loaded, ontology)
    try:
        names = Names(store)
        claims = store.claims(reads.claim_query(store, ontology, names, reads.ClaimsAsked(**asked)))
        expected = f"{len(claims)} claim{'s' if len(claims) != 1 else ''}\n"
        if claims:
            expected += render.claims_with_quotes(claims, names.display, store.get_source) + "\n"
    finally:
        store.close()
    monkeypatch.setattr(reads, "LISTING_PAGE", 3)
    assert kg(loaded, "relations", *args).output == expected
    listed = kg(loaded, "relations", *args, "--json").stdout
    assert listed == json.dumps([c.model_dump() for c in claims], ensure_ascii=False, indent=2) + "\n"
    # several pages (IS-K, everything), exactly one full page (the three denials), nothing (2099)
    known = {"DENIED": 3, "2099": 0}.get(args[-1] if args else "")
    assert len(claims) == known if known is not None else len(claims) > 3


def test_denials_and_the_claims_they_dispute(loaded: Settings) -> None:
    denials = as_json(kg(loaded, "relations", "--type", "DENIED", "--json"))
    denied = {d["denies"] for d in denials}
    assert denied == {"isk-attacked-tajikistan-2022-05-07", "isk-attacked-uzbekistan-2022-04-18"}
    attacks = as_json(kg(loaded, "relations", "--subject", "ISKP", "--type", "ATTACKED", "--json"))
    assert {c["id"] for c in attacks if c["disputed"]} == denied
    assert "disputed by tajikistan-denied-rocket-attack" in kg(loaded, "relations", "--disputed").output


def test_ask_answers_casualty_questions_from_incidents_with_their_quotes(loaded: Settings) -> None:
    result = kg(loaded, "ask", "how many were killed in Afghanistan in 2021?")
    assert result.exit_code == 0, result.output
    assert "At least 112 killed in 2 incidents, as the reports state." in result.stdout.splitlines()[0]
    assert re.search(r"^2021-10\s+suicide bombing\s+Kandahar\s+Afghanistan\s+.*61\+\s+1\s+kandahar-mosque-2021-10$",
                     result.stdout, re.MULTILINE)
    assert "  killed: 61+ (more than 60 worshipers)" in result.stdout
    assert "    │ Similarly, one of the suicide bombers responsible for another attack" in result.stdout
    assert "Same claims: GET /v1/incidents?place=afghanistan&since=2021&until=2021" in result.stdout
    termez = kg(loaded, "ask", "who carried out the attack on Termez?").stdout
    assert "  side by side, who did it: IS-K: reported by RFE/RL; denied by Uzbekistan; denied by Taliban" in termez


def test_ask_answers_in_plain_english_with_quotes(loaded: Settings) -> None:
    result = kg(loaded, "ask", "who is IS-K trying to provoke?")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "SEEKS_TO_PROVOKE" in lines[0]
    assert re.search(r"^Pakistan\s+pakistan\s+state\s+2$", result.stdout, re.MULTILINE)
    assert "IS-K seeks to provoke Pakistan into retaliating" in result.stdout  # the quote, not just the edge
    answer = as_json(kg(loaded, "ask", "--json", "who are the Taliban's allies?"))
    assert {a["id"] for a in answer["answers"]} == {"pakistan", "iran"}
    assert answer["query"]["shape"] == "relation" and answer["claims"][0]["report"]["outlet"]


def test_ask_shows_paths_and_profiles(loaded: Settings) -> None:
    path = kg(loaded, "ask", "how is IS-K connected to China?")
    assert path.exit_code == 0 and "Path 1 (2 hops): IS-K → " in path.stdout
    profile = kg(loaded, "ask", "what do we know about TTP?")
    assert profile.exit_code == 0
    assert re.search(r"^RECRUITS_FROM \(1\)$", profile.stdout, re.MULTILINE)


def test_ask_answers_yes_no_counts_and_nearest_claims(loaded: Settings) -> None:
    yes = kg(loaded, "ask", "does IS-K recruit from the TTP?")
    assert yes.exit_code == 0 and "Yes: 1 claim says so." in yes.stdout and "most founding members" in yes.stdout
    no = kg(loaded, "ask", "is IS-K allied with the Taliban?")
    assert "No claim says so" in no.stdout and "Nearest claims the graph holds:" in no.stdout
    counted = as_json(kg(loaded, "ask", "--json", "how many attacks did IS-K carry out in 2021?"))
    assert counted["count"] == {"value": 2, "of": "incidents", "claims": 2}
    assert counted["endpoint"] == "/v1/claims?subject=isk&type=ATTACKED&since=2021&until=2021"
    assert counted["rerun"].startswith("/v1/ask/query?shape=relation&form=count&count_of=incidents")


def test_ask_help_lists_every_shape_with_an_answer_that_holds(loaded: Settings) -> None:
    from app.usecases.ask import SHAPE_EXAMPLES  # noqa: PLC0415

    help_text = kg(loaded, "ask", "--help").stdout
    shapes = set()
    for example in SHAPE_EXAMPLES:
        assert example.question in help_text and example.answer in help_text
        answer = as_json(kg(loaded, "ask", "--json", example.question))
        shapes.add(answer["query"]["shape"])
        assert {a["id"] for a in answer["answers"]} >= example.answers, example.question
        assert {c["id"] for c in answer["claims"]} >= example.claims, example.question
        assert answer["verdict"] == example.verdict, example.question
        assert (answer["count"] or {}).get("value") == example.count, example.question
    assert shapes == {"relation", "category", "chain", "pair", "connection", "events", "incident", "assertions",
                      "denials", "status", "profile"}


def test_ask_eval_and_ask_bench_run_over_the_seed_graph(loaded: Settings, tmp_path: Path) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text('questions:\n  - {id: a, q: "who leads al-Qaeda?", shape: relation, '
                         'expect: {entities: [osama-bin-laden]}}\n', encoding="utf-8")
    scored = as_json(kg(loaded, "ask-eval", str(questions), "--json"))
    assert scored["overall"]["right"] == 1
    bench = kg(loaded, "ask-bench", str(questions), "--repeat", "1")
    assert bench.exit_code == 0, bench.output
    assert "parse alone (spaCy pipeline)" in bench.stdout and "reading a question" in bench.stdout


def test_ask_states_what_the_graph_covers_as_the_api_does(loaded: Settings, seeded: GraphStore,
                                                           tmp_path: Path) -> None:
    question = "who attacked Tajikistan in 2021?"
    api = TestClient(create_app(settings_for(tmp_path), seeded)).get("/v1/ask", params={"q": question}).json()
    answer = as_json(kg(loaded, "ask", "--json", question))
    assert answer["claims"] == [] and answer["coverage"] == api["coverage"]
    assert [e["id"] for e in answer["coverage"]["entities"]] == ["tajikistan"]
    text = kg(loaded, "ask", question).stdout
    assert answer["coverage"]["note"] in text and "absence in the graph is not absence in the world" in text.lower()
    assert "rferl-2022-05-isk-central-asia" in text  # the report citing most claims about Tajikistan


def test_ask_says_a_word_read_as_another_and_its_confidence_as_the_api_does(loaded: Settings, seeded: GraphStore,
                                                                             tmp_path: Path) -> None:
    question = "who is IS-K seeking to provke?"
    api = TestClient(create_app(settings_for(tmp_path), seeded)).get("/v1/ask", params={"q": question}).json()
    answer = as_json(kg(loaded, "ask", "--json", question))
    assert answer["reading"] == api["reading"] and "'provke' read as 'provoke'" in answer["reading"]["notes"]
    text = kg(loaded, "ask", question).stdout
    assert f"Confidence in the reading: {answer['reading']['confidence']:.2f} ('provke' read as 'provoke')" in text


def test_ask_prompts_and_reads_follow_ups_as_the_api_does(loaded: Settings, seeded: GraphStore,
                                                           tmp_path: Path) -> None:
    asked = ["who attacked Uzbekistan?", "who denied it?", "what about Tajikistan?", "and in 2021?",
             "what is the weather in Tajikistan?"]
    result = CliRunner().invoke(cli, ["ask", "--json"], obj=loaded, input="\n".join(asked) + "\n\n")
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(answers) == 4  # the weather is refused, and the prompt goes on
    client = TestClient(create_app(settings_for(tmp_path), seeded))
    context = None
    for question, answer in zip(asked, answers, strict=False):
        api = client.get("/v1/ask", params={"q": question, **({"context": context} if context else {})}).json()
        assert answer["query"] == api["query"] and answer["claims"] == api["claims"], question
        context = json.dumps(api["query"])
    assert answers[1]["query"]["shape"] == "denials" and answers[3]["query"]["object"] == "tajikistan"
    assert answers[3]["query"]["since"] == "2021"
    assert "cannot read the question 'what is the weather in Tajikistan?'" in result.stderr
    once = as_json(kg(loaded, "ask", "--json", "--context", json.dumps(answers[0]["query"]), "who denied it?"))
    assert once["query"] == answers[1]["query"]


def test_ask_refuses_with_the_closest_questions(loaded: Settings) -> None:
    result = kg(loaded, "ask", "who is IS-K seeking to prvke?")
    assert result.exit_code == 2
    assert "'who is IS-K trying to provoke'" in result.stderr
    refused = kg(loaded, "ask", "--json", "who is IS-K seeking to prvke?")
    assert as_json(refused)["error"] == "question_not_understood"
    assert kg(loaded, "ask", "who is ISKK trying to provoke?").exit_code == 1


def test_resolve_prints_the_entity_or_says_why_not(loaded: Settings) -> None:
    ok = kg(loaded, "resolve", "Islamic State-Khorasan", "--json")
    assert (ok.exit_code, as_json(ok)) == (0, {"id": "isk", "name": "IS-K", "kind": "armed_group"})
    missing = kg(loaded, "resolve", "Tajikstan", "--json")
    assert missing.exit_code == 1
    assert as_json(missing)["details"]["suggestions"][0]["id"] == "tajikistan"
    ambiguous = kg(loaded, "resolve", "Kabul", "--json")
    assert ambiguous.exit_code == 2
    assert {c["id"] for c in as_json(ambiguous)["details"]["candidates"]} == {"afghanistan", "taliban"}
    assert as_json(kg(loaded, "resolve", "Kabul", "--at", "2022-05-07", "--json"))["id"] == "taliban"
    human = kg(loaded, "resolve", "Uzbek")
    assert human.exit_code == 2 and "'Uzbek' is ambiguous" in human.stderr


def test_neighbours_by_any_alias(loaded: Settings) -> None:
    result = kg(loaded, "neighbours", "ISKP", "--types", "RECRUITS_FROM", "--json")
    graph = as_json(result)
    assert {n["id"] for n in graph["nodes"]} == {"isk", "ttp", "uzbeks", "tajiks", "uyghurs", "central-asian-jihadists"}
    assert all(link["type"] == "RECRUITS_FROM" and link["source"] == "isk" for link in graph["links"])
    deeper = as_json(kg(loaded, "neighbours", "ISKP", "--depth", "2", "--json"))
    assert "china" in {n["id"] for n in deeper["nodes"]}


def test_path_lists_hops_with_their_claims(loaded: Settings) -> None:
    paths = as_json(kg(loaded, "path", "IS-K", "Beijing", "--k", "3", "--json"))
    assert len(paths) == 3
    for path in paths:
        assert path[0]["from"] == "isk" and path[-1]["to"] == "china"
        for hop in path:
            assert all({c["subject"], c["object"]} == {hop["from"], hop["to"]} and c["quote"] for c in hop["claims"])
    human = kg(loaded, "path", "IS-K", "China", "--types", "RECRUITS_FROM,REPRESSES").output
    assert "Path 1 (2 hops): IS-K → Uyghurs → China" in human
    assert "No path from IS-K to China within 1 hops." in kg(loaded, "path", "IS-K", "China", "--max-hops", "1").output


def claim_kinds(paths: list[list[dict[str, Any]]]) -> list[list[tuple[str, str, list[tuple[str, str]]]]]:
    """Each path as its hops: from, to and the (type, status) of the claims making the hop."""
    return [[(hop["from"], hop["to"], sorted({(c["type"], c["status"]) for c in hop["claims"]})) for hop in path]
            for path in paths]


def test_path_follows_the_tie_and_the_statuses_asked_for(loaded: Settings) -> None:
    def path(*args: str) -> list[list[tuple[str, str, list[tuple[str, str]]]]]:
        result = kg(loaded, "path", *args, "--json")
        assert result.exit_code == 0, result.output
        return claim_kinds(as_json(result))

    # Pakistan and the Taliban are allied and strained at once: each tie keeps only its own claims.
    assert path("Pakistan", "Taliban", "--ties", "hostile") == [
        [("pakistan", "taliban", [("STRAINED_RELATIONS_WITH", "reported")])]]
    assert path("Pakistan", "Taliban", "--ties", "friendly") == [
        [("pakistan", "taliban", [("ALLIED_WITH", "reported")])]]
    assert path("Pakistan", "Taliban") == path("Pakistan", "Taliban", "--ties", "any") == [
        [("pakistan", "taliban", [("ALLIED_WITH", "reported"), ("STRAINED_RELATIONS_WITH", "reported")])]]
    # IS-K reaches China only through assessed claims; statuses repeat or comma-separate as in `kg relations`.
    assessed = path("IS-K", "China", "--status", "assessed")
    assert assessed and all(kinds and {status for _, status in kinds} == {"assessed"}
                            for hops in assessed for _, _, kinds in hops)
    assert path("IS-K", "China", "--status", "reported", "--status", "alleged,assessed") == path("IS-K", "China")
    none = kg(loaded, "path", "IS-K", "China", "--status", "reported,claimed")
    assert none.exit_code == 0 and none.output == "No path from IS-K to China within 4 hops.\n"
    human = kg(loaded, "path", "Pakistan", "Taliban", "--ties", "friendly").output
    assert "Pakistan ALLIED_WITH Taliban" in human and "STRAINED_RELATIONS_WITH" not in human


@pytest.mark.parametrize(("args", "says"), [
    (("--types", "RECRUITS_FROM", "--ties", "hostile"),
     "error: types='RECRUITS_FROM': none of these is a hostile tie (accepted: ATTACKED, "),
    (("--types", "ATTACKED,REPRESSES", "--ties", "Friendly"),
     "error: types='ATTACKED,REPRESSES': none of these is a friendly tie (accepted: ALLIED_WITH, "),
    (("--ties", "enemy"), "error: ties='enemy': unknown tie (accepted: friendly, hostile, any)"),
    (("--status", "rumoured"), "error: status='rumoured': unknown claim status (accepted: reported, claimed, "),
])
def test_path_refuses_a_tie_or_status_as_the_api_does(loaded: Settings, args: tuple[str, ...], says: str) -> None:
    result = kg(loaded, "path", "IS-K", "China", *args)
    assert result.exit_code == 2 and result.stderr.startswith(says), result.output
    refused = kg(loaded, "path", "IS-K", "China", *args, "--json")
    assert refused.exit_code == 2 and as_json(refused)["error"] == "invalid_parameter"


@pytest.mark.parametrize("ask", [
    {"ties": "hostile"}, {"ties": "friendly", "status": "reported"}, {"status": "assessed", "k": 2},
    {"ties": "hostile", "types": "REPRESSES,THREATENS"},
])
def test_path_finds_what_the_api_finds_on_either_store(loaded: Settings, seeded: GraphStore, tmp_path: Path,
                                                       ask: dict[str, Any]) -> None:
    client = TestClient(create_app(settings_for(tmp_path), seeded))
    for source, target in (("IS-K", "China"), ("Pakistan", "Taliban"), ("Pakistan", "Iran")):
        api = client.get("/v1/paths", params={"source": source, "target": target, **ask})
        assert api.status_code == 200, api.text
        options = [part for name, value in ask.items() for part in (f"--{name}", str(value))]
        cli_paths = as_json(kg(loaded, "path", source, target, *options, "--json"))
        assert claim_kinds(cli_paths) == claim_kinds([path["hops"] for path in api.json()["data"]])


def test_sources_grade_sets_a_reports_reliability_for_every_claim_citing_it(loaded: Settings, tmp_path: Path) -> None:
    report = "rferl-2022-05-isk-central-asia"

    def grades() -> set[str | None]:
        """The report's grade as the API shows it on the report and on each claim citing it."""
        store = open_store(loaded, load_ontology())
        try:
            client = TestClient(create_app(settings_for(tmp_path), store))
            claims = client.get("/v1/claims", params={"source": report, "limit": 200}).json()["data"]
            assert claims
            return ({client.get(f"/v1/sources/{report}").json()["source"]["reliability"]}
                    | {claim["report"]["reliability"] for claim in claims})
        finally:
            store.close()

    assert grades() == {"B"}  # as the seed's metadata says
    graded = kg(loaded, "sources", "grade", report, "d", "--json")
    assert graded.exit_code == 0, graded.output
    body = as_json(graded)
    assert (body["id"], body["reliability"], body["previous"]) == (report, "D", "B") and body["claims"] >= 20
    assert grades() == {"D"}
    human = kg(loaded, "sources", "grade", report, "none")
    assert human.exit_code == 0
    assert human.output == f"{report}: reliability D → none ({body['claims']} claims cite it)\n"
    assert grades() == {None}
    assert kg(loaded, "sources", "grade", report, "A").output.startswith(f"{report}: reliability none → A (")


@pytest.mark.parametrize(("args", "code", "says"), [
    (("rferl-2022-05-isk-central-asia", "G"), 2,
     "error: reliability='G': must be one grade from A (reliable) to F (cannot be judged) "
     "(accepted: A, B, C, D, E, F)"),
    (("rferl-2022-05-isk-central-asia", "AB"), 2, "error: reliability='AB': must be one grade from A"),
    (("no-such-report", "A"), 1, "error: no source has id 'no-such-report'"),
])
def test_sources_grade_refuses_a_bad_grade_or_an_unknown_report(loaded: Settings, args: tuple[str, ...], code: int,
                                                                says: str) -> None:
    before = loaded.data_file.read_bytes()
    result = kg(loaded, "sources", "grade", *args)
    assert result.exit_code == code and result.stderr.startswith(says), result.output
    assert loaded.data_file.read_bytes() == before


def test_bad_parameters_name_the_parameter_and_accepted_values(loaded: Settings) -> None:
    bad_type = kg(loaded, "relations", "--type", "BEFRIENDED")
    assert bad_type.exit_code == 2 and "types='BEFRIENDED': neither a relation type nor a category" in bad_type.stderr
    assert "ATTACKED" in bad_type.stderr
    bad_date = kg(loaded, "relations", "--since", "2022-02-30", "--json")
    assert bad_date.exit_code == 2
    assert as_json(bad_date)["details"]["parameter"] == "since"
    bad_status = kg(loaded, "relations", "--status", "rumoured")
    assert bad_status.exit_code == 2 and "accepted: reported, claimed, alleged" in bad_status.stderr
    too_deep = kg(loaded, "neighbours", "isk", "--depth", "5")
    assert too_deep.exit_code == 2 and "--depth" in too_deep.output


LONG_QUESTION = "who is IS-K trying to provoke? " * 12


@pytest.mark.parametrize(("args", "code", "says"), [
    (("ask", LONG_QUESTION), 2, "a question holds at most 300 characters, this one 372"),
    (("ask", "who is <b>IS-K</b> trying to provoke?"), 2,
     "error: QUESTION='who is <b>IS-K</b> trying to provoke?': holds '<' at position 7: no name, id, type, date or "
     "question holds one (markup is refused)"),
    (("ask", "who\x07 attacked Tajikistan?"), 2, "holds the control character '\\x07' at position 3"),
    (("relations", "--type", "ATTACKED' OR 1=1"), 2,
     "error: types=\"ATTACKED' OR 1=1\": neither a relation type nor a category"),
    (("relations", "--subject", "isk' OR 1=1 //"), 1, "error: no entity matches \"isk' OR 1=1 //\""),
    (("relations", "--source", "x'}) DETACH DELETE n //"), 1, "error: no source has id \"x'}) DETACH DELETE n //\""),
    (("relations", "--status", "reported' //"), 2, "error: status=\"reported' //\": unknown claim status"),
    (("relations", "--until", "2022-13"), 2, "error: until='2022-13': invalid date: month 13 does not exist"),
    (("resolve", "Kabul", "--at", "2023-02-29"), 2,
     "error: --at='2023-02-29': invalid date: day 29 does not exist in 2023-02"),
    (("path", "isk", "china", "--max-hops", str(10**18)), 2, "is not in the range 1<=x<=6"),
    (("neighbours", "isk", "--depth", "99"), 2, "is not in the range 1<=x<=3"),
])
def test_hostile_options_are_refused_with_what_and_why(loaded: Settings, args: tuple[str, ...], code: int,
                                                      says: str) -> None:
    before = loaded.data_file.read_bytes()
    result = kg(loaded, *args)
    assert result.exit_code == code and says in result.output, result.output
    assert "Traceback" not in result.output
    assert loaded.data_file.read_bytes() == before


def test_hostile_reports_are_refused_before_extraction_and_nothing_is_written(loaded: Settings,
                                                                              tmp_path: Path) -> None:
    files = {"binary.txt": bytes(range(256)) * 8, "tags.txt": b"IS-K <b>attacked</b> Tajikistan.\n",
             "ok.txt": b"IS-K attacked Tajikistan on May 7.\n", "meta.txt": b"IS-K attacked Tajikistan.\n",
             "meta.yaml": b"- not a mapping\n", "long.txt": b"IS-K attacked Tajikistan. " * 100,
             "deep.txt": b"---\ntitle: " + b"[" * 100 + b"]" * 100 + b"\n---\nIS-K attacked Tajikistan.\n"}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    small = loaded.model_copy(update={"max_report_chars": 1000})
    cases = [
        ((loaded, "binary.txt"), 1, "binary.txt: cannot read as UTF-8 text: 'utf-8' codec can't decode byte 0x80"),
        ((loaded, "tags.txt"), 1, "tags.txt: the report's text holds HTML markup ('<b>'); plain text is expected; "
                                  "a report is a whole HTML page or plain text"),
        ((loaded, "ok.txt", "--outlet", "<b>RFE</b>"), 2, "--outlet='<b>RFE</b>': holds HTML markup ('<b>')"),
        ((loaded, "ok.txt", "--url", "javascript:alert(1)"), 2,
         "--url='javascript:alert(1)': must be an http:// or https:// URL"),
        ((loaded, "ok.txt", "--date", "2022-02-30"), 1, "published='2022-02-30': day 30 does not exist in 2022-02"),
        ((loaded, "meta.txt"), 1, "meta.yaml: metadata must be a YAML mapping"),
        ((loaded, "deep.txt"), 1, "deep.txt: front matter is not valid YAML: nested deeper than 64 levels"),
        ((small, "long.txt"), 2, "long.txt: the report holds 2,600 characters; at most 1,000 characters are "
                                 "accepted (KG_MAX_REPORT_CHARS)"),
        ((small, "/dev/zero"), 2, "/dev/zero: the report holds more than 4,000 bytes"),
    ]
    before = loaded.data_file.read_bytes()
    for (settings, name, *flags), code, says in cases:
        location = name if name.startswith("/") else str(tmp_path / name)
        for command in ("extract", "ingest"):
            result = kg(settings, command, location, "--outlet", "RFE/RL", *flags)
            assert result.exit_code == code and says in result.stderr, (command, name, result.output)
    assert loaded.data_file.read_bytes() == before


def test_a_bad_bundle_fails_listing_every_problem_and_writes_nothing(loaded: Settings, tmp_path: Path) -> None:
    root = tmp_path / "bad"
    (root / "claims").mkdir(parents=True)
    (root / "claims" / "x.yaml").write_text(claims_file(claim_yaml(object="Tajikstan"), claim_yaml(
        id="other", type="ATACKED")), encoding="utf-8")
    before = kg(loaded, "stats", "--json").output
    result = kg(loaded, "load", str(root))
    assert result.exit_code == 1
    assert "2 problems; nothing was loaded" in result.stderr
    assert "claims[0].object: 'Tajikstan': unknown entity or alias" in result.stderr
    assert "claims[1].type: 'ATACKED': unknown relation type; did you mean ATTACKED?" in result.stderr
    assert kg(loaded, "stats", "--json").output == before


def test_an_empty_graph_says_to_load_first(settings: Settings) -> None:
    result = kg(settings, "relations", "--subject", "IS-K")
    assert result.exit_code == 1 and "holds nothing yet: run `kg load`" in result.stderr


def test_entity_stats_schema_and_search(loaded: Settings) -> None:
    entity = as_json(kg(loaded, "entity", "Dushanbe", "--json"))
    assert entity["id"] == "tajikistan" and entity["claims_out"]["DENIED"] == 1
    assert entity["claims_in"]["ATTACKED"] == 1
    province = as_json(kg(loaded, "entity", "ISWAP", "--json"))
    assert (province["id"], province["parent"], province["parent_relation"]) == ("iswap", "islamic-state",
                                                                                 "AFFILIATE_OF")
    assert "FTO" in province["source"]
    shown = kg(loaded, "entity", "Ansar Dine")
    assert "parent: Jama'at Nusrat al-Islam wal-Muslimin (jnim, MERGED_INTO)" in shown.stdout
    assert "source: US State Department FTO list; UN 1267 list; encyclopaedic" in shown.stdout
    assert "parent:" not in kg(loaded, "entity", "Dushanbe").stdout
    stats = as_json(kg(loaded, "stats", "--json"))
    assert stats["claims"] == sum(stats["claims_by_type"].values())
    schema = as_json(kg(loaded, "schema", "--json"))
    assert "SEEKS_TO_PROVOKE" in schema["relation_types"]
    hits = as_json(kg(loaded, "search", "valle", "--json"))
    assert hits[0]["id"] == "riccardo-valle"


def test_the_readme_and_docs_examples_are_real_commands_and_options() -> None:
    """Every `kg ...` line and `kg ...` code span in the README and docs/ names a command and options that exist."""
    texts = [(PROJECT_ROOT / "README.md").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted((PROJECT_ROOT / "docs").glob("*.md"))]
    examples = [e for text in texts for e in re.findall(r"^(?:\$ )?kg ([a-z][a-z0-9-]*)([^\n]*)$", text, re.MULTILINE)]
    assert len(examples) >= 30
    spans = [e for text in texts for e in re.findall(r"`kg ([a-z][a-z0-9-]*)([^`\n]*)`", text)]
    assert len(spans) >= 40
    for command_name, tail in examples + spans:
        command = cli.commands.get(command_name)  # type: ignore[attr-defined]
        assert command is not None, command_name
        rest = tail
        # A group that also runs alone (`kg incidents --place X`) takes options of its own before any command.
        alone = getattr(command, "invoke_without_command", False) and not tail.strip()[:1].isalpha()
        if isinstance(command, click.Group) and not alone:
            sub, _, rest = tail.strip().partition(" ")
            command = command.commands.get(sub)
            assert command is not None, f"kg {command_name} has no {sub}"
        known = {"--help"} | {opt for param in command.params
                              for opt in [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]}
        for option in re.findall(r"(--[a-z-]+)", rest):
            assert option in known, f"kg {command_name} has no {option}"


def test_serve_runs_uvicorn_on_the_settings_or_the_options(loaded: Settings,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append({"app": app, **kwargs}))
    assert kg(loaded, "serve", "--workers", "1").exit_code == 0
    assert (calls[0]["host"], calls[0]["port"]) == ("127.0.0.1", 8000)
    assert isinstance(calls[0]["app"], FastAPI)
    assert kg(loaded, "serve", "--host", "0.0.0.0", "--port", "8123").exit_code == 0
    assert (calls[1]["host"], calls[1]["port"]) == ("0.0.0.0", 8123)
    # By default two workers, each building the app from the environment's settings.
    assert (calls[1]["app"], calls[1]["factory"], calls[1]["workers"]) == ("app.api.main:create_app", True, 2)
    # uvloop and httptools by name, never uvicorn's fallback to asyncio, which leaves TCP_NODELAY off when it
    # serves a socket uvicorn bound for its workers (a ~45 ms stall per request).
    assert all((call["loop"], call["http"]) == ("uvloop", "httptools") for call in calls)


@pytest.fixture
def on_neo4j(neo4j_database: Neo4jTestDatabase, ontology: Ontology) -> Iterator[Settings]:
    """Settings pointing every command at the Neo4j test server, emptied first (and reseeded after if needed)."""
    neo4j_database.reset(ontology, seeded=False)
    status = neo4j_database.status
    yield Settings(store="neo4j", neo4j_uri=status.bolt_uri, neo4j_user=status.user,
                   neo4j_password=status.password, seeds_dir=SEEDS)
    if neo4j_database.seeded_readers:
        neo4j_database.reset(ontology, seeded=True)


def test_load_and_query_on_neo4j(on_neo4j: Settings) -> None:
    loaded = kg(on_neo4j, "load")
    assert loaded.exit_code == 0, loaded.output
    assert "Neo4j at bolt://" in loaded.output
    answer = as_json(kg(on_neo4j, "relations", "--subject", "ISKP", "--type", "SEEKS_TO_PROVOKE", "--json"))
    assert {c["object"] for c in answer} == {"pakistan", "iran"}
    memory_first = Settings(store="memory", data_file=Path("/nonexistent/never-written.json"), seeds_dir=SEEDS,
                            neo4j_uri=on_neo4j.neo4j_uri, neo4j_password=on_neo4j.neo4j_password)
    again = as_json(kg(memory_first, "load", "--store", "neo4j", "--json"))
    assert again["written"]["unchanged"]["claims"] == again["checked"]["claims"] > 0


def test_sources_grade_and_path_ties_on_neo4j(on_neo4j: Settings) -> None:
    assert kg(on_neo4j, "load").exit_code == 0
    report = "rferl-2022-05-isk-central-asia"
    graded = as_json(kg(on_neo4j, "sources", "grade", report, "E", "--json"))
    assert (graded["reliability"], graded["previous"]) == ("E", "B") and graded["claims"] >= 20
    assert as_json(kg(on_neo4j, "sources", "grade", report, "none", "--json"))["previous"] == "E"
    bad = kg(on_neo4j, "sources", "grade", report, "Z")
    assert bad.exit_code == 2 and "reliability='Z': must be one grade from A" in bad.stderr
    assert kg(on_neo4j, "sources", "grade", "no-such-report", "A").exit_code == 1
    friendly = as_json(kg(on_neo4j, "path", "Pakistan", "Taliban", "--ties", "friendly", "--status", "reported",
                          "--json"))
    assert claim_kinds(friendly) == [[("pakistan", "taliban", [("ALLIED_WITH", "reported")])]]


def test_neo4j_errors_name_the_server(on_neo4j: Settings) -> None:
    wrong = on_neo4j.model_copy(update={"neo4j_password": SecretStr("not-the-password")})
    result = kg(wrong, "stats", "--json")
    assert result.exit_code == 3
    assert as_json(result)["error"] == "store_unavailable"
    assert on_neo4j.neo4j_uri in as_json(result)["message"] and "credentials" in as_json(result)["message"]
    unreachable = on_neo4j.model_copy(update={"neo4j_uri": "bolt://127.0.0.1:1"})
    result = kg(unreachable, "stats")
    assert result.exit_code == 3 and "cannot reach Neo4j at bolt://127.0.0.1:1" in result.stderr


def test_neo4j_status_and_start_describe_the_local_server(neo4j_database: Neo4jTestDatabase,
                                                         test_neo4j_server: LocalServer) -> None:
    server = Settings(neo4j_home=TEST_NEO4J_HOME, neo4j_bolt_port=test_neo4j_server.bolt_port,
                      neo4j_http_port=test_neo4j_server.http_port)
    status = as_json(kg(server, "neo4j", "status", "--json"))
    assert status == {"running": True, "bolt_uri": neo4j_database.status.bolt_uri,
                      "http_uri": neo4j_database.status.http_uri, "user": "neo4j",
                      "password": neo4j_database.status.password}
    started = kg(server, "neo4j", "start")
    assert started.exit_code == 0
    assert f"{neo4j_database.status.http_uri}/browser/" in started.output
    # The test command's log shows this output: it says where the password is, never the password itself.
    assert status["password"] not in started.output
    assert "`kg neo4j status --json` prints it" in started.output and "export KG_STORE=neo4j" in started.output


def test_neo4j_style_prints_the_checked_in_style(settings: Settings) -> None:
    assert kg(settings, "neo4j", "style").output == (PROJECT_ROOT / "cypher" / "style.grass").read_text()


# --- kg incidents ----------------------------------------------------------------------------------------------


def test_kg_incidents_lists_a_table_and_gives_the_fields_tools_rely_on(loaded: Settings) -> None:
    table = kg(loaded, "incidents", "--place", "Afghanistan", "--since", "2021")
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0] == "3 incidents" and lines[1].split() == ["DATE", "TYPE", "PLACE", "COUNTRY", "PERPETRATORS",
                                                              "KILLED", "REPORTS", "INCIDENT"]
    assert lines[3].split()[:2] == ["2022-04", "airstrike"] and lines[3].endswith("pakistan-air-strikes-2022-04")
    assert "IS-K (reported); Abu Ali Balochi (reported)" in lines[4] and lines[4].split()[-3:] == [
        "61+", "1", "kandahar-mosque-2021-10"]
    listed = as_json(kg(loaded, "incidents", "--perpetrator", "IS-K", "--type", "rocket or missile attack", "--json"))
    assert listed["count"] == 2 and [i["id"] for i in listed["data"]] == ["tajikistan-rockets-2022-05-07",
                                                                          "termez-attack-2022-04-18"]
    termez = listed["data"][1]
    assert termez["place"]["name"] == "Termez" and termez["country"] == {"id": "uzbekistan", "name": "Uzbekistan"}
    assert (termez["location"]["lat"], termez["location"]["lon"]) == (37.22417, 67.27833)
    assert {(p["id"], p["basis"]) for p in termez["perpetrators"]} == {("isk", "reported"), ("isk", "denied")}
    assert termez["reports"][0]["source"] == "rferl-2022-05-isk-central-asia"
    assert termez["reports"][0]["quote"].startswith("The attack came weeks after a similar attack on the Uzbek")


def test_kg_incidents_writes_geojson_csv_and_shows_one(loaded: Settings) -> None:
    document = as_json(kg(loaded, "incidents", "--bbox", "60,30,75,40", "--geojson"))
    assert document["type"] == "FeatureCollection" and document["count"] == 6
    assert {f["id"] for f in document["features"]} >= {"kunduz-mosque-2021-10", "peshawar-mosque-2022-03"}
    rows = kg(loaded, "incidents", "--csv", "--country", "Iran").output.splitlines()
    assert rows[0].startswith("event_id,event_date,event_type,sub_event_type,actor1,assoc_actor_1,actor2,country")
    assert rows[1].startswith("mashhad-shrine-stabbing-2022-04,2022-04,Violence against civilians,Attack,"
                              "Unnamed Mashhad shrine attacker,") and rows[1].endswith(",2") and len(rows) == 2
    shown = kg(loaded, "incidents", "show", "kandahar-mosque-2021-10").output
    assert "kandahar-mosque-2021-10: suicide bombing, 2021-10, Kandahar, Kandahar, Afghanistan" in shown
    assert "  killed: 61+ (more than 60 worshipers)" in shown
    assert "    │ Similarly, one of the suicide bombers responsible for another attack" in shown
    tajik = kg(loaded, "incidents", "show", "tajikistan-rockets-2022-05-07").output
    assert "  4 claims about it:" in tajik
    assert "  Tajikistan DENIED IS-K, denied by Tajikistan [tajikistan-denied-rocket-attack]" in tajik
    listed = kg(loaded, "relations", "--incident", "tajikistan-rockets-2022-05-07", "--type", "ATTACKED,DENIED")
    assert listed.output.startswith("2 claims") and "isk-attacked-tajikistan-2022-05-07" in listed.output
    assert "tajikistan-denied-rocket-attack" in listed.output and "isk-operates-in-takhar" not in listed.output


def test_kg_incidents_refuses_bad_filters_with_their_name(loaded: Settings) -> None:
    bad_box = kg(loaded, "incidents", "--bbox", "west,south")
    assert bad_box.exit_code == 2 and "bbox='west,south': expected four numbers" in bad_box.output
    bad_type = kg(loaded, "incidents", "--type", "riot")
    assert bad_type.exit_code == 2 and "type='riot': unknown incident type (accepted: " in bad_type.output
    missing = kg(loaded, "incidents", "show", "nope")
    assert missing.exit_code == 1 and "no incident has id 'nope'" in missing.output


def test_ingest_sets_the_sources_reliability_grade(loaded: Settings, tmp_path: Path, ontology: Ontology) -> None:
    report = tmp_path / "graded.txt"
    report.write_text("Islamic State Khorasan fighters attacked Tajikistan on 7 May 2022.\n", encoding="utf-8")
    refused = kg(loaded, "ingest", str(report), "--reliability", "G")
    assert refused.exit_code == 2 and "--reliability" in refused.output
    result = kg(loaded, "ingest", str(report), "--reliability", "C", "--json")
    assert result.exit_code == 0, result.output
    source = as_json(result)["source"]
    assert open_store(loaded, ontology).get_source(source).reliability == "C"
