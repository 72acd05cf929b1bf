"""The ontology's coding conventions as rules over the trained model's candidates.

The model reads a pair of actors from the words around them. It cannot learn from a few hundred
gold sentences a convention the rules apply by construction (docs/extraction.md, the ontology's
"Coding conventions"). A candidate the model would add is vetoed when:

- ``speaker``: one end is the speaker of a speech or naming verb that sits below where the two
  ends meet in the tree. In "Pakistan struck what Iran called hideouts of the BLA" Iran names
  the target; it is neither the target nor the attacker. The exception is a speech act the
  speaker performs ("the TTP, which Pakistan accuses of …": Pakistan accused the TTP).
- ``free relative``: both ends lie inside one free relative ("what Iran called TTP and BLA
  hideouts", "what Pakistan called hideouts of IS-K"), which names a thing in someone's words
  and asserts no relation between the names inside it, nor of the namer to what it names
  (beyond a speech act such as an accusation, which the rules read).
- ``reversed``: the rules read the same type the other way round in the same sentence and not
  this way, so their slot reading (who is the agent of the cue) contradicts the model's direction.
- ``accused act``: the rules read, in the same sentence, that the object performs a speech act
  (the lexicon's ``speech_act_types``: an accusation) against the subject, or that the subject denies
  something the object said. "Burkina Faso's junta blamed ISSP for a raid, a charge the group
  denied" reports an accusation and a denial, not the raid as the outlet's fact: what the accused
  is said to have done is the accuser's claim, read as the accusation.
- ``place modifier``: an end is a capital standing for a state or a government, named as the
  modifier of a noun ("the assault on a Kabul hotel", "a Tehran office"): the convention reads it
  as the place where the thing is, not its government (the rules read "a Kabul hotel frequented by
  Chinese diplomats" as China's); a state's own name ("a Pakistan army post") and a demonym
  ("Chinese diplomats") say whose the thing is and are no veto.

The rules' own claims are never vetoed here; the reader counts every veto it applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from spacy.tokens import Span, Token

from graph.domain.ontology import Ontology
from graph.language.extract.lexicon import Lexicon
from graph.language.extract.mentions import Mention
from graph.language.learn.candidates import Pair

SPEAKER = "model's candidate whose end is the speaker of an embedded speech verb"
FREE_RELATIVE = "model's candidate inside a free relative"
REVERSED = "model's candidate reversing the rules' reading"
ACCUSED_ACT = "model's candidate that is the act of an accusation the rules read"
PLACE_MODIFIER = "model's candidate whose end is a capital modifying a noun (a place, not its government)"


@dataclass(frozen=True)
class Voice:
    """A speech or naming verb of a sentence, with its speaker and, for a free relative, the clause it names."""

    verb: Token
    speaker: Token
    free_relative: bool = False  # "what X called Y": the verb's subtree is a free relative naming a thing


class Conventions:
    """The vetoes of the module docstring, over one lexicon and ontology."""

    def __init__(self, ontology: Ontology, lexicon: Lexicon) -> None:
        self.ontology = ontology
        self.lexicon = lexicon
        # accusations, and the verbs that name a thing in someone's words ("what Iran called hideouts")
        self.speech = lexicon.speech_verbs | lexicon.claim_verbs | lexicon.accusing_verbs | lexicon.naming_verbs

    def voices(self, sentence: Span) -> list[Voice]:
        """The speech verbs of a sentence with a subject, and the free relatives' naming verbs ("what X called")."""
        found: dict[int, Voice] = {}
        for token in sentence:
            if token.lower_ == "what":
                clause = token.head
                named = any(c.dep_ in ("attr", "oprd", "xcomp") and c.i != token.i for c in clause.children)
                verb = clause.head if clause.lemma_.lower() == "be" else clause
                speaker = _subject(verb, exclude=token)
                if (named or self._says(verb)) and speaker is not None and verb.pos_ in ("VERB", "AUX") \
                        and verb.dep_ != "ROOT":
                    found[verb.i] = Voice(verb, speaker, free_relative=True)
            elif token.i not in found and self._says(token):
                speaker = _subject(token)
                if speaker is not None:
                    found[token.i] = Voice(token, speaker)
        return list(found.values())

    def veto(self, pair: Pair, type_name: str, votes: Mapping[tuple[int, str, str], set[str]],
             voices: list[Voice]) -> str | None:
        """Why the model may not add ``subject type_name object`` from this pair (None: it may)."""
        doc = pair.sentence.span.doc
        if _place_modifier(pair.subject, doc[pair.subject.end - 1]) or _place_modifier(pair.object,
                                                                                       doc[pair.object.end - 1]):
            return PLACE_MODIFIER
        return self._veto_by_reading(pair, type_name, votes, voices)

    def _veto_by_reading(self, pair: Pair, type_name: str, votes: Mapping[tuple[int, str, str], set[str]],
                         voices: list[Voice]) -> str | None:
        """The vetoes that read the tree and the rules' votes (all but ``place modifier``)."""
        doc = pair.sentence.span.doc
        s, o = doc[pair.subject.start], doc[pair.object.start]
        meet = _lowest_common_ancestor(s, o)
        for voice in voices:
            below = meet is None or (voice.verb.i != meet.i and meet.i in {t.i for t in voice.verb.ancestors})
            if below and voice.speaker.i == o.i:
                return SPEAKER
            if below and voice.speaker.i == s.i and type_name not in self.lexicon.speech_act_types:
                return SPEAKER
            if voice.free_relative and not (voice.speaker.i == s.i and type_name in self.lexicon.speech_act_types):
                inside = {t.i for t in voice.verb.subtree}
                if s.i in inside and o.i in inside:
                    return FREE_RELATIVE
        start, subject, obj = pair.key
        speech = self.lexicon.speech_act_types
        if type_name not in speech and type_name != self.ontology.denial_type and (
                speech & set(votes.get((start, obj, subject), ()))
                or self.ontology.denial_type in votes.get((start, subject, obj), ())):
            return ACCUSED_ACT
        if not self.ontology.relation_types[type_name].symmetric and type_name in votes.get((start, obj, subject), ()) \
                and type_name not in votes.get(pair.key, ()):
            return REVERSED
        return None

    def _says(self, verb: Token) -> bool:
        """A verb of speech, claim, accusation or naming ("call", "describe")."""
        return verb.pos_ in ("VERB", "AUX") and (verb.lower_ in self.speech or verb.lemma_.lower() in self.speech)


def _place_modifier(mention: Mention, last: Token) -> bool:
    """A place name read as the actor it stands for (a capital: "Kabul" for the Taliban's government), in the
    position of a noun's modifier ("a Kabul hotel"). The name's own words are not the entity's id: a state named by
    its name ("a Pakistan army post") is not a capital standing for it."""
    surface = "-".join(mention.text.rstrip("'’s").lower().split())
    return (mention.via == "name" and mention.kind != "place" and surface != mention.entity_id
            and last.ent_type_ in ("GPE", "LOC", "FAC") and last.dep_ in ("compound", "nmod")
            and last.head.pos_ == "NOUN")


def _subject(verb: Token, exclude: Token | None = None) -> Token | None:
    """The verb's subject (a passive's agent), leaving out ``exclude`` ("what" in "what it said were …")."""
    for child in verb.children:
        if child.dep_ in ("nsubj", "csubj") and (exclude is None or child.i != exclude.i):
            return child
        if child.dep_ == "agent":
            return next((g for g in child.children if g.dep_ == "pobj"), None)
    return None


def _lowest_common_ancestor(a: Token, b: Token) -> Token | None:
    above_b = {t.i for t in (b, *b.ancestors)}
    return next((t for t in (a, *a.ancestors) if t.i in above_b), None)
