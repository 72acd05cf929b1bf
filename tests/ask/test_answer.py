"""Answers on the seed graph, on every store: the entities, the claims behind them with their quotes, yes/no,
counts, paths and groups, as the store's claims give them."""

from __future__ import annotations

from typing import Any

import pytest

from graph.domain.errors import EntityNotFound, InvalidParameter
from graph.domain.ontology import Ontology
from graph.language.ask import Answer, AskQuery, QuestionReader, ask, run
from graph.stores.protocol import ClaimQuery, GraphStore


def answer_ids(answer: Answer) -> set[str]:
    return {a.id for a in answer.answers}


def claim_ids(answer: Answer) -> set[str]:
    return {c.id for c in answer.claims}


def seed_ids(seed_claims: list[dict[str, Any]], **where: object) -> set[str]:
    """Ids of the claims in the seed file with these fields, as the file spells them (names, not ids)."""
    def matches(claim: dict[str, Any]) -> bool:
        return all(claim.get(k) in (v if isinstance(v, set) else {v}) for k, v in where.items())
    return {c["id"] for c in seed_claims if matches(c)}


def assert_consistent(answer: Answer) -> None:
    """Every answering entity's claims are in the answer; every claim is quoted and sourced."""
    assert {i for a in answer.answers for i in a.claims} <= claim_ids(answer)
    assert all(c.quote and c.report.outlet and c.asserted_by for c in answer.claims)


def test_who_is_isk_trying_to_provoke(seeded: GraphStore, reader: QuestionReader,
                                      seed_claims: list[dict[str, Any]]) -> None:
    answer = ask(seeded, reader, "who is IS-K trying to provoke?")
    assert answer_ids(answer) == {"pakistan", "iran"}
    assert claim_ids(answer) == seed_ids(seed_claims, subject="IS-K", type="SEEKS_TO_PROVOKE")
    pakistan = next(a for a in answer.answers if a.id == "pakistan")
    assert set(pakistan.claims) == {"isk-provoke-pakistan-mines", "isk-provoke-pakistan-irritating"}
    assert answer.answers[0].id == "pakistan"  # the best supported first
    assert (answer.query.shape, answer.query.direction, answer.query.subject) == ("relation", "out", "isk")
    assert answer.explanation.startswith("Read as who: SEEKS_TO_PROVOKE with IS-K (isk) as the subject")
    assert_consistent(answer)


@pytest.mark.parametrize(("question", "answers", "claims"), [
    ("who recruits from the TTP?", {"isk"}, {"isk-recruits-from-ttp-2015"}),
    ("who attacked Uzbekistan?", {"isk"}, {"isk-attacked-uzbekistan-2022-04-18"}),
    ("who are the Taliban's allies?", {"pakistan", "iran"}, {"pakistan-allied-taliban", "taliban-allied-iran-per-isk"}),
    ("what does Iran oppose?", set(), set()),
    ("who attacked Tajikistan since April 2022?", {"isk"}, {"isk-attacked-tajikistan-2022-05-07"}),
    ("who attacked Tajikistan in 2021?", set(), set()),
    ("who attacked Uzbekistan before May 2022?", {"isk"}, {"isk-attacked-uzbekistan-2022-04-18"}),
    ("which communities does ISKP target?", {"hazara", "shia-muslims"}, {"isk-targets-hazara-mines",
                                                                        "isk-targets-shia-mines"}),
    ("who did IS-K attack in 2021?", {"shia-muslims"}, {"isk-attacked-shia-kunduz-2021-10",
                                                        "isk-attacked-shia-kandahar-2021-10"}),
])
def test_relations_either_way_in_time_and_of_a_kind(seeded: GraphStore, reader: QuestionReader, question: str,
                                                    answers: set[str], claims: set[str]) -> None:
    answer = ask(seeded, reader, question)
    assert (answer_ids(answer), claim_ids(answer)) == (answers, claims)
    assert_consistent(answer)


def test_an_empty_answer_says_what_the_graph_does_hold(seeded: GraphStore, reader: QuestionReader) -> None:
    answer = ask(seeded, reader, "what does Iran oppose?")
    assert answer.answers == [] and answer.query.types == ["OPPOSES"]
    assert "1 other hostile claim with Iran as the subject (REPRESSES)" in answer.explanation


def test_enemies_are_hostile_claims_either_way(seeded: GraphStore, reader: QuestionReader,
                                               ontology: Ontology) -> None:
    answer = ask(seeded, reader, "who are the Hazaras' enemies")
    assert (answer_ids(answer), claim_ids(answer)) == ({"isk"}, {"isk-targets-hazara-mines"})
    isk = ask(seeded, reader, "who are IS-K's enemies?")
    hostile = set(ontology.questions.categories["hostile"].types)
    assert {c.type for c in isk.claims} <= hostile and len({c.type for c in isk.claims}) >= 5
    assert {"taliban", "pakistan", "iran", "tajikistan", "uzbekistan", "shia-muslims", "hazara"} <= answer_ids(isk)
    # Strained relations are mutual, not one side's hostility: the Taliban is not Pakistan's enemy for them.
    assert answer_ids(ask(seeded, reader, "who is hostile to Pakistan?")) == {"isk", "ttp"}


def test_a_chain_cites_both_steps(seeded: GraphStore, reader: QuestionReader) -> None:
    answer = ask(seeded, reader, "who hosted al-Qaeda's leader?")
    assert answer_ids(answer) == {"taliban"}
    assert claim_ids(answer) == {"bin-laden-leads-al-qaeda", "taliban-hosts-bin-laden-2001"}
    located = ask(seeded, reader, "who attacked the country Termez is located in?")
    assert (answer_ids(located), claim_ids(located)) == (
        {"isk"}, {"termez-located-in-uzbekistan", "isk-attacked-uzbekistan-2022-04-18"})


def test_yes_no_answers_with_the_claims_or_the_nearest(seeded: GraphStore, reader: QuestionReader) -> None:
    yes = ask(seeded, reader, "does IS-K recruit from the TTP?")
    assert (yes.verdict, claim_ids(yes), yes.nearest) == ("yes", {"isk-recruits-from-ttp-2015"}, [])
    assert "Yes: 1 claim says so" in yes.explanation
    no = ask(seeded, reader, "Did the Taliban attack Tajikistan?")
    assert (no.verdict, no.claims) == ("no", [])
    assert "No claim says so" in no.explanation
    near = ask(seeded, reader, "is IS-K allied with the Taliban?")
    assert near.verdict == "no" and near.claims == []
    # What the graph does hold between them is offered, apart from the evidence.
    assert {c.id for c in near.nearest} >= {"isk-opposes-taliban-headline", "taliban-denied-termez-attack"}
    assert all({c.subject, c.object} == {"isk", "taliban"} for c in near.nearest)


def test_a_pair_is_every_claim_between_two_entities_grouped_by_type(seeded: GraphStore,
                                                                    reader: QuestionReader) -> None:
    answer = ask(seeded, reader, "what is the relationship between Pakistan and the Taliban?")
    assert claim_ids(answer) == {"pakistan-allied-taliban", "pakistan-strained-taliban-2022-04"}
    assert answer.groups == {"ALLIED_WITH": ["pakistan-allied-taliban"],
                             "STRAINED_RELATIONS_WITH": ["pakistan-strained-taliban-2022-04"]}
    both_ways = ask(seeded, reader, "IS-K vs Uzbekistan")
    assert claim_ids(both_ways) == {"isk-attacked-uzbekistan-2022-04-18", "isk-targets-uzbekistan-mines",
                                    "uzbekistan-denied-termez-attack"}
    one_way = ask(seeded, reader, "what has IS-K done to Uzbekistan?")
    assert claim_ids(one_way) == {"isk-attacked-uzbekistan-2022-04-18", "isk-targets-uzbekistan-mines"}


def test_connection_gives_paths_with_the_claims_behind_each_hop(seeded: GraphStore, reader: QuestionReader) -> None:
    answer = ask(seeded, reader, "how is IS-K connected to China?")
    assert answer.query.shape == "connection" and answer.paths
    for path in answer.paths:
        assert path.nodes[0] == "isk" and path.nodes[-1] == "china" and path.length == len(path.hops)
        for hop in path.hops:
            assert hop.claims and all({c.subject, c.object} == {hop.from_, hop.to} for c in hop.claims)
            assert {c.id for c in hop.claims} <= claim_ids(answer)
    assert min(p.length for p in answer.paths) == 2


def test_events_at_a_place_and_the_places_inside_it(seeded: GraphStore, reader: QuestionReader) -> None:
    kunduz = ask(seeded, reader, "what happened in Kunduz?")
    assert claim_ids(kunduz) == {"isk-attacked-shia-kunduz-2021-10", "al-uyghuri-attacked-shia-kunduz"}
    iran = ask(seeded, reader, "anything happen in Iran in 2022?")  # Mashhad lies in Iran
    assert "mashhad-attacker-attacked-shia-2022-04" in claim_ids(iran)
    balkh = ask(seeded, reader, "did anything happen in Balkh province?")  # a dated act about Balkh itself
    assert (balkh.verdict, claim_ids(balkh)) == ("yes", {"isk-operates-in-balkh-2022-04-18"})
    month = ask(seeded, reader, "what happened in October 2021?")
    assert claim_ids(month) == {"isk-attacked-shia-kunduz-2021-10", "al-uyghuri-attacked-shia-kunduz",
                                "china-strained-afghanistan-kunduz", "isk-attacked-shia-kandahar-2021-10",
                                "balochi-attacked-shia-kandahar"}
    assert set(month.groups) == {"ATTACKED", "STRAINED_RELATIONS_WITH"}


def test_an_attack_named_by_place_gives_its_attackers_and_every_claim_of_it(seeded: GraphStore,
                                                                            reader: QuestionReader) -> None:
    answer = ask(seeded, reader, "who carried out the Kunduz mosque attack?")
    assert answer_ids(answer) == {"isk", "mohammad-al-uyghuri"}
    assert claim_ids(answer) == {"isk-attacked-shia-kunduz-2021-10", "al-uyghuri-attacked-shia-kunduz"}
    victims = ask(seeded, reader, "who was targeted in the Kandahar mosque attack?")
    assert answer_ids(victims) == {"shia-muslims"}
    disputed = ask(seeded, reader, "is the Termez attack disputed?")
    assert disputed.verdict == "yes"
    assert claim_ids(disputed) == {"isk-attacked-uzbekistan-2022-04-18", "uzbekistan-denied-termez-attack",
                                   "taliban-denied-termez-attack"}


def test_a_place_struck_answers_for_the_attacks_located_there(seeded: GraphStore, reader: QuestionReader) -> None:
    peshawar = ask(seeded, reader, "who attacked Peshawar?")
    assert (answer_ids(peshawar), claim_ids(peshawar)) == ({"isk"}, {"isk-attacked-shia-peshawar-2022-03"})
    there = ask(seeded, reader, "who did IS-K attack in Peshawar?")
    assert (answer_ids(there), claim_ids(there)) == ({"shia-muslims"}, {"isk-attacked-shia-peshawar-2022-03"})
    attacker = ask(seeded, reader, "Who is the Mashhad attacker?")
    assert answer_ids(attacker) == {"mashhad-shrine-attacker"}
    done_to = ask(seeded, reader, "what happened to the Hazara?")
    assert claim_ids(done_to) == {"isk-targets-hazara-mines"}


def test_claims_by_who_asserts_them(seeded: GraphStore, reader: QuestionReader,
                                    seed_claims: list[dict[str, Any]]) -> None:
    valle = ask(seeded, reader, "what does Riccardo Valle say about the Taliban?")
    assert claim_ids(valle) == {"isk-undermine-taliban-valle-propaganda"}
    mines = ask(seeded, reader, "which claims does Andrew Mines make?")
    assert claim_ids(mines) == seed_ids(seed_claims, asserted_by="Andrew Mines") and len(mines.claims) > 10
    others = ask(seeded, reader, "what does IS-K's propaganda allege about others")
    assert others.claims and all(c.asserted_by == "isk" and c.subject != "isk" for c in others.claims)


def test_counts_of_claims_incidents_and_entities(seeded: GraphStore, reader: QuestionReader) -> None:
    incidents = ask(seeded, reader, "How many attacks were there in October 2021?")
    assert incidents.count is not None
    assert (incidents.count.value, incidents.count.of, incidents.count.claims) == (2, "incidents", 4)
    claims = ask(seeded, reader, "how many claims mention the TTP?")
    assert claims.count is not None and (claims.count.value, claims.count.of) == (3, "claims")
    states = ask(seeded, reader, "how many states has IS-K attacked?")
    assert states.count is not None and (states.count.value, states.count.of) == (2, "entities")
    assert answer_ids(states) == {"tajikistan", "uzbekistan"}


def test_denials_and_what_they_deny(seeded: GraphStore, reader: QuestionReader) -> None:
    by = ask(seeded, reader, "what did Tajikistan deny?")
    assert claim_ids(by) == {"tajikistan-denied-rocket-attack", "isk-attacked-tajikistan-2022-05-07"}
    assert answer_ids(by) == {"isk"}
    of = ask(seeded, reader, "who denied the Termez attack?")
    assert answer_ids(of) == {"uzbekistan", "taliban"}
    assert all(c.type == "DENIED" or c.disputed for c in of.claims)
    nobody = ask(seeded, reader, "has anyone denied the Peshawar mosque attack?")
    assert (nobody.verdict, nobody.claims, nobody.answers) == ("no", [], [])
    every = ask(seeded, reader, "which claims were denied?")
    assert claim_ids(every) == {"isk-attacked-tajikistan-2022-05-07", "isk-attacked-uzbekistan-2022-04-18",
                                "tajikistan-denied-rocket-attack", "uzbekistan-denied-termez-attack",
                                "taliban-denied-termez-attack"}


def test_what_an_accusation_is_about(seeded: GraphStore, reader: QuestionReader) -> None:
    answer = ask(seeded, reader, "what did Washington accuse al-Qaeda of")
    assert claim_ids(answer) == {"united-states-accused-al-qaeda-9-11", "al-qaeda-attacked-united-states-9-11"}


def test_profile_and_status(seeded: GraphStore, reader: QuestionReader, seed_claims: list[dict[str, Any]]) -> None:
    profile = ask(seeded, reader, "what do we know about TTP?")
    ttp = {"TTP", "Tehrik-e Taliban Pakistan"}
    expected = seed_ids(seed_claims, subject=ttp) | seed_ids(seed_claims, object=ttp)
    assert claim_ids(profile) == expected and set(profile.groups) == {"ATTACKED", "RECRUITS_FROM",
                                                                      "RETALIATED_AGAINST"}
    place = ask(seeded, reader, "Tell me about Termez")  # a place's profile: what happened there too
    assert claim_ids(place) == {"termez-located-in-uzbekistan", "isk-attacked-uzbekistan-2022-04-18"}
    disputed = ask(seeded, reader, "which claims about IS-K are disputed?")
    assert {c.id for c in disputed.claims if c.disputed} == {"isk-attacked-tajikistan-2022-05-07",
                                                             "isk-attacked-uzbekistan-2022-04-18"}
    assert {c.id for c in disputed.claims if not c.disputed} == {  # with the denials that dispute them
        "tajikistan-denied-rocket-attack", "uzbekistan-denied-termez-attack", "taliban-denied-termez-attack"}


def test_a_structured_query_runs_to_the_same_answer(seeded: GraphStore, reader: QuestionReader,
                                                    ontology: Ontology) -> None:
    for question in ("who hosted al-Qaeda's leader?", "who denied the Termez attack?", "what happened in Kunduz?",
                     "how many attacks did IS-K carry out in 2021?", "does IS-K recruit from the TTP?"):
        asked = ask(seeded, reader, question)
        again = run(seeded, ontology, AskQuery.model_validate(asked.query.model_dump()))
        assert (again.claims, again.answers, again.verdict, again.count) == (
            asked.claims, asked.answers, asked.verdict, asked.count), question
        assert again.reading is None and again.explanation.startswith("Ran: ")


def test_a_structured_query_is_checked_before_it_runs(seeded: GraphStore, ontology: Ontology) -> None:
    with pytest.raises(InvalidParameter, match="types"):
        run(seeded, ontology, AskQuery(shape="relation", types=["BEFRIENDED"]))
    with pytest.raises(InvalidParameter, match="subject"):
        run(seeded, ontology, AskQuery(shape="pair", object="isk"))
    with pytest.raises(EntityNotFound):
        run(seeded, ontology, AskQuery(shape="profile", subject="atlantis"))
    categories = run(seeded, ontology, AskQuery(shape="relation", types=["hostile"], subject="iran", direction="out"))
    assert {c.type for c in categories.claims} == {"REPRESSES"}  # a category among types is its types


def test_answers_come_from_the_store(seeded: GraphStore, reader: QuestionReader) -> None:
    answer = ask(seeded, reader, "who are the Taliban's allies?")
    stored = {c.id for c in seeded.claims(ClaimQuery(subject="taliban", types=("ALLIED_WITH",)))}
    assert claim_ids(answer) == stored
