"""Answers on the seed graph, on every store: the right entities and the claims behind them."""

from __future__ import annotations

from typing import Any

import pytest

from graph.ask import Answer, ask
from graph.errors import EntityNotFound, QuestionNotUnderstood
from graph.ontology import Ontology
from graph.store import GraphStore


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
    """Every answering entity's claims are in the answer, and every claim backs some answer."""
    listed = claim_ids(answer)
    backing = {i for a in answer.answers for i in a.claims}
    assert backing <= listed
    if not answer.paths:
        assert backing == listed


def test_who_is_isk_trying_to_provoke(seeded: GraphStore, seed_claims: list[dict[str, Any]]) -> None:
    answer = ask(seeded, "who is IS-K trying to provoke?")
    assert answer_ids(answer) == {"pakistan", "iran"}
    assert claim_ids(answer) == seed_ids(seed_claims, subject="IS-K", type="SEEKS_TO_PROVOKE")
    pakistan = next(a for a in answer.answers if a.id == "pakistan")
    assert set(pakistan.claims) == {"isk-provoke-pakistan-mines", "isk-provoke-pakistan-irritating"}
    assert answer.answers[0].id == "pakistan"  # the best supported first
    assert answer.query.shape == "relation" and answer.query.direction == "out"
    assert (answer.query.subject, answer.query.object, answer.query.types) == ("isk", None, ["SEEKS_TO_PROVOKE"])
    assert answer.query.endpoint == "/v1/claims?subject=isk&type=SEEKS_TO_PROVOKE"
    assert all(c.quote and c.report.outlet and c.asserted_by for c in answer.claims)
    assert_consistent(answer)


ALLIES = {"pakistan-allied-taliban", "taliban-allied-iran-per-isk"}


@pytest.mark.parametrize(("question", "answers", "claims"), [
    ("who is trying to provoke Pakistan?", {"isk"}, {"isk-provoke-pakistan-mines", "isk-provoke-pakistan-irritating"}),
    ("who does IS-K recruit from?", {"ttp", "uzbeks", "tajiks", "uyghurs", "central-asian-jihadists"}, None),
    ("who recruits from the TTP?", {"isk"}, {"isk-recruits-from-ttp-2015"}),
    ("who attacked Uzbekistan?", {"isk"}, {"isk-attacked-uzbekistan-2022-04-18"}),
    ("who are the Taliban's allies?", {"pakistan", "iran"}, ALLIES),
    ("who is the Taliban allied with?", {"pakistan", "iran"}, ALLIES),
    ("what does Iran oppose?", set(), set()),
    ("who attacked Tajikistan in 2022?", {"isk"}, {"isk-attacked-tajikistan-2022-05-07"}),
    ("who attacked Tajikistan since April 2022?", {"isk"}, {"isk-attacked-tajikistan-2022-05-07"}),
    ("who attacked Tajikistan in 2021?", set(), set()),
    ("who attacked Uzbekistan since May 2022?", set(), set()),
    ("who attacked Uzbekistan before May 2022?", {"isk"}, {"isk-attacked-uzbekistan-2022-04-18"}),
])
def test_relations_either_way_and_in_time(seeded: GraphStore, seed_claims: list[dict[str, Any]], question: str,
                                          answers: set[str], claims: set[str] | None) -> None:
    answer = ask(seeded, question)
    assert answer_ids(answer) == answers
    if claims is None:
        claims = seed_ids(seed_claims, subject="IS-K", type="RECRUITS_FROM")
    assert claim_ids(answer) == claims
    assert_consistent(answer)


def test_what_iran_opposes_is_drawn_from_the_store_not_invented(seeded: GraphStore,
                                                                seed_claims: list[dict[str, Any]]) -> None:
    # The seed report has no OPPOSES claim by Iran: the answer is empty, and the query says what was asked.
    assert not seed_ids(seed_claims, subject={"Iran", "Tehran"}, type="OPPOSES")
    answer = ask(seeded, "what does Iran oppose?")
    assert answer.answers == [] and answer.query.subject == "iran" and answer.query.types == ["OPPOSES"]
    # Empty is not unknown: the explanation says what hostile claims about Iran the graph does hold.
    assert "1 other hostile claim with Iran as the subject (REPRESSES)" in answer.explanation


def test_who_denied_the_attacks_lists_the_deniers(seeded: GraphStore, seed_claims: list[dict[str, Any]]) -> None:
    answer = ask(seeded, "who denied the attacks?")
    assert answer_ids(answer) == {"tajikistan", "uzbekistan", "taliban"}
    assert claim_ids(answer) == seed_ids(seed_claims, type="DENIED")
    assert all(c.type == "DENIED" and c.denies for c in answer.claims)
    assert answer.query.endpoint == "/v1/claims?type=DENIED"


def test_enemies_span_every_hostile_type(seeded: GraphStore, ontology: Ontology) -> None:
    answer = ask(seeded, "who are IS-K's enemies?")
    hostile = {t.name for t in ontology.relation_types.values() if t.category == "hostile"}
    assert {c.type for c in answer.claims} <= hostile
    assert len({c.type for c in answer.claims}) >= 5  # attacks, targets, threats, provocation, undermining, opposition
    assert all(c.subject == "isk" for c in answer.claims)
    assert {"taliban", "pakistan", "iran", "tajikistan", "uzbekistan", "shia-muslims", "hazara"} <= answer_ids(answer)
    assert answer.query.shape == "category" and answer.query.relation == "hostile"
    assert "taliban-allied-iran-per-isk" not in claim_ids(answer)
    assert_consistent(answer)


def test_supporters_span_every_cooperative_type(seeded: GraphStore) -> None:
    answer = ask(seeded, "who supports the Taliban?")
    # Alliances and the Doha agreement are cooperative and symmetric, so they count whichever end was written first.
    assert answer_ids(answer) == {"pakistan", "iran", "united-states"}
    assert claim_ids(answer) == {"pakistan-allied-taliban", "taliban-allied-iran-per-isk",
                                 "taliban-agreement-united-states-2020"}
    # The Taliban's own backing of others (of China, hosting al-Qaeda) is the other direction.
    assert "taliban-supports-china-per-isk" not in claim_ids(answer)
    assert answer.query.endpoint == "/v1/claims?object=taliban&type=cooperative"


def test_connection_gives_paths_with_the_claims_behind_each_hop(seeded: GraphStore) -> None:
    answer = ask(seeded, "how is IS-K connected to China?")
    assert answer.query.shape == "connection" and answer.paths
    for path in answer.paths:
        assert path.nodes[0] == "isk" and path.nodes[-1] == "china" and path.length == len(path.hops)
        for hop in path.hops:
            assert hop.claims and all({c.subject, c.object} == {hop.from_, hop.to} for c in hop.claims)
            assert {c.id for c in hop.claims} <= claim_ids(answer)
    assert min(p.length for p in answer.paths) == 2
    assert "china" in answer_ids(answer) and "isk" not in answer_ids(answer)
    assert answer.query.endpoint == "/v1/paths?source=isk&target=china&max_hops=4&k=3"


def test_profile_groups_every_claim_about_the_entity_by_type(seeded: GraphStore,
                                                             seed_claims: list[dict[str, Any]]) -> None:
    answer = ask(seeded, "what do we know about TTP?")
    ttp = {"TTP", "Tehrik-e Taliban Pakistan"}
    expected = seed_ids(seed_claims, subject=ttp) | seed_ids(seed_claims, object=ttp)
    assert claim_ids(answer) == expected and len(expected) >= 3
    assert set(answer.groups) == {"ATTACKED", "RECRUITS_FROM", "RETALIATED_AGAINST"}
    assert {i for ids in answer.groups.values() for i in ids} == expected
    assert answer_ids(answer) == {"isk", "pakistan"}
    assert answer.query.endpoints == ["/v1/claims?subject=ttp", "/v1/claims?object=ttp"]


def test_disputed_claims_are_those_a_denial_disputes(seeded: GraphStore, seed_claims: list[dict[str, Any]]) -> None:
    answer = ask(seeded, "which claims about IS-K are disputed?")
    denied = {c["denies"] for c in seed_claims if c.get("denies")}
    assert claim_ids(answer) == {"isk-attacked-tajikistan-2022-05-07", "isk-attacked-uzbekistan-2022-04-18"} == denied
    assert all(c.disputed and c.disputed_by for c in answer.claims)
    assert answer.query.shape == "status" and answer.query.disputed is True


def test_claims_of_a_status(seeded: GraphStore, seed_claims: list[dict[str, Any]]) -> None:
    answer = ask(seeded, "which claims about Iran are alleged?")
    iran = {"Iran", "Tehran", "Iranian"}
    expected = (seed_ids(seed_claims, subject=iran, status="alleged")
                | seed_ids(seed_claims, object=iran, status="alleged"))
    assert claim_ids(answer) == expected and expected


@pytest.mark.parametrize("paraphrase", ["Which states is ISKP seeking to provoke", "IS-K is trying to provoke whom?",
                                        "whom does Islamic State Khorasan want to provoke?"])
def test_paraphrases_get_the_same_answer(seeded: GraphStore, paraphrase: str) -> None:
    assert answer_ids(ask(seeded, paraphrase)) == {"pakistan", "iran"}


def test_refusals_carry_suggestions(seeded: GraphStore) -> None:
    with pytest.raises(QuestionNotUnderstood) as caught:
        ask(seeded, "who does IS-K fancy?")
    assert caught.value.suggestions and all("IS-K" in s for s in caught.value.suggestions)
    with pytest.raises(EntityNotFound):
        ask(seeded, "who is ISKK trying to provoke?")
