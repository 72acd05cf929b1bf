"""The loader validates everything before writing anything, and says exactly what is wrong where."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.domain.errors import EntityNotFound, ValidationFailed
from graph.domain.names import AliasIndex, name_key
from graph.domain.ontology import Ontology
from graph.services.loader import load, read_bundle
from graph.stores.protocol import ClaimQuery, GraphStore
from tests import hostile
from tests.bundles import claim_yaml, claims_file, line_of
from tests.conftest import SEED_REPORT, SEEDS

Bundle = Callable[..., Path]


def problems_of(path: Path, ontology: Ontology) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        read_bundle(path, ontology)
    return [str(p) for p in caught.value.problems]


def single_problem(bundle: Bundle, ontology: Ontology, text: str) -> tuple[str, str]:
    root = bundle(text)
    found = problems_of(root, ontology)
    assert len(found) == 1, found
    return found[0], str(root / "claims" / "test.yaml")


def test_the_seed_bundle_is_valid_and_complete(ontology: Ontology, seed_text: str) -> None:
    batch = read_bundle(SEEDS, ontology)
    assert len(batch.claims) >= 45
    assert len({c.id for c in batch.claims}) == len(batch.claims)
    for claim in batch.claims:
        assert seed_text[claim.span[0]:claim.span[1]] == claim.quote
        assert claim.extracted_by == "curated" and claim.confidence == 1.0
    assert batch.sources[0].text == seed_text


def test_an_unknown_entity_is_named_with_suggestions(bundle: Bundle, ontology: Ontology) -> None:
    text = claims_file(claim_yaml(object="Tajikstan"))
    problem, file = single_problem(bundle, ontology, text)
    assert problem == (f"{file}:{line_of(text, 'object:')}: claims[0].object: 'Tajikstan': "
                       "unknown entity or alias; did you mean: Tajikistan, Tajiks")


def test_an_ambiguous_alias_is_refused_with_its_candidates(bundle: Bundle, ontology: Ontology) -> None:
    text = claims_file(claim_yaml(type="RECRUITS_FROM", object="Uzbek", status="reported", asserted_by="rferl"))
    problem, _ = single_problem(bundle, ontology, text)
    assert problem.endswith("claims[0].object: 'Uzbek': ambiguous alias: it may mean "
                            "Uzbekistan (uzbekistan), Uzbeks (uzbeks); use the entity id")


def test_an_alias_window_is_read_at_the_claims_date(bundle: Bundle, ontology: Ontology) -> None:
    seed_claims = (SEEDS / "claims" / "rferl-2022-05-isk-central-asia.yaml").read_text(encoding="utf-8")
    bundle(seed_claims, name="seed.yaml")
    root = bundle(claims_file(claim_yaml(
        subject="Kabul", type="DENIED", object="IS-K", status="denied", asserted_by="Kabul", date="2022-05",
        quote="Both Dushanbe and Tashkent have denied that such attacks took place.",
        denies="isk-attacked-tajikistan-2022-05-07")))
    denial = next(c for c in read_bundle(root, ontology).claims if c.id == "test-claim")
    assert (denial.subject, denial.asserted_by, denial.denies) == (
        "taliban", "taliban", "isk-attacked-tajikistan-2022-05-07")


def test_an_unknown_relation_type_gets_the_closest_name(bundle: Bundle, ontology: Ontology) -> None:
    text = claims_file(claim_yaml(type="ATACKED"))
    problem, file = single_problem(bundle, ontology, text)
    assert problem == (f"{file}:{line_of(text, 'type:')}: claims[0].type: 'ATACKED': "
                       "unknown relation type; did you mean ATTACKED?")


def test_a_kind_the_relation_does_not_allow_is_refused(bundle: Bundle, ontology: Ontology) -> None:
    text = claims_file(claim_yaml(type="LOCATED_IN", subject="IS-K", object="Afghanistan", status="reported",
                                  asserted_by="rferl"))
    problem, _ = single_problem(bundle, ontology, text)
    assert problem.endswith("claims[0].subject: 'IS-K': LOCATED_IN does not allow a subject of kind "
                            "'armed_group' (allowed: place)")


def test_a_quote_not_in_the_report_is_refused(bundle: Bundle, ontology: Ontology) -> None:
    text = claims_file(claim_yaml(quote="IS-K fired rockets at Dushanbe."))
    problem, file = single_problem(bundle, ontology, text)
    assert problem == (f"{file}:{line_of(text, 'quote:')}: claims[0].quote: 'IS-K fired rockets at Dushanbe.': "
                       "not found in report rferl-2022-05-isk-central-asia")


def test_a_quote_with_straight_apostrophes_gets_a_hint(bundle: Bundle, ontology: Ontology) -> None:
    text = claims_file(claim_yaml(
        type="SEEKS_TO_UNDERMINE", object="Taliban", status="assessed", asserted_by="rferl", date=None,
        quote="The ultraradical Islamic State-Khorasan (IS-K) group is trying to undermine the Taliban's "
              "hard-line rule by launching attacks on neighboring countries from Afghanistan, analysts say."))
    problem, _ = single_problem(bundle, ontology, text)
    assert "differs from the text only in its quotation marks or apostrophes" in problem


def test_a_span_that_does_not_match_the_quote_is_refused(bundle: Bundle, ontology: Ontology) -> None:
    text = claims_file(claim_yaml(span=[0, 19]))
    problem, file = single_problem(bundle, ontology, text)
    assert problem.startswith(f"{file}:{line_of(text, 'span:')}: claims[0].span: [0, 19]: does not match "
                              "the quote in report rferl-2022-05-isk-central-asia: the text there reads "
                              "'Accessibility links'; the quote is at [")


def test_a_missing_span_is_found_in_the_text(bundle: Bundle, ontology: Ontology, seed_text: str) -> None:
    batch = read_bundle(bundle(claims_file(claim_yaml())), ontology)
    claim = batch.claims[0]
    assert seed_text[claim.span[0]:claim.span[1]] == claim.quote


@pytest.mark.parametrize(("value", "reason"), [
    ("May 7, 2022", "invalid date: not an ISO date of the form YYYY, YYYY-MM or YYYY-MM-DD"),
    ("2022-02-30", "invalid date: day 30 does not exist in 2022-02"),
    ("2022-13", "invalid date: month 13 does not exist"),
])
def test_malformed_and_impossible_dates_are_refused(bundle: Bundle, ontology: Ontology, value: str,
                                                    reason: str) -> None:
    text = claims_file(claim_yaml(date=value))
    problem, file = single_problem(bundle, ontology, text)
    assert problem == f"{file}:{line_of(text, 'date:')}: claims[0].date: {value!r}: {reason}"


def test_an_end_before_the_start_is_refused(bundle: Bundle, ontology: Ontology) -> None:
    text = claims_file(claim_yaml(end_date="2022-04"))
    problem, _ = single_problem(bundle, ontology, text)
    assert problem.endswith("claims[0].end_date: '2022-04': is before date 2022-05-07")


def test_a_duplicate_claim_id_names_the_first_use(bundle: Bundle, ontology: Ontology) -> None:
    text = claims_file(claim_yaml(), claim_yaml(date="2022-05"))
    problem, file = single_problem(bundle, ontology, text)
    first = line_of(text, "id: test-claim")
    assert problem == (f"{file}:{first + 8}: claims[1].id: 'test-claim': duplicate claim id "
                       f"(first used at {file}:{first})")


def test_a_denial_must_deny_an_existing_claim(bundle: Bundle, ontology: Ontology) -> None:
    denial = {"subject": "Dushanbe", "type": "DENIED", "object": "IS-K", "status": "denied",
              "asserted_by": "Tajikistan", "date": None,
              "quote": "Both Dushanbe and Tashkent have denied that such attacks took place."}
    text = claims_file(claim_yaml(**denial, denies="no-such-claim"))
    problem, file = single_problem(bundle, ontology, text)
    assert problem == (f"{file}:{line_of(text, 'denies:')}: denies: 'no-such-claim': denies no existing claim: "
                       "no claim in this load or in the store has this id")
    text = claims_file(claim_yaml(**denial))
    problem, _ = single_problem(bundle, ontology, text)
    assert problem.endswith("claims[0].denies: a DENIED claim must name the claim it denies")


def test_only_a_denial_may_carry_denied_status_or_deny(bundle: Bundle, ontology: Ontology) -> None:
    text = claims_file(claim_yaml(status="denied", denies="test-claim"))
    found = problems_of(bundle(text), ontology)
    assert any("status 'denied' is only for DENIED claims" in p for p in found)
    assert any("only DENIED claims may deny another claim" in p for p in found)


@pytest.mark.parametrize("field", ["subject", "type", "object", "quote", "status", "asserted_by"])
def test_a_missing_required_field_is_named(bundle: Bundle, ontology: Ontology, field: str) -> None:
    text = claims_file(claim_yaml(**{field: None}))
    found = problems_of(bundle(text), ontology)
    assert f"{bundle(text) / 'claims' / 'test.yaml'}:3: claims[0].{field}: missing required field" in found


def test_a_misspelt_field_is_refused_not_dropped(bundle: Bundle, ontology: Ontology) -> None:
    text = claims_file(claim_yaml(note=None, nots="most founding members"))
    problem, _ = single_problem(bundle, ontology, text)
    assert problem.endswith("claims[0].nots: 'most founding members': unknown field; did you mean 'note'?")


def test_other_field_checks(bundle: Bundle, ontology: Ontology) -> None:
    text = claims_file(claim_yaml(confidence=1.5, status="rumoured", location="IS-K"))
    found = problems_of(bundle(text), ontology)
    assert any(p.endswith("claims[0].confidence: 1.5: must be a number from 0 to 1") for p in found)
    assert any("claims[0].status: 'rumoured': unknown status (accepted: reported, claimed" in p for p in found)
    assert any("claims[0].location: 'IS-K': a location must be of kind place or state, not 'armed_group'" in p
               for p in found)


def test_malformed_yaml_names_its_line(bundle: Bundle, ontology: Ontology) -> None:
    root = bundle("source: rferl-2022-05-isk-central-asia\nclaims:\n  - id: x\n    subject: [IS-K\n")
    (problem,) = problems_of(root, ontology)
    assert problem.startswith(f"{root / 'claims' / 'test.yaml'}:5: (file): malformed YAML")


def test_a_key_given_twice_is_refused_not_overwritten(bundle: Bundle, ontology: Ontology) -> None:
    text = claims_file(claim_yaml() + "object: Uzbekistan\n")
    (problem,) = problems_of(bundle(text), ontology)
    assert problem.startswith(f"{bundle(text) / 'claims' / 'test.yaml'}:{line_of(text, 'Uzbekistan')}: (file): "
                              "malformed YAML: duplicate key 'object'")


def test_an_unknown_source_is_refused(bundle: Bundle, ontology: Ontology) -> None:
    text = claims_file(claim_yaml(), source="no-such-report")
    found = problems_of(bundle(text), ontology)
    assert found == [f"{bundle(text) / 'claims' / 'test.yaml'}:1: source: 'no-such-report': unknown report: "
                     "no reports/<id>.yaml in this bundle or in the store has this id"]


def test_registry_errors_are_reported_with_their_lines(bundle: Bundle, ontology: Ontology) -> None:
    root = bundle(claims_file(claim_yaml()))
    registry = root / "entities.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") +
                        "  - {id: isk, name: Duplicate, kind: armed_group}\n"
                        "  - {id: jamaat-ansarullah, name: Jamaat Ansarullah, kind: militia}\n",
                        encoding="utf-8")
    found = problems_of(root, ontology)
    lines = len(registry.read_text(encoding="utf-8").splitlines())
    count = len(yaml.safe_load(registry.read_text(encoding="utf-8"))["entities"])
    assert f"{registry}:{lines - 1}: entities[{count - 2}].id: 'isk': duplicate id (first defined on line 8)" in found
    militia = f"{registry}:{lines}: entities[{count - 1}].kind: 'militia': unknown entity kind"
    assert any(p.startswith(militia) for p in found)


# --- the registry: registry/*.yaml beside entities.yaml, parents and source notes ----------------

# The ids other work relies on (the shared list of ids for the theatres beyond Af-Pak).
SHARED_IDS = ["jnim", "islamic-state-sahel", "iswap", "boko-haram", "al-shabaab", "islamic-state-somalia", "aqap",
              "aqim", "sdf", "ypg", "pkk", "wagner-group", "africa-corps", "islamic-state-mozambique",
              "islamic-state-central-africa", "adf", "kataib-hezbollah", "popular-mobilization-forces",
              "ansaroul-islam", "katiba-macina", "al-mourabitoun", "rapid-support-forces", "m23",
              "syrian-national-army", "free-syrian-army", "asaib-ahl-al-haq", "islamic-state-yemen",
              "southern-transitional-council", "ansar-dine", "islamic-state", "al-qaeda", "aqis", "houthis",
              "hayat-tahrir-al-sham", "hurras-al-din", "hezbollah", "hamas", "isk", "taliban", "ttp"]
# Names two entities of the seed registry really share; any other shared name is a mistake in the data.
SHARED_NAMES = {"kabul": {"afghanistan", "taliban"}, "uzbek": {"uzbekistan", "uzbeks"},
                "tajik": {"tajikistan", "tajiks"}, "congolese": {"dr-congo", "republic-of-the-congo"},
                "ansaralsharia": {"aqap", "ansar-al-sharia-libya", "ansar-al-sharia-tunisia"},
                "aswj": {"ahlu-sunna-waljamaa", "islamic-state-mozambique", "sipah-e-sahaba"},
                "kna": {"karen-national-army", "kuki-national-army"},
                "knf": {"kuki-national-front", "kuki-chin-national-front"},
                "sna": {"somalia", "syrian-national-army"}}


def test_the_seed_registry_reads_its_regional_files_with_parents_and_sources(ontology: Ontology) -> None:
    entities = {e.id: e for e in read_bundle(SEEDS, ontology).entities}
    files = sorted((SEEDS / "registry").glob("*.yaml"))
    assert len(files) >= 6
    in_files = [e["id"] for f in files for e in yaml.safe_load(f.read_text(encoding="utf-8"))["entities"]]
    assert len(in_files) >= 300 and set(in_files) <= set(entities)
    assert all(entities[i].kind == "armed_group" and entities[i].source and entities[i].description for i in in_files)
    assert set(SHARED_IDS) <= set(entities)
    sahel, jnim = entities["islamic-state-sahel"], entities["jnim"]
    assert (sahel.parent, sahel.parent_relation) == ("islamic-state", "AFFILIATE_OF")
    assert (jnim.parent, jnim.parent_relation) == ("al-qaeda", "AFFILIATE_OF")
    assert (entities["ansar-dine"].parent, entities["ansar-dine"].parent_relation) == ("jnim", "MERGED_INTO")
    assert (entities["isk"].parent, entities["isk"].parent_relation) == ("islamic-state", "AFFILIATE_OF")
    assert "US State Department FTO list" in (jnim.source or "")
    renamed = next(a for a in sahel.aliases if a.name == "ISGS")
    assert renamed.valid_until == "2022-03" and renamed.valid_from is None
    index = AliasIndex(entities.values())
    assert index.resolve("ISGS", "2021-06").id == "islamic-state-sahel"
    with pytest.raises(EntityNotFound):
        index.resolve("ISGS", "2024-01")
    for name, expected in [("Shebab", "al-shabaab"), ("Shabaab", "al-shabaab"), ("Ansar Allah", "houthis"),
                           ("JNIM", "jnim"), ("Wagner", "wagner-group"), ("ISWAP", "iswap"), ("Hashd al-Shaabi",
                           "popular-mobilization-forces"), ("Kata'ib Hezbollah", "kataib-hezbollah")]:
        assert index.resolve(name).id == expected, name


def test_the_seed_registry_shares_a_name_between_entities_only_where_reporting_does(ontology: Ontology) -> None:
    owners: dict[str, set[str]] = {}
    for entity in read_bundle(SEEDS, ontology).entities:
        for name in [entity.id, entity.name, *(a.name for a in entity.aliases)]:
            owners.setdefault(name_key(name), set()).add(entity.id)
    assert {key: ids for key, ids in owners.items() if len(ids) > 1} == SHARED_NAMES


def test_registry_files_are_checked_like_entities_yaml_with_file_and_line(
        bundle: Bundle, ontology: Ontology) -> None:
    root = bundle(claims_file(claim_yaml()))
    (root / "registry").mkdir()
    regional = root / "registry" / "armed-groups-test.yaml"
    regional.write_text(
        "entities:\n"
        "  - {id: sahel-branch, name: Sahel branch, kind: armed_group, parent: islamic-state, "
        "parent_relation: AFFILIATE_OF, source: a designation list}\n"
        "  - {id: ghost-branch, name: Ghost branch, kind: armed_group, parent: islamic-stat, "
        "parent_relation: AFFILIATE_OF}\n"
        "  - {id: odd-branch, name: Odd branch, kind: armed_group, parent: isk, parent_relation: ALLIED_WITH}\n"
        "  - {id: lone-branch, name: Lone branch, kind: armed_group, parent: isk}\n"
        "  - {id: state-member, name: State member, kind: armed_group, parent: pakistan, parent_relation: MEMBER_OF}\n"
        "  - {id: circle-a, name: Circle A, kind: armed_group, parent: circle-b, parent_relation: SPLINTER_OF}\n"
        "  - {id: circle-b, name: Circle B, kind: armed_group, parent: circle-a, parent_relation: SPLINTER_OF}\n"
        "  - {id: hamas, name: Again, kind: armed_group}\n",
        encoding="utf-8")
    found = problems_of(root, ontology)
    where = str(regional)
    hamas = line_of((root / "entities.yaml").read_text(encoding="utf-8"), "id: hamas")
    assert found == [
        f"{where}:4: entities[2].parent_relation: 'ALLIED_WITH': not a parent relation "
        "(accepted: MEMBER_OF, SPLINTER_OF, MERGED_INTO, AFFILIATE_OF)",
        f"{where}:5: entities[3].parent_relation: missing: parent needs parent_relation",
        f"{where}:9: entities[7].id: 'hamas': duplicate id (first defined on {root / 'entities.yaml'}:{hamas})",
        f"{where}:3: entities[1].parent: 'islamic-stat': unknown entity id (a parent is named by its id); "
        "did you mean: isk, islamic-state, taliban",
        f"{where}:6: entities[4].parent_relation: 'MEMBER_OF': the parent is a state; MEMBER_OF joins person, "
        "armed_group to armed_group",
        f"{where}:7: entities[5].parent: 'circle-b': parents run in a circle: circle-a → circle-b → circle-a",
        f"{where}:8: entities[6].parent: 'circle-a': parents run in a circle: circle-b → circle-a → circle-b"]
    regional.write_text("entities:\n  - {id: sahel-branch, name: Sahel branch, kind: armed_group, "
                        "parent: islamic-state, parent_relation: AFFILIATE_OF, source: a designation list}\n",
                        encoding="utf-8")
    branch = next(e for e in read_bundle(root, ontology).entities if e.id == "sahel-branch")
    assert (branch.parent, branch.parent_relation, branch.source) == ("islamic-state", "AFFILIATE_OF",
                                                                      "a designation list")


def test_a_parent_may_be_an_entity_the_store_already_holds(
        bundle: Bundle, ontology: Ontology, empty_store: GraphStore, tmp_path: Path) -> None:
    load(SEEDS, empty_store, ontology)
    root = tmp_path / "more"
    root.mkdir()
    (root / "entities.yaml").write_text(
        "entities:\n  - {id: new-faction, name: New faction, kind: armed_group, parent: isk, "
        "parent_relation: MEMBER_OF, source: press reporting}\n", encoding="utf-8")
    load(root, empty_store, ontology)
    faction = empty_store.get_entity("new-faction")
    assert (faction.parent, faction.parent_relation, faction.source) == ("isk", "MEMBER_OF", "press reporting")


def test_every_problem_of_a_run_is_reported_together(bundle: Bundle, ontology: Ontology) -> None:
    text = claims_file(claim_yaml(object="Tajikstan"), claim_yaml(id="second", type="ATACKED"),
                       claim_yaml(id="third", date="2022-02-30"))
    found = problems_of(bundle(text), ontology)
    assert [p.split(": ")[1] for p in found] == ["claims[0].object", "claims[1].type", "claims[2].date"]


def test_a_failed_load_writes_nothing(bundle: Bundle, ontology: Ontology, empty_store: GraphStore) -> None:
    load(SEEDS, empty_store, ontology)
    before = empty_store.stats()
    text = claims_file(claim_yaml(id="good-one", date="2022-05"), claim_yaml(id="bad-one", object="Tajikstan"))
    with pytest.raises(ValidationFailed):
        load(bundle(text), empty_store, ontology)
    assert empty_store.stats() == before
    assert "good-one" not in {c.id for c in empty_store.claims(ClaimQuery())}


def test_loading_twice_leaves_identical_counts_and_ids(ontology: Ontology, empty_store: GraphStore) -> None:
    _, first = load(SEEDS, empty_store, ontology)
    ids = [c.id for c in empty_store.claims(ClaimQuery())]
    stats = empty_store.stats()
    _, second = load(SEEDS, empty_store, ontology)
    assert first is not None and second is not None
    assert first.created["claims"] == len(ids) and second.created["claims"] == 0
    assert second.unchanged == {"entities": stats.entities, "sources": 1, "claims": len(ids), "incidents": 8}
    assert first.created["incidents"] == stats.incidents == 8 and second.created["incidents"] == 0
    assert [c.id for c in empty_store.claims(ClaimQuery())] == ids
    assert empty_store.stats() == stats


def test_a_claim_without_an_id_gets_the_same_id_every_time(bundle: Bundle, ontology: Ontology) -> None:
    text = claims_file(claim_yaml(id=None))
    first = read_bundle(bundle(text), ontology).claims[0].id
    assert first.startswith("c-") and read_bundle(bundle(text), ontology).claims[0].id == first


def test_a_new_report_can_use_entities_already_in_the_store(tmp_path: Path, ontology: Ontology,
                                                            empty_store: GraphStore, seed_text: str) -> None:
    load(SEEDS, empty_store, ontology)
    root = tmp_path / "mine"
    (root / "reports").mkdir(parents=True)
    (root / "claims").mkdir()
    (root / "reports" / "note-1.txt").write_text("Tashkent denied the attack on Termez.", encoding="utf-8")
    (root / "reports" / "note-1.yaml").write_text("id: note-1\ntitle: Note\noutlet: Desk\npublished: 2022-04-19\n",
                                                  encoding="utf-8")
    (root / "claims" / "note-1.yaml").write_text(claims_file(claim_yaml(
        id="note-1-denial", subject="Tashkent", type="DENIED", object="IS-K", status="denied",
        asserted_by="Uzbekistan", quote="Tashkent denied the attack on Termez.", date="2022-04",
        denies="isk-attacked-uzbekistan-2022-04-18"), source="note-1"), encoding="utf-8")
    load(root, empty_store, ontology)
    assert empty_store.get_claim("isk-attacked-uzbekistan-2022-04-18").disputed_by == [
        "note-1-denial", "taliban-denied-termez-attack", "uzbekistan-denied-termez-attack"]
    assert empty_store.get_source("rferl-2022-05-isk-central-asia").text == seed_text


def test_a_path_that_is_not_a_bundle_is_refused(tmp_path: Path, ontology: Ontology) -> None:
    assert problems_of(tmp_path / "nowhere", ontology) == [
        f"{tmp_path / 'nowhere'}: path: {str(tmp_path / 'nowhere')!r}: not a directory: expected a folder with "
        "reports/, claims/ and optionally entities.yaml"]
    assert problems_of(tmp_path, ontology) == [
        f"{tmp_path}: path: {str(tmp_path)!r}: holds no entities.yaml, registry/*.yaml, reports/*.yaml, "
        "claims/*.yaml or incidents"]


# --- hostile files: each refused with its file, line and reason, and nothing written ---------

DEEP = "[" * 100_000 + "]" * 100_000  # crashed the C YAML loader (SIGSEGV) before the structure check
BOMB = ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n")
# (what is written where, then the problem expected: "<file>:<line>: <field>: <value>: <reason>" from its file on)
HOSTILE_FILES: list[tuple[str, str | bytes, str]] = [
    ("claims/test.yaml", "source: x\nclaims: [\n", "claims/test.yaml:3: (file): malformed YAML: did not find "
                                                   "expected node content"),
    ("claims/test.yaml", bytes(range(256)), "claims/test.yaml: (file): cannot read: 'utf-8' codec can't decode "
                                            "byte 0x80 in position 128: invalid start byte"),
    ("claims/test.yaml", b"source: \xff\xfe\n", "claims/test.yaml: (file): cannot read: 'utf-8' codec can't decode "
                                                "byte 0xff in position 8: invalid start byte"),
    ("claims/test.yaml", "- a\n- b\n", "claims/test.yaml:1: (file): must be a YAML mapping"),
    ("claims/test.yaml", f"source: {SEED_REPORT}\nclaims: {DEEP}\n",
     "claims/test.yaml:2: (file): malformed YAML: nested deeper than 64 levels"),
    ("claims/test.yaml", f"source: {SEED_REPORT}\n{BOMB}claims: [*c]\n",
     "claims/test.yaml:3: (file): malformed YAML: alias *a refused: write the value out instead of referring "
     "to an anchor"),
    ("claims/test.yaml", claims_file(claim_yaml(type="ATTACKED]->(x) DETACH DELETE x //")),
     "claims/test.yaml:5: claims[0].type: 'ATTACKED]->(x) DETACH DELETE x //': unknown relation type (see "
     "`kg schema` for the relation types)"),
    ("claims/test.yaml", claims_file(claim_yaml(subject="isk' OR 1=1 //")),
     "claims/test.yaml:4: claims[0].subject: \"isk' OR 1=1 //\": unknown entity or alias"),
    ("claims/test.yaml", claims_file(claim_yaml(id="x'}) MATCH (n) DETACH DELETE n //")),
     "claims/test.yaml:3: claims[0].id: \"x'}) MATCH (n) DETACH DELETE n //\": must be a lowercase slug "
     "(letters, digits, single hyphens)"),
    ("claims/test.yaml", claims_file(claim_yaml(type=["ATTACKED"])),
     "claims/test.yaml:5: claims[0].type: ['ATTACKED']: must be a string"),
    ("claims/test.yaml", claims_file(claim_yaml(date={"year": 2022})),
     "claims/test.yaml:10: claims[0].date: {'year': 2022}: invalid date: not an ISO date of the form YYYY, "
     "YYYY-MM or YYYY-MM-DD"),
    ("claims/test.yaml", claims_file(claim_yaml(date="2023-02-29")),
     "claims/test.yaml:10: claims[0].date: '2023-02-29': invalid date: day 29 does not exist in 2023-02"),
    ("claims/test.yaml", claims_file(claim_yaml(confidence=".nan")),
     "claims/test.yaml:11: claims[0].confidence: '.nan': must be a number from 0 to 1"),
    ("claims/test.yaml", claims_file(claim_yaml(note="<script>alert(1)</script>")),
     "claims/test.yaml:11: claims[0].note: '<script>alert(1)</script>': holds HTML markup ('<script>'); plain "
     "text is expected"),
    ("claims/test.yaml", claims_file(claim_yaml(note="one\x00two")),
     "claims/test.yaml:11: claims[0].note: 'one\\x00two': holds the control character '\\x00' at position 3"),
    ("entities.yaml", "entities:\n  - {id: foo, name: \"<b>Foo</b>\", kind: armed_group}\n",
     "entities.yaml:2: entities[0].name: '<b>Foo</b>': holds HTML markup ('<b>'); plain text is expected"),
    (f"reports/{SEED_REPORT}.txt", b"<!doctype html><html><body><p>IS-K</p></body></html>",
     f"reports/{SEED_REPORT}.txt: (file): report text holds HTML markup ('<!doctype'); plain text is expected; "
     "a bundle holds the report's plain text (`kg extract` reads HTML pages)"),
    (f"reports/{SEED_REPORT}.txt", b"IS-K attacked\x00 Tajikistan.\n",
     f"reports/{SEED_REPORT}.txt: (file): report text holds the control character '\\x00' at position 13; a "
     "bundle holds the report's plain text (`kg extract` reads HTML pages)"),
    (f"reports/{SEED_REPORT}.yaml", f"id: {SEED_REPORT}\ntitle: T\noutlet: O\nurl: javascript:alert(1)\n",
     f"reports/{SEED_REPORT}.yaml:4: report.url: 'javascript:alert(1)': must be an http:// or https:// URL"),
]


def test_hostile_files_are_refused_with_where_and_why_and_nothing_is_written(
        bundle: Bundle, ontology: Ontology, empty_store: GraphStore, tmp_path: Path) -> None:
    load(SEEDS, empty_store, ontology)
    before = (empty_store.stats(), sorted(c.id for c in empty_store.claims(ClaimQuery())))
    base = bundle(claims_file(claim_yaml()))
    for number, (name, content, expected) in enumerate(HOSTILE_FILES):
        root = shutil.copytree(base, tmp_path / f"case-{number}")
        (root / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        with pytest.raises(ValidationFailed) as refused:
            load(root, empty_store, ontology)
        assert [str(p) for p in refused.value.problems] == [f"{root}/{expected}"], name
        assert (empty_store.stats(), sorted(c.id for c in empty_store.claims(ClaimQuery()))) == before, name


# --- property: whatever a claims file holds, the loader refuses it cleanly or loads it ----------

LOADER_EXAMPLES = {"memory": 200, "neo4j": 40}  # the Neo4j store answers each example over Bolt


def test_any_claims_file_is_loaded_or_refused_cleanly_and_a_refusal_writes_nothing(
        bundle: Bundle, ontology: Ontology, empty_store: GraphStore, request: pytest.FixtureRequest) -> None:
    load(SEEDS, empty_store, ontology)
    root = bundle(claims_file(claim_yaml()))
    (root / "entities.yaml").unlink()  # the store holds the registry
    target = root / "claims" / "test.yaml"
    kind = request.node.callspec.params["empty_store"]
    outcomes = {"loaded": 0, "refused": 0}

    # Mostly well-formed files of changed claims, which reach the deep checks (and sometimes load);
    # now and then a file that is not a claims file at all, or not even YAML.
    claims_files = st.fixed_dictionaries({
        "source": st.sampled_from([SEED_REPORT] * 4 + ["no-such-report"]) | hostile.values,
        "claims": st.lists(hostile.claim_records, min_size=1, max_size=3)})

    @settings(max_examples=LOADER_EXAMPLES[kind], deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(document=st.sampled_from([0, 1, 2, 3]).flatmap(
        lambda i: claims_files if i else st.one_of(st.lists(hostile.claim_records, max_size=2), hostile.values)),
        raw=st.sampled_from([0, 1, 2, 3, 4, 5]).flatmap(
            lambda i: st.none() if i > 1 else st.binary(max_size=200) if i else hostile.text))
    def check(document: object, raw: bytes | str | None) -> None:
        if raw is None:
            target.write_text(yaml.safe_dump(document, allow_unicode=False), encoding="utf-8")
        else:
            target.write_bytes(raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass"))
        before = (empty_store.stats(), sorted(c.id for c in empty_store.claims(ClaimQuery())))
        try:
            load(root, empty_store, ontology)
            outcomes["loaded"] += 1
        except ValidationFailed as refused:
            outcomes["refused"] += 1
            assert refused.problems and all(isinstance(str(p), str) for p in refused.problems)
            assert (empty_store.stats(), sorted(c.id for c in empty_store.claims(ClaimQuery()))) == before

    check()
    assert outcomes["refused"] > 0
def test_records_in_memory_are_checked_by_the_same_rules_and_named_by_origin(
        ontology: Ontology, empty_store: GraphStore, seed_text: str) -> None:
    from graph.services.loader import Record, Records, load_records, validate  # noqa: PLC0415

    load(SEEDS, empty_store, ontology)
    good = {"subject": "ISKP", "type": "THREATENS", "object": "Dushanbe", "status": "reported",
            "asserted_by": "rferl", "quote": seed_text[368:522]}
    records = Records(claims=[
        Record(good, "POST /v1/reports", "claims[0]", source="rferl-2022-05-isk-central-asia"),
        Record({**good, "object": "Tajikstan"}, "POST /v1/reports", "claims[1]",
               source="rferl-2022-05-isk-central-asia"),
        Record({**good, "denies": "no-such-claim", "type": "DENIED", "status": "denied"}, "POST /v1/reports",
               "claims[2]", source="rferl-2022-05-isk-central-asia"),
    ])
    with pytest.raises(ValidationFailed) as caught:
        validate(records, ontology, empty_store)
    assert [str(p) for p in caught.value.problems] == [
        "POST /v1/reports: claims[1].object: 'Tajikstan': unknown entity or alias; did you mean: Tajikistan, Tajiks",
        "POST /v1/reports: denies: 'no-such-claim': denies no existing claim: no claim in this load or in the "
        "store has this id",
    ]
    before = empty_store.stats()
    with pytest.raises(ValidationFailed):
        load_records(records, empty_store, ontology)
    assert empty_store.stats() == before
    batch, written = load_records(Records(claims=records.claims[:1]), empty_store, ontology)
    assert written is not None and written.created["claims"] == 1
    (claim,) = batch.claims
    assert (claim.subject, claim.object, claim.span) == ("isk", "tajikistan", (368, 522))
