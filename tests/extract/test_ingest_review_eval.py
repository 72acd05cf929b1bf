"""Ingest (idempotent, all-or-nothing), the review flow, evaluation scoring and the CLI commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.settings import Settings
from graph.domain.errors import StagedClaimNotFound, ValidationFailed
from graph.domain.model import Claim, Entity
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Extraction, Extractor
from graph.language.extract.text import ReportInput
from graph.services.claim_scoring import benchmark, score, synthetic_articles
from graph.services.ingest import ingest
from graph.services.loader import load
from graph.services.review import Staging
from graph.stores.protocol import ClaimQuery, GraphStore
from tests.conftest import SEEDS

TEXT = ("IS-K claimed that it fired rockets at Tajikistan on May 7. Dushanbe denied that any attack took place. "
        "Analysts say IS-K seeks to provoke Uzbekistan.\n")


def report(text: str = TEXT) -> ReportInput:
    return ReportInput(text=text, title="Rockets", outlet="RFE/RL", outlet_id="rferl", published="2022-05-20")


@pytest.fixture
def store(empty_store: GraphStore, ontology: Ontology) -> GraphStore:
    load(SEEDS, empty_store, ontology)
    return empty_store


def test_ingest_loads_the_report_and_its_claims_once(store: GraphStore, ontology: Ontology,
                                                     extractor: Extractor) -> None:
    before = len(store.claims(ClaimQuery()))
    first = ingest(report(), store, ontology, extractor=extractor)
    assert first.written is not None and first.written.created["sources"] == 1
    created = first.written.created["claims"]
    assert created == len(first.extraction.claims) >= 3
    loaded = store.claims(ClaimQuery(source=first.source_id))
    assert {(c.subject, c.type, c.object) for c in loaded} >= {
        ("isk", "ATTACKED", "tajikistan"), ("tajikistan", "DENIED", "isk"), ("isk", "SEEKS_TO_PROVOKE", "uzbekistan")}
    assert [c.id for c in loaded if c.disputed] == [c.id for c in loaded if c.type == "ATTACKED"]
    again = ingest(report(), store, ontology, extractor=extractor)
    assert again.source_id == first.source_id
    assert again.written is not None
    assert again.written.created == {"entities": 0, "sources": 0, "claims": 0, "incidents": 0}
    assert again.written.updated["incidents"] == 0  # the report's incident, placed the first time, is as it was
    assert len(store.claims(ClaimQuery())) == before + created


def test_an_outlet_the_registry_lacks_is_added_with_the_report(store: GraphStore, ontology: Ontology,
                                                                extractor: Extractor) -> None:
    unknown = ReportInput(text=TEXT, outlet="Daily Nowhere", published="2022-05-20")
    result = ingest(unknown, store, ontology, extractor=extractor)
    outlet = store.get_entity("daily-nowhere")
    assert (outlet.name, outlet.kind) == ("Daily Nowhere", "organization")
    assert store.get_source(result.source_id).outlet_id == "daily-nowhere"
    assert result.written is not None and result.written.created["entities"] == 1
    # the outlet's own voice is kept, not dropped: the analysts' assessment is asserted by it
    provoke = next(c for c in store.claims(ClaimQuery(source=result.source_id)) if c.type == "SEEKS_TO_PROVOKE")
    assert provoke.asserted_by == "daily-nowhere"


def test_a_report_naming_no_outlet_is_the_outlet_of_its_url_and_extracts_the_same(extractor: Extractor) -> None:
    named = extractor.run(report())
    by_host = extractor.run(ReportInput(text=TEXT, url="https://www.dawn.com/news/1", published="2022-05-20"))
    nameless = extractor.run(ReportInput(text=TEXT, published="2022-05-20"))
    assert by_host.outlet == "dawn-com" and not by_host.outlet_known and named.outlet_known
    assert nameless.outlet == "unknown-outlet"

    def read(run: Extraction) -> set[tuple[str, str, str, str]]:
        return {(c.subject, c.type, c.object, c.status) for c in run.claims}

    assert read(named) == read(by_host) == read(nameless) != set()


def test_min_confidence_loads_what_clears_it_and_stages_the_rest(store: GraphStore, ontology: Ontology,
                                                                 tmp_path: Path, extractor: Extractor) -> None:
    staging = tmp_path / "staged.json"
    extracted = extractor.run(report()).claims
    threshold = sorted({c.confidence for c in extracted})[-1]
    assert any(c.confidence < threshold for c in extracted)
    result = ingest(report(), store, ontology, extractor=extractor, staging=staging, min_confidence=threshold)
    loaded = {c.id for c in store.claims(ClaimQuery(source=result.source_id))}
    assert loaded == {c.id for c in extracted if c.confidence >= threshold}
    assert {c["id"] for c in Staging(staging).claims()} == {c.id for c in extracted if c.confidence < threshold}


def test_review_stages_then_accepts_and_rejects(store: GraphStore, ontology: Ontology, tmp_path: Path,
                                                extractor: Extractor) -> None:
    staging = tmp_path / "staged.json"
    result = ingest(report(), store, ontology, extractor=extractor, review=True, staging=staging)
    staged = Staging(staging).claims()
    assert result.staged == len(staged) == len(result.extraction.claims)
    assert store.claims(ClaimQuery(source=result.source_id)) == []
    assert ingest(report(), store, ontology, extractor=extractor, review=True, staging=staging).staged == 0
    attack = next(c for c in staged if c["type"] == "ATTACKED")
    denial = next(c for c in staged if c["type"] == "DENIED")
    accepted, written = Staging(staging).accept([attack["id"]], store, ontology)
    assert accepted == [attack["id"]] and written.created["claims"] == 1
    assert store.get_claim(attack["id"]).status == "claimed"
    with pytest.raises(StagedClaimNotFound):
        Staging(staging).reject(["no-such-claim"])
    rejected = Staging(staging).reject([denial["id"]])
    assert rejected == [denial["id"]]
    rest = Staging(staging).claims()
    assert {c["id"] for c in rest} == {c["id"] for c in staged} - {attack["id"], denial["id"]}
    Staging(staging).accept(["all"], store, ontology)
    assert Staging(staging).claims() == []


def test_accepting_a_denial_without_its_claim_is_refused(store: GraphStore, ontology: Ontology,
                                                          tmp_path: Path, extractor: Extractor) -> None:
    staging = tmp_path / "staged.json"
    ingest(report(), store, ontology, extractor=extractor, review=True, staging=staging)
    denial = next(c for c in Staging(staging).claims() if c["type"] == "DENIED")
    with pytest.raises(ValidationFailed, match="denies no existing claim"):
        Staging(staging).accept([denial["id"]], store, ontology)
    assert denial in Staging(staging).claims()


def claim(subject: str, type_name: str, obj: str, status: str = "reported", source: str = "r") -> Claim:
    return Claim(id=f"{subject}-{type_name}-{obj}-{status}", subject=subject, type=type_name, object=obj,
                 source=source, quote="q", span=(0, 1), status=status, asserted_by="rferl")


def test_scoring_matches_triples_once_per_report(ontology: Ontology) -> None:
    kinds = {"isk": "armed_group", "taliban": "armed_group", "iran": "state", "pakistan": "state",
             "hazara": "community"}
    gold = {"r": [claim("isk", "ATTACKED", "iran", "claimed"), claim("isk", "ATTACKED", "iran", "claimed"),
                  claim("iran", "ALLIED_WITH", "taliban"), claim("isk", "THREATENS", "pakistan"),
                  claim("isk", "TARGETS", "hazara")]}
    got = {"r": [claim("isk", "ATTACKED", "iran", "reported"), claim("taliban", "ALLIED_WITH", "iran"),
                 claim("isk", "OPPOSES", "pakistan"), claim("isk", "TARGETS", "hazara")]}
    result = score(got, gold, ontology, kinds)
    assert (result.overall.tp, result.overall.fp, result.overall.fn) == (2, 1, 1)
    assert result.overall.precision == pytest.approx(2 / 3) and result.overall.recall == pytest.approx(2 / 3)
    assert result.by_type["ALLIED_WITH"].tp == 1 and result.by_type["THREATENS"].fn == 1
    assert (result.status_right, result.status_total) == (1, 2)
    everything = score(got, gold, ontology, kinds, scope="all")
    assert everything.overall.tp == 3


def test_the_benchmark_counts_what_it_read(ontology: Ontology, registry: list[Entity]) -> None:
    articles = synthetic_articles([TEXT * 3, (SEEDS / "reports" / "rferl-2022-05-isk-central-asia.txt").read_text()],
                                  4, words=200)
    result = benchmark(Extractor(ontology, registry), articles, repeat=1)
    assert result.articles == 4 and result.sentences >= 4 and result.words >= 800


def test_the_cli_extracts_ingests_reviews_and_evaluates(tmp_path: Path) -> None:
    settings = Settings(data_file=tmp_path / "graph.json", seeds_dir=SEEDS)
    source = tmp_path / "report.txt"
    source.write_text(TEXT, encoding="utf-8")

    def kg(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args), obj=settings)
        assert result.exit_code == 0, result.output
        return result.stdout

    printed = json.loads(kg("extract", str(source), "--outlet", "rferl", "--date", "2022-05-20", "--json"))
    assert {"claims", "candidates"} <= set(printed)
    assert {"id", "subject", "type", "object", "status", "asserted_by", "quote", "span", "disputed",
            "extracted_by", "confidence"} <= set(printed["claims"][0])
    as_yaml = kg("extract", str(source), "--outlet", "rferl", "--date", "2022-05-20")
    assert "extracted_by: kg-parse/" in as_yaml and "claims:" in as_yaml
    kg("load")
    assert "newly staged" in kg("ingest", str(source), "--outlet", "rferl", "--date", "2022-05-20", "--review")
    listing = kg("review")
    assert "ATTACKED" in listing
    assert "accepted" in kg("review", "--accept", "all")
    assert "0 staged claims" in kg("review")
    figures = json.loads(kg("eval", str(SEEDS), "--json"))
    assert figures["reports"] == 1 and 0 < figures["overall"]["precision"] <= 1
    bad = CliRunner().invoke(cli, ["extract", str(tmp_path / "none.txt")], obj=settings)
    assert bad.exit_code == 1 and "no such file" in bad.stderr


def test_reports_parsed_on_two_cores_extract_the_same_claims(extractor: Extractor) -> None:
    reports = [report(), report(TEXT.replace("May 7", "May 9")),
               ReportInput(text=(SEEDS / "reports" / "rferl-2022-05-isk-central-asia.txt").read_text(),
                           published="2022-05", outlet_id="rferl")]
    one = extractor.run_many(reports)
    two = extractor.run_many(reports, n_process=2)
    assert [[c.id for c in r.claims] for r in two] == [[c.id for c in r.claims] for r in one]
    assert sum(len(r.claims) for r in one) > 10
