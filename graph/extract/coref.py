"""Simple coreference: "the group", "the militants", "it", "they", "he" to an earlier mention.

The antecedent is the nearest compatible entity named earlier in the same sentence, else the
most salient one: the subjects of the claims of the sentence before (what the report is
talking about), then the most recent mention. Only
named mentions are antecedents, so one wrong guess does not propagate. "It" in "it is likely
that" refers to nothing and is skipped. A pronoun in an opening clause ("In its agreement with
the US, the Taliban …") points forward to the subject after the comma.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from graph.extract.lexicon import Lexicon
from graph.extract.mentions import Mention

_EXPLETIVE_NEXT = {"is", "was", "'s", "’s", "seems", "seemed", "remains", "appears", "appeared", "will", "would"}


class Coreference:
    """Anaphoric phrases in a sentence, each tied to an antecedent or left out."""

    def __init__(self, nlp: Language, lexicon: Lexicon) -> None:
        self._matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._kinds: dict[str, list[str]] = {}
        self._prepositions = lexicon.prepositions
        for name, group in lexicon.coreference.items():
            self._matcher.add(name, list(nlp.tokenizer.pipe(  # type: ignore[union-attr]
            group.phrases)))
            self._kinds[name] = group.kinds

    def phrases(self, doc: Doc) -> list[tuple[str, int, int]]:
        """Every anaphoric phrase of a doc as (class, start, end), for ``find`` to resolve sentence by sentence."""
        return sorted(((doc.vocab.strings[m], s, e) for m, s, e in self._matcher(doc)), key=lambda h: (h[1], -h[2]))

    def find(self, sentence: Span, named: Sequence[Mention], salient: Sequence[str],
             history: Sequence[Mention], kinds_of: dict[str, str],
             phrases: Sequence[tuple[str, int, int]] | None = None,
             unknown: Sequence[tuple[int, int]] = (), lowered: Sequence[str] | None = None) -> list[Mention]:
        """Coreferent mentions in ``sentence`` not overlapping named ones, resolved or dropped.

        ``unknown`` are names the registry lacks. One standing between a pronoun and its
        would-be antecedent, outside a prepositional phrase, is the likelier referent ("A new
        group, Jabhat X, said it attacked …"), so the pronoun is dropped rather than tied to a
        known actor named earlier. ``lowered`` (the doc's lowercased tokens) spares building tokens.
        """
        doc = sentence.doc
        lw = lowered if lowered is not None else [t.lower_ for t in doc]
        found: list[Mention] = []
        if phrases is None:
            phrases = self.phrases(doc)
        hits = [h for h in phrases if sentence.start <= h[1] and h[2] <= sentence.end]
        taken: set[int] = {i for m in named for i in range(m.start, m.end)}
        for label, start, end in hits:
            if any(i in taken for i in range(start, end)):
                continue
            words = lw[start] if end - start == 1 else doc[start:end].text.lower()
            after = lw[end] if end < len(lw) else ""
            if words == "it" and after in _EXPLETIVE_NEXT:
                continue
            kinds = self._kinds[label]
            earlier = [m for m in named if m.end <= start]
            if self._shadowed(lw, start, [m for m in earlier if m.kind in kinds], unknown):
                continue
            # subjects and objects outrank names inside prepositional phrases ("Pakistan closed the
            # crossing on its border with Afghanistan after its guards …": its = Pakistan)
            oblique = [m for m in earlier if self._oblique(lw, m)]
            ranked = oblique + [m for m in earlier if m not in oblique]
            entity_id = self._cataphor(sentence, start, named, kinds) or self._antecedent(
                kinds, ranked, salient, history, kinds_of)
            if entity_id is None:
                continue
            taken.update(range(start, end))
            span = doc[start:end]
            found.append(Mention(start, end, span.start_char, span.end_char, span.text, entity_id,
                                 kinds_of[entity_id], possessive=words in ("its", "their", "his", "her"),
                                 via="coreference"))
        return found

    def _oblique(self, lw: Sequence[str], mention: Mention) -> bool:
        """Whether a mention is the object of a preposition (a determiner may stand between)."""
        before = mention.start - 1
        while before >= 0 and lw[before] in ("the", "a", "an"):
            before -= 1
        return before >= 0 and lw[before] in self._prepositions

    def _shadowed(self, lw: Sequence[str], start: int, compatible: Sequence[Mention],
                  unknown: Sequence[tuple[int, int]]) -> bool:
        """Whether an unknown name sits between the pronoun and the nearest compatible known one."""
        floor = compatible[-1].end if compatible else 0
        return any(floor <= u_start and u_end <= start
                   and (u_start == 0 or lw[u_start - 1] not in self._prepositions)
                   for u_start, u_end in unknown)

    def _cataphor(self, sentence: Span, start: int, named: Sequence[Mention], kinds: Sequence[str]) -> str | None:
        """'In its 2020 agreement with the US, the Taliban promised …': an opening clause's pronoun
        points forward to the subject right after the comma."""
        doc = sentence.doc
        if doc[sentence.start].lower_ not in self._prepositions:
            return None
        comma = next((t.i for t in sentence if t.text == ","), None)
        if comma is None or start > comma:
            return None
        after = [m for m in named if comma < m.start <= comma + 2 and m.kind in kinds]
        return after[0].entity_id if after else None

    @staticmethod
    def _antecedent(kinds: Sequence[str], earlier: Sequence[Mention], salient: Sequence[str],
                    history: Sequence[Mention], kinds_of: dict[str, str]) -> str | None:
        for mention in reversed(earlier):
            if mention.kind in kinds:
                return mention.entity_id
        for entity_id in salient:
            if kinds_of.get(entity_id) in kinds:
                return entity_id
        for mention in reversed(history):
            if mention.kind in kinds:
                return mention.entity_id
        return None
