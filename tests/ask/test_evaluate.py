"""Scoring the reader on question sets: right, wrong and refused, by each kind of expectation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.settings import Settings
from graph.domain.errors import EntityNotFound, QuestionNotUnderstood, QuestionSetInvalid
from graph.language.ask.evaluate import Expectation, Question, check, evaluate, parse_questions, read_questions
from graph.language.ask.model import Answer
from tests.conftest import EVALUATION, SEEDS


def answer(**fields: Any) -> dict[str, Any]:
    """An answer as the API gives it, with only the fields a test sets."""
    return {"answers": [], "claims": [], "paths": [], **fields}


def ids(*values: str) -> list[dict[str, str]]:
    return [{"id": v} for v in values]


def test_entities_are_an_exact_set_and_claims_a_subset_unless_only() -> None:
    expect = Expectation(entities=frozenset({"isk"}), claims=frozenset({"a"}))
    assert check(answer(answers=ids("isk"), claims=ids("a", "b")), expect) == []
    assert check(answer(answers=ids("isk", "ttp"), claims=ids("a")), expect) == [
        "entities: expected isk; got isk, ttp"]
    assert check(answer(answers=ids("isk"), claims=ids("b")), expect) == ["claims not cited: a"]
    only = Expectation(claims=frozenset({"a"}), only_claims=True)
    assert check(answer(claims=ids("a", "b")), only) == ["claims cited beyond those expected: b"]


def test_claims_on_paths_count_as_cited_and_paths_must_pass_through() -> None:
    path = {"nodes": ["isk", "taliban", "china"], "hops": [{"claims": ids("x")}, {"claims": ids("y")}]}
    expect = Expectation(claims=frozenset({"x", "y"}), path_through=("taliban",))
    assert check(answer(paths=[path]), expect) == []
    elsewhere = Expectation(path_through=("afghanistan",))
    assert check(answer(paths=[path]), elsewhere) == [
        "no path passes through afghanistan (paths pass through taliban)"]
    # The ends of a path are not what it passes through.
    assert check(answer(paths=[path]), Expectation(path_through=("china",)))


def test_yes_no_and_counts_need_the_fields_that_give_them() -> None:
    assert check(answer(verdict="yes"), Expectation(answer=True)) == []
    assert check(answer(verdict="yes"), Expectation(answer=False)) == ["yes/no: expected no; got yes"]
    assert check(answer(), Expectation(answer=True)) == ["yes/no: expected yes; got no yes/no answer"]
    counted = Expectation(count=3, count_of="incidents")
    assert check(answer(count={"value": 3, "of": "incidents"}), counted) == []
    assert check(answer(count={"value": 3, "of": "claims"}), counted) == [
        "count: expected 3 incidents; got 3 claims"]
    assert check(answer(), counted) == ["count: expected 3 incidents; got no count"]
    toll = Expectation(count=51, count_of="killed")
    assert check(answer(count={"value": 51, "of": "killed"}), toll) == []
    assert check(answer(count={"value": 51, "of": "claims"}), toll) == ["count: expected 51 killed; got 51 claims"]


def test_no_figure_is_right_only_when_the_answer_gives_none() -> None:
    unknown = parse_questions({"questions": [{"id": "q1", "q": "how many died in the april strikes",
                                              "shape": "count", "expect": {"count": None, "count_of": "killed"}}]})
    expect = unknown[0].expect
    assert (expect.no_figure, expect.count, expect.count_of) == (True, None, "killed")
    assert check(answer(), expect) == []
    assert check(answer(count={"value": 6, "of": "killed"}), expect) == [
        "count: expected no figure of killed; got 6 killed"]
    assert not parse_questions({"questions": [{"id": "q1", "q": "x", "shape": "s",
                                               "expect": {"count": 2, "count_of": "entities"}}]})[0].expect.no_figure


def test_an_answer_to_what_should_be_refused_is_wrong() -> None:
    assert check(answer(), Expectation(refuse=True)) == ["answered a question that should be refused"]
    assert check(answer(), Expectation(refuse=False, entities=frozenset(), claims=frozenset())) == []


def test_a_set_is_validated_before_anything_is_asked() -> None:
    good = {"questions": [{"id": "q1", "q": "who?", "shape": "relation", "expect": {"answer": True}}]}
    assert parse_questions(good)[0].expect.answer is True
    bad: list[tuple[dict[str, Any], str]] = [
        ({"questions": [{"id": "q1", "q": "who?", "shape": "relation"}]}, "'expect' must be a mapping"),
        ({"questions": [{"id": "q1", "q": "who?", "shape": "s", "expect": {"entity": []}}]}, "unknown expectation"),
        ({"questions": [{"id": "q1", "q": "who?", "shape": "s", "expect": {"count": 2}}]}, "go together"),
        ({"questions": [{"id": "q1", "q": "who?", "shape": "s", "expect": {"count_of": "killed"}}]}, "go together"),
        ({"questions": [{"id": "q1", "q": "x", "shape": "s", "expect": {"count": 1, "count_of": "dead"}}]},
         "must be one of claims, incidents, entities, killed, injured"),
        ({"questions": [{"id": "q1", "q": "x", "shape": "s", "expect": {"answer": "maybe"}}]}, "must be yes/no"),
        ({"questions": [{"id": "q1", "q": "x", "shape": "s", "expect": {"refuse": True}}] * 2}, "used twice"),
        ({"questions": [{"id": "q1", "q": "x", "shape": "s", "expect": {"only_claims": True}}]}, "says nothing"),
        ({"items": []}, "'questions' list"),
    ]
    for data, message in bad:
        with pytest.raises(QuestionSetInvalid, match=message):
            parse_questions(data)


def test_refusals_are_counted_apart_from_wrong_answers() -> None:
    questions = [Question("a", "unreadable", "relation", Expectation(entities=frozenset({"isk"}))),
                 Question("b", "unknown name", "relation", Expectation(entities=frozenset({"isk"}))),
                 Question("c", "out of scope", "out_of_scope", Expectation(refuse=True))]

    def refuse(text: str) -> Answer:
        if text == "unknown name":
            raise EntityNotFound("Atlantis", [])
        raise QuestionNotUnderstood(text, [])

    evaluation = evaluate(questions, refuse)
    assert [o.verdict for o in evaluation.outcomes] == ["refused", "refused", "right"]
    assert evaluation.by_shape["relation"].refused == 2 and evaluation.overall.right == 1


QUESTIONS = """
questions:
  - id: t1
    q: "who is IS-K trying to provoke?"
    shape: relation
    expect: {entities: [pakistan, iran], claims: [isk-provoke-iran-mines]}
  - id: t2
    q: "who is trying to provoke Pakistan?"
    shape: relation
    expect: {entities: [iran]}
  - id: t3
    q: "why is IS-K seeking to provoke Pakistan?"
    shape: relation
    expect: {entities: [pakistan, iran]}
"""


def test_ask_eval_scores_a_set_over_the_seed_graph(tmp_path: Path) -> None:
    path = tmp_path / "questions.yaml"
    path.write_text(QUESTIONS, encoding="utf-8")
    settings = Settings(store="memory", data_file=tmp_path / "unused.json", seeds_dir=SEEDS)
    result = CliRunner().invoke(cli, ["ask-eval", str(path), "--json"], obj=settings)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    verdicts = {q["id"]: q["verdict"] for q in body["questions"]}
    # t2's expectation is wrong on purpose (IS-K provokes Pakistan, not Iran): the scorer must say so.
    assert verdicts == {"t1": "right", "t2": "wrong", "t3": "refused"}
    assert body["by_shape"]["relation"] == {"right": 1, "wrong": 1, "refused": 1, "total": 3,
                                            "right_share": 0.3333, "wrong_share": 0.3333}
    assert not settings.data_file.exists()  # the seed graph is loaded in memory, never into the data file
    table = CliRunner().invoke(cli, ["ask-eval", str(path), "--errors"], obj=settings)
    assert "t2 [wrong, relation]" in table.output and "entities: expected iran; got isk" in table.output


def test_the_committed_sets_are_well_formed() -> None:
    for path in sorted((EVALUATION / "questions").glob("*.yaml")):
        questions = read_questions(path)
        assert questions and all(q.expect != Expectation() for q in questions), path
