"""The incident scorer on a tiny set written for it: a gold of three incidents and outputs with known faults (a
missed incident, a report merged into the wrong incident, an incident nobody coded, a wrong perpetrator, a figure
that disagrees), so that every figure it reports can be checked by hand. Then ``kg eval-incidents`` on the
made-up reports of tests/data/incident-set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.settings import PROJECT_ROOT, Settings
from graph.domain.errors import ValidationFailed
from graph.domain.model import Count, Incident, IncidentReport, Perpetrator
from graph.domain.ontology import Ontology
from graph.services.incident_scoring import figures_agree, read_gold, score_incidents
from tests.conftest import SEEDS

TEXTS = {
    "a": "A bomb hit a market in Quetta on Monday, killing 12. Police blamed the BLA.",
    "b": "Twelve people died in Monday's market bombing in Quetta, officials said.",
    "c": "The Quetta market blast killed at least 14 people. Separately, gunmen shot dead a cleric in Turbat.",
    "d": "Gunmen shot dead a cleric in Turbat on Tuesday.",
}
GOLD = """
incidents:
  - id: quetta-market
    type: bombing
    date: 2024-05-06
    place: {name: Quetta}
    perpetrators: [{id: baloch-liberation-army, basis: alleged, asserted_by: pakistan}]
    killed: {min: 12, max: 14}
    reports:
      - {source: a, quote: "A bomb hit a market in Quetta on Monday, killing 12."}
      - {source: b, quote: "Twelve people died in Monday's market bombing in Quetta, officials said."}
      - {source: c, quote: "The Quetta market blast killed at least 14 people."}
  - id: turbat-cleric
    type: assassination
    date: 2024-05-07
    place: {name: Turbat}
    killed: 1
    reports:
      - {source: c, quote: "Separately, gunmen shot dead a cleric in Turbat."}
      - {source: d, quote: "Gunmen shot dead a cleric in Turbat on Tuesday."}
  - id: never-read
    type: shooting
    reports:
      - {source: d, quote: "Gunmen shot dead"}
must_not_merge:
  - [quetta-market, turbat-cleric]
"""


def report(source: str, quote: str, **figures: Count) -> IncidentReport:
    start = TEXTS[source].index(quote)
    return IncidentReport(source=source, quote=quote, span=(start, start + len(quote)), **figures)


def test_every_figure_of_a_run_with_known_faults(tmp_path: Path, ontology: Ontology) -> None:
    (tmp_path / "incidents.yaml").write_text(GOLD, encoding="utf-8")
    gold = read_gold(tmp_path / "incidents.yaml", ontology, TEXTS, {"bla": "baloch-liberation-army"})
    output = [
        # the market bombing from a and b (c's telling went wrong), the right perpetrator, a figure that agrees
        Incident(id="out-quetta", type="bombing", date="2024-05-06",
                 reports=[report("a", "A bomb hit a market in Quetta on Monday, killing 12."),
                          report("b", "Twelve people died in Monday's market bombing in Quetta, officials said.")],
                 perpetrators=[Perpetrator(id="baloch-liberation-army", basis="alleged", asserted_by="pakistan")],
                 killed=Count(min=12, max=12)),
        # c's two incidents merged into one: the must-not-merge pair, and a wrong figure for the cleric
        Incident(id="out-c", type="bombing", date="2024-05-06",
                 reports=[report("c", "The Quetta market blast killed at least 14 people."),
                          report("c", "Separately, gunmen shot dead a cleric in Turbat.")],
                 killed=Count(min=14)),
        # d's cleric, with a perpetrator nobody coded
        Incident(id="out-turbat", type="assassination", date="2024-05-07",
                 reports=[report("d", "Gunmen shot dead a cleric in Turbat on Tuesday.")],
                 perpetrators=[Perpetrator(id="baloch-liberation-army", basis="reported", asserted_by="x")],
                 killed=Count(min=1, max=1)),
        # an incident nobody coded, of a report outside the set: not counted at all
        Incident(id="elsewhere", type="bombing", reports=[IncidentReport(source="z", quote="x", span=(0, 1))]),
    ]
    score = score_incidents(gold, output, TEXTS)
    # aligned one to one by shared reports: quetta with out-quetta (2 shared), turbat-cleric with out-turbat or
    # out-c (1 shared each, the first by id: out-c); never-read's quote lies in d, which out-turbat holds
    assert score.aligned == {"quetta-market": "out-quetta", "turbat-cleric": "out-c", "never-read": "out-turbat"}
    assert (score.recall.right, score.recall.total) == (3, 3)
    assert (score.precision.right, score.precision.total) == (3, 3)
    # mentions: (a,q) (b,q) (c,q) (c,t) (d,t) (d,n); gold pairs: the three of q, and (c,t)-(d,t): 4; output pairs:
    # (a,q)-(b,q) [out-quetta], (c,q)-(c,t) [out-c], (d,t)-(d,n) [out-turbat]: 3, of which 1 is gold's
    assert (score.merge_precision.right, score.merge_precision.total) == (1, 3)
    assert (score.merge_recall.right, score.merge_recall.total) == (1, 4)
    assert score.merge_f1 == pytest.approx(2 * (1 / 3) * (1 / 4) / (1 / 3 + 1 / 4))
    assert (score.must_not_merge.right, score.must_not_merge.total) == (0, 1)
    # perpetrators: quetta right; turbat (via out-c, none named) right; never-read (gold none, BLA named) wrong
    assert (score.perpetrators.right, score.perpetrators.total) == (2, 3), score.errors
    # casualties stated: quetta killed 12-14 (12: agrees), turbat killed 1 (out-c says 14+: disagrees)
    assert (score.casualties.right, score.casualties.total) == (1, 2)
    assert (score.types.right, score.types.total) == (1, 3)  # out-c is a bombing, out-turbat no shooting
    assert any("turbat-cleric: killed" in e for e in score.errors)


def test_figures_agree_when_their_ranges_overlap() -> None:
    assert figures_agree(Count(min=40), Count(min=43, max=43))
    assert figures_agree(Count(max=200), Count(min=180, max=180))
    assert not figures_agree(Count(min=12, max=12), Count(min=40))
    assert not figures_agree(Count(min=3, max=3), None)


def test_a_gold_file_that_cannot_be_scored_names_each_problem(tmp_path: Path, ontology: Ontology) -> None:
    (tmp_path / "incidents.yaml").write_text(
        "incidents:\n  - {id: x, type: massacre, reports: [{source: nowhere, quote: q}]}\n"
        "must_not_merge: [[x, y]]\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as raised:
        read_gold(tmp_path / "incidents.yaml", ontology, TEXTS)
    said = [(p.field, p.message) for p in raised.value.problems]
    assert ("incidents[0].type", "unknown incident type") in said
    assert ("incidents[0].reports[0].source", "is no report of the set") in said
    assert ("must_not_merge[0]",
            "must be a pair of ids of the gold's incidents, bare or as {incidents: [a, b]}") in said


INCIDENTS_AB = ("incidents:\n"
                "  - {id: a, type: bombing, reports: [{source: a, quote: A bomb hit a market in Quetta on Monday}]}\n"
                "  - {id: b, type: shooting, reports: [{source: d, quote: Gunmen shot dead a cleric in Turbat}]}\n")


def test_a_decoy_pair_may_carry_the_reason_it_is_one(tmp_path: Path, ontology: Ontology) -> None:
    """A gold set written by hand says why two incidents look alike; the pair is read from under `incidents`."""
    (tmp_path / "incidents.yaml").write_text(
        INCIDENTS_AB +
        "must_not_merge:\n  - {incidents: [a, b], why: same city a month apart}\n  - {incidents: [a, zz]}\n",
        encoding="utf-8")
    with pytest.raises(ValidationFailed) as raised:
        read_gold(tmp_path / "incidents.yaml", ontology, TEXTS)
    assert [p.field for p in raised.value.problems] == ["must_not_merge[1]"]
    (tmp_path / "incidents.yaml").write_text(
        INCIDENTS_AB +
        "must_not_merge:\n  - {incidents: [a, b], why: same city a month apart}\n", encoding="utf-8")
    assert read_gold(tmp_path / "incidents.yaml", ontology, TEXTS).must_not_merge == [("a", "b")]


def test_kg_eval_incidents_scores_the_reader_on_a_set(tmp_path: Path) -> None:
    settings = Settings(store="memory", data_file=tmp_path / "graph.sqlite", seeds_dir=SEEDS)
    result = CliRunner().invoke(cli, ["eval-incidents", str(PROJECT_ROOT / "tests" / "data" / "incident-set"),
                                      "--json"], obj=settings)
    assert result.exit_code == 0, result.output
    score = json.loads(result.stdout)
    assert score["reports"] == 5
    assert score["recall"] == {"right": 3, "of": 3, "value": 1.0}
    assert score["precision"]["value"] == 1.0 and score["merge"]["f1"] == 1.0
    assert score["must_not_merge_kept_apart"] == {"right": 1, "of": 1, "value": 1.0}
    assert score["perpetrator_right"]["of"] == 3 and score["casualties_right"]["of"] == 5
    assert not settings.data_file.exists()  # a scratch store: the configured graph is not touched
