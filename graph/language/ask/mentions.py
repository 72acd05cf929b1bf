"""The registry's names in a question: found on the tokens, resolved, and merged into one token each.

One ``PhraseMatcher`` holds every name and alias (case-folded, with hyphen and apostrophe
variants), built once per registry; a question's names are then found in one pass. A name
becomes a single token before the tagger and parser run, so "Islamic State Khorasan Province"
or "IS-K" is one proper noun to them, as in the extractor. Lowercase words that are also
aliases ("us", "is", "mines") are names only when written as the alias is.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from graph.domain.errors import AmbiguousName, EntityNotFound
from graph.domain.model import Entity
from graph.domain.names import AliasIndex, fold, name_key

# A misspelt name is read as the closest one only when it is this close (difflib's ratio on the folded
# keys), at least this long, and no other entity comes within the margin of it.
CLOSE = 0.84
CLOSE_MIN_LETTERS = 5
CLOSE_MARGIN = 0.08
_JOINERS = frozenset({"al", "el", "bin", "ibn", "abu", "ul", "ud", "e", "i"})


@dataclass(frozen=True)
class Found:
    """A name in the question: its token span (before merging), what it says, the entity, and whether it was the
    closest name to a misspelling rather than a name the registry has."""

    start: int
    end: int
    text: str
    entity: Entity
    close: bool = False
    now: bool = False  # a name of several entities over time, read as it stands now (the question gives no date)


def _forms(name: str) -> set[str]:
    """Spellings of one name a question may use: as given, hyphens as spaces or dropped, either apostrophe."""
    folded = fold(name)
    forms = {folded, folded.replace("-", " "), folded.replace("-", ""), folded.replace("'", "")}
    return {" ".join(f.split()) for f in forms if f.strip()}


class NameFinder:
    """Every name of a registry, matched on question tokens; built once, read by any number of threads."""

    def __init__(self, nlp: Language, entities: Iterable[Entity], not_names: Iterable[str],
                 today: str | None = None) -> None:
        self.today = today  # the date "now" means (tests fix it); None: the day the question is read
        self.entities = {e.id: e for e in entities}
        self.index = AliasIndex(self.entities.values())
        self.not_names = frozenset(not_names)
        # How the registry spells names that are also words: "IS", "US", "Mines" name only when spelled so.
        self._spelled = frozenset(n for e in self.entities.values() for n in (e.name, *(a.name for a in e.aliases)))
        self._matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        forms: set[str] = set()
        for entity in self.entities.values():
            for name in (entity.name, *(a.name for a in entity.aliases)):
                forms |= _forms(name)
        tokenizer = nlp.tokenizer
        self._matcher.add("NAME", list(tokenizer.pipe(sorted(forms))))  # type: ignore[union-attr]

    def find(self, doc: Doc, at: str | None = None) -> list[Found]:
        """Names in a tokenized question, longest first and never overlapping, in question order.

        ``AmbiguousName`` when a name stands for several entities (at ``at``, if the question gives
        a date); an alias that held only at other times still names its entity when nothing else does.
        """
        spans = sorted({(s, e) for _, s, e in self._matcher(doc)}, key=lambda m: (m[0] - m[1], m[0]))
        taken: set[int] = set()
        found: list[Found] = []
        for start, end in spans:
            if taken.intersection(range(start, end)):
                continue
            text = doc[start:end].text
            if fold(text) in self.not_names and text not in self._spelled:
                continue  # "us", "Is", "mines": words before they are names
            entity, now = self.resolve(text, at)
            found.append(Found(start, end, text, entity, now=now))
            taken.update(range(start, end))
        return sorted(found, key=lambda f: f.start)

    def close_names(self, doc: Doc, found: list[Found], at: str | None = None) -> list[Found]:
        """``found`` with misspelt names added ("Kandhar", "Tajikstan", "Ricardo Valle"): a run of capitalised words
        no name covers (with any name it touches) read as the one entity whose name is clearly the closest.

        Clearly: a similarity of at least ``CLOSE`` and no other entity near it; anything less stays unread, so the
        question is refused with suggestions rather than answered about another entity.
        """
        taken = {i for f in found for i in range(f.start, f.end)}
        runs: list[tuple[int, int]] = []
        start: int | None = None
        for token in [*doc, None]:
            capital = token is not None and token.text[:1].isupper() and token.is_alpha and (
                token.i > 0 or token.i in taken) and not token.is_stop
            # "al-", "bin" join the parts of one name: "Abu Bakr al-Baghdadi" is one unknown name, not "Baghdad"
            joiner = token is not None and start is not None and (token.text == "-" or token.lower_ in _JOINERS)
            if capital and start is None and token is not None:
                start = token.i
            elif not capital and not joiner and start is not None:
                end = token.i if token is not None else len(doc)
                while end > start and (doc[end - 1].text == "-" or doc[end - 1].lower_ in _JOINERS):
                    end -= 1
                runs.append((start, end))
                start = None
        added: list[Found] = []
        for first, last in runs:
            if all(i in taken for i in range(first, last)):
                continue
            text = doc[first:last].text
            entity = self._closest(text)
            inside = {f.entity.id for f in found if f.start < last and first < f.end}
            if entity is not None and (not inside or inside == {entity.id}):
                # A run that holds a name the registry has may only be read as that name spelt more fully
                # ("Ricardo Valle"), never as another ("Valle T" is not Valletta).
                added.append(Found(first, last, text, entity, close=True))
        if not added:
            return found
        covered = {i for f in added for i in range(f.start, f.end)}
        kept = [f for f in found if not covered.intersection(range(f.start, f.end))]
        return sorted(kept + added, key=lambda f: f.start)

    def _closest(self, text: str) -> Entity | None:
        key = name_key(text)
        if len(key) < CLOSE_MIN_LETTERS:
            return None
        # Spelt alike as a whole: a name that merely begins like another ("Central Asian …") is not a misspelling.
        scored = sorted(((difflib.SequenceMatcher(None, key, name_key(m.matched)).ratio(), m.entity)
                         for m in self.index.search(text, limit=5, fuzzy_cutoff=CLOSE)),
                        key=lambda pair: -pair[0])
        close = [(ratio, entity) for ratio, entity in scored if ratio >= CLOSE]
        if not close:
            return None
        best_ratio, best = close[0]
        rivals = [e for ratio, e in close[1:] if e.id != best.id and ratio >= best_ratio - CLOSE_MARGIN]
        return None if rivals else best

    def resolve(self, name: str, at: str | None = None) -> tuple[Entity, bool]:
        """The entity a name stands for, at the question's date when it gives one ("Kabul" in 2022); and whether it
        was read as it stands now, because the question gives no date and the name's entities differ over time
        ("has Kabul denied anything": the Taliban since August 2021). ``AmbiguousName`` when no date decides."""
        if at is not None:
            try:
                return self.index.resolve(name, at), False
            except EntityNotFound:
                pass  # an alias that held only at other times still names its entity when the question is undated
        try:
            return self.index.resolve(name), False
        except AmbiguousName as ambiguous:
            if at is not None:
                raise
            try:
                return self.index.resolve(name, self.today or date.today().isoformat()), True
            except (AmbiguousName, EntityNotFound):
                raise ambiguous from None


def merge(doc: Doc, found: list[Found]) -> dict[int, Found]:
    """Merge each name into one token (in place); the name at each merged token's index."""
    with doc.retokenize() as retokenizer:
        for name in found:
            if name.end - name.start > 1:
                retokenizer.merge(doc[name.start:name.end])
    names: dict[int, Found] = {}
    shift = 0
    for name in found:
        names[name.start - shift] = name
        shift += name.end - name.start - 1
    return names
