"""Property-based checks of every operation against the app's own OpenAPI schema.

Schemathesis generates valid and invalid requests from the schema and checks that no
response is a server error, that every status, header and body matches what the schema
declares, and that invalid input is refused and valid input accepted.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.api import create_app
from app.settings import PROJECT_ROOT
from graph.dates import PartialDate
from graph.loader import load
from graph.ontology import load_ontology
from graph.stores.memory import MemoryStore
from tests.api.conftest import settings_for


def _seeded_app() -> object:
    # Schemathesis needs the app when the module is collected, before fixtures exist,
    # so this one builds its own in-memory seeded store.
    ontology = load_ontology()
    store = MemoryStore(ontology)
    load(PROJECT_ROOT / "seeds", store, ontology)
    return create_app(settings_for(PROJECT_ROOT / ".cache"), store)


schema = schemathesis.openapi.from_asgi("/openapi.json", _seeded_app())


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


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_honours_its_schema(case: schemathesis.Case) -> None:
    if _reversed_window(case):
        response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
        assert response.status_code in (404, 409, 422)  # the window, or a name checked before it
    else:
        case.call_and_validate()
