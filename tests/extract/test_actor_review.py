"""Reviewing candidate entities on both stores: accept (with edits), merge, reject; the decisions log, reapplied when
the same actor is named again at ingest, carried by backups; and the ``kg review`` options for it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.settings import Settings
from graph.domain.errors import (
    CandidateEntityConflict,
    CandidateEntityNotFound,
    EntityNotFound,
    InvalidParameter,
    ValidationFailed,
)
from graph.domain.model import Entity
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Extractor
from graph.language.extract.text import ReportInput
from graph.services.actor_review import ReviewLog, Verdict, candidate_entities, decide, snippet
from graph.services.ingest import ingest, ingest_many
from graph.services.loader import load
from graph.services.review import Staging
from graph.stores.protocol import ClaimQuery, GraphStore

SAHEL = ("JNIM, al-Qaeda's affiliate in the Sahel, claimed an attack on a military camp in Djibo, Burkina Faso, on "
         "Sunday. In a separate statement, the group said it had ambushed a Wagner Group convoy near Gao in northern "
         "Mali. Burkina Faso's junta blamed the Islamic State Sahel Province for a raid near Dori, a charge the group "
         "denied.\n")
KAIDA = "Al-Kaida fighters attacked a Malian convoy on May 3.\n"
AGAIN = "JNIM fighters attacked Malian troops on May 9. Wagner Group fighters attacked Niger on May 10.\n"


def report(text: str, title: str = "Sahel") -> ReportInput:
    return ReportInput(text=text, title=title, outlet="RFE/RL", outlet_id="rferl", published="2024-05-20")


@pytest.fixture(scope="module")
def extractor(ontology: Ontology, home_registry: list[Entity]) -> Extractor:
    # the home registry lacks the Sahel's groups: they are read as candidate entities
    return Extractor(ontology, home_registry)


@pytest.fixture
def store(empty_store: GraphStore, ontology: Ontology, home_seeds: Path) -> GraphStore:
    load(home_seeds, empty_store, ontology)
    return empty_store


def triples(store: GraphStore, source: str) -> set[tuple[str, str, str]]:
    return {(c.subject, c.type, c.object) for c in store.claims(ClaimQuery(source=source))}


def test_candidates_are_listed_with_their_mentions_proposals_and_waiting_claims(
        store: GraphStore, ontology: Ontology, tmp_path: Path, extractor: Extractor) -> None:
    staging = Staging(tmp_path / "staged.json")
    first = ingest(report(SAHEL), store, ontology, extractor=extractor, staging=staging.path)
    second = ingest(report(AGAIN, "Again"), store, ontology, extractor=extractor, staging=staging.path)
    listed = {e["id"]: e for e in candidate_entities(staging)}
    assert set(listed) == {"jnim", "wagner-group", "islamic-state-sahel-province"}
    jnim = listed["jnim"]
    # one entry per candidate, gathered from both reports that staged it
    assert jnim["sources"] == [first.source_id, second.source_id]
    assert (jnim["parent"], jnim["parent_relation"]) == ("al-qaeda", "AFFILIATE_OF")
    assert [m["sentence"] for m in jnim["mentions"]] == [
        "JNIM, al-Qaeda's affiliate in the Sahel, claimed an attack on a military camp in Djibo, Burkina Faso, on "
        "Sunday.", "JNIM fighters attacked Malian troops on May 9."]
    assert {(c["subject"], c["type"], c["object"]) for c in jnim["claims"]} == {
        ("jnim", "AFFILIATE_OF", "al-qaeda"), ("jnim", "ATTACKED", "burkina-faso"),
        ("jnim", "ATTACKED", "wagner-group"), ("jnim", "ATTACKED", "mali")}
    assert [(c["subject"], c["object"]) for c in listed["wagner-group"]["claims"]] == [
        ("jnim", "wagner-group"), ("wagner-group", "niger")]


def test_a_snippet_is_the_sentence_around_the_mention() -> None:
    text = "First one. Second sentence names JNIM here! Third."
    start = text.index("JNIM")
    assert snippet(text, (start, start + 4)) == "Second sentence names JNIM here!"
    assert snippet("x " * 300, (0, 1)).endswith("…") and len(snippet("x " * 300, (0, 1))) == 240


def test_accepting_loads_the_entity_and_the_claims_it_decides_in_one_write(
        store: GraphStore, ontology: Ontology, tmp_path: Path, extractor: Extractor) -> None:
    staging, log = Staging(tmp_path / "staged.json"), ReviewLog(tmp_path / "review-decisions.jsonl")
    result = ingest(report(SAHEL), store, ontology, extractor=extractor, staging=staging.path)
    done = decide(staging, log, store, ontology, "jnim", "accept", name="Jama'at Nusrat al-Islam wal-Muslimin")
    entity = store.get_entity("jnim")
    assert (entity.name, entity.kind, [a.name for a in entity.aliases], entity.parent, entity.parent_relation,
            entity.source) == ("Jama'at Nusrat al-Islam wal-Muslimin", "armed_group", ["JNIM"], "al-qaeda",
                               "AFFILIATE_OF", f"report {result.source_id}")
    assert triples(store, result.source_id) == {("jnim", "AFFILIATE_OF", "al-qaeda"),
                                                ("jnim", "ATTACKED", "burkina-faso")}
    assert len(done.loaded) == 2 and done.written is not None and done.written.created["entities"] == 1
    # the claim naming Wagner too waits on it still, now under JNIM's entity id
    [waiting] = [c for c in staging.claims() if c["id"] in done.still_staged]
    assert (waiting["subject"], waiting["object"], waiting["waits_on"]) == ("jnim", "wagner-group", ["wagner-group"])
    assert "jnim" not in {e["id"] for e in staging.entities()}
    # the Wagner Group accepted as a company of mercenaries: the claim waiting on both loads now
    wagner = decide(staging, log, store, ontology, "wagner-group", "accept")
    assert wagner.loaded == [waiting["id"]] and ("jnim", "ATTACKED", "wagner-group") in triples(store, result.source_id)
    [first, second] = log.entries()
    assert (first.action, first.candidate, first.entity, first.names) == (
        "accept", "jnim", "jnim", ["JNIM", "Jama'at Nusrat al-Islam wal-Muslimin"])
    assert first.record is not None and first.record["parent"] == "al-qaeda"
    assert (second.action, second.entity) == ("accept", "wagner-group")


def test_a_merge_renames_the_claims_and_adds_the_name_as_an_alias(
        store: GraphStore, ontology: Ontology, tmp_path: Path, extractor: Extractor) -> None:
    staging, log = Staging(tmp_path / "staged.json"), ReviewLog(tmp_path / "review-decisions.jsonl")
    result = ingest(report(KAIDA), store, ontology, extractor=extractor, staging=staging.path)
    [candidate] = staging.entities()
    assert candidate["merge_into"] == "al-qaeda"
    with pytest.raises(EntityNotFound, match="no-such-group"):
        decide(staging, log, store, ontology, candidate["id"], "merge", into="no-such-group")
    done = decide(staging, log, store, ontology, candidate["id"], "merge")  # into the merge proposed
    assert (done.entity, len(done.loaded)) == ("al-qaeda", 1)
    assert triples(store, result.source_id) == {("al-qaeda", "ATTACKED", "mali")}
    assert "Al-Kaida" in [a.name for a in store.get_entity("al-qaeda").aliases]
    assert staging.claims() == [] and staging.entities() == []
    with pytest.raises(EntityNotFound):
        store.get_entity(candidate["id"])
    assert [(v.action, v.entity) for v in log.entries()] == [("merge", "al-qaeda")]


def test_rejecting_drops_the_claims_and_refusals_change_nothing(
        store: GraphStore, ontology: Ontology, tmp_path: Path, extractor: Extractor) -> None:
    staging, log = Staging(tmp_path / "staged.json"), ReviewLog(tmp_path / "review-decisions.jsonl")
    ingest(report(SAHEL), store, ontology, extractor=extractor, staging=staging.path)
    before = (staging.claims(), staging.entities())
    with pytest.raises(CandidateEntityNotFound, match="hamas"):
        decide(staging, log, store, ontology, "hamas", "accept")
    with pytest.raises(InvalidParameter, match="unknown entity kind"):
        decide(staging, log, store, ontology, "jnim", "accept", kind="militia-ish")
    with pytest.raises(InvalidParameter, match="only an accepted candidate's kind or name can be edited"):
        decide(staging, log, store, ontology, "wagner-group", "reject", kind="state")
    with pytest.raises(InvalidParameter, match="only a merge names an entity"):
        decide(staging, log, store, ontology, "wagner-group", "accept", into="al-qaeda")
    with pytest.raises(InvalidParameter, match="name="):
        decide(staging, log, store, ontology, "jnim", "accept", name="<b>JNIM</b>")
    with pytest.raises(InvalidParameter, match="no proposed merge"):
        decide(staging, log, store, ontology, "wagner-group", "merge")
    # a kind the claims do not admit (a place cannot be an affiliate): the loader refuses, nothing changes
    with pytest.raises(ValidationFailed):
        decide(staging, log, store, ontology, "jnim", "accept", kind="place")
    assert (staging.claims(), staging.entities(), log.entries()) == (*before, [])
    with pytest.raises(EntityNotFound):
        store.get_entity("jnim")
    done = decide(staging, log, store, ontology, "islamic-state-sahel-province", "reject")
    assert len(done.dropped) == 3 and done.loaded == [] and done.written is None
    assert "islamic-state-sahel-province" not in {e["id"] for e in staging.entities()}
    assert not any("islamic-state-sahel-province" in c["waits_on"] for c in staging.claims())
    # a candidate whose id the graph holds already (an entity added since) is merged, not accepted over it
    decide(staging, log, store, ontology, "wagner-group", "accept")
    ingest(report(AGAIN, "Again"), store, ontology, extractor=extractor, staging=staging.path)  # no verdicts given
    with pytest.raises(CandidateEntityConflict, match="merge the candidate into it"):
        decide(staging, log, store, ontology, "wagner-group", "accept")


def test_decisions_are_reapplied_when_the_same_actors_are_named_again(
        store: GraphStore, ontology: Ontology, tmp_path: Path, extractor: Extractor) -> None:
    staging, log = Staging(tmp_path / "staged.json"), ReviewLog(tmp_path / "review-decisions.jsonl")
    ingest(report(SAHEL), store, ontology, extractor=extractor, staging=staging.path)
    decide(staging, log, store, ontology, "jnim", "accept")
    decide(staging, log, store, ontology, "wagner-group", "reject")
    # the extractor (built before the decisions) still reads JNIM and Wagner as candidates
    again = ingest(report(AGAIN, "Again"), store, ontology, extractor=extractor, staging=staging.path,
                   verdicts=log.verdicts())
    assert triples(store, again.source_id) == {("jnim", "ATTACKED", "mali")}
    assert again.staged == 0 and staging.claims(again.source_id) == []
    assert again.reviewed is not None and again.reviewed.discarded == 1
    assert again.reviewed.rejected == {"wagner-group": "Wagner Group"} and again.reviewed.resolved == {"jnim": "jnim"}
    assert again.as_dict()["reviewed"] == {"resolved": {"jnim": "jnim"}, "rejected": ["Wagner Group"], "discarded": 1}
    # a batch ingest reapplies them too
    many = ingest_many([report(AGAIN, "Once more")], store, ontology, extractor=extractor, staging=staging.path,
                       verdicts=log.verdicts())
    assert many.reports[0].reviewed is not None and many.reports[0].reviewed.discarded == 1
    assert triples(store, many.reports[0].source_id) == {("jnim", "ATTACKED", "mali")}


def test_an_accepted_entity_comes_back_with_its_claims_into_a_reloaded_graph(
        store: GraphStore, ontology: Ontology, tmp_path: Path, extractor: Extractor) -> None:
    # a decision taken against another graph (since reloaded from the seeds, without the entity)
    log = ReviewLog(tmp_path / "review-decisions.jsonl")
    log.append([Verdict("accept", "jnim", ["JNIM"], "jnim", "2026-01-01T00:00:00+00:00", "kg review",
                        {"id": "jnim", "name": "JNIM", "kind": "armed_group", "aliases": [], "parent": "al-qaeda",
                         "parent_relation": "AFFILIATE_OF", "source": "report r-1"})])
    result = ingest(report(AGAIN), store, ontology, extractor=extractor, staging=tmp_path / "staged.json",
                    verdicts=log.verdicts())
    assert ("jnim", "ATTACKED", "mali") in triples(store, result.source_id)
    assert (store.get_entity("jnim").parent, store.get_entity("jnim").source) == ("al-qaeda", "report r-1")


def test_a_decisions_log_line_that_is_not_a_decision_is_refused_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "review-decisions.jsonl"
    path.write_text('{"action": "accept", "candidate": "x", "names": ["X"], "entity": "x", "at": "t", "by": "b"}\n'
                    '{"action": "adopt"}\n', encoding="utf-8")
    with pytest.raises(InvalidParameter, match=r"review-decisions.jsonl:2.*unknown action"):
        ReviewLog(path).entries()


def test_review_decisions_survive_a_backup_and_restore(
        store: GraphStore, ontology: Ontology, tmp_path: Path, extractor: Extractor) -> None:
    from graph.services.backup import restore_backup, write_backup  # noqa: PLC0415 - only this test backs up
    from graph.stores.sqlite.store import SqliteStore  # noqa: PLC0415

    staging, log = Staging(tmp_path / "a" / "staged.json"), ReviewLog(tmp_path / "a" / "review-decisions.jsonl")
    ingest(report(SAHEL), store, ontology, extractor=extractor, staging=staging.path)
    decide(staging, log, store, ontology, "jnim", "accept")
    decide(staging, log, store, ontology, "islamic-state-sahel-province", "reject")
    summary = write_backup(store, ontology, tmp_path / "backup.jsonl", staging, review=log)
    assert summary.counts["review_decision"] == 2
    again = SqliteStore(ontology, tmp_path / "b" / "graph.sqlite")
    restored = ReviewLog(tmp_path / "b" / "review-decisions.jsonl")
    done = restore_backup(tmp_path / "backup.jsonl", again, ontology, Staging(tmp_path / "b" / "staged.json"),
                          review=restored)
    assert done.counts["review_decisions"] == 2
    assert [v.as_dict() for v in restored.entries()] == [v.as_dict() for v in log.entries()]
    assert again.get_entity("jnim").name == "JNIM"
    # restoring again (merging) adds no decision twice
    restore_backup(tmp_path / "backup.jsonl", again, ontology, Staging(tmp_path / "b" / "staged.json"), merge=True,
                   review=restored)
    assert len(restored.entries()) == 2
    again.close()


def test_kg_review_lists_and_decides_candidate_entities(tmp_path: Path, home_seeds: Path) -> None:
    settings = Settings(data_file=tmp_path / "graph.json", seeds_dir=home_seeds)
    (tmp_path / "sahel.txt").write_text(SAHEL, encoding="utf-8")
    (tmp_path / "kaida.txt").write_text(KAIDA, encoding="utf-8")
    (tmp_path / "again.txt").write_text(AGAIN, encoding="utf-8")

    def kg(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(cli, list(args), obj=settings)
        assert result.exit_code == code, result.output
        return result.output

    kg("load")
    kg("ingest", str(tmp_path / "sahel.txt"), "--date", "2024-05-20")
    kg("ingest", str(tmp_path / "kaida.txt"), "--date", "2024-05-20")
    listing = kg("review")
    assert "4 candidate entities awaiting review" in listing
    assert "jnim: JNIM (armed_group)" in listing and "  parent: AFFILIATE_OF al-qaeda" in listing
    assert "  proposed merge into: al-qaeda" in listing
    assert "Wagner Group convoy near Gao in northern Mali." in listing
    listed = json.loads(kg("review", "--json"))
    assert {e["id"] for e in listed["entities"]} == {"jnim", "wagner-group", "islamic-state-sahel-province",
                                                     next(e["id"] for e in listed["entities"]
                                                          if e["merge_into"] == "al-qaeda")}
    kaida = next(e["id"] for e in listed["entities"] if e["merge_into"] == "al-qaeda")
    assert "error: --kind='state'" in kg("review", "--kind", "state", code=2)
    assert "unknown entity kind" in kg("review", "--accept-entity", "jnim", "--kind", "militia-ish", code=2)
    assert "no entity matches 'nowhere'" in kg("review", "--merge-entity", kaida, "--into", "nowhere", code=1)
    assert "no candidate entity awaiting review has id 'hamas'" in kg("review", "--reject-entity", "hamas", code=1)
    out = kg("review", "--accept-entity", "jnim", "--name", "Jama'at Nusrat al-Islam wal-Muslimin")
    assert "jnim accepted as jnim: 2 claims loaded; 1 still wait on other candidates" in out
    assert f"{kaida} merged into al-qaeda: 1 claims loaded" in kg("review", "--merge-entity", kaida)
    decided = json.loads(kg("review", "--reject-entity", "wagner-group,islamic-state-sahel-province", "--json"))
    assert [(d["candidate"], d["action"], len(d["dropped"])) for d in decided["decided"]] == [
        ("wagner-group", "reject", 1), ("islamic-state-sahel-province", "reject", 3)]
    assert decided["entities"] == [] and decided["staged"] == []
    assert len((tmp_path / "review-decisions.jsonl").read_text(encoding="utf-8").splitlines()) == 4
    # named again: JNIM is in the registry now; Wagner's claim is discarded as a rejected actor's
    again = kg("ingest", str(tmp_path / "again.txt"), "--date", "2024-05-20")
    assert "1 claims discarded: they name a rejected actor (Wagner Group)" in again
    assert "reviewed actor: Wagner Group" not in again and "new actor" not in again
    assert json.loads(kg("review", "--json"))["entities"] == []
