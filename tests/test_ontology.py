"""The ontology is validated data, and the only place that lists relation types."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.settings import PROJECT_ROOT
from graph.domain.errors import InvalidParameter, OntologyError
from graph.domain.ontology import DEFAULT_PATH, Ontology, parse_ontology


def raw() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    return data


def test_it_holds_the_specs_vocabulary(ontology: Ontology) -> None:
    spec = (PROJECT_ROOT.parent / "shared" / "spec" / "ontology.md")
    assert len(ontology.relation_types) == 28
    if spec.exists():  # the shared spec sits beside the repository on developer machines and CI
        names = set(re.findall(r"^\| ([A-Z_]{4,}) \|", spec.read_text(encoding="utf-8"), re.MULTILINE))
        assert names == set(ontology.relation_types)
    assert set(ontology.statuses) == {"reported", "claimed", "alleged", "assessed", "denied", "confirmed"}
    assert {k.label for k in ontology.entity_kinds.values()} == {
        "ArmedGroup", "State", "Community", "Person", "Place", "Organization"}
    assert ontology.denial_type == "DENIED"


def test_symmetric_types_are_the_ones_that_read_both_ways(ontology: Ontology) -> None:
    symmetric = {t.name for t in ontology.relation_types.values() if t.symmetric}
    assert symmetric == {"STRAINED_RELATIONS_WITH", "ALLIED_WITH", "SIGNED_AGREEMENT_WITH", "BORDERS"}


def test_every_type_has_a_definition_and_phrasings_each_way(ontology: Ontology) -> None:
    phrasings: list[str] = []
    for rel in ontology.relation_types.values():
        assert len(rel.definition.split()) >= 30, rel.name
        assert rel.phrasings.forward
        assert rel.symmetric or rel.phrasings.backward
        phrasings += rel.phrasings.forward + rel.phrasings.backward
    assert len(phrasings) == len(set(phrasings))
    provoke = ontology.relation("SEEKS_TO_PROVOKE").phrasings
    assert "who is {x} trying to provoke" in provoke.forward
    assert "who is trying to provoke {x}" in provoke.backward


def test_a_relation_naming_an_undefined_kind_is_refused() -> None:
    data = raw()
    data["relation_types"]["ATTACKED"]["object_kinds"].append("militia")
    expected = "relation type ATTACKED: object_kinds names undefined entity kind 'militia'"
    with pytest.raises(OntologyError, match=expected):
        parse_ontology(data)


def test_inconsistent_definitions_are_all_reported() -> None:
    data = raw()
    data["relation_types"]["BORDERS"]["phrasings"]["backward"] = ["what borders {x}"]
    data["relation_types"]["LEADS"]["category"] = "hierarchy"
    data["relation_types"]["HOSTS"]["phrasings"]["forward"] = ["who does it host"]
    with pytest.raises(OntologyError) as caught:
        parse_ontology(data)
    message = caught.value.message
    assert "BORDERS: a symmetric type reads the same both ways" in message
    assert "LEADS: undefined category 'hierarchy'" in message
    assert "HOSTS: phrasing 'who does it host' must contain {x} exactly once" in message


def test_unknown_keys_in_the_ontology_are_refused() -> None:
    data = raw()
    data["relation_types"]["LEADS"]["colour"] = "red"
    with pytest.raises(OntologyError, match="colour"):
        parse_ontology(data)


def test_types_expand_from_names_and_categories(ontology: Ontology) -> None:
    assert ontology.expand_types(["recruits_from"]) == ["RECRUITS_FROM"]
    hostile = ontology.expand_types(["hostile"]) or []
    assert "ATTACKED" in hostile and "ALLIED_WITH" not in hostile
    with pytest.raises(InvalidParameter, match="neither a relation type nor a category"):
        ontology.expand_types(["BEFRIENDED"])


def test_no_python_module_lists_relation_types(ontology: Ontology) -> None:
    """Adding a relation type must be a change to the YAML file only."""
    offenders = []
    for folder in ("app", "graph"):
        for path in Path(PROJECT_ROOT, folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.name}: {name}" for name in ontology.relation_types if re.search(rf"\b{name}\b", text)]
    assert offenders == []


def test_every_type_has_cues_and_bad_cues_are_refused(ontology: Ontology) -> None:
    assert all(rel.cues.active for rel in ontology.relation_types.values())
    data = raw()
    data["relation_types"]["ATTACKED"]["cues"]["active"].append("Attack On")
    data["relation_types"]["HOSTS"]["cues"]["active"].append("* shelters")
    data["relation_types"]["LEADS"]["cues"]["passive"] = ["led by", "led by"]
    with pytest.raises(OntologyError) as caught:
        parse_ontology(data)
    message = caught.value.message
    assert "ATTACKED: active cue 'Attack On' must be lowercase words" in message
    assert "HOSTS: active cue '* shelters'" in message
    assert "LEADS: passive cues repeat a cue" in message


# --- incident types -----------------------------------------------------------------------------------------------


def test_it_holds_the_twelve_incident_types_with_words_and_acled_codes(ontology: Ontology) -> None:
    assert list(ontology.incident_types) == [
        "bombing", "suicide_bombing", "rocket_or_missile_attack", "drone_strike", "airstrike", "shooting",
        "armed_assault", "armed_clash", "assassination", "kidnapping_or_hijacking", "military_operation",
        "other_attack"]
    for spec in ontology.incident_types.values():
        assert len(spec.definition.split()) >= 20, spec.name
        assert spec.nouns, spec.name
    suicide = ontology.incident_type("Suicide bombing")
    assert suicide.broader == "bombing"
    assert "suicide bomber" in suicide.nouns and "blow himself up" in suicide.verbs
    assert suicide.acled.sub_event_type == "Suicide bomb"
    assert ontology.incident_type("drone strike").broader == "airstrike"
    assert [n for n, s in ontology.incident_types.items() if s.fallback] == ["other_attack"]
    assert ontology.location_precisions["district"].geo_precision == 2
    with pytest.raises(InvalidParameter, match="unknown incident type"):
        ontology.incident_type("riot")


def test_an_event_word_under_two_types_and_a_broader_cycle_are_refused() -> None:
    data = raw()
    data["incident_types"]["shooting"]["nouns"].append("blast")
    data["incident_types"]["bombing"]["broader"] = "suicide_bombing"
    data["incident_types"]["airstrike"]["fallback"] = True
    with pytest.raises(OntologyError) as caught:
        parse_ontology(data)
    message = str(caught.value)
    assert "incident type shooting: nouns entry 'blast' already signals bombing" in message
    assert "broader types form a cycle" in message
    assert "exactly one type must be the fallback, not 2 (airstrike, other_attack)" in message


def test_each_incident_type_has_its_own_colour_and_a_stray_or_missing_one_is_refused(ontology: Ontology) -> None:
    assert set(ontology.incident_colours) == set(ontology.incident_types)
    assert len(set(ontology.incident_colours.values())) == len(ontology.incident_types)
    data = raw()
    del data["incident_colours"]["shooting"]
    data["incident_colours"]["bombing"] = "orange"
    data["incident_colours"]["riot"] = "#000000"
    with pytest.raises(OntologyError) as caught:
        parse_ontology(data)
    message = str(caught.value)
    assert "incident type shooting: colour None in incident_colours is missing" in message
    assert "incident type bombing: colour 'orange' in incident_colours is missing or not #RRGGBB" in message
    assert "incident_colours names undefined incident type 'riot'" in message


def test_ties_name_categories_and_any_means_every_type(ontology: Ontology) -> None:
    hostile = ontology.tie_types("hostile")
    assert hostile and all(ontology.relation_types[t].category in ontology.ties["hostile"] for t in hostile)
    assert ontology.tie_types(" Any ") is None
    with pytest.raises(InvalidParameter, match="unknown tie"):
        ontology.tie_types("enemy")
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["ties"] = {"hostile": ["violent"], "any": ["hostile"]}
    with pytest.raises(OntologyError) as refused:
        parse_ontology(data)
    assert "ties.hostile names undefined category 'violent'" in str(refused.value)
    assert "'any' means every relation type" in str(refused.value)
