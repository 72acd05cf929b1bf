"""Relation cues from the ontology (``cues:`` of each relation type) as one spaCy token matcher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Span

from graph.ontology import Ontology


@dataclass(frozen=True)
class CueHit:
    """A cue for ``type`` at tokens [start, end) of a doc; ``passive`` puts the subject after it."""

    type: str
    start: int
    end: int
    passive: bool
    text: str


def token_pattern(cue: str) -> list[dict[str, Any]]:
    """A spaCy token pattern for one cue: words, ``word*`` prefixes, and ``*`` for one to three words."""
    pattern: list[dict[str, Any]] = []
    for word in cue.split():
        if word == "*":
            pattern.append({"OP": "{1,3}"})
        elif word.endswith("*"):
            pattern.append({"LOWER": {"REGEX": "^" + word[:-1].replace("-", r"\-")}})
        else:
            pattern.append({"LOWER": word})
    return pattern


class CueMatcher:
    """Every relation type's cues, matched in one pass; longest hit per type and place wins."""

    def __init__(self, nlp: Language, ontology: Ontology) -> None:
        self._matcher = Matcher(nlp.vocab)
        for rel in ontology.relation_types.values():
            for voice, cues in (("active", rel.cues.active), ("passive", rel.cues.passive)):
                if cues:
                    self._matcher.add(f"{rel.name}|{voice}", [token_pattern(c) for c in cues])

    def find(self, sentence: Span) -> list[CueHit]:
        """Cue hits in a sentence, ordered by position; within a type, overlapping hits keep the longest."""
        doc = sentence.doc
        raw = []
        for match_id, start, end in self._matcher(sentence):
            label = doc.vocab.strings[match_id]
            type_name, voice = label.split("|")
            raw.append(CueHit(type_name, sentence.start + start, sentence.start + end, voice == "passive",
                              doc[sentence.start + start: sentence.start + end].text))
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
