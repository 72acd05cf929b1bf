"""Fixtures for the extractor tests: one extractor over the seed registry, and a helper to run it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graph.domain.model import Entity
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Extraction, Extractor
from graph.language.extract.text import ReportInput
from graph.services.loader import read_bundle
from tests.conftest import SEEDS

Run = Callable[..., Extraction]


@pytest.fixture(scope="session")
def registry(ontology: Ontology) -> list[Entity]:
    return read_bundle(SEEDS, ontology).entities


@pytest.fixture(scope="session")
def extractor(ontology: Ontology, registry: list[Entity]) -> Extractor:
    return Extractor(ontology, registry)


@pytest.fixture(scope="session")
def run(extractor: Extractor) -> Run:
    """Extract from a text written in the test, published by RFE/RL on the given date."""

    def extract(text: str, published: str = "2022-05-20") -> Extraction:
        return extractor.run(ReportInput(text=text, published=published, outlet_id="rferl", title="test"))

    return extract


def triples(extraction: Extraction) -> set[tuple[str, str, str]]:
    return {(c.subject, c.type, c.object) for c in extraction.claims}


def only(extraction: Extraction, subject: str, type_name: str, obj: str):  # type: ignore[no-untyped-def]
    found = [c for c in extraction.claims if (c.subject, c.type, c.object) == (subject, type_name, obj)]
    assert len(found) == 1, [(c.subject, c.type, c.object) for c in extraction.claims]
    return found[0]
