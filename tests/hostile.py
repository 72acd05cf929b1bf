"""Hypothesis strategies for hostile input: the material the property tests of the loader, the question
reader and the extractor draw on. Real names, types and phrasings from the seeds and the ontology are
mixed with Cypher fragments, markup, control characters, odd Unicode and wrong types, so that examples
reach deep into each reader instead of failing at its first check."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graph.domain.ontology import load_ontology
from graph.services.loader import CLAIM_FIELDS
from tests.bundles import BASE_CLAIM

ONTOLOGY = load_ontology()
NAMES = ["IS-K", "isk", "ISKP", "Islamic State Khorasan Province", "Taliban", "Tajikistan", "Dushanbe", "Pakistan",
         "Islamabad", "Kabul", "Uzbekistan", "Iran", "China", "Beijing", "Uyghurs", "TTP", "Takhar", "Andrew Mines",
         "Riccardo Valle", "RFE/RL", "rferl", "the group", "the militants", "they", "it", "Zarnigor Brigade"]
TYPES = sorted(ONTOLOGY.relation_types)
STATUSES = list(ONTOLOGY.statuses)
CYPHER = ["' OR 1=1 //", '"}) MATCH (n) DETACH DELETE n //', "`ATTACKED`", "$ids", "]->(x) SET x.hacked = true",
          "\\'; CALL dbms.killQueries([]) //", "MERGE (n:Hacked) RETURN n", "{}", "[]", "null"]
MARKUP = ["<script>alert(1)</script>", "<b>", "</p>", "<!-- x -->", "<!doctype html>", "&amp;", "<10 killed"]
ODD = ["\x00", "\x07", "\x1b[31m", "\u202e", "\ufeff", "\u200b", "\ud800", "\U0001f4a3", "Ω", "ـ", "\r\n", "\t",
       "’", "“", "”", "—", "…", "\\", "'", '"']
DATES = ["2022", "2022-05", "2022-05-07", "2022-02-30", "2022-13", "0000", "9999-12-31", "2022-5-7", "May 7",
         "20220507", "-2022", "2022-05-07T00:00:00Z", ""]
WORDS = ["attacked", "denied", "claimed", "said", "says", "accused", "fired rockets at", "seeks to provoke",
         "recruits from", "allied with", "on May 7", "last month", "in 2022", "since April", "who", "whom",
         "trying to provoke", "is", "are", "the", "and", "of", "not", "did not attack", "according to", ".", ",",
         "?", "\n", "\n\n", "“", "”"]

fragments = st.sampled_from(NAMES + TYPES + STATUSES + CYPHER + MARKUP + ODD + DATES + WORDS)
text = st.one_of(st.text(max_size=60), st.lists(st.one_of(fragments, st.text(max_size=8)), max_size=24).map(" ".join))
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), text)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
                      max_leaves=8)


def claim_field(name: str) -> st.SearchStrategy[Any]:
    """A value for one claim field: often a plausible one, often anything at all."""
    plausible: dict[str, st.SearchStrategy[Any]] = {
        "subject": st.sampled_from(NAMES), "object": st.sampled_from(NAMES), "asserted_by": st.sampled_from(NAMES),
        "location": st.sampled_from(NAMES), "type": st.sampled_from(TYPES), "status": st.sampled_from(STATUSES),
        "date": st.sampled_from(DATES), "end_date": st.sampled_from(DATES), "confidence": st.floats(-1, 2),
        "span": st.lists(st.integers(-10, 10_000), min_size=0, max_size=3),
    }
    return st.one_of(plausible.get(name, text), values)


_DROP = object()
_changes = st.lists(st.sampled_from([*CLAIM_FIELDS, "sbject", "extra"]).flatmap(
    lambda name: st.tuples(st.just(name), st.one_of(st.just(_DROP), claim_field(name)))), max_size=3)


def _changed(changes: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(BASE_CLAIM)
    for name, value in changes:
        if value is _DROP:
            record.pop(name, None)
        else:
            record[name] = value
    return record


# A valid claim with up to three fields changed, dropped or added: most reach the deeper checks.
claim_records = st.one_of(
    _changes.map(_changed),
    st.fixed_dictionaries({}, optional={name: claim_field(name) for name in CLAIM_FIELDS}),
)

questions = st.one_of(
    text,
    st.lists(st.sampled_from(NAMES + WORDS + DATES + CYPHER + ODD), min_size=1, max_size=14).map(" ".join),
    st.tuples(st.sampled_from(["who is {} trying to provoke?", "who attacked {}?", "how is {} connected to {}?",
                               "what do we know about {}?", "which claims about {} are disputed?",
                               "who attacked {} in {}?", "who attacked {} between {} and {}?"]),
              st.lists(st.one_of(st.sampled_from(NAMES + DATES + CYPHER + MARKUP), text), min_size=3, max_size=3))
    .map(lambda t: t[0].format(*t[1])),
)
