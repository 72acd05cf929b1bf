"""Questions for the interfaces: one reader per process, answers with the ``/v1`` requests behind them.

The reader (``graph.language.ask.QuestionReader``) is built once, like the store, and shared by every request;
it holds the registry's names as they were when it was built. When a question names something the
reader does not know and the store does (a report loaded since added it), the slot builds a new
reader from the store and reads the question again: the only time a request changes what is shared,
and it replaces the reader whole rather than changing it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from pydantic import Field, ValidationError

from graph.domain.errors import EntityNotFound, InvalidParameter
from graph.domain.inputs import check_question
from graph.domain.ontology import Ontology
from graph.language.ask import Answer, AskQuery, QuestionReader, run
from graph.stores.protocol import GraphStore

PATHS_PARAMETERS = {"max_hops": 4, "k": 3}


@dataclass(frozen=True)
class ShapeExample:
    """A shape `kg ask` reads, a question of that shape, and what the seed graph answers (a test keeps it true)."""

    shape: str
    question: str
    answer: str
    answers: frozenset[str] = frozenset()  # ids the answer must list (at least)
    claims: frozenset[str] = frozenset()  # claim ids it must cite (at least)
    verdict: str | None = None
    count: int | None = None


SHAPE_EXAMPLES: list[ShapeExample] = [
    ShapeExample("a relation", "who is IS-K trying to provoke?", "Pakistan (2 claims), Iran (1)",
                 frozenset({"pakistan", "iran"})),
    ShapeExample("a category", "who are IS-K's enemies?",
                 "8: the Taliban, Pakistan, Shia Muslims, … (hostile claims either way)",
                 frozenset({"taliban", "pakistan", "shia-muslims"})),
    ShapeExample("kinds of answer", "which communities does ISKP target?",
                 "Hazara, Shia Muslims (not the states it targets)", frozenset({"hazara", "shia-muslims"})),
    ShapeExample("a date window", "who did IS-K attack in 2021?", "Shia Muslims (the Kunduz and Kandahar mosques)",
                 frozenset({"shia-muslims"})),
    ShapeExample("a chain", "who hosted al-Qaeda's leader?",
                 "the Taliban (it hosted Osama bin Laden, who leads al-Qaeda)", frozenset({"taliban"}),
                 frozenset({"bin-laden-leads-al-qaeda", "taliban-hosts-bin-laden-2001"})),
    ShapeExample("every tie of a pair", "what is the relationship between Pakistan and the Taliban?",
                 "their alliance and their strained relations, grouped by type", frozenset(),
                 frozenset({"pakistan-allied-taliban", "pakistan-strained-taliban-2022-04"})),
    ShapeExample("a connection", "how is IS-K connected to China?", "3 paths, the shortest of 2 hops",
                 frozenset({"china"})),
    ShapeExample("yes or no", "does IS-K recruit from the TTP?", "yes, 1 claim (isk-recruits-from-ttp-2015)",
                 claims=frozenset({"isk-recruits-from-ttp-2015"}), verdict="yes"),
    ShapeExample("events at a place", "what happened in Kunduz?", "the October 2021 mosque bombing (2 claims)",
                 frozenset({"isk", "mohammad-al-uyghuri"}), frozenset({"isk-attacked-shia-kunduz-2021-10"})),
    ShapeExample("events in a period", "what happened in October 2021?",
                 "5 claims: the Kunduz and Kandahar bombings, China's strained ties with Afghanistan",
                 claims=frozenset({"isk-attacked-shia-kandahar-2021-10", "china-strained-afghanistan-kunduz"})),
    ShapeExample("an attack named", "who was behind the Termez attack?", "IS-K (isk-attacked-uzbekistan-2022-04-18)",
                 frozenset({"isk"}), frozenset({"isk-attacked-uzbekistan-2022-04-18"})),
    ShapeExample("who asserts", "what does Riccardo Valle say about the Taliban?",
                 "1 claim (isk-undermine-taliban-valle-propaganda)",
                 claims=frozenset({"isk-undermine-taliban-valle-propaganda"})),
    ShapeExample("a count", "how many attacks did IS-K carry out in 2021?", "2 incidents (2 claims)", count=2),
    ShapeExample("how many were killed", "how many were killed in Afghanistan in 2021?",
                 "at least 112 in 2 incidents, each figure as stated", count=112),
    ShapeExample("denials", "who denied the Termez attack?", "Uzbekistan, the Taliban",
                 frozenset({"uzbekistan", "taliban"})),
    ShapeExample("a status", "which claims about IS-K are disputed?",
                 "the attacks on Tajikistan and Uzbekistan, with the 3 denials",
                 claims=frozenset({"isk-attacked-tajikistan-2022-05-07", "tajikistan-denied-rocket-attack"})),
    ShapeExample("a profile", "what do we know about the TTP?", "3 claims grouped by type",
                 frozenset({"isk", "pakistan"})),
]


def shapes_text(indent: str = "") -> str:
    """The shapes, their questions and answers, one pair of lines each (for ``kg ask --help`` and ``/docs``)."""
    return "\n".join(f"{indent}{e.shape:<20} {e.question}\n{indent}{'':<20} → {e.answer}" for e in SHAPE_EXAMPLES)


class AskAnswer(Answer):
    """An answer with the ``/v1`` requests that give the same claims, and the request that runs it again."""

    endpoint: str = Field(description="The main /v1 request behind the answer.")
    endpoints: list[str] = Field(description="Every /v1 request the answer combines.")
    rerun: str = Field(description="GET /v1/ask/query with the structured query: the same answer, no English read.")


def context_of(text: str | None, where: str = "context") -> AskQuery | None:
    """The previous answer's query, as JSON (``query`` of an answer), for a follow-up; ``InvalidParameter`` names
    what is wrong with it."""
    if text is None or not text.strip():
        return None
    try:
        return AskQuery.model_validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        at = ".".join(str(p) for p in first.get("loc", ())) or "(whole)"
        raise InvalidParameter(where, text[:200], f"not a query as an answer gives it back: {at}: {first['msg']}",
                               ) from None


def linked(answer: Answer, ontology: Ontology) -> AskAnswer:
    """An answer with its ``/v1`` requests."""
    links = endpoints(answer.query, ontology)
    if answer.query.shape == "incident" and answer.incidents:
        # who did it is read from the claims about each incident (the attack, its claim, blame, denial)
        links += [_url("/v1/claims", incident=i.id) for i in answer.incidents]
    return AskAnswer(**answer.model_dump(), endpoint=links[0], endpoints=links, rerun=rerun(answer.query))


class ReaderSlot:
    """The reader an interface answers with, and how to build a fresh one."""

    def __init__(self, build: Callable[[], QuestionReader], reader: QuestionReader | None = None) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._reader = reader if reader is not None else build()

    @property
    def reader(self) -> QuestionReader:
        return self._reader

    def renew(self) -> QuestionReader:
        """Build the reader again (from the store's names now)."""
        with self._lock:
            self._reader = self._build()
            return self._reader


def ask(store: GraphStore, slot: ReaderSlot, question: str, context: AskQuery | None = None) -> Answer:
    """Read a question and answer it; a name the store has learnt since the reader was built renews it once.
    A question no reader should see is refused first, as ``graph.language.ask.ask`` refuses it. With
    ``context`` (the previous answer's query) a follow-up ("and in 2023?", "what about Iran?", "who denied it?")
    reuses its slots; a whole question is read alone."""
    check_question(question)
    reader = slot.reader
    if context is not None:
        followed = reader.follow(question, context)
        if followed is not None:
            return run(store, reader.ontology, followed.query, question=question, reading=followed.reading)
    try:
        read = reader.read(question)
    except EntityNotFound as missing:
        try:
            store.resolve(missing.name)
        except EntityNotFound:
            raise missing from None
        reader = slot.renew()
        read = reader.read(question)
    return run(store, reader.ontology, read.query, question=question, reading=read.reading)


# --- the /v1 requests behind an answer -----------------------------------------------------------

def _url(path: str, **params: object) -> str:
    """A ``/v1`` request with its non-empty parameters, lists repeated."""
    kept = {k: v for k, v in params.items() if v not in (None, (), [], False)}
    return f"{path}?{urlencode(kept, doseq=True)}" if kept else path


def _window(query: AskQuery) -> dict[str, object]:
    return {"since": query.since, "until": query.until, "status": query.statuses,
            "disputed": None if query.disputed is None else str(query.disputed).lower()}


def _claims_either_end(q: AskQuery, common: dict[str, object]) -> list[str]:
    if q.subject is None:
        return [_url("/v1/claims", asserted_by=q.asserted_by, **common)]
    return [_url("/v1/claims", subject=q.subject, asserted_by=q.asserted_by, **common),
            _url("/v1/claims", object=q.subject, asserted_by=q.asserted_by, **common)]


def _pair(q: AskQuery, common: dict[str, object]) -> list[str]:
    forward = _url("/v1/claims", subject=q.subject, object=q.object, asserted_by=q.asserted_by, **common)
    if q.direction == "out":
        return [forward]
    return [forward, _url("/v1/claims", subject=q.object, object=q.subject, asserted_by=q.asserted_by, **common)]


def _events(q: AskQuery, common: dict[str, object]) -> list[str]:
    if q.object is not None:
        return [_url("/v1/claims", object=q.object, **common)]
    if q.place is None:
        return [_url("/v1/claims", **common)]
    return [_url("/v1/claims", location=q.place, **common), _url("/v1/claims", object=q.place, **common)]


def _incident(q: AskQuery, common: dict[str, object]) -> list[str]:
    located = _url("/v1/claims", location=q.place, subject=q.subject, object=q.object, **common)
    if q.place is not None and q.object is None:
        return [located, _url("/v1/claims", object=q.place, subject=q.subject, **common)]
    return [located]


def _denials(q: AskQuery, common: dict[str, object]) -> list[str]:
    denials = _url("/v1/claims", subject=q.asserted_by, type=common["denial"], since=q.since, until=q.until)
    if q.subject or q.object or q.place or q.types:
        return [_url("/v1/claims", subject=q.subject, object=q.object, location=q.place, type=common["type"],
                     disputed="true", since=q.since, until=q.until), denials]
    return [denials]


def _chain(q: AskQuery, _common: dict[str, object]) -> list[str]:
    side = {"object": q.via} if q.via_direction == "in" else {"subject": q.via}
    return [_url("/v1/claims", type=",".join(q.via_types) or None, **side), rerun(q)]


def _relation(q: AskQuery, common: dict[str, object]) -> list[str]:
    if q.direction == "both" and q.subject and not q.object:
        return _claims_either_end(q, common)
    return [_url("/v1/claims", subject=q.subject, object=q.object, location=q.place, asserted_by=q.asserted_by,
                 **common)]


def _paths(q: AskQuery, _common: dict[str, object]) -> list[str]:
    return [_url("/v1/paths", source=q.subject, target=q.object, **PATHS_PARAMETERS)]


_ENDPOINTS: dict[str, Callable[[AskQuery, dict[str, object]], list[str]]] = {
    "relation": _relation, "category": _relation, "chain": _chain, "pair": _pair, "connection": _paths,
    "profile": _claims_either_end, "status": _claims_either_end, "assertions": _claims_either_end,
    "events": _events, "incident": _incident,
}


def endpoints(query: AskQuery, ontology: Ontology) -> list[str]:
    """The ``/v1`` requests whose claims the answer combines, the main one first."""
    common: dict[str, object] = {"type": ",".join(query.types) if query.types else None, **_window(query)}
    if query.shape == "denials":
        return _denials(query, {**common, "denial": ontology.denial_type})
    links = _ENDPOINTS[query.shape](query, common)
    if query.shape in ("events", "incident") and query.form != "yes_no":
        # the incidents the answer gives, as /v1/incidents lists them (a gazetteer place by its key)
        place = query.place or query.gazetteer or (query.object if query.shape == "incident" else None)
        incidents = _url("/v1/incidents", place=place, since=query.since, until=query.until,
                         perpetrator=query.subject)
        return [incidents, *links] if query.gazetteer or query.count_of in ("killed", "injured") else [
            *links, incidents]
    return links


def rerun(query: AskQuery) -> str:
    """``GET /v1/ask/query`` with the query's fields: the same answer, without reading any English."""
    defaults = AskQuery(shape=query.shape)
    fields = {k: v for k, v in query.model_dump().items()
              if v != getattr(defaults, k) or k == "shape"}
    return _url("/v1/ask/query", **{k: ("true" if v is True else "false" if v is False else v)
                                    for k, v in fields.items()})
