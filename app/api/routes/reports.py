"""Reports in: extract a report's claims and load them (or stage them for review), and see what came of it."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.api import present
from app.api.dependencies import Config, Extractors, Store, Vocabulary
from app.api.errors import error_responses
from app.api.schemas import (
    Candidate,
    CandidateEntity,
    IngestOut,
    ReportClaims,
    ReportIn,
    ReviewedActors,
    ReviewIn,
    ReviewOut,
    StagedClaim,
)
from app.usecases.reports import report_outcome
from graph.domain.errors import StagedClaimNotFound
from graph.domain.inputs import check_report_size
from graph.language.extract.text import from_html, from_text, with_given_metadata
from graph.services.actor_review import ReviewLog
from graph.services.incident_merge import DecisionLog
from graph.services.ingest import candidate_dict, ingest
from graph.services.review import Staging

# Writes here need an X-API-Key: app.api.guards checks it for every POST before the body is read.
router = APIRouter(prefix="/v1/reports", tags=["reports"])


def _outcome_url(source_id: str) -> str:
    return f"/v1/reports/{source_id}/claims"


@router.post("", response_model=IngestOut, status_code=201,
             responses={200: {"model": IngestOut, "description": "The report was already in the graph; nothing new "
                                                                 "was written."},
                        **error_responses(400, 401, 403, 413, 415, 422, 503)})
def create_report(body: ReportIn, response: Response, store: Store, settings: Config, ontology: Vocabulary,
                  extractors: Extractors) -> IngestOut:
    """Extract a report's claims and load them with it, or stage them for review (API key required)."""
    origin = "POST /v1/reports"
    check_report_size(body.html if body.html is not None else body.text or "", settings.max_report_chars, origin)
    parsed = from_html(body.html, origin=origin) if body.html is not None else from_text(body.text or "", origin=origin)
    report = with_given_metadata(parsed, title=body.title, outlet=body.outlet, url=body.url, published=body.published,
                                 reliability=body.reliability)
    result = ingest(report, store, ontology, extractor=extractors.get(), review=body.review,
                    staging=settings.staging_path, min_confidence=body.min_confidence,
                    decisions=DecisionLog(settings.incident_log_path),
                    verdicts=ReviewLog(settings.review_log_path).verdicts())
    assert result.written is not None
    if result.written.created["entities"]:
        extractors.invalidate()  # the outlet is in the registry now
    if not result.written.created["sources"] and not result.written.created["claims"] and not result.staged:
        response.status_code = 200
    response.headers["Location"] = _outcome_url(result.source_id)
    return IngestOut(source=present.source_ref(store.get_source(result.source_id)),
                     claims=list(result.extraction.claims),
                     entities=[CandidateEntity(**e.as_dict()) for e in result.extraction.entities], candidates=[
                         Candidate(**candidate_dict(c)) for c in result.extraction.candidates],
                     written=result.written, staged=result.staged, review=body.review,
                     outcome=_outcome_url(result.source_id),
                     reviewed=ReviewedActors(**result.as_dict()["reviewed"]))


@router.get("/{id}/claims", response_model=ReportClaims, responses=error_responses(304, 404, 503))
def read_report_claims(id: str, store: Store, settings: Config) -> ReportClaims:
    """What came of a report: its claims in the graph, those awaiting review, and names still unknown (as kept
    when it was ingested: ``candidates_kept`` is false for a report ingested before they were kept)."""
    outcome = report_outcome(store, id, settings.staging_path)
    return ReportClaims(source=outcome.source, loaded=present.claims_out(store, outcome.loaded),
                        staged=[StagedClaim(**c) for c in outcome.staged],
                        candidates=[Candidate(**c) for c in outcome.candidates],
                        candidates_kept=outcome.candidates_kept)


@router.post("/{id}/review", response_model=ReviewOut,
             responses=error_responses(400, 401, 403, 404, 413, 415, 422, 503))
def review_report(id: str, body: ReviewIn, store: Store, settings: Config, ontology: Vocabulary) -> ReviewOut:
    """Accept (load) or reject (drop) a report's staged claims, by id or all (API key required)."""
    store.get_source(id)
    staging = Staging(settings.staging_path)
    mine = [c["id"] for c in staging.claims(id)]
    accept, reject = (_chosen(id, ids, mine) for ids in (body.accept, body.reject))
    accepted, written = staging.accept(accept, store, ontology) if accept else ([], None)
    rejected = staging.reject(reject) if reject else []
    return ReviewOut(accepted=accepted, rejected=rejected, written=written,
                     staged=[StagedClaim(**c) for c in staging.claims(id)])


def _chosen(source_id: str, ids: list[str], staged: list[str]) -> list[str]:
    """The ids meant: ``all`` is every staged claim of this report; others must be staged from it."""
    if ids == ["all"]:
        return staged
    foreign = [i for i in ids if i not in staged]
    if foreign:
        raise StagedClaimNotFound(f"report {source_id} has no staged claim {', '.join(foreign)}",
                                  details={"ids": foreign, "report": source_id})
    return ids
