"""Claims with their provenance, grouped into corroborated relations on request, and one claim in full."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api import present
from app.api.dependencies import (
    NAME_MAX,
    ConfidenceQuery,
    Config,
    LimitQuery,
    OffsetQuery,
    RequestNames,
    SinceQuery,
    StatusQuery,
    Store,
    TypesQuery,
    UntilQuery,
    Vocabulary,
    check_page,
)
from app.api.errors import error_responses
from app.api.schemas import ClaimDetail, ClaimEvidence, ClaimEvidenceList, ClaimOut, Page, QuoteInContext
from app.usecases import reads
from app.usecases.reads import ClaimsAsked
from graph.domain.errors import ClaimNotFound, InvalidParameter, SourceNotFound
from graph.services.analysis import GroupedRelation

router = APIRouter(prefix="/v1/claims", tags=["claims"])

CONTEXT = 200  # characters of report text shown either side of a quote
EVIDENCE_MAX = 500  # claims per evidence request: a page of the explorer's claims, read in batches


@router.get("", response_model=Page[ClaimOut] | Page[GroupedRelation],
            responses=error_responses(304, 404, 409, 422, 503))
def read_claims(
    store: Store, settings: Config, ontology: Vocabulary, names: RequestNames,
    subject: Annotated[str | None, Query(max_length=NAME_MAX, description="Subject: id, name or alias.")] = None,
    type: TypesQuery = None,
    object: Annotated[str | None, Query(max_length=NAME_MAX, description="Object: id, name or alias.")] = None,
    status: StatusQuery = None, since: SinceQuery = None, until: UntilQuery = None,
    disputed: Annotated[bool | None, Query(description="Only claims a denial disputes (true) or none (false).")] = None,
    source: Annotated[str | None, Query(description="Only claims from this report id.")] = None,
    location: Annotated[str | None, Query(max_length=NAME_MAX, description="Where it happened: id, name or alias.")
                        ] = None,
    asserted_by: Annotated[str | None, Query(max_length=NAME_MAX,
                                             description="Who asserts it: id, name or alias.")] = None,
    incident: Annotated[str | None, Query(max_length=NAME_MAX, description=(
        "Only claims about this incident (its id): the attack, the claims of responsibility, the blame and the "
        "denials."))] = None,
    min_confidence: ConfidenceQuery = 0.0,
    group: Annotated[bool, Query(description=(
        "Merge claims of the same subject, type, object and incident (or date) into one relation "
        "with its supporting sources counted."))] = False,
    limit: LimitQuery = 50, offset: OffsetQuery = 0,
) -> Page[ClaimOut] | Page[GroupedRelation]:
    """Claims matching every filter, each with its quote and source; symmetric types match either end."""
    check_page(settings, limit)
    query = reads.claim_query(store, ontology, names, ClaimsAsked(
        subject=subject, object=object, types=type, statuses=status, since=since, until=until,
        min_confidence=min_confidence, disputed=disputed, source=source, location=location, asserted_by=asserted_by,
        incident=incident, types_parameter="type"))
    if group:
        # The store groups the whole match and pages the relations; only the page's claims are read.
        found = reads.relations_page(store, query, limit=limit, offset=offset)
        return Page[GroupedRelation](data=found.relations, count=found.total, limit=limit, offset=offset)
    page = reads.claims_page(store, query, limit=limit, offset=offset)
    return Page[ClaimOut](data=present.claims_out(store, page.claims, names), count=page.total, limit=limit,
                          offset=offset)


@router.get("/evidence", response_model=ClaimEvidenceList, responses=error_responses(304, 404, 422, 503))
def read_evidence(
    store: Store,
    ids: Annotated[list[str], Query(description="Claim ids, repeated or comma-separated (at most 500).")],
) -> ClaimEvidenceList:
    """Each claim's asserter by name and its corroboration (how many other sources assert the same relation):
    what the explorer shows beside every claim of an answer, for a page of claims in three batched reads. An id
    the graph lacks is a 404 naming it, as for one claim."""
    wanted = list(dict.fromkeys(part.strip() for value in ids for part in value.split(",") if part.strip()))
    if len(wanted) > EVIDENCE_MAX:
        raise InvalidParameter("ids", f"{len(wanted)} ids", f"at most {EVIDENCE_MAX} claims per request")
    claims = store.get_claims(wanted)
    missing = [i for i in wanted if i not in claims]
    if missing:
        raise ClaimNotFound(f"no claim has id {', '.join(repr(i) for i in missing[:10])}"
                            + (f" (and {len(missing) - 10} more)" if len(missing) > 10 else ""),
                            details={"ids": missing})
    counts = store.corroboration(claims)
    names = {e.id: e.name for e in store.get_entities({c.asserted_by for c in claims.values()}).values()}
    return ClaimEvidenceList(data=[
        ClaimEvidence(id=i, asserted_by=claims[i].asserted_by,
                      asserted_by_name=names.get(claims[i].asserted_by, claims[i].asserted_by),
                      corroboration=counts[i]) for i in wanted])


@router.get("/{id}", response_model=ClaimDetail, responses=error_responses(304, 404, 503))
def read_claim(id: str, store: Store) -> ClaimDetail:
    """One claim: its source, its quote in place, the denials that dispute it and the claim it denies."""
    claim = store.get_claim(id)
    try:
        report = store.get_source(claim.source)
        text = report.text
        ref = present.source_ref(report)
    except SourceNotFound:
        text, ref = "", present.claims_out(store, [claim])[0].report
    start, end = claim.span
    return ClaimDetail(
        claim=present.claims_out(store, [claim])[0], source=ref,
        quote=QuoteInContext(text=claim.quote, span=claim.span, before=text[max(0, start - CONTEXT):start],
                             after=text[end:end + CONTEXT]),
        disputed_by=[store.get_claim(d) for d in claim.disputed_by],
        denies=store.get_claim(claim.denies) if claim.denies else None,
    )
