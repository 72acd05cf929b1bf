"""The extractor's closed word lists, read from ``lexicon.yaml`` and validated once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from graph.domain.errors import OntologyError

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")


class CorefClass(BaseModel):
    """Phrases that refer back, and the entity kinds they may refer to."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    phrases: list[str]
    kinds: list[str]


class Lexicon(BaseModel):
    """Word lists for speech acts, demonym readings, negation, coreference and page furniture."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    speech_verbs: frozenset[str]
    parse_as: dict[str, str]
    report_nouns: frozenset[str]
    claim_verbs: frozenset[str]
    responsibility_verbs: frozenset[str]
    responsibility_nouns: frozenset[str]
    attribution_verbs: frozenset[str]
    responsibility_type: str
    campaign_type: str
    analyst_nouns: frozenset[str]
    state_nouns: frozenset[str]
    news_nouns: frozenset[str]
    group_nouns: frozenset[str]
    member_nouns: frozenset[str]
    hedges: frozenset[str]
    temporal_verbs: frozenset[str]
    intention_verbs: frozenset[str]
    threat_verbs: frozenset[str]
    frequency_adverbs: frozenset[str]
    intended_type: str
    relational_nouns: frozenset[str]
    branch_words: frozenset[str]
    branch_type: str
    state_voices: frozenset[str]
    quantity_nouns: frozenset[str]
    holding_nouns: frozenset[str]
    security_nouns: frozenset[str]
    blame_types: frozenset[str]
    community_nouns: frozenset[str]
    community_markers: frozenset[str]
    copulas: frozenset[str]
    light_verbs: frozenset[str]
    prepositions: frozenset[str]
    coreference: dict[str, CorefClass]
    event_nouns: frozenset[str]
    official_nouns: frozenset[str]
    name_particles: frozenset[str]
    suffered_participles: frozenset[str]
    ruler_nouns: frozenset[str]
    speech_act_types: frozenset[str]
    accusation_type: str
    furniture: frozenset[str]
    not_names: frozenset[str]
    # actors the registry lacks (``graph.language.extract.actors``)
    armed_nouns: frozenset[str]
    armed_descriptors: frozenset[str]
    armed_heads: frozenset[str]
    group_heads: frozenset[str]
    organization_heads: frozenset[str]
    organization_descriptors: frozenset[str]
    person_heads: frozenset[str]
    armed_name_words: frozenset[str]
    organization_name_words: frozenset[str]
    title_words: frozenset[str]
    state_organ_words: frozenset[str]
    parent_nouns: dict[str, str]
    branch_name_words: dict[str, str]
    branch_default_relation: str
    alias_openers: tuple[str, ...]
    generic_name_words: frozenset[str]
    joining_particles: frozenset[str]
    # once constants in the reader's code (attribution, slots, resolve, propernames, cues, actors, conventions)
    accusing_verbs: frozenset[str]
    holding_verbs: frozenset[str]
    naming_verbs: frozenset[str]
    spokespeople: frozenset[str]
    relative_pronouns: frozenset[str]
    object_control_verbs: frozenset[str]
    target_prepositions: tuple[str, ...]
    put_down_to: dict[str, str]
    pronoun_kinds: dict[str, tuple[str, ...]]
    expletive_verbs: frozenset[str]
    place_nouns: frozenset[str]
    locative_prepositions: tuple[str, ...]
    calendar_words: frozenset[str]
    cue_prepositions: frozenset[str]
    name_connectors: tuple[str, ...]


@lru_cache(maxsize=1)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """The lexicon, read once per process; ``OntologyError`` if it is malformed."""
    try:
        return Lexicon.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise OntologyError(f"extractor lexicon {path} is invalid: {error}") from error
