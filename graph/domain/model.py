"""The shapes that cross module boundaries: entities, sources, claims, subgraphs, paths.

Claims keep the ids of the entities they join; names are for display only, so that a
renamed entity never orphans a claim.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


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
    parent: str | None = None
    parent_relation: str | None = None
    source: str | None = None


class Source(_Model):
    """A report: its metadata and its full text, which every claim's quote is cut from."""

    id: str
    title: str
    outlet: str
    outlet_id: str | None = None
    url: str | None = None
    published: str | None = None
    reliability: Literal["A", "B", "C", "D", "E", "F"] | None = None
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


class Batch(_Model):
    """Everything one load writes, validated as a whole before any of it is written."""

    entities: list[Entity] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)


class UpsertResult(_Model):
    """What a write changed, counted per record type."""

    created: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]


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
    entities_by_kind: dict[str, int]
    claims_by_type: dict[str, int]
    claims_by_status: dict[str, int]
