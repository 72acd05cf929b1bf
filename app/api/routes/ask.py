"""Questions in plain English, answered with the entities, the claims behind them and the query run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import Store, Vocabulary
from app.api.errors import error_responses
from graph.ask import Answer, ask
from graph.inputs import QUESTION_MAX_CHARS

router = APIRouter(prefix="/v1/ask", tags=["questions"])


@router.get("", response_model=Answer, responses=error_responses(304, 404, 409, 422, 503))
def read_answer(
    store: Store, ontology: Vocabulary,
    q: Annotated[str, Query(min_length=1, max_length=QUESTION_MAX_CHARS,
                            description='A question, e.g. "who is IS-K trying to provoke?"')],
) -> Answer:
    """Answer a question; one it cannot read gets a 422 with the closest questions it can."""
    return ask(store, q, ontology)
