"""Questions for the interfaces: one reader per process, answers with the ``/v1`` requests behind them.

The reader (``graph.ask.QuestionReader``) is built once, like the store, and shared by every request;
it holds the registry's names as they were when it was built. When a question names something the
reader does not know and the store does (a report loaded since added it), the slot builds a new
reader from the store and reads the question again: the only time a request changes what is shared,
and it replaces the reader whole rather than changing it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from urllib.parse import urlencode

from pydantic import Field

from graph.ask import Answer, AskQuery, QuestionReader, run
from graph.errors import EntityNotFound
from graph.store import GraphStore

PATHS_PARAMETERS = {"max_hops": 4, "k": 3}


class AskAnswer(Answer):
    """An answer with the ``/v1`` requests that give the same claims, and the request that runs it again."""

    endpoint: str = Field(description="The main /v1 request behind the answer.")
    endpoints: list[str] = Field(description="Every /v1 request the answer combines.")
    rerun: str = Field(description="GET /v1/ask/query with the structured query: the same answer, no English read.")


def linked(answer: Answer) -> AskAnswer:
    """An answer with its ``/v1`` requests."""
    links = endpoints(answer.query)
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


def ask(store: GraphStore, slot: ReaderSlot, question: str) -> Answer:
    """Read a question and answer it; a name the store has learnt since the reader was built renews it once."""
    reader = slot.reader
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
            "disputed": "true" if query.disputed else None}


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
    if q.place is None:
        return [_url("/v1/claims", **common)]
    return [_url("/v1/claims", location=q.place, **common), _url("/v1/claims", object=q.place, **common)]


def _incident(q: AskQuery, common: dict[str, object]) -> list[str]:
    located = _url("/v1/claims", location=q.place, subject=q.subject, object=q.object, **common)
    if q.place is not None and q.object is None:
        return [located, _url("/v1/claims", object=q.place, subject=q.subject, **common)]
    return [located]


def _denials(q: AskQuery, common: dict[str, object]) -> list[str]:
    denials = _url("/v1/claims", subject=q.asserted_by, type="DENIED", since=q.since, until=q.until)
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
    "events": _events, "incident": _incident, "denials": _denials,
}


def endpoints(query: AskQuery) -> list[str]:
    """The ``/v1`` requests whose claims the answer combines, the main one first."""
    common: dict[str, object] = {"type": ",".join(query.types) if query.types else None, **_window(query)}
    return _ENDPOINTS[query.shape](query, common)


def rerun(query: AskQuery) -> str:
    """``GET /v1/ask/query`` with the query's fields: the same answer, without reading any English."""
    defaults = AskQuery(shape=query.shape)
    fields = {k: v for k, v in query.model_dump().items()
              if v != getattr(defaults, k) or k == "shape"}
    return _url("/v1/ask/query", **{k: ("true" if v is True else "false" if v is False else v)
                                    for k, v in fields.items()})
