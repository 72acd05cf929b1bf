"""Questions of what happened where and when, who did an attack and how many were killed, answered from incidents:
read by the store's incident filters, each incident with its reports and quotes, its figures as stated and its
contradictions side by side. On each store, the seed graph's eight incidents."""

from __future__ import annotations

from graph.language.ask import Answer, QuestionReader, ask
from graph.stores.protocol import GraphStore


def incident_ids(answer: Answer) -> list[str]:
    return [i.id for i in answer.incidents]


def test_what_happened_at_a_place_gives_its_incidents_with_quotes(seeded: GraphStore,
                                                                   reader: QuestionReader) -> None:
    kunduz = ask(seeded, reader, "what happened in Kunduz?")
    assert incident_ids(kunduz) == ["kunduz-mosque-2021-10"]
    told = kunduz.incidents[0]
    assert told.killed is not None and (told.killed.min, told.killed.text) == (51, "more than 50 people")
    assert [r.quote for r in told.reports][1] == "The attack was carried out by Mohammad al-Uyghuri, an IS-K fighter."
    assert told.reports[0].report.outlet == "RFE/RL (Gandhara)"
    assert "1 incident: 2021-10 other attack in Kunduz" in kunduz.explanation
    assert "killed 51+ (more than 50 people)" in kunduz.explanation
    # a country takes in its towns; a period narrows it
    year = ask(seeded, reader, "what happened in Afghanistan in 2021?")
    assert incident_ids(year) == ["kandahar-mosque-2021-10", "kunduz-mosque-2021-10"]


def test_attacks_in_a_country_since_a_year_show_a_claim_and_its_denial_side_by_side(
        seeded: GraphStore, reader: QuestionReader) -> None:
    answer = ask(seeded, reader, "attacks in Tajikistan since 2021")
    assert incident_ids(answer) == ["tajikistan-rockets-2022-05-07"]
    assert answer.incidents[0].contradictions == [{"field": "perpetrator", "id": "isk", "accounts": [
        {"basis": "claimed", "asserted_by": "isk"}, {"basis": "denied", "asserted_by": "tajikistan"}]}]
    assert "who did it, side by side: IS-K claimed by IS-K, denied by Tajikistan" in answer.explanation
    assert ask(seeded, reader, "attacks in Tajikistan since 2023").incidents == []


def test_how_many_were_killed_adds_up_the_figures_as_stated(seeded: GraphStore, reader: QuestionReader) -> None:
    year = ask(seeded, reader, "how many were killed in Afghanistan in 2021?")
    assert year.count is not None and (year.count.value, year.count.of) == (112, "killed")
    assert year.casualties is not None
    assert (year.casualties.min, year.casualties.max, year.casualties.incidents) == (112, None, 2)
    assert year.explanation.count("At least 112 killed in 2 incidents, as the reports state") == 1
    assert "killed 61+ (more than 60 worshipers)" in year.explanation
    kandahar = ask(seeded, reader, "how many people were killed in the Kandahar mosque attack?")
    assert kandahar.casualties is not None and (kandahar.casualties.min, incident_ids(kandahar)) == (
        61, ["kandahar-mosque-2021-10"])
    mashhad = ask(seeded, reader, "how many died in Mashhad?")
    assert mashhad.casualties is not None and (mashhad.casualties.min, mashhad.casualties.max) == (2, 2)
    unstated = ask(seeded, reader, "how many were killed in Tajikistan?")
    assert unstated.casualties is not None and unstated.casualties.unstated == ["tajikistan-rockets-2022-05-07"]
    assert "No incident found states how many were killed" in unstated.explanation


def test_who_carried_out_an_attack_on_a_place_answers_from_its_incident(seeded: GraphStore,
                                                                          reader: QuestionReader) -> None:
    answer = ask(seeded, reader, "who carried out the attack on Termez?")
    assert [a.id for a in answer.answers] == ["isk"]
    assert incident_ids(answer) == ["termez-attack-2022-04-18"]
    cited = {c.id for c in answer.claims}
    assert {"isk-attacked-uzbekistan-2022-04-18", "uzbekistan-denied-termez-attack",
            "taliban-denied-termez-attack"} <= cited
    assert [(p.name, p.basis, p.asserted_by_name) for p in answer.incidents[0].perpetrators] == [
        ("IS-K", "reported", "RFE/RL"), ("IS-K", "denied", "Uzbekistan"), ("IS-K", "denied", "Taliban")]
