"""The polite client against a real server on 127.0.0.1: robots.txt, per-host delay and cap, retries for 5xx and
timeouts only, bounds on time and size, addresses and redirects refused, pages read in their own character set."""

from __future__ import annotations

import gzip
import threading
from typing import Any

import pytest

from graph.domain.errors import (
    AddressRefused,
    FetchTimedOut,
    HttpStatusError,
    RedirectRefused,
    ResponseTooLarge,
    RobotsDisallowed,
    UndecodablePage,
)
from graph.services.fetch import Client, InMemoryRobots, Policy, decode, resolve
from tests.feeds.site import Page, Site, sequence

UA = "kg-feeds-test/1.0 (tests)"


def policy(**overrides: Any) -> Policy:
    values: dict[str, Any] = {"user_agent": UA, "host_delay": 0.0, "timeout": 2.0, "deadline": 5.0, "retries": 2,
                              "backoff": 0.01, "allow_private": True, **overrides}
    return Policy(**values)


def test_robots_txt_is_obeyed_asked_once_and_its_crawl_delay_kept(site: Site) -> None:
    site.put("/robots.txt", Page(b"User-agent: *\nDisallow: /private/\nCrawl-delay: 0.3\n", "text/plain"))
    site.put("/public/a", Page(b"<html><p>a</p></html>"))
    site.put("/public/b", Page(b"<html><p>b</p></html>"))
    site.put("/private/c", Page(b"<html><p>c</p></html>"))
    memory = InMemoryRobots()
    client = Client(policy(), memory)

    assert client.get(site.url("/public/a")).body == b"<html><p>a</p></html>"
    with pytest.raises(RobotsDisallowed) as refused:
        client.get(site.url("/private/c"))
    assert "robots.txt disallows it for kg-feeds-test" in refused.value.message
    assert site.requests("/private/c") == []
    Client(policy(), memory).get(site.url("/public/b"))  # a later poll, the same memory: not asked again
    client.get(site.url("/public/b"))
    assert len(site.requests("/robots.txt")) == 1
    starts = [h.started for h in site.requests() if h.path != "/robots.txt"]
    # the Crawl-delay (0.3 s) holds between requests of one client though the policy asks for none
    assert all(b - a >= 0.28 for a, b in zip(starts[-2:-1], starts[-1:], strict=True))


def test_a_robots_txt_that_cannot_be_read_disallows_everything_for_a_while(site: Site) -> None:
    site.put("/robots.txt", Page(b"down", "text/plain", status=503))
    site.put("/a", Page(b"<html>a</html>"))
    with pytest.raises(RobotsDisallowed) as refused:
        Client(policy(retries=0)).get(site.url("/a"))
    assert "could not be read" in refused.value.message and site.requests("/a") == []


def test_5xx_and_timeouts_are_retried_with_backoff_and_4xx_never(site: Site) -> None:
    site.put("/flaky", sequence(Page(b"", status=503), Page(b"", status=502), Page(b"<html>ok</html>")))
    site.put("/missing", Page(b"", status=404))
    site.put("/slow-down", Page(b"", status=429, headers={"Retry-After": "120"}))
    client = Client(policy(retries=2))

    response = client.get(site.url("/flaky"))
    assert (response.status, response.body, response.attempts) == (200, b"<html>ok</html>", 3)
    with pytest.raises(HttpStatusError) as missing:
        client.get(site.url("/missing"))
    assert missing.value.status == 404 and not missing.value.transient
    with pytest.raises(HttpStatusError) as busy:
        client.get(site.url("/slow-down"))
    assert busy.value.transient and busy.value.retry_after == 120.0
    assert [len(site.requests(p)) for p in ("/flaky", "/missing", "/slow-down")] == [3, 1, 1]


def test_a_host_that_stalls_or_trickles_is_cut_off(site: Site) -> None:
    site.put("/stall", Page(b"<html>late</html>", delay=4.0))
    site.put("/trickle", Page(b"<html>" + b"x" * 2000 + b"</html>", trickle=0.01))
    client = Client(policy(timeout=0.3, deadline=1.0, retries=1))

    with pytest.raises(FetchTimedOut) as stalled:
        client.get(site.url("/stall"))
    assert "no answer for 0.3 s" in stalled.value.message and stalled.value.transient
    assert len(site.requests("/stall")) == 2  # one retry, then given up
    with pytest.raises(FetchTimedOut) as trickled:
        client.get(site.url("/trickle"))
    assert "took longer than 1 s" in trickled.value.message
    assert site.answered("/trickle") == 0


def test_a_response_over_the_limit_is_refused_unread(site: Site) -> None:
    ten_mb = b"<html><body><p>" + b"a" * 10_000_000 + b"</p></body></html>"
    site.put("/declared", Page(ten_mb))
    site.put("/streamed", Page(ten_mb, declare_length=False))
    site.put("/bomb", Page(gzip.compress(b"\0" * 50_000_000), headers={"Content-Encoding": "gzip"}))
    client = Client(policy(max_bytes=1_000_000))

    with pytest.raises(ResponseTooLarge) as declared:
        client.get(site.url("/declared"))
    assert f"declares {len(ten_mb):,} bytes; at most 1,000,000 are read" in declared.value.message
    with pytest.raises(ResponseTooLarge) as streamed:
        client.get(site.url("/streamed"))
    assert "more than 1,000,000 bytes; read no further" in streamed.value.message
    with pytest.raises(ResponseTooLarge) as bomb:
        client.get(site.url("/bomb"))
    assert "more than 1,000,000 bytes once decompressed" in bomb.value.message


def test_private_and_loopback_addresses_are_refused_unless_allowed(site: Site) -> None:
    site.put("/a", Page(b"<html>a</html>"))
    closed = Client(policy(allow_private=False))
    with pytest.raises(AddressRefused) as literal:
        closed.get(site.url("/a"))
    assert "127.0.0.1 is a loopback address" in literal.value.message
    assert "KG_FEEDS_ALLOW_PRIVATE=true" in literal.value.message
    with pytest.raises(AddressRefused) as named:
        closed.get(f"http://localhost:{site.port}/a")
    assert "localhost resolves to" in named.value.message  # checked after DNS resolution
    assert site.requests() == []  # nothing was asked, not even robots.txt
    for address, kind in (("10.1.2.3", "private"), ("169.254.169.254", "link-local"), ("::ffff:127.0.0.1", "loopback"),
                          ("0.0.0.0", "unspecified"), ("192.168.0.10", "private")):
        with pytest.raises(AddressRefused, match=kind):
            resolve(f"http://[{address}]/" if ":" in address else f"http://{address}/", address, 80,
                    policy(allow_private=False))
    with pytest.raises(AddressRefused, match="only http:// and https://"):
        closed.get("file:///etc/passwd")


def test_redirects_to_other_hosts_are_refused_unless_allowed_and_then_recorded(site: Site) -> None:
    site.put("/moved", Page(b"", status=301, headers={"Location": f"http://localhost:{site.port}/here"}))
    site.put("/here", Page(b"<html>here</html>"))
    site.put("/local", Page(b"", status=302, headers={"Location": "/here"}))
    site.put("/to-file", Page(b"", status=302, headers={"Location": "file:///etc/passwd"}))
    site.put("/loop", Page(b"", status=302, headers={"Location": "/loop"}))

    with pytest.raises(RedirectRefused) as refused:
        Client(policy()).get(site.url("/moved"))
    assert f"redirects to another host (http://localhost:{site.port}/here); not followed" in refused.value.message
    assert site.requests("/here") == []
    followed = Client(policy(cross_host_redirects=True)).get(site.url("/moved"))
    assert (followed.url, followed.redirects, followed.body) == (
        f"http://localhost:{site.port}/here", [site.url("/moved")], b"<html>here</html>")
    same_host = Client(policy()).get(site.url("/local"))
    assert same_host.url == site.url("/here") and same_host.redirects == [site.url("/local")]
    with pytest.raises(RedirectRefused, match="file:///etc/passwd"):
        Client(policy(cross_host_redirects=True)).get(site.url("/to-file"))
    with pytest.raises(RedirectRefused, match="more than 5 times"):
        Client(policy()).get(site.url("/loop"))


def test_requests_to_one_host_are_spaced_and_capped(site: Site) -> None:
    for n in range(6):
        site.put(f"/p/{n}", Page(b"<html>p</html>", delay=0.3))
    client = Client(policy(host_delay=0.1, host_concurrency=2))
    threads = [threading.Thread(target=client.get, args=(site.url(f"/p/{n}"),)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    hits = sorted((h for h in site.requests() if h.path.startswith("/p/")), key=lambda h: h.started)
    assert len(hits) == 6 and all(h.finished for h in hits)
    most = max(sum(1 for o in hits if o.started <= h.started < (o.finished or 0)) for h in hits)
    assert most <= 2
    # Spaced: six requests 0.1 s apart span at least half a second from the first to the last start. (Each gap is
    # not checked: on a loaded machine the server may see two requests closer than the client sent them.)
    assert hits[-1].started - hits[0].started >= 0.45


def test_pages_are_read_in_the_character_set_they_declare() -> None:
    text = "Bénin’s “élite” forces — ça va"
    assert decode(text.encode("cp1252"), "text/html; charset=windows-1252", "u") == text
    latin = "Bénin, Côte d'Ivoire"
    assert decode(latin.encode("latin-1"), "text/html; charset=ISO-8859-1", "u") == latin
    meta = f'<html><head><meta charset="iso-8859-1"></head><body>{latin}</body></html>'
    assert latin in decode(meta.encode("latin-1"), "text/html", "u")
    assert decode(text.encode("cp1252"), "text/html", "u") == text  # undeclared and not UTF-8: as browsers read it
    xml = '<?xml version="1.0" encoding="Shift_JIS"?><rss><title>東京</title></rss>'
    assert "東京" in decode(xml.encode("shift_jis"), "application/rss+xml", "u")
    assert decode("plain".encode("utf-8-sig"), "", "u") == "plain"
    with pytest.raises(UndecodablePage) as bad:
        decode("Bénin".encode("latin-1"), "text/html; charset=utf-8", "http://x/a")
    assert bad.value.message == ("http://x/a: is not utf-8 text as its Content-Type header says: byte 0xe9 at "
                                 "position 1 is not utf-8")
    with pytest.raises(UndecodablePage, match="unknown character set 'klingon'"):
        decode(b"abc", "text/html; charset=klingon", "http://x/a")
