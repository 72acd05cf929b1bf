"""Who says a clause, read from the tree: the speaker of the speech verb that governs it.

"X said (that) Y attacked Z", "Y attacked Z, X said", "according to X, Y attacked Z", "X accused
Y of attacking Z" and "X claimed it attacked Z" all put the clause under X's verb. The speaker
is that verb's subject, read as any noun phrase is ("Pakistani officials" is Pakistan, "a
Taliban spokesman" the Taliban); unnamed officials and unnamed analysts are speakers of their
own, asserted by the outlet that quotes them. A sentence that opens inside a quotation and
names no speaker keeps the one before it.

The speaker decides a claim's status: its own actor claiming it (claimed), an analyst or
researcher judging (assessed), a state or group saying it of others (alleged), nobody but the
outlet (reported).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from graph.language.extract.lexicon import Lexicon
from graph.language.extract.mentions import Mention
from graph.language.extract.resolve import Resolver
from graph.language.extract.tree import SUBJECTS, agent, ancestors, children, is_passive, preps, word_in

_QUOTES_OPEN = ("“", '"', "‘")
# the link by which a speech verb governs what is said: a complement clause, an inserted or
# parenthetical clause, or the object of an accusation ("accused X of …")
_SPEECH_LINKS = ("ccomp", "parataxis", "xcomp", "advcl", "dobj", "prep", "pcomp", "acomp")


@dataclass(frozen=True)
class Speaker:
    """Who asserts a clause: an entity, or unnamed analysts or officials (``entity_id`` None)."""

    entity_id: str | None
    kind: str | None
    verb: Token | None = None
    mention: Mention | None = None
    official: bool = False

    @property
    def generic(self) -> bool:
        """Unnamed analysts, experts or officials."""
        return self.entity_id is None


class Attribution:
    """Speakers of the clauses of one sentence."""

    def __init__(self, resolver: Resolver, lexicon: Lexicon) -> None:
        self.resolver = resolver
        self.lexicon = lexicon

    def speaker(self, clause: Token) -> Speaker | None:
        """The speaker of the clause at ``clause``, or None when the outlet speaks in its own voice."""
        path = [clause, *ancestors(clause)]
        for position, token in enumerate(path):
            according = self._according(token)
            if according is not None:
                return according
            if position == 0:
                continue
            below = path[position - 1]
            if self._speech(token) and below.dep_ in _SPEECH_LINKS and not self._is_subject_side(below, token):
                found = self._of_verb(token)
                if found is not None:
                    return found
            if token.pos_ == "NOUN" and word_in(token, self.lexicon.report_nouns) and below.dep_ in (
                    "acl", "relcl", "ccomp", "prep", "pcomp"):
                found = self._of_report(token)  # "a claim by IS-K that it had fired rockets at"
                if found is not None:
                    return found
        return None

    def _of_report(self, noun: Token) -> Speaker | None:
        """Whose claim, report or allegation a noun is: its possessor, its "by" phrase, its modifier."""
        for c in noun.children:
            if c.dep_ == "poss" or (c.dep_ in ("compound", "amod") and self.resolver.name_at(c) is not None):
                return self.of_phrase(c, None)
            if c.dep_ == "prep" and c.lower_ == "by":
                for pobj in children(c, "pobj"):
                    return self.of_phrase(pobj, None)
        return None

    def _speech(self, token: Token) -> bool:
        lex = self.lexicon
        lower, lemma = token.lower_, token.lemma_.lower()
        return token.pos_ in ("VERB", "AUX") and (lower in lex.speech_verbs or lemma in lex.speech_verbs
                                                  or lemma in lex.claim_verbs or lemma in lex.accusing_verbs)

    @staticmethod
    def _is_subject_side(below: Token, verb: Token) -> bool:
        return below.dep_ in SUBJECTS and below.head == verb

    def _of_verb(self, verb: Token) -> Speaker | None:
        """The speaker of a speech verb: its subject (or a passive's agent), read as a noun phrase."""
        subject = agent(verb) if is_passive(verb) else next(
            (c for c in verb.children if c.dep_ in ("nsubj", "csubj")), None)
        if subject is None and verb.dep_ in ("conj", "advcl", "xcomp") and verb.head.pos_ in ("VERB", "AUX"):
            return self._of_verb(verb.head)  # "the TTP claimed the attack, saying it …"
        if subject is None:
            return None
        if subject.lower_ in ("who", "which", "that") and verb.dep_ == "relcl":
            subject = verb.head
        return self.of_phrase(subject, verb)

    def of_phrase(self, phrase: Token, verb: Token | None) -> Speaker | None:
        """A speaker from the head of a noun phrase: a name, a proxy of one, or unnamed officials or analysts."""
        lex = self.lexicon
        for apposition in children(phrase, "appos"):
            # "Zabihullah Mujahid, the Taliban's spokesman": he speaks for the group
            if apposition.lemma_.lower() in lex.spokespeople or apposition.lower_ in lex.spokespeople:
                represented = self.resolver.entity(apposition, ("armed_group", "state"))
                if represented is not None:
                    return Speaker(represented.entity_id, represented.kind, verb, represented)
        mention = self.resolver.entity(phrase)
        if mention is not None and self.resolver.is_candidate(mention.entity_id) and mention.kind != "armed_group":
            # a person or an institution the registry lacks does not assert a claim in the graph: what they say
            # is read as before, in the outlet's voice or unnamed sources'; a new armed group does speak
            mention = None
        if mention is None and word_in(phrase, lex.state_nouns) and not word_in(phrase, lex.news_nouns) and any(
                c.dep_ == "det" and c.lower_ == "the" for c in phrase.children):
            # "…, the military said": the state the report is about speaks through its army or ministry
            mention = self.resolver.corefer(phrase, ("state",))
        if mention is None and (word_in(phrase, lex.state_nouns) or phrase.lemma_.lower() in lex.official_nouns):
            # "officials in Islamabad", "the authorities in Tehran": a state's officials, named by its capital
            mention = next((m for m in (self.resolver.entity(p, ("state",)) for p in preps(phrase, "in"))
                            if m is not None), None)
        if mention is not None:
            return Speaker(mention.entity_id, mention.kind, verb, mention)
        lemma = phrase.lemma_.lower()
        words = {phrase.lower_, lemma} | {c.lower_ for c in phrase.children if c.dep_ in ("amod", "compound")}
        if words & lex.analyst_nouns:
            return Speaker(None, None, verb)
        if words & lex.official_nouns or lemma in lex.official_nouns:
            return Speaker(None, None, verb, official=True)
        return None

    def _according(self, token: Token) -> Speaker | None:
        """ "According to X" attached to this token."""
        for prep in children(token, "prep"):
            if prep.lower_ != "according":
                continue
            for to in children(prep, "prep"):
                for pobj in children(to, "pobj"):
                    return self.of_phrase(pobj, None)
        return None


def opens_in_quotation(text: str) -> bool:
    """True when a sentence's text starts inside a quotation (so its speaker may be the previous one's)."""
    return text.lstrip().startswith(_QUOTES_OPEN)
