"""The review of candidate entities: actors the registry lacks, staged with the claims that name them.

Listing reads the staging file only; a decision (``graph.services.actor_review.decide``) loads what it decides in
one write and is recorded in the review log, which ingest reapplies to later reports.
"""

from __future__ import annotations

from fastapi import APIRouter

from app.api.dependencies import Config, Extractors, LimitQuery, OffsetQuery, Store, Vocabulary, check_page
from app.api.errors import error_responses
from app.api.schemas import (
    EntityDecisionIn,
    EntityDecisionOut,
    Page,
    ReviewClaimsOut,
    ReviewEntity,
    ReviewIn,
    StagedClaim,
)
from graph.domain.errors import InvalidParameter, StagedClaimNotFound
from graph.services.actor_review import ReviewLog, candidate_entities, decide
from graph.services.review import Staging

# Writes here need an X-API-Key: app.api.guards checks it for every POST before the body is read.
router = APIRouter(prefix="/v1/review", tags=["review"])


@router.get("/claims", response_model=Page[StagedClaim], responses=error_responses(422, 503))
def list_review_claims(settings: Config, limit: LimitQuery = 50, offset: OffsetQuery = 0) -> Page[StagedClaim]:
    """Claims awaiting review, from every report, with how many there are: the explorer's overview shows the count
    as a way into the review (the staging file is read, not the graph)."""
    check_page(settings, limit)
    staged = Staging(settings.staging_path).claims()
    return Page[StagedClaim](data=[StagedClaim(**c) for c in staged[offset:offset + limit]], count=len(staged),
                             limit=limit, offset=offset)


@router.post("/claims", response_model=ReviewClaimsOut,
             responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422, 503))
def review_claims(body: ReviewIn, store: Store, settings: Config, ontology: Vocabulary) -> ReviewClaimsOut:
    """Accept (load) or reject (drop) staged claims of any reports, by id or all, as ``kg review --accept/--reject``
    does: the explorer's review panel decides one claim or a selection at once (API key required). Accepted
    claims load all-or-nothing; ``all`` passes over claims that wait on candidate entities, and naming one of
    those is refused (409)."""
    staging = Staging(settings.staging_path)
    both = sorted(set(body.accept) & set(body.reject))
    if both:
        raise InvalidParameter("reject", both, "a claim cannot be accepted and rejected at once")
    # Every id is checked before anything is written, so a bad id in the rejections cannot follow a load.
    staged = {c["id"] for c in staging.claims()}
    unknown = [i for i in [*body.accept, *body.reject] if i != "all" and i not in staged]
    if unknown:
        raise StagedClaimNotFound(f"no staged claim has id {', '.join(unknown)} (it may have been reviewed already)",
                                  details={"ids": unknown})
    accepted, written = staging.accept(body.accept, store, ontology) if body.accept else ([], None)
    rejected = staging.reject(body.reject) if body.reject else []
    return ReviewClaimsOut(accepted=accepted, rejected=rejected, written=written, remaining=len(staging.claims()))


@router.get("/entities", response_model=Page[ReviewEntity], responses=error_responses(422, 503))
def list_review_entities(settings: Config, limit: LimitQuery = 50, offset: OffsetQuery = 0) -> Page[ReviewEntity]:
    """Candidate entities awaiting review, each with its mentions, the merge and parent proposed, and the staged
    claims waiting on it (the staging file is read, not the graph)."""
    check_page(settings, limit)
    listed = candidate_entities(Staging(settings.staging_path))
    return Page[ReviewEntity](data=[ReviewEntity(**e) for e in listed[offset:offset + limit]], count=len(listed),
                              limit=limit, offset=offset)


@router.post("/entities/{id}", response_model=EntityDecisionOut,
             responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422, 503))
def decide_review_entity(id: str, body: EntityDecisionIn, store: Store, settings: Config, ontology: Vocabulary,
                         extractors: Extractors) -> EntityDecisionOut:
    """Accept, merge or reject a candidate entity; the claims it decides load in one write (API key required)."""
    done = decide(Staging(settings.staging_path), ReviewLog(settings.review_log_path), store, ontology, id,
                  body.decision, kind=body.kind, name=body.name, into=body.into, by="POST /v1/review/entities")
    if done.action != "reject":
        extractors.invalidate()  # the registry knows the entity (or the new alias) now
    return EntityDecisionOut(**done.as_dict())
