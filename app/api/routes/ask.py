"""Questions in plain English, and the structured queries they are read as, answered with the claims behind them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from app.api.dependencies import Store, Vocabulary
from app.api.errors import error_responses
from app.usecases.ask import SHAPE_EXAMPLES, AskAnswer, ReaderSlot, ask, context_of, linked
from graph.domain.inputs import QUESTION_MAX_CHARS
from graph.language.ask import AskQuery, run

CONTEXT_MAX_CHARS = 4_000  # a query as JSON: a few hundred characters, a chain's or a status's a little more
router = APIRouter(prefix="/v1/ask", tags=["questions"])

SHAPES_DOC = ("Answer a question; one it cannot read gets a 422 with the closest questions it can.\n\n"
              "The shapes it reads, each with what the seed graph answers:\n\n"
              "| shape | question | answer |\n|---|---|---|\n"
              + "\n".join(f"| {e.shape} | `{e.question}` | {e.answer} |" for e in SHAPE_EXAMPLES))


async def get_reader(request: Request) -> ReaderSlot:
    """The question reader the application was created with."""
    slot: ReaderSlot = request.app.state.reader
    return slot


Reader = Annotated[ReaderSlot, Depends(get_reader)]


@router.get("", response_model=AskAnswer, responses=error_responses(304, 404, 409, 422, 503),
            description=SHAPES_DOC)
def read_answer(
    store: Store, reader: Reader, ontology: Vocabulary,
    q: Annotated[str, Query(min_length=1, max_length=QUESTION_MAX_CHARS,
                            description='A question, e.g. "who is IS-K trying to provoke?"')],
    context: Annotated[str | None, Query(max_length=CONTEXT_MAX_CHARS,
                                         description="The previous answer's `query`, as JSON: a follow-up (\"and in "
                                                     "2023?\", \"what about Iran?\", \"who denied it?\") reuses "
                                                     "its slots; a whole question is read alone.")] = None,
) -> AskAnswer:
    """Answer a question; one it cannot read gets a 422 with the closest questions it can."""
    return linked(ask(store, reader, q, context_of(context)), ontology)


@router.get("/query", response_model=AskAnswer, responses=error_responses(304, 404, 422, 503))
def read_query(store: Store, ontology: Vocabulary, query: Annotated[AskQuery, Query()]) -> AskAnswer:
    """Run a structured query as an answer gives it back (`query`), without reading any English."""
    return linked(run(store, ontology, query), ontology)
