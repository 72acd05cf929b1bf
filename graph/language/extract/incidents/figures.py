"""Casualty figures as reporting states them: "at least 40", "nearly 200", "dozens", "more than 60", "six".

``parse_figure`` reads the wording of one figure into a ``Count`` (the figure's hedge decides min and max, and the
wording is kept as ``text``); ``read_figures`` finds the figures of a parsed sentence in its tree: the objects of
"killed", "wounding", the subjects of "were killed" and "died", "40 dead", "claimed 40 lives", "left 12 injured",
"the death toll rose to 52". A figure of the attackers themselves ("killing 20 attackers") is marked so, as is a
figure of armed men ("killing 12 militants"), who are victims of an airstrike but attackers of a raid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from spacy.tokens import Span, Token

from graph.domain.model import Count
from graph.language.extract.incidents.words import IncidentWords
from graph.language.extract.tree import children, conjuncts

CasualtyKind = Literal["killed", "injured", "abducted"]
_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+$")
_SPLIT = re.compile(r"[\s\-\u2010-\u2015]+")


@dataclass(frozen=True)
class Figure:
    """One casualty figure of a sentence: what it counts, the count, and the token it hangs on.

    ``victims`` is the noun counted ("policemen"), ``attackers`` says the noun is of the attackers themselves, and
    ``fighters`` that it is of armed men (militants, insurgents). ``toll`` marks a running total ("the death toll
    rose to"), which outranks the figures before it.
    """

    kind: CasualtyKind
    count: Count
    token: Token
    victims: str | None = None
    attackers: bool = False
    fighters: bool = False
    toll: bool = False


def _number(words: list[str], table: dict[str, int]) -> tuple[int, int] | None:
    """A number at the start of ``words`` (digits, or words: "twenty five", "two hundred", "a dozen") and how many
    words it took."""
    if not words:
        return None
    first = words[0]
    if _DIGITS.match(first):
        value, used = int(first.replace(",", "")), 1
        if len(words) > 1 and words[1] in ("hundred", "thousand"):
            value, used = value * table[words[1]], 2
        return value, used
    total, current, used = 0, 0, 0
    for word in words:
        if word not in table or (used and word in ("a", "an", "one", "single") and current):
            break
        value = table[word]
        if value in (100, 1000):
            current = max(current, 1) * value
            if value == 1000:
                total, current = total + current, 0
        elif value == 12 and word == "dozen":
            current = max(current, 1) * 12
        else:
            current += value
        used += 1
    if not used or (used == 1 and words[0] in ("a", "an") and (len(words) == 1 or words[1] not in table)):
        # "a policeman": one, said with the article
        return (1, 1) if used and words[0] in ("a", "an", "single") else None
    return total + current, used


def parse_figure(text: str, words: IncidentWords) -> Count | None:
    """The count a figure's wording states: "at least six" is min 6; "more than 60" min 61; "nearly 200" max 200;
    "40 to 45" min 40 and max 45; "dozens" min 24; "six" min and max 6. None when the wording holds no figure."""
    lowered = _SPLIT.sub(" ", text.strip().lower().replace("\u2013", " to ")).strip()
    lowered = lowered.removeprefix("the ")
    hedge = None
    for group, phrases in (("min", words.min_words), ("above", words.above_words), ("max", words.max_words),
                           ("below", words.below_words), ("about", words.about_words)):
        for phrase in sorted(phrases, key=len, reverse=True):
            if lowered.startswith(phrase + " "):
                hedge, lowered = group, lowered[len(phrase) + 1:]
                break
        if hedge:
            break
    if lowered.startswith("between "):
        lowered, hedge = lowered[len("between "):], "range"
    tokens = lowered.split(" ")
    first = _number(tokens, words.numbers)
    if first is None:
        for phrase, value in sorted(words.quantities.items(), key=lambda item: -len(item[0])):
            if lowered == phrase or lowered.startswith(phrase + " "):
                return Count(min=value, text=text.strip())
        return None
    value, used = first
    rest = tokens[used:]
    if rest and rest[0] in ("to", "and", "or") and len(rest) > 1:
        second = _number(rest[1:], words.numbers)
        if second is not None and second[0] > value:
            return Count(min=value, max=second[0], text=text.strip())
    low: int | None = value
    high: int | None = value
    if hedge == "min":
        high = None
    elif hedge == "above":
        low, high = value + 1, None
    elif hedge == "max":
        low = None
    elif hedge == "below":
        low, high = None, max(value - 1, 0)
    return Count(min=low, max=high, text=text.strip())


class FigureReader:
    """Casualty figures of parsed sentences, read from the tree with the reader's words."""

    def __init__(self, words: IncidentWords) -> None:
        self.words = words

    def read(self, span: Span) -> list[Figure]:
        """Every casualty figure the sentence states, in text order."""
        found: list[Figure] = []
        taken: set[int] = set()
        # verbs first: "26 hostages died" counts the killed, though "26 hostages" alone would count the abducted
        ordered = sorted(span, key=lambda t: (not (t.pos_ in ("VERB", "AUX") or t.tag_.startswith("VB")), t.i))
        for token in ordered:
            for figure in self._at(token):
                if figure.token.i not in taken:
                    taken.add(figure.token.i)
                    found.append(figure)
        return sorted(found, key=lambda f: f.token.i)

    def _kind(self, token: Token) -> CasualtyKind | None:
        w = self.words
        lemma = token.lemma_.lower()
        if lemma in w.killed_verbs or (lemma == "shoot" and any(c.lower_ == "dead" for c in token.children)):
            return "killed"
        if lemma in w.injured_verbs:
            return "injured"
        if lemma in w.abducted_verbs or (lemma in ("take", "hold") and any(
                c.lower_ in ("hostage", "captive", "hostages", "captives") for c in token.children)):
            return "abducted"
        return None

    def _at(self, token: Token) -> list[Figure]:  # noqa: PLR0911 - one shape of figure per return
        w = self.words
        lower = token.lower_
        if token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB"):
            if token.lemma_.lower() == "leave":  # "left 12 dead and 30 injured"
                return self._left(token)
            if token.lemma_.lower() == "claim" and any(c.lower_ in ("lives", "life") for c in children(token, "dobj")):
                lives = next(c for c in children(token, "dobj") if c.lower_ in ("lives", "life"))
                return self._of(lives, "killed", counted=lives)
            kind = self._kind(token)
            if kind is None:
                return []
            if any(c.dep_ in ("nsubjpass", "auxpass") for c in token.children) or token.dep_ in ("acl", "amod"):
                victim = next((c for c in token.children if c.dep_ == "nsubjpass"), None)
                if victim is None and token.dep_ in ("acl", "amod"):
                    victim = token.head  # "40 people killed in the blast"
                return self._of(victim, kind) if victim is not None else []
            if token.lemma_.lower() == "die":
                subject = next((c for c in token.children if c.dep_ == "nsubj"), None)
                return self._of(subject, kind) if subject is not None else []
            objects = children(token, "dobj")
            return [f for obj in objects for f in self._of(obj, kind)]
        if lower in w.toll_words or token.lemma_.lower() in w.toll_words:
            return self._toll(token)
        if token.pos_ in ("NOUN", "ADJ", "PROPN") and (lower in w.killed_words or lower in w.injured_words
                                                       or lower in w.abducted_words):
            number = next((c for c in token.children if c.dep_ == "nummod"), None)
            if number is None:
                return []
            said: CasualtyKind = "killed" if lower in w.killed_words else \
                "injured" if lower in w.injured_words else "abducted"
            return self._of(token, said, counted=token)
        return []

    def _left(self, verb: Token) -> list[Figure]:
        """ "left 12 dead": the object counted, the adjective saying how."""
        found = []
        for obj in children(verb, "dobj"):
            said = [t.lower_ for t in obj.subtree] + [c.lower_ for c in verb.children]
            kind: CasualtyKind | None = "killed" if set(said) & self.words.killed_words else \
                "injured" if set(said) & self.words.injured_words else None
            if kind is not None:
                found += self._of(obj, kind)
        return found

    def _toll(self, noun: Token) -> list[Figure]:
        """ "The death toll rose to 52", "the toll stood at 40": the number the toll's verb reaches."""
        verb = noun.head
        for token in verb.subtree:
            if token.i > noun.i and token.like_num and token.dep_ in ("pobj", "attr", "dobj", "nummod", "npadvmod"):
                count = self._figure_of(token)
                if count is not None:
                    return [Figure("killed", count, token, "toll", toll=True)]
        return []

    def _of(self, victim: Token, kind: CasualtyKind, *, counted: Token | None = None) -> list[Figure]:
        """The figures a victim phrase (and its conjuncts: "six policemen and two civilians") states, summed."""
        figures = []
        for part in conjuncts(victim) if counted is None else [victim]:
            count = self._figure_of(part)
            if count is None:
                continue
            noun = self._noun(part)
            lemma = noun.lemma_.lower() if noun is not None else None
            lowered = noun.lower_ if noun is not None else None
            attackers = bool({lemma, lowered} & self.words.attacker_nouns) or self._attacker_words(part)
            fighters = bool({lemma, lowered} & self.words.fighter_nouns)
            figures.append(Figure(kind, count, part, lowered, attackers=attackers, fighters=fighters))
        if len(figures) > 1:
            return [self._sum(figures)]
        return figures

    def _attacker_words(self, token: Token) -> bool:
        """ "the attackers", "two of the assailants", "the bomber himself"."""
        for pobj in (g for c in token.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children):
            if pobj.lower_ in self.words.attacker_nouns:
                return True
        return False

    def _noun(self, token: Token) -> Token | None:
        """The noun a figure counts: the token itself, or what "dozens of" counts."""
        if token.like_num:
            return None
        if token.lower_ in self.words.quantities or token.lower_ in ("dozen", "hundred", "thousand"):
            for prep in children(token, "prep"):
                for pobj in children(prep, "pobj"):
                    return pobj
            return None
        return token

    def _figure_of(self, token: Token) -> Count | None:
        """The count of a phrase headed by ``token``: its words from the left edge to the head, read as a figure."""
        doc = token.doc
        start = token.left_edge.i
        while start < token.i and doc[start].dep_ in ("det", "poss", "punct", "case") and \
                doc[start].lower_ not in ("a", "an"):
            start += 1
        text = doc[start:token.i + 1].text
        if token.like_num or token.lower_ in self.words.quantities:
            count = parse_figure(text, self.words)
            if count is not None:
                return count
        number = next((c for c in token.children if c.dep_ in ("nummod", "quantmod")), None)
        if number is None and token.tag_ in ("NN", "NNP") and any(
                c.dep_ == "det" and c.lower_ in ("a", "an") for c in token.children):
            return Count(min=1, max=1, text=text)  # "killing a policeman"
        if number is None and token.tag_ == "NN" and token.dep_ == "conj" and any(
                c.dep_ in ("det", "poss") for c in token.children):
            return Count(min=1, max=1, text=text)  # "five engineers and their driver"
        if number is None and token.lower_ not in self.words.quantities:
            return None
        return parse_figure(text, self.words)

    @staticmethod
    def _sum(figures: list[Figure]) -> Figure:
        """Coordinated figures of one verb as one: "six policemen and two civilians" is eight."""
        low = sum(f.count.min or 0 for f in figures) if all(f.count.min is not None for f in figures) else None
        high = sum(f.count.max or 0 for f in figures) if all(f.count.max is not None for f in figures) else None
        victims = [f for f in figures if not f.attackers]
        if len(victims) != len(figures):
            if not victims:
                return figures[0]
            return FigureReader._sum(victims) if len(victims) > 1 else victims[0]
        text = " and ".join(f.count.text or "" for f in figures)
        first = figures[0]
        return Figure(first.kind, Count(min=low, max=high, text=text), first.token, first.victims,
                      fighters=all(f.fighters for f in figures))
