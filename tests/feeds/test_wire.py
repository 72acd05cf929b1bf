"""One wire story on three outlets is one text with three sources: read once, its claims corroborated three
times in the views that group corroborating sources (`kg relations`, ``/v1/claims?group=true``), not tripled."""

from __future__ import annotations

import json

from click.testing import CliRunner
from fastapi.testclient import TestClient

from app.api import create_app
from app.cli import cli
from graph.domain.ontology import Ontology
from graph.language.extract.text import from_html
from graph.services.analysis import group_claims
from graph.services.feeds import feed_items, list_feeds
from graph.services.ingest import ingest
from graph.stores.protocol import ClaimQuery
from tests.feeds.conftest import World
from tests.feeds.site import RSS, Page, article, rss
from tests.feeds.stories import EXPRESS, GEO, OTHER, WIRE

FRIDAY = "Fri, 08 Mar 2024 10:00:00 GMT"
OUTLETS = {"dawn": ("Dawn", WIRE, "Bombing in Peshawar"), "geo": ("Geo News", GEO, "Peshawar market blast"),
           "express": ("Express Tribune", EXPRESS, "12 killed in Peshawar")}


def three_outlets(world: World, *, only: tuple[str, ...] = tuple(OUTLETS)) -> dict[str, int]:
    """Each outlet's page of the wire story and its feed, followed under the outlet's name."""
    feeds = {}
    for key in only:
        outlet, paragraphs, title = OUTLETS[key]
        world.site.put(f"/{key}/peshawar", Page(article(title, paragraphs, site=outlet)))
        world.site.put(f"/{key}/rss", Page(rss(outlet, [(title, world.site.url(f"/{key}/peshawar"), FRIDAY)]), RSS,
                                           etag=f'"{key}"'))
        feeds[key] = world.follow(f"/{key}/rss", outlet).id
    return feeds


def sources_by_outlet(world: World) -> dict[str, str]:
    return {i["url"].split("/")[3]: i["source"] for i in feed_items(world.state)}


def test_three_outlets_running_one_story_are_one_text_with_three_sources(world: World, ontology: Ontology) -> None:
    three_outlets(world)
    report = world.poll()

    # read once: one leader, two copies (Geo News word for word under a byline, Express cut and added to)
    assert (report.read, report.copies, report.duplicates, report.failed) == (1, 2, 0, [])
    assert report.written["created"]["sources"] == 3
    assert sorted(f.copies for f in list_feeds(world.state)) == [0, 1, 1]
    sources = sources_by_outlet(world)
    reports = world.store.get_sources(sources.values())
    assert {key: reports[sid].outlet for key, sid in sources.items()} == {
        "dawn": "Dawn", "geo": "Geo News", "express": "Express Tribune"}
    leader = next(key for key, sid in sources.items() if not reports[sid].note)
    for key, sid in sources.items():
        if key != leader:
            assert reports[sid].note is not None and f"runs the text of report {sources[leader]}" in reports[sid].note
            assert reports[sid].url == world.site.url(f"/{key}/peshawar")

    claims = world.store.claims(ClaimQuery(source=None, types=("ATTACKED", "SEEKS_TO_PROVOKE", "DENIED", "ACCUSED")))
    ours = [c for c in claims if c.source in set(sources.values())]
    relations = {(r.subject, r.type, r.object): r for r in group_claims(ours, world.store.source_refs(
        {c.source for c in ours}))}
    attack = relations[("isk", "ATTACKED", "peshawar")]
    assert attack.source_count == 3 and len(attack.claims) == 3
    assert {s.outlet for s in attack.sources} == {"Dawn", "Geo News", "Express Tribune"}
    assert {s.quote for s in attack.sources} == {WIRE[1]}
    for supporting in attack.sources:  # each quote stands in its own outlet's text, where its span says
        claim = world.store.get_claim(supporting.claim)
        assert reports[claim.source].text[claim.span[0]:claim.span[1]] == WIRE[1]
    # the bombing is one incident told by three reports, each quoting its own text, as `kg ingest` places incidents
    told = {c.incident for c in world.store.get_claims([s.claim for s in attack.sources]).values()}
    assert len(told) == 1 and None not in told
    incident = world.store.get_incidents(told)[told.pop()]
    assert set(incident.sources) == set(sources.values())
    assert all(reports[r.source].text[r.span[0]:r.span[1]] == r.quote for r in incident.reports)
    # the outlet's own voice: each outlet reports what it ran
    provoke = relations[("isk", "SEEKS_TO_PROVOKE", "pakistan")]
    assert {s.outlet: s.asserted_by for s in provoke.sources} == {"Dawn": "dawn", "Geo News": "geo-news"}
    # Express cut that last paragraph: the claim is left out of its report, and counted
    assert report.left_out >= 1
    # ... and added one of its own, read for its claims (and only there)
    ttp = [c for c in world.store.claims(ClaimQuery(subject="ttp", types=("ATTACKED",)))
           if c.source in set(sources.values())]
    assert [world.store.get_source(c.source).outlet for c in ttp] == ["Express Tribune"]
    # the names it read there and could not place are kept with its report, as for any report read
    assert "Bannu" in {c["name"] for c in world.store.candidates_of(sources["express"]) or []}
    # a denial in a copy disputes the copy's claim it denies
    denials = [c for c in ours if c.type == "DENIED"]
    assert len(denials) == 3 and len({c.denies for c in denials}) == 3
    assert all(world.store.get_claim(c.denies).source == c.source for c in denials if c.denies)


def test_the_corroboration_shows_in_kg_relations_and_the_api(world: World) -> None:
    three_outlets(world)
    world.poll()
    settings = world.settings
    app = create_app(settings, world.store)
    grouped = TestClient(app).get("/v1/claims", params={"subject": "IS-K", "type": "ATTACKED", "object": "Peshawar",
                                                        "group": "true"}).json()
    assert grouped["count"] == 1
    assert grouped["data"][0]["source_count"] == 3
    assert sorted(s["outlet"] for s in grouped["data"][0]["sources"]) == ["Dawn", "Express Tribune", "Geo News"]
    if world.store.__class__.__name__ == "SqliteStore":  # the CLI opens the configured (embedded) store
        result = CliRunner().invoke(cli, ["relations", "--subject", "IS-K", "--type", "ATTACKED", "--object",
                                          "Peshawar", "--json"], obj=settings)
        assert result.exit_code == 0, result.output
        assert sorted(c["source"] for c in json.loads(result.stdout)) == sorted(sources_by_outlet(world).values())


def test_the_same_outlet_running_its_story_twice_is_a_duplicate_not_a_second_source(world: World) -> None:
    site = world.site
    site.put("/dawn/a", Page(article("Bombing in Peshawar", WIRE, site="Dawn")))
    site.put("/dawn/b", Page(article("Peshawar bombing: what we know", WIRE, site="Dawn")))
    site.put("/dawn/rss", Page(rss("Dawn", [("a", site.url("/dawn/a"), FRIDAY), ("b", site.url("/dawn/b"), FRIDAY)]),
                               RSS))
    world.follow("/dawn/rss", "Dawn")
    report = world.poll()

    assert (report.read, report.copies, report.duplicates) == (1, 0, 1)
    # whichever page was read first is the report; the other is recorded as its duplicate
    kept, skipped = sorted(feed_items(world.state), key=lambda i: i["state"] == "duplicate")
    assert (kept["state"], skipped["state"]) == ("ingested", "duplicate")
    assert skipped["same_as"] == kept["id"] and skipped["source"] == kept["source"]
    assert report.written["created"]["sources"] == 1


def test_a_copy_arriving_a_poll_later_corroborates_what_was_read_before(world: World) -> None:
    feeds = three_outlets(world, only=("dawn",))
    first = world.poll()
    assert first.read == 1
    world.restart()
    feeds.update(three_outlets(world, only=("geo",)))
    second = world.poll()

    assert (second.read, second.copies) == (0, 1)
    geo = world.store.get_source(sources_by_outlet(world)["geo"])
    assert geo.outlet == "Geo News" and "runs the text of report" in (geo.note or "")
    attack = [c for c in world.store.claims(ClaimQuery(subject="isk", object="peshawar", types=("ATTACKED",)))
              if c.source in set(sources_by_outlet(world).values())]
    assert len({c.source for c in attack}) == 2
    assert second.arrived == len(world.store.claims(ClaimQuery(source=geo.id)))


def test_a_text_the_graph_holds_already_is_not_read_again_and_keeps_its_report(
        world: World, ontology: Ontology) -> None:
    html = article("Rockets fired at Tajik border post", OTHER[0], site="RFE/RL").decode()
    report = from_html(html, url="https://www.rferl.org/a/rockets.html").with_metadata(outlet="RFE/RL",
                                                                                      outlet_id="RFE/RL")
    before = ingest(report, world.store, ontology, extractor=world.extractor)
    world.site.put("/dawn/rockets", Page(html.encode()))
    world.site.put("/dawn/rss", Page(rss("Dawn", [("Rockets", world.site.url("/dawn/rockets"), FRIDAY)]), RSS))
    world.follow("/dawn/rss", "Dawn")
    polled = world.poll()

    assert (polled.read, polled.copies) == (0, 1)
    kept = world.store.get_source(before.source_id)
    assert (kept.outlet, kept.url) == ("RFE/RL", "https://www.rferl.org/a/rockets.html")
    copy = world.store.get_source(feed_items(world.state)[0]["source"])
    assert copy.outlet == "Dawn" and copy.id != kept.id and f"runs the text of report {kept.id}" in (copy.note or "")
