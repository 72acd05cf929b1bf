"""Scoring the question reader on a set of questions with expected answers.

A question set is YAML: ``questions:``, each with an ``id``, the question ``q``, the ``shape``
it was written to exercise and what a right answer holds (``expect``):

- ``entities``: the answering entities, as an exact set of ids;
- ``claims``: claim ids the answer must cite (a subset of what it cites; exactly those with
  ``only_claims: true``);
- ``answer``: ``yes`` or ``no`` (PyYAML reads them as booleans) for a yes/no question;
- ``count`` and ``count_of`` (what the answer's count counts: ``claims``, ``incidents``, ``entities``, or the
  people ``killed`` or ``injured``) for a question that counts; ``count: null`` with a ``count_of`` when the graph
  gives no figure, so a right answer gives none;
- ``path_through``: entities some returned path passes through, for a connection;
- ``refuse``: ``true`` when the only right reply is a refusal; ``false`` when the question must
  be answered (and the other fields say how).

Each question is then **right** (every expectation met), **wrong** (answered, and some
expectation not met, or answered when it should have been refused) or **refused** (the reader
said it could not read the question, or could not find or tell apart a name in it). A wrong
answer is worse than a refusal, so both are counted. The answer is scored as the API returns
it (``Answer`` as JSON), so what is scored is what a client sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from graph.domain.errors import (
    AmbiguousName,
    EntityNotFound,
    InvalidParameter,
    KgError,
    QuestionNotUnderstood,
    QuestionSetInvalid,
)
from graph.language.ask.model import Answer, CountOf

Verdict = Literal["right", "wrong", "refused"]
VERDICTS: tuple[Verdict, ...] = ("right", "wrong", "refused")
COUNT_UNITS: tuple[str, ...] = get_args(CountOf)  # what an answer's count may count
# Errors that are the reader declining to answer, with a reason a person can act on.
# A question refused with its reason (one the reader cannot read, a name it does not know or cannot tell apart,
# or text no question may hold) is a refusal, not a wrong answer.
REFUSALS = (QuestionNotUnderstood, EntityNotFound, AmbiguousName, InvalidParameter)

_EXPECT_KEYS = {"entities", "claims", "only_claims", "answer", "count", "count_of", "path_through", "refuse"}


@dataclass(frozen=True)
class Expectation:
    """What a right answer to one question holds; ``None`` means the set does not say."""

    entities: frozenset[str] | None = None
    claims: frozenset[str] = frozenset()
    only_claims: bool = False
    answer: bool | None = None
    count: int | None = None
    count_of: str | None = None
    no_figure: bool = False  # ``count: null``: the graph gives no figure of ``count_of``, and the answer gives none
    path_through: tuple[str, ...] = ()
    refuse: bool | None = None


@dataclass(frozen=True)
class Question:
    """One question of a set, with the shape it exercises and its expectation."""

    id: str
    text: str
    shape: str
    expect: Expectation
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    """How one question fared: the verdict, why, and how the reader read it."""

    question: Question
    verdict: Verdict
    reasons: tuple[str, ...] = ()
    reading: str = ""  # the answer's explanation, or the refusal's message
    shape_read: str | None = None  # the shape the reader answered with, if it answered

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.question.id, "question": self.question.text, "shape": self.question.shape,
                "verdict": self.verdict, "reasons": list(self.reasons), "reading": self.reading,
                "shape_read": self.shape_read}


@dataclass
class Tally:
    """Right, wrong and refused counts."""

    right: int = 0
    wrong: int = 0
    refused: int = 0

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.refused

    def add(self, verdict: Verdict) -> None:
        setattr(self, verdict, getattr(self, verdict) + 1)

    def share(self, verdict: Verdict) -> float:
        return getattr(self, verdict) / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, int | float]:
        return {"right": self.right, "wrong": self.wrong, "refused": self.refused, "total": self.total,
                "right_share": round(self.share("right"), 4), "wrong_share": round(self.share("wrong"), 4)}


@dataclass
class Evaluation:
    """Every question's outcome, with totals overall and per shape (in the order the set first uses them)."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def overall(self) -> Tally:
        tally = Tally()
        for outcome in self.outcomes:
            tally.add(outcome.verdict)
        return tally

    @property
    def by_shape(self) -> dict[str, Tally]:
        tallies: dict[str, Tally] = {}
        for outcome in self.outcomes:
            tallies.setdefault(outcome.question.shape, Tally()).add(outcome.verdict)
        return tallies

    def as_dict(self) -> dict[str, Any]:
        return {"overall": self.overall.as_dict(),
                "by_shape": {shape: tally.as_dict() for shape, tally in self.by_shape.items()},
                "questions": [o.as_dict() for o in self.outcomes]}


# --- reading a set ----------------------------------------------------------------------

def _ids(value: object, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise QuestionSetInvalid(f"{where}: expected a list of ids, got {value!r}")
    return frozenset(value)


def _expectation(raw: object, where: str) -> Expectation:
    if not isinstance(raw, Mapping):
        raise QuestionSetInvalid(f"{where}: 'expect' must be a mapping")
    unknown = set(raw) - _EXPECT_KEYS
    if unknown:
        raise QuestionSetInvalid(f"{where}: unknown expectation(s) {', '.join(sorted(unknown))} "
                                 f"(known: {', '.join(sorted(_EXPECT_KEYS))})")
    for key in ("only_claims", "answer", "refuse"):
        if key in raw and not isinstance(raw[key], bool):
            raise QuestionSetInvalid(f"{where}: {key!r} must be yes/no (true/false), got {raw[key]!r}")
    count = raw.get("count")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 0):
        raise QuestionSetInvalid(f"{where}: 'count' must be a whole number, got {count!r}")
    count_of = raw.get("count_of")
    if count_of is not None and count_of not in COUNT_UNITS:
        raise QuestionSetInvalid(f"{where}: 'count_of' must be one of {', '.join(COUNT_UNITS)}, got {count_of!r}")
    if ("count" in raw) != (count_of is not None):
        raise QuestionSetInvalid(f"{where}: 'count' and 'count_of' go together")
    if not any(k in raw for k in _EXPECT_KEYS - {"only_claims"}):
        raise QuestionSetInvalid(f"{where}: 'expect' says nothing an answer could be checked against")
    return Expectation(
        entities=_ids(raw["entities"], f"{where}.entities") if "entities" in raw else None,
        claims=_ids(raw.get("claims", []), f"{where}.claims"),
        only_claims=bool(raw.get("only_claims", False)),
        answer=raw.get("answer"), count=count, count_of=count_of, no_figure="count" in raw and count is None,
        path_through=tuple(sorted(_ids(raw.get("path_through", []), f"{where}.path_through"))),
        refuse=raw.get("refuse"),
    )


def parse_questions(data: object, origin: str = "<questions>") -> list[Question]:
    """Questions from already-parsed YAML; ``QuestionSetInvalid`` names the first problem."""
    if not isinstance(data, Mapping) or not isinstance(data.get("questions"), list):
        raise QuestionSetInvalid(f"{origin}: expected a mapping with a 'questions' list")
    questions: list[Question] = []
    seen: set[str] = set()
    for position, item in enumerate(data["questions"], start=1):
        where = f"{origin}: question {position}"
        if not isinstance(item, Mapping):
            raise QuestionSetInvalid(f"{where}: expected a mapping")
        ident, text, shape = item.get("id"), item.get("q"), item.get("shape")
        if not all(isinstance(v, str) and v.strip() for v in (ident, text, shape)):
            raise QuestionSetInvalid(f"{where}: 'id', 'q' and 'shape' are required text")
        assert isinstance(ident, str) and isinstance(text, str) and isinstance(shape, str)
        if ident in seen:
            raise QuestionSetInvalid(f"{where}: id {ident!r} is used twice")
        seen.add(ident)
        questions.append(Question(ident, text, shape, _expectation(item.get("expect"), f"{where} ({ident})"),
                                  str(item.get("note") or "")))
    return questions


def read_questions(path: Path) -> list[Question]:
    """A question set from a YAML file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise QuestionSetInvalid(f"cannot read the question set {path}: {error}") from error
    return parse_questions(data, str(path))


# --- scoring ----------------------------------------------------------------------------

def cited_claims(answer: Mapping[str, Any]) -> set[str]:
    """Ids of every claim an answer cites: its claims and those on its paths' hops."""
    cited = {c["id"] for c in answer.get("claims") or []}
    for path in answer.get("paths") or []:
        for hop in path.get("hops") or []:
            cited.update(c["id"] for c in hop.get("claims") or [])
    return cited


def _names(ids: Iterable[str]) -> str:
    return ", ".join(sorted(ids)) or "none"


def check(answer: Mapping[str, Any], expect: Expectation) -> list[str]:
    """Why an answer (as the API gives it) falls short of an expectation; empty when it does not."""
    if expect.refuse:
        return ["answered a question that should be refused"]
    problems: list[str] = []
    if expect.entities is not None:
        found = {a["id"] for a in answer.get("answers") or []}
        if found != expect.entities:
            problems.append(f"entities: expected {_names(expect.entities)}; got {_names(found)}")
    cited = cited_claims(answer)
    missing = expect.claims - cited
    if missing:
        problems.append(f"claims not cited: {_names(missing)}")
    if expect.only_claims and cited - expect.claims:
        problems.append(f"claims cited beyond those expected: {_names(cited - expect.claims)}")
    if expect.answer is not None:
        wanted = "yes" if expect.answer else "no"
        given = answer.get("verdict")
        if given != wanted:
            problems.append(f"yes/no: expected {wanted}; got {given or 'no yes/no answer'}")
    if expect.count is not None:
        counted = answer.get("count") or {}
        given_value, given_unit = counted.get("value"), counted.get("of")
        if (given_value, given_unit) != (expect.count, expect.count_of):
            got = f"{given_value} {given_unit}" if counted else "no count"
            problems.append(f"count: expected {expect.count} {expect.count_of}; got {got}")
    if expect.no_figure:
        counted = answer.get("count") or {}
        if counted.get("value") is not None:
            given = f"{counted['value']} {counted.get('of')}"
            problems.append(f"count: expected no figure of {expect.count_of}; got {given}")
    if expect.path_through:
        inner = {node for path in answer.get("paths") or [] for node in (path.get("nodes") or [])[1:-1]}
        absent = set(expect.path_through) - inner
        if absent:
            problems.append(f"no path passes through {_names(absent)} (paths pass through {_names(inner)})")
    return problems


def score(question: Question, ask: Callable[[str], Answer]) -> Outcome:
    """Run one question through ``ask`` and judge the reply."""
    try:
        answer = ask(question.text)
    except REFUSALS as refusal:
        if question.expect.refuse:
            return Outcome(question, "right", reading=refusal.message)
        return Outcome(question, "refused", (f"{refusal.code}: {refusal.message}",), reading=refusal.message)
    except KgError as error:
        # Any other domain error is an answer gone wrong, not a considered refusal.
        return Outcome(question, "wrong", (f"{error.code}: {error.message}",), reading=error.message)
    data = answer.model_dump(mode="json", by_alias=True)
    problems = check(data, question.expect)
    return Outcome(question, "wrong" if problems else "right", tuple(problems), reading=answer.explanation,
                   shape_read=answer.query.shape)


def evaluate(questions: Iterable[Question], ask: Callable[[str], Answer]) -> Evaluation:
    """Score every question in order."""
    return Evaluation([score(question, ask) for question in questions])
