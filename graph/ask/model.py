"""The shape of an answer, shared by ``kg ask --json``, ``GET /v1/ask`` and the web explorer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from graph.model import ClaimOut, Hop


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class AnswerEntity(_Model):
    """An entity that answers the question, with the ids of the claims that make it one."""

    id: str
    name: str
    kind: str
    claims: list[str] = Field(description="Ids of the claims behind this answer, in the answer's `claims`.")


class AnswerPath(_Model):
    """One path between the two entities of a connection question, as ``GET /v1/paths`` gives it."""

    length: int
    nodes: list[str]
    hops: list[Hop]


class AskQuery(_Model):
    """The structured query a question was read as, so a dashboard can run it again."""

    shape: Literal["relation", "category", "connection", "profile", "status"]
    phrasing: str = Field(description="The ontology phrasing the question matched, with its slots.")
    score: float = Field(description="How closely the question matched it (1.0: exactly, after normalisation).")
    relation: str | None = Field(None, description="The relation type or category asked about.")
    types: list[str] = Field(default_factory=list, description="The relation types queried.")
    direction: Literal["out", "in", "both"] = "both"
    subject: str | None = None
    object: str | None = None
    since: str | None = None
    until: str | None = None
    statuses: list[str] = Field(default_factory=list)
    disputed: bool | None = None
    endpoint: str = Field(description="The equivalent /v1 request.")
    endpoints: list[str] = Field(description="Every /v1 request the answer combines (one for most shapes).")


class Answer(_Model):
    """A question's answer: the entities, the claims behind them, paths for connections, and how it was read."""

    question: str
    answers: list[AnswerEntity]
    claims: list[ClaimOut]
    paths: list[AnswerPath] = Field(default_factory=list)
    groups: dict[str, list[str]] = Field(
        default_factory=dict, description="Claim ids by relation type (profiles and status questions).")
    query: AskQuery
    explanation: str
