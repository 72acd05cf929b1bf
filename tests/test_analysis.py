"""Corroboration grouping, centrality and timelines, on the seed graph and small variations of it."""

from __future__ import annotations

from graph.domain.model import ClaimView, Source
from graph.services.analysis import centrality, group_claims, timeline
from graph.stores.protocol import ClaimQuery, GraphStore

TAJIK_ATTACK = "isk-attacked-tajikistan-2022-05-07"


def sources_of(store: GraphStore) -> dict[str, Source]:
    return {s.id: s for s in store.sources()}


def test_two_outlets_reporting_one_incident_read_as_one_relation_with_two_sources(seeded: GraphStore) -> None:
    attack = seeded.get_claim(TAJIK_ATTACK)
    report = seeded.get_source(attack.source)
    other = Source(**{**report.model_dump(), "id": "other-outlet", "outlet": "Other Outlet"})
    retold = ClaimView(**{**attack.model_dump(), "id": "other-outlet-tajik-attack", "source": other.id,
                          "status": "reported", "asserted_by": "rferl"})
    grouped = group_claims([attack, retold], {report.id: report, other.id: other})
    assert len(grouped) == 1
    relation = grouped[0]
    assert (relation.subject, relation.type, relation.object) == ("isk", "ATTACKED", "tajikistan")
    assert relation.incident == "tajikistan-rockets-2022-05-07" and relation.source_count == 2
    assert {s.outlet for s in relation.sources} == {"RFE/RL (Gandhara)", "Other Outlet"}
    assert relation.statuses == ["claimed", "reported"] and relation.disputed


def test_grouping_keeps_relations_with_different_dates_apart(seeded: GraphStore) -> None:
    governs = seeded.claims(ClaimQuery(subject="taliban", types=("GOVERNS",)))
    grouped = group_claims(governs, sources_of(seeded))
    assert sorted(g.end_date or "" for g in grouped) == ["", "2001"]
    provoke = group_claims(seeded.claims(ClaimQuery(subject="isk", object="pakistan", types=("SEEKS_TO_PROVOKE",))),
                           sources_of(seeded))
    assert len(provoke) == 1 and len(provoke[0].claims) > 1
    assert provoke[0].source_count == 1  # several sentences of one report are one source


def test_isk_is_the_most_connected_actor(seeded: GraphStore) -> None:
    ranked = centrality(seeded.entities(), seeded.claims(ClaimQuery()), top=3)
    assert ranked[0].id == "isk"
    assert ranked[0].degree >= ranked[1].degree >= ranked[2].degree
    assert 0 < ranked[0].betweenness <= 1
    isk_claims = {c.id for c in seeded.claims(ClaimQuery(subject="isk"))} | {
        c.id for c in seeded.claims(ClaimQuery(object="isk"))}
    assert ranked[0].claims == len(isk_claims)
    states = centrality(seeded.entities(), seeded.claims(ClaimQuery()), kinds=["state"])
    assert states and all(c.kind == "state" for c in states)


def test_timeline_counts_by_period_and_keeps_coarse_dates_apart(seeded: GraphStore) -> None:
    attacks = seeded.claims(ClaimQuery(types=("ATTACKED",)))
    months = timeline(attacks, "month")
    may = next(b for b in months.buckets if b.period == "2022-05")
    assert may.by_type == {"ATTACKED": may.count} and may.count >= 1
    assert sum(b.count for b in months.buckets) + months.imprecise + months.undated == len(attacks)
    years = timeline(attacks, "year")
    assert years.imprecise == 0
    assert sum(b.count for b in years.buckets) == sum(1 for c in attacks if c.date)
    year_only = ClaimView(**{**attacks[0].model_dump(), "id": "x", "date": "2021"})
    assert timeline([year_only], "month").imprecise == 1
    assert timeline([year_only], "year").buckets[0].period == "2021"
