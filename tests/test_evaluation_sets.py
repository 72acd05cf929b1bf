"""Every evaluation set still loads on top of the seed registry: a registry that grows must not make
a set's names ambiguous or its entities duplicates, or the set silently stops measuring anything."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.stores.sqlite.store import SqliteStore
from tests.conftest import EVALUATION, SEEDS

SETS = sorted(p for kind in ("claims", "incidents") for p in (EVALUATION / kind).iterdir() if p.is_dir())
ROLES = yaml.safe_load((EVALUATION / "sets.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("bundle", SETS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_set_loads_on_the_seed_registry(bundle: Path, ontology: Ontology) -> None:
    store = SqliteStore(ontology)
    load(SEEDS, store, ontology)
    batch, _ = load(bundle, store, ontology)
    gold = sum(len(yaml.safe_load(f.read_text(encoding="utf-8"))["claims"]) for f in (bundle / "claims").glob("*.yaml"))
    assert len(batch.claims) == gold > 0


def test_every_set_has_a_role() -> None:
    for bundle in SETS:
        assert bundle.name in ROLES[bundle.parent.name], f"{bundle} is not in evaluation/sets.yaml"
        assert ROLES[bundle.parent.name][bundle.name]["role"] in {"development", "training", "blind"}
