"""The behavioural contract every store honours, asserted on the seed graph by content.

Runs once per store kind (see ``STORE_KINDS`` in conftest); all kinds must agree.
"""

from typing import Any

import pytest

from graph.domain.dates import window
from graph.domain.errors import ClaimNotFound, EntityNotFound, InvalidParameter, SourceNotFound
from graph.domain.model import Alias, Batch, Claim, Entity
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.stores.protocol import ClaimQuery, GraphStore
from tests.conftest import SEEDS

TAJIK_ATTACK = "isk-attacked-tajikistan-2022-05-07"
TERMEZ_ATTACK = "isk-attacked-uzbekistan-2022-04-18"


def ids(claims: list[Any]) -> set[str]:
    return {c.id for c in claims}


def test_every_curated_claim_is_stored_with_its_provenance(seeded: GraphStore, seed_claims: list[dict[str, Any]],
                                                          seed_text: str) -> None:
    stored = {c.id: c for c in seeded.claims(ClaimQuery())}
    assert set(stored) == {c["id"] for c in seed_claims}
    for written in seed_claims:
        claim = stored[written["id"]]
        assert claim.quote == written["quote"] == seed_text[claim.span[0]:claim.span[1]]
        assert claim.source == "rferl-2022-05-isk-central-asia"
        assert claim.status == written["status"]


def test_who_isk_seeks_to_provoke(seeded: GraphStore) -> None:
    claims = seeded.claims(ClaimQuery(subject="isk", types=("SEEKS_TO_PROVOKE",)))
    assert {c.object for c in claims} == {"pakistan", "iran"}
    assert all(c.subject == "isk" and c.status == "assessed" and c.asserted_by == "andrew-mines" for c in claims)
    assert any("IS-K seeks to provoke Pakistan" in c.quote for c in claims)


def test_denials_point_at_what_they_deny_and_mark_it_disputed(seeded: GraphStore) -> None:
    denials = seeded.claims(ClaimQuery(types=("DENIED",)))
    assert {(c.subject, c.denies) for c in denials} == {
        ("tajikistan", TAJIK_ATTACK), ("uzbekistan", TERMEZ_ATTACK), ("taliban", TERMEZ_ATTACK)}
    tajik = seeded.get_claim(TAJIK_ATTACK)
    assert tajik.disputed and tajik.disputed_by == ["tajikistan-denied-rocket-attack"]
    assert seeded.get_claim(TERMEZ_ATTACK).disputed_by == ["taliban-denied-termez-attack",
                                                           "uzbekistan-denied-termez-attack"]
    assert ids(seeded.claims(ClaimQuery(disputed=True))) == {TAJIK_ATTACK, TERMEZ_ATTACK}
    undisputed = seeded.claims(ClaimQuery(disputed=False))
    assert TAJIK_ATTACK not in ids(undisputed) and all(not c.disputed for c in undisputed)


def test_symmetric_relations_read_from_either_end(seeded: GraphStore) -> None:
    allies = seeded.claims(ClaimQuery(subject="taliban", types=("ALLIED_WITH",)))
    assert ids(allies) == {"pakistan-allied-taliban", "taliban-allied-iran-per-isk"}
    assert ids(seeded.claims(ClaimQuery(subject="taliban", object="pakistan", types=("ALLIED_WITH",)))) == {
        "pakistan-allied-taliban"}
    # a directed type does not read backwards
    assert seeded.claims(ClaimQuery(subject="pakistan", object="isk", types=("OPPOSES",))) == []


def test_date_windows_respect_precision(seeded: GraphStore) -> None:
    may = seeded.claims(ClaimQuery(types=("ATTACKED",), window=window("2022-05-07", "2022-05-31")))
    assert ids(may) == {TAJIK_ATTACK}
    april = seeded.claims(ClaimQuery(types=("ATTACKED",), window=window("2022-04", "2022-04")))
    assert {(c.subject, c.object) for c in april} == {
        ("isk", "uzbekistan"), ("pakistan", "pakistani-refugees-afghanistan"),
        ("mashhad-shrine-attacker", "shia-muslims")}
    founding = seeded.claims(ClaimQuery(types=("RECRUITS_FROM",), window=window("2015-06", "2015-07")))
    assert {c.object for c in founding} == {"ttp", "uzbeks", "tajiks"}
    ended = seeded.claims(ClaimQuery(subject="taliban", types=("GOVERNS",), window=window(until="2001-10")))
    assert ids(ended) == {"taliban-governs-afghanistan-until-2001"}


def test_status_and_object_filters(seeded: GraphStore) -> None:
    claimed = seeded.claims(ClaimQuery(statuses=("claimed",)))
    assert {(c.subject, c.type, c.asserted_by) for c in claimed} == {
        ("isk", "ATTACKED", "isk"), ("isk", "OPERATES_IN", "isk"), ("taliban", "INVESTIGATES", "taliban")}
    recruiters = seeded.claims(ClaimQuery(object="ttp", types=("RECRUITS_FROM",)))
    assert {c.subject for c in recruiters} == {"isk"}


def test_location_and_asserter_filters(seeded: GraphStore, seed_claims: list[dict[str, Any]]) -> None:
    at_kunduz = seeded.claims(ClaimQuery(location="kunduz"))
    assert ids(at_kunduz) == {c["id"] for c in seed_claims if c.get("location") == "Kunduz"} == {
        "isk-attacked-shia-kunduz-2021-10", "al-uyghuri-attacked-shia-kunduz"}
    assert ids(seeded.claims(ClaimQuery(location="kunduz", subject="isk"))) == {"isk-attacked-shia-kunduz-2021-10"}
    by_valle = seeded.claims(ClaimQuery(asserted_by="riccardo-valle"))
    assert ids(by_valle) == {c["id"] for c in seed_claims if c["asserted_by"] in ("Riccardo Valle", "Reccardo Valle")}
    assert ids(seeded.claims(ClaimQuery(asserted_by="riccardo-valle", object="taliban"))) == {
        "isk-undermine-taliban-valle-propaganda"}


def test_min_confidence_drops_weaker_claims(empty_store: GraphStore, ontology: Ontology) -> None:
    load(SEEDS, empty_store, ontology)
    curated = empty_store.get_claim("isk-provoke-pakistan-mines")
    guess = Claim(**{**curated.model_dump(exclude={"disputed", "disputed_by"}),
                     "id": "machine-guess", "confidence": 0.4, "extracted_by": "test-extractor 0.1"})
    empty_store.upsert(Batch(claims=[guess]))
    query = ClaimQuery(subject="isk", types=("SEEKS_TO_PROVOKE",))
    assert "machine-guess" in ids(empty_store.claims(query))
    strong = empty_store.claims(ClaimQuery(subject="isk", types=("SEEKS_TO_PROVOKE",), min_confidence=0.5))
    assert "machine-guess" not in ids(strong) and strong


def test_neighbourhood_depth_one_is_every_direct_counterpart(seeded: GraphStore) -> None:
    graph = seeded.neighbourhood("isk")
    touching = [c for c in seeded.claims(ClaimQuery()) if "isk" in (c.subject, c.object)]
    expected = {c.object if c.subject == "isk" else c.subject for c in touching} | {"isk"}
    assert {n.id for n in graph.nodes} == expected
    assert {"pakistan", "iran", "taliban", "tajikistan", "uzbekistan", "ttp", "hazara", "takhar"} <= expected
    assert {n.id: n.depth for n in graph.nodes}["isk"] == 0
    assert ids(touching) <= {link.key for link in graph.links}
    for link in graph.links:
        assert {link.source, link.target} <= expected and link.claim.id == link.key


def test_neighbourhood_follows_types_and_direction(seeded: GraphStore) -> None:
    recruits = seeded.neighbourhood("isk", types=["RECRUITS_FROM"], direction="out")
    assert {n.id for n in recruits.nodes} == {"isk", "ttp", "uzbeks", "tajiks", "uyghurs", "central-asian-jihadists"}
    deniers = seeded.neighbourhood("isk", types=["DENIED"], direction="in")
    assert {n.id for n in deniers.nodes} == {"isk", "tajikistan", "uzbekistan", "taliban"}
    assert {n.id for n in seeded.neighbourhood("isk", types=["DENIED"], direction="out").nodes} == {"isk"}
    # symmetric claims are followed whatever the direction
    assert "pakistan" in {n.id for n in seeded.neighbourhood("taliban", types=["ALLIED_WITH"], direction="out").nodes}


def test_neighbourhood_depth_two_reaches_china_and_filters_by_status_and_date(seeded: GraphStore) -> None:
    two = seeded.neighbourhood("isk", depth=2)
    assert {n.id: n.depth for n in two.nodes}["china"] == 2
    assessed = seeded.neighbourhood("isk", statuses=["claimed"])
    assert {n.id for n in assessed.nodes} == {"isk", "tajikistan", "takhar", "taliban"}
    dated = seeded.neighbourhood("isk", window=window("2022-04", "2022-04-30"))
    assert {n.id for n in dated.nodes} == {"isk", "uzbekistan", "balkh"}


@pytest.mark.parametrize(("options", "parameter"), [({"depth": 4}, "depth"), ({"depth": 0}, "depth"),
                                                   ({"direction": "sideways"}, "direction")])
def test_neighbourhood_refuses_bad_options(seeded: GraphStore, options: dict[str, Any], parameter: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        seeded.neighbourhood("isk", **options)
    assert caught.value.parameter == parameter


def test_shortest_path_from_isk_to_china_with_the_claims_behind_each_hop(seeded: GraphStore) -> None:
    (path,) = seeded.paths("isk", "china")
    assert len(path) == 2 and path[0].from_ == "isk" and path[-1].to == "china"
    for hop in path:
        assert hop.claims
        assert all({c.subject, c.object} == {hop.from_, hop.to} for c in hop.claims)


def test_k_shortest_paths_are_ordered_and_stable(seeded: GraphStore) -> None:
    paths = seeded.paths("isk", "china", k=3)
    middles = [path[0].to for path in paths]
    assert middles == sorted(middles) and set(middles) == {"afghanistan", "taliban", "uyghurs"}
    assert paths == seeded.paths("isk", "china", k=3)
    longer = seeded.paths("isk", "china", k=6, max_hops=3)
    assert len(longer) == 6 and [len(p) for p in longer] == sorted(len(p) for p in longer)
    assert longer[:3] == paths


def test_directed_paths_follow_claims_from_subject_to_object(seeded: GraphStore) -> None:
    middles = {path[0].to for path in seeded.paths("isk", "china", k=5, max_hops=2, directed=True)}
    assert middles == {"taliban", "afghanistan"}  # China represses the Uyghurs: that edge points the other way
    taliban_hop = next(p for p in seeded.paths("isk", "china", k=5, max_hops=2, directed=True) if p[0].to == "taliban")
    assert all(c.subject == "isk" for c in taliban_hop[0].claims)
    assert {c.type for c in taliban_hop[1].claims} == {"SUPPORTS"}


def test_paths_honour_type_filters_and_hop_limits(seeded: GraphStore) -> None:
    (path,) = seeded.paths("isk", "china", types=["RECRUITS_FROM", "REPRESSES"])
    assert [hop.to for hop in path] == ["uyghurs", "china"]
    assert seeded.paths("isk", "china", max_hops=1) == []
    assert seeded.paths("isk", "china", types=["BORDERS"]) == []
    with pytest.raises(InvalidParameter):
        seeded.paths("isk", "isk")
    with pytest.raises(InvalidParameter):
        seeded.paths("isk", "china", max_hops=7)
    with pytest.raises(EntityNotFound):
        seeded.paths("isk", "atlantis")


def test_lookups_and_their_errors(seeded: GraphStore, seed_text: str) -> None:
    assert seeded.get_entity("isk").name == "IS-K"
    assert seeded.get_source("rferl-2022-05-isk-central-asia").text == seed_text
    assert [s.id for s in seeded.sources()] == ["rferl-2022-05-isk-central-asia"]
    with pytest.raises(EntityNotFound, match="did you mean: IS-K"):
        seeded.get_entity("iskk")
    with pytest.raises(ClaimNotFound):
        seeded.get_claim("nope")
    with pytest.raises(SourceNotFound):
        seeded.get_source("nope")


def test_entities_keep_their_parent_and_source_note(seeded: GraphStore) -> None:
    sahel = seeded.resolve("ISGS", "2021-06")  # its former name, at a date it held
    assert (sahel.id, sahel.parent, sahel.parent_relation) == ("islamic-state-sahel", "islamic-state", "AFFILIATE_OF")
    assert sahel.source and "FTO" in sahel.source
    assert Alias(name="ISGS", valid_until="2022-03", note="Islamic State in the Greater Sahara") in sahel.aliases
    listed = {e.id: e for e in seeded.list_entities(kind="armed_group", limit=1000)}
    assert (listed["ansar-dine"].parent, listed["ansar-dine"].parent_relation) == ("jnim", "MERGED_INTO")
    assert (listed["isk"].parent, listed["isk"].source) == ("islamic-state", None)
    assert seeded.get_entities(["adf"])["adf"].parent == "islamic-state-central-africa"
    assert seeded.name_index().get("m23").parent_relation == "MEMBER_OF"  # type: ignore[union-attr]
    assert seeded.get_entity("pakistan").parent is None and seeded.get_entity("pakistan").source is None
    hit = seeded.find_entities("Shebab", limit=1)[0]
    assert (hit.entity.id, hit.entity.parent, hit.entity.parent_relation) == ("al-shabaab", "al-qaeda", "AFFILIATE_OF")


def test_a_changed_parent_is_written_over_and_a_dropped_one_is_gone(empty_store: GraphStore) -> None:
    group = Entity(id="test-group", name="Test group", kind="armed_group")
    branch = Entity(id="test-branch", name="Test branch", kind="armed_group", parent="test-group",
                    parent_relation="AFFILIATE_OF", source="a designation list")
    empty_store.upsert(Batch(entities=[group, branch]))
    assert empty_store.get_entity("test-branch") == branch
    split = branch.model_copy(update={"parent_relation": "SPLINTER_OF", "source": "press reporting"})
    assert empty_store.upsert(Batch(entities=[split])).updated["entities"] == 1
    assert empty_store.get_entity("test-branch") == split
    alone = branch.model_copy(update={"parent": None, "parent_relation": None, "source": None})
    assert empty_store.upsert(Batch(entities=[alone])).updated["entities"] == 1
    assert empty_store.get_entity("test-branch") == alone
    assert empty_store.upsert(Batch(entities=[alone])).unchanged["entities"] == 1


def test_stats_count_what_the_files_hold(seeded: GraphStore, seed_claims: list[dict[str, Any]]) -> None:
    stats = seeded.stats()
    assert stats.claims == len(seed_claims) and stats.sources == 1
    assert stats.entities == len(seeded.entities())
    assert stats.disputed_claims == 2
    for relation_type in {c["type"] for c in seed_claims}:
        assert stats.claims_by_type[relation_type] == sum(1 for c in seed_claims if c["type"] == relation_type)
    assert sum(stats.claims_by_status.values()) == stats.claims
    assert stats.entities_by_kind["state"] == sum(1 for e in seeded.entities() if e.kind == "state") >= 8


def read_in_pages(store: GraphStore, query: ClaimQuery, size: int) -> tuple[list[Any], set[int]]:
    """Every page of a query, in order, and the totals the pages gave."""
    claims: list[Any] = []
    totals = set()
    while True:
        page = store.claim_page(query, limit=size, offset=len(claims))
        totals.add(page.total)
        if not page.claims:
            return claims, totals
        assert len(page.claims) <= size
        claims.extend(page.claims)


def test_claim_pages_come_in_id_order_with_the_total(seeded: GraphStore) -> None:
    every = seeded.claims(ClaimQuery())
    assert len(every) == seeded.count_claims() > 40
    for size in (1, 7, 50):
        claims, totals = read_in_pages(seeded, ClaimQuery(), size)
        assert [c.id for c in claims] == sorted(c.id for c in every) and claims == every
        assert totals == {len(every)}
    middle = seeded.claim_page(ClaimQuery(), limit=5, offset=10)
    assert [c.id for c in middle.claims] == [c.id for c in every[10:15]] and middle.total == len(every)
    past = seeded.claim_page(ClaimQuery(), limit=5, offset=len(every) + 3)
    assert past.claims == [] and past.total == len(every)
    assert seeded.claim_page(ClaimQuery(), limit=0).claims == []
    with pytest.raises(InvalidParameter, match="limit"):
        seeded.claim_page(ClaimQuery(), limit=-1)
    with pytest.raises(InvalidParameter, match="offset"):
        seeded.claim_page(ClaimQuery(), limit=5, offset=-1)


@pytest.mark.parametrize("query", [
    ClaimQuery(subject="isk"), ClaimQuery(object="isk"), ClaimQuery(subject="isk", object="pakistan"),
    ClaimQuery(subject="taliban", object="pakistan", types=("ALLIED_WITH",)),
    ClaimQuery(subject="isk", types=("SEEKS_TO_PROVOKE", "ATTACKED"), statuses=("claimed", "assessed")),
    ClaimQuery(window=window("2022-04", "2022-05")), ClaimQuery(min_confidence=0.9, subject="isk"),
    ClaimQuery(asserted_by="andrew-mines"), ClaimQuery(location="termez"), ClaimQuery(types=("DENIED",)),
    ClaimQuery(source="rferl-2022-05-isk-central-asia", subject="isk"), ClaimQuery(subject="no-such-entity"),
], ids=lambda q: ",".join(f"{k}={v}" for k, v in q.__dict__.items() if v not in (None, 0.0) and k != "window")
    or "window")
def test_filters_apply_before_paging(seeded: GraphStore, query: ClaimQuery) -> None:
    matching = seeded.claims(query)
    claims, totals = read_in_pages(seeded, query, 3)
    assert claims == matching and totals == {len(matching)}
    first = seeded.claim_page(query, limit=3)
    assert first.claims == matching[:3] and first.total == len(matching)


def test_disputed_flags_are_right_on_a_page(seeded: GraphStore) -> None:
    for query in (ClaimQuery(), ClaimQuery(subject="isk"), ClaimQuery(object="tajikistan")):
        claims, _ = read_in_pages(seeded, query, 4)
        assert {c.id for c in claims if c.disputed} >= ({TAJIK_ATTACK, TERMEZ_ATTACK} & {c.id for c in claims})
        stored = seeded.get_claims([c.id for c in claims])
        assert [(c.disputed, c.disputed_by) for c in claims] == [
            (stored[c.id].disputed, stored[c.id].disputed_by) for c in claims]
    disputed = seeded.claim_page(ClaimQuery(disputed=True), limit=1, offset=1)
    assert disputed.total == 2 and [c.id for c in disputed.claims] == [TERMEZ_ATTACK]
    assert disputed.claims[0].disputed_by == ["taliban-denied-termez-attack", "uzbekistan-denied-termez-attack"]
    undisputed, totals = read_in_pages(seeded, ClaimQuery(disputed=False, subject="isk"), 5)
    assert undisputed == seeded.claims(ClaimQuery(disputed=False, subject="isk"))
    assert totals == {len(undisputed)} and not any(c.disputed for c in undisputed)
    assert {TAJIK_ATTACK, TERMEZ_ATTACK}.isdisjoint(c.id for c in undisputed)
    everything = seeded.claim_page(ClaimQuery(), limit=1000)
    assert seeded.claim_page(ClaimQuery(disputed=False), limit=1000).total == everything.total - 2


def test_claim_pairs_are_the_adjacency_of_the_claims(seeded: GraphStore) -> None:
    pairs = seeded.claim_pairs()
    expected: dict[tuple[str, str], int] = {}
    for claim in seeded.claims(ClaimQuery()):
        expected[(claim.subject, claim.object)] = expected.get((claim.subject, claim.object), 0) + 1
    assert {(a, b): n for a, b, n in pairs} == expected and len(pairs) == len(expected)
    assert sum(n for _, _, n in pairs) == seeded.count_claims()


def test_a_reports_candidates_are_kept_and_replaced(empty_store: GraphStore, ontology: Ontology,
                                                    seed_text: str) -> None:
    load(SEEDS, empty_store, ontology)
    report = "rferl-2022-05-isk-central-asia"
    assert empty_store.candidates_of(report) is None
    revision = empty_store.revision()
    names = [{"name": "Zarnigor Brigade", "reason": "not in the registry", "sentences": ["…"], "spans": [[0, 1]]}]
    empty_store.keep_candidates({report: names, "r-other": []})
    assert empty_store.candidates_of(report) == names and empty_store.candidates_of("r-other") == []
    empty_store.keep_candidates({report: names[:0]})
    assert empty_store.candidates_of(report) == []
    assert empty_store.revision() == revision  # kept beside the graph, not a change of it
    assert empty_store.get_source(report).text == seed_text


def test_paths_honour_status_filters(seeded: GraphStore) -> None:
    """Only claims of the statuses asked for make a hop, and each hop lists only those claims."""
    assessed = seeded.paths("isk", "china", k=5, statuses=["assessed"])
    assert [[hop.from_ for hop in path] + [path[-1].to] for path in assessed] == [["isk", "afghanistan", "china"]]
    assert {claim.status for path in assessed for hop in path for claim in hop.claims} == {"assessed"}
    assert seeded.paths("isk", "china", k=5, statuses=["reported", "claimed"]) == []
    assert len(seeded.paths("isk", "china", k=5, statuses=None)) == 5
