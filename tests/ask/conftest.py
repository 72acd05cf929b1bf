"""One question reader per test session: the real spaCy pipeline, the ontology's vocabulary, the seed registry."""

from __future__ import annotations

import pytest

from app.settings import Settings
from graph.domain.ontology import Ontology
from graph.language.ask import QuestionReader, load_reader
from graph.services.loader import read_bundle
from tests.conftest import SEEDS


@pytest.fixture(scope="session")
def reader(ontology: Ontology) -> QuestionReader:
    """The reader over the seed registry (the same names both stores hold once the seeds are loaded)."""
    return load_reader(ontology, read_bundle(SEEDS, ontology).entities, Settings(_env_file=None).spacy_model)  # type: ignore[call-arg]
