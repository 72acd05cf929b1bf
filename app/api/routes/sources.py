"""Sources: the reports every claim is cut from."""

from __future__ import annotations

from fastapi import APIRouter

from app.api import present
from app.api.dependencies import Config, LimitQuery, OffsetQuery, Store, check_page
from app.api.errors import error_responses
from app.api.schemas import Page, SourceDetail, SourceGradeIn, SourceSummary
from graph.domain.model import Source
from graph.stores.protocol import ClaimQuery

# PATCH needs an X-API-Key: app.api.guards checks it for every write before the body is read.
router = APIRouter(prefix="/v1/sources", tags=["sources"])


def _summary(source: Source, claims: int) -> SourceSummary:
    return SourceSummary(**present.source_ref(source).model_dump(), outlet_id=source.outlet_id, note=source.note,
                         claims=claims)


@router.get("", response_model=Page[SourceSummary], responses=error_responses(304, 422, 503))
def read_sources(store: Store, settings: Config, limit: LimitQuery = 50,
                 offset: OffsetQuery = 0) -> Page[SourceSummary]:
    """Every report, by id, with how many claims cite it."""
    check_page(settings, limit)
    listed = store.list_sources(limit=limit, offset=offset)
    cited = store.claim_counts(s.id for s in listed)
    return Page[SourceSummary](data=[_summary(s, cited[s.id]) for s in listed], count=store.count_sources(),
                               limit=limit, offset=offset)


@router.get("/{id}", response_model=SourceDetail, responses=error_responses(304, 404, 503))
def read_source(id: str, store: Store) -> SourceDetail:
    """One report: its metadata, its full text and every claim it supports."""
    source = store.get_source(id)
    claims = store.claims(ClaimQuery(source=source.id))
    return SourceDetail(source=_summary(source, len(claims)), text=source.text, claims=claims)


@router.patch("/{id}", response_model=SourceSummary,
              responses=error_responses(400, 401, 403, 404, 413, 415, 422, 503))
def grade_source(id: str, body: SourceGradeIn, store: Store) -> SourceSummary:
    """Set a report's reliability grade (A reliable to F cannot be judged; null clears it), as an analyst judges
    it after ingest; every claim citing it shows the new grade (API key required)."""
    graded = store.set_reliability(id, body.reliability)
    return _summary(graded, store.claim_counts([graded.id])[graded.id])
