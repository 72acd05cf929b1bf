"""Property: any question, however odd, is answered or refused with one of the project's errors, never a
crash, and asking changes nothing in the store."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from graph.domain.errors import KgError
from graph.language.ask import Answer, QuestionReader, ask
from graph.stores.protocol import ClaimQuery, GraphStore
from tests import hostile

EXAMPLES = {"memory": 300, "neo4j": 40}  # each answer on Neo4j is several round trips


def test_any_question_is_answered_or_refused_and_nothing_is_written(
        seeded: GraphStore, reader: QuestionReader, request: pytest.FixtureRequest) -> None:
    before = (seeded.stats(), sorted(c.id for c in seeded.claims(ClaimQuery())))
    outcomes: dict[str, int] = {}

    @settings(max_examples=EXAMPLES[request.node.callspec.params["seeded"]], deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(question=hostile.questions)
    def check(question: str) -> None:
        try:
            answered = ask(seeded, reader, question)
        except KgError as refused:
            outcomes[refused.code] = outcomes.get(refused.code, 0) + 1
            assert refused.message and refused.http_status < 500
            return
        assert isinstance(answered, Answer) and answered.explanation
        outcomes["answered"] = outcomes.get("answered", 0) + 1

    check()
    assert "answered" in outcomes and "question_not_understood" in outcomes, outcomes
    assert (seeded.stats(), sorted(c.id for c in seeded.claims(ClaimQuery()))) == before
