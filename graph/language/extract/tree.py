"""Small readings of spaCy's dependency tree that the slot and attribution rules share.

Labels are ClearNLP's, as spaCy's English pipelines use them: ``nsubj``/``nsubjpass`` for
subjects, ``dobj`` for objects, ``agent`` for the "by" of a passive, ``prep``/``pobj`` for
prepositional phrases, ``conj`` for coordination, ``xcomp``/``ccomp`` for complement clauses,
``relcl``/``acl`` for clauses that modify a noun, ``appos`` for appositions.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Token

SUBJECTS = ("nsubj", "nsubjpass", "csubj")
OBJECTS = ("dobj", "obj", "attr", "oprd", "dative")
VERBAL = ("VERB", "AUX")
NOMINAL = ("NOUN", "PROPN", "PRON", "NUM", "X")
# clauses whose subject, when they have none of their own, is their head's: "vowed to attack",
# "attacked X, killing", "sought to provoke"
SHARED_SUBJECT = ("xcomp", "advcl", "conj", "pcomp")


def children(token: Token, *deps: str) -> list[Token]:
    """The token's children with one of these dependency labels, left to right."""
    return [c for c in token.children if c.dep_ in deps]


def child(token: Token, *deps: str) -> Token | None:
    """The first child with one of these labels."""
    return next((c for c in token.children if c.dep_ in deps), None)


def preps(token: Token, *words: str) -> list[Token]:
    """Objects of the token's prepositions, optionally only of these prepositions ("on", "against")."""
    found: list[Token] = []
    for prep in token.children:
        if prep.dep_ not in ("prep", "agent", "dative") or (words and prep.lower_ not in words):
            continue
        found.extend(c for c in prep.children if c.dep_ in ("pobj", "pcomp"))
    return found


def conjuncts(token: Token) -> list[Token]:
    """The token and those coordinated with it ("China, Iran and Uzbekistan"), in text order."""
    return sorted([token, *token.conjuncts], key=lambda t: t.i)


def is_passive(verb: Token) -> bool:
    """A verb in the passive voice ("was claimed by", "were killed")."""
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children) or (
        verb.tag_ == "VBN" and child(verb, "agent") is not None)


def agent(verb: Token) -> Token | None:
    """The noun of a passive's "by" phrase."""
    for c in verb.children:
        if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by"):
            return next((g for g in c.children if g.dep_ == "pobj"), None)
    return None


def clause_head(token: Token) -> Token:
    """The verb (or, for a verbless phrase, the root) that the token's clause hangs on."""
    current = token
    while current.pos_ not in VERBAL and current.dep_ != "ROOT" and current.head != current:
        current = current.head
    return current


def ancestors(token: Token) -> Iterator[Token]:
    """From the token's head up to the root."""
    current = token
    while current.head != current:
        current = current.head
        yield current


def path_up(token: Token, ancestor: Token) -> list[Token]:
    """The tokens from ``token`` (included) up to ``ancestor`` (excluded)."""
    path = [token]
    current = token
    while current.head not in (current, ancestor):
        current = current.head
        path.append(current)
    return path


def negated(token: Token) -> bool:
    """The token carries a negation ("did not attack", "never claimed", "no attacks on")."""
    return any(c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no") for c in token.children)


def distance(a: Token, b: Token) -> int:
    """Arcs between two tokens of one sentence."""
    up_a = [a, *ancestors(a)]
    up_b = [b, *ancestors(b)]
    index_b = {t.i: n for n, t in enumerate(up_b)}
    for n, t in enumerate(up_a):
        if t.i in index_b:
            return n + index_b[t.i]
    return len(up_a) + len(up_b)


def word_in(token: Token, words: frozenset[str] | set[str]) -> bool:
    """The token's word or its lemma is in ``words`` (the lemmatizer errs: "waged" comes out as "wag")."""
    return token.lower_ in words or token.lemma_.lower() in words
