"""The incident reader on sentences and paragraphs written for these tests in our own words, each with the incident
(or the absence of one) a careful coder would read from it. Expectations were written before the reader ran on the
texts; each test names what it exercises."""

from __future__ import annotations

from typing import Any

import pytest

from graph.domain.model import Count, Incident
from graph.language.extract.incidents.figures import parse_figure
from graph.language.extract.incidents.words import load_words
from graph.language.extract.pipeline import Extraction
from graph.language.learn.reader import MODEL_NOTE
from tests.extract.conftest import Run

ISSUE_EXAMPLE = (
    "Fighters of the Pakistani Taliban stormed a police post in Lakki Marwat district on Tuesday night, killing at "
    "least six policemen and wounding four others, officials said.\n\n"
    "The TTP claimed responsibility for the assault in a statement sent to reporters.\n\n"
    "Pakistan's foreign ministry blamed Kabul for the attack, saying the militants had planned it from Afghan soil.\n\n"
    "The Taliban government rejected the accusation and said it does not allow anyone to use Afghanistan's "
    "territory against other countries.\n")


def only_incident(result: Extraction) -> Incident:
    assert len(result.incidents) == 1, [(i.id, i.reports[0].quote) for i in result.incidents]
    return result.incidents[0]


def perpetrators(incident: Incident) -> set[tuple[str | None, str, str | None]]:
    return {(p.id, p.basis, p.asserted_by) for p in incident.perpetrators}


def figure(count: Count | None) -> tuple[int | None, int | None] | None:
    return (count.min, count.max) if count is not None else None


# --- the issue's paragraph -------------------------------------------------------------------------------------


def test_an_attack_its_claim_the_states_blame_and_the_denial_make_one_dated_incident(run: Run) -> None:
    result = run(ISSUE_EXAMPLE, published="2023-03-16")  # a Thursday: "Tuesday night" is 14 March
    incident = only_incident(result)
    assert (incident.type, incident.date) == ("armed_assault", "2023-03-14")
    assert incident.place is not None and incident.place.name == "Lakki Marwat"
    assert (incident.admin1, incident.admin1_code, incident.country) == ("Khyber Pakhtunkhwa", "PK-KP", "pakistan")
    assert incident.location is not None and round(incident.location.lat) == 33
    assert perpetrators(incident) >= {("ttp", "claimed", "ttp"), ("taliban", "alleged", "pakistan"),
                                      ("taliban", "denied", "taliban")}
    assert ("ttp", "alleged", "pakistan") in perpetrators(incident)  # "…, officials said": the state's word
    assert [t.description for t in incident.targets] == ["police post"]
    assert (figure(incident.killed), figure(incident.injured)) == ((6, None), (4, 4))
    assert incident.killed is not None and incident.killed.text == "at least six policemen"
    # every claim of attack, blame and denial carries the incident; the denial answers the blame of its incident
    # (the trained model may add its own reading of the blame beside the rules', so the rules' is picked by its ends)
    by_type = {c.type: c for c in result.claims if c.note != MODEL_NOTE}
    assert {c.incident for c in result.claims if c.type in ("ATTACKED", "ACCUSED", "DENIED")} == {incident.id}
    assert by_type["DENIED"].denies == by_type["ACCUSED"].id
    assert (by_type["ACCUSED"].subject, by_type["ACCUSED"].object) == ("pakistan", "taliban")
    assert len(incident.reports) == 4 and {r.source for r in incident.reports} == {result.source_id}


# --- one sentence, one incident: what the words say -----------------------------------------------------------

SENTENCES: list[tuple[str, str, dict[str, Any]]] = [
    # a suicide bombing, dated by a weekday against the report's date, placed in a registry place, a described
    # target and the community the registry has
    ("A suicide bomber blew himself up at a Shia mosque in Kandahar on Friday, killing at least 40 worshippers.",
     "2021-10-16", {"type": "suicide_bombing", "date": "2021-10-15", "place": "Kandahar", "place_id": "kandahar",
                    "country": "afghanistan", "killed": (40, None), "targets": {"Shia mosque", "shia-muslims"}}),
    # a shooting at a gathering, dated by "last month"
    ("Gunmen opened fire on a wedding party in Jalalabad last month, killing five guests.",
     "2022-05-20", {"type": "shooting", "date": "2022-04", "place": "Jalalabad", "country": "afghanistan",
                    "killed": (5, 5), "targets": {"wedding party"}}),
    # a drone strike: the militants it killed are its victims
    ("A drone strike killed three militants in North Waziristan on Sunday, officials said.",
     "2022-05-17", {"type": "drone_strike", "date": "2022-05-15", "place": "North Waziristan",
                    "country": "pakistan", "killed": (3, 3)}),
    # the attackers killed are not victims
    ("Gunmen raided a checkpoint in Bannu on Monday, killing two policemen before troops shot dead all four "
     "attackers.", "2023-07-26", {"type": "armed_assault", "date": "2023-07-24", "place": "Bannu", "killed": (2, 2),
                                  "targets": {"checkpoint"}}),
    # "nearly 200" is at most 200, in words or figures; a province when no town is named
    ("Nearly 200 people were wounded when a car bomb exploded in Helmand province on 3 June.",
     "2019-06-10", {"type": "bombing", "date": "2019-06-03", "place": "Helmand", "injured": (None, 200)}),
    # a clash between two armed sides; a capital standing for its state is, where it happened, the city
    ("Taliban fighters clashed with Pakistani troops in Kabul on Saturday, leaving dozens dead.",
     "2022-12-12", {"type": "armed_clash", "date": "2022-12-10", "place": "Kabul", "killed": (24, None)}),
    # a kidnapping: its figure is of the abducted
    ("Militants kidnapped 11 coal miners near Quetta on Tuesday.",
     "2021-01-08", {"type": "kidnapping_or_hijacking", "date": "2021-01-05", "place": "Quetta",
                    "abducted": (11, 11)}),
]


@pytest.mark.parametrize(("text", "published", "expected"), SENTENCES, ids=[e["type"] + "-" + e["date"]
                                                                            for _, _, e in SENTENCES])
def test_one_sentence_tells_one_incident(run: Run, text: str, published: str, expected: dict[str, Any]) -> None:
    incident = only_incident(run(text, published=published))
    assert incident.type == expected["type"]
    assert incident.date == expected["date"]
    assert incident.place is not None and incident.place.name == expected["place"]
    if "place_id" in expected:
        assert incident.place.id == expected["place_id"]
    if "country" in expected:
        assert incident.country == expected["country"]
    for casualty in ("killed", "injured", "abducted"):
        if casualty in expected:
            assert figure(getattr(incident, casualty)) == expected[casualty], casualty
    if "targets" in expected:
        assert {t.id or t.description for t in incident.targets} == expected["targets"]


@pytest.mark.parametrize("text", [
    "Militants vowed to attack police stations across the province.",  # a threat
    "IS-K has repeatedly attacked Shia mosques in Afghanistan.",  # a campaign
    "Security forces foiled a plot to bomb a market in Peshawar on Monday.",  # foiled
    "Officials fear more attacks on schools in the coming weeks.",  # feared
    "The group did not attack the convoy, its spokesman said.",  # negated
])
def test_what_did_not_happen_or_is_no_one_event_makes_no_incident(run: Run, text: str) -> None:
    result = run(text, published="2022-05-20")
    assert result.incidents == [], [(i.id, i.type) for i in result.incidents]


# --- the report: the attack told earlier, by whose account ------------------------------------------------------


def test_the_bombing_told_first_is_the_one_later_sentences_claim_and_blame(run: Run) -> None:
    result = run("A bomb exploded at a crowded market in Quetta on Tuesday, killing seven people.\n\n"
                 "Police blamed the Baloch Liberation Army.\n\n"
                 "The group denied any involvement.\n", published="2023-05-04")
    incident = only_incident(result)
    assert (incident.type, incident.date, incident.country) == ("bombing", "2023-05-02", "pakistan")
    assert perpetrators(incident) == {("baloch-liberation-army", "alleged", "pakistan"),
                                      ("baloch-liberation-army", "denied", "baloch-liberation-army")}
    assert len(incident.reports) == 3


def test_an_analysts_word_is_an_assessment_asserted_by_the_outlet_that_quotes_them(run: Run) -> None:
    result = run("A car bomb exploded outside the Indian embassy in Kabul on Monday, killing 12 people.\n\n"
                 "Analysts said the Haqqani network was behind the attack.\n", published="2008-07-09")
    incident = only_incident(result)
    assert incident.place is not None and incident.place.name == "Kabul" and incident.place.precision == "city"
    assert incident.country == "afghanistan"  # Kabul was Afghanistan in 2008
    assert perpetrators(incident) == {("haqqani-network", "assessed", "rferl")}
    assert {t.description for t in incident.targets} == {"Indian embassy"}


def test_a_day_earlier_is_read_from_the_date_told_before_and_makes_another_incident(run: Run) -> None:
    result = run("A roadside bomb tore through a police van in Quetta on Monday, wounding 12 officers.\n\n"
                 "A day earlier, gunmen had killed two soldiers in Turbat.\n", published="2023-05-03")
    by_place = {i.place.name if i.place else None: i for i in result.incidents}
    assert set(by_place) == {"Quetta", "Turbat"}
    assert (by_place["Quetta"].date, figure(by_place["Quetta"].injured)) == ("2023-05-01", (12, 12))
    assert (by_place["Turbat"].date, figure(by_place["Turbat"].killed)) == ("2023-04-30", (2, 2))


def test_an_earlier_attack_the_report_recalls_is_an_incident_of_its_own(run: Run) -> None:
    result = run("IS-K claimed that it fired rockets at Tajikistan from Takhar on May 7. The attack came weeks "
                 "after a similar attack on the Uzbek border city of Termez on April 18.", published="2022-05-20")
    dates = {i.date: i for i in result.incidents}
    assert set(dates) == {"2022-05-07", "2022-04-18"}
    assert dates["2022-04-18"].place is not None and dates["2022-04-18"].place.id == "termez"
    rockets = dates["2022-05-07"]
    assert rockets.type == "rocket_or_missile_attack"
    assert rockets.place is not None and rockets.place.id == "tajikistan"  # fired from Takhar: where they landed
    assert ("isk", "claimed", "isk") in perpetrators(rockets)


def test_the_reports_date_is_not_the_events(run: Run) -> None:
    undated = only_incident(run("A suicide bomber struck a police convoy in Mastung, killing 15 officers.",
                                published="2023-09-30"))
    assert undated.date is None  # the report says nothing of when: no date is made up from its own


# --- figures ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "low", "high"), [
    ("at least 40", 40, None), ("nearly 200", None, 200), ("more than 60", 61, None), ("dozens", 24, None),
    ("scores", 40, None), ("six", 6, 6), ("40 to 45", 40, 45), ("between 10 and 15", 10, 15), ("a dozen", 12, 12),
    ("twenty-five", 25, 25), ("up to 30", None, 30), ("fewer than 10", None, 9), ("1,200", 1200, 1200),
    ("hundreds", 200, None), ("about 50", 50, 50), ("two hundred", 200, 200), ("a policeman", 1, 1),
])
def test_casualty_figures_are_read_as_stated(text: str, low: int | None, high: int | None) -> None:
    count = parse_figure(text, load_words())
    assert count is not None and (count.min, count.max) == (low, high) and count.text == text


def test_words_without_a_figure_are_no_figure() -> None:
    assert parse_figure("civilians", load_words()) is None
