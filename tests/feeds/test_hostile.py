"""Hostile feeds and pages in one poll: each gets a clear recorded error within bounded time and memory, and the
good ones beside them are read as if nothing had happened."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from graph.domain.errors import InvalidParameter
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Extractor
from graph.services.feeds import add_feed, feed_items, list_feeds
from graph.stores.protocol import ClaimQuery, GraphStore
from tests.feeds.conftest import World, feed_settings
from tests.feeds.site import RSS, Page, Site, article, rss
from tests.feeds.stories import OTHER

FRIDAY = "Fri, 08 Mar 2024 10:00:00 GMT"
TEN_MB = 10 * 1024 * 1024


def hostile_site(site: Site) -> None:
    """Feeds that are not feeds, that stall, move away or are too big; and a feed of pages of every kind."""
    site.put("/robots.txt", Page(b"User-agent: *\nDisallow: /item/private\n", "text/plain"))
    site.put("/malformed", Page(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>'
                                b"<item><title>Half an item</ti", RSS))
    site.put("/recoverable", Page(b'<?xml version="1.0"?><rss version="2.0"><channel><title>News & Views</title>'
                                  + f"<item><title>Border pact & more</title><link>{site.url('/item/pact')}</link>"
                                    f"</item></channel></rss>".encode(), RSS))
    site.put("/html", Page(b'<!doctype html><html><head><link rel="alternate" type="application/rss+xml" '
                           b'href="/real.rss"></head><body><p>Our news</p></body></html>'))
    site.put("/moved", Page(b"", status=301, headers={"Location": f"http://localhost:{site.port}/recoverable"}))
    site.put("/stalls", Page(b"", RSS, delay=5.0))
    site.put("/huge", Page(b'<?xml version="1.0"?><rss version="2.0"><channel><title>' + b"x" * TEN_MB
                           + b"</title></channel></rss>", RSS))
    site.put("/xxe", Page(b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'
                          b'<rss version="2.0"><channel><title>T &xxe;</title><item><title>Leak &xxe;</title>'
                          + f"<link>{site.url('/item/ok')}</link></item></channel></rss>".encode(), RSS))
    cp1252 = ["Tajikistan said on Tuesday that IS-K fired rockets at a border post from the Afghan province of "
              "Takhar, damaging a watchtower near the village of Qal’ai-Khumb where the “élite” guards are based.",
              *OTHER[0][1:]]
    site.put("/item/latin", Page(article("Rockets fired", cp1252, site="Dawn", charset="windows-1252"),
                                 "text/html; charset=windows-1252"))
    site.put("/item/badutf8", Page(article("Rockets", ["Bénin " * 40], charset="latin-1", declare=False),
                                   "text/html; charset=utf-8"))
    site.put("/item/huge", Page(article("Big", ["word " * (TEN_MB // 5)])))
    site.put("/item/pdf", Page(b"%PDF-1.7 ...", "application/pdf"))
    site.put("/item/empty", Page(b"<!doctype html><html><body><nav><a href='/'>Home</a></nav></body></html>"))
    site.put("/item/private", Page(article("Secret", OTHER[1])))
    site.put("/item/slow", Page(article("Slow", OTHER[1]), delay=5.0))
    site.put("/item/ok", Page(article("Mosque attacked in Kabul", OTHER[2], site="Dawn")))
    site.put("/item/pact", Page(article("Border pact signed", OTHER[1], site="Dawn")))
    site.put("/pages", Page(rss("Dawn", [(p, site.url(f"/item/{p}"), FRIDAY) for p in (
        "latin", "badutf8", "huge", "pdf", "empty", "private", "slow", "ok")]), RSS))


def test_every_hostile_feed_and_page_gets_its_recorded_error_and_the_rest_goes_on(
        site: Site, memory_graph: GraphStore, ontology: Ontology, extractor: Extractor, tmp_path: Path) -> None:
    hostile_site(site)
    world = World(site, memory_graph, ontology, extractor,
                  feed_settings(tmp_path, feeds_timeout=0.5, feeds_deadline=3.0, feeds_retries=1))
    feeds = {path: world.follow(path, "Dawn").id for path in (
        "/malformed", "/recoverable", "/html", "/moved", "/stalls", "/huge", "/xxe", "/pages")}
    report = world.poll()

    outcome = {f.feed: f for f in report.feeds}
    by_path = {path: outcome[feed] for path, feed in feeds.items()}
    assert {p: (o.status, o.reason) for p, o in by_path.items()} == {
        "/malformed": ("failed", "not_a_feed"), "/recoverable": ("read", None), "/html": ("failed", "not_a_feed"),
        "/moved": ("failed", "redirect"), "/stalls": ("failed", "timeout"), "/huge": ("failed", "too_large"),
        "/xxe": ("read", None), "/pages": ("read", None)}
    assert "XML error at line 1" in (by_path["/malformed"].error or "")
    assert by_path["/html"].error == (f"{site.url('/html')}: is an HTML page, not an RSS or Atom feed; the page "
                                      f"names a feed at {site.url('/real.rss')}: follow that URL instead")
    assert f"redirects to another host (http://localhost:{site.port}/recoverable)" in (by_path["/moved"].error or "")
    assert "no answer for 0.5 s" in (by_path["/stalls"].error or "")
    assert f"declares {TEN_MB + 80:,} bytes" in (by_path["/huge"].error or "")
    assert by_path["/recoverable"].warning is not None and "lenient parser" in by_path["/recoverable"].warning
    # a failed feed is asked again later, not at every poll
    assert all(by_path[p].retry_at for p in ("/malformed", "/html", "/moved", "/stalls", "/huge"))

    items = {i["url"].rsplit("/", 1)[1]: i for i in feed_items(world.state, limit=100)}
    assert {k: (i["state"], i["error_reason"]) for k, i in items.items()} == {
        "latin": ("ingested", None), "badutf8": ("failed", "undecodable"), "huge": ("failed", "too_large"),
        "pdf": ("failed", "no_article"), "empty": ("failed", "no_article"), "private": ("failed", "robots"),
        "slow": ("failed", "timeout"), "ok": ("ingested", None), "pact": ("ingested", None)}
    assert "byte 0xe9 at position" in items["badutf8"]["error"]
    assert "is application/pdf, not an HTML page" in items["pdf"]["error"]
    assert "no article text" in items["empty"]["error"]
    assert "robots.txt disallows it" in items["private"]["error"] and site.requests("/item/private") == []
    assert items["slow"]["retry_at"] is not None and items["huge"]["retry_at"] is None
    # the windows-1252 page is read in its own characters
    latin = world.store.get_source(items["latin"]["source"])
    assert "Qal’ai-Khumb where the “élite” guards" in latin.text
    assert {(c.subject, c.type, c.object) for c in world.store.claims(ClaimQuery(source=latin.id))} >= {
        ("isk", "ATTACKED", "tajikistan")}
    # an external entity in a feed is never expanded
    hostname = Path("/etc/hostname").read_text(encoding="utf-8").strip() if Path("/etc/hostname").exists() else ""
    titles = [i["title"] or "" for i in items.values()] + [f.title or "" for f in list_feeds(world.state)]
    assert not hostname or all(hostname not in t for t in titles)

    # the record tells the analyst what happened, from the command line too
    listing = CliRunner().invoke(cli, ["feeds", "list"], obj=world.settings)
    assert listing.exit_code == 0, listing.output
    assert "failed (redirect)" in listing.output and "failed (timeout)" in listing.output
    shown = CliRunner().invoke(cli, ["feeds", "show", str(feeds["/pages"]), "--state", "failed", "--json"],
                               obj=world.settings)
    assert {i["url"].rsplit("/", 1)[1] for i in json.loads(shown.stdout)["items"]} == {
        "badutf8", "huge", "pdf", "empty", "private", "slow"}


def test_redirects_to_private_addresses_are_refused_when_only_the_outlets_network_is_allowed(
        site: Site, memory_graph: GraphStore, ontology: Ontology, extractor: Extractor, tmp_path: Path) -> None:
    """The test outlets are on 127.0.0.1, so only that network is allowed: a feed or page that redirects anywhere
    else private (a cloud metadata address, an intranet, IPv6 loopback) is refused before any connection."""
    site.put("/to-metadata", Page(b"", status=301, headers={"Location": "http://169.254.169.254/latest/meta-data/"}))
    site.put("/to-intranet", Page(b"", status=302, headers={"Location": "http://10.0.0.8/rss"}))
    site.put("/to-loopback6", Page(b"", status=302, headers={"Location": f"http://[::1]:{site.port}/pages"}))
    site.put("/item/away", Page(b"", status=302, headers={"Location": "http://192.168.1.1/admin"}))
    site.put("/item/ok", Page(article("Mosque attacked in Kabul", OTHER[2], site="Dawn")))
    site.put("/pages", Page(rss("Dawn", [(p, site.url(f"/item/{p}"), FRIDAY) for p in ("away", "ok")]), RSS))
    settings = feed_settings(tmp_path, feeds_allow_private=False, feeds_private_networks=["127.0.0.1/32"],
                             feeds_cross_host_redirects=True)
    world = World(site, memory_graph, ontology, extractor, settings)
    networks = settings.feeds_private_networks
    feeds = {path: add_feed(world.state, site.url(path), outlet="Dawn", private_networks=networks).id
             for path in ("/to-metadata", "/to-intranet", "/to-loopback6", "/pages")}
    with pytest.raises(InvalidParameter, match=re.escape("10.0.0.8 is a private address")):
        add_feed(world.state, "http://10.0.0.8/rss", private_networks=networks)

    started = time.monotonic()
    report = world.poll()
    assert time.monotonic() - started < 20  # nothing waited on an address that was never contacted

    outcome = {f.feed: f for f in report.feeds}
    by_path = {path: outcome[feed] for path, feed in feeds.items()}
    assert {p: (o.status, o.reason) for p, o in by_path.items()} == {
        "/to-metadata": ("failed", "address_refused"), "/to-intranet": ("failed", "address_refused"),
        "/to-loopback6": ("failed", "address_refused"), "/pages": ("read", None)}
    assert "169.254.169.254 is a link-local address" in (by_path["/to-metadata"].error or "")
    assert "10.0.0.8 is a private address" in (by_path["/to-intranet"].error or "")
    assert "::1 is a loopback address" in (by_path["/to-loopback6"].error or "")
    assert "KG_FEEDS_PRIVATE_NETWORKS" in (by_path["/to-intranet"].error or "")
    items = {i["url"].rsplit("/", 1)[1]: i for i in feed_items(world.state, limit=10)}
    assert {k: (i["state"], i["error_reason"]) for k, i in items.items()} == {
        "away": ("failed", "address_refused"), "ok": ("ingested", None)}
    assert "192.168.1.1 is a private address" in items["away"]["error"]
    # the same settings without the outlets' network refuse the outlets themselves
    closed = feed_settings(tmp_path, feeds_allow_private=False)
    with pytest.raises(InvalidParameter, match=re.escape("127.0.0.1 is a loopback address")):
        add_feed(world.state, site.url("/other"), private_networks=closed.feeds_private_networks)
    with pytest.raises(ValueError, match="is not a network in CIDR notation"):
        feed_settings(tmp_path, feeds_private_networks=["intranet"])
