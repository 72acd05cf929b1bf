"""The aggregates a store computes where its claims are (timelines, relation groups, an entity's counts by type),
asserted by content on every store kind: against counts made here from the seed file and from the claims in hand,
and on edge cases written for the purpose (undated and coarsely dated claims, filters, nothing matching, pages
of groups past the end)."""

from collections import Counter
from typing import Any

import pytest

from graph.domain.dates import window
from graph.domain.errors import InvalidParameter
from graph.domain.model import Batch, Claim, ClaimView
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.stores.base import relation_key, timeline_of
from graph.stores.protocol import ClaimGroups, ClaimQuery, ClaimTypeCounts, GraphStore, TimelineCounts
from tests.conftest import SEEDS

WIDTH = {"year": 4, "month": 7, "day": 10}


def groups_of(claims: list[ClaimView]) -> list[list[str]]:
    """Relations as ``group_claims`` makes them from claims in hand: ids per group, by first claim id."""
    grouped: dict[tuple[str, ...], list[str]] = {}
    for claim in sorted(claims, key=lambda c: c.id):
        grouped.setdefault(relation_key(claim), []).append(claim.id)
    return list(grouped.values())


def every_group(store: GraphStore, query: ClaimQuery, size: int) -> tuple[list[list[str]], set[int]]:
    """Every page of relations, in order, and the totals the pages gave."""
    found: list[list[str]] = []
    totals = set()
    while True:
        page = store.claim_groups(query, limit=size, offset=len(found))
        totals.add(page.total)
        if not page.groups:
            return found, totals
        assert len(page.groups) <= size
        found.extend(page.groups)


QUERIES = [
    ClaimQuery(),
    ClaimQuery(types=("ATTACKED",)),
    ClaimQuery(statuses=("claimed", "reported")),
    ClaimQuery(window=window("2022-04", "2022-05")),
    ClaimQuery(disputed=True),
    ClaimQuery(disputed=False, types=("ATTACKED", "DENIED")),
    ClaimQuery(subject="isk"),
    ClaimQuery(object="pakistan", types=("SEEKS_TO_PROVOKE", "OPPOSES")),
    ClaimQuery(location="kunduz"),
    ClaimQuery(source="rferl-2022-05-isk-central-asia", types=("ATTACKED",)),
    ClaimQuery(types=("NO_SUCH_TYPE",)),
]


@pytest.mark.parametrize("interval", ["year", "month", "day"])
def test_a_timeline_counts_per_period_as_the_seed_file_dates_its_claims(
        seeded: GraphStore, seed_claims: list[dict[str, Any]], interval: str) -> None:
    width = WIDTH[interval]
    expected: dict[str, Counter[str]] = {}
    imprecise = undated = 0
    for claim in seed_claims:
        date = str(claim.get("date") or "")
        if not date:
            undated += 1
        elif len(date) < width:
            imprecise += 1
        else:
            expected.setdefault(date[:width], Counter())[claim["type"]] += 1
    found = seeded.claim_timeline(ClaimQuery(), interval)
    assert found == TimelineCounts(interval, {p: dict(sorted(c.items())) for p, c in sorted(expected.items())},
                                   imprecise, undated)
    assert list(found.buckets) == sorted(found.buckets) and found.undated > 0
    if interval != "year":
        assert found.imprecise > 0  # the seed file dates some claims to the year only


@pytest.mark.parametrize("query", QUERIES, ids=repr)
def test_a_timeline_is_the_count_of_the_matching_claims(seeded: GraphStore, query: ClaimQuery) -> None:
    matching = seeded.claims(query)
    for interval in ("year", "month", "day"):
        found = seeded.claim_timeline(query, interval)
        assert found == timeline_of(matching, interval)
        assert sum(sum(t.values()) for t in found.buckets.values()) + found.imprecise + found.undated == \
            len(matching)


@pytest.mark.parametrize("actor", ["isk", "pakistan", "taliban", "shia-muslims", "no-such-entity"])
def test_an_actors_timeline_counts_its_claims_at_either_end(seeded: GraphStore, actor: str) -> None:
    for query in (ClaimQuery(), ClaimQuery(types=("ATTACKED", "ALLIED_WITH", "DENIED")),
                  ClaimQuery(window=window(since="2022")), ClaimQuery(disputed=True)):
        touching = [c for c in seeded.claims(query) if actor in (c.subject, c.object)]
        found = seeded.claim_timeline(query, "month", actor=actor)
        assert found == timeline_of(touching, "month")
    if actor == "no-such-entity":
        assert seeded.claim_timeline(ClaimQuery(), "year", actor=actor) == TimelineCounts("year", {}, 0, 0)
    else:
        assert seeded.claim_timeline(ClaimQuery(), "year", actor=actor).buckets


def test_a_timeline_refuses_an_unknown_interval(seeded: GraphStore) -> None:
    with pytest.raises(InvalidParameter, match=r"interval='week'.*accepted: year, month, day"):
        seeded.claim_timeline(ClaimQuery(), "week")


@pytest.mark.parametrize("query", QUERIES, ids=repr)
def test_relations_are_grouped_and_paged_by_the_store(seeded: GraphStore, query: ClaimQuery) -> None:
    expected = groups_of(seeded.claims(query))
    for size in (1, 3, 50):
        found, totals = every_group(seeded, query, size)
        assert found == expected and totals == {len(expected)}
    past = seeded.claim_groups(query, limit=5, offset=len(expected) + 3)
    assert past == ClaimGroups([], len(expected))
    assert seeded.claim_groups(query, limit=0) == ClaimGroups([], len(expected))


def test_the_seed_files_repeated_relations_are_one_group(seeded: GraphStore) -> None:
    groups = every_group(seeded, ClaimQuery(), 500)[0]
    merged = [g for g in groups if len(g) > 1]
    assert merged  # the seed report tells some relations more than once
    claims = seeded.get_claims(i for g in merged for i in g)
    for group in merged:
        assert len({relation_key(claims[i]) for i in group}) == 1 and group == sorted(group)


def test_an_entitys_claims_are_counted_by_type_and_direction(seeded: GraphStore,
                                                             seed_claims: list[dict[str, Any]]) -> None:
    every = seeded.claims(ClaimQuery())
    for entity in sorted({end for c in every for end in (c.subject, c.object)}):
        out = Counter(c.type for c in every if c.subject == entity)
        into = Counter(c.type for c in every if c.object == entity)
        total = sum(1 for c in every if entity in (c.subject, c.object))
        assert seeded.claim_type_counts(entity) == ClaimTypeCounts(dict(sorted(out.items())),
                                                                   dict(sorted(into.items())), total)
    isk = seeded.claim_type_counts("isk")
    assert isk.outgoing["SEEKS_TO_PROVOKE"] == sum(
        1 for c in seed_claims if c["subject"] in ("IS-K", "ISKP", "isk") and c["type"] == "SEEKS_TO_PROVOKE") >= 2
    assert seeded.claim_type_counts("no-such-entity") == ClaimTypeCounts({}, {}, 0)


def test_aggregates_on_edge_cases(empty_store: GraphStore, ontology: Ontology) -> None:
    assert empty_store.claim_timeline(ClaimQuery(), "month") == TimelineCounts("month", {}, 0, 0)
    assert empty_store.claim_groups(ClaimQuery(), limit=10) == ClaimGroups([], 0)
    assert empty_store.claim_type_counts("isk") == ClaimTypeCounts({}, {}, 0)
    load(SEEDS, empty_store, ontology)
    base = empty_store.get_claim("isk-provoke-pakistan-mines").model_dump(exclude={"disputed", "disputed_by"})

    def variant(claim_id: str, **changes: Any) -> Claim:
        return Claim(**{**base, "id": claim_id, "type": "OPPOSES", "subject": "isk", "object": "hazara",
                        "status": "reported", "date": None, "end_date": None, "incident": None, **changes})

    added = [
        variant("zz-undated-1"), variant("zz-undated-2"),
        variant("zz-year", date="2031"), variant("zz-month", date="2031-02"),
        variant("zz-day-1", date="2031-02-03", incident="zz-incident"),
        variant("zz-day-2", date="2031-02-04", incident="zz-incident"),
        variant("zz-ranged", date="2031-02", end_date="2031-05"),
        variant("zz-self", object="isk", date="2031-03-01"),
    ]
    empty_store.upsert(Batch(claims=added))
    query = ClaimQuery(subject="isk", types=("OPPOSES",), window=window("2031"))
    assert empty_store.claim_timeline(query, "month") == TimelineCounts(
        "month", {"2031-02": {"OPPOSES": 4}, "2031-03": {"OPPOSES": 1}}, imprecise=1, undated=0)
    assert empty_store.claim_timeline(query, "day") == TimelineCounts(
        "day", {"2031-02-03": {"OPPOSES": 1}, "2031-02-04": {"OPPOSES": 1}, "2031-03-01": {"OPPOSES": 1}},
        imprecise=3, undated=0)
    hazara = ClaimQuery(object="hazara", types=("OPPOSES",))
    timeline = empty_store.claim_timeline(hazara, "year")
    assert timeline.undated >= 2 and timeline.buckets["2031"] == {"OPPOSES": 5}
    assert empty_store.claim_timeline(ClaimQuery(types=("OPPOSES",), statuses=("denied",)), "year") == \
        TimelineCounts("year", {}, 0, 0)
    # one relation per incident, else per dates; undated claims of one subject, type and object are one
    groups = every_group(empty_store, ClaimQuery(subject="isk", object="hazara", types=("OPPOSES",)), 2)[0]
    added_groups = [g for g in groups if g[0].startswith("zz-")]
    assert added_groups == [["zz-day-1", "zz-day-2"], ["zz-month"], ["zz-ranged"], ["zz-undated-1", "zz-undated-2"],
                            ["zz-year"]]
    counts = empty_store.claim_type_counts("isk")
    every = empty_store.claims(ClaimQuery(subject="isk")) + empty_store.claims(ClaimQuery(object="isk"))
    distinct = {c.id: c for c in every}
    assert counts.total == sum(1 for c in distinct.values() if "isk" in (c.subject, c.object))
    assert counts.outgoing["OPPOSES"] == sum(1 for c in distinct.values()
                                             if c.subject == "isk" and c.type == "OPPOSES")
    assert counts.incoming["OPPOSES"] >= 1  # the claim from IS-K to itself counts each way, and once in the total
