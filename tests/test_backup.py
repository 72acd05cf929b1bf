"""Backup and restore: `kg export` of the whole graph and `kg import` into an empty store give the same graph back,
on each store and across them; a bad backup is refused, naming its line, and nothing is written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from app.cli import cli
from app.settings import Settings
from graph.domain.errors import BackupInvalid, StoreNotEmpty, ValidationFailed
from graph.domain.ontology import Ontology, load_ontology
from graph.services.backup import read_backup, restore_backup, write_backup
from graph.services.export import admin_csv
from graph.services.loader import load, read_bundle
from graph.services.review import Staging
from graph.stores.protocol import MAX_INCIDENT_PAGE, ClaimQuery, GraphStore, IncidentQuery
from graph.stores.sqlite.store import SqliteStore
from tests.conftest import SEED_REPORT, SEEDS, Neo4jTestDatabase

SEED_ENTITIES = len(read_bundle(SEEDS, load_ontology()).entities)  # entities.yaml and registry/*.yaml
SEED_COUNTS = {"entities": SEED_ENTITIES, "sources": 1, "claims": 80, "incidents": 8}


def stage_two_claims(staging: Staging, text: str) -> None:
    """Two extracted claims held back for review (as ``kg ingest --min-confidence`` stages them), citing the seed
    report, whose sentences they quote."""
    meta = {"id": SEED_REPORT, "title": "IS-K Ramps Up War", "outlet": "RFE/RL", "outlet_id": "rferl"}
    claims = []
    for number, (subject, relation, obj, quote) in enumerate([
        ("isk", "ATTACKED", "tajikistan", "IS-K claimed that it had fire rockets"),
        ("tajikistan", "DENIED", "isk", "Both Dushanbe and Tashkent have denied"),
    ]):
        start = text.index(quote)
        claims.append({"id": f"staged-{number}", "subject": subject, "type": relation, "object": obj, "quote": quote,
                       "span": [start, start + len(quote)], "status": "reported", "asserted_by": "rferl",
                       "confidence": 0.41 + number / 10, "extracted_by": "parse", "source": SEED_REPORT,
                       **({"status": "denied", "denies": "isk-attacked-tajikistan-2022-05-07"} if number else {})})
    assert staging.add(meta, text, claims) == 2


def dump(store: GraphStore, staging: Staging) -> dict[str, Any]:
    """Everything the graph and the staging file hold, as plain data, in a stable order."""
    return {
        "entities": [e.model_dump() for e in store.entities()],
        "sources": [s.model_dump() for s in store.sources()],
        "claims": [c.model_dump() for c in store.claims(ClaimQuery())],
        "incidents": [i.model_dump() for i in store.incidents(IncidentQuery(limit=MAX_INCIDENT_PAGE))],
        "stats": store.stats().model_dump(),
        "staged_reports": staging.reports(),
        "staged_claims": staging.claims(),
    }


@pytest.fixture
def original(tmp_path: Path, ontology: Ontology, seed_text: str) -> Iterator[tuple[SqliteStore, Staging]]:
    """The seed graph in the embedded store, with two claims awaiting review."""
    store = SqliteStore(ontology, tmp_path / "original" / "graph.sqlite")
    load(SEEDS, store, ontology)
    staging = Staging(tmp_path / "original" / "staged.json")
    stage_two_claims(staging, seed_text)
    yield store, staging
    store.close()


def fresh(tmp_path: Path, ontology: Ontology, name: str) -> tuple[SqliteStore, Staging]:
    return SqliteStore(ontology, tmp_path / name / "graph.sqlite"), Staging(tmp_path / name / "staged.json")


def test_a_backup_restored_into_an_empty_embedded_store_gives_the_same_graph(
        original: tuple[SqliteStore, Staging], ontology: Ontology, tmp_path: Path) -> None:
    store, staging = original
    summary = write_backup(store, ontology, tmp_path / "graph.kgb", staging)
    assert summary.counts == {"entity": SEED_ENTITIES, "source": 1, "claim": 80, "incident": 8,
                              "incident_decision": 0, "staged_report": 1, "staged_claim": 2, "staged_entity": 0,
                              "review_decision": 0}
    target, target_staging = fresh(tmp_path, ontology, "restored")
    restored = restore_backup(summary.path, target, ontology, target_staging)
    assert restored.counts == {**SEED_COUNTS, "incident_decisions": 0, "staged_claims": 2, "review_decisions": 0}
    assert restored.staged == 2
    assert restored.written.created == SEED_COUNTS
    before, after = dump(store, staging), dump(target, target_staging)
    assert len(after["claims"]) == 80 and len(after["staged_claims"]) == 2 and len(after["incidents"]) == 8
    assert after == before
    # The source comes back with its full text, and every optional property of claims and entities with it.
    assert after["sources"][0]["text"] == (SEEDS / "reports" / f"{SEED_REPORT}.txt").read_text(encoding="utf-8")
    for name in ("date", "end_date", "location", "incident", "note", "denies"):
        assert any(c[name] for c in after["claims"]), name
    assert any(a["valid_from"] for e in after["entities"] for a in e["aliases"])
    for name in ("description", "parent", "parent_relation", "source"):
        assert any(e[name] for e in after["entities"]), name
    sahel = next(e for e in after["entities"] if e["id"] == "islamic-state-sahel")
    assert (sahel["parent"], sahel["parent_relation"]) == ("islamic-state", "AFFILIATE_OF") and sahel["source"]
    assert {e["gazetteer"] for e in after["entities"] if e["id"] in ("termez", "takhar")} == {"geonames:1215957",
                                                                                          "AF-TAK"}
    # Every part of an incident comes back: places, coordinates, perpetrators by basis, casualties, quotes.
    for name in ("place", "admin1", "admin1_code", "country", "location", "perpetrators", "targets", "killed",
                 "note"):
        assert any(i[name] for i in after["incidents"]), name
    # Merging the same backup again changes nothing.
    again = restore_backup(summary.path, target, ontology, target_staging, merge=True)
    assert again.written.unchanged == SEED_COUNTS and again.staged == 0
    assert dump(target, target_staging) == before
    target.close()


@pytest.fixture
def empty_neo4j(neo4j_database: Neo4jTestDatabase, ontology: Ontology) -> Iterator[GraphStore]:
    store = neo4j_database.reset(ontology, seeded=False)
    yield store
    if neo4j_database.seeded_readers:
        neo4j_database.reset(ontology, seeded=True)


def test_a_backup_goes_from_the_embedded_store_to_neo4j_and_back_unchanged(
        original: tuple[SqliteStore, Staging], empty_neo4j: GraphStore, ontology: Ontology, tmp_path: Path) -> None:
    store, staging = original
    first = write_backup(store, ontology, tmp_path / "from-embedded.kgb", staging).path
    neo4j_staging = Staging(tmp_path / "neo4j" / "staged.json")
    restore_backup(first, empty_neo4j, ontology, neo4j_staging)
    expected = dump(store, staging)
    assert dump(empty_neo4j, neo4j_staging) == expected
    second = write_backup(empty_neo4j, ontology, tmp_path / "from-neo4j.kgb", neo4j_staging).path
    assert second.read_bytes() == first.read_bytes()  # the same graph exports byte for byte the same
    back, back_staging = fresh(tmp_path, ontology, "back")
    restore_backup(second, back, ontology, back_staging)
    assert dump(back, back_staging) == expected
    assert len(expected["entities"]) == SEED_ENTITIES
    assert len(expected["claims"]) == 80 and len(expected["staged_claims"]) == 2
    assert len(expected["incidents"]) == 8
    back.close()


def lines_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def claim_line(lines: list[dict[str, Any]], claim_id: str) -> int:
    """The 1-based line number of a claim in a backup."""
    return next(n for n, line in enumerate(lines, start=1) if line.get("claim", {}).get("id") == claim_id)


def spoil(path: Path, how: str) -> tuple[Path, int, str]:
    """A copy of a backup with one line made wrong; returns it, that line's number, and a word the error must say."""
    lines = lines_of(path)
    texts = [json.dumps(line, ensure_ascii=False) for line in lines]
    target = claim_line(lines, "isk-attacked-tajikistan-2022-05-07")
    claim = lines[target - 1]["claim"]
    if how == "bad json":
        texts[target - 1] = texts[target - 1][:-7]
        return write_lines(path.with_name("bad-json.kgb"), texts), target, "not JSON"
    if how == "unknown relation type":
        texts[target - 1] = json.dumps({"claim": {**claim, "type": "BEFRIENDED"}})
        return write_lines(path.with_name("bad-type.kgb"), texts), target, "unknown relation type"
    if how == "claim without source":
        texts[target - 1] = json.dumps({"claim": {k: v for k, v in claim.items() if k != "source"}})
        return write_lines(path.with_name("no-source.kgb"), texts), target, "unknown report"
    if how == "cut short":
        return write_lines(path.with_name("cut.kgb"), texts[:-3]), 1, "cut short"
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["bad json", "unknown relation type", "claim without source", "cut short"])
def test_a_bad_backup_is_refused_naming_its_line_and_nothing_is_written(
        how: str, original: tuple[SqliteStore, Staging], ontology: Ontology, tmp_path: Path) -> None:
    store, staging = original
    good = write_backup(store, ontology, tmp_path / "graph.kgb", staging).path
    bad, line, word = spoil(good, how)
    target, target_staging = fresh(tmp_path, ontology, "target")
    with pytest.raises(ValidationFailed) as refused:
        restore_backup(bad, target, ontology, target_staging)
    assert f"{bad}:{line}: " in refused.value.message and word in refused.value.message
    assert "nothing was loaded" in refused.value.message
    assert target.revision() == 0 and target.count_entities() == 0 and target.count_claims() == 0
    assert not target_staging.path.exists()
    # Merged into a store holding the graph already, the bad file changes nothing there either.
    revision = store.revision()
    with pytest.raises(ValidationFailed):
        restore_backup(bad, store, ontology, staging, merge=True)
    assert store.revision() == revision and len(staging.claims()) == 2
    target.close()


def test_a_backup_is_not_restored_over_a_graph_without_merge(
        original: tuple[SqliteStore, Staging], ontology: Ontology, tmp_path: Path) -> None:
    store, staging = original
    backup = write_backup(store, ontology, tmp_path / "graph.kgb", staging).path
    with pytest.raises(StoreNotEmpty,
                       match=rf"{SEED_ENTITIES} entities, 1 sources, 80 claims, 8 incidents, 2 staged claims.*--merge"):
        restore_backup(backup, store, ontology, staging)
    empty, empty_staging = fresh(tmp_path, ontology, "staged-only")
    stage_two_claims(empty_staging, store.get_source(SEED_REPORT).text)
    with pytest.raises(StoreNotEmpty, match="2 staged claims"):
        restore_backup(backup, empty, ontology, empty_staging)
    assert empty.count_entities() == 0
    empty.close()


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    bundle = write_lines(tmp_path / "not-a-backup.jsonl", ['{"entity": {"id": "x"}}'])
    with pytest.raises(BackupInvalid, match=r"not-a-backup.jsonl:1: not a kg backup"):
        read_backup(bundle)
    with pytest.raises(BackupInvalid, match="no such file"):
        read_backup(tmp_path / "missing.kgb")


def test_an_export_that_cannot_be_written_says_where(
        original: tuple[SqliteStore, Staging], ontology: Ontology, tmp_path: Path) -> None:
    store, staging = original
    (tmp_path / "taken").mkdir()
    with pytest.raises(BackupInvalid, match=r"cannot write the backup .*taken"):
        write_backup(store, ontology, tmp_path / "taken", staging)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no half-written file left
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    with pytest.raises(BackupInvalid, match=r"cannot write the admin CSV in .*a-file"):
        admin_csv(store, ontology, tmp_path / "a-file")


def kg(settings: Settings, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj=settings)


def test_kg_export_and_kg_import_round_trip_and_refuse_clearly(tmp_path: Path, seed_text: str) -> None:
    source = Settings(store="memory", data_file=tmp_path / "a" / "graph.sqlite", seeds_dir=SEEDS)
    assert kg(source, "load").exit_code == 0
    stage_two_claims(Staging(source.staging_path), seed_text)
    exported = kg(source, "export", str(tmp_path / "graph.kgb"), "--json")
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.output)["counts"]["claim"] == 80
    target = Settings(store="memory", data_file=tmp_path / "b" / "graph.sqlite", seeds_dir=SEEDS)
    imported = kg(target, "import", str(tmp_path / "graph.kgb"))
    assert imported.exit_code == 0, imported.output
    assert "2 claim(s) back awaiting review" in imported.output
    assert kg(target, "stats", "--json").output == kg(source, "stats", "--json").output
    assert json.loads(kg(target, "review", "--json").output) == json.loads(kg(source, "review", "--json").output)
    again = kg(target, "import", str(tmp_path / "graph.kgb"))
    assert again.exit_code == 1 and f"already holds {SEED_ENTITIES} entities" in again.output
    assert "--merge" in again.output
    bad, line, _ = spoil(tmp_path / "graph.kgb", "unknown relation type")
    other = Settings(store="memory", data_file=tmp_path / "c" / "graph.sqlite", seeds_dir=SEEDS)
    refused = kg(other, "import", str(bad))
    assert refused.exit_code == 1 and f"{bad}:{line}: claim.type: 'BEFRIENDED': unknown relation type" in refused.output
    assert json.loads(kg(other, "stats", "--json").output)["entities"] == 0
