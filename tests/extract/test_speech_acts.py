"""Speech acts and attribution: who says a claim decides its status and asserter."""

from graph.language.extract.pipeline import NAME
from tests.extract.conftest import Run, only, triples


def test_a_group_claiming_its_own_attack_is_claimed_by_the_group(run: Run) -> None:
    result = run("The Islamic State-Khorasan claimed it attacked Uzbekistan with rockets.")
    claim = only(result, "isk", "ATTACKED", "uzbekistan")
    assert (claim.status, claim.asserted_by) == ("claimed", "isk")


def test_a_state_saying_a_group_attacked_is_an_allegation_by_the_state(run: Run) -> None:
    claim = only(run("Pakistan said the TTP attacked Afghanistan last week."), "ttp", "ATTACKED", "afghanistan")
    assert (claim.status, claim.asserted_by) == ("alleged", "pakistan")


def test_unnamed_analysts_are_assessments_asserted_by_the_outlet(run: Run) -> None:
    claim = only(run("IS-K is trying to undermine the Taliban, analysts say."), "isk", "SEEKS_TO_UNDERMINE", "taliban")
    assert (claim.status, claim.asserted_by) == ("assessed", "rferl")
    assert claim.note and "unnamed" in claim.note
    experts = only(run("Experts argue that IS-K seeks to provoke Pakistan."), "isk", "SEEKS_TO_PROVOKE", "pakistan")
    assert (experts.status, experts.asserted_by) == ("assessed", "rferl")


def test_a_named_analyst_and_his_pronoun_assert_an_assessment(run: Run) -> None:
    result = run("Mines says IS-K is a staunch enemy of Pakistan. He adds that the group threatens Iran.")
    first = only(result, "isk", "OPPOSES", "pakistan")
    assert (first.status, first.asserted_by) == ("assessed", "andrew-mines")
    second = only(result, "isk", "THREATENS", "iran")
    assert (second.status, second.asserted_by) == ("assessed", "andrew-mines")


def test_a_quotation_keeps_the_speaker_named_after_it(run: Run) -> None:
    text = "“IS-K seeks to provoke Pakistan into retaliating,” Mines says."
    claim = only(run(text), "isk", "SEEKS_TO_PROVOKE", "pakistan")
    assert claim.asserted_by == "andrew-mines"


def test_a_denial_points_at_the_claim_it_denies(run: Run) -> None:
    result = run("IS-K claimed that it fired rockets at Tajikistan on May 7. "
                 "Dushanbe denied that any attack took place.")
    attack = only(result, "isk", "ATTACKED", "tajikistan")
    denial = only(result, "tajikistan", "DENIED", "isk")
    assert (denial.status, denial.asserted_by, denial.denies) == ("denied", "tajikistan", attack.id)


def test_a_denial_with_nothing_to_deny_yields_no_claim(run: Run) -> None:
    assert not [c for c in run("Tashkent denied the reports.").claims if c.type == "DENIED"]


def test_the_content_of_a_denial_is_not_asserted(run: Run) -> None:
    result = run("The Taliban denied that they host the TTP.")
    assert ("taliban", "HOSTS", "ttp") not in triples(result)


def test_negation_produces_no_claim(run: Run) -> None:
    assert run("The Taliban did not attack Pakistan.").claims == []
    assert run("Militants will never target Uzbekistan.").claims == []
    assert ("taliban", "ATTACKED", "pakistan") in triples(run("The Taliban attacked Pakistan."))


def test_an_accusation_makes_the_accused_act_alleged_by_the_accuser(run: Run) -> None:
    result = run("Washington accused Al-Qaeda of carrying out attacks against the United States.")
    accusation = only(result, "united-states", "ACCUSED", "al-qaeda")
    assert (accusation.status, accusation.asserted_by) == ("alleged", "united-states")  # the accuser's own word
    attack = only(result, "al-qaeda", "ATTACKED", "united-states")
    assert (attack.status, attack.asserted_by) == ("alleged", "united-states")


def test_every_claim_is_marked_as_extracted_with_its_span(run: Run) -> None:
    text = "Breaking News\n\nPakistan bombed Afghanistan on Saturday. The TTP attacked Pakistan."
    result = run(text)
    assert result.claims
    for claim in result.claims:
        assert claim.extracted_by.startswith(NAME + "/")
        assert 0 < claim.confidence < 1
        assert text[claim.span[0]:claim.span[1]] == claim.quote
