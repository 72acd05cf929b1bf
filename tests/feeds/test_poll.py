"""Polling RSS and Atom feeds from outlets on 127.0.0.1: items become reports with their claims, an unchanged
feed costs one request answering 304, a feed that changes brings only what is new, nothing is read twice, and a
page that fails is kept with its reason and tried again later while the poll goes on."""

from __future__ import annotations

from graph.domain.ontology import Ontology
from graph.services.feeds import feed_items, get_feed, list_feeds
from graph.services.feedstate import parse_stamp
from graph.stores.protocol import ClaimQuery
from tests.feeds.conftest import World
from tests.feeds.site import ATOM, RSS, Page, article, atom, http_date, rss
from tests.feeds.stories import OTHER, WIRE

FRIDAY = "Fri, 08 Mar 2024 10:00:00 GMT"


def two_feeds(world: World) -> tuple[int, int]:
    """An RSS feed (validated by ETag) of two stories and an Atom feed (validated by Last-Modified) of one."""
    site = world.site
    site.put("/dawn/1", Page(article("Bombing in Peshawar", WIRE, site="Dawn")))
    site.put("/dawn/2", Page(article("Rockets fired at Tajik border post", OTHER[0], site="Dawn", date="2024-03-05")))
    site.put("/rfe/1", Page(article("Mosque attacked in Kabul", OTHER[2], site="RFE/RL", date="2024-03-07")))
    site.put("/dawn/rss", Page(rss("Dawn - World", [
        ("Bombing in Peshawar", site.url("/dawn/1?utm_source=rss&utm_medium=feed"), FRIDAY),
        ("Rockets fired", site.url("/dawn/2"), "Tue, 05 Mar 2024 10:00:00 GMT")]), RSS, etag='"dawn-1"'))
    site.put("/rfe/atom", Page(atom("RFE/RL", [("Mosque attacked", site.url("/rfe/1"), "2024-03-07T18:00:00Z")]),
                               ATOM, last_modified=http_date(1_709_830_000)))
    return world.follow("/dawn/rss", "Dawn").id, world.follow("/rfe/atom").id


def test_rss_and_atom_items_become_reports_with_their_claims(world: World) -> None:
    dawn, rfe = two_feeds(world)
    report = world.poll()

    assert {f.feed: (f.status, f.new) for f in report.feeds} == {dawn: ("read", 2), rfe: ("read", 1)}
    assert (report.read, report.copies, report.duplicates, report.failed) == (3, 0, 0, [])
    items = {i["url"]: i for i in feed_items(world.state)}
    # the tracking parameters are gone from the URL the item is known by, fetched at and cited with
    bombing = items[world.site.url("/dawn/1")]
    assert bombing["state"] == "ingested" and bombing["claims"] >= 5
    assert world.site.answered("/dawn/1") == 1
    assert "utm_source" not in world.site.requests("/dawn/1")[0].path
    source = world.store.get_source(bombing["source"])
    assert (source.outlet, source.url, source.title, source.published) == (
        "Dawn", world.site.url("/dawn/1"), "Bombing in Peshawar", "2024-03-08")
    assert source.text.startswith("Bombing in Peshawar") and WIRE[2] in source.text
    assert "Copyright" not in source.text and "Sport" not in source.text  # the page's furniture is not the report
    claims = {(c.subject, c.type, c.object): c for c in world.store.claims(ClaimQuery(source=source.id))}
    attack = claims[("isk", "ATTACKED", "peshawar")]
    assert attack.quote == WIRE[1] and source.text[attack.span[0]:attack.span[1]] == WIRE[1]
    assert (attack.status, attack.asserted_by, attack.date) == ("claimed", "isk", "2024-03-08")
    # an outlet named by the page only (the Atom feed was followed without --outlet)
    mosque = world.store.get_source(items[world.site.url("/rfe/1")]["source"])
    assert mosque.outlet == "RFE/RL" and mosque.outlet_id == "rferl"
    assert {(c.subject, c.type, c.object) for c in world.store.claims(ClaimQuery(source=mosque.id))} >= {
        ("isk", "ATTACKED", "shia-muslims")}
    listed = {f.id: f for f in list_feeds(world.state)}
    assert listed[dawn].status == "ok" and listed[dawn].items == {"ingested": 2}
    assert listed[rfe].title == "RFE/RL" and listed[rfe].entries == 1
    # every request said who we are
    assert {h.headers["user-agent"] for h in world.site.requests()} == {world.settings.feeds_user_agent}


def test_an_unchanged_feed_costs_one_request_answered_304(world: World) -> None:
    two_feeds(world)
    world.poll()
    before = len(world.site.requests())
    world.restart()
    second = world.poll()

    after = world.site.requests()[before:]
    assert sorted((h.path, h.status) for h in after) == [("/dawn/rss", 304), ("/rfe/atom", 304)]
    assert after[[h.path for h in after].index("/dawn/rss")].headers["if-none-match"] == '"dawn-1"'
    assert "if-modified-since" in after[[h.path for h in after].index("/rfe/atom")].headers
    assert [f.status for f in second.feeds] == ["unchanged", "unchanged"]
    assert (second.fetched, second.read, second.arrived) == (0, 0, 0)
    assert second.requests == {world.site.base: 2}


def test_a_feed_that_changes_between_polls_brings_only_its_new_item(world: World) -> None:
    dawn, _ = two_feeds(world)
    world.poll()
    site = world.site
    site.put("/dawn/3", Page(article("Border pact signed", OTHER[1], site="Dawn", date="2024-03-06")))
    site.put("/dawn/rss", Page(rss("Dawn - World", [
        ("Border pact", site.url("/dawn/3"), "Wed, 06 Mar 2024 10:00:00 GMT"),
        ("Bombing in Peshawar", site.url("/dawn/1?utm_source=twitter"), FRIDAY),
        ("Rockets fired", site.url("/dawn/2"), "Tue, 05 Mar 2024 10:00:00 GMT")]), RSS, etag='"dawn-2"'))
    report = world.poll()

    assert {f.feed: (f.status, f.new) for f in report.feeds}[dawn] == ("read", 1)
    assert report.read == 1 and report.written["created"]["sources"] == 1
    assert [site.answered(p) for p in ("/dawn/1", "/dawn/2", "/dawn/3")] == [1, 1, 1]
    assert {(c.subject, c.type, c.object) for c in world.store.claims(ClaimQuery(types=("SIGNED_AGREEMENT_WITH",)))
            } >= {("tajikistan", "SIGNED_AGREEMENT_WITH", "uzbekistan")}
    third = world.poll()
    assert [f.status for f in third.feeds] == ["unchanged", "unchanged"]


def test_an_item_in_two_feeds_and_under_tracking_links_is_read_once(world: World) -> None:
    site = world.site
    site.put("/a/1", Page(article("Rockets fired at Tajik border post", OTHER[0], site="Dawn")))
    site.put("/world", Page(rss("World", [("Rockets", site.url("/a/1?utm_campaign=x&fbclid=abc"), FRIDAY)]), RSS))
    site.put("/asia", Page(rss("Asia", [("Rockets", site.url("/a/1#comments"), FRIDAY),
                                        ("Rockets", site.url("/a/1?gclid=1"), FRIDAY)]), RSS))
    world.follow("/world", "Dawn")
    world.follow("/asia", "Dawn")
    report = world.poll()

    assert sum(f.new for f in report.feeds) == 1
    assert site.answered("/a/1") == 1 and report.read == 1
    assert [i["url"] for i in feed_items(world.state)] == [site.url("/a/1")]


def test_a_failing_page_is_kept_with_its_reason_and_retried_later_while_the_poll_goes_on(
        world: World, ontology: Ontology) -> None:
    site = world.site
    site.put("/p/ok", Page(article("Border pact signed", OTHER[1], site="Dawn")))
    site.put("/p/busy", Page(b"try later", "text/plain", status=503))
    site.put("/p/gone", Page(b"no such article", "text/plain", status=404))
    site.put("/feed", Page(rss("Dawn", [(t, site.url(p), FRIDAY) for t, p in (
        ("ok", "/p/ok"), ("busy", "/p/busy"), ("gone", "/p/gone"))]), RSS))
    feed = world.follow("/feed", "Dawn")
    report = world.poll()

    assert report.read == 1
    failed = {f["url"].rsplit("/", 1)[1]: f for f in report.failed}
    assert set(failed) == {"busy", "gone"}
    # 5xx: retried within the request (twice), then recorded with the next try 15 minutes on
    assert len(site.requests("/p/busy")) == 1 + world.settings.feeds_retries
    assert failed["busy"]["reason"] == "http_status" and "HTTP 503" in failed["busy"]["error"]
    delay = (parse_stamp(failed["busy"]["retry_at"]) - world.clock()).total_seconds()
    assert 800 < delay <= 900
    # 4xx: never retried, neither within the request nor by later polls
    assert len(site.requests("/p/gone")) == 1
    assert failed["gone"]["reason"] == "http_status" and failed["gone"]["retry_at"] is None
    assert get_feed(world.state, feed.id).items == {"ingested": 1, "failed": 2}
    shown = {i["url"].rsplit("/", 1)[1]: i for i in feed_items(world.state, feed.id, states=["failed"])}
    assert shown["busy"]["error"].endswith("the server answered HTTP 503") and shown["busy"]["attempts"] == 1

    world.poll()  # not due yet: nothing asked
    assert len(site.requests("/p/busy")) == 3
    site.put("/p/busy", Page(article("Mosque attacked in Kabul", OTHER[2], site="Dawn")))
    world.clock.advance(901)
    later = world.poll()
    assert later.read == 1 and later.failed == []
    assert len(site.requests("/p/gone")) == 1
    assert get_feed(world.state, feed.id).items == {"ingested": 2, "failed": 1}
