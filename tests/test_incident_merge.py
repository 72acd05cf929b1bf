"""One incident, many reports, on both stores: reports of one bombing from three outlets make one incident (each
report's figures kept, the differences listed), two attacks in one city a week apart stay two, ingesting again
changes nothing, and merges and splits by hand are explained, reversible, recorded, and survive a reload and an
export and import. The reports are the made-up ones of tests/data/incident-set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from app.cli import cli
from app.settings import PROJECT_ROOT, Settings
from graph.domain.errors import InvalidParameter
from graph.domain.model import Batch, Incident
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Extractor
from graph.language.extract.text import ReportInput
from graph.services.backup import restore_backup, write_backup
from graph.services.incident_merge import DecisionLog, merge, replay, split
from graph.services.ingest import ingest
from graph.services.loader import load, read_bundle
from graph.services.review import Staging
from graph.stores.protocol import ClaimQuery, GraphStore, IncidentQuery
from graph.stores.sqlite.store import SqliteStore
from tests.conftest import SEEDS

SET = PROJECT_ROOT / "tests" / "data" / "incident-set"
BOMBING = ["frontier-wire-bannu-bombing", "daily-courier-bannu-toll", "gulf-herald-bannu-blame"]
RAID = "daily-courier-bannu-police"


@pytest.fixture(scope="module")
def extractor(ontology: Ontology) -> Extractor:
    return Extractor(ontology, read_bundle(SEEDS, ontology).entities)


@pytest.fixture(scope="module")
def reports(ontology: Ontology) -> dict[str, ReportInput]:
    """The set's reports as ingest receives them, by id."""
    found = {}
    for path in sorted((SET / "reports").glob("*.yaml")):
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = path.with_suffix(".txt").read_text(encoding="utf-8")
        found[meta["id"]] = ReportInput(text=text, title=meta["title"], outlet=meta["outlet"],
                                        published=str(meta["published"]), origin=meta["id"])
    return found


@pytest.fixture
def store(empty_store: GraphStore, ontology: Ontology) -> GraphStore:
    load(SEEDS, empty_store, ontology)
    return empty_store


def ingest_reports(store: GraphStore, ontology: Ontology, extractor: Extractor, reports: dict[str, ReportInput],
                   ids: list[str], log: DecisionLog) -> None:
    """Ingest reports one by one, as outlets publish them (each placed among what the store holds by then)."""
    for report_id in ids:
        ingest(reports[report_id], store, ontology, extractor=extractor, decisions=log,
               extraction=extractor.run(reports[report_id], source_id=report_id))


def incidents_of(store: GraphStore, sources: list[str]) -> dict[str, Incident]:
    found: dict[str, Incident] = {}
    for source in sources:
        found.update({i.id: i for i in store.incidents(IncidentQuery(source=source))})
    return found


def test_three_outlets_reporting_one_bombing_make_one_incident_with_their_figures_side_by_side(
        store: GraphStore, ontology: Ontology, extractor: Extractor, reports: dict[str, ReportInput],
        tmp_path: Path) -> None:
    log = DecisionLog(tmp_path / "decisions.jsonl")
    ingest_reports(store, ontology, extractor, reports, BOMBING, log)
    found = incidents_of(store, BOMBING)
    assert len(found) == 1
    incident = next(iter(found.values()))
    assert incident.sources == BOMBING  # corroborated by three reports, in the order they came
    assert (incident.type, incident.date, incident.country) == ("suicide_bombing", "2023-07-15", "pakistan")
    per_report = {r.source: (r.killed.min, r.killed.max) for r in incident.reports if r.killed is not None}
    assert per_report == {"frontier-wire-bannu-bombing": (11, None), "daily-courier-bannu-toll": (14, 14),
                          "gulf-herald-bannu-blame": (12, 12)}
    assert incident.killed is not None and (incident.killed.min, incident.killed.max) == (11, None)
    assert {p.id for p in incident.perpetrators if p.basis == "claimed"} == {"hafiz-gul-bahadur-group"}
    assert ("taliban", "denied", "taliban") in {(p.id, p.basis, p.asserted_by) for p in incident.perpetrators}
    # each merge is explained (what matched) in the incident's history and in the decisions log
    assert [c.action for c in incident.history] == ["merged", "merged"]
    assert all("place Bannu" in (c.reason or "") and "date 2023-07-15" in (c.reason or "") for c in incident.history)
    assert [d.other for d in log.entries()] == [c.incident for c in incident.history]
    # the claims of every report point at it
    claims = [c for s in BOMBING for c in store.claims(ClaimQuery(source=s)) if c.type in ("ATTACKED", "DENIED")]
    assert claims and {c.incident for c in claims} == {incident.id}


def test_two_attacks_in_one_city_a_week_apart_stay_two(
        store: GraphStore, ontology: Ontology, extractor: Extractor, reports: dict[str, ReportInput],
        tmp_path: Path) -> None:
    log = DecisionLog(tmp_path / "decisions.jsonl")
    ingest_reports(store, ontology, extractor, reports, [BOMBING[0], RAID], log)
    found = incidents_of(store, [BOMBING[0], RAID])
    assert sorted((i.date, i.type) for i in found.values()) == [("2023-07-15", "suicide_bombing"),
                                                                ("2023-07-22", "armed_assault")]
    assert all(i.place is not None and i.place.name == "Bannu" for i in found.values())
    assert log.entries() == []


def test_ingesting_again_changes_nothing(store: GraphStore, ontology: Ontology, extractor: Extractor,
                                         reports: dict[str, ReportInput], tmp_path: Path) -> None:
    log = DecisionLog(tmp_path / "decisions.jsonl")
    ingest_reports(store, ontology, extractor, reports, BOMBING, log)
    before = incidents_of(store, BOMBING)
    again = ingest(reports[BOMBING[1]], store, ontology, extractor=extractor, decisions=log,
                   extraction=extractor.run(reports[BOMBING[1]], source_id=BOMBING[1]))
    assert again.written is not None
    assert again.written.created["incidents"] == again.written.updated["incidents"] == 0
    assert incidents_of(store, BOMBING) == before and len(log.entries()) == 2


def test_merge_and_split_by_hand_round_trip_explained_and_recorded(
        store: GraphStore, ontology: Ontology, extractor: Extractor, reports: dict[str, ReportInput],
        tmp_path: Path) -> None:
    log = DecisionLog(tmp_path / "decisions.jsonl")
    ingest_reports(store, ontology, extractor, reports, [*BOMBING, RAID], log)
    found = incidents_of(store, [*BOMBING, RAID])
    bombing = next(i for i in found.values() if i.type == "suicide_bombing")
    raid = next(i for i in found.values() if i.type == "armed_assault")
    with pytest.raises(InvalidParameter, match=r"may not be .*date: 2023-07-15 vs 2023-07-22.*--force"):
        merge(store, ontology, log, bombing.id, raid.id, by="test")
    outcome = merge(store, ontology, log, bombing.id, raid.id, by="test", reason="one campaign", force=True)
    assert outcome.written.removed == {"incidents": 1}
    merged = store.get_incident(bombing.id)
    assert merged.sources == [*BOMBING, RAID] and store.get_incidents([raid.id]) == {}
    assert merged.history[-1].action == "merged" and merged.history[-1].incident == raid.id
    assert merged.history[-1].reason == "one campaign" and merged.history[-1].reports == [RAID]
    assert {c.incident for c in store.claims(ClaimQuery(source=RAID)) if c.incident} <= {bombing.id}
    # split the raid's report out again: it comes back under its own id, as it was told
    back = split(store, ontology, log, bombing.id, RAID, by="test")
    restored = store.get_incident(raid.id)
    assert [i.id for i in back.incidents] == [bombing.id, raid.id]
    assert (restored.type, restored.date, restored.sources) == (raid.type, raid.date, [RAID])
    assert restored.killed == raid.killed and restored.targets == raid.targets
    rest = store.get_incident(bombing.id)
    assert rest.sources == BOMBING and rest.killed == bombing.killed and rest.type == "suicide_bombing"
    assert rest.history[-1].action == "split" and rest.history[-1].incident == raid.id
    assert [d.action for d in log.entries()][-2:] == ["merge", "split"]
    # a split is kept: ingesting the raid's report again does not fold it back
    ingest_reports(store, ontology, extractor, reports, [RAID, BOMBING[0]], log)
    assert set(incidents_of(store, [*BOMBING, RAID])) == {bombing.id, raid.id}
    with pytest.raises(InvalidParameter, match="only report"):
        split(store, ontology, log, raid.id, RAID, by="test")


def test_a_merge_survives_a_reload_and_an_export_and_import(
        store: GraphStore, ontology: Ontology, extractor: Extractor, reports: dict[str, ReportInput],
        tmp_path: Path) -> None:
    log = DecisionLog(tmp_path / "decisions.jsonl")
    ingest_reports(store, ontology, extractor, reports, [BOMBING[0], RAID], log)
    bombing, raid = sorted(incidents_of(store, [BOMBING[0], RAID]).values(), key=lambda i: i.date or "")
    merge(store, ontology, log, bombing.id, raid.id, by="test", force=True)
    # a reload: the raid's report ingested again goes where the merge put it
    ingest_reports(store, ontology, extractor, reports, [RAID], log)
    assert set(incidents_of(store, [BOMBING[0], RAID])) == {bombing.id}
    # incidents written again as a bundle or a backup gives them are folded as the log says
    written, removed = replay(store, ontology, log, [raid], by="test")
    assert [i.id for i in written] == [bombing.id] and removed == [raid.id]
    # export and import into a fresh embedded store: the incidents and the log come back
    staging = Staging(tmp_path / "staged.json")
    backup = write_backup(store, ontology, tmp_path / "graph.kgb", staging, log)
    assert backup.counts["incident_decision"] == 1
    target = SqliteStore(ontology, tmp_path / "target" / "graph.sqlite")
    target_log = DecisionLog(tmp_path / "target" / "decisions.jsonl")
    restore_backup(backup.path, target, ontology, Staging(tmp_path / "target" / "staged.json"),
                   decisions=target_log)
    assert target.get_incident(bombing.id) == store.get_incident(bombing.id)
    assert target.get_incidents([raid.id]) == {}
    assert [(d.action, d.kept, d.other) for d in target_log.entries()] == [("merge", bombing.id, raid.id)]
    # and the split is done there from the log the import brought
    split(target, ontology, target_log, bombing.id, RAID, by="test")
    assert target.get_incident(raid.id).sources == [RAID]
    target.close()


def test_incidents_removed_in_a_write_are_gone_from_every_read(store: GraphStore) -> None:
    seed = store.get_incident("termez-attack-2022-04-18")
    before = store.count_incidents()
    result = store.upsert(Batch(), remove_incidents=[seed.id, "no-such-incident"])
    assert result.removed == {"incidents": 1}
    assert store.count_incidents() == before - 1 and store.get_incidents([seed.id]) == {}
    assert seed.id not in {i.id for i in store.incidents(IncidentQuery(source=seed.sources[0], limit=50))}
    with pytest.raises(InvalidParameter, match="written and removed"):
        store.upsert(Batch(incidents=[seed]), remove_incidents=[seed.id])


def kg(settings: Settings, *args: str) -> Any:
    return CliRunner().invoke(cli, list(args), obj=settings)


def test_kg_ingest_merges_and_kg_incidents_merge_split_and_load_keep_the_decisions(tmp_path: Path) -> None:
    settings = Settings(store="memory", data_file=tmp_path / "graph.sqlite", seeds_dir=SEEDS)
    assert kg(settings, "load").exit_code == 0
    paths = [str(SET / "reports" / f"{name}.txt") for name in [*BOMBING, RAID]]
    dates = {"frontier-wire-bannu-bombing": "2023-07-16", "daily-courier-bannu-toll": "2023-07-16",
             "gulf-herald-bannu-blame": "2023-07-17", RAID: "2023-07-23"}
    for path, name in zip(paths, [*BOMBING, RAID], strict=True):
        done = kg(settings, "ingest", path, "--date", dates[name], "--outlet", name.split("-bannu")[0])
        assert done.exit_code == 0, done.output
    listed = json.loads(kg(settings, "incidents", "--since", "2023-07", "--json").output)
    assert sorted((i["type"], i["corroboration"]) for i in listed["data"]) == [("armed_assault", 1),
                                                                               ("suicide_bombing", 3)]
    bombing = next(i for i in listed["data"] if i["type"] == "suicide_bombing")
    raid = next(i for i in listed["data"] if i["type"] == "armed_assault")
    assert {c["field"] for c in bombing["contradictions"]} >= {"killed"}
    shown = kg(settings, "incidents", "show", bombing["id"])
    assert "side by side, killed:" in shown.output and "merged " in shown.output
    refused = kg(settings, "incidents", "merge", bombing["id"], raid["id"])
    assert refused.exit_code != 0 and "--force" in refused.output
    merged = kg(settings, "incidents", "merge", bombing["id"], raid["id"], "--force", "--json")
    assert merged.exit_code == 0, merged.output
    assert json.loads(merged.output)["decision"]["other"] == raid["id"]
    assert settings.incident_log_path.exists()
    # loading the seeds again leaves the merge as it is
    assert kg(settings, "load").exit_code == 0
    assert json.loads(kg(settings, "incidents", "--since", "2023-07", "--json").output)["count"] == 1
    source = next(r["source"] for r in json.loads(kg(settings, "incidents", "show", bombing["id"], "--json").output)
                  ["reports"] if r["report"]["published"] == "2023-07-23")
    back = kg(settings, "incidents", "split", bombing["id"], "--report", source)
    assert back.exit_code == 0, back.output
    assert json.loads(kg(settings, "incidents", "--since", "2023-07", "--json").output)["count"] == 2
