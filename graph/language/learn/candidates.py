"""Candidate pairs for the trained reader: every ordered pair of distinct actors named in one sentence.

Actors are armed groups and states (the claims the project scores). Names are single tokens
after the preparer's merge, so "the TTP and IS-K attacked Pakistan" gives TTP→Pakistan and
IS-K→Pakistan each as its own pair: conjuncts are distributed by construction. An entity named
twice in a sentence pairs through its mentions closest to the other end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graph.language.extract.document import ParsedReport, Sentence
from graph.language.extract.mentions import Mention

ACTOR_KINDS = frozenset({"armed_group", "state"})


@dataclass(frozen=True)
class Pair:
    """One ordered pair of actors in one sentence: the would-be subject and object of a claim."""

    sentence: Sentence
    subject: Mention
    object: Mention

    @property
    def key(self) -> tuple[int, str, str]:
        """(the sentence's start in the report, subject id, object id)."""
        return (self.sentence.start, self.subject.entity_id, self.object.entity_id)


def actors(sentence: Sentence) -> list[Mention]:
    """The sentence's mentions of armed groups and states, in order."""
    return [m for m in sentence.mentions if m.kind in ACTOR_KINDS]


def sentence_pairs(sentence: Sentence) -> list[Pair]:
    """Every ordered pair of distinct actors of one sentence (none when it names fewer than two)."""
    named = actors(sentence)
    if len({m.entity_id for m in named}) < 2:
        return []
    best: dict[tuple[str, str], tuple[int, Mention, Mention]] = {}
    for a in named:
        for b in named:
            if a.entity_id == b.entity_id:
                continue
            distance = abs(a.start - b.start)
            key = (a.entity_id, b.entity_id)
            if key not in best or distance < best[key][0]:
                best[key] = (distance, a, b)
    return [Pair(sentence, a, b) for (_, a, b) in sorted(best.values(), key=lambda v: (v[1].start, v[2].start))]


def report_pairs(parsed: ParsedReport) -> list[Pair]:
    """The candidate pairs of a whole report, sentence by sentence."""
    return [pair for sentence in parsed.sentences for pair in sentence_pairs(sentence)]


def pairs_of(sentences: Iterable[Sentence]) -> list[Pair]:
    """The candidate pairs of some sentences."""
    return [pair for sentence in sentences for pair in sentence_pairs(sentence)]
