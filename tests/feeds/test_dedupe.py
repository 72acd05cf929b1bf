"""How an item is known: canonical URLs without tracking, fingerprints that ignore layout, and MinHash bands that
find a wire copy among unrelated texts."""

from __future__ import annotations

from graph.services.dedupe import Bands, Sketch, canonical_url, extra_paragraphs, fingerprint
from tests.feeds.stories import EXPRESS, GEO, OTHER, WIRE


def test_a_url_is_known_without_its_tracking_parameters_fragment_or_default_port() -> None:
    canonical = "https://www.dawn.com/news/1812345/bombing?page=2"
    for variant in ("HTTPS://WWW.Dawn.com:443/news/1812345/bombing?utm_source=rss&page=2&utm_medium=feed",
                    "https://www.dawn.com/news/1812345/bombing?fbclid=IwAR0x&page=2#comments",
                    "https://www.dawn.com/news/1812345/bombing?page=2&gclid=abc&mc_cid=1&at_medium=RSS"):
        assert canonical_url(variant) == canonical
    assert canonical_url("http://example.org") == "http://example.org/"
    assert canonical_url("http://example.org:8080/a?b=2&a=1") == "http://example.org:8080/a?a=1&b=2"
    assert canonical_url("https://example.org/a?id=7") != canonical_url("https://example.org/a?id=8")


def test_the_same_text_laid_out_differently_has_one_fingerprint() -> None:
    text = "\n\n".join(WIRE)
    assert fingerprint(text) == fingerprint("  " + text.upper().replace("\n\n", "\n \n").replace("'", "\u2019"))
    assert fingerprint(text) != fingerprint("\n\n".join(WIRE[:-1]))


def test_bands_find_every_copy_of_a_wire_story_and_no_unrelated_story() -> None:
    bands = Bands(0.7)
    leader = Sketch.of("\n\n".join(WIRE))
    keys = set(bands.keys(leader))
    for copy in (GEO, EXPRESS):
        sketch = Sketch.of("\n\n".join(copy))
        assert keys & set(bands.keys(sketch)) and sketch.similarity(leader) >= 0.7
    for story in OTHER:
        sketch = Sketch.of("\n\n".join(story))
        assert not keys & set(bands.keys(sketch)) and sketch.similarity(leader) < 0.1
    assert Sketch.from_bytes(leader.to_bytes()).similarity(leader) == 1.0


def test_a_near_copy_says_which_paragraphs_it_adds() -> None:
    added = extra_paragraphs("\n\n".join(EXPRESS), "\n\n".join(WIRE))
    assert added == [EXPRESS[-1].lower()]
    assert extra_paragraphs("\n\n".join(GEO), "\n\n".join(WIRE)) == []  # a byline is not a paragraph of news
