"""The incident reader's closed word lists, read from ``words.yaml`` and validated once.

Kept apart from the claim extractor's lexicon (``graph.language.extract.lexicon``) so that the two readers change
without touching each other's lists; the incident reader reads the extractor's lexicon only for what it shares
with it (speech verbs, the nouns of officials and analysts).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from graph.domain.errors import OntologyError

WORDS_PATH = Path(__file__).with_name("words.yaml")


class IncidentWords(BaseModel):
    """Word lists for event words, casualty figures, targets, claims, blame and denial (see ``words.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    weak_words: frozenset[str]
    type_precedence: tuple[str, ...]
    confusable_types: tuple[tuple[str, str], ...]
    other_event_words: frozenset[str]
    unreal_words: frozenset[str]
    killed_verbs: frozenset[str]
    injured_verbs: frozenset[str]
    abducted_verbs: frozenset[str]
    killed_words: frozenset[str]
    injured_words: frozenset[str]
    abducted_words: frozenset[str]
    toll_words: frozenset[str]
    attacker_nouns: frozenset[str]
    fighter_nouns: frozenset[str]
    numbers: dict[str, int]
    quantities: dict[str, int]
    min_words: tuple[str, ...]
    above_words: tuple[str, ...]
    max_words: tuple[str, ...]
    below_words: tuple[str, ...]
    about_words: tuple[str, ...]
    target_nouns: frozenset[str]
    target_modifiers: frozenset[str]
    claim_verbs: frozenset[str]
    responsibility_verbs: frozenset[str]
    responsibility_nouns: frozenset[str]
    blame_verbs: frozenset[str]
    sponsor_words: frozenset[str]
    denial_verbs: frozenset[str]
    denial_nouns: frozenset[str]
    denied_part_words: frozenset[str]
    happened_words: frozenset[str]

    @model_validator(mode="after")
    def _lowercase(self) -> IncidentWords:
        for name, value in self:
            words = value if isinstance(value, frozenset | tuple) else ()
            for word in words:
                if isinstance(word, str) and word != word.lower():
                    raise ValueError(f"{name}: {word!r} must be lowercase")
        return self


@lru_cache(maxsize=1)
def load_words(path: Path = WORDS_PATH) -> IncidentWords:
    """The word lists, read once per process; ``OntologyError`` if the file is malformed."""
    try:
        return IncidentWords.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise OntologyError(f"incident reader words {path} are invalid: {error}") from error
