"""Actors the registry lacks: the validation records of ``actor_records.yaml``, and what the candidates carry.

Each record is a text with the candidate entities it must yield, the triples it must and must not yield
and the discards it must count (the shape of PETRARCH2's validation records). The other tests check
what every candidate entity carries: stable ids, mentions that point into the report, claims renamed
consistently (a denial points at the renamed claim it denies).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.domain.model import Entity
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Extraction, Extractor
from graph.language.extract.text import ReportInput
from tests.extract.conftest import Run, triples


# Actor discovery is tested against the home registry (the seeds without seeds/registry/, see conftest.py):
# the Sahel's groups these tests name are in the regional registry, and would not be discovered against it.
@pytest.fixture(scope="module")
def registry(home_registry: list[Entity]) -> list[Entity]:
    return home_registry


@pytest.fixture(scope="module")
def extractor(ontology: Ontology, registry: list[Entity]) -> Extractor:
    return Extractor(ontology, registry)


@pytest.fixture(scope="module")
def run(extractor: Extractor) -> Run:
    def extract(text: str, published: str = "2022-05-20") -> Extraction:
        return extractor.run(ReportInput(text=text, published=published, outlet_id="rferl", title="test"))

    return extract

RECORDS: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).with_name("actor_records.yaml")).read_text(encoding="utf-8"))["records"]


@pytest.mark.parametrize("record", RECORDS, ids=[r["id"] for r in RECORDS])
def test_validation_record(record: dict[str, Any], run: Run) -> None:
    result = run(record["text"], published="2024-05-20")
    got = triples(result)
    by_name = {e.name: e for e in result.entities}
    assert sorted(by_name) == sorted(e["name"] for e in record["entities"]), record["rule"]
    for expected in record["entities"]:
        entity = by_name[expected["name"]]
        assert entity.kind == expected["kind"], record["rule"]
        assert set(expected.get("aliases", [])) <= set(entity.aliases), record["rule"]
        for field in ("parent", "parent_relation", "merge_into"):
            assert getattr(entity, field) == expected.get(field), (field, record["rule"])
    assert {tuple(t) for t in record["triples"]} <= got, record["rule"]
    assert not {tuple(t) for t in record.get("never", [])} & got, record["rule"]
    for reason in record.get("discarded", []):
        assert result.discarded.get(reason, 0) >= 1, (reason, result.discarded)
    for triple, status in record.get("statuses", {}).items():
        subject, type_name, obj = triple.split()
        assert {c.status for c in result.claims if (c.subject, c.type, c.object) == (subject, type_name, obj)} == {
            status}, triple


SAHEL = next(r for r in RECORDS if r["id"] == "issue-20-sahel")["text"]


def test_candidate_ids_mentions_and_claims_hold_together(run: Run) -> None:
    result = run(SAHEL, published="2024-05-20")
    text = SAHEL
    ids = {e.id for e in result.entities}
    assert ids == {"jnim", "wagner-group", "islamic-state-sahel-province"}
    for entity in result.entities:
        assert entity.mentions, entity.id
        for mention in entity.mentions:
            assert text[mention.span[0]:mention.span[1]] == mention.text
        assert 0.3 <= entity.confidence <= 0.9 and entity.reason
    # claims refer to candidates by their final ids; ids are content hashes of those; a denial points at the
    # renamed claim it denies
    claim_ids = {c.id for c in result.claims}
    assert not any("\x01" in f"{c.subject}{c.object}{c.asserted_by}{c.note}" for c in result.claims)
    denial = next(c for c in result.claims if c.type == "DENIED")
    assert denial.denies in claim_ids
    accused = next(c for c in result.claims if c.id == denial.denies)
    assert (accused.subject, accused.type, accused.object) == ("burkina-faso", "ACCUSED",
                                                               "islamic-state-sahel-province")
    assert {c.id for c in result.candidate_claims()} == {c.id for c in result.claims if ids & {
        c.subject, c.object, c.asserted_by}}
    # the same report reads to the same ids
    assert [c.id for c in run(SAHEL, published="2024-05-20").claims] == [c.id for c in result.claims]


def test_candidate_ends_cost_confidence(ontology: Ontology, registry: list[Entity], run: Run) -> None:
    # the rules' confidences: with the trained model, a claim between registry actors takes the model's calibrated
    # figure instead, while a claim naming a candidate (which the model never pairs) keeps the rules' own
    rules = Extractor(ontology, registry, relations=None)

    def read(extractor_run: Run | Extractor, text: str) -> float:
        if isinstance(extractor_run, Extractor):
            report = ReportInput(text=text, published="2024-05-20", outlet_id="rferl", title="test")
            return extractor_run.run(report).claims[0].confidence
        return extractor_run(text, published="2024-05-20").claims[0].confidence

    known, new = "IS-K fighters attacked Malian troops.", "JNIM fighters attacked Malian troops."
    assert read(rules, known) - read(rules, new) == pytest.approx(0.05)
    assert read(run, new) == read(rules, new)


def test_unknown_names_without_a_role_stay_candidate_names(run: Run) -> None:
    result = run("Officials in Gao met a delegation from the Economic Community of West African States.",
                 published="2024-05-20")
    assert result.entities == [] and result.claims == []
    assert {"Gao"} <= {c.name for c in result.candidates}


def test_a_registry_entity_named_like_a_candidate_keeps_its_id(ontology: Ontology, registry: list[Any]) -> None:
    # a registry that already has a group named JNIM: the name is the registry's, nothing is proposed

    extractor = Extractor(ontology, [*registry, Entity(id="jnim", name="JNIM", kind="armed_group")])
    result: Extraction = extractor.run(ReportInput(text="JNIM fighters attacked Malian troops.",
                                                   published="2024-05-20"))
    assert result.entities == []
    assert ("jnim", "ATTACKED", "mali") in triples(result)
