"""Questions about incidents at places the seed report does not name, on each store: the seeds with the
development set incident-own1's gold incidents loaded over them (Kabul the city, where the registry's "Kabul" names
a government; the Peshawar police lines; the Kabul airport bombing told by three outlets)."""

from __future__ import annotations

from graph.domain.ontology import Ontology
from graph.language.ask import Answer, QuestionReader, ask
from graph.services.loader import load
from graph.stores.protocol import GraphStore
from tests.conftest import EVALUATION, SEEDS


def incident_ids(answer: Answer) -> list[str]:
    return [i.id for i in answer.incidents]


def test_places_only_the_gazetteer_knows_and_described_targets(empty_store: GraphStore, ontology: Ontology,
                                                               reader: QuestionReader) -> None:
    load(SEEDS, empty_store, ontology)
    load(EVALUATION / "incident-own1", empty_store, ontology)  # its gold incidents, curated: Kabul, Peshawar…
    own1 = empty_store
    kabul = ask(own1, reader, "what happened in Kabul in 2022?")
    assert incident_ids(kabul) == ["kabul-wazir-akbar-khan-2022-09-23"]
    assert kabul.reading is not None and any("'Kabul' read as the place Kabul" in n for n in kabul.reading.notes)
    assert not any(m.id == "taliban" for m in kabul.reading.mentions)
    airport = ask(own1, reader, "how many were killed in the Kabul airport attack?")
    assert incident_ids(airport) == ["kabul-airport-2021-08-26"]
    assert airport.casualties is not None and airport.casualties.min == 170
    assert len({r.source for r in airport.incidents[0].reports}) == 3
    police = ask(own1, reader, "attacks on police in 2023")
    assert incident_ids(police) == ["peshawar-police-lines-2023-01-30"]
    assert {(c["field"], c.get("id")) for c in police.incidents[0].contradictions} == {("perpetrator", "ttp")}
    who = ask(own1, reader, "who carried out the attack on the Kabul airport?")
    assert [a.id for a in who.answers] == ["isk"] and incident_ids(who) == ["kabul-airport-2021-08-26"]
