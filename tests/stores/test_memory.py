"""The embedded store loses nothing: persistence, atomic writes, other writers, bad files, old JSON files."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from graph.errors import KgError, StoreUnavailable
from graph.loader import load
from graph.model import Batch, Claim, Entity
from graph.ontology import Ontology
from graph.store import ClaimQuery
from graph.stores.memory import MemoryStore
from tests.conftest import SEEDS


def test_what_was_loaded_survives_a_restart(tmp_path: Path, ontology: Ontology) -> None:
    path = tmp_path / "graph.json"
    first = MemoryStore(ontology, path)
    load(SEEDS, first, ontology)
    first.upsert(Batch(entities=[Entity(id="jamaat-ansarullah", name="Jamaat Ansarullah", kind="armed_group")]))
    again = MemoryStore(ontology, path)
    assert again.stats() == first.stats()
    assert again.claims(ClaimQuery()) == first.claims(ClaimQuery())
    assert again.resolve("Jamaat Ansarullah").id == "jamaat-ansarullah"
    assert again.get_claim("isk-attacked-tajikistan-2022-05-07").disputed


def test_a_failed_write_changes_neither_file_nor_memory(tmp_path: Path, ontology: Ontology,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "graph.sqlite"
    store = MemoryStore(ontology, path)
    load(SEEDS, store, ontology)
    before_stats, before_revision = store.stats(), store.revision()
    write_batch = MemoryStore._write_batch

    def fail_after_the_entities(self: MemoryStore, db: object, batch: Batch, revision: int) -> None:
        write_batch(self, db, Batch(entities=batch.entities), revision)  # type: ignore[arg-type]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(MemoryStore, "_write_batch", fail_after_the_entities)
    template = store.get_claim("isk-provoke-pakistan-mines").model_dump(exclude={"disputed", "disputed_by"})
    with pytest.raises(OSError, match="No space left on device"):
        store.upsert(Batch(entities=[Entity(id="new-group", name="New Group", kind="armed_group")],
                           claims=[Claim(**{**template, "id": "new-claim", "subject": "new-group"})]))
    monkeypatch.undo()
    assert store.stats() == before_stats and store.revision() == before_revision
    again = MemoryStore(ontology, path)
    assert again.stats() == before_stats
    assert again.get_entities(["new-group"]) == {} and again.existing_claims(["new-claim"]) == {}


def test_a_reader_sees_what_another_process_wrote(tmp_path: Path, ontology: Ontology) -> None:
    path = tmp_path / "graph.json"
    reader = MemoryStore(ontology, path)
    assert reader.stats().claims == 0
    script = (
        "import sys; from pathlib import Path; from graph.loader import load; "
        "from graph.ontology import load_ontology; from graph.stores.memory import MemoryStore; "
        "o = load_ontology(); load(Path(sys.argv[1]), MemoryStore(o, Path(sys.argv[2])), o)"
    )
    subprocess.run([sys.executable, "-c", script, str(SEEDS), str(path)], check=True)
    assert reader.stats().claims == MemoryStore(ontology, path).stats().claims > 0


def test_writers_in_turn_keep_each_others_records(tmp_path: Path, ontology: Ontology) -> None:
    path = tmp_path / "graph.json"
    one, two = MemoryStore(ontology, path), MemoryStore(ontology, path)
    one.upsert(Batch(entities=[Entity(id="group-a", name="Group A", kind="armed_group")]))
    two.upsert(Batch(entities=[Entity(id="group-b", name="Group B", kind="armed_group")]))
    assert {e.id for e in MemoryStore(ontology, path).entities()} == {"group-a", "group-b"}


def test_queries_after_a_write_see_it(tmp_path: Path, ontology: Ontology) -> None:
    """Traversal structures are cached per snapshot; a write must never leave them stale."""
    store = MemoryStore(ontology, tmp_path / "graph.json")
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
        MemoryStore(ontology, path)
    path.write_text(json.dumps({"format": "something-else"}), encoding="utf-8")
    with pytest.raises(StoreUnavailable, match="expected format 'kg-graph'"):
        MemoryStore(ontology, path)
    assert json.loads(path.read_text(encoding="utf-8")) == {"format": "something-else"}
    database = tmp_path / "other.sqlite"
    database.write_bytes(b"this is not a database, whatever its name says" * 100)
    with pytest.raises(StoreUnavailable, match=f"cannot open the graph database {database}: file is not a database"):
        MemoryStore(ontology, database)
    assert database.read_bytes().startswith(b"this is not a database")


def test_an_old_json_data_file_is_migrated_on_first_open_and_left_as_it_was(tmp_path: Path,
                                                                            ontology: Ontology) -> None:
    reference = MemoryStore(ontology)
    load(SEEDS, reference, ontology)
    legacy = {"format": "kg-graph", "version": 1,
              "entities": [e.model_dump(exclude_none=True) for e in reference.entities()],
              "sources": [s.model_dump(exclude_none=True) for s in reference.sources()],
              "claims": [c.model_dump(exclude={"disputed", "disputed_by"}, exclude_none=True)
                         for c in reference.claims(ClaimQuery())]}
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(legacy), encoding="utf-8")
    before = path.read_bytes()
    migrated = MemoryStore(ontology, path)
    assert (tmp_path / "graph.sqlite").exists() and path.read_bytes() == before
    assert migrated.stats() == reference.stats()
    assert migrated.claims(ClaimQuery()) == reference.claims(ClaimQuery())
    assert migrated.resolve("Dushanbe").id == "tajikistan"
    migrated.upsert(Batch(entities=[Entity(id="group-c", name="Group C", kind="armed_group")]))
    reopened = MemoryStore(ontology, path)
    assert reopened.get_entity("group-c").name == "Group C", "the database, not the JSON file, is read again"


def test_an_inconsistent_batch_is_refused(ontology: Ontology, tmp_path: Path) -> None:
    store = MemoryStore(ontology, tmp_path / "graph.json")
    load(SEEDS, store, ontology)
    claim = store.get_claim("isk-provoke-pakistan-mines").model_dump(exclude={"disputed", "disputed_by"})
    with pytest.raises(KgError, match="object 'nowhere' is not an entity"):
        store.upsert(Batch(claims=[Claim(**{**claim, "id": "orphan", "object": "nowhere"})]))
    assert "orphan" not in {c.id for c in store.claims(ClaimQuery())}


def test_the_alias_index_follows_what_another_process_adds(tmp_path: Path, ontology: Ontology) -> None:
    path = tmp_path / "graph.sqlite"
    reader = MemoryStore(ontology, path)
    load(SEEDS, reader, ontology)
    assert reader.resolve("ISKP").id == "isk"
    writer = MemoryStore(ontology, path)
    writer.upsert(Batch(entities=[Entity(id="zarnigor-brigade", name="Zarnigor Brigade", kind="armed_group")]))
    assert reader.resolve("Zarnigor Brigade").id == "zarnigor-brigade"
    assert reader.get_entities(["zarnigor-brigade", "isk", "atlantis"]).keys() == {"zarnigor-brigade", "isk"}
