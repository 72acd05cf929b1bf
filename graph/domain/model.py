"""The shapes that cross module boundaries: entities, sources, claims, incidents, subgraphs, paths.

Claims and incidents keep the ids of the entities they name; names are for display only, so that
a renamed entity never orphans a claim or an incident.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graph.domain.dates import PartialDate, parse_optional


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Alias(_Model):
    """Another name for an entity, possibly valid only within a window of dates."""

    name: str
    valid_from: str | None = None
    valid_until: str | None = None
    note: str | None = None


class Entity(_Model):
    """An actor, community, place or organisation, with the names reporting uses for it.

    ``parent`` is the id of the group it is a province, branch, faction or splinter of, and
    ``parent_relation`` how (a relation type the ontology marks ``parent``: a branch, a component, a splinter);
    ``source`` says where the registry's facts about it come from (a designation list, an encyclopaedia).
    """

    id: str
    name: str
    kind: str
    description: str | None = None
    aliases: list[Alias] = Field(default_factory=list)
    # A place's (or a state's) entry in the gazetteer (graph.domain.gazetteer): its coordinates, province, country.
    gazetteer: str | None = None
    parent: str | None = None
    parent_relation: str | None = None
    source: str | None = None


# A source's reliability, on the A-F scale of the Admiralty code: A reliable, ... E unreliable, F cannot be judged.
# Set at ingest (report metadata, ``kg ingest --reliability``) and changed by an analyst (PATCH /v1/sources/{id}).
Reliability = Literal["A", "B", "C", "D", "E", "F"]
RELIABILITY_GRADES: tuple[str, ...] = get_args(Reliability)


class Source(_Model):
    """A report: its metadata and its full text, which every claim's quote is cut from."""

    id: str
    title: str
    outlet: str
    outlet_id: str | None = None
    url: str | None = None
    published: str | None = None
    reliability: Reliability | None = None
    note: str | None = None
    text: str


class Claim(_Model):
    """One typed, directed relation between two entities, as one source reports it."""

    id: str
    subject: str
    type: str
    object: str
    source: str
    quote: str
    span: tuple[int, int]
    status: str
    asserted_by: str
    date: str | None = None
    end_date: str | None = None
    location: str | None = None
    confidence: float = 1.0
    extracted_by: str = "curated"
    incident: str | None = None
    note: str | None = None
    denies: str | None = None


class ClaimView(Claim):
    """A claim as read back: with whether any denial in the graph disputes it."""

    disputed: bool = False
    disputed_by: list[str] = Field(default_factory=list)


class SourceRef(_Model):
    """Enough of a report to cite it."""

    id: str
    title: str
    outlet: str
    url: str | None
    published: str | None
    reliability: str | None


class ClaimOut(ClaimView):
    """A claim with the display names of its ends and the report it comes from, as interfaces show it."""

    subject_name: str
    object_name: str
    report: SourceRef


# --- incidents ---------------------------------------------------------------------------
#
# An incident is one act of violence as the graph knows it from every report that tells it: its type (from the
# ontology's ``incident_types``), when (a date at its own precision), where (the most specific place named, the
# province and country it lies in, coordinates at a stated precision), who did it by whose account, to whom, how
# many were killed and injured as stated, and each report with the sentence that tells it. Claims point at it
# through their ``incident`` id. The ontology, the loader and the stores check the vocabulary (type, basis,
# precision) and that every id names an entity or a source; these models check only what holds whatever the
# vocabulary (a date is a date, a count is not negative, a range is not upside down).


class IncidentPlace(_Model):
    """Where an incident happened, at the most specific level named: an entity of the graph, a gazetteer entry, or
    only a name. ``gazetteer`` is the key of its ``graph.services.gazetteer`` entry; ``precision`` one of the
    ontology's ``location_precisions``."""

    name: str = Field(min_length=1)
    id: str | None = None
    gazetteer: str | None = None
    precision: str | None = None


class Location(_Model):
    """Coordinates (WGS 84, decimal degrees) of an incident, and how precisely they place it (a location precision)."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    precision: str | None = None


class Perpetrator(_Model):
    """Who is said to have done it, on what basis and by whose account.

    ``basis`` is a claim status: ``claimed`` (the actor says so itself), ``alleged`` (a third party blames it),
    ``assessed`` (an analyst's judgement), ``reported`` (the outlet's own voice), ``denied`` (``asserted_by``
    denies that ``id`` did it), ``confirmed``. An actor the graph has no entity for is given by ``description``;
    ``role`` is ``sponsor`` when it is said to have paid, armed or directed the attackers rather than attacked.
    """

    id: str | None = None
    description: str | None = None
    basis: str
    asserted_by: str | None = None
    role: Literal["perpetrator", "sponsor"] = "perpetrator"
    note: str | None = None

    @model_validator(mode="after")
    def _named(self) -> Perpetrator:
        if (self.id is None) == (self.description is None):
            raise ValueError("a perpetrator has an entity id or a description, exactly one of them")
        return self


class Target(_Model):
    """Who or what was attacked: an entity of the graph, or as described when the graph has none ("police post")."""

    id: str | None = None
    description: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _named(self) -> Target:
        if (self.id is None) == (self.description is None):
            raise ValueError("a target has an entity id or a description, exactly one of them")
        return self


class Count(_Model):
    """A casualty figure as stated: "at least 40" is ``min`` 40; "nearly 200" is ``max`` 200; "40 to 45" both.

    ``text`` keeps the wording, since a figure's hedge is part of what the report says.
    """

    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)
    text: str | None = None

    @model_validator(mode="after")
    def _range(self) -> Count:
        if self.min is None and self.max is None and not self.text:
            raise ValueError("a count states a min, a max or its wording")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"max {self.max} is below min {self.min}")
        return self


class IncidentReport(_Model):
    """One report that tells the incident: the source's id, the sentence (or adjacent sentences) that tell it,
    byte for byte, and its character span in the report's text.

    ``killed`` and ``injured`` are the figures this report states, where it states them: reports of one incident
    from several outlets often differ, and each keeps its own beside the incident's.
    """

    source: str
    quote: str = Field(min_length=1)
    span: tuple[int, int]
    killed: Count | None = None
    injured: Count | None = None


class IncidentChange(_Model):
    """One merge or split in an incident's history, enough to explain it and to undo it.

    ``merged``: ``incident`` (another incident's id) was folded into this one, bringing ``reports`` (source ids);
    ``split``: the reports ``reports`` were taken out of this one into ``incident``.
    """

    action: Literal["merged", "split"]
    incident: str
    reports: list[str] = Field(default_factory=list)
    by: str
    at: str | None = None
    reason: str | None = None


class Incident(_Model):
    """One act of violence, with every report that tells it (see the section comment above)."""

    id: str = Field(min_length=1)
    type: str
    date: str | None = None
    end_date: str | None = None
    place: IncidentPlace | None = None
    admin1: str | None = None
    admin1_code: str | None = None
    country: str | None = None
    location: Location | None = None
    perpetrators: list[Perpetrator] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    killed: Count | None = None
    injured: Count | None = None
    abducted: Count | None = None
    reports: list[IncidentReport] = Field(min_length=1)
    note: str | None = None
    confidence: float = Field(default=1.0, ge=0, le=1)
    extracted_by: str = "curated"
    history: list[IncidentChange] = Field(default_factory=list)

    @field_validator("date", "end_date")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        return None if value is None else str(PartialDate.parse(value))

    @model_validator(mode="after")
    def _order(self) -> Incident:
        first, last = parse_optional(self.date), parse_optional(self.end_date)
        if last is not None and first is None:
            raise ValueError("end_date without a date")
        if first is not None and last is not None and last.end < first.start:
            raise ValueError(f"end_date {last} is before date {first}")
        return self

    @property
    def date_precision(self) -> Literal["day", "month", "year"] | None:
        """How precisely the date is known (``2022-05`` is a month)."""
        return date_precision(self.date)

    @property
    def sources(self) -> list[str]:
        """The ids of the reports that tell it, each once, in order."""
        return list(dict.fromkeys(report.source for report in self.reports))

    def place_keys(self) -> set[str]:
        """What a place filter matches: the place's entity id, its gazetteer key and the province's ISO 3166-2
        code (``AF-KDZ``), so asking for a province finds the incidents in its towns and districts."""
        keys = {self.admin1_code}
        if self.place is not None:
            keys |= {self.place.id, self.place.gazetteer}
        return {k for k in keys if k}

    def perpetrator_ids(self) -> set[str]:
        """The entities said to have done it on any basis but a denial (what a perpetrator filter matches)."""
        return {p.id for p in self.perpetrators if p.id is not None and p.basis != "denied"}

    def entity_ids(self) -> set[str]:
        """Every entity id the incident names (place, country, perpetrators and who names them, targets)."""
        ids = {self.country, self.place.id if self.place else None}
        ids |= {p.id for p in self.perpetrators} | {p.asserted_by for p in self.perpetrators}
        ids |= {t.id for t in self.targets}
        return {i for i in ids if i is not None}


def date_precision(value: str | None) -> Literal["day", "month", "year"] | None:
    """``day``, ``month`` or ``year``: how much of an ISO partial date is given."""
    parsed = parse_optional(value)
    if parsed is None:
        return None
    return "day" if parsed.day is not None else "month" if parsed.month is not None else "year"


class NamedRef(_Model):
    """An entity as an interface shows it beside an id: the id and its display name."""

    id: str | None = None
    name: str


class PlaceOut(NamedRef):
    """An incident's place as interfaces show it."""

    gazetteer: str | None = None
    precision: str | None = None


class PerpetratorOut(Perpetrator):
    """A perpetrator with the display names of the actor and of who says so."""

    name: str
    asserted_by_name: str | None = None


class TargetOut(Target):
    """A target with its display name (the description when it is no entity)."""

    name: str


class IncidentReportOut(IncidentReport):
    """A report of an incident, with enough of the source to cite it."""

    report: SourceRef


class IncidentOut(_Model):
    """An incident as interfaces give it (``kg incidents --json``, ``/v1/incidents``): ids with display names, the
    date's precision, and how many distinct reports tell it (``corroboration``)."""

    id: str
    type: str
    type_label: str
    date: str | None
    date_precision: Literal["day", "month", "year"] | None
    end_date: str | None
    place: PlaceOut | None
    admin1: str | None
    admin1_code: str | None
    country: NamedRef | None
    location: Location | None
    perpetrators: list[PerpetratorOut]
    targets: list[TargetOut]
    killed: Count | None
    injured: Count | None
    abducted: Count | None
    reports: list[IncidentReportOut]
    corroboration: int
    note: str | None
    confidence: float
    extracted_by: str
    history: list[IncidentChange]
    # where the tellings differ, side by side: a casualty figure reports state differently (each report's own), a
    # perpetrator one side names and another denies (``graph.services.incident_merge.contradictions``)
    contradictions: list[dict[str, Any]] = Field(default_factory=list)


class IncidentDetail(IncidentOut):
    """One incident with the claims about it (``/v1/incidents/{id}``, ``kg incidents show``): the attack, the claims
    of responsibility, the blame and the denials that carry its id, each cited."""

    claims: list[ClaimOut] = Field(default_factory=list)


class Batch(_Model):
    """Everything one load writes, validated as a whole before any of it is written."""

    entities: list[Entity] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    incidents: list[Incident] = Field(default_factory=list)


class UpsertResult(_Model):
    """What a write changed, counted per record type (``removed``: incidents a merge folded into another)."""

    created: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    removed: dict[str, int] = Field(default_factory=dict)


class SubgraphNode(_Model):
    """An entity in a subgraph, with its hop distance from the centre."""

    id: str
    name: str
    kind: str
    depth: int


class SubgraphLink(_Model):
    """One claim as a node-link edge: ``source``/``target`` are entity ids, ``key`` the claim id."""

    source: str
    target: str
    key: str
    type: str
    claim: ClaimView


class Subgraph(_Model):
    """A neighbourhood in node-link form (the shape networkx and most graph tools read).

    ``truncated`` says the answer is partial: the node or link cap was reached, or a hub (an
    entity with more claims than a walk expands) was reached but not walked through.
    """

    center: str
    nodes: list[SubgraphNode]
    links: list[SubgraphLink]
    truncated: bool = False


class Hop(_Model):
    """One step of a path and the claims that make it."""

    from_: str = Field(alias="from")
    to: str
    claims: list[ClaimView]


class EntityMatch(_Model):
    """A search hit: the entity, the name that matched and how well."""

    entity: Entity
    matched: str
    score: float


class Stats(_Model):
    """Counts of what the graph holds."""

    entities: int
    sources: int
    claims: int
    disputed_claims: int
    incidents: int = 0
    entities_by_kind: dict[str, int]
    claims_by_type: dict[str, int]
    claims_by_status: dict[str, int]
