"""Finding the registry's entities in text: names, aliases, metonyms, demonyms and their variants.

One ``PhraseMatcher`` holds every name and alias in case-folded form plus hyphen and spacing
variants ("IS-K", "ISK", "IS K"); all-capital aliases ("US", "TTP") match only in capitals so
that "us" is never the United States. Each match is resolved by ``AliasIndex.resolve`` at the
report's date, which applies alias windows ("Kabul" is the Taliban only from August 2021).
A demonym shared by a state and a people ("Uzbek", "Tajik") is read from the next word:
"Uzbek officials" is the state, "ethnic Uzbek" and "Uzbek descent" the people; otherwise it
is left unresolved rather than guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from graph.domain.dates import PartialDate
from graph.domain.errors import AmbiguousName, EntityNotFound
from graph.domain.model import Entity
from graph.domain.names import AliasIndex
from graph.language.extract.lexicon import Lexicon

_POSSESSIVE = {"'s", "’s", "'", "’"}


class Mention(NamedTuple):
    """An entity named in a sentence: token and character offsets, the entity, how it was found."""

    start: int
    end: int
    start_char: int
    end_char: int
    text: str
    entity_id: str
    kind: str
    possessive: bool = False
    via: str = "name"  # name | demonym | coreference | event (the target of an attack told before)

    @property
    def inferred(self) -> bool:
        """True when the entity was inferred (a pronoun or a demonym's reading), not named."""
        return self.via != "name"


def variants(name: str) -> set[str]:
    """Spellings reporting uses for one name: as given, and with hyphens as spaces or removed."""
    forms = {name, name.replace("-", " "), name.replace("-", ""), name.replace("’", "'"), name.replace("'", "’")}
    if " " in name and len(name.split()) == 2:
        forms.add(name.replace(" ", "-"))
    return {f.strip() for f in forms if f.strip()}


class MentionFinder:
    """Entity mentions in docs, from one registry of entities."""

    def __init__(self, nlp: Language, entities: Iterable[Entity], lexicon: Lexicon) -> None:
        self.entities = list(entities)
        self.index = AliasIndex(self.entities)
        self.lexicon = lexicon
        self._folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        folded: set[str] = set()
        self._lowercase_ok: set[str] = set()
        exact: set[str] = set()
        for entity in self.entities:
            for name in [entity.name, *(a.name for a in entity.aliases)]:
                for form in variants(name):
                    letters = [c for c in form if c.isalpha()]
                    if len(letters) <= 5 and letters and all(c.isupper() for c in letters):
                        exact.add(form)
                    else:
                        folded.add(form.lower())
                        if form[0].islower():
                            self._lowercase_ok.add(form.lower())
        self._cache: dict[tuple[str, PartialDate | None], tuple[Entity | None, str]] = {}
        owners: dict[str, set[str]] = {}
        for entity in self.entities:
            for name in [entity.name, *(a.name for a in entity.aliases)]:
                owners.setdefault(name.lower(), set()).add(entity.id)
        self._shared = {name for name, ids in owners.items() if len(ids) > 1}
        self._folded.add("NAME", list(nlp.tokenizer.pipe(  # type: ignore[union-attr]
            sorted(folded))))
        self._exact.add("NAME", list(nlp.tokenizer.pipe(  # type: ignore[union-attr]
            sorted(exact))))

    def find(self, doc: Doc, at: PartialDate | None, offsets: Sequence[tuple[int, int]] | None = None,
             text: str | None = None) -> tuple[list[Mention], list[Span]]:
        """Mentions in ``doc``, longest match first; and the spans that named nothing unambiguously.

        ``offsets`` (each token's start and end character) spares building spaCy tokens when the
        caller already has them, as ``text`` (the doc's text) does.
        """
        matches = sorted({(s, e) for _, s, e in self._folded(doc)} | {(s, e) for _, s, e in self._exact(doc)},
                         key=lambda m: (m[0] - m[1], m[0]))
        if not matches:
            return [], []
        taken: set[int] = set()
        chosen = []
        for start, end in matches:  # longest first, then leftmost, as spaCy's filter_spans
            if not taken.intersection(range(start, end)):
                chosen.append((start, end))
                taken.update(range(start, end))
        text = doc.text if text is None else text
        mentions: list[Mention] = []
        unresolved: list[Span] = []
        if offsets is None:
            offsets = [(t.idx, t.idx + len(t.text)) for t in doc]
        size = len(offsets)
        for start, end in sorted(chosen):
            start_char, end_char = offsets[start][0], offsets[end - 1][1]
            surface = text[start_char:end_char]
            if surface[0].islower() and surface.lower() not in self._lowercase_ok and not self._particled(surface):
                continue  # "mines" is not Andrew Mines: a capitalised name must be capitalised in the text
            entity, via = self._entity(doc, start, end, surface, at)
            if entity is None:
                if via == "ambiguous":
                    unresolved.append(doc[start:end])
                continue
            after = text[offsets[end][0]:offsets[end][1]] if end < size else ""
            mentions.append(Mention(start, end, start_char, end_char, surface, entity.id, entity.kind,
                                    possessive=after in _POSSESSIVE or surface.endswith(("'s", "’s")), via=via))
        return mentions, unresolved

    def _particled(self, surface: str) -> bool:
        """A name opening with a lowercase Arabic particle ("al-Qaeda", "al-Shabaab") is still capitalised."""
        head, _, rest = surface.replace("-", " ", 1).partition(" ")
        return head.lower() in self.lexicon.name_particles and rest[:1].isupper()

    def _entity(self, doc: Doc, start: int, end: int, surface: str,
                at: PartialDate | None) -> tuple[Entity | None, str]:
        if surface.lower() in self._shared:
            return self._resolve(doc[start:end], at)  # a shared demonym is read from its neighbours: never cached
        key = (surface, at)
        if key not in self._cache:
            self._cache[key] = self._resolve(doc[start:end], at)
        return self._cache[key]

    def _resolve(self, span: Span, at: PartialDate | None) -> tuple[Entity | None, str]:
        try:
            entity = self.index.resolve(span.text, at)
        except EntityNotFound:
            return None, "unknown"
        except AmbiguousName as error:
            reading = self._reading(span, error.candidates)
            return (reading, "demonym") if reading is not None else (None, "ambiguous")
        # a lowercase alias in a capitalised name is no mention of it ("the Afghan" is fine)
        return entity, "name"

    def _reading(self, span: Span, candidates: list[dict[str, object]]) -> Entity | None:
        """Pick the state or the people a shared demonym means, from its neighbours; else None."""
        kinds = {str(c["kind"]): str(c["id"]) for c in candidates}
        if set(kinds) != {"state", "community"} or len(candidates) != 2:
            return None
        doc = span.doc
        before = doc[span.start - 1].lower_ if span.start > 0 else ""
        after = doc[span.end].lower_ if span.end < len(doc) else ""
        if before in self.lexicon.community_markers or after in self.lexicon.community_nouns:
            return self.index.get(kinds["community"])
        if after in self.lexicon.state_nouns:
            return self.index.get(kinds["state"])
        return None
