"""The trained relation reader: candidates, labels from gold, deterministic training, the shipped model.

The sentences here are written for these tests; no blind set is read.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from graph.domain.errors import KgError
from graph.domain.model import Entity
from graph.domain.ontology import Ontology
from graph.domain.resources import evaluation_dir
from graph.language.extract.pipeline import VERSION, Extractor
from graph.language.extract.text import ReportInput
from graph.language.learn import conventions
from graph.language.learn.candidates import Pair, pairs_of, report_pairs
from graph.language.learn.conventions import Voice
from graph.language.learn.model import NONE, RelationModel, fingerprint, load_config, load_model
from graph.language.learn.reader import MODEL_NOTE, Votes, rule_votes
from graph.services import question_training
from graph.services import relation_training as training
from tests.background import Finished
from tests.extract.conftest import Run, triples

REPORT = ("Pakistan and Iran accused the Taliban of sheltering the TTP.\n"
          "The TTP attacked Pakistan's army posts in Khyber, while Tajikistan watched.\n"
          "Iran signed a border agreement with the Taliban last year.\n")
GOLD = [
    {"subject": "pakistan", "type": "ACCUSED", "object": "taliban",
     "quote": "Pakistan and Iran accused the Taliban of sheltering the TTP."},
    {"subject": "iran", "type": "ACCUSED", "object": "taliban",
     "quote": "Pakistan and Iran accused the Taliban of sheltering the TTP."},
    {"subject": "ttp", "type": "ATTACKED", "object": "pakistan",
     "quote": "The TTP attacked Pakistan's army posts in Khyber, while Tajikistan watched."},
    {"subject": "iran", "type": "SIGNED_AGREEMENT_WITH", "object": "taliban",
     "quote": "Iran signed a border agreement with the Taliban last year."},
]


def _bundle(root: Path, name: str, role: str, copies: int = 1) -> None:
    """A claims set of ``copies`` reports (the same text under different ids) with the gold above."""
    folder = root / "claims" / name
    (folder / "reports").mkdir(parents=True)
    (folder / "claims").mkdir()
    for n in range(copies):
        rid = f"{name}-{n}"
        (folder / "reports" / f"{rid}.yaml").write_text(yaml.safe_dump(
            {"id": rid, "title": "test", "outlet": "RFE/RL", "outlet_id": "rferl", "published": "2023-03-01"}),
            encoding="utf-8")
        (folder / "reports" / f"{rid}.txt").write_text(REPORT, encoding="utf-8")
        (folder / "claims" / f"{rid}.yaml").write_text(yaml.safe_dump({"source": rid, "claims": [
            {"id": f"{rid}-{i}", "status": "reported", "asserted_by": "rferl", **claim}
            for i, claim in enumerate(GOLD)]}), encoding="utf-8")


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("evaluation")
    _bundle(root, "alpha", "training", copies=3)
    _bundle(root, "beta", "development", copies=3)
    _bundle(root, "gamma", "development")
    _bundle(root, "secret", "blind")
    (root / "sets.yaml").write_text(yaml.safe_dump({"claims": {
        "alpha": {"role": "training"}, "beta": {"role": "development"}, "gamma": {"role": "development"},
        "secret": {"role": "blind"}}}), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def corpus(evaluation: Path, ontology: Ontology, registry: list[Entity]) -> training.Corpus:
    sets = training.config_sets(evaluation, SMALL)
    return training.collect(evaluation, ontology, registry, sets, max_reports=SMALL["max_reports_per_set"])


# the shipped config on a small slice: two reports a set, one development set held out, folds by report only (the
# test reports all have one outlet), every type a class and every feature kept (the slice is tiny)
SMALL = {**load_config(training.CONFIG), "max_reports_per_set": 2, "hold_out": ["gamma"], "cross_validate": ["report"],
         "calibrate_by": "report", "folds": 2, "min_class_examples": 2, "min_feature_count": 1}


def test_only_training_and_development_sets_are_read_and_blind_is_refused(evaluation: Path) -> None:
    assert training.training_sets(evaluation, ["training", "development"]) == ["alpha", "beta", "gamma"]
    assert training.config_sets(evaluation, SMALL) == ["alpha", "beta"]  # gamma held out
    with pytest.raises(Exception, match="never reads a blind set"):
        training.training_sets(evaluation, ["training", "blind"])
    with pytest.raises(Exception, match=r"hold_out names sets evaluation/sets\.yaml lacks: nosuch"):
        training.training_sets(evaluation, ["training"], ["nosuch"])


def test_the_slice_reads_the_first_reports_of_each_set_by_id(corpus: training.Corpus) -> None:
    assert [r.report for r in corpus.reports] == ["alpha-0", "alpha-1", "beta-0", "beta-1"]


def test_every_ordered_pair_of_distinct_actors_in_a_sentence_is_a_candidate(extractor: Extractor) -> None:
    parsed = extractor.parse([ReportInput(text=REPORT, published="2023-03-01", outlet_id="rferl")])[0]
    by_sentence: dict[int, set[tuple[str, str]]] = {}
    for pair in report_pairs(parsed):
        by_sentence.setdefault(pair.sentence.number, set()).add((pair.subject.entity_id, pair.object.entity_id))
    actors = ["pakistan", "iran", "taliban", "ttp"]
    # conjoined subjects are distributed: each of Pakistan and Iran pairs with the Taliban and the TTP
    assert by_sentence[0] == {(a, b) for a in actors for b in actors if a != b}
    # Khyber is a place, not an actor: no pair names it
    assert by_sentence[1] == {(a, b) for a in ("ttp", "pakistan", "tajikistan")
                              for b in ("ttp", "pakistan", "tajikistan") if a != b}
    assert by_sentence[2] == {("iran", "taliban"), ("taliban", "iran")}


def test_an_actor_referred_to_and_not_named_pairs_across_sentences(extractor: Extractor) -> None:
    text = ("BAMAKO - JNIM claimed a raid on an army post near Boni on Tuesday. The group said it had killed twelve "
            "Malian soldiers. Officials in Ouagadougou said Burkina Faso had closed its border. It also threatened "
            "Niger, which the group accused of arming militias.")
    parsed = extractor.parse([ReportInput(text=text, published="2023-03-01")])[0]
    pairs = {(p.sentence.number, p.subject.entity_id, p.object.entity_id): p
             for p in pairs_of(extractor.rules(parsed, "refs").sentences)}
    # "The group said it had killed twelve Malian soldiers": JNIM, named in the sentence before, pairs with Mali
    # both ways, through "group" (once, though "it" refers to JNIM too)
    referred = pairs[(1, "jnim", "mali")]
    assert (referred.subject.via, referred.subject.text) == ("coreference", "group")
    assert (1, "mali", "jnim") in pairs
    assert {key for key in pairs if key[0] == 1} == {(1, "jnim", "mali"), (1, "mali", "jnim")}
    # "its border" is Burkina Faso's, which the sentence names: a reference to a named actor adds no pair
    assert not [key for key in pairs if key[0] == 2]
    # "Niger, which the group accused": JNIM again, beside the named Niger
    assert pairs[(3, "jnim", "niger")].subject.via == "coreference"
    assert pairs[(3, "niger", "jnim")].object.via == "coreference"
    # named pairs are as they were: the first sentence names one actor and has none
    assert not [key for key in pairs if key[0] == 0]


def test_pairs_are_labelled_from_the_gold_by_quote_with_direction(corpus: training.Corpus) -> None:
    labels = {(r.report, r.subject, r.object, r.sentence_start): r.label for r in corpus.pairs}
    first = "alpha-0"
    third = REPORT.index("Iran signed")
    got = {(s, o): label for (rep, s, o, start), label in labels.items() if rep == first and start < third}
    assert got[("pakistan", "taliban")] == "ACCUSED"
    assert got[("iran", "taliban")] == "ACCUSED"
    assert got[("taliban", "pakistan")] == NONE  # the reverse direction is a negative
    assert got[("ttp", "pakistan")] == "ATTACKED"
    assert got[("pakistan", "ttp")] == NONE
    assert got[("tajikistan", "ttp")] == NONE
    # a symmetric type labels both orders, in its own sentence only
    agreement = {(s, o): label for (rep, s, o, start), label in labels.items() if rep == first and start == third}
    assert agreement == {("iran", "taliban"): "SIGNED_AGREEMENT_WITH", ("taliban", "iran"): "SIGNED_AGREEMENT_WITH"}
    reports = {r.report: r for r in corpus.reports}
    assert ("iran", "SIGNED_AGREEMENT_WITH", "taliban") in reports[first].gold


def _small_model(corpus: training.Corpus, ontology: Ontology) -> RelationModel:
    model, figures = training.train(corpus, SMALL, ontology, config_text=yaml.safe_dump(SMALL), spacy_model="test")
    assert [f.by for f in figures] == ["report"] and figures[0].folds == 2
    assert set(figures[0].systems) == {"rules", "model-only", "union"}
    return model


def test_training_on_a_slice_is_deterministic_and_the_version_is_data_and_config(
        corpus: training.Corpus, ontology: Ontology, tmp_path: Path) -> None:
    one, two = _small_model(corpus, ontology), _small_model(corpus, ontology)
    assert one.dumps() == two.dumps()
    assert one.version == two.version == training.model_version(corpus.data_hash, yaml.safe_dump(SMALL), "test")
    assert "ATTACKED" in one.classes and NONE in one.classes
    # the file is the same bytes twice (gzip without a time stamp), and reads back as the same model
    one.save(tmp_path / "a.json.gz")
    two.save(tmp_path / "b.json.gz")
    assert (tmp_path / "a.json.gz").read_bytes() == (tmp_path / "b.json.gz").read_bytes()
    again = load_model(tmp_path / "a.json.gz")
    assert again is not None and again.dumps() == one.dumps()
    other = {**SMALL, "C": 0.25}
    changed, _ = training.train(corpus, other, ontology, config_text=yaml.safe_dump(other), spacy_model="test")
    assert changed.version != one.version


def test_the_small_model_separates_obvious_cases(corpus: training.Corpus, ontology: Ontology,
                                                 registry: list[Entity]) -> None:
    model = _small_model(corpus, ontology)
    extractor = Extractor(ontology, registry, relations=model)
    assert extractor.reader is not None
    parsed = extractor.parse([ReportInput(text="The TTP attacked Pakistan's police posts near Bannu.",
                                          published="2023-03-01", outlet_id="rferl")])[0]
    reading = extractor.rules(parsed, "test")
    probs = {(p.subject.entity_id, p.object.entity_id): probs
             for p, probs in extractor.reader.score(reading.sentences, reading.claims)}
    assert probs[("ttp", "pakistan")]["ATTACKED"] > 0.5
    assert probs[("pakistan", "ttp")]["ATTACKED"] < probs[("ttp", "pakistan")]["ATTACKED"] / 2


def test_the_shipped_model_was_built_from_the_data_and_config_in_the_repo() -> None:
    """Cheap staleness check (hashes only), which names what changed; the full rebuild is the next test."""
    model = load_model()
    assert isinstance(model, RelationModel)
    config = load_config(training.CONFIG)
    config_text = training.CONFIG.read_text(encoding="utf-8")
    sets = training.config_sets(evaluation_dir(), config)
    assert model.provenance["sets"] == sets
    assert "holdout9" not in sets and "twins1" not in sets and not {"theatres1", "theatres2", "holdout10"} & set(sets)
    assert model.provenance["config_sha256"] == fingerprint(config_text), "relclf.yaml changed: run `kg train`"
    data = training.data_hash(evaluation_dir(), sets)
    assert model.provenance["data_sha256"] == data, "the training gold changed: run `kg train`"
    assert model.version == training.model_version(data, config_text, model.provenance["spacy_model"])


@pytest.mark.background("train")
def test_kg_train_rebuilds_the_shipped_model_exactly(background: Finished) -> None:
    """The shipped weights are what `kg train` builds from the repo's gold and config, bit for bit: the command
    trains the whole model again (about a minute on one core) and compares it with the one shipped. It runs as a
    user runs it, in a process of its own beside the suite from the session's start (tests/background.py); this
    test, moved to the end, asserts what it did."""
    assert background.returncode == 0, background.stdout + background.stderr
    assert "the shipped model is the one the data and config build" in background.stdout
    assert f"version        {load_model().version}" in background.stdout  # type: ignore[union-attr]


def test_the_model_never_adds_a_denial_of_its_own(run: Run) -> None:
    # a denial needs the claim it denies (the rules link it); the model reads pairs and cannot say what is denied
    result = run("Analysts say IS-K recruits from Tajiks and Uzbeks. The Taliban deny that IS-K has bases in "
                 "Afghanistan.")
    denials = [c for c in result.claims if c.type == "DENIED"]
    assert all(c.status == "denied" and c.denies is not None for c in denials)
    assert all(MODEL_NOTE not in (c.note or "") for c in denials)


def test_every_claim_carries_the_model_version(extractor: Extractor) -> None:
    model = load_model()
    assert isinstance(model, RelationModel)
    result = extractor.run(ReportInput(text="The TTP attacked Pakistan's army posts in Khyber.",
                                       published="2023-03-01", outlet_id="rferl"))
    assert result.claims
    assert {c.extracted_by for c in result.claims} == {f"kg-parse/{VERSION}+relclf-{model.version}"}
    rules_only = Extractor(extractor.ontology, extractor.entities.values(), relations=None)
    assert rules_only.name == f"kg-parse/{VERSION}"


def test_the_model_votes_after_the_candidate_entities_and_before_the_incident_reader(
        ontology: Ontology, home_registry: list[Entity]) -> None:
    extractor = Extractor(ontology, home_registry)
    assert extractor.reader is not None
    text = ("Katiba Zuberi fighters attacked Mali's army near Gao on Monday, killing 12 soldiers.\n"
            "Pakistan bombed what Afghanistan described as homes of Taliban fighters.\n")
    result = extractor.run(ReportInput(text=text, published="2024-05-20", outlet_id="rferl", title="test"))
    version = f"+relclf-{extractor.relations.version}" if extractor.relations else ""
    assert all(c.extracted_by.endswith(version) for c in result.claims)
    # a claim naming a candidate entity is kept as the rules read it, by the candidate's final id
    candidate_ids = {e.id for e in result.entities}
    assert candidate_ids and result.candidate_claims()
    assert all(c.note != MODEL_NOTE for c in result.candidate_claims())
    # the model's claim between registry actors is there, and the incident reader has read the report after it
    added = [c for c in result.claims if c.note == MODEL_NOTE]
    assert {(c.subject, c.type, c.object) for c in added} == {("pakistan", "ATTACKED", "taliban")}
    assert result.model_added == 1
    assert result.incidents, "the incident reader ran on the claims the model revised"


# --- the coding conventions over the model's candidates -------------------------------------------------


def _pair(extractor: Extractor, text: str, subject: str, obj: str) -> tuple[Pair, Votes, list[Voice]]:
    parsed = extractor.parse([ReportInput(text=text, published="2023-03-01", outlet_id="rferl")])[0]
    rules = extractor.rules(parsed, "test")
    pair = next(p for p in report_pairs(parsed) if (p.subject.entity_id, p.object.entity_id) == (subject, obj))
    assert extractor.reader is not None
    voices = extractor.reader.conventions.voices(pair.sentence.span)
    return pair, rule_votes(rules.claims, extractor.ontology), voices


def test_the_namer_of_a_free_relative_is_neither_party_to_what_it_names(run: Run, extractor: Extractor) -> None:
    text = "The Taliban raided what Pakistan called hideouts of IS-K in Kunar."
    result = run(text)
    assert ("taliban", "ATTACKED", "isk") in triples(result)
    # a model alone may read Pakistan as the Taliban's target and as the attacker of IS-K: the conventions say no
    assert ("taliban", "ATTACKED", "pakistan") not in triples(result)
    assert ("pakistan", "ATTACKED", "isk") not in triples(result)
    assert extractor.reader is not None
    for subject, obj, reason in (("taliban", "pakistan", conventions.SPEAKER),
                                 ("pakistan", "isk", conventions.FREE_RELATIVE)):
        pair, votes, voices = _pair(extractor, text, subject, obj)
        assert extractor.reader.conventions.veto(pair, "ATTACKED", votes, voices) == reason
    # and a veto is counted as discarded only where the model would otherwise have added the triple
    assert not set(result.discarded) - {conventions.SPEAKER, conventions.FREE_RELATIVE} - {
        reason for reason in result.discarded if reason.startswith("incident:")}


def test_a_model_candidate_outside_the_free_relative_is_still_added(run: Run) -> None:
    result = run("Pakistan bombed what Afghanistan described as homes of Taliban fighters.")
    added = [c for c in result.claims if c.note == "read by the trained relation model"]
    assert {(c.subject, c.type, c.object) for c in added} == {("pakistan", "ATTACKED", "taliban")}
    assert ("pakistan", "ATTACKED", "afghanistan") not in triples(result)


def test_the_conventions_veto_by_the_tree_and_the_rules_reading(extractor: Extractor) -> None:
    assert extractor.reader is not None
    conv = extractor.reader.conventions
    text = "Pakistan carried out strikes on what Iran called hideouts of the Baloch Liberation Army."
    pair, votes, voices = _pair(extractor, text, "pakistan", "iran")
    assert conv.veto(pair, "ATTACKED", votes, voices) == conventions.SPEAKER
    pair, votes, voices = _pair(extractor, text, "baloch-liberation-army", "pakistan")
    assert conv.veto(pair, "ATTACKED", votes, voices) == conventions.REVERSED  # the rules read Pakistan the agent
    pair, votes, voices = _pair(extractor, text, "pakistan", "baloch-liberation-army")
    assert conv.veto(pair, "ATTACKED", votes, voices) is None
    # the speaker of the main clause is not vetoed; the speaker inside a relative clause only for a speech act
    pair, votes, voices = _pair(extractor, "Pakistan struck the TTP near the border, Iran said.", "pakistan", "ttp")
    assert conv.veto(pair, "ATTACKED", votes, voices) is None
    pair, votes, voices = _pair(extractor, "Talks stalled over the TTP, which Pakistan says operates from Afghan soil.",
                                "pakistan", "ttp")
    assert conv.veto(pair, "ACCUSED", votes, voices) is None
    assert conv.veto(pair, "ATTACKED", votes, voices) == conventions.SPEAKER


def test_the_act_of_an_accusation_is_the_accusers_claim_not_the_outlets(extractor: Extractor) -> None:
    assert extractor.reader is not None
    conv = extractor.reader.conventions
    text = "Pakistan blamed the TTP for a raid near Bannu, a charge the group denied."
    pair, votes, voices = _pair(extractor, text, "ttp", "pakistan")
    assert "ACCUSED" in votes[(pair.key[0], "pakistan", "ttp")]  # the rules read the accusation
    assert conv.veto(pair, "ATTACKED", votes, voices) == conventions.ACCUSED_ACT
    assert conv.veto(pair, "DENIED", votes, voices) is None
    pair, votes, voices = _pair(extractor, text, "pakistan", "ttp")
    assert conv.veto(pair, "ACCUSED", votes, voices) is None
    # with no accusation read, the same act is the model's to add
    pair, votes, voices = _pair(extractor, "The TTP raided police posts in Pakistan near Bannu.", "ttp", "pakistan")
    assert conv.veto(pair, "ATTACKED", votes, voices) is None


def test_both_models_and_both_configs_are_read_by_one_reader_that_names_a_broken_file(tmp_path: Path) -> None:
    """The relation model and the question model are read by ``read_model_file``, the two training configs by
    ``load_config``: a broken file is refused with an error naming the file and which model or config it is."""
    from graph.language.ask.intent import load_model as load_question_model  # noqa: PLC0415 - the other reader

    assert load_model(tmp_path / "absent.json.gz") is None and load_question_model(tmp_path / "absent.json.gz") is None
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(b"\x1f\x8b not gzip at all")
    with pytest.raises(KgError, match=r"broken\.json\.gz: the relation model is not gzipped JSON"):
        load_model(broken)
    with pytest.raises(KgError, match=r"broken\.json\.gz: the question model is not gzipped JSON"):
        load_question_model(broken)
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(KgError, match=r"list\.json: the question model is JSON but not an object"):
        load_question_model(listed)
    config = tmp_path / "config.yaml"
    config.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(KgError, match=r"config\.yaml: the training config must be a mapping"):
        load_config(config)
    assert load_config(training.CONFIG)["roles"] == ["training", "development"]
    assert load_config(question_training.CONFIG)["roles"] == ["development"]
