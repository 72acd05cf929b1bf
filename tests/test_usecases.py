"""The use cases the CLI and the API share: names resolved once a request, filters parsed once, on both stores."""

from __future__ import annotations

import pytest

from app.usecases import reads
from app.usecases.filters import claim_filters, relation_types, split
from app.usecases.names import Names
from graph.domain.errors import AmbiguousName, EmptyGraph, EntityNotFound, InvalidParameter, SourceNotFound
from graph.domain.ontology import Ontology
from graph.stores.protocol import GraphStore


def test_a_name_is_resolved_once_by_id_first_then_by_alias(seeded: GraphStore) -> None:
    names = Names(seeded)
    isk = names.entity("IS-K")
    assert isk.id == "isk" and names.entity("IS-K") is isk and names.entity("isk").id == "isk"
    assert names.id_of(None) is None and names.id_of("Dushanbe") == "tajikistan"
    assert names.display("pakistan") == "Pakistan" and names.display("no-such-id") == "no-such-id"
    assert [e.id for e in names.entities(["pakistan", "nobody", "isk"])] == ["pakistan", "isk"]


def test_an_unknown_name_carries_its_suggestions(seeded: GraphStore) -> None:
    with pytest.raises(EntityNotFound) as error:
        Names(seeded).entity("Pakistn")
    assert error.value.details["name"] == "Pakistn"
    assert "pakistan" in {s["id"] for s in error.value.suggestions} and "did you mean" in error.value.message


def test_an_empty_graph_says_so_where_the_interface_asks(empty_store: GraphStore) -> None:
    with pytest.raises(EntityNotFound):
        Names(empty_store).entity("IS-K")
    with pytest.raises(EmptyGraph, match="nothing yet"):
        Names(empty_store, when_empty=lambda: EmptyGraph("the graph holds nothing yet")).entity("IS-K")


def test_filters_parse_once_with_each_interfaces_rule_for_blanks(ontology: Ontology) -> None:
    assert relation_types(ontology, ["hostile"]) == tuple(ontology.expand_types(["hostile"]) or [])
    assert relation_types(ontology, ["ALLIED_WITH, borders"]) == ("ALLIED_WITH", "BORDERS")
    assert split("status", ["claimed,,reported"], [], blank="skip") == ["claimed", "reported"]
    with pytest.raises(InvalidParameter, match="empty value"):
        split("status", ["claimed,,reported"], ["claimed"])
    with pytest.raises(InvalidParameter) as error:
        relation_types(ontology, ["friendly"], "type")
    assert error.value.parameter == "type" and "neither a relation type nor a category" in error.value.message
    parsed = claim_filters(ontology, ["ATTACKED"], ["claimed"], "2022", "2022-06", 0.5)
    assert (parsed.types, parsed.statuses, str(parsed.window), parsed.min_confidence) == (
        ("ATTACKED",), ("claimed",), "2022 to 2022-06", 0.5)
    with pytest.raises(InvalidParameter, match="until"):
        claim_filters(ontology, since="2023", until="2022-06")


def test_a_listing_resolves_its_names_and_asks_the_store_for_a_page(seeded: GraphStore, ontology: Ontology) -> None:
    names = Names(seeded)
    query = reads.claim_query(seeded, ontology, names, reads.ClaimsAsked(subject="IS-K", types=["hostile"]))
    assert query.subject == "isk" and query.types == tuple(ontology.expand_types(["hostile"]) or [])
    page = reads.claims_page(seeded, query, limit=2, offset=1)
    every = seeded.claims(query)
    assert page.claims == every[1:3] and page.total == len(every)
    pages = list(reads.claim_pages(seeded, query, page_size=3))
    assert [c for page in pages for c in page] == every and len(every) > 3
    assert [len(page) for page in pages] == [3] * (len(every) // 3) + ([len(every) % 3] if len(every) % 3 else [])
    with pytest.raises(SourceNotFound):
        reads.claim_query(seeded, ontology, names, reads.ClaimsAsked(source="no-such-report", subject="nobody"))
    with pytest.raises(AmbiguousName):
        Names(seeded).entity("Kabul")


def test_paths_draw_from_the_index_without_reading_reports(seeded: GraphStore, ontology: Ontology) -> None:
    names = Names(seeded)
    found = reads.paths(seeded, ontology, names, "IS-K", "China", max_hops=4, k=3)
    assert (found.start.id, found.end.id) == ("isk", "china") and found.paths
    part = reads.drawing(names, found.nodes(), found.claims())
    assert [e.id for e in part.entities] == found.nodes() and part.sources == {}
    assert [c.id for c in part.claims] == sorted({c.id for hops in found.paths for h in hops for c in h.claims})
