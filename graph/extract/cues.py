"""Relation cues from the ontology (``cues:`` of each relation type) as one spaCy token matcher."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Span

from graph.ontology import Ontology

_ENDINGS = ("", "s", "es", "ed", "d", "ing", "er", "ers", "ion", "ions", "ation", "ations", "ment", "ments",
            "ly", "ious", "ive", "ory", "y", "ies", "ied")


@dataclass(frozen=True)
class CueHit:
    """A cue for ``type`` at tokens [start, end) of a doc; ``passive`` puts the subject after it."""

    type: str
    start: int
    end: int
    passive: bool
    text: str


def token_pattern(cue: str) -> list[dict[str, Any]]:
    """A spaCy token pattern for a cue: words, ``word*`` stems with inflections, ``*`` for one to three words."""
    pattern: list[dict[str, Any]] = []
    for word in cue.split():
        if word == "*":
            pattern.append({"OP": "{1,3}"})
        elif word.endswith("*"):
            # the inflections of the stem as a set: as fast to match as a plain word, unlike a regex
            pattern.append({"LOWER": {"IN": sorted(_forms(word))}})
        else:
            pattern.append({"LOWER": word})
    return pattern


def _forms(word: str) -> set[str]:
    if not word.endswith("*"):
        return {word}
    stem = word[:-1]
    return {stem + e for e in _ENDINGS} | ({stem[:-1] + e for e in _ENDINGS} if stem.endswith("e") else set())


def phrases(cue: str) -> list[str]:
    """Every word sequence a cue without a lone ``*`` matches."""
    return [" ".join(words) for words in product(*(sorted(_forms(w)) for w in cue.split()))]


class CueMatcher:
    """Every relation type's cues, matched in one pass; longest hit per type and place wins.

    Cues without a gap are expanded to phrases for a ``PhraseMatcher`` (a hash lookup per
    token); only the few with a gap (``sow * distrust``) go to the slower token ``Matcher``.
    """

    def __init__(self, nlp: Language, ontology: Ontology) -> None:
        self._matcher = Matcher(nlp.vocab)
        self._phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        for rel in ontology.relation_types.values():
            for voice, cues in (("active", rel.cues.active), ("passive", rel.cues.passive)):
                label = f"{rel.name}|{voice}"
                gapped = [c for c in cues if "*" in c.split()]
                plain = [p for c in cues if "*" not in c.split() for p in phrases(c)]
                if gapped:
                    self._matcher.add(label, [token_pattern(c) for c in gapped])
                if plain:
                    self._phrases.add(label, list(nlp.tokenizer.pipe(  # type: ignore[union-attr]
            plain)))

    def find(self, sentence: Span) -> list[CueHit]:
        """Cue hits in a sentence, ordered by position; within a type, overlapping hits keep the longest."""
        doc = sentence.doc
        raw = []
        # the token Matcher gives offsets within the span, the PhraseMatcher within the doc
        matches = [(m, sentence.start + s, sentence.start + e) for m, s, e in self._matcher(sentence)]
        matches += list(self._phrases(sentence))
        for match_id, start, end in matches:
            label = doc.vocab.strings[match_id]
            type_name, voice = label.split("|")
            raw.append(CueHit(type_name, start, end, voice == "passive", doc[start:end].text))
        raw.sort(key=lambda h: (h.type, h.start, -(h.end - h.start)))
        kept: list[CueHit] = []
        for hit in raw:
            clash = next((k for k in kept if k.type == hit.type and k.start < hit.end and hit.start < k.end), None)
            if clash is None:
                kept.append(hit)
            elif (hit.end - hit.start) > (clash.end - clash.start):
                kept[kept.index(clash)] = hit
        # a passive cue ("attacked by") overrides the active one it contains ("attacked")
        passive = [h for h in kept if h.passive]
        kept = [h for h in kept if h.passive or not any(p.type == h.type and p.start <= h.start and h.end <= p.end
                                                          for p in passive)]
        return sorted(kept, key=lambda h: (h.start, h.type))
