"""The reader's word lists are data (graph/language/extract/lexicon.yaml): the reading follows the lexicon it is
given, so a list moved out of the code is read from the file and nowhere else."""

from __future__ import annotations

from typing import Any

import pytest

from graph.domain.model import Entity
from graph.domain.ontology import Ontology
from graph.language.extract.lexicon import load_lexicon
from graph.language.extract.pipeline import Extractor
from graph.language.extract.text import ReportInput

Read = set[tuple[str, str, str, str, str]]


def _read(extractor: Extractor, text: str) -> Read:
    result = extractor.run(ReportInput(text=text, published="2022-05-20", outlet_id="rferl", title="test"))
    return {(c.subject, c.type, c.object, c.status, c.asserted_by) for c in result.claims}


@pytest.mark.parametrize(("entry", "text", "with_it", "without_it"), [
    # a two-word cue's preposition found among the verb's dependents ("operates in" in "had operated freely in")
    ("cue_prepositions", "The TTP had operated freely in Afghanistan for years.",
     {("ttp", "OPERATES_IN", "afghanistan", "reported", "rferl")}, set()),
    # "he" stands for the analyst named before, who asserts what he adds
    ("pronoun_kinds", "Mines says IS-K is a staunch enemy of Pakistan. He adds that the group threatens Iran.",
     {("isk", "OPPOSES", "pakistan", "assessed", "andrew-mines"),
      ("isk", "THREATENS", "iran", "assessed", "andrew-mines")},
     {("isk", "OPPOSES", "pakistan", "assessed", "andrew-mines"), ("isk", "THREATENS", "iran", "reported", "rferl")}),
    # the accused is the agent of what it is accused of, alleged by the accuser
    ("accusing_verbs", "Iran accused Pakistan of sheltering Jaish al-Adl.",
     {("iran", "ACCUSED", "pakistan", "alleged", "iran"), ("pakistan", "HOSTS", "jaish-al-adl", "alleged", "iran")},
     {("iran", "ACCUSED", "pakistan", "alleged", "iran"), ("iran", "HOSTS", "jaish-al-adl", "reported", "rferl")}),
])
def test_the_reading_follows_the_lexicon_entry(ontology: Ontology, registry: list[Entity], entry: str, text: str,
                                               with_it: Read, without_it: Read) -> None:
    lexicon = load_lexicon()
    emptied: dict[str, Any] = {"pronoun_kinds": {k: v for k, v in lexicon.pronoun_kinds.items() if k != "he"}}
    changed = lexicon.model_copy(update={entry: emptied.get(entry, frozenset())})
    assert _read(Extractor(ontology, registry, lexicon=lexicon, relations=None), text) == with_it
    assert _read(Extractor(ontology, registry, lexicon=changed, relations=None), text) == without_it

