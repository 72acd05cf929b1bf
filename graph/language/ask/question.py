"""A question as the reader works on it: the parsed tokens, the names in them, the time, and what each
part of the reading has used, so that a word nothing used can be found and the question refused."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from graph.domain.gazetteer import Place
from graph.domain.model import Entity
from graph.language.ask.times import Times
from graph.language.ask.vocabulary import CONTENT, WH_WORDS, Vocabulary

_YES_NO_OPENERS = frozenset({"be", "do", "have", "can", "could", "will", "would", "should", "may", "might", "did",
                             "does", "is", "are", "was", "were", "has", "had"})


# Commands that open a question as "which" does: "list the attacks …", "name the states …".
_IMPERATIVES = frozenset({"list", "name", "show", "give", "find", "count"})


class Unreadable(Exception):
    """The reading cannot go on; the reader refuses the question."""


@dataclass
class Question:
    """A parsed question with what each part of the reading has used of it."""

    text: str
    doc: Doc
    entities: dict[int, Entity]
    times: Times
    vocab: Vocabulary
    close: dict[int, str] = field(default_factory=dict)  # misspelt names read as the closest, as written
    now: dict[int, str] = field(default_factory=dict)  # names of several entities over time, read as they stand now
    corrected: list[tuple[str, str]] = field(default_factory=list)  # words replaced as typos: (typed, read)
    used: set[int] = field(default_factory=set)
    roles: dict[int, str] = field(default_factory=dict)
    casualty: str | None = None  # "how many were killed": killed or injured, read by the count
    places: dict[int, Place] = field(default_factory=dict)  # names read as gazetteer places ("in Kabul", the city)
    notes: list[str] = field(default_factory=list)  # what a shape assumed, for the reading's notes

    # --- looking at the question --------------------------------------------------------

    @property
    def named(self) -> list[Token]:
        """The tokens that are names, in question order."""
        return [self.doc[i] for i in sorted(self.entities)]

    def entity(self, token: Token) -> Entity:
        return self.entities[token.i]

    def lemma(self, token: Token) -> str:
        return self.vocab.lemma(token)

    def having(self, lemmas: Iterable[str]) -> list[Token]:
        """Tokens (not names) whose lemma is one of these."""
        wanted = frozenset(lemmas)
        return [t for t in self.doc if t.i not in self.entities and (self.lemma(t) in wanted or t.lower_ in wanted)]

    def use(self, *tokens: Token | None) -> None:
        self.used.update(t.i for t in tokens if t is not None)

    def role(self, token: Token, role: str) -> None:
        self.roles[token.i] = role
        self.use(token)

    @property
    def wh(self) -> Token | None:
        """The question word ("who", "which", "where"), if the question has one."""
        return next((t for t in self.doc if t.lower_ in WH_WORDS and t.tag_ in ("WP", "WDT", "WP$", "WRB")
                     and not (t.lower_ == "how" and t.i + 1 < len(self.doc)
                              and self.doc[t.i + 1].lower_ in ("many", "much"))), None)

    @property
    def is_yes_no(self) -> bool:
        first = self.doc[0] if len(self.doc) else None
        return (first is not None and first.lower_ in _YES_NO_OPENERS and self.wh is None
                and first.i not in self.entities)

    def wh_noun(self) -> Token | None:
        """The noun a question word asks for ("which *states*", "what *groups*", "how many *attacks*", "name *the
        states* …")."""
        for token in self.doc:
            opener = token.i == 0 and token.lemma_.lower() in _IMPERATIVES
            if (token.lower_ in ("which", "what", "whose", "many") or opener) and token.i + 1 < len(self.doc):
                following = self.doc[token.i + 1:]
                for candidate in following:
                    if candidate.i in self.entities or candidate.tag_ == "POS":
                        continue  # "how many IS-K attacks"
                    if candidate.lower_ in self.vocab.statuses or candidate.tag_ in ("JJ", "VBN"):
                        continue  # "how many *disputed* claims"
                    if candidate.pos_ in ("NOUN", "PROPN", "VERB") and candidate.lower_ not in WH_WORDS:
                        head = candidate
                        while head.i + 1 < len(self.doc) and self.doc[head.i + 1].pos_ == "NOUN" and \
                                head.i + 1 not in self.entities and head.dep_ == "compound":
                            head = self.doc[head.i + 1]  # "how many attack *claims*"
                        return head
                    if candidate.pos_ not in ("ADJ", "DET", "NUM") and candidate.lower_ not in ("of", "the"):
                        break
        return None

    def kinds_asked(self) -> tuple[str, ...]:
        """Entity kinds the answers must be: "which states", "what groups", "how many countries"; "where" asks
        for places (the kinds a claim's location may be)."""
        if self.wh is not None and self.wh.lower_ == "where" and self.wh_noun() is None:
            self.use(self.wh)
            return tuple(self.vocab.ontology.location_kinds)
        noun = self.wh_noun()
        kinds = self.vocab.kind_of(noun) if noun is not None else ()
        if noun is not None and kinds:
            self.use(noun)
            # "which militant groups", "what armed groups": the words before the noun narrow it
            for modifier in self.doc[max(0, noun.i - 2):noun.i]:
                narrower = self.vocab.kind_of(modifier)
                if narrower and modifier.i not in self.entities:
                    self.use(modifier)
                    kinds = tuple(k for k in kinds if k in narrower) or kinds
        return kinds

    def leftovers(self) -> list[Token]:
        """Words that carry meaning and that no part of the reading used."""
        vocab = self.vocab
        left = []
        for token in self.doc:
            if token.i in self.used or token.i in self.entities or token.is_punct or token.is_space:
                continue
            if token.lower_ in vocab.negations and not (token.lower_ == "no" and token.i == 0):
                left.append(token)  # a "not" no reading used would turn the answer into its opposite
                continue
            lemma = self.lemma(token)
            if token.lower_ in WH_WORDS or lemma in vocab.light or lemma in vocab.fillers or \
                    token.lower_ in vocab.fillers:
                continue
            named = self.entities.get(token.i - 1)
            if named is not None and named.kind in vocab.kind_of(token):
                continue  # "the Kunduz province", "the Taliban movement": the name's own kind
            if token.pos_ in CONTENT or token.like_num:
                left.append(token)
        return left
