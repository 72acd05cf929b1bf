"""The trained question reader (graph/language/ask/intent.py): the shipped model is what `kg train-questions`
builds, training never opens a blind set, and the reader answers with it what the shape functions refuse, saying
which reader read the question and which model version."""

from __future__ import annotations

import pytest

from graph.domain.errors import KgError, QuestionNotUnderstood
from graph.domain.ontology import Ontology
from graph.language.ask import QuestionReader, ask
from graph.language.ask.intent import IntentModel, load_model
from graph.services.loader import load
from graph.services.question_training import development_sets, read_sets, styled
from graph.stores.sqlite.store import SqliteStore
from tests.background import Finished
from tests.conftest import EVALUATION, SEEDS


@pytest.fixture(scope="module")
def seeded(ontology: Ontology) -> SqliteStore:
    store = SqliteStore(ontology)
    load(SEEDS, store, ontology)
    return store


def _model() -> IntentModel:
    model = load_model()
    assert isinstance(model, IntentModel), "no shipped question model: run `kg train-questions`"
    return model


@pytest.mark.background("train-questions")
def test_kg_train_questions_rebuilds_the_shipped_model_and_data_exactly(background: Finished) -> None:
    """The generated questions and the model's weights are what the command builds from the repo's ontology, seed
    registry, development sets and config, bit for bit (about two minutes on one core). Run as a user runs it, in a
    process of its own: in the suite's process, after the API tests, the check once failed where alone it passed.
    It runs beside the suite from the session's start (tests/background.py), and this test, moved to the end,
    asserts what it did."""
    assert background.returncode == 0, background.stdout + background.stderr
    assert "the shipped question model is the one the data and config build" in background.stdout
    assert _model().version in background.stdout


def test_the_model_records_its_data_and_never_a_blind_set() -> None:
    provenance = _model().provenance
    assert provenance["version"].startswith("intent-")
    assert len(provenance["data_sha256"]) == 64
    assert provenance["generated"] >= 3000
    assert set(provenance["sets"]) == {"dev-1", "blind-1", "blind-2", "blind-3"}


def test_training_refuses_a_blind_set_by_name_without_opening_it() -> None:
    with pytest.raises(KgError, match="blind"):
        development_sets(EVALUATION, ["development", "blind"])
    with pytest.raises(KgError, match="blind-4 is blind"):
        read_sets(EVALUATION, ["blind-4"])
    assert not {"blind-4", "blind-5"} & set(development_sets(EVALUATION, ["development"]))


def test_styles_keep_the_slots() -> None:
    import random  # noqa: PLC0415

    rng = random.Random(1)
    assert styled("who does {x} support", "terse", rng) == "{x} support"
    assert styled("who supports {x}", "topic", rng) == "{x}: who supports it"
    assert styled("who supports {x}", "lower", rng) == "who supports {x}"
    typo = styled("who is {x} trying to provoke", "typo", rng)
    assert "{x}" in typo and typo != "who is {x} trying to provoke"


def test_the_shape_functions_read_first_what_they_read_whole(reader: QuestionReader) -> None:
    read = reader.read("who is IS-K trying to provoke?")
    assert read.reading.reader == "shapes"
    assert read.query.relation == "SEEKS_TO_PROVOKE"


@pytest.mark.parametrize(("question", "relation", "expected"), [
    ("who does tehran back", "SUPPORTS", {"shia-muslims"}),
])
def test_the_trained_reader_answers_what_the_shape_functions_refuse(
        reader: QuestionReader, seeded: SqliteStore, question: str, relation: str, expected: set[str]) -> None:
    with pytest.raises(QuestionNotUnderstood):
        reader.with_policy("shapes").read(question)
    answer = ask(seeded, reader, question)
    assert answer.reading is not None
    assert answer.reading.reader == f"trained {_model().version}"
    assert any(_model().version in note for note in answer.reading.notes)
    assert answer.query.relation == relation
    assert {a.id for a in answer.answers} == expected
    assert answer.reading.confidence >= _model().threshold


def test_below_its_threshold_the_trained_reader_refuses_with_suggestions(reader: QuestionReader) -> None:
    question = "what colour are the flags of IS-K"
    with pytest.raises(QuestionNotUnderstood) as refused:
        reader.read(question)
    assert refused.value.suggestions
    assert any("IS-K" in s for s in refused.value.suggestions)


def test_the_trained_reader_alone_reads_a_phrasing_the_shape_functions_read(reader: QuestionReader) -> None:
    read = reader.with_policy("trained").read("who supports the Taliban?")
    assert read.reading.reader.startswith("trained intent-")
    assert read.query.object == "taliban"
    assert read.query.shape in ("relation", "category")
