"""Every reading says how it read and how sure it is; a refusal says what it did read and offers on-topic
suggestions built from it."""

from __future__ import annotations

import pytest

from graph.domain.errors import QuestionNotUnderstood
from graph.language.ask import QuestionReader
from graph.language.ask.parse import DOUBT, REFUSE_BELOW


def test_a_question_read_as_typed_is_read_with_full_confidence(reader: QuestionReader) -> None:
    read = reader.read("who is IS-K trying to provoke?")
    assert read.reading.confidence == 1.0 and read.reading.notes == []


def test_a_word_read_as_another_says_so_and_lowers_the_confidence(reader: QuestionReader) -> None:
    typed = reader.read("who is IS-K seeking to provke?")
    spelt = reader.read("who is IS-K trying to provoke?")
    assert typed.query == spelt.query
    assert "'provke' read as 'provoke'" in typed.reading.notes
    assert typed.reading.confidence == round(DOUBT["corrected"], 2) < spelt.reading.confidence


def test_each_guess_takes_its_share_of_the_confidence(reader: QuestionReader) -> None:
    read = reader.read("who is Tajikstan tryng to provoke?")  # a misspelt name and a misspelt word
    assert read.query.subject == "tajikistan"
    assert "'tryng' read as 'trying'" in read.reading.notes
    assert read.reading.confidence == round(DOUBT["corrected"] * DOUBT["close"], 2)
    assert read.reading.confidence >= REFUSE_BELOW


def test_a_refusal_says_what_it_read_and_suggests_on_its_topic(reader: QuestionReader) -> None:
    with pytest.raises(QuestionNotUnderstood) as caught:
        reader.read("who is IS-K trying to provoke tomorrow?")
    read = caught.value.details["read"]
    assert read["names"] == ["IS-K"] and read["relations"][0] == "SEEKS_TO_PROVOKE"
    assert "(it read IS-K, SEEKS_TO_PROVOKE" in caught.value.message
    suggestions = caught.value.suggestions
    assert 2 <= len(suggestions) <= 3
    assert all("IS-K" in s and "provok" in s for s in suggestions), suggestions  # its names, its relation


def test_a_refusal_with_a_relation_word_suggests_that_relation_first(reader: QuestionReader) -> None:
    with pytest.raises(QuestionNotUnderstood) as caught:
        reader.read("who did IS-K recruit from yesterday?")
    assert caught.value.details["read"]["relations"][0] == "RECRUITS_FROM"
    assert "recruit" in caught.value.suggestions[0] and "IS-K" in caught.value.suggestions[0]
