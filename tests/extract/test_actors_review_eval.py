"""Candidate entities at ingest (staged with their claims, never loaded) and in ``kg eval``'s actors section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from app.cli import cli
from app.settings import Settings
from graph.domain.errors import EntityNotFound, StagedClaimWaiting
from graph.domain.model import Claim, Entity
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Extractor
from graph.language.extract.text import ReportInput
from graph.services.claim_scoring import evaluate_bundle, given_to_another
from graph.services.ingest import ingest, ingest_many
from graph.services.loader import load
from graph.services.review import Staging
from graph.stores.protocol import ClaimQuery, GraphStore

SAHEL = ("JNIM, al-Qaeda's affiliate in the Sahel, claimed an attack on a military camp in Djibo, Burkina Faso, on "
         "Sunday. In a separate statement, the group said it had ambushed a Wagner Group convoy near Gao in northern "
         "Mali. Burkina Faso's junta blamed the Islamic State Sahel Province for a raid near Dori, a charge the group "
         "denied.\n")
MIXED = "IS-K claimed that it fired rockets at Tajikistan on May 7. JNIM fighters attacked Malian troops on May 9.\n"


def report(text: str) -> ReportInput:
    return ReportInput(text=text, title="Sahel", outlet="RFE/RL", outlet_id="rferl", published="2024-05-20")


# Actor discovery is tested against the home registry (the seeds without seeds/registry/, see conftest.py):
# the Sahel's groups these tests name are in the regional registry, and would not be discovered against it.
@pytest.fixture(scope="module")
def registry(home_registry: list[Entity]) -> list[Entity]:
    return home_registry


@pytest.fixture(scope="module")
def extractor(ontology: Ontology, registry: list[Entity]) -> Extractor:
    return Extractor(ontology, registry)


@pytest.fixture
def store(empty_store: GraphStore, ontology: Ontology, home_seeds: Path) -> GraphStore:
    load(home_seeds, empty_store, ontology)
    return empty_store


def test_claims_naming_new_actors_are_staged_with_them_and_never_loaded(
        store: GraphStore, ontology: Ontology, tmp_path: Path, extractor: Extractor) -> None:
    staging = Staging(tmp_path / "staged.json")
    result = ingest(report(MIXED), store, ontology, extractor=extractor, staging=staging.path)
    loaded = store.claims(ClaimQuery(source=result.source_id))
    assert {(c.subject, c.type, c.object) for c in loaded} == {("isk", "ATTACKED", "tajikistan")}
    staged = staging.claims()
    assert [(c["subject"], c["type"], c["object"], c["waits_on"]) for c in staged] == [
        ("jnim", "ATTACKED", "mali", ["jnim"])]
    assert result.staged == 1 and result.staged_entities == 1 and result.held == 0
    [entity] = staging.entities()
    assert (entity["id"], entity["name"], entity["kind"], entity["source"], entity["claims"]) == (
        "jnim", "JNIM", "armed_group", result.source_id, [staged[0]["id"]])
    with pytest.raises(EntityNotFound):
        store.get_entity("jnim")
    # the same report again stages nothing new and keeps one entry per candidate and report
    again = ingest(report(MIXED), store, ontology, extractor=extractor, staging=staging.path)
    assert again.staged == 0 and len(staging.entities()) == 1
    # accepting all passes over a claim that waits on its entity; naming it is refused; rejecting drops both
    accepted, _ = staging.accept(["all"], store, ontology)
    assert accepted == [] and staging.claims() == staged
    with pytest.raises(StagedClaimWaiting, match="jnim"):
        staging.accept([staged[0]["id"]], store, ontology)
    assert staging.reject(["all"]) == [staged[0]["id"]]
    assert staging.claims() == [] and staging.entities() == [] and staging.reports() == {}


def test_the_sahel_report_stages_three_actors_with_their_parents(
        store: GraphStore, ontology: Ontology, tmp_path: Path, extractor: Extractor) -> None:
    staging = Staging(tmp_path / "staged.json")
    result = ingest(report(SAHEL), store, ontology, extractor=extractor, staging=staging.path)
    assert store.claims(ClaimQuery(source=result.source_id)) == []  # every claim names a new actor
    entities = {e["id"]: e for e in staging.entities(result.source_id)}
    assert {k: (e["kind"], e["parent"], e["parent_relation"]) for k, e in entities.items()} == {
        "jnim": ("armed_group", "al-qaeda", "AFFILIATE_OF"), "wagner-group": ("armed_group", None, None),
        "islamic-state-sahel-province": ("armed_group", "islamic-state", "AFFILIATE_OF")}
    staged = {c["id"]: c for c in staging.claims(result.source_id)}
    assert set(staged) == {c.id for c in result.extraction.claims}
    assert all(set(e["claims"]) <= set(staged) and e["claims"] for e in entities.values())


def test_ingesting_many_stages_new_actors_or_holds_them_back(
        store: GraphStore, ontology: Ontology, tmp_path: Path, extractor: Extractor) -> None:
    held = ingest_many([report(MIXED)], store, ontology, extractor=extractor)
    assert held.reports[0].held == 1 and held.written.created["claims"] == 1
    staging = tmp_path / "staged.json"
    staged = ingest_many([report(MIXED), report(SAHEL)], store, ontology, extractor=extractor, staging=staging)
    assert [r.staged for r in staged.reports] == [1, 6] and [r.held for r in staged.reports] == [0, 0]
    assert {e["id"] for e in Staging(staging).entities()} == {"jnim", "wagner-group", "islamic-state-sahel-province"}
    assert len(Staging(staging).entities()) == 4  # JNIM once per report


def test_kg_extract_lists_candidate_entities_with_their_claims(tmp_path: Path, home_seeds: Path) -> None:
    settings = Settings(data_file=tmp_path / "graph.json", seeds_dir=home_seeds)
    source = tmp_path / "sahel.txt"
    source.write_text(SAHEL, encoding="utf-8")

    def kg(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args), obj=settings)
        assert result.exit_code == 0, result.output
        return result.stdout

    printed = json.loads(kg("extract", str(source), "--date", "2024-05-20", "--json"))
    jnim = next(e for e in printed["entities"] if e["id"] == "jnim")
    assert {k: jnim[k] for k in ("id", "name", "kind", "aliases", "parent")} == {
        "id": "jnim", "name": "JNIM", "kind": "armed_group", "aliases": [], "parent": "al-qaeda"}
    assert ("jnim", "ATTACKED", "burkina-faso") in {(c["subject"], c["type"], c["object"]) for c in printed["claims"]}
    readable = yaml.safe_load(kg("extract", str(source), "--date", "2024-05-20"))
    listed = {e["id"]: e for e in readable["entities"]}
    assert any(line.startswith("jnim ATTACKED burkina-faso (claimed;") for line in listed["jnim"]["claims"])
    assert listed["islamic-state-sahel-province"]["parent"] == "islamic-state"
    kg("load")
    ingested = kg("ingest", str(source), "--date", "2024-05-20")
    assert "new actor: JNIM (jnim, armed_group, AFFILIATE_OF al-qaeda)" in ingested
    assert "6 claims naming new actors staged for review with 3 candidate entities" in ingested
    assert "6 of them name actors the registry lacks and wait on their review" in kg("review")


# --- kg eval: the actors section, on a small bundle of our own --------------------------------------------

ENTITIES = """entities:
  - {id: kg-test, name: kg test set, kind: organization}
  - {id: jnim, name: "Jama'at Nusrat al-Islam wal-Muslimin", kind: armed_group, aliases: [JNIM]}
  - {id: wagner-group, name: Wagner Group, kind: armed_group, aliases: [Wagner]}
  - {id: is-sahel, name: Islamic State Sahel Province, kind: armed_group, aliases: [ISSP]}
"""
META = "id: {id}\ntitle: {title}\noutlet: kg test set\noutlet_id: kg-test\npublished: '2024-05-20'\n"


def gold_claim(subject: str, type_name: str, obj: str, quote: str, status: str, by: str) -> dict[str, str]:
    return {"subject": subject, "type": type_name, "object": obj, "quote": quote, "status": status,
            "asserted_by": by}


@pytest.fixture(scope="module")
def actors_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("actors-bundle")
    (root / "reports").mkdir()
    (root / "claims").mkdir()
    (root / "entities.yaml").write_text(ENTITIES, encoding="utf-8")
    first, second, third = (s + "." for s in SAHEL.strip().rstrip(".").split(". "))
    texts = {"sahel": SAHEL, "kaida": "Al-Kaida fighters attacked a Malian convoy.\n"}
    gold = {"sahel": [gold_claim("jnim", "ATTACKED", "burkina-faso", first, "claimed", "jnim"),
                      gold_claim("jnim", "AFFILIATE_OF", "al-qaeda", first, "reported", "kg-test"),
                      gold_claim("jnim", "ATTACKED", "wagner-group", second, "claimed", "jnim"),
                      gold_claim("burkina-faso", "ACCUSED", "is-sahel", third, "alleged", "burkina-faso"),
                      gold_claim("is-sahel", "AFFILIATE_OF", "islamic-state", third, "reported", "kg-test"),
                      gold_claim("is-sahel", "DENIED", "burkina-faso", third, "denied", "is-sahel")],
            "kaida": [gold_claim("al-qaeda", "ATTACKED", "mali", "Al-Kaida fighters attacked a Malian convoy.",
                                 "reported", "kg-test")]}
    for name, text in texts.items():
        (root / "reports" / f"{name}.txt").write_text(text, encoding="utf-8")
        (root / "reports" / f"{name}.yaml").write_text(META.format(id=name, title=name), encoding="utf-8")
        claims = [{**c, "id": f"{name}-{n}"} for n, c in enumerate(gold[name])]
        for claim in claims:
            if claim["type"] == "DENIED":
                claim["denies"] = "sahel-3"  # the accusation
        (root / "claims" / f"{name}.yaml").write_text(
            yaml.safe_dump({"source": name, "claims": claims}, sort_keys=False, width=1000), encoding="utf-8")
    return root


def test_the_actors_section_finds_new_actors_by_name_and_scores_their_claims(
        actors_bundle: Path, ontology: Ontology, registry: list[Entity]) -> None:
    score, reports = evaluate_bundle(actors_bundle, ontology, registry, registry_mode="seeds")
    assert reports == 2
    actors = score.actors
    assert actors is not None
    # sahel: jnim, wagner-group, is-sahel, burkina-faso, al-qaeda, islamic-state; kaida: al-qaeda, mali
    assert (actors.named, actors.found, actors.found_new) == (8, 8, 3)
    assert actors.candidates == 4 and actors.matched == 4  # Al-Kaida is al-Qaeda by transliteration
    assert (actors.merges, actors.merges_right, actors.wrong_merges) == (1, 1, [])
    assert actors.misattributed == []
    # the candidates' claims count under the set's ids: every gold triple is found, nothing else
    assert (score.overall.tp, score.overall.fp, score.overall.fn) == (7, 0, 0)
    # told the set's entities, the extractor knows the three actors: nothing is new, and the claims are the same
    known, _ = evaluate_bundle(actors_bundle, ontology, registry)
    assert known.actors is not None and (known.actors.found, known.actors.found_new) == (8, 0)
    assert (known.overall.tp, known.overall.fp, known.overall.fn) == (7, 0, 0)


def test_an_act_given_to_a_parent_or_a_neighbour_is_counted(ontology: Ontology) -> None:
    kinds = {"jnim": "armed_group", "al-qaeda": "armed_group", "mali": "state", "niger": "state", "chad": "state"}

    def claim(subject: str, obj: str, span: tuple[int, int], type_name: str = "ATTACKED") -> Claim:
        return Claim(id=f"{subject}-{obj}-{span[0]}", subject=subject, type=type_name, object=obj, source="r",
                     quote="q", span=span, status="reported", asserted_by="kg-test")

    gold = [claim("jnim", "mali", (0, 50)), claim("jnim", "niger", (51, 100))]
    extracted = [claim("al-qaeda", "mali", (0, 50)),  # the affiliate's act given to its parent
                 claim("jnim", "chad", (51, 100)),  # the target given to a neighbour
                 claim("jnim", "mali", (51, 100)),  # right for the report (said in another sentence)
                 claim("al-qaeda", "niger", (200, 250)),  # a sentence the gold has nothing of
                 claim("jnim", "niger", (51, 100), "THREATENS")]  # another relation
    found = given_to_another("r", extracted, gold, ontology, kinds, {"jnim": {"al-qaeda"}}, None)
    assert [(f["claim"], f["end"], f["given_to"], f["instead_of"], f["as"]) for f in found] == [
        ("al-qaeda ATTACKED mali", "subject", "al-qaeda", "jnim", "parent"),
        ("jnim ATTACKED chad", "object", "chad", "niger", "neighbour")]


def test_kg_eval_prints_and_emits_the_actors_section(actors_bundle: Path, tmp_path: Path, home_seeds: Path) -> None:
    settings = Settings(data_file=tmp_path / "graph.json", seeds_dir=home_seeds)
    result = CliRunner().invoke(cli, ["eval", str(actors_bundle), "--registry", "seeds", "--json"], obj=settings)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["registry"] == "seeds"
    assert figures["actors"]["found"] == 8 and figures["actors"]["found_new"] == 3
    assert figures["actors"]["merges"] == {"proposed": 1, "right": 1, "wrong": []}
    assert figures["actors"]["given_to_another_actor"] == {"count": 0, "claims": []}
    table = CliRunner().invoke(cli, ["eval", str(actors_bundle), "--registry", "seeds"], obj=settings)
    assert "actors: 8 of 8 groups and states the gold names found (1.00; 5 known, 3 new)" in table.stdout


def test_staged_candidates_survive_a_backup_and_restore(ontology: Ontology, tmp_path: Path,
                                                        extractor: Extractor, home_seeds: Path) -> None:
    from graph.services.backup import restore_backup, write_backup  # noqa: PLC0415 - only this test backs up
    from graph.stores.sqlite.store import SqliteStore  # noqa: PLC0415

    store = SqliteStore(ontology, tmp_path / "a" / "graph.sqlite")
    load(home_seeds, store, ontology)
    staging = Staging(tmp_path / "a" / "staged.json")
    ingest(report(MIXED), store, ontology, extractor=extractor, staging=staging.path)
    summary = write_backup(store, ontology, tmp_path / "backup.jsonl", staging)
    assert (summary.counts["staged_claim"], summary.counts["staged_entity"]) == (1, 1)
    again = SqliteStore(ontology, tmp_path / "b" / "graph.sqlite")
    restored_staging = Staging(tmp_path / "b" / "staged.json")
    restore_backup(tmp_path / "backup.jsonl", again, ontology, restored_staging)
    assert restored_staging.claims() == staging.claims() and restored_staging.entities() == staging.entities()
    assert restored_staging.claims()[0]["waits_on"] == ["jnim"]
    store.close()
    again.close()
