"""The vocabulary the graph may speak, read from ``ontology.yaml`` and validated on load.

Every other module (loader, stores, CLI, later the API schema, Browser style and question
parser) asks this object; no code lists relation types or kinds on its own, so adding a
relation type is a change to the YAML file only.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from graph.domain.errors import InvalidParameter, OntologyError
from graph.domain.yamlio import read_yaml

DEFAULT_PATH = Path(__file__).with_name("ontology.yaml")
_TYPE_NAME = re.compile(r"^[A-Z][A-Z_]*[A-Z]$")
_LABEL = re.compile(r"^[A-Z][A-Za-z]*$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_INCIDENT_TYPE = re.compile(r"^[a-z]+(?:_[a-z]+)*$")
_EVENT_WORD = re.compile(r"^[a-z0-9][a-z0-9'\-]*(?: [a-z0-9][a-z0-9'\-]*)*$")
_CUE = re.compile(r"^(?:\*|[a-z0-9'\-]+\*?)(?: (?:\*|[a-z0-9'\-]+\*?))*$")

Direction = Literal["out", "in", "both"]
# The tie that follows every relation type (the others are named in the YAML's ``ties``).
ANY_TIE = "any"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StixMapping(_Strict):
    """How entities of a kind are written in a STIX 2.1 bundle, in STIX's own vocabularies."""

    type: Literal["threat-actor", "identity", "x-kg-place"]
    identity_class: str | None = None
    sectors: list[str] = Field(default_factory=list)
    threat_actor_types: list[str] = Field(default_factory=list)


class EntityKind(_Strict):
    """A kind of entity, with the Neo4j label it gets besides ``:Entity`` and its STIX form."""

    label: str
    colour: str
    description: str
    stix: StixMapping | None = None


class Status(_Strict):
    """How a claim is held: who says it and with what standing."""

    description: str
    denial_only: bool = False


class Phrasings(_Strict):
    """How people ask about a relation: with the entity as subject, as object, or at either end."""

    forward: list[str]
    backward: list[str] = Field(default_factory=list)
    either: list[str] = Field(default_factory=list)


class CategoryQuestions(Phrasings):
    """How people ask about a category, and which of its types such a question means (all if none listed)."""

    types: list[str] = Field(default_factory=list)


class Cues(_Strict):
    """Words and phrases that signal a relation in text, for the extractor.

    A cue is lowercase words separated by spaces; a word ending in ``*`` matches any word it
    begins, and a lone ``*`` any one word. With an ``active`` cue the subject comes before it
    ("IS-K attacked Tajikistan"); with a ``passive`` cue the subject comes after it ("attacked
    by IS-K"). ``reactive`` cues answer something an opening clause may name ("After TTP
    attacks, Islamabad retaliated": the TTP is the object). ``mutual`` cues name an exchange in
    which each side does it to the other ("exchanged fire with"): a claim each way.
    """

    active: list[str] = Field(default_factory=list)
    passive: list[str] = Field(default_factory=list)
    mutual: list[str] = Field(default_factory=list)
    reactive: bool = False


class AcledCoding(_Strict):
    """The ACLED event type and sub-event type an incident type is exported as (ACLED's codebook names)."""

    event_type: str
    sub_event_type: str


class IncidentType(_Strict):
    """A kind of incident: its definition, the event words that signal it, and its ACLED coding.

    ``verbs`` are lemmas ("blow himself up"), ``nouns`` singular forms ("suicide bomber"); each is lowercase words
    separated by spaces. ``broader`` names the type this one refines (a suicide bombing is a bombing), so a reader
    that meets words of both takes the narrower; the ``fallback`` type is the one a generic word ("attack") gives.
    """

    name: str = ""
    label: str
    definition: str
    verbs: list[str] = Field(default_factory=list)
    nouns: list[str] = Field(default_factory=list)
    broader: str | None = None
    fallback: bool = False
    acled: AcledCoding


class LocationPrecision(_Strict):
    """How precisely an incident's place is known, with ACLED's ``geo_precision`` code for it."""

    description: str
    geo_precision: Literal[1, 2, 3]


class RelationType(_Strict):
    """One relation type: its meaning, direction and which kinds it may join."""

    name: str = ""
    meaning: str
    definition: str
    category: str
    symmetric: bool
    subject_kinds: list[str]
    object_kinds: list[str]
    statuses: list[str] | None = None
    denial: bool = False
    parent: bool = False  # may join an entity to its parent group in the registry (Entity.parent_relation)
    cues: Cues = Field(default_factory=Cues)
    phrasings: Phrasings


class QuestionLexicon(_Strict):
    """The words the question reader knows beyond the phrasings, as lemmas (see ``ontology.yaml``)."""

    lemmas: dict[str, str] = Field(default_factory=dict)
    light: list[str] = Field(default_factory=list)
    fillers: list[str] = Field(default_factory=list)
    pair: list[str] = Field(default_factory=list)
    connection: list[str] = Field(default_factory=list)
    profile: list[str] = Field(default_factory=list)
    events: list[str] = Field(default_factory=list)
    assertions: list[str] = Field(default_factory=list)
    denials: list[str] = Field(default_factory=list)
    responsibility: list[str] = Field(default_factory=list)
    at_place: list[str] = Field(default_factory=list)
    claim_words: list[str] = Field(default_factory=list)
    unanswerable: list[str] = Field(default_factory=list)
    hypothetical: list[str] = Field(default_factory=list)
    negations: list[str] = Field(default_factory=list)
    attacks: dict[str, str] = Field(default_factory=dict)
    attackers: dict[str, str] = Field(default_factory=dict)
    descriptors: list[str] = Field(default_factory=list)
    counted: dict[str, Literal["claims", "incidents"]] = Field(default_factory=dict)
    casualties: dict[str, Literal["killed", "injured"]] = Field(default_factory=dict)
    victims: list[str] = Field(default_factory=list)
    sites: list[str] = Field(default_factory=list)
    voices: list[str] = Field(default_factory=list)
    within: str | None = None
    kinds: dict[str, list[str]] = Field(default_factory=dict)
    not_names: list[str] = Field(default_factory=list)


class Questions(_Strict):
    """How plain-English questions are read: phrasings beyond the relation types', and the vocabulary.

    Kept here as data so that a new synonym, word or phrasing is a change to the YAML file only;
    ``graph.language.ask`` reads nothing else.
    """

    categories: dict[str, CategoryQuestions] = Field(default_factory=dict)
    connection: list[str] = Field(default_factory=list)
    pair: list[str] = Field(default_factory=list)
    profile: list[str] = Field(default_factory=list)
    status: list[str] = Field(default_factory=list)
    events: list[str] = Field(default_factory=list)
    incident: list[str] = Field(default_factory=list)
    assertions: list[str] = Field(default_factory=list)
    denials: list[str] = Field(default_factory=list)
    counts: list[str] = Field(default_factory=list)
    yes_no: list[str] = Field(default_factory=list)
    status_words: dict[str, str] = Field(default_factory=dict)
    synonyms: dict[str, str] = Field(default_factory=dict)
    lexicon: QuestionLexicon = Field(default_factory=QuestionLexicon)


class Ontology(_Strict):
    """Entity kinds, statuses, incident types, location precisions and relation types, cross-checked when built."""

    version: int
    categories: dict[str, str]
    category_colours: dict[str, str]
    ties: dict[str, list[str]] = Field(default_factory=dict)
    entity_kinds: dict[str, EntityKind]
    location_kinds: list[str]
    statuses: dict[str, Status]
    incident_types: dict[str, IncidentType] = Field(default_factory=dict)
    incident_colours: dict[str, str] = Field(default_factory=dict)
    location_precisions: dict[str, LocationPrecision] = Field(default_factory=dict)
    relation_types: dict[str, RelationType]
    questions: Questions = Field(default_factory=Questions)

    @model_validator(mode="before")
    @classmethod
    def _name_types(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            for section in ("relation_types", "incident_types"):
                if isinstance(data.get(section), dict):
                    data[section] = {
                        name: {**spec, "name": name} if isinstance(spec, dict) else spec
                        for name, spec in data[section].items()
                    }
        return data

    @model_validator(mode="after")
    def _cross_check(self) -> Ontology:
        problems: list[str] = []
        for kind, spec in self.entity_kinds.items():
            if not _LABEL.match(spec.label):
                problems.append(f"entity kind {kind}: label {spec.label!r} is not a PascalCase Neo4j label")
            if not _COLOUR.match(spec.colour):
                problems.append(f"entity kind {kind}: colour {spec.colour!r} is not #RRGGBB")
        for category in self.categories:
            colour = self.category_colours.get(category)
            if colour is None or not _COLOUR.match(colour):
                problems.append(f"category {category}: colour {colour!r} is missing or not #RRGGBB")
        for category in self.category_colours:
            if category not in self.categories:
                problems.append(f"category_colours names undefined category {category!r}")
        for tie, categories in self.ties.items():
            if tie == ANY_TIE:
                problems.append(f"ties: {ANY_TIE!r} means every relation type and cannot be defined")
            if not categories:
                problems.append(f"ties.{tie} names no category")
            for category in categories:
                if category not in self.categories:
                    problems.append(f"ties.{tie} names undefined category {category!r}")
        for kind in self.location_kinds:
            if kind not in self.entity_kinds:
                problems.append(f"location_kinds names undefined entity kind {kind!r}")
        denials = [t.name for t in self.relation_types.values() if t.denial]
        if len(denials) > 1:
            problems.append(f"more than one denial relation type: {', '.join(denials)}")
        for name, rel in self.relation_types.items():
            where = f"relation type {name}"
            if not _TYPE_NAME.match(name):
                problems.append(f"{where}: name must be UPPER_SNAKE_CASE")
            if rel.category not in self.categories:
                problems.append(f"{where}: undefined category {rel.category!r}")
            for role, kinds in (("subject_kinds", rel.subject_kinds), ("object_kinds", rel.object_kinds)):
                if not kinds:
                    problems.append(f"{where}: {role} is empty")
                for kind in kinds:
                    if kind not in self.entity_kinds:
                        problems.append(f"{where}: {role} names undefined entity kind {kind!r}")
            for status in rel.statuses or []:
                if status not in self.statuses:
                    problems.append(f"{where}: statuses names undefined status {status!r}")
            if rel.parent and rel.symmetric:
                problems.append(f"{where}: a parent relation runs from an entity to its parent; it cannot be symmetric")
            if rel.symmetric and rel.phrasings.backward:
                problems.append(f"{where}: a symmetric type reads the same both ways; give forward phrasings only")
            if not rel.symmetric and not rel.phrasings.backward:
                problems.append(f"{where}: backward phrasings are missing")
            for voice, cues in (("active", rel.cues.active), ("passive", rel.cues.passive)):
                for cue in cues:
                    if not _CUE.match(cue) or cue.startswith("* ") or cue.endswith(" *") or cue == "*":
                        problems.append(f"{where}: {voice} cue {cue!r} must be lowercase words, "
                                        "a word may end in * and a lone * may stand between words")
                if len(cues) != len(set(cues)):
                    problems.append(f"{where}: {voice} cues repeat a cue")
            if rel.symmetric and rel.phrasings.either:
                problems.append(f"{where}: a symmetric type reads the same both ways; give forward phrasings only")
            for phrase in [*rel.phrasings.forward, *rel.phrasings.backward, *rel.phrasings.either]:
                if phrase.count("{x}") != 1:
                    problems.append(f"{where}: phrasing {phrase!r} must contain {{x}} exactly once")
        problems.extend(self._incident_problems())
        problems.extend(self._question_problems())
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _incident_problems(self) -> list[str]:
        """Incident types: snake_case names, words in the cue grammar and each under one type only, a ``broader``
        chain that ends, one fallback type, and a colour for each (a map point without one could not be told
        apart)."""
        problems: list[str] = []
        owners: dict[tuple[str, str], str] = {}
        for name, spec in self.incident_types.items():
            where = f"incident type {name}"
            if not _INCIDENT_TYPE.match(name):
                problems.append(f"{where}: name must be lower_snake_case")
            if not spec.verbs and not spec.nouns:
                problems.append(f"{where}: give at least one verb or noun that signals it")
            for part, words in (("verbs", spec.verbs), ("nouns", spec.nouns)):
                for word in words:
                    if not _EVENT_WORD.match(word):
                        problems.append(f"{where}: {part} entry {word!r} must be lowercase words separated by spaces")
                    owner = owners.setdefault((part, word), name)
                    if owner != name:
                        problems.append(f"{where}: {part} entry {word!r} already signals {owner}")
            seen = {name}
            broader = spec.broader
            while broader is not None:
                if broader not in self.incident_types:
                    problems.append(f"{where}: broader names undefined incident type {broader!r}")
                    break
                if broader in seen:
                    problems.append(f"{where}: broader types form a cycle through {broader!r}")
                    break
                seen.add(broader)
                broader = self.incident_types[broader].broader
        for name in self.incident_types:
            colour = self.incident_colours.get(name)
            if colour is None or not _COLOUR.match(colour):
                problems.append(f"incident type {name}: colour {colour!r} in incident_colours is missing or not "
                                "#RRGGBB")
        for name in self.incident_colours:
            if name not in self.incident_types:
                problems.append(f"incident_colours names undefined incident type {name!r}")
        fallbacks = [name for name, spec in self.incident_types.items() if spec.fallback]
        if self.incident_types and len(fallbacks) != 1:
            problems.append(f"incident_types: exactly one type must be the fallback, not {len(fallbacks)} "
                            f"({', '.join(fallbacks) or 'none'})")
        return problems

    def _question_problems(self) -> list[str]:
        """Slots every question phrasing must hold, and words that must name something defined."""
        asked = self.questions
        problems: list[str] = []
        slotted: list[tuple[str, str, tuple[str, ...]]] = [
            *((f"questions.categories.{c}", p, ("{x}",)) for c, ph in asked.categories.items()
              for p in [*ph.forward, *ph.backward, *ph.either]),
            *(("questions.connection", p, ("{x}", "{y}")) for p in asked.connection),
            *(("questions.pair", p, ("{x}", "{y}")) for p in asked.pair),
            *(("questions.profile", p, ("{x}",)) for p in asked.profile),
            *(("questions.status", p, ("{x}", "{status}")) for p in asked.status),
            *(("questions.events", p, ("{x}",)) for p in asked.events),
            *(("questions.incident", p, ("{x}",)) for p in asked.incident),
            *(("questions.denials", p, ("{x}",)) for p in asked.denials),
            *(("questions.counts", p, ("{x}",)) for p in asked.counts),
            *(("questions.yes_no", p, ("{x}", "{y}")) for p in asked.yes_no),
        ]
        for where, phrase, slots in slotted:
            found = tuple(sorted(re.findall(r"\{[a-z]+\}", phrase)))
            if found != tuple(sorted(slots)):
                problems.append(f"{where}: phrasing {phrase!r} must hold {' and '.join(slots)} once each")
        for category, spec in asked.categories.items():
            if category not in self.categories:
                problems.append(f"questions.categories names undefined category {category!r}")
            for name in spec.types:
                rel = self.relation_types.get(name)
                if rel is None or rel.category != category:
                    problems.append(f"questions.categories.{category}.types: {name!r} is no {category} relation type")
        for word, status in asked.status_words.items():
            if status not in ("disputed", "undisputed") and status not in self.statuses:
                problems.append(f"questions.status_words: {word!r} names undefined status {status!r}")
        for phrase in asked.assertions:
            if "{x}" not in phrase:
                problems.append(f"questions.assertions: phrasing {phrase!r} must hold {{x}}")
        lexicon = asked.lexicon
        for field, words in (("attacks", lexicon.attacks), ("attackers", lexicon.attackers)):
            for word, name in words.items():
                if name not in self.relation_types:
                    problems.append(f"questions.lexicon.{field}: {word!r} names undefined relation type {name!r}")
        if lexicon.within is not None and lexicon.within not in self.relation_types:
            problems.append(f"questions.lexicon.within names undefined relation type {lexicon.within!r}")
        for kind in lexicon.kinds:
            if kind not in self.entity_kinds:
                problems.append(f"questions.lexicon.kinds names undefined entity kind {kind!r}")
        return problems

    # --- questions the rest of the code asks -------------------------------------------

    def relation(self, name: str) -> RelationType:
        """The relation type called ``name`` (case-insensitive), or ``InvalidParameter``."""
        rel = self.relation_types.get(name.strip().upper())
        if rel is None:
            raise InvalidParameter("type", name, "unknown relation type", sorted(self.relation_types))
        return rel

    def tie_types(self, tie: str) -> list[str] | None:
        """The relation types a tie (``hostile``, ``friendly``: see ``ties`` in the YAML) follows; ``None`` for
        ``any``. ``InvalidParameter`` names the ties there are."""
        key = tie.strip().lower()
        if key == ANY_TIE:
            return None
        if key not in self.ties:
            raise InvalidParameter("ties", tie, "unknown tie", [*sorted(self.ties), ANY_TIE])
        return [t.name for t in self.relation_types.values() if t.category in self.ties[key]]

    def expand_types(self, names: list[str] | None) -> list[str] | None:
        """Relation type names from names or category names (``hostile``); None means all."""
        if not names:
            return None
        expanded: list[str] = []
        for name in names:
            key = name.strip()
            if key.lower() in self.categories:
                members = [t.name for t in self.relation_types.values() if t.category == key.lower()]
            elif key.upper() in self.relation_types:
                members = [key.upper()]
            else:
                raise InvalidParameter(
                    "types", name, "neither a relation type nor a category",
                    sorted(self.relation_types) + sorted(self.categories),
                )
            expanded.extend(m for m in members if m not in expanded)
        return expanded

    def check_status(self, status: str) -> str:
        """``status`` if the ontology defines it, else ``InvalidParameter``."""
        if status not in self.statuses:
            raise InvalidParameter("status", status, "unknown claim status", list(self.statuses))
        return status

    def incident_type(self, name: str) -> IncidentType:
        """The incident type called ``name`` (case and spaces forgiven: "Suicide bombing"), or ``InvalidParameter``."""
        key = re.sub(r"[\s-]+", "_", name.strip().lower())
        spec = self.incident_types.get(key)
        if spec is None:
            raise InvalidParameter("type", name, "unknown incident type", sorted(self.incident_types))
        return spec

    def check_basis(self, basis: str) -> str:
        """``basis`` if it is a claim status (who says a perpetrator did it, and how), else ``InvalidParameter``."""
        if basis not in self.statuses:
            raise InvalidParameter("basis", basis, "unknown basis", list(self.statuses))
        return basis

    @property
    def parent_relations(self) -> list[str]:
        """The relation types an entity may name its parent group by (those marked ``parent: true``)."""
        return [t.name for t in self.relation_types.values() if t.parent]

    @property
    def denial_type(self) -> str | None:
        """Name of the relation type whose claims deny other claims."""
        return next((t.name for t in self.relation_types.values() if t.denial), None)


def parse_ontology(data: Any, *, origin: str = "ontology") -> Ontology:
    """Validate already-parsed ontology data; ``OntologyError`` lists everything wrong."""
    try:
        return Ontology.model_validate(data)
    except ValidationError as error:
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg'].removeprefix('Value error, ')}"
            for e in error.errors()
        )
        raise OntologyError(f"{origin} is invalid: {reasons}") from error


def read_ontology(path: Path) -> Ontology:
    """Read and validate an ontology file."""
    try:
        data = read_yaml(path)
    except (OSError, yaml.YAMLError) as error:
        raise OntologyError(f"cannot read ontology {path}: {error}") from error
    return parse_ontology(data, origin=str(path))


@lru_cache(maxsize=1)
def load_ontology() -> Ontology:
    """The project's ontology, read once per process."""
    return read_ontology(DEFAULT_PATH)
