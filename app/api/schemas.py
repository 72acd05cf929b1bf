"""Response shapes of the HTTP API, declared so the OpenAPI schema says exactly what comes back."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graph.domain.inputs import report_text_problem, text_problem, url_problem
from graph.domain.model import Alias, Claim, ClaimOut, ClaimView, Hop, Reliability, SourceRef, UpsertResult
from graph.services.analysis import Centrality

__all__ = ["ClaimOut", "SourceRef"]  # moved to graph.domain.model (graph.language.ask answers cite claims too)

T = TypeVar("T")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(_Out, Generic[T]):
    """The one envelope of every list: the page of items, how many match in all, and the window."""

    data: list[T]
    count: int = Field(description="How many items match in all, not only on this page.")
    limit: int
    offset: int


class ErrorBody(_Out):
    """The one shape of every error."""

    error: str = Field(description="A stable code, e.g. invalid_parameter, entity_not_found.")
    message: str = Field(description="What was wrong, for people.")
    details: dict[str, Any] = Field(description="Machine-readable specifics: parameter, value, accepted, suggestions.")


class EntityHit(_Out):
    """An entity in a list; ``matched`` and ``score`` say why it matched a search."""

    id: str
    name: str
    kind: str
    description: str | None
    aliases: list[Alias]
    gazetteer: str | None = Field(default=None, description="A place's entry in the gazetteer (its coordinates).")
    parent: str | None = Field(None, description="Id of the group it is a province, branch, faction or splinter of.")
    parent_relation: str | None = Field(None, description="How it relates to its parent: one of the relation types "
                                                           "the ontology marks `parent` (see /v1/schema).")
    source: str | None = Field(None, description="Where the registry's facts about it come from.")
    matched: str | None = None
    score: float | None = None


class EntityDetail(_Out):
    """One entity with its claims counted by type, as subject (out) and as object (in)."""

    id: str
    name: str
    kind: str
    description: str | None
    aliases: list[Alias]
    gazetteer: str | None = Field(default=None, description="A place's entry in the gazetteer (its coordinates).")
    parent: str | None = Field(None, description="Id of the group it is a province, branch, faction or splinter of.")
    parent_relation: str | None = Field(None, description="How it relates to its parent: one of the relation types "
                                                           "the ontology marks `parent` (see /v1/schema).")
    source: str | None = Field(None, description="Where the registry's facts about it come from.")
    claims_out: dict[str, int]
    claims_in: dict[str, int]
    claims_total: int


class QuoteInContext(_Out):
    """The quote, its span in the report text, and the text just around it."""

    text: str
    span: tuple[int, int]
    before: str
    after: str


class ClaimDetail(_Out):
    """One claim, its source, its quote in place, what disputes it and what it denies."""

    claim: ClaimOut
    source: SourceRef
    quote: QuoteInContext
    disputed_by: list[ClaimView]
    denies: ClaimView | None


class SourceSummary(SourceRef):
    """A report in a list, with how many claims cite it."""

    outlet_id: str | None
    note: str | None
    claims: int


class SourceGradeIn(_Out):
    """A source's new reliability grade (API key required)."""

    reliability: Reliability | None = Field(description="A (reliable) to F (cannot be judged); null clears the grade.")


class ClaimEvidence(_Out):
    """What an analyst weighs a claim by, beyond its quote: who asserts it and how many other reports say the same."""

    id: str
    asserted_by: str
    asserted_by_name: str = Field(description="The asserter's display name (its id when the graph lacks it).")
    corroboration: int = Field(description="How many other sources hold a claim of the same subject, type and "
                                           "object (either way round for a symmetric type).")


class ClaimEvidenceList(_Out):
    """The evidence of the claims asked for, in the order asked."""

    data: list[ClaimEvidence]


class SourceDetail(_Out):
    """A report, its full text, and its claims."""

    source: SourceSummary
    text: str
    claims: list[ClaimView]


class PathOut(_Out):
    """One path: the entities along it and each hop with the claims behind it."""

    length: int
    nodes: list[str]
    hops: list[Hop]


class CytoscapeElement(_Out):
    """A Cytoscape.js element: everything is under ``data``."""

    data: dict[str, Any]


class CytoscapeGraph(_Out):
    """Cytoscape.js elements, grouped as ``cy.add`` and ``cytoscape({elements})`` accept them."""

    nodes: list[CytoscapeElement]
    edges: list[CytoscapeElement]


class NodeLinkGraph(_Out):
    """networkx node-link JSON (read back with ``nx.node_link_graph(data, edges="links")``)."""

    directed: bool
    multigraph: bool
    graph: dict[str, Any]
    nodes: list[dict[str, Any]]
    links: list[dict[str, Any]]


class Health(_Out):
    """The process is up."""

    status: str


class Ready(_Out):
    """The store answers, and what it holds."""

    status: str
    store: str
    entities: int
    claims: int


class StatsOut(_Out):
    """Counts by kind, type and status, and the most connected entities."""

    entities: int
    sources: int
    claims: int
    disputed_claims: int
    incidents: int
    entities_by_kind: dict[str, int]
    claims_by_type: dict[str, int]
    claims_by_status: dict[str, int]
    most_connected: list[Centrality]


class ReportIn(_Out):
    """A report to ingest: its text (plain, with optional front matter, or an HTML page) and metadata.

    Fields given here win over what the text or page says about itself. The report is
    identified by a hash of its text, so sending it again adds nothing.
    """

    # Their longest is KG_MAX_REPORT_CHARS, checked by the route and written into the schema by app.api.openapi.
    text: str | None = Field(None, min_length=1,
                             description="Plain text (YAML front matter allowed) or a whole HTML page.")
    html: str | None = Field(None, min_length=1,
                             description="An HTML page whose article body is extracted; give this or text.")
    title: str | None = Field(None, max_length=500)
    outlet: str | None = Field(None, max_length=200,
                               description="The outlet: a registry name or alias (e.g. RFE/RL), or any name (an "
                                           "outlet the registry lacks is added as an organization); unset, the "
                                           "page's own site name or the URL's host names it.")
    url: str | None = Field(None, max_length=2000, description="Where the report was published (not fetched).")
    published: str | None = Field(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
                                  description="Publication date, which relative dates are read against.")
    reliability: Reliability | None = Field(None, description="The source's reliability grade, A (reliable) to F "
                                                              "(cannot be judged); PATCH /v1/sources/{id} changes it.")
    review: bool = Field(False, description="Stage the claims for review instead of loading them.")
    min_confidence: float | None = Field(
        None, ge=0, le=1, description="Load the claims at or above this confidence and stage the rest for review.")

    @field_validator("text")
    @classmethod
    def _text_is_text(cls, text: str | None) -> str | None:
        problem = report_text_problem(text) if text is not None else None
        if problem:
            raise ValueError(problem)
        return text

    @field_validator("html")
    @classmethod
    def _html_is_text(cls, html: str | None) -> str | None:
        problem = text_problem(html, multiline=True, markup=True) if html is not None else None
        if problem:
            raise ValueError(problem)
        return html

    @field_validator("title", "outlet")
    @classmethod
    def _plain(cls, value: str | None) -> str | None:
        problem = text_problem(value) if value is not None else None
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("url")
    @classmethod
    def _web_address(cls, url: str | None) -> str | None:
        problem = url_problem(url) if url is not None else None
        if problem:
            raise ValueError(problem)
        return url

    @model_validator(mode="after")
    def _one_body(self) -> ReportIn:
        if (self.text is None) == (self.html is None):
            raise ValueError("give exactly one of text and html")
        return self


class Candidate(_Out):
    """A name the registry does not resolve, with the sentences it occurs in, for a curator to add."""

    name: str
    reason: str
    sentences: list[str]
    spans: list[tuple[int, int]]


class ActorMention(_Out):
    """Where a candidate entity is named: the sentence's number, the name's character span, the text."""

    sentence: int
    span: tuple[int, int]
    text: str


class CandidateEntity(_Out):
    """An actor the registry lacks that the report's claims name, staged for review with those claims."""

    id: str
    name: str
    kind: str
    aliases: list[str]
    parent: str | None
    parent_relation: str | None
    merge_into: str | None = Field(description="The registry entity it seems to be, proposed as a merge.")
    mentions: list[ActorMention]
    confidence: float
    reason: str


class IngestOut(_Out):
    """What one ingest did: the report, the claims extracted, what was written or staged."""

    source: SourceRef
    claims: list[Claim] = Field(description="Every claim extracted, whether new, already there or staged.")
    entities: list[CandidateEntity] = Field(default_factory=list, description="Actors the registry lacks that "
                                            "claims name; those claims are staged for review with them.")
    candidates: list[Candidate]
    written: UpsertResult = Field(description="Records created, updated and unchanged (the report, and the "
                                              "claims unless they were staged).")
    staged: int = Field(description="Claims newly staged for review: all with review, those below min_confidence, "
                                    "and always those naming actors the registry lacks.")
    review: bool
    outcome: str = Field(description="Where to see what came of the report.")
    reviewed: ReviewedActors = Field(description="What decisions taken in review did to the actors the report names.")


class ReviewedActors(_Out):
    """The review's recorded decisions, reapplied to a report's candidate entities."""

    resolved: dict[str, str] = Field(description="Candidate ids accepted or merged before, and the entity each is.")
    rejected: list[str] = Field(description="Names rejected before.")
    discarded: int = Field(description="Claims not loaded nor staged because they name a rejected actor.")


class StagedClaim(Claim):
    """A machine-extracted claim awaiting review, in the curated-claims shape."""

    waits_on: list[str] = Field(default_factory=list, description="Candidate entities (actors the registry lacks) "
                                "the claim names: it loads only once they are reviewed.")


class ReportClaims(_Out):
    """What came of one report: claims in the graph, claims awaiting review, names still unknown."""

    source: SourceRef
    loaded: list[ClaimOut]
    staged: list[StagedClaim]
    candidates: list[Candidate]
    candidates_kept: bool = Field(description=(
        "Whether names were kept when the report was ingested; false for a curated report or one ingested before "
        "they were kept (ingest it again to list them)."))


class ReviewIn(_Out):
    """Staged claims of one report to accept (load) or reject (drop), by id or ``["all"]``."""

    accept: list[str] = Field(default_factory=list, max_length=10000)
    reject: list[str] = Field(default_factory=list, max_length=10000)

    @model_validator(mode="after")
    def _something(self) -> ReviewIn:
        if not self.accept and not self.reject:
            raise ValueError("name claims to accept or reject (ids, or [\"all\"])")
        if set(self.accept) & set(self.reject):
            raise ValueError("a claim cannot be both accepted and rejected")
        return self


class ReviewClaimsOut(_Out):
    """What a review of staged claims from any reports did, and how many claims still wait."""

    accepted: list[str]
    rejected: list[str]
    written: UpsertResult | None
    remaining: int = Field(description="Claims still awaiting review, from every report.")


class ReviewOut(_Out):
    """What a review did, and what of the report still waits."""

    accepted: list[str]
    rejected: list[str]
    written: UpsertResult | None
    staged: list[StagedClaim]


class CandidateMention(_Out):
    """Where a candidate entity awaiting review is named: the report, the name as written, the sentence around it."""

    source: str
    text: str
    span: tuple[int, int]
    sentence: str = Field(description="The sentence the name is in (cut to 240 characters).")


class WaitingClaim(_Out):
    """A staged claim that waits on a candidate entity's review."""

    id: str
    subject: str
    type: str
    object: str
    status: str
    confidence: float
    quote: str
    source: str
    waits_on: list[str]


class ReviewEntity(_Out):
    """A candidate entity awaiting review, gathered from every report that staged it."""

    id: str
    name: str
    kind: str
    aliases: list[str]
    parent: str | None
    parent_relation: str | None
    merge_into: str | None = Field(description="The entity it seems to be, proposed as a merge.")
    confidence: float | None
    reason: str
    sources: list[str] = Field(description="The reports it was read in.")
    mentions: list[CandidateMention]
    claims: list[WaitingClaim] = Field(description="The staged claims waiting on it.")


class EntityDecisionIn(_Out):
    """A decision on a candidate entity: accept it (its kind or name may be edited), merge it into an entity the
    graph holds (``into``, else the merge proposed), or reject it."""

    decision: Literal["accept", "merge", "reject"]
    kind: str | None = Field(None, max_length=100, description="With accept: the entity's kind, if not the one read.")
    name: str | None = Field(None, max_length=300, description="With accept: the entity's name, if not the one read.")
    into: str | None = Field(None, max_length=200, description="With merge: the id of the entity to merge into.")


class EntityDecisionOut(_Out):
    """What a decision did: the entity the candidate became or was merged into, the claims it loaded, kept staged
    (they wait on another candidate) or dropped, and the write."""

    candidate: str
    action: str
    entity: str | None
    loaded: list[str]
    still_staged: list[str]
    dropped: list[str]
    written: UpsertResult | None
    notes: list[str]


# --- feeds and watchlists -------------------------------------------------------------------------


# An http(s) URL: a host name or bracketed IPv6 address, a port, then printable characters without quotes or brackets.
FEED_URL = r"^https?://([A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?([/?][!#-;=?-~]*)?$"


class FeedIn(_Out):
    """A feed to follow: its RSS or Atom URL and, optionally, whose it is."""

    url: str = Field(max_length=2000, pattern=FEED_URL, description="The feed's http(s) URL (read at the next poll, "
                                                                    "not now).")
    outlet: str | None = Field(None, min_length=1, max_length=200,
                               description="The outlet, as reports name it; unset, the site name each page gives.")

    @field_validator("url")
    @classmethod
    def _web_address(cls, url: str) -> str:
        problem = url_problem(url)
        if problem:
            raise ValueError(problem)
        return url

    @field_validator("outlet")
    @classmethod
    def _plain(cls, value: str | None) -> str | None:
        problem = text_problem(value) if value is not None else None
        if problem:
            raise ValueError(problem)
        return value


class FeedOut(_Out):
    """A feed followed: its last poll, its failure (with the reason and the next try) and its items by state."""

    id: int
    url: str
    outlet: str | None
    title: str | None
    added_at: str
    polled_at: str | None
    status: str = Field(description="new, ok, unchanged (304), warning (read, but malformed) or failed.")
    error_reason: str | None
    error: str | None
    failures: int
    retry_at: str | None
    moved_to: str | None = Field(description="Where the feed's URL redirects, when it does.")
    entries: int
    items: dict[str, int] = Field(description="Items by state: queued, fetched, writing, ingested, duplicate, failed.")
    copies: int = Field(description="Ingested items that run another outlet's text (read once, one more source).")


class FeedItem(_Out):
    """An item of a feed: its page, its state, the report it became, and for a failure why and when next."""

    id: int
    feed: int | None
    url: str
    title: str | None
    state: str
    source: str | None = Field(description="The report in the graph (its own, or the copy's, or the one it "
                                           "duplicates).")
    same_as: int | None = Field(description="The item whose text this one runs (a copy or a duplicate).")
    similarity: float | None
    claims: int | None
    attempts: int
    error_reason: str | None
    error: str | None
    retry_at: str | None
    seen_at: str
    done_at: str | None
    redirects: list[str]


class FeedDetail(_Out):
    """One feed and its latest items."""

    feed: FeedOut
    items: list[FeedItem]


class NewClaim(ClaimOut):
    """A claim that arrived through a feed, with when."""

    arrived_at: str


class NewIncident(_Out):
    """An incident (one relation of an event type) first heard of since the date asked, with every source of it."""

    subject: str
    subject_name: str
    type: str
    object: str
    object_name: str
    date: str | None
    incident: str | None
    first_arrived: str
    source_count: int
    claims: list[NewClaim]


class WatchlistIn(_Out):
    """A watchlist: what to watch (each criterion given must hold) and the webhook its alerts are POSTed to.

    A file delivery is set up on the server (`kg watch add --file`), never by a client.
    """

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$",
                      description="1 to 64 letters, digits, spaces, dots, dashes or underscores.")
    entities: list[str] = Field(default_factory=list, max_length=100, description="Ids, names or aliases.")
    types: list[str] = Field(default_factory=list, max_length=100, description="Relation types or categories.")
    statuses: list[str] = Field(default_factory=list, max_length=20)
    places: list[str] = Field(default_factory=list, max_length=100, description="Places or states.")
    webhook: str | None = Field(None, max_length=2000)
    file: str | None = Field(None, max_length=2000, description="Refused over HTTP; here to say so clearly.")
    secret: str | None = Field(None, min_length=16, max_length=200,
                               description="The HMAC key alerts are signed with; unset, one is made and returned once.")


class WatchlistOut(_Out):
    """A watchlist, without its signing key, and its messages counted by state."""

    name: str
    entities: list[str]
    types: list[str]
    statuses: list[str]
    places: list[str]
    webhook: str | None
    file: str | None
    created_at: str
    messages: dict[str, int]


class WatchlistCreated(WatchlistOut):
    """A new watchlist; ``secret`` is the signing key made for it, shown this once (null when one was given)."""

    secret: str | None


class Delivery(_Out):
    """One alert message: what it carried, its state, attempts, error and next attempt."""

    id: str
    watchlist: str
    kind: str = Field(description="incident (an attack, a retaliation) or claim.")
    relation: str
    date: str | None
    claims: int
    sources: int
    state: str = Field(description="pending, sending, delivered, failed (tried again later) or cancelled.")
    attempts: int
    error: str | None
    next_attempt_at: str | None
    created_at: str
    delivered_at: str | None


class WatchlistDetail(_Out):
    """A watchlist and its latest alerts."""

    watchlist: WatchlistOut
    deliveries: list[Delivery]
