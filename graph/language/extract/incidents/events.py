"""Event words in parsed sentences: the ontology's ``incident_types`` verbs and nouns, each signalling one type.

A verb entry is its lemma and what follows it ("blow himself up", "open fire", "fire rockets"): the words after the
first may have up to three others between them ("fired two rockets", "set the market ablaze"). A noun entry is
matched word by word in the singular or plural ("suicide bombers", "air strikes", "air-strikes"). Longer entries
win over shorter ones on the same words, so "suicide bomber" is one suicide-bombing word, not a bomber.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from spacy.tokens import Span, Token

from graph.domain.ontology import Ontology

Part = Literal["verb", "noun"]
_SKIP = 3  # words a verb entry's later words may have between them


@dataclass(frozen=True)
class EventWord:
    """An event word found in a sentence: its tokens, the type it signals, and its head token (the verb, or the
    last word of a noun)."""

    start: int
    end: int
    type: str
    part: Part
    words: str
    head: Token
    weak: bool

    @property
    def plural(self) -> bool:
        """A noun in the plural ("attacks"): many events, or one told as many."""
        return self.part == "noun" and self.head.tag_ in ("NNS", "NNPS")


@dataclass(frozen=True)
class _Entry:
    words: tuple[str, ...]
    type: str
    part: Part
    weak: bool


def _forms(word: str) -> set[str]:
    """A noun's singular and plural spellings."""
    if word.endswith(("s", "x", "ch", "sh")):
        return {word, word + "es"}
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return {word, word[:-1] + "ies"}
    return {word, word + "s"}


class EventWords:
    """Finds the ontology's event words in sentences (built once per extractor)."""

    def __init__(self, ontology: Ontology, weak: Iterable[str]) -> None:
        weak_words = frozenset(weak)
        self._by_first: dict[str, list[_Entry]] = {}
        for name, spec in ontology.incident_types.items():
            for part, entries in (("verb", spec.verbs), ("noun", spec.nouns)):
                for entry in entries:
                    split = tuple(entry.split(" "))
                    item = _Entry(split, name, part, entry in weak_words)  # type: ignore[arg-type]
                    self._by_first.setdefault(split[0], []).append(item)
        for listed in self._by_first.values():
            listed.sort(key=lambda e: -len(e.words))

    def find(self, span: Span) -> list[EventWord]:
        """The event words of a sentence, longest first where they overlap, in text order."""
        found: list[EventWord] = []
        taken: set[int] = set()
        tokens = list(span)
        candidates: list[tuple[int, int, _Entry, list[int]]] = []
        for position, token in enumerate(tokens):
            keys = {token.lower_, token.lemma_.lower()}
            for key in keys:
                for entry in self._by_first.get(key, []):
                    matched = self._match(tokens, position, entry)
                    if matched is not None:
                        candidates.append((len(entry.words), -position, entry, matched))
        for _, _, entry, matched in sorted(candidates, key=lambda c: (-c[0], -c[1])):
            if taken & set(matched):
                continue
            taken |= set(matched)
            head = tokens[matched[0]] if entry.part == "verb" else tokens[matched[-1]]
            found.append(EventWord(tokens[matched[0]].i, tokens[matched[-1]].i + 1, entry.type, entry.part,
                                   " ".join(entry.words), head, entry.weak))
        return sorted(found, key=lambda w: w.start)

    @staticmethod
    def _fits(token: Token, word: str, part: Part, first: bool) -> bool:
        lower, lemma = token.lower_, token.lemma_.lower()
        if part == "verb" and first:
            return lemma == word and (token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB"))
        if part == "noun":
            if lower not in _forms(word) and lemma != word:
                return False
            return not first or token.pos_ in ("NOUN", "PROPN", "ADJ", "VERB") or len(word) > 3
        return word in (lower, lemma) or lower in _forms(word)

    def _match(self, tokens: list[Token], position: int, entry: _Entry) -> list[int] | None:
        if not self._fits(tokens[position], entry.words[0], entry.part, True):
            return None
        matched = [position]
        at = position
        for word in entry.words[1:]:
            reach = _SKIP if entry.part == "verb" else 1
            nxt = None
            for step in range(1, reach + 2):
                if at + step >= len(tokens):
                    break
                candidate = tokens[at + step]
                if entry.part == "noun" and candidate.text in ("-", "\u2010", "\u2011") and step == 1:
                    continue  # "air-strike"
                if self._fits(candidate, word, entry.part, False):
                    nxt = at + step
                    break
                if candidate.is_punct or candidate.pos_ == "VERB":
                    break
            if nxt is None:
                return None
            matched.append(nxt)
            at = nxt
        if entry.part == "noun" and len(entry.words) == 1:
            head = tokens[position]
            if head.pos_ not in ("NOUN", "PROPN") and not (head.pos_ == "ADJ" and head.dep_ in ("nsubj", "dobj",
                                                                                              "pobj")):
                return None  # "explosive" as an adjective, "attack" as a verb: not this noun
        return matched
