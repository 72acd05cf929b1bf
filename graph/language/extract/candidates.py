"""Names the registry lacks, proposed from the pipeline's named entities, never created.

Only what the statistical recogniser calls an organisation, a place, a nationality or a person
(ORG, GPE, NORP, PERSON, and LOC and FAC for places) is proposed, with its sentence and span; a
run of capitalised words is not a name on its own ("Investigating Report That"), and headlines,
whose every word is capitalised, propose nothing. A name that several registry entities share is
proposed too, as ambiguous, so that the curator can tell them apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.domain.names import AliasIndex
from graph.language.extract.document import Sentence
from graph.language.extract.lexicon import Lexicon

LABELS = frozenset({"ORG", "GPE", "NORP", "PERSON", "LOC", "FAC"})


@dataclass
class Candidate:
    """A name the registry does not resolve, with the sentences it occurs in."""

    name: str
    reason: str
    sentences: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    label: str | None = None


class Candidates:
    """Proposes candidate names sentence by sentence."""

    def __init__(self, lexicon: Lexicon, index: AliasIndex) -> None:
        self.lexicon = lexicon
        self.index = index

    def of(self, sentence: Sentence) -> list[Candidate]:
        """This sentence's unknown and ambiguous names, in order."""
        found = [Candidate(span.text, "ambiguous: names more than one entity here", [sentence.text],
                           [(sentence.start, sentence.end)]) for span in sentence.unresolved]
        if sentence.headline:
            return found
        named = {m.start for m in sentence.mentions}
        for ent in sentence.span.ents:
            if ent.label_ not in LABELS or any(t.i in named for t in ent):
                continue
            text = ent.text.strip()
            if text.lower().startswith("the "):
                text = text[4:]
            words = text.lower().replace("'s", "").replace("’s", "").split()
            if not words or not any(c.isupper() for c in text) or all(w in self.lexicon.not_names for w in words):
                continue
            if self._known(text):
                continue
            found.append(Candidate(text.removesuffix("'s").removesuffix("’s"), "not in the registry",
                                   [sentence.text], [(sentence.start, sentence.end)], label=ent.label_))
        return found

    def _known(self, text: str) -> bool:
        # a key lookup, not ``resolve``: resolving an unknown name ranks near misses, which costs more than the parse
        return self.index.knows(text)
