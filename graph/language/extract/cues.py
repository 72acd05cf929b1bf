"""Relation cues from the ontology (``cues:`` of each relation type) as one spaCy token matcher.

Cues are matched on the words (with ``*`` endings and gaps, as the ontology writes them) and,
for the single-word verb cues, on the lemma the tagger gives each verb: "attacked" in the
ontology finds "attack", "attacks" and "attacking" used as verbs too, in any tense.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product
from typing import NamedTuple

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token

from graph.domain.ontology import Ontology
from graph.language.extract.lexicon import Lexicon, load_lexicon

_ENDINGS = ("", "e", "s", "es", "ed", "d", "ing", "er", "ers", "ion", "ions", "ation", "ations", "ment", "ments",
            "ly", "ious", "ive", "ory", "y", "ies", "ied")
_DOUBLED = ("ing", "ed", "er", "ers")  # "let*": letting; "hit*": hitting; "plan*": planned


class CueHit(NamedTuple):
    """A cue for ``type`` at tokens [start, end) of a doc; ``passive`` puts the subject after it,
    ``mutual`` makes the relation hold both ways."""

    type: str
    start: int
    end: int
    passive: bool
    text: str
    mutual: bool = False


def _forms(word: str) -> set[str]:
    if not word.endswith("*"):
        return {word}
    stem = word[:-1]
    forms = {stem + e for e in _ENDINGS} | ({stem[:-1] + e for e in _ENDINGS} if stem.endswith("e") else set())
    if len(stem) <= 4 and stem[-1:].isalpha() and stem[-1] not in "aeiouwxy" and stem[-2:-1] in tuple("aeiou"):
        forms |= {stem + stem[-1] + e for e in _DOUBLED}
    return forms


def phrases(cue: str) -> list[str]:
    """Every word sequence a cue without a lone ``*`` matches."""
    return [" ".join(words) for words in product(*(sorted(_forms(w)) for w in cue.split()))]


class CueMatcher:
    """Every relation type's cues, matched in one pass; longest hit per type and place wins.

    Cues are expanded to phrases for a ``PhraseMatcher`` (a hash lookup per token, where
    spaCy's token ``Matcher`` costs more than all the rest of the extractor); a cue with a gap
    (``sow * distrust``) is matched as its segments, chained when one to three words apart.
    """

    def __init__(self, nlp: Language, ontology: Ontology, lexicon: Lexicon | None = None) -> None:
        self._verb_lemmas = _verb_lemmas(nlp, ontology)
        preps = _verb_preps(nlp, ontology, (lexicon or load_lexicon()).cue_prepositions)
        # "operat* from": a stem, matched at the start of a lemma ("operate"); others by the whole lemma
        self._stem_preps = {key: v for key, v in preps.items() if key[1].endswith("*")}
        self._stem_preps = {(pos, stem[:-1]): v for (pos, stem), v in self._stem_preps.items()}
        self._verb_preps = {key: v for key, v in preps.items() if not key[1].endswith("*")}
        self._phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._segments = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._gapped: list[tuple[str, int]] = []
        for rel in ontology.relation_types.values():
            for voice, cues in (("active", rel.cues.active), ("passive", rel.cues.passive),
                                ("mutual", rel.cues.mutual)):
                label = f"{rel.name}|{voice}"
                gapped = [c for c in cues if "*" in c.split()]
                plain = [p for c in cues if "*" not in c.split() for p in phrases(c)]
                for cue in gapped:
                    # each run of words between gaps is a phrase of its own, chained after matching
                    segments = " ".join(cue.split()).split(" * ")
                    self._gapped.append((label, len(segments)))
                    number = len(self._gapped) - 1
                    for position, segment in enumerate(segments):
                        self._segments.add(f"{number}:{position}",
                                           list(nlp.tokenizer.pipe(phrases(segment))))  # type: ignore[union-attr]
                if plain:
                    self._phrases.add(label, list(nlp.tokenizer.pipe(  # type: ignore[union-attr]
            plain)))

    def _chained(self, doc: Doc) -> list[tuple[str, int, int]]:
        """Gapped cues: their segments in order, each one to three words after the one before."""
        found: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for match_id, start, end in self._segments(doc):
            key, place = doc.vocab.strings[match_id].split(":")
            found.setdefault((int(key), int(place)), []).append((start, end))
        chained = []
        for (number, position), spans in found.items():
            if position != 0:
                continue
            label, count = self._gapped[number]
            for start, end in spans:
                last = end
                for following in range(1, count):
                    nexts = [e for s, e in found.get((number, following), []) if last + 1 <= s <= last + 3]
                    if not nexts:
                        break
                    last = min(nexts)
                else:
                    chained.append((label, start, last))
        return chained

    @staticmethod
    def _longest(matches: list[tuple[str, int, int]], words: Sequence[str]) -> list[CueHit]:
        """Hits from matches: within a type, overlapping hits keep the longest; a passive cue ("attacked by")
        overrides the active one it contains ("attacked")."""
        raw = []
        for label, start, end in matches:
            type_name, voice = label.split("|")
            raw.append(CueHit(type_name, start, end, voice == "passive", " ".join(words[start:end]),
                              voice == "mutual"))
        raw.sort(key=lambda h: (h.type, h.start, -(h.end - h.start)))
        by_type: dict[str, list[CueHit]] = {}
        for hit in raw:
            same = by_type.setdefault(hit.type, [])
            at = next((n for n, k in enumerate(same) if k.start < hit.end and hit.start < k.end), None)
            if at is None:
                same.append(hit)
            elif (hit.end - hit.start) > (same[at].end - same[at].start):
                same[at] = hit
        kept = [h for same in by_type.values() for h in same]
        passive = [h for h in kept if h.passive]
        if passive:
            kept = [h for h in kept if h.passive or not any(
                p.type == h.type and p.start <= h.start and h.end <= p.end for p in passive)]
        return kept

    def find(self, doc: Doc, lowered: Sequence[str] | None = None) -> list[CueHit]:
        """Cue hits in a doc (a paragraph), ordered by position; within a type, overlapping hits keep the longest.

        ``lowered`` (the doc's lowercased tokens) lets the slow gapped matcher run only where a
        gapped cue's first word occurs. A hit never spans two sentences: the caller keeps those
        that start and end inside the sentence it reads.
        """
        words = lowered if lowered is not None else [t.lower_ for t in doc]
        strings = doc.vocab.strings
        matches = [(strings[m], s, e) for m, s, e in self._phrases(doc)] + self._chained(doc)
        kept = self._longest(matches, words)
        # the verbs the lemma finds in other tenses and with words between verb and preposition come second:
        # a cue written out in the ontology, where it matches, says more ("fired rockets at", not "fired on")
        extra: list[tuple[str, int, int]] = []
        for token in doc:
            if token.pos_ not in ("VERB", "NOUN"):
                continue
            lemma = token.lemma_.lower()
            if token.pos_ == "VERB":
                for type_name in self._verb_lemmas.get(lemma, ()):
                    extra.append((f"{type_name}|active", token.i, token.i + 1))
            extra.extend(self.verb_prep_hits(token, lemma))
        for hit in self._longest(extra, words):
            if not any(k.type == hit.type and k.start < hit.end and hit.start < k.end for k in kept):
                kept.append(hit)
        # a cue inside a longer cue of another type is read as the longer one: "a breakaway faction of" is a
        # splinter, not an affiliate; "based in" a base, not a location
        kept = [h for h in kept if not any(k.type != h.type and k.start <= h.start and h.end <= k.end
                                           and k.end - k.start > h.end - h.start for k in kept)]
        return sorted(kept, key=lambda h: (h.start, h.type))

    def verb_prep_hits(self, token: Token, lemma: str) -> list[tuple[str, int, int]]:
        """The hits of a verb or noun whose preposition the parse attaches to it, however many words lie between
        ("fired two rockets on"): the cue's word by its lemma or stem, its preposition a later child of it that
        governs no date (a date's "on" is no cue's)."""
        stems = [entry for (pos, stem), entries in self._stem_preps.items() if pos == token.pos_
                 and lemma.startswith(stem) for entry in entries] if self._stem_preps else []
        hits = []
        for type_name, prep_word in [*self._verb_preps.get((token.pos_, lemma), ()), *stems]:
            prep = next((c for c in token.children if c.dep_ == "prep" and c.lower_ == prep_word), None)
            if prep is not None and prep.i > token.i and not any(
                    g.ent_type_ in ("DATE", "TIME") for g in prep.children):
                hits.append((f"{type_name}|active", token.i, prep.i + 1))
        return hits


def _verb_lemmas(nlp: Language, ontology: Ontology) -> dict[str, list[str]]:
    """Relation types by the verb lemma of their one-word active cues ("attacked" finds the lemma attack)."""
    if "lemmatizer" not in nlp.pipe_names:
        return {}
    lemmatizer = nlp.get_pipe("lemmatizer")
    found: dict[str, list[str]] = {}
    for rel in ontology.relation_types.values():
        for cue in rel.cues.active:
            if " " in cue or "*" in cue or "-" in cue:
                continue
            doc = Doc(nlp.vocab, words=[cue])
            doc[0].pos_ = "VERB"
            for lemma in lemmatizer.rule_lemmatize(doc[0]):  # type: ignore[attr-defined]
                types = found.setdefault(lemma, [])
                if rel.name not in types:
                    types.append(rel.name)
    return found


def _verb_preps(nlp: Language, ontology: Ontology,
                prepositions: frozenset[str]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Relation types by the lemma (as verb and as noun) and preposition of their two-word active cues:
    "operates in" finds "had operated freely in", "threat to" finds "threats to" (``prepositions``: the
    lexicon's ``cue_prepositions``, those such a cue may end in)."""
    if "lemmatizer" not in nlp.pipe_names:
        return {}
    lemmatizer = nlp.get_pipe("lemmatizer")
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for rel in ontology.relation_types.values():
        for cue in rel.cues.active:
            words = cue.split()
            if len(words) != 2 or words[1] not in prepositions:
                continue
            for pos in ("VERB", "NOUN"):
                doc = Doc(nlp.vocab, words=[words[0].rstrip("*")])
                doc[0].pos_ = pos
                # "attack* on": the stem is the lemma; "operates in": the lemmatizer finds it
                lemmas = [words[0]] if words[0].endswith("*") else lemmatizer.rule_lemmatize(doc[0])  # type: ignore[attr-defined]
                for lemma in lemmas:
                    entry = (rel.name, words[1])
                    if entry not in found.setdefault((pos, lemma), []):
                        found[(pos, lemma)].append(entry)
    return found

