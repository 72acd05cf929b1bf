"""What bounds an empty or thin answer: the store's coverage aggregate on both stores, and the answer's
``coverage`` in the JSON, the CLI and the API, alike."""

from __future__ import annotations

from collections import Counter

import pytest

from graph.domain.ontology import Ontology
from graph.language.ask import AskQuery, QuestionReader, ask, run
from graph.stores.protocol import ClaimQuery, GraphStore


def expected_coverage(store: GraphStore, entity_id: str) -> tuple[int, int, str | None, str | None, list[str]]:
    """The coverage worked out from the entity's claims themselves (a test may read them; the store must not)."""
    claims = {c.id: c for side in ("subject", "object")
              for c in store.claims(ClaimQuery(**{side: entity_id}))}.values()  # type: ignore[arg-type]
    by_source = Counter(c.source for c in claims)
    firsts = [c.date for c in claims if c.date]
    lasts = [c.end_date or c.date for c in claims if c.date or c.end_date]
    ranked = [s for s, _ in sorted(by_source.items(), key=lambda item: (-item[1], item[0]))]
    return (len(claims), len(by_source), min(firsts, default=None), max(lasts, default=None),  # type: ignore[type-var]
            ranked[:5])


@pytest.mark.parametrize("entity_id", ["isk", "tajikistan", "pakistan", "hazara"])
def test_the_store_counts_an_entitys_claims_reports_and_dates(seeded: GraphStore, entity_id: str) -> None:
    found = seeded.coverage([entity_id])[entity_id]
    claims, reports, first, last, top = expected_coverage(seeded, entity_id)
    assert claims > 0
    assert (found.claims, found.reports, found.first, found.last) == (claims, reports, first, last)
    assert [s for s, _ in found.top] == top
    assert sum(n for _, n in found.top) <= found.claims


def test_an_entity_without_claims_or_unknown_counts_zero(seeded: GraphStore) -> None:
    found = seeded.coverage(["no-such-entity"])["no-such-entity"]
    assert (found.claims, found.reports, found.first, found.last, found.top) == (0, 0, None, None, ())


def test_tajikistan_in_2021_is_empty_and_says_the_graph_starts_after_it(seeded: GraphStore,
                                                                         reader: QuestionReader) -> None:
    answer = ask(seeded, reader, "who attacked Tajikistan in 2021?")
    assert answer.claims == [] and answer.coverage is not None
    (tajikistan,) = answer.coverage.entities
    claims, reports, first, last, _ = expected_coverage(seeded, "tajikistan")
    assert (tajikistan.id, tajikistan.claims, tajikistan.reports, tajikistan.first, tajikistan.last) == \
        ("tajikistan", claims, reports, first, last)
    note = answer.coverage.note
    assert f"no claim about Tajikistan before {first}, and the question asks up to 2021" in note
    assert "absence in the graph is not absence in the world" in note.lower()


def test_a_window_after_the_last_claim_says_so(seeded: GraphStore, ontology: Ontology) -> None:
    _, _, _, last, _ = expected_coverage(seeded, "pakistan")
    answer = run(seeded, ontology, AskQuery(shape="relation", types=["ATTACKED"], direction="in", object="pakistan",
                                            since="2030"))
    assert answer.coverage is not None
    assert f"no claim about Pakistan after {last}, and the question asks from 2030" in answer.coverage.note


def test_a_no_names_both_entities_and_a_well_supported_answer_has_no_coverage(seeded: GraphStore,
                                                                             reader: QuestionReader) -> None:
    no = ask(seeded, reader, "is IS-K allied with the Taliban?")
    assert no.verdict == "no" and no.coverage is not None
    assert [e.id for e in no.coverage.entities] == ["isk", "taliban"]
    assert all(e.claims > 2 for e in no.coverage.entities)
    enemies = ask(seeded, reader, "who are IS-K's enemies?")
    assert len(enemies.claims) > 2 and enemies.coverage is None
