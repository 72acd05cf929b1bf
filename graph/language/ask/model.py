"""The shapes of a question read and answered, shared by ``kg ask --json``, ``GET /v1/ask`` and the web explorer.

``AskQuery`` is what a question was read as: flat fields only, so that the API accepts it back as
query parameters (``GET /v1/ask/query``) and runs it again without reading any English.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from graph.domain.model import ClaimOut, Hop, IncidentOut

Shape = Literal["relation", "category", "chain", "pair", "connection", "profile", "status", "events", "incident",
                "assertions", "denials"]
SHAPES: tuple[Shape, ...] = ("relation", "category", "chain", "pair", "connection", "profile", "status", "events",
                             "incident", "assertions", "denials")
Form = Literal["list", "yes_no", "count"]
CountOf = Literal["claims", "incidents", "entities", "killed", "injured"]
Direction = Literal["out", "in", "both"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class AskQuery(_Model):
    """The structured query a question was read as; ``GET /v1/ask/query`` runs it again as is.

    Entity fields hold ids. ``direction`` says which end the named entity is on: ``out`` as the
    subject (the answers are the objects), ``in`` as the object, ``both`` either.
    """

    shape: Shape = Field(description="relation (a type), category (every type of a category), chain (an entity "
                                     "reached through a relation), pair (every claim between two entities), "
                                     "connection (paths), profile, status, events (at a place or in a period), "
                                     "incident (an attack named by place, date or target), assertions (claims by "
                                     "who asserts them), denials (denials and what they deny).")
    form: Form = Field("list", description="list the answers, answer yes or no, or count.")
    count_of: CountOf | None = Field(None, description="What a count counts: claims, incidents (claims of one "
                                                       "incident count once), entities, or the people killed or "
                                                       "injured (added up from the incidents' figures as stated).")
    relation: str | None = Field(None, description="The relation type or category asked about.")
    types: list[str] = Field(default_factory=list, description="The relation types queried (none: every type).")
    direction: Direction = "both"
    subject: str | None = Field(None, description="Entity at the subject end.")
    object: str | None = Field(None, description="Entity at the object end.")
    place: str | None = Field(None, description="Where it happened: a claim's location, or the place an attack hit.")
    gazetteer: str | None = Field(None, description="Where it happened, as a gazetteer key, for a place the graph "
                                                     "has no entity for (Kabul the city, where the name 'Kabul' "
                                                     "stands for a government): incidents only.")
    target: str | None = Field(None, description="A target described rather than named (\"police\", \"mosque\"): "
                                                  "incidents whose described targets say it.")
    asserted_by: str | None = Field(None, description="Who asserts the claims (an analyst, an outlet, a state).")
    since: str | None = Field(None, description="Happened on or after (YYYY, YYYY-MM or YYYY-MM-DD).")
    until: str | None = Field(None, description="Happened on or before.")
    statuses: list[str] = Field(default_factory=list, description="Claim statuses (none: any).")
    disputed: bool | None = Field(None, description="Only claims a denial disputes (true) or none does (false).")
    kinds: list[str] = Field(default_factory=list, description="Kinds the answering entities must be (none: any).")
    via: str | None = Field(None, description="Chain: the entity the chain starts from.")
    via_types: list[str] = Field(default_factory=list, description="Chain: the relation types from `via` to the "
                                                                   "entities the main relation starts from.")
    via_direction: Direction = Field("both", description="Chain: which end `via` is on in its step.")
    via_kinds: list[str] = Field(default_factory=list, description="Chain: kinds the reached entities must be.")
    about_others: bool = Field(False, description="Assertions: only those about others, not about the asserter "
                                                   "itself (its claims of its own acts).")
    incidents: bool = Field(False, description="Also cite every claim of the incidents the claims found belong to "
                                               "(what an accusation or a probe is about).")


class Mention(_Model):
    """A name found in the question and the entity it stands for."""

    text: str
    id: str
    name: str
    kind: str
    role: str = Field(description="How the reading uses it: subject, object, either, place, asserted_by, via.")
    close: bool = Field(False, description="The registry has no such name: the clearly closest one was read.")


class Reading(_Model):
    """How the question was read, word by word: what it asks, the predicate, the names and the time."""

    asks: str = Field(description="What the question asks for: who, what, which kind, where, when, how many, "
                                  "yes/no.")
    predicate: str | None = Field(None, description="The word that named the relation, by its lemma.")
    mentions: list[Mention] = Field(default_factory=list)
    time: str | None = Field(None, description="The time expression, as written.")
    notes: list[str] = Field(default_factory=list, description="What the reader assumed: a misspelt name read as "
                                                               "the closest one, a word read as another ('provke' "
                                                               "read as 'provoke'), a date read as a window.")
    confidence: float = Field(1.0, ge=0, le=1, description="How sure the reading is: 1 when every word was read as "
                                                            "typed, less for each word or name read as another and "
                                                            "for a relation word with several senses; below "
                                                            "graph.language.ask.parse.REFUSE_BELOW it refuses.")
    reader: str = Field("shapes", description="Which reader read it: `shapes` (the shape functions, each written "
                                              "for a family of phrasings) or `trained <version>` (the trained "
                                              "intent-and-slot model, graph/language/ask/intent.json.gz).")


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


class AnswerCount(_Model):
    """A count, what it counts, and the claims counted."""

    value: int
    of: CountOf
    claims: int = Field(description="How many claims were counted (incidents and entities group them).")


class ReportCount(_Model):
    """A report and how many of an entity's claims cite it."""

    id: str
    claims: int


class EntityCoverage(_Model):
    """What the graph holds about one entity a question names: the bounds of any answer about it."""

    id: str
    name: str
    claims: int = Field(description="Claims with the entity at either end.")
    reports: int = Field(description="Reports those claims cite.")
    first: str | None = Field(None, description="The earliest date those claims give (none: no claim is dated).")
    last: str | None = Field(None, description="The latest date those claims give.")
    top: list[ReportCount] = Field(default_factory=list, description="The reports citing most of them.")


class AnswerCoverage(_Model):
    """For an empty or thin answer: what the graph covers of the entities asked about, so that nothing found reads
    as nothing in the reports loaded, not as nothing in the world."""

    entities: list[EntityCoverage]
    note: str = Field(description="The coverage in one sentence, ending with what absence in the graph means.")


class AnswerCasualties(_Model):
    """How many were killed or injured: the range the incidents' figures add up to, as stated ("more than 50" and
    "61" add up to at least 112)."""

    of: Literal["killed", "injured"]
    min: int = Field(description="The lowest total the figures allow.")
    max: int | None = Field(None, description="The highest total the figures allow (none: open, as when a figure "
                                              "is 'at least' or an incident states none).")
    incidents: int = Field(description="The incidents added up.")
    unstated: list[str] = Field(default_factory=list, description="Ids of the incidents that state no figure "
                                                                  "(unknown, not 0).")


class Answer(_Model):
    """A question's answer: the entities, the claims behind them, paths, groups, a yes/no or a count, and how
    the question was read."""

    question: str | None = Field(None, description="The question as asked (none when a structured query was run).")
    answers: list[AnswerEntity]
    claims: list[ClaimOut]
    paths: list[AnswerPath] = Field(default_factory=list)
    groups: dict[str, list[str]] = Field(
        default_factory=dict, description="Claim ids by relation type (pairs, profiles, statuses, events).")
    verdict: Literal["yes", "no"] | None = Field(
        None, description="For a yes/no question: yes when some claim says so (the claims), else no.")
    nearest: list[ClaimOut] = Field(
        default_factory=list, description="For a 'no': the nearest claims the graph does hold (not evidence for the "
                                          "answer, so not in `claims`).")
    count: AnswerCount | None = None
    coverage: AnswerCoverage | None = Field(
        None, description="For an empty or thin answer: the claims, reports and dates the graph holds about the "
                          "entities asked about (none when the answer is not thin or names no entity).")
    casualties: AnswerCasualties | None = Field(None, description="For 'how many were killed (injured)': the range "
                                                                  "the incidents' figures add up to; `count` is its "
                                                                  "lowest total.")
    incidents: list[IncidentOut] = Field(default_factory=list, description=(
        "Questions of what happened where and when, of who did an attack and how many were killed: the incidents "
        "that answer, read by the store's incident filters, each with its reports and quotes, its casualty figures as "
        "stated and its contradictions (figures that differ, a perpetrator claimed and denied) side by side."))
    reading: Reading | None = Field(None, description="How the question was read (none for a structured query).")
    query: AskQuery
    explanation: str
