"""Ingesting many reports at once: one all-or-nothing write, idempotent, refused whole on a bad report."""

from __future__ import annotations

import pytest

from graph.errors import ExtractionInputError
from graph.extract.ingest import ingest_many
from graph.extract.text import ReportInput
from graph.loader import load
from graph.ontology import Ontology
from graph.store import ClaimQuery, GraphStore
from tests.conftest import SEEDS

TEXTS = [
    "IS-K claimed that it fired rockets at Tajikistan on May 7. Dushanbe denied that any attack took place.\n",
    "Analysts say IS-K seeks to provoke Uzbekistan. The Taliban accused IS-K of attacking Pakistan.\n",
    "Pakistan accused the TTP of attacking its border posts.\n",
]


def reports(outlet: str = "RFE/RL") -> list[ReportInput]:
    return [ReportInput(text=text, outlet=outlet, published="2022-05-20", origin=f"report {i}")
            for i, text in enumerate(TEXTS)]


def test_a_batch_of_reports_is_one_write_and_a_second_time_adds_nothing(empty_store: GraphStore,
                                                                        ontology: Ontology) -> None:
    load(SEEDS, empty_store, ontology)
    revision = empty_store.revision()
    first = ingest_many(reports(), empty_store, ontology)
    assert empty_store.revision() == revision + 1, "one write for the whole batch"
    assert first.written.created["sources"] == 3
    claims = [c for result in first.reports for c in result.extraction.claims]
    assert claims and first.written.created["claims"] == len({c.id for c in claims})
    for result in first.reports:
        loaded = empty_store.claims(ClaimQuery(source=result.source_id))
        assert {c.id for c in loaded} == {c.id for c in result.extraction.claims}
    again = ingest_many(reports(), empty_store, ontology)
    assert sum(again.written.created.values()) == sum(again.written.updated.values()) == 0
    assert empty_store.revision() == revision + 1


def test_an_unknown_outlet_in_any_report_writes_none_of_them(empty_store: GraphStore, ontology: Ontology) -> None:
    load(SEEDS, empty_store, ontology)
    before = empty_store.stats()
    batch = [*reports(), ReportInput(text=TEXTS[0], outlet="Nobody's Gazette", origin="report 3")]
    with pytest.raises(ExtractionInputError, match="report 3: outlet \"Nobody's Gazette\" is not in the registry"):
        ingest_many(batch, empty_store, ontology)
    assert empty_store.stats() == before
