"""The embedded store loses nothing: persistence, atomic writes, other writers, bad files, old JSON files."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from graph.domain.errors import KgError, StoreUnavailable
from graph.domain.model import Batch, Claim, Entity
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.stores.protocol import ClaimQuery
from graph.stores.sqlite.store import SqliteStore
from tests.conftest import SEEDS


def test_what_was_loaded_survives_a_restart(tmp_path: Path, ontology: Ontology) -> None:
    path = tmp_path / "graph.json"
    first = SqliteStore(ontology, path)
    load(SEEDS, first, ontology)
    first.upsert(Batch(entities=[Entity(id="jamaat-ansarullah", name="Jamaat Ansarullah", kind="armed_group")]))
    again = SqliteStore(ontology, path)
    assert again.stats() == first.stats()
    assert again.claims(ClaimQuery()) == first.claims(ClaimQuery())
    assert again.resolve("Jamaat Ansarullah").id == "jamaat-ansarullah"
    assert again.get_claim("isk-attacked-tajikistan-2022-05-07").disputed


def test_a_failed_write_changes_neither_file_nor_memory(tmp_path: Path, ontology: Ontology,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "graph.sqlite"
    store = SqliteStore(ontology, path)
    load(SEEDS, store, ontology)
    before_stats, before_revision = store.stats(), store.revision()
    write_batch = SqliteStore._write_batch

    def fail_after_the_entities(self: SqliteStore, db: object, batch: Batch, revision: int) -> None:
        write_batch(self, db, Batch(entities=batch.entities), revision)  # type: ignore[arg-type]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(SqliteStore, "_write_batch", fail_after_the_entities)
    template = store.get_claim("isk-provoke-pakistan-mines").model_dump(exclude={"disputed", "disputed_by"})
    with pytest.raises(OSError, match="No space left on device"):
        store.upsert(Batch(entities=[Entity(id="new-group", name="New Group", kind="armed_group")],
                           claims=[Claim(**{**template, "id": "new-claim", "subject": "new-group"})]))
    monkeypatch.undo()
    assert store.stats() == before_stats and store.revision() == before_revision
    again = SqliteStore(ontology, path)
    assert again.stats() == before_stats
    assert again.get_entities(["new-group"]) == {} and again.existing_claims(["new-claim"]) == {}


def test_a_reader_sees_what_another_process_wrote(tmp_path: Path, ontology: Ontology) -> None:
    path = tmp_path / "graph.json"
    reader = SqliteStore(ontology, path)
    assert reader.stats().claims == 0
    script = (
        "import sys; from pathlib import Path; from graph.services.loader import load; "
        "from graph.domain.ontology import load_ontology; from graph.stores.sqlite.store import SqliteStore; "
        "o = load_ontology(); load(Path(sys.argv[1]), SqliteStore(o, Path(sys.argv[2])), o)"
    )
    subprocess.run([sys.executable, "-c", script, str(SEEDS), str(path)], check=True)
    assert reader.stats().claims == SqliteStore(ontology, path).stats().claims > 0


def test_writers_in_turn_keep_each_others_records(tmp_path: Path, ontology: Ontology) -> None:
    path = tmp_path / "graph.json"
    one, two = SqliteStore(ontology, path), SqliteStore(ontology, path)
    one.upsert(Batch(entities=[Entity(id="group-a", name="Group A", kind="armed_group")]))
    two.upsert(Batch(entities=[Entity(id="group-b", name="Group B", kind="armed_group")]))
    assert {e.id for e in SqliteStore(ontology, path).entities()} == {"group-a", "group-b"}


def test_queries_after_a_write_see_it(tmp_path: Path, ontology: Ontology) -> None:
    """Traversal structures are cached per snapshot; a write must never leave them stale."""
    store = SqliteStore(ontology, tmp_path / "graph.json")
    load(SEEDS, store, ontology)
    assert store.paths("osama-bin-laden", "isk", types=["LEADS", "SUPPORTS"]) == []
    assert {n.id for n in store.neighbourhood("isk", types=["LEADS"]).nodes} == {"isk"}
    template = store.get_claim("bin-laden-leads-al-qaeda").model_dump(exclude={"disputed", "disputed_by"})
    store.upsert(Batch(claims=[Claim(**{**template, "id": "test-leads-isk", "object": "isk"})]))
    assert {n.id for n in store.neighbourhood("isk", types=["LEADS"]).nodes} == {"isk", "osama-bin-laden"}
    (path,) = store.paths("osama-bin-laden", "isk", types=["LEADS", "SUPPORTS"])
    assert [hop.claims[0].id for hop in path] == ["test-leads-isk"]


def test_a_damaged_data_file_is_reported_and_left_untouched(tmp_path: Path, ontology: Ontology) -> None:
    path = tmp_path / "graph.json"
    path.write_text('{"format": "kg-graph", "version": 1, "entities": [', encoding="utf-8")
    with pytest.raises(StoreUnavailable, match=f"cannot read the graph data file {path}"):
        SqliteStore(ontology, path)
    path.write_text(json.dumps({"format": "something-else"}), encoding="utf-8")
    with pytest.raises(StoreUnavailable, match="expected format 'kg-graph'"):
        SqliteStore(ontology, path)
    assert json.loads(path.read_text(encoding="utf-8")) == {"format": "something-else"}
    database = tmp_path / "other.sqlite"
    database.write_bytes(b"this is not a database, whatever its name says" * 100)
    with pytest.raises(StoreUnavailable, match=f"cannot open the graph database {database}: file is not a database"):
        SqliteStore(ontology, database)
    assert database.read_bytes().startswith(b"this is not a database")


def test_an_old_json_data_file_is_migrated_on_first_open_and_left_as_it_was(tmp_path: Path,
                                                                            ontology: Ontology) -> None:
    reference = SqliteStore(ontology)
    load(SEEDS, reference, ontology)
    legacy = {"format": "kg-graph", "version": 1,
              "entities": [e.model_dump(exclude_none=True) for e in reference.entities()],
              "sources": [s.model_dump(exclude_none=True) for s in reference.sources()],
              "claims": [c.model_dump(exclude={"disputed", "disputed_by"}, exclude_none=True)
                         for c in reference.claims(ClaimQuery())]}
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(legacy), encoding="utf-8")
    before = path.read_bytes()
    migrated = SqliteStore(ontology, path)
    assert (tmp_path / "graph.sqlite").exists() and path.read_bytes() == before
    # The old one-document format held no incidents; everything else comes across.
    assert migrated.stats() == reference.stats().model_copy(update={"incidents": 0})
    assert migrated.claims(ClaimQuery()) == reference.claims(ClaimQuery())
    assert migrated.resolve("Dushanbe").id == "tajikistan"
    migrated.upsert(Batch(entities=[Entity(id="group-c", name="Group C", kind="armed_group")]))
    reopened = SqliteStore(ontology, path)
    assert reopened.get_entity("group-c").name == "Group C", "the database, not the JSON file, is read again"


def test_an_inconsistent_batch_is_refused(ontology: Ontology, tmp_path: Path) -> None:
    store = SqliteStore(ontology, tmp_path / "graph.json")
    load(SEEDS, store, ontology)
    claim = store.get_claim("isk-provoke-pakistan-mines").model_dump(exclude={"disputed", "disputed_by"})
    with pytest.raises(KgError, match="object 'nowhere' is not an entity"):
        store.upsert(Batch(claims=[Claim(**{**claim, "id": "orphan", "object": "nowhere"})]))
    assert "orphan" not in {c.id for c in store.claims(ClaimQuery())}


def test_the_alias_index_follows_what_another_process_adds(tmp_path: Path, ontology: Ontology) -> None:
    path = tmp_path / "graph.sqlite"
    reader = SqliteStore(ontology, path)
    load(SEEDS, reader, ontology)
    assert reader.resolve("ISKP").id == "isk"
    writer = SqliteStore(ontology, path)
    writer.upsert(Batch(entities=[Entity(id="zarnigor-brigade", name="Zarnigor Brigade", kind="armed_group")]))
    assert reader.resolve("Zarnigor Brigade").id == "zarnigor-brigade"
    assert reader.get_entities(["zarnigor-brigade", "isk", "atlantis"]).keys() == {"zarnigor-brigade", "isk"}
