"""Typos in questions: a word the reader has never seen that is one slip away from exactly one word it knows.

Analysts type fast ("who are the taliban freindly with", "has iran ever attakced isis-k"). The reader's
words are the ontology's own (its definitions, cues and phrasings), English function words and the
registry's names; a word outside them that one deletion, insertion, substitution or swap of neighbours
turns into exactly one of them is read as that word. A word with no such neighbour, or with several, is
left as typed, so a real word the vocabulary lacks is never bent into another one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language

from graph.domain.ontology import Ontology

WORD = re.compile(r"(?<![\w'-])[A-Za-z]+(?![\w'-])")
# Shorter words have too many neighbours one slip away to guess which was meant.
SHORTEST = 4
ALPHABET = "abcdefghijklmnopqrstuvwxyz"
# Endings of English inflections: a word whose stem is known is a word, not a typo.
SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "ly", "est")


def _strings(value: Any) -> Iterator[str]:
    """Every string in a nested structure of dicts and lists (keys too: relation names, kinds, words)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)


def ontology_words(ontology: Ontology) -> frozenset[str]:
    """The words the ontology uses anywhere (definitions, cues, phrasings, lexicon), lower-cased."""
    words = {w.lower() for text in _strings(ontology.model_dump()) for w in re.findall(r"[A-Za-z]+", text)}
    return frozenset(words | {w.lower() for w in STOP_WORDS})


def _neighbours(word: str) -> Iterator[str]:
    """Every string one deletion, swap of neighbours, substitution or insertion away from ``word``."""
    for i in range(len(word) + 1):
        left, right = word[:i], word[i:]
        if right:
            yield left + right[1:]
        if len(right) > 1:
            yield left + right[1] + right[0] + right[2:]
        for letter in ALPHABET:
            if right:
                yield left + letter + right[1:]
            yield left + letter + right


class Speller:
    """Corrects the one-slip typos of a question; built once per reader, shared by every thread (read only).

    ``targets`` are the words a typo may be corrected to (the reader's own); ``english`` the words left as
    typed even though the reader does not know them ("days", "running"), so that only a word that is no
    English word, nor an inflection of one, is taken for a typo. Both are fixed when the speller is built,
    so a question reads the same whatever the pipeline read before it.
    """

    def __init__(self, targets: Iterable[str], english: Iterable[str] = ()) -> None:
        self.targets = frozenset(w.lower() for w in targets)
        self.known = self.targets | frozenset(w.lower() for w in english if w.isalpha())

    def correct(self, text: str) -> str:
        """``text`` with each word outside the vocabulary that is one slip from exactly one known word replaced."""
        return self.corrected(text)[0]

    def corrected(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        """``text`` corrected, and each replacement made (as typed, as read), in order: a reading says what it
        replaced, so that a wrong guess can be seen."""
        replaced: list[tuple[str, str]] = []

        def fix(match: re.Match[str]) -> str:
            typed = match.group(0)
            fixed = self._word(typed)
            if fixed != typed:
                replaced.append((typed, fixed))
            return fixed

        return WORD.sub(fix, text), replaced

    def _is_word(self, lower: str) -> bool:
        """Known as it is, or as an inflection of a known word ("days", "running", "bombed", "backers")."""
        if lower in self.known:
            return True
        for suffix in SUFFIXES:
            if lower.endswith(suffix) and len(lower) > len(suffix) + 1:
                stem = lower[:-len(suffix)]
                doubled = len(stem) > 2 and stem[-1] == stem[-2]
                if stem in self.known or stem + "e" in self.known or (doubled and stem[:-1] in self.known) \
                        or (stem.endswith("i") and stem[:-1] + "y" in self.known):
                    return True
        return False

    def _word(self, typed: str) -> str:
        lower = typed.lower()
        if len(lower) < SHORTEST or typed.isupper() or self._is_word(lower):
            return typed  # short, known, or an acronym ("TTP", "ISKP"): as typed
        candidates = {n for n in _neighbours(lower) if n in self.targets and len(n) >= SHORTEST - 1}
        if len(candidates) != 1:
            return typed
        (fixed,) = candidates
        return fixed.capitalize() if typed[0].isupper() else fixed


def english_words(nlp: Language) -> frozenset[str]:
    """The pipeline's own word lists: its lemmatizer's lemmas and exceptions and its tokenizer's special cases
    ("whats", "dont"). Fixed by the model, unlike its string store, which grows with what it has read."""
    words: set[str] = set(nlp.tokenizer.rules or {}) if hasattr(nlp.tokenizer, "rules") else set()
    if "lemmatizer" in nlp.pipe_names:
        lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
        for name in ("lemma_index", "lemma_exc"):
            if lookups is not None and lookups.has_table(name):
                table = lookups.get_table(name)
                for key in table:
                    entries = table[key]
                    words.update(entries if isinstance(entries, list) else entries.keys())
    return frozenset(w.lower() for w in words if isinstance(w, str))


def speller(ontology: Ontology, names: Iterable[str], english: Iterable[str] = ()) -> Speller:
    """A speller to the ontology's words. The words of the registry's names and ``english`` (the pipeline's
    word lists) are left alone; a misspelt name is not corrected here but by the name finder, which says
    that it read a close name."""
    name_words = {w.lower() for name in names for w in re.findall(r"[A-Za-z]+", name)}
    return Speller(ontology_words(ontology), [*english, *name_words])
