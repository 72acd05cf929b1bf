"""Actors not named right before the verb: passives, appositives, relative clauses, accusations,
claims of responsibility for an attack told earlier, and unnamed officials."""

from tests.extract.conftest import Run, only, triples


def test_a_passive_accusation_makes_the_blamed_actor_the_agent_alleged_by_the_accuser(run: Run) -> None:
    result = run("The Haqqani Network was blamed by US officials for attacks on Afghan forces.")
    accusation = only(result, "united-states", "ACCUSED", "haqqani-network")
    assert (accusation.status, accusation.asserted_by) == ("alleged", "united-states")
    attack = only(result, "haqqani-network", "ATTACKED", "afghanistan")
    assert (attack.status, attack.asserted_by) == ("alleged", "united-states")
    assert ("united-states", "ATTACKED", "afghanistan") not in triples(result)


def test_an_accusation_is_alleged_by_the_accuser_without_a_speech_verb(run: Run) -> None:
    claim = only(run("Iran accused Pakistan of sheltering Jaish al-Adl."), "iran", "ACCUSED", "pakistan")
    assert (claim.status, claim.asserted_by) == ("alleged", "iran")


def test_what_an_accused_is_said_to_allow_is_alleged_by_the_accuser(run: Run) -> None:
    result = run("Islamabad accused the Taliban of allowing the TTP to use Afghan soil.")
    hosts = only(result, "taliban", "HOSTS", "ttp")
    assert (hosts.status, hosts.asserted_by) == ("alleged", "pakistan")


def test_the_head_of_an_indefinite_appositive_is_the_subject_of_its_cue(run: Run) -> None:
    result = run("The Haqqani Network, a Taliban faction long allied with al-Qaeda, runs schools.")
    assert ("al-qaeda", "ALLIED_WITH", "haqqani-network") in triples(result)
    # The faction's parent is named by the appositive's modifier: a membership, and nothing else about it.
    assert {t for t in triples(result) if "taliban" in (t[0], t[2])} == {("haqqani-network", "MEMBER_OF", "taliban")}


def test_an_appositive_head_after_a_preposition_still_takes_the_cue(run: Run) -> None:
    result = run("A commander of Jaish al-Adl, a splinter group of the Taliban, spoke.")
    assert ("jaish-al-adl", "SPLINTER_OF", "taliban") in triples(result)


def test_the_antecedent_of_a_relative_clause_with_its_own_speaker_is_the_subject(run: Run) -> None:
    result = run("Talks stalled over the TTP, which Pakistan says operates from Afghan soil.")
    claim = only(result, "ttp", "OPERATES_IN", "afghanistan")
    assert claim.asserted_by == "pakistan"
    assert ("pakistan", "OPERATES_IN", "afghanistan") not in triples(result)


def test_the_speaker_is_the_head_before_a_relative_clause(run: Run) -> None:
    result = run("The Taliban, who rule Afghanistan, said Pakistani troops fired on Taliban posts.")
    attack = only(result, "pakistan", "ATTACKED", "taliban")
    assert (attack.status, attack.asserted_by) == ("alleged", "taliban")


def test_a_claim_of_responsibility_takes_the_target_of_the_attack_told_before(run: Run) -> None:
    result = run("A suicide bomber blew himself up outside the Russian embassy on Monday. "
                 "IS-K claimed responsibility for the bombing.")
    claim = only(result, "isk", "ATTACKED", "russia")
    assert (claim.status, claim.asserted_by) == ("claimed", "isk")
    assert claim.date == "2022-05-16"  # the attack's Monday, not the day of the claim


def test_a_claim_of_responsibility_with_no_attack_before_yields_nothing(run: Run) -> None:
    assert triples(run("IS-K claimed responsibility for the bombing.")) == set()


def test_unnamed_officials_are_an_allegation_asserted_by_the_outlet(run: Run) -> None:
    claim = only(run("The TTP attacked Pakistan, according to regional officials."), "ttp", "ATTACKED", "pakistan")
    assert (claim.status, claim.asserted_by) == ("alleged", "rferl")
    assert claim.note and "officials" in claim.note
    bare = only(run("Officials said the TTP attacked Pakistan."), "ttp", "ATTACKED", "pakistan")
    assert (bare.status, bare.asserted_by) == ("alleged", "rferl")


def test_a_topic_after_over_is_not_the_object(run: Run) -> None:
    result = run("Relations between Islamabad and Kabul have been strained over the TTP.")
    assert triples(result) == {("pakistan", "STRAINED_RELATIONS_WITH", "taliban")}


def test_refusing_recognition_is_opposition(run: Run) -> None:
    result = run("Tajikistan has refused to recognise the Taliban government.")
    assert ("tajikistan", "OPPOSES", "taliban") in triples(result)


def test_a_lowercase_arabic_particle_opens_a_name(run: Run) -> None:
    assert ("al-qaeda", "ALLIED_WITH", "ttp") in triples(run("The TTP has long been allied with al-Qaeda."))


def test_fighting_alongside_is_an_alliance(run: Run) -> None:
    result = run("The Turkistan Islamic Party has fought alongside Hayat Tahrir al-Sham in Syria.")
    assert ("hayat-tahrir-al-sham", "ALLIED_WITH", "turkistan-islamic-party") in triples(result)


def test_the_group_refers_to_the_grammatical_subject_of_a_symmetric_claim(run: Run) -> None:
    # the symmetric claim is stored as (hayat-tahrir-al-sham, turkistan-islamic-party): "the group" is still the TIP
    result = run("The Turkistan Islamic Party has fought alongside Hayat Tahrir al-Sham in Syria. "
                 "China accuses the group of plotting attacks.")
    assert ("china", "ACCUSED", "turkistan-islamic-party") in triples(result)
    assert ("china", "ACCUSED", "hayat-tahrir-al-sham") not in triples(result)


def test_the_speaker_of_a_free_relative_in_the_object_is_not_the_object(run: Run) -> None:
    result = run("Iran launched strikes on what it said were bases of Jaish al-Adl on Tuesday.")
    claim = only(result, "iran", "ATTACKED", "jaish-al-adl")
    assert (claim.status, claim.asserted_by) == ("claimed", "iran")


def test_observers_note_is_an_assessment(run: Run) -> None:
    claim = only(run("Observers note that IS-K has attacked the Taliban."), "isk", "ATTACKED", "taliban")
    assert (claim.status, claim.asserted_by) == ("assessed", "rferl")


def test_a_named_speaker_of_a_free_relative_is_not_the_object_either(run: Run) -> None:
    result = run("Pakistan carried out strikes on what Iran called hideouts of the Baloch Liberation Army.")
    assert ("pakistan", "ATTACKED", "baloch-liberation-army") in triples(result)
    assert ("pakistan", "ATTACKED", "iran") not in triples(result)


def test_an_exchange_of_fire_is_an_attack_each_way(run: Run) -> None:
    result = run("Pakistani troops exchanged fire with Taliban forces on Wednesday.")
    assert {("pakistan", "ATTACKED", "taliban"), ("taliban", "ATTACKED", "pakistan")} <= triples(result)
    one_way = run("Pakistani troops fired on Taliban forces on Wednesday.")
    assert ("taliban", "ATTACKED", "pakistan") not in triples(one_way)


def test_a_victim_killed_in_a_strike_named_for_its_agent_is_the_object(run: Run) -> None:
    result = run("Abu Ali Balochi was killed in a US drone strike in Kunduz.")
    assert ("united-states", "ATTACKED", "abu-ali-balochi") in triples(result)
    assert not {t for t in triples(result) if t[0] == "abu-ali-balochi"}


def test_a_victim_killed_with_no_agent_waits_for_the_claim_of_responsibility(run: Run) -> None:
    result = run("Twelve Pakistani soldiers were killed in Peshawar on Monday. "
                 "The TTP claimed responsibility for the assault.")
    claim = only(result, "ttp", "ATTACKED", "pakistan")
    assert (claim.status, claim.asserted_by) == ("claimed", "ttp")
    assert ("pakistan", "ATTACKED", "peshawar") not in triples(result)


def test_saying_it_was_behind_an_attack_claims_it(run: Run) -> None:
    result = run("A bomb struck a market in Peshawar on Friday. The TTP said it was behind the bombing.")
    assert ("ttp", "ATTACKED", "peshawar") in triples(result)


def test_condemning_an_attack_does_not_make_the_critic_its_agent(run: Run) -> None:
    result = run("China's foreign ministry condemned the bombing of the Pakistani consulate.")
    assert ("china", "ATTACKED", "pakistan") not in triples(result)
    control = run("China carried out the bombing of the Pakistani consulate.")
    assert ("china", "ATTACKED", "pakistan") in triples(control)


def test_a_claim_and_a_demand_in_one_sentence_do_not_make_the_demand_a_target(run: Run) -> None:
    result = run("Gunmen stormed a bus in Peshawar on Tuesday. "
                 "The TTP claimed the attack and demanded the release of Baloch prisoners.")
    assert ("ttp", "ATTACKED", "peshawar") in triples(result)
    assert ("ttp", "ATTACKED", "sunni-baluch") not in triples(result)


def test_an_actor_blamed_for_an_attack_in_a_reduced_relative_accuses_nobody(run: Run) -> None:
    result = run("The talks named Lashkar-e-Taiba, the Pakistani group blamed for the Kabul attacks.")
    assert not {t for t in triples(result) if t[1] == "ACCUSED"}


def test_active_cue_read_as_passive_by_its_by_phrase_is_no_claim_that_way(run: Run) -> None:
    result = run("The Hazara have long been targeted by IS-K.")
    assert ("hazara", "TARGETS", "isk") not in triples(result)
    assert ("isk", "TARGETS", "hazara") in triples(run("IS-K has long targeted the Hazara."))


def test_a_warning_to_halt_or_face_attacks_is_a_threat(run: Run) -> None:
    result = run("The Baloch Liberation Army warned Beijing to halt its projects or face attacks.")
    assert ("baloch-liberation-army", "THREATENS", "china") in triples(result)


def test_a_vow_to_retaliate_is_a_threat(run: Run) -> None:
    assert ("pakistan", "THREATENS", "iran") in triples(run("Islamabad vowed to retaliate against Iran."))


def test_a_group_regarded_as_a_front_for_another_is_its_affiliate_in_the_viewers_words(run: Run) -> None:
    result = run("Pakistani officials regard the Baloch Liberation Army as a front for Jaish al-Adl.")
    claim = only(result, "baloch-liberation-army", "AFFILIATE_OF", "jaish-al-adl")
    assert (claim.status, claim.asserted_by) == ("alleged", "pakistan")


def test_a_hyphened_base_is_where_the_group_operates(run: Run) -> None:
    assert ("lashkar-e-taiba", "OPERATES_IN", "pakistan") in triples(
        run("The Pakistan-based Lashkar-e-Taiba was blamed for the raid."))
    appositive = run("Lashkar-e-Taiba, the Pakistan-based group, was blamed for the raid.")
    assert ("lashkar-e-taiba", "OPERATES_IN", "pakistan") in triples(appositive)


def test_a_hyphened_ruler_or_backer_is_the_subject(run: Run) -> None:
    assert ("taliban", "GOVERNS", "afghanistan") in triples(run("Life in Taliban-run Afghanistan has grown harder."))
    backed = run("Iran-backed Jaish al-Adl fired rockets at Pakistan.")
    assert {("iran", "SUPPORTS", "jaish-al-adl"), ("jaish-al-adl", "ATTACKED", "pakistan")} <= triples(backed)
    assert ("jaish-al-adl", "SUPPORTS", "iran") not in triples(backed)


def test_a_name_hyphened_to_a_modifier_is_neither_subject_nor_object(run: Run) -> None:
    assert ("pakistan", "ATTACKED", "ttp") not in triples(run("The Pakistan-based group attacked the TTP."))
    accused = run("Pakistan accused Iran-backed Jaish al-Adl of the attacks.")
    assert ("pakistan", "ACCUSED", "jaish-al-adl") in triples(accused)
    assert ("pakistan", "ACCUSED", "iran") not in triples(accused)


def test_a_states_rulers_named_by_group_govern_it_and_nothing_else_does(run: Run) -> None:
    assert ("taliban", "GOVERNS", "afghanistan") in triples(run("Talks were brokered by Afghanistan's Taliban rulers."))
    said = run("The Taliban government said Pakistan had closed Torkham.")
    assert not {t for t in triples(said) if t[1] == "GOVERNS"}
