"""Fixtures for the extractor tests: one extractor over the seed registry, and a helper to run it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

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
def home_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds without the regional registry (``seeds/registry/``): the home theatre's actors only.

    The tests of actor discovery read reporting from other theatres; against the full registry the groups they
    name are known, and nothing would be discovered. Against this one they are actors the registry lacks.
    """
    home = tmp_path_factory.mktemp("home") / "seeds"
    shutil.copytree(SEEDS, home, ignore=shutil.ignore_patterns("registry"))
    return home


@pytest.fixture(scope="session")
def home_registry(ontology: Ontology, home_seeds: Path) -> list[Entity]:
    return read_bundle(home_seeds, ontology).entities


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
