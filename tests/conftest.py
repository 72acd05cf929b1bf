"""Shared fixtures: the ontology, the seed bundle, stores loaded with it, and bundle builders."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.settings import PROJECT_ROOT
from graph.loader import load
from graph.ontology import Ontology, load_ontology
from graph.store import GraphStore
from graph.stores.memory import MemoryStore

SEEDS = PROJECT_ROOT / "seeds"
SEED_REPORT = "rferl-2022-05-isk-central-asia"
# Every store the behavioural suite runs against; the Neo4j store joins this list.
STORE_KINDS = ["memory"]


@pytest.fixture(scope="session")
def ontology() -> Ontology:
    return load_ontology()


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (SEEDS / "reports" / f"{SEED_REPORT}.txt").read_bytes().decode("utf-8")


@pytest.fixture(scope="session")
def seed_claims() -> list[dict[str, Any]]:
    """The curated claims as written in the file, read without the project's loader."""
    data = yaml.safe_load((SEEDS / "claims" / f"{SEED_REPORT}.yaml").read_text(encoding="utf-8"))
    return list(data["claims"])


def make_store(kind: str, ontology: Ontology, directory: Path) -> GraphStore:
    if kind == "memory":
        return MemoryStore(ontology, directory / "graph.json")
    raise ValueError(kind)


@pytest.fixture(scope="module", params=STORE_KINDS)
def seeded(request: pytest.FixtureRequest, ontology: Ontology,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    """A store of each kind holding the seed graph; read-only tests share it per module."""
    store = make_store(request.param, ontology, tmp_path_factory.mktemp(f"store-{request.param}"))
    load(SEEDS, store, ontology)
    yield store


@pytest.fixture(params=STORE_KINDS)
def empty_store(request: pytest.FixtureRequest, ontology: Ontology, tmp_path: Path) -> GraphStore:
    """A fresh, empty store of each kind, for tests that write."""
    return make_store(request.param, ontology, tmp_path)


@pytest.fixture
def bundle(tmp_path: Path) -> Callable[[str], Path]:
    """Build a bundle: the seed registry and report, plus a claims file with the given YAML text."""

    def build(claims_yaml: str, *, name: str = "test.yaml") -> Path:
        root = tmp_path / "bundle"
        if not root.exists():
            (root / "reports").mkdir(parents=True)
            (root / "claims").mkdir()
            shutil.copy(SEEDS / "entities.yaml", root / "entities.yaml")
            for suffix in (".txt", ".yaml"):
                shutil.copy(SEEDS / "reports" / f"{SEED_REPORT}{suffix}", root / "reports")
        (root / "claims" / name).write_text(claims_yaml, encoding="utf-8")
        return root

    return build
