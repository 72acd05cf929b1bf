"""Follow-ups read against the previous query: a new time, another entity in the same slot, the denials of what
was found; on both stores, the answer the same as the whole question's."""

from __future__ import annotations

import pytest

from graph.language.ask import AskQuery, QuestionReader, ask, run
from graph.stores.protocol import GraphStore


def followed(store: GraphStore, reader: QuestionReader, question: str, previous: AskQuery) -> tuple[set[str], AskQuery]:
    read = reader.follow(question, previous)
    assert read is not None, question
    answer = run(store, reader.ontology, read.query, question=question, reading=read.reading)
    assert "follow-up of the previous question" in " ".join(answer.reading.notes if answer.reading else [])
    return {c.id for c in answer.claims}, read.query


@pytest.mark.parametrize(("first", "follow", "whole"), [
    ("who attacked Tajikistan?", "and in 2021?", "who attacked Tajikistan in 2021?"),
    ("who attacked Tajikistan?", "and since April 2022?", "who attacked Tajikistan since April 2022?"),
    ("who attacked Tajikistan?", "what about Uzbekistan?", "who attacked Uzbekistan?"),
    ("who is IS-K trying to provoke?", "what about Iran?", "who is Iran trying to provoke?"),
    ("who did IS-K attack in 2021?", "and in 2022?", "who did IS-K attack in 2022?"),
])
def test_a_follow_up_answers_as_the_whole_question(seeded: GraphStore, reader: QuestionReader, first: str,
                                                  follow: str, whole: str) -> None:
    previous = ask(seeded, reader, first).query
    claims, query = followed(seeded, reader, follow, previous)
    expected = ask(seeded, reader, whole)
    assert claims == {c.id for c in expected.claims}
    assert (query.shape, query.types, query.subject, query.object, query.since, query.until) == \
        (expected.query.shape, expected.query.types, expected.query.subject, expected.query.object,
         expected.query.since, expected.query.until)


def test_who_denied_it_finds_the_denials_of_what_was_found(seeded: GraphStore, reader: QuestionReader) -> None:
    previous = ask(seeded, reader, "who attacked Uzbekistan?")
    read = reader.follow("who denied it?", previous.query)
    assert read is not None and read.query.shape == "denials"
    answer = run(seeded, reader.ontology, read.query)
    denials = {c.id for c in answer.claims if c.type == reader.ontology.denial_type}
    disputed = {d for c in previous.claims for d in c.disputed_by}
    assert denials == disputed and denials  # exactly the denials disputing the claims found
    assert {a.id for a in answer.answers} == {"uzbekistan", "taliban"}


@pytest.mark.parametrize("question", ["who attacked Uzbekistan?", "what happened in Kunduz?",
                                      "is IS-K allied with the Taliban?", "who denied the Termez attack?"])
def test_a_whole_question_is_not_a_follow_up(reader: QuestionReader, question: str) -> None:
    previous = AskQuery(shape="relation", types=["ATTACKED"], direction="in", object="tajikistan")
    assert reader.follow(question, previous) is None
