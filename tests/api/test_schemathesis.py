"""Property-based checks of every operation against the app's own OpenAPI schema.

Schemathesis generates valid (positive) and invalid (negative) requests from the schema
and checks that no response is a server error, that every status, header and body
matches what the schema declares, that invalid input is refused and valid input
accepted. It runs on the ``app`` fixture, so on the seeded store of every kind.
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from graph.dates import PartialDate

EXAMPLES = 100  # per operation and mode: about 3,000 requests, a few seconds a store


def _reversed_window(case: schemathesis.Case) -> bool:
    """A window whose end precedes its start: each date is valid, the pair is not.

    OpenAPI cannot relate two parameters, so such a request is schema-valid yet rightly
    refused with 422; only the "valid data is accepted" check is lifted for it.
    """
    query = case.query or {}
    since, until = query.get("since"), query.get("until")
    if not (isinstance(since, str) and isinstance(until, str) and since and until):
        return False
    try:
        return PartialDate.parse(until).end < PartialDate.parse(since).start
    except ValueError:  # a malformed date: the request is invalid for another reason
        return False


def _free_question(case: schemathesis.Case) -> bool:
    """A question to /v1/ask: any string is schema-valid, but most strings are no question the ontology phrases.

    Those are rightly refused with 422 and the closest questions understood (never a guess),
    so only the "valid data is accepted" check is lifted for them.
    """
    return case.operation.path == "/v1/ask"


def _path_between_names(case: schemathesis.Case) -> bool:
    """A path request: two schema-valid names may stand for one entity (random text folds to an
    alias: "-A-Q-" is AQ, Al-Qaeda), and a path from an entity to itself is rightly refused with 422."""
    return case.operation.path == "/v1/paths"


def check(case: schemathesis.Case) -> None:
    """Every schemathesis check on one generated request."""
    if _path_between_names(case):
        response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
        if response.status_code == 422:
            assert response.json()["error"] == "invalid_parameter"
    elif _free_question(case):
        response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
        if response.status_code == 422:
            assert response.json()["error"] in ("question_not_understood", "invalid_parameter")
    elif _reversed_window(case):
        response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
        assert response.status_code in (404, 409, 422)  # the window, or a name checked before it
    else:
        case.call_and_validate()


def fuzz(operation: schemathesis.APIOperation, mode: GenerationMode, tried: Counter[str]) -> None:
    """Run ``EXAMPLES`` generated requests of one mode against one operation."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case: schemathesis.Case) -> None:
        tried[operation.label] += 1
        check(case)

    run()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_honours_the_schema(app: FastAPI, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    if mode == GenerationMode.NEGATIVE:
        # Without parameters there is nothing to get wrong.
        operations = [o for o in operations if o.definition.raw.get("parameters")]
    tried: Counter[str] = Counter()
    no_invalid_form = set()
    for operation in operations:
        try:
            fuzz(operation, mode, tried)
        except Unsatisfiable:
            # Only a path holding a free string: any string is valid, so nothing invalid exists.
            if mode != GenerationMode.NEGATIVE:
                raise
            no_invalid_form.add(operation.label)
    assert no_invalid_form <= {"GET /v1/claims/{id}", "GET /v1/sources/{id}", "GET /v1/entities/{id}",
                               "GET /v1/reports/{id}/claims"}
    assert set(tried) | no_invalid_form == {o.label for o in operations}
