"""Ingesting many reports at once: one all-or-nothing write, idempotent, refused whole on a bad report."""

from __future__ import annotations

import pytest

from graph.domain.errors import KgError
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Extractor
from graph.language.extract.text import ReportInput
from graph.services.ingest import ingest_many
from graph.services.loader import load
from graph.stores.protocol import ClaimQuery, GraphStore
from tests.conftest import SEEDS

TEXTS = [
    "IS-K claimed that it fired rockets at Tajikistan on May 7. Dushanbe denied that any attack took place.\n",
    "Analysts say IS-K seeks to provoke Uzbekistan. The Taliban accused IS-K of attacking Pakistan.\n",
    "Pakistan accused the TTP of attacking its border posts.\n",
]


def reports(outlet: str = "RFE/RL") -> list[ReportInput]:
    return [ReportInput(text=text, outlet=outlet, published="2022-05-20", origin=f"report {i}")
            for i, text in enumerate(TEXTS)]


def test_a_batch_of_reports_is_one_write_and_a_second_time_adds_nothing(
        empty_store: GraphStore, ontology: Ontology, extractor: Extractor) -> None:
    load(SEEDS, empty_store, ontology)
    revision = empty_store.revision()
    first = ingest_many(reports(), empty_store, ontology, extractor=extractor)
    assert empty_store.revision() == revision + 1, "one write for the whole batch"
    assert first.written.created["sources"] == 3
    claims = [c for result in first.reports for c in result.extraction.claims]
    assert claims and first.written.created["claims"] == len({c.id for c in claims})
    for result in first.reports:
        loaded = empty_store.claims(ClaimQuery(source=result.source_id))
        assert {c.id for c in loaded} == {c.id for c in result.extraction.claims}
    again = ingest_many(reports(), empty_store, ontology, extractor=extractor)
    assert sum(again.written.created.values()) == sum(again.written.updated.values()) == 0
    assert empty_store.revision() == revision + 1


def test_an_outlet_the_registry_lacks_is_one_new_organization_for_every_report_it_published(
        empty_store: GraphStore, ontology: Ontology, extractor: Extractor) -> None:
    load(SEEDS, empty_store, ontology)
    before = {e.id for e in empty_store.entities()}
    done = ingest_many(reports("Nobody's Gazette"), empty_store, ontology, extractor=extractor)
    added = [e for e in empty_store.entities() if e.id not in before]
    assert [(e.name, e.kind) for e in added] == [("Nobody's Gazette", "organization")]
    assert done.written.created["entities"] == 1
    assert {empty_store.get_source(r.source_id).outlet_id for r in done.reports} == {added[0].id}


def test_a_report_the_loader_refuses_writes_none_of_the_batch(
        empty_store: GraphStore, ontology: Ontology, extractor: Extractor) -> None:
    load(SEEDS, empty_store, ontology)
    before = empty_store.stats()
    batch = [*reports(), ReportInput(text=TEXTS[2].replace("TTP", "Taliban"), outlet="RFE/RL",
                                     published="2022-13", origin="report 3")]
    with pytest.raises(KgError, match=r"report 3.*month 13 does not exist"):
        ingest_many(batch, empty_store, ontology, extractor=extractor)
    assert empty_store.stats() == before
