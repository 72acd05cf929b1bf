"""Who says a sentence, and so the status of what it says.

A speaker stands before a speech verb ("Mines says", "Pakistani officials said", "Analysts who
follow IS-K say") or after the quotation it closes ("…,” Andrew Mines … told RFE/RL"). Unnamed
analysts and experts are a speaker of their own: what they say is assessed, asserted by the
outlet that quotes them. A sentence that opens inside a quotation keeps the speaker before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Span

from graph.extract.lexicon import Lexicon
from graph.extract.mentions import Mention

_QUOTES_CLOSE = {"”", '"', "’’"}
_QUOTES_OPEN = ("“", '"', "‘")
_AUX = {"have", "has", "had", "also", "further", "later", "then", "previously", "repeatedly", "again",
        ",", "both", "all", "who", "reportedly", "officials", "official", "authorities", "spokesman",
        "spokesperson", "spokeswoman", "government", "ministry", "military", "army"}


@dataclass(frozen=True)
class Speaker:
    """Who asserts a sentence: an entity, or unnamed analysts (``entity_id`` None)."""

    entity_id: str | None
    kind: str | None
    verb_index: int
    claims_verb: bool = False
    mention: Mention | None = None
    official: bool = False

    @property
    def generic(self) -> bool:
        """Unnamed analysts or experts."""
        return self.entity_id is None


def find_speaker(sentence: Span, mentions: Sequence[Mention], lexicon: Lexicon,
                 lowered: Sequence[str] | None = None) -> Speaker | None:
    """The speaker of ``sentence``, or None when the outlet speaks in its own voice.

    ``lowered`` is the doc's tokens in lower case, if the caller has them at hand.
    """
    doc = sentence.doc
    words = lowered if lowered is not None else [t.lower_ for t in doc]
    for i in range(sentence.start, sentence.end):
        lower = words[i]
        is_claim = lower in lexicon.claim_verbs
        if lower not in lexicon.speech_verbs and not is_claim and not (
                lower == "according" and i + 1 < sentence.end and words[i + 1] == "to"):
            continue
        if lower == "according":
            after = [m for m in mentions if i + 2 <= m.start <= i + 3]
            if after:
                return Speaker(after[0].entity_id, after[0].kind, i, mention=after[0])
            if i + 2 < sentence.end and doc[i + 2].lower_ in lexicon.analyst_nouns:
                return Speaker(None, None, i)
            if any(doc[k].lower_ in lexicon.official_nouns for k in range(i + 2, min(i + 4, sentence.end))):
                return Speaker(None, None, i, official=True)
            continue
        speaker = _before(i, sentence, mentions, lexicon, is_claim, words) or _after(i, sentence, mentions, lexicon)
        if speaker is not None:
            return speaker
    return None


def _before(i: int, sentence: Span, mentions: Sequence[Mention], lexicon: Lexicon,  # noqa: PLR0911
            is_claim: bool, words: Sequence[str]) -> Speaker | None:
    doc = sentence.doc
    # after a closing quotation the speaker is the first mention following it ("…,” Mines, a fellow at X, told)
    close = next((j for j in range(i - 1, sentence.start - 1, -1) if words[j] in _QUOTES_CLOSE), None)
    if close is not None:
        after_quote = [m for m in mentions if close < m.start < i]
        if after_quote:
            m = after_quote[0]
            return Speaker(m.entity_id, m.kind, i, is_claim, m)
        if any(doc[j].lower_ in lexicon.analyst_nouns for j in range(close + 1, i)):
            return Speaker(None, None, i, is_claim)
    j = _skip_inserted_clause(i - 1, sentence, lexicon)
    skipped = {words[k] for k in range(j + 1, i)}
    while j >= sentence.start and words[j] in _AUX:
        skipped.add(words[j])
        j -= 1
    if j < sentence.start:
        return Speaker(None, None, i, is_claim, official=True) if skipped & lexicon.official_nouns else None
    left = [m for m in mentions if m.start <= j < m.end]
    if left:
        m = left[0]
        return Speaker(m.entity_id, m.kind, i, is_claim, m)
    if doc[j].lower_ in lexicon.analyst_nouns:
        return Speaker(None, None, i, is_claim)
    # "Analysts who follow IS-K say": an analyst noun opening the sentence, a few words back
    start_words = [doc[k].lower_ for k in range(sentence.start, min(sentence.start + 3, i))]
    if any(w in lexicon.analyst_nouns for w in start_words) and i - sentence.start <= 8:
        return Speaker(None, None, i, is_claim)
    return None


def _skip_inserted_clause(j: int, sentence: Span, lexicon: Lexicon) -> int:
    """Before ", said", step over a clause set off by commas (", who rule Afghanistan," / ", a faction of X,").

    The speaker is the clause's head, not a name inside it; the index returned is the token
    before the clause's opening comma, or ``j`` unchanged when there is no such clause.
    """
    doc = sentence.doc
    if j <= sentence.start or doc[j].text != ",":
        return j
    opening = next((k for k in range(j - 1, sentence.start - 1, -1) if doc[k].text == ","), None)
    if opening is None or opening + 1 >= j:
        return j
    if doc[opening + 1].lower_ in ("who", "which", "a", "an") and opening - 1 >= sentence.start:
        return opening - 1
    return j


def _after(i: int, sentence: Span, mentions: Sequence[Mention], lexicon: Lexicon) -> Speaker | None:
    """Inverted order at a sentence's end: '…, said Pakistani officials.'"""
    doc = sentence.doc
    if i == sentence.start or doc[i - 1].text not in {",", *_QUOTES_CLOSE}:
        return None
    right = [m for m in mentions if i < m.start <= i + 3]
    if right:
        m = right[0]
        return Speaker(m.entity_id, m.kind, i, False, m)
    if any(doc[k].lower_ in lexicon.analyst_nouns for k in range(i + 1, min(i + 4, sentence.end))):
        return Speaker(None, None, i)
    return None


def opens_in_quotation(text: str) -> bool:
    """True when a sentence's text starts inside a quotation (so its speaker may be the previous one's)."""
    return text.lstrip().startswith(_QUOTES_OPEN)
