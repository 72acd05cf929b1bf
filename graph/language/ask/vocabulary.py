"""What the ontology's question data teaches the reader, compiled once per ontology and pipeline.

Every relation type and category lists phrasings each way ("who is {x} trying to provoke" forward,
"who is trying to provoke {x}" backward). Each phrasing is parsed with the same pipeline as the
questions, and reduced to a **signature**: the lemma of the word that names the relation (the
trigger: "provoke"), whether the entity comes before or after it, the voice, and the preposition
that ties them ("recruit *from*", "attacks *on*", "'s" for a possessive). A question built the same
way, in whatever words around it, has the same signature, so the parse decides how the phrasings'
words combine. A signature no phrasing gives falls back on the grammar of English verbs: the
subject of an active verb comes before it, the object after.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Literal

from spacy.language import Language
from spacy.tokens import Doc, Token

from graph.domain.ontology import Ontology
from graph.language.ask.model import Direction

Side = Literal["before", "after"]
Voice = Literal["active", "passive"]
PartOfSpeech = Literal["verb", "noun", "adj", "other"]
Signature = tuple[str, PartOfSpeech, Side, Voice, str | None]

PLACEHOLDER = "Smith"  # stands for {x} while a phrasing is parsed: a one-token proper noun
WH_WORDS = frozenset({"who", "whom", "whose", "what", "which", "where", "when", "how", "why"})
AUXILIARIES = frozenset({"be", "do", "have", "can", "could", "will", "would", "shall", "should", "may", "might",
                         "must"})
# Parts of speech that carry meaning; the rest (determiners, auxiliaries, punctuation) frame a question.
CONTENT = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM", "ADV"})
_INVERSE: dict[Direction, Direction] = {"out": "in", "in": "out", "both": "both"}
# Prepositions after an act's noun that introduce whom it is done to ("attacks on X", "support for X").
_TOWARDS = frozenset({"on", "against", "at", "upon", "towards", "toward", "for", "to", "into"})


def part_of_speech(token: Token) -> PartOfSpeech:
    """Verb, noun or adjective: what a signature tells apart ("who attacked X" from "which attacks has X …")."""
    if token.pos_ in ("VERB", "AUX"):
        return "verb"
    if token.pos_ in ("NOUN", "PROPN"):
        return "noun"
    return "adj" if token.pos_ == "ADJ" else "other"


def after_do_support(token: Token) -> bool:
    """Whether a word follows "do"/"did"/"does" and its subject only, as a verb does ("did the Taliban *attack*")."""
    doc = token.doc
    for before in reversed(doc[:token.i]):
        if before.lemma_ == "do" and before.i < token.i - 1:
            return True
        if before.pos_ not in ("DET", "PROPN", "NOUN", "ADJ") or before.lemma_ == "do":
            return False
    return False


def inverse(direction: Direction) -> Direction:
    """The direction of the other end."""
    return _INVERSE[direction]


@dataclass(frozen=True)
class Sense:
    """A relation type or a category a word can name."""

    shape: Literal["relation", "category"]
    name: str
    types: tuple[str, ...]
    symmetric: bool


@dataclass(frozen=True)
class Meaning:
    """What a trigger says with an entity where it stands: the sense, and which end the entity is."""

    sense: Sense
    direction: Direction


class Vocabulary:
    """The ontology's question vocabulary as the reader uses it: lemmas, kinds, statuses and signatures."""

    def __init__(self, ontology: Ontology, nlp: Language) -> None:
        asked = ontology.questions
        lexicon = asked.lexicon
        self.ontology = ontology
        self._synonym = {k.lower(): v for k, v in asked.synonyms.items()}
        alternatives = "|".join(re.escape(k) for k in sorted(self._synonym, key=len, reverse=True))
        self._synonyms = re.compile(rf"(?<![\w'-])(?:{alternatives})(?![\w'-])", re.IGNORECASE)
        self.lemma_map = {k.lower(): v.lower() for k, v in lexicon.lemmas.items()}
        self.light = frozenset(lexicon.light) | AUXILIARIES
        self.fillers = frozenset(lexicon.fillers)
        self.pair = frozenset(lexicon.pair)
        self.connection = frozenset(lexicon.connection)
        self.profile = frozenset(lexicon.profile)
        self.events = frozenset(lexicon.events)
        self.assertions = frozenset(lexicon.assertions)
        self.denials = frozenset(lexicon.denials)
        self.responsibility = frozenset(lexicon.responsibility)
        self.at_place = frozenset(lexicon.at_place)
        self.claim_words = frozenset(lexicon.claim_words)
        self.unanswerable = frozenset(lexicon.unanswerable)
        self.hypothetical = frozenset(lexicon.hypothetical)
        self.negations = frozenset(lexicon.negations)
        self.attacks = dict(lexicon.attacks)
        self.attackers = dict(lexicon.attackers)
        self.descriptors = frozenset(lexicon.descriptors)
        self.counted = dict(lexicon.counted)
        self.casualties = dict(lexicon.casualties)
        self.victims = frozenset(lexicon.victims)
        self.sites = frozenset(lexicon.sites)
        self.voices = frozenset(lexicon.voices)
        self.kinds: dict[str, tuple[str, ...]] = defaultdict(tuple)
        for kind, words in lexicon.kinds.items():
            for word in words:
                self.kinds[word] = (*self.kinds[word], kind)
        self.statuses: dict[str, str] = {s: s for s, spec in ontology.statuses.items() if not spec.denial_only}
        self.statuses.update(asked.status_words)
        self.event_types = tuple(dict.fromkeys(lexicon.attacks.values()))
        self.denial_type = ontology.denial_type
        self.passive_lemmas = self._passive_lemmas(ontology, nlp)
        self.senses: dict[str, Counter[Sense]] = defaultdict(Counter)
        self.bare: set[str] = set()  # prepositions and question words that name a relation on their own
        # Words that come with a trigger in its phrasings ("sign" an "agreement", "pose" a "threat").
        self.companions: dict[str, set[str]] = defaultdict(set)
        self.event_nouns: set[str] = set(lexicon.attacks) | {self.lemma_map.get(w, w) for w in lexicon.attacks}
        # Signatures the phrasings give, and the same with "*" for the part of speech or the preposition.
        self._learned: dict[tuple[str, str, str, str, str | None], Counter[Meaning]] = defaultdict(Counter)
        self._learn(ontology, nlp)

    # --- words ---------------------------------------------------------------------------

    def lemma(self, token: Token) -> str:
        """A token's lemma, lowercased, read through the ontology's synonyms ("shelter" is "host")."""
        lemma = token.lemma_.lower() or token.lower_
        return self.lemma_map.get(lemma, self.lemma_map.get(token.lower_, lemma))

    def kind_of(self, token: Token) -> tuple[str, ...]:
        """The entity kinds a word names ("states", "countries", "groups"), if any."""
        lower = token.lower_
        for form in (self.lemma(token), lower, lower[:-3] + "y" if lower.endswith("ies") else lower.rstrip("s")):
            if form in self.kinds:
                return self.kinds[form]
        return ()

    def rewrite(self, text: str) -> str:
        """A question (or phrasing) with the ontology's synonyms rewritten, longest phrase first, in any case."""
        return self._synonyms.sub(lambda m: self._synonym[m.group(0).lower()], text) if self._synonym else text

    def is_passive(self, trigger: Token) -> bool:
        """A past participle after a form of "be" whose lemma the ontology uses passively ("attacked by"), or with
        its agent ("by"); "is located in", "is allied with" are states, not passives."""
        if trigger.tag_ != "VBN":
            return False
        doc = trigger.doc
        if not any(t.lemma_ == "be" for t in doc[:trigger.i]):
            return False
        return self.lemma(trigger) in self.passive_lemmas or any(t.lower_ == "by" for t in doc[trigger.i + 1:])

    def signature(self, trigger: Token, argument: Token) -> Signature:
        """Where an argument stands to a trigger: lemma, part of speech, side, voice and the preposition that
        ties them."""
        side: Side = "before" if argument.i < trigger.i else "after"
        voice: Voice = "passive" if self.is_passive(trigger) else "active"
        pos = part_of_speech(trigger)
        if pos in ("noun", "other") and after_do_support(trigger):
            pos = "verb"  # "who did the Taliban shelter?", "did the Taliban attack X?": after "did" and a subject
        return self.lemma(trigger), pos, side, voice, self._preposition(trigger, argument, side)

    @staticmethod
    def _preposition(trigger: Token, argument: Token, side: Side) -> str | None:
        doc = trigger.doc
        if side == "after":
            between = [t for t in doc[trigger.i + 1:argument.i] if t.pos_ == "ADP" or t.tag_ in ("IN", "RP")]
            return between[-1].lower_ if between else None
        after = doc[argument.i + 1] if argument.i + 1 < len(doc) else None
        if after is not None and after.tag_ == "POS" and trigger.pos_ in ("NOUN", "PROPN"):
            return "'s"
        if argument.i == trigger.i - 1 and trigger.pos_ in ("NOUN", "PROPN"):
            return "'s"  # "IS-K attacks", "IS-K recruitment": a name before a noun as its possessor
        # A preposition left at the end ("who does X recruit from?") belongs with the trigger.
        for token in doc[trigger.i + 1:]:
            if token.pos_ == "ADP" or token.tag_ in ("IN", "RP"):
                rest = [t for t in doc[token.i + 1:] if not t.is_punct]
                return token.lower_ if not rest else None
            if token.pos_ in ("NOUN", "PROPN", "VERB"):
                continue
        return None

    # --- meanings ------------------------------------------------------------------------

    def meanings(self, trigger: Token, argument: Token) -> Counter[Meaning]:
        """What the trigger can mean with the argument where it stands: the phrasings' evidence, else grammar."""
        signature = self.signature(trigger, argument)
        lemma, _pos, side, voice, preposition = signature
        # The closest evidence first: the same construction, then the same with any part of speech. A
        # preposition no phrasing uses ("attacks against X") is left to grammar rather than borrowed.
        for key in (signature, (lemma, "*", side, voice, preposition)):
            found = self._learned.get(key)
            if found:
                return found
        return self._by_grammar(trigger, signature)

    def learned(self, trigger: Token, argument: Token) -> bool:
        """Whether some phrasing puts an argument where this one stands, with its preposition ("operate *in* X")."""
        lemma, pos, side, voice, preposition = self.signature(trigger, argument)
        return bool(self._learned.get((lemma, pos, side, voice, preposition)) or
                    self._learned.get((lemma, "*", side, voice, preposition)))

    def _by_grammar(self, trigger: Token, signature: Signature) -> Counter[Meaning]:
        lemma, _pos, side, voice, preposition = signature
        found: Counter[Meaning] = Counter()
        senses = self.senses.get(lemma, Counter())
        most = max(senses.values(), default=0)
        for sense in (s for s, n in senses.items() if n == most):  # a word's main senses, not its odd uses
            if sense.symmetric:
                found[Meaning(sense, "both")] += 1
                continue
            direction: Direction | None = None
            if trigger.pos_ in ("VERB", "AUX"):
                if voice == "active":
                    direction = "out" if side == "before" or preposition == "by" else "in"
                else:
                    direction = "in" if side == "before" else "out" if preposition == "by" else None
            elif preposition == "by":
                direction = "out"  # "attacks by X"
            elif side == "after" and preposition in _TOWARDS:
                direction = "in"  # "attacks on X", "support for X"
            elif preposition == "'s" and lemma in self.event_nouns:
                direction = "out"  # "X's attacks": an act's possessor is who acts
            if direction is not None:
                found[Meaning(sense, direction)] += 1
        return found

    def is_trigger(self, token: Token) -> bool:
        """Whether a token's content word names some relation type or category."""
        return self.lemma(token) in self.senses and (token.pos_ in ("VERB", "NOUN", "ADJ", "AUX", "PROPN")
                                                      or after_do_support(token))

    def is_bare_trigger(self, token: Token) -> bool:
        """A preposition or question word that alone names a relation ("which country is X *in*", "*where* is X")."""
        return (token.pos_ in ("ADP", "ADV", "SCONJ") or token.tag_ in ("IN", "WRB")) and \
            self.lemma(token) in self.bare

    def compatible(self, meaning: Meaning, kind: str) -> bool:
        """Whether an entity of this kind can stand where the meaning puts it (the ontology's subject and object
        kinds): Termez, a place, is in a country, not a member of one."""
        relation_types = self.ontology.relation_types
        for name in meaning.sense.types:
            rel = relation_types[name]
            if meaning.direction == "out" and kind in rel.subject_kinds:
                return True
            if meaning.direction == "in" and kind in rel.object_kinds:
                return True
            if meaning.direction == "both" and (kind in rel.subject_kinds or kind in rel.object_kinds):
                return True
        return False

    # --- learning from the phrasings --------------------------------------------------------

    def _passive_lemmas(self, ontology: Ontology, nlp: Language) -> frozenset[str]:
        """Lemmas the ontology's cues use in the passive ("attacked by", "led by")."""
        words = sorted({cue.split()[0].rstrip("*") for rel in ontology.relation_types.values()
                        for cue in rel.cues.passive if cue.split()[0].rstrip("*").isalpha()})
        docs = nlp.pipe(f"it was {word}" for word in words)
        return frozenset(self.lemma_map.get(d[-1].lemma_.lower(), d[-1].lemma_.lower()) for d in docs
                         if d[-1].tag_ == "VBN")

    def _phrasings(self, ontology: Ontology) -> list[tuple[str, Sense, Direction]]:
        """Every category and relation phrasing with what it means; categories first, so they win ties."""
        found: list[tuple[str, Sense, Direction]] = []
        for category, phrasings in ontology.questions.categories.items():
            members = tuple(phrasings.types) or tuple(
                t.name for t in ontology.relation_types.values() if t.category == category)
            sense = Sense("category", category, members, symmetric=False)
            found += [(p, sense, "out") for p in phrasings.forward] + [(p, sense, "in") for p in phrasings.backward]
            found += [(p, sense, "both") for p in phrasings.either]
        for rel in ontology.relation_types.values():
            sense = Sense("relation", rel.name, (rel.name,), rel.symmetric)
            forward: Direction = "both" if rel.symmetric else "out"
            found += [(p, sense, forward) for p in rel.phrasings.forward]
            found += [(p, sense, "in") for p in rel.phrasings.backward]
            found += [(p, sense, "both") for p in rel.phrasings.either]
        return found

    def _learn(self, ontology: Ontology, nlp: Language) -> None:
        phrasings = self._phrasings(ontology)
        docs = nlp.pipe(" ".join(self.rewrite(p).replace("{x}", PLACEHOLDER).split()) for p, _, _ in phrasings)
        for (_phrase, sense, direction), doc in zip(phrasings, docs, strict=True):
            placeholder = next((t for t in doc if t.text == PLACEHOLDER), None)
            if placeholder is None:
                continue
            trigger = self.main_trigger(doc, exclude={placeholder.i})
            if trigger is None:
                # "which country is {x} in", "where is {x}": the preposition or question word names it
                trigger = next((t for t in reversed(doc) if t.pos_ == "ADP" or t.tag_ in ("IN",)), None) or \
                    next((t for t in doc if t.tag_ == "WRB" and t.lower_ != "how"), None)
                if trigger is None:
                    continue
                self.bare.add(self.lemma(trigger))
            lemma = self.lemma(trigger)
            self.senses[lemma][sense] += 1
            self.companions[lemma] |= {self.lemma(t) for t in doc if t.i not in (trigger.i, placeholder.i)
                                       and t.pos_ in ("NOUN", "VERB", "ADJ") and t.lower_ not in WH_WORDS
                                       and not self.kind_of(t)}
            if trigger.pos_ == "VERB":
                self.event_nouns.add(lemma)  # "X attacked" and "X's attacks": the act's noun has the verb's agent
            meaning = Meaning(sense, direction)
            lemma_, pos, side, voice, preposition = self.signature(trigger, placeholder)
            for key in ((lemma_, pos, side, voice, preposition), (lemma_, pos, side, voice, "*"),
                        (lemma_, "*", side, voice, preposition), (lemma_, "*", side, voice, "*")):
                self._learned[key][meaning] += 1
        for word, name in self.attacks.items():
            rel = ontology.relation_types[name]
            self.senses[word][Sense("relation", name, (name,), rel.symmetric)] += 1

    def main_trigger(self, doc: Doc, exclude: set[int]) -> Token | None:
        """The word of a phrasing that names its relation: a content word that is no question word, light verb,
        filler or kind; a verb before a noun or adjective, the last of its kind."""
        candidates = [t for t in doc if t.i not in exclude and t.pos_ in ("VERB", "NOUN", "ADJ", "PROPN")
                      and self.lemma(t) not in self.light and self.lemma(t) not in self.fillers
                      and t.lower_ not in WH_WORDS and not self.kind_of(t)]
        if not candidates:
            return None
        rank = {"VERB": 0, "NOUN": 1, "ADJ": 2, "PROPN": 3}
        best = min(rank[t.pos_] for t in candidates)
        return [t for t in candidates if rank[t.pos_] == best][-1]


_CACHE: dict[tuple[int, int], tuple[Ontology, Language, Vocabulary]] = {}


def vocabulary(ontology: Ontology, nlp: Language) -> Vocabulary:
    """The compiled vocabulary of an ontology and a pipeline, built once per process."""
    key = (id(ontology), id(nlp))
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is ontology and cached[1] is nlp:
        return cached[2]
    compiled = Vocabulary(ontology, nlp)
    _CACHE[key] = (ontology, nlp, compiled)
    return compiled
