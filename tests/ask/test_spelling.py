"""Typos in questions: one slip from exactly one word the reader knows is read as that word; real words and
names it does not know are left as typed."""

from __future__ import annotations

from graph.language.ask import QuestionReader
from graph.language.ask.spelling import Speller


def test_a_word_one_slip_from_one_known_word_is_corrected() -> None:
    speller = Speller(["friendly", "attacked", "allied"], english=["days", "running"])
    assert speller.correct("who are the taliban freindly with") == "who are the taliban friendly with"
    assert speller.correct("has iran attakced isk") == "has iran attacked isk"
    assert speller.correct("Alied with whom") == "Allied with whom"


def test_english_words_acronyms_and_short_words_are_left_as_typed() -> None:
    speller = Speller(["says", "run", "ttps"], english=["days", "running"])
    assert speller.correct("running afghanistan these days") == "running afghanistan these days"
    assert speller.correct("what about TTPS") == "what about TTPS"  # an acronym, not a typo
    assert speller.correct("who ran it") == "who ran it"  # too short to guess


def test_a_word_two_known_words_away_is_not_guessed() -> None:
    speller = Speller(["hosts", "posts"])
    assert speller.correct("who costs") == "who costs"


def test_the_reader_reads_a_typed_question_as_the_spelled_one(reader: QuestionReader) -> None:
    typed = reader.read("who are the taliban freindly with").query
    spelled = reader.read("who are the taliban friendly with").query
    assert typed == spelled
    assert typed.subject == "taliban" and typed.shape == "category"
