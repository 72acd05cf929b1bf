"""Reading questions through the parse: shapes, direction, names, dates, kinds and refusals, without a store."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from graph.domain.errors import AmbiguousName, EntityNotFound, OntologyError, QuestionNotUnderstood
from graph.domain.ontology import Ontology, parse_ontology
from graph.language.ask import AskQuery, QuestionReader
from graph.language.ask import times as question_times
from graph.language.ask.vocabulary import Vocabulary
from graph.language.extract import dates as extract_dates
from graph.services.loader import read_bundle
from tests.conftest import SEEDS
from tests.test_ontology import raw


def query(reader: QuestionReader, question: str) -> AskQuery:
    return reader.read(question).query


def fields(found: AskQuery, *names: str) -> dict[str, Any]:
    return {name: getattr(found, name) for name in names}


# question -> the fields of the query it must be read as (the rest may be anything)
READINGS: dict[str, dict[str, Any]] = {
    # a relation, the entity as subject or as object, by where it stands to the verb
    "who is IS-K trying to provoke?": {"shape": "relation", "types": ["SEEKS_TO_PROVOKE"], "direction": "out",
                                       "subject": "isk", "object": None},
    "who is trying to provoke Pakistan?": {"shape": "relation", "types": ["SEEKS_TO_PROVOKE"], "direction": "in",
                                           "object": "pakistan", "subject": None},
    "who does IS-K recruit from?": {"types": ["RECRUITS_FROM"], "direction": "out", "subject": "isk"},
    "who recruits from the TTP?": {"types": ["RECRUITS_FROM"], "direction": "in", "object": "ttp"},
    "who did the Taliban shelter?": {"types": ["HOSTS"], "direction": "out", "subject": "taliban"},
    "who was attacked by IS-K in 2022?": {"types": ["ATTACKED"], "direction": "out", "subject": "isk",
                                          "since": "2022", "until": "2022"},
    "who is Islamabad being provoked by?": {"types": ["SEEKS_TO_PROVOKE"], "direction": "in", "object": "pakistan"},
    "what is IS-K threatened by?": {"types": ["THREATENS"], "direction": "in", "object": "isk"},
    "who is Andrew Mines affiliated with": {"types": ["AFFILIATED_WITH"], "direction": "out",
                                            "subject": "andrew-mines"},
    "who are the Taliban's allies?": {"types": ["ALLIED_WITH"], "direction": "both", "subject": "taliban"},
    "where is Termez?": {"types": ["LOCATED_IN"], "direction": "out", "subject": "termez"},
    "which country is Termez in?": {"types": ["LOCATED_IN"], "subject": "termez", "kinds": ["state"]},
    # a category: a stance either way ("enemies"), or one way ("supporters"); the verb "support" is the relation
    "who are IS-K's enemies?": {"shape": "category", "relation": "hostile", "direction": "both", "subject": "isk"},
    "who are the Taliban's supporters?": {"shape": "category", "relation": "cooperative", "direction": "in",
                                          "object": "taliban"},
    "who supports the Taliban?": {"shape": "relation", "relation": "SUPPORTS", "direction": "in",
                                  "object": "taliban"},
    # kinds of answer, narrowed by the words before the noun
    "which communities does ISKP target": {"types": ["TARGETS"], "kinds": ["community"], "subject": "isk"},
    "which militant groups recruit from the Pakistani Taliban?": {"kinds": ["armed_group"], "object": "ttp"},
    # two entities: yes/no, a pair, a connection
    "does IS-K recruit from the TTP?": {"form": "yes_no", "types": ["RECRUITS_FROM"], "subject": "isk",
                                        "object": "ttp"},
    "Is IS-K a member of al-Qaeda?": {"form": "yes_no", "types": ["MEMBER_OF"], "subject": "isk",
                                      "object": "al-qaeda"},
    "Did the Taliban attack Tajikistan?": {"form": "yes_no", "types": ["ATTACKED"], "subject": "taliban",
                                           "object": "tajikistan"},
    "what is the relationship between Pakistan and the Taliban?": {"shape": "pair", "subject": "pakistan",
                                                                   "object": "taliban", "direction": "both"},
    "what has IS-K done to Uzbekistan?": {"shape": "pair", "direction": "out", "subject": "isk",
                                          "object": "uzbekistan"},
    "IS-K vs Uzbekistan": {"shape": "pair", "subject": "isk", "object": "uzbekistan"},
    "how is IS-K connected to China?": {"shape": "connection", "subject": "isk", "object": "china"},
    # events, incidents, assertions, denials
    "what happened in Kunduz?": {"shape": "events", "place": "kunduz", "since": None},
    "what happened in October 2021?": {"shape": "events", "place": None, "since": "2021-10", "until": "2021-10"},
    "Peshawar: any attacks?": {"shape": "events", "place": "peshawar", "types": ["ATTACKED"]},
    "who was behind the Peshawar mosque bombing?": {"shape": "incident", "place": "peshawar", "direction": "in"},
    "who was behind the rocket attack on Tajikistan?": {"shape": "incident", "object": "tajikistan"},
    "who was targeted in the Kandahar mosque attack?": {"shape": "incident", "place": "kandahar",
                                                        "direction": "out"},
    "what does Riccardo Valle say about the Taliban?": {"shape": "assertions", "asserted_by": "riccardo-valle",
                                                        "subject": "taliban"},
    "according to Andrew Mines, who does IS-K recruit from?": {"shape": "relation", "asserted_by": "andrew-mines",
                                                              "subject": "isk", "types": ["RECRUITS_FROM"]},
    "what do Taliban officials say?": {"shape": "assertions", "asserted_by": "taliban"},
    "which attacks did IS-K claim?": {"types": ["ATTACKED"], "subject": "isk", "statuses": ["claimed"]},
    "what did Tajikistan deny?": {"shape": "denials", "asserted_by": "tajikistan"},
    "who denied the Termez attack?": {"shape": "denials", "asserted_by": None, "place": "termez"},
    # counts: claims, incidents or entities
    "how many attacks did IS-K carry out in 2021?": {"form": "count", "count_of": "incidents", "subject": "isk"},
    "how many claims are there about IS-K?": {"form": "count", "count_of": "claims", "subject": "isk"},
    "how many states has IS-K attacked?": {"form": "count", "count_of": "entities", "kinds": ["state"]},
    # chains: an entity reached through a relation
    "who hosted al-Qaeda's leader?": {"shape": "chain", "types": ["HOSTS"], "via": "al-qaeda",
                                      "via_types": ["LEADS"], "via_direction": "in"},
    "who attacked the country Termez is located in?": {"shape": "chain", "types": ["ATTACKED"], "via": "termez",
                                                       "via_types": ["LOCATED_IN"], "via_kinds": ["state"]},
    # a place after "in" that no phrasing puts there is where it happened; "where" asks for places
    "who did IS-K attack in Peshawar?": {"types": ["ATTACKED"], "subject": "isk", "object": None,
                                         "place": "peshawar"},
    "where did IS-K attack?": {"types": ["ATTACKED"], "kinds": ["place", "state"]},
    "where does Andrew Mines work?": {"types": ["AFFILIATED_WITH"], "kinds": []},  # at an organisation
    "which groups operate in Afghanistan?": {"types": ["OPERATES_IN"], "object": "afghanistan", "place": None},
    # the noun of who did it, and what was done to someone
    "Who is the Mashhad attacker?": {"shape": "incident", "place": "mashhad", "direction": "in"},
    "what happened to the Hazara?": {"shape": "events", "object": "hazara", "place": None},
    "Who did Pakistan bomb in April 2022?": {"shape": "relation", "subject": "pakistan", "object": None},
    # statuses and profiles
    "which claims about IS-K are not disputed?": {"shape": "status", "disputed": False},
    "which claims about IS-K are disputed?": {"shape": "status", "subject": "isk", "disputed": True},
    "which claims about Iran are alleged, not reported?": {"shape": "status", "statuses": ["alleged"]},
    "what do we know about TTP?": {"shape": "profile", "subject": "ttp"},
    "anything on the Uyghurs?": {"shape": "profile", "subject": "uyghurs"},
}


@pytest.mark.parametrize(("question", "expected"), READINGS.items())
def test_each_shape_is_read_through_the_parse(reader: QuestionReader, question: str,
                                              expected: dict[str, Any]) -> None:
    assert fields(query(reader, question), *expected) == expected


# Paraphrases: synonyms, word order, aliases, case, punctuation, articles, possessives and the parse's own variety.
PARAPHRASES = {
    "Which states is ISKP seeking to provoke": "which states is IS-K trying to provoke?",
    "IS-K is trying to provoke whom?": "who is IS-K trying to provoke?",
    "whom does Islamic State Khorasan want to provoke?": "who is IS-K trying to provoke?",
    "WHO IS IS-K TRYING TO PROVOKE???": "who is IS-K trying to provoke?",
    "who is provoking Islamabad": "who is trying to provoke Pakistan?",
    "which groups recruit among the Pakistani Taliban?": "which groups recruit from the TTP?",
    "who has attacked Tashkent?": "who attacked Uzbekistan?",
    "who are the allies of the Afghan Taliban": "who are the Taliban's allies?",
    "who is the Islamic Emirate allied to?": "who is the Taliban allied with?",
    "what are ISIS-K's adversaries": "who are IS-K's enemies?",
    "what links ISKP and Beijing?": "how is IS-K connected to China?",
    "tell me about the Pakistani Taliban": "what do we know about TTP?",
    "which IS-K claims are contested": "which claims about IS-K are disputed?",
    "who has the Taliban sheltered over the years": "who did the Taliban shelter?",
    "did the Taliban sign a deal with Washington?": "has the Taliban signed an agreement with the United States?",
    "who fired rockets at Tajikistan?": "who attacked Tajikistan?",
}


@pytest.mark.parametrize(("paraphrase", "question"), PARAPHRASES.items())
def test_paraphrases_are_read_like_the_question(reader: QuestionReader, paraphrase: str, question: str) -> None:
    assert query(reader, paraphrase) == query(reader, question)


def test_the_side_of_the_verb_decides_who_is_subject(reader: QuestionReader) -> None:
    forward, backward = query(reader, "who is Iran trying to provoke"), query(reader, "who is trying to provoke Iran")
    assert (forward.direction, forward.subject) == ("out", "iran")
    assert (backward.direction, backward.object) == ("in", "iran")
    # Both names on one side of the verb are no relation between them: refused, not guessed.
    with pytest.raises(QuestionNotUnderstood):
        reader.read("which group bombed the Shia Muslims Kunduz?")


def test_the_reading_says_what_was_asked_and_how_each_name_was_used(reader: QuestionReader) -> None:
    read = reader.read("who did IS-K attack in 2021?")
    assert read.reading.asks == "who" and read.reading.predicate == "attack"
    assert [(m.text, m.id, m.role) for m in read.reading.mentions] == [("IS-K", "isk", "subject")]
    assert read.reading.time == "in 2021" and "'in 2021' read as when it happened" in read.reading.notes


@pytest.mark.parametrize(("question", "since", "until"), [
    ("who attacked Tajikistan in 2022?", "2022", "2022"),
    ("who attacked Tajikistan since April 2022?", "2022-04", None),
    ("who attacked Tajikistan after April 2022?", "2022-05", None),
    ("who attacked Tajikistan before May 2022?", None, "2022-04"),
    ("who attacked Tajikistan until 7 May 2022?", None, "2022-05-07"),
    ("who attacked Tajikistan between April and June 2022?", "2022-04", "2022-06"),
    ("who attacked Tajikistan in 2022-05?", "2022-05", "2022-05"),
    ("who attacked Tajikistan in Sept. 2021?", "2021-09", "2021-09"),
    ("who was behind the April 2022 air strikes on Pakistani refugees", "2022-04", "2022-04"),
])
def test_time_expressions_set_a_window(reader: QuestionReader, question: str, since: str | None,
                                       until: str | None) -> None:
    found = query(reader, question)
    assert (found.since, found.until) == (since, until)


@pytest.mark.parametrize("question", ["what happened in April?", "who attacked Tajikistan in 31 February 2022?",
                                      "who attacked Tajikistan between June and April 2022?",
                                      "what will IS-K do next year?"])
def test_a_date_that_cannot_be_read_is_no_answer_for_another_period(reader: QuestionReader, question: str) -> None:
    with pytest.raises(QuestionNotUnderstood):
        reader.read(question)


def test_one_grammar_of_dates_and_one_folding_of_names() -> None:
    # The question reader and the extractor read months from the same table.
    assert question_times.MONTHS is extract_dates.MONTHS
    assert question_times.take_times("what happened in Sept. 2021?").since == "2021-09"


@pytest.mark.parametrize("question", [
    "what is the weather in Tajikistan?", "how tall is the Taliban?", "tell me a joke", "", "???",
    "why did IS-K attack Tajikistan?", "who has not been attacked by IS-K?", "could IS-K attack China?",
    "who will IS-K attack next?", "which group has carried out the most attacks?",
    "how many fighters does IS-K have?", "what is the capital of Tajikistan?", "who is the president of Uzbekistan?",
    "write me a poem about the Amu Darya", "what do analysts say about IS-K?",
])
def test_a_word_the_reader_cannot_place_is_a_refusal_not_a_guess(reader: QuestionReader, question: str) -> None:
    with pytest.raises(QuestionNotUnderstood) as caught:
        reader.read(question)
    assert caught.value.details["question"] == question and caught.value.http_status == 422


def test_a_refusal_offers_the_closest_questions_with_its_names(reader: QuestionReader) -> None:
    with pytest.raises(QuestionNotUnderstood) as caught:
        reader.read("who is IS-K seeking to prvke?")
    suggestions = caught.value.suggestions
    assert suggestions[0] == "who is IS-K trying to provoke"
    assert 1 < len(suggestions) <= 3 and all("IS-K" in s for s in suggestions)
    # What is offered is understood: each suggestion reads.
    for question in ("who does IS-K fancy?", "what is the weather in Tajikistan?", "how tall is the Taliban?"):
        with pytest.raises(QuestionNotUnderstood) as refused:
            reader.read(question)
        offered = refused.value.suggestions
        assert offered and all(reader.read(s).query for s in offered if "…" not in s), offered


def test_an_unknown_name_is_entity_not_found_with_suggestions(reader: QuestionReader) -> None:
    with pytest.raises(EntityNotFound) as caught:
        reader.read("who is ISKK trying to provoke?")
    assert caught.value.name == "ISKK" and "isk" in [s["id"] for s in caught.value.suggestions]
    with pytest.raises(EntityNotFound) as whole:
        reader.read("what has Abu Bakr al-Baghdadi said about IS-K?")
    assert whole.value.name == "Abu Bakr al-Baghdadi"  # the whole name, not "Baghdad" read into it


def test_a_misspelt_name_is_read_as_the_clearly_closest_and_the_reading_says_so(reader: QuestionReader) -> None:
    read = reader.read("what happened in Kandhar?")
    assert read.query.place == "kandahar"
    assert read.reading.mentions[0].close and "'Kandhar' read as Kandahar, the closest name" in read.reading.notes
    assert query(reader, "what does Ricardo Valle say about the Taliban").asserted_by == "riccardo-valle"
    assert query(reader, "Has ISIS-K ever attacked Tajikstan").object == "tajikistan"
    # A name that only begins like one ("Central Asian …") or holds another ("Valle T") is no misspelling of it.
    with pytest.raises(EntityNotFound):
        reader.read("Which Central Asian states has IS-K attacked?")
    with pytest.raises(QuestionNotUnderstood) as caught:
        reader.read("what does Valle T say?")
    assert "Malta" not in caught.value.message and "Riccardo Valle" in " ".join(caught.value.suggestions)


def test_an_alias_of_two_entities_is_not_resolved_silently(reader: QuestionReader) -> None:
    with pytest.raises(AmbiguousName) as caught:
        reader.read("who attacked the Uzbek?")
    assert {c["id"] for c in caught.value.candidates} == {"uzbekistan", "uzbeks"}


def test_a_question_date_resolves_an_alias_that_holds_only_for_a_time(reader: QuestionReader) -> None:
    assert query(reader, "who does Kabul host in 2022?").subject == "taliban"
    assert query(reader, "who does Kabul host in 2015?").subject == "afghanistan"
    # Undated, it is read as it stands now, and the reading says so.
    read = reader.read("has Kabul denied anything")
    assert read.query.asserted_by == "taliban"
    assert "'Kabul' read as it stands now: Taliban" in read.reading.notes


def test_a_capitalised_alias_that_is_also_a_word_is_a_name_only_as_spelled(reader: QuestionReader) -> None:
    assert query(reader, "who is the US allied with?").subject == "united-states"
    assert query(reader, "Is IS-K a member of al-Qaeda?").subject == "isk"  # "Is" is a verb, "IS" Islamic State


def test_one_reader_serves_many_threads(reader: QuestionReader) -> None:
    questions = list(READINGS)[:12]
    alone = [query(reader, q) for q in questions]
    results: dict[int, list[AskQuery]] = {}

    def work(number: int) -> None:
        results[number] = [query(reader, q) for q in questions]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(found == alone for found in results.values())


def test_what_a_phrasing_teaches_is_data(ontology: Ontology, reader: QuestionReader) -> None:
    with pytest.raises(QuestionNotUnderstood):
        reader.read("who does Iran bankroll?")
    data = raw()
    data["relation_types"]["SUPPORTS"]["phrasings"]["forward"].append("who does {x} bankroll")
    data["questions"]["lexicon"]["lemmas"]["financier"] = "supporter"
    taught = QuestionReader(parse_ontology(data), reader.nlp, read_bundle(SEEDS, ontology).entities)
    found = query(taught, "who does Iran bankroll?")
    assert (found.types, found.direction, found.subject) == (["SUPPORTS"], "out", "iran")
    # The same word read the other way round, by where the name stands.
    assert query(taught, "who bankrolls Iran?").direction == "in"


def test_the_vocabulary_is_compiled_from_the_phrasings(reader: QuestionReader) -> None:
    vocab: Vocabulary = reader.vocab
    assert {s.name for s in vocab.senses["provoke"]} == {"SEEKS_TO_PROVOKE"}
    assert {s.name for s in vocab.senses["enemy"]} == {"hostile", "OPPOSES"}
    assert "attack" in vocab.passive_lemmas and "locate" not in vocab.passive_lemmas  # "is located in" is a state


def test_question_vocabulary_is_validated_data() -> None:
    data = raw()
    data["questions"]["profile"].append("what do we know")
    data["questions"]["connection"].append("how is {x} connected")
    data["questions"]["status_words"]["dubious"] = "dubitable"
    data["questions"]["categories"]["hostile"]["types"].append("ALLIED_WITH")
    data["questions"]["lexicon"]["kinds"]["planet"] = ["planet"]
    data["questions"]["lexicon"]["attacks"]["raid"] = "RAIDED"
    with pytest.raises(OntologyError) as caught:
        parse_ontology(data)
    message = caught.value.message
    assert "questions.profile: phrasing 'what do we know' must hold {x}" in message
    assert "questions.connection: phrasing 'how is {x} connected' must hold {x} and {y}" in message
    assert "'dubious' names undefined status 'dubitable'" in message
    assert "questions.categories.hostile.types: 'ALLIED_WITH' is no hostile relation type" in message
    assert "questions.lexicon.kinds names undefined entity kind 'planet'" in message
    assert "questions.lexicon.attacks: 'raid' names undefined relation type 'RAIDED'" in message
