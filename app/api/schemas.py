"""Response shapes of the HTTP API, declared so the OpenAPI schema says exactly what comes back."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graph.domain.inputs import report_text_problem, text_problem, url_problem
from graph.domain.model import Alias, Claim, ClaimOut, ClaimView, Hop, SourceRef, UpsertResult
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
