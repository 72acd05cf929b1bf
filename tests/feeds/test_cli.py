"""`kg feeds` and `kg watch` driven as an analyst would, on a data file of their own and outlets on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from app.cli import cli
from app.settings import Settings
from tests.feeds.conftest import World, feed_settings
from tests.feeds.site import RSS, Page, Site, article, rss
from tests.feeds.stories import GEO, WIRE

FRIDAY = "Fri, 08 Mar 2024 10:00:00 GMT"


def kg(settings: Settings, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj=settings)


def documents(text: str) -> list[Any]:
    """The JSON documents printed one after another."""
    decoder, found, position = json.JSONDecoder(), [], 0
    while position < len(text.rstrip()):
        document, position = decoder.raw_decode(text, position)
        found.append(document)
        while position < len(text) and text[position].isspace():
            position += 1
    return found


def test_an_analyst_follows_two_outlets_watches_a_group_and_reads_what_is_new(memory_world: World,
                                                                            tmp_path: Path) -> None:
    settings, site = memory_world.settings, memory_world.site
    for key, outlet, paragraphs in (("dawn", "Dawn", WIRE), ("geo", "Geo News", GEO)):
        site.put(f"/{key}/1", Page(article("Bombing in Peshawar", paragraphs, site=outlet)))
        site.put(f"/{key}/rss", Page(rss(outlet, [("Bombing", site.url(f"/{key}/1"), FRIDAY)]), RSS, etag=f'"{key}"'))
    added = kg(settings, "feeds", "add", site.url("/dawn/rss"), "--outlet", "Dawn")
    assert added.exit_code == 0 and added.stdout.startswith(f"Following feed 1: {site.url('/dawn/rss')} (Dawn)")
    assert kg(settings, "feeds", "add", site.url("/geo/rss"), "--outlet", "Geo News").exit_code == 0
    again = kg(settings, "feeds", "add", site.url("/dawn/rss?utm_source=newsletter"))
    assert again.exit_code == 1 and f"{site.url('/dawn/rss')} is followed already" in again.stderr
    ftp = kg(settings, "feeds", "add", "ftp://example.org/feed")
    assert ftp.exit_code == 2 and "must be an http:// or https:// URL" in ftp.stderr
    alerts = tmp_path / "isk.jsonl"
    watched = kg(settings, "watch", "add", "isk", "--entity", "ISKP", "--type", "ATTACKED", "--file", str(alerts))
    assert watched.exit_code == 0, watched.output
    assert watched.stdout.strip() == f"Watchlist 'isk': entities isk; types ATTACKED; alerts to file {alerts}"

    polled = kg(settings, "feeds", "poll", "--progress")
    assert polled.exit_code == 0, polled.output
    assert "Reading new items" in polled.stderr  # the progress bar, on stderr
    lines = polled.stdout.splitlines()
    assert lines[0].startswith("Polled 2 feeds in ")
    assert lines[0].endswith("(2 read, 0 unchanged, 0 failed): 2 new items")
    assert lines[1].strip().startswith("1 read and loaded, 1 copies of texts read before")
    # IS-K at either end of an attack: the bombing it claimed, and the attacks the Taliban are said to shelter
    assert "2 alerts queued, 2 delivered" in lines[2]
    alerted = {(a["relation"]["subject"], a["relation"]["object"]): a
               for a in map(json.loads, alerts.read_text(encoding="utf-8").splitlines())}
    assert set(alerted) == {("isk", "peshawar"), ("taliban", "isk")}
    assert alerted[("isk", "peshawar")]["kind"] == "incident" and alerted[("isk", "peshawar")]["sources"] == 2

    quiet = json.loads(kg(settings, "feeds", "poll", "--json").stdout)
    assert [f["status"] for f in quiet["feeds"]] == ["unchanged", "unchanged"]
    assert quiet["requests"] == {site.base: 2} and quiet["delivered"]["delivered"] == 0

    listing = kg(settings, "feeds", "list").stdout
    assert "Dawn" in listing and "Geo News" in listing and "unchanged" in listing
    shown = [kg(settings, "feeds", "show", feed).stdout for feed in ("1", "2")]
    assert all("items: 0 queued, 0 fetched, 0 writing, 1 ingested, 0 duplicate, 0 failed" in s for s in shown)
    assert sorted("runs the text of item" in s for s in shown) == [False, True]  # one was read, one copies it
    new = json.loads(kg(settings, "feeds", "new", "--since", "2020", "--json").stdout)
    [bombing] = [i for i in new["incidents"]["data"] if i["relation"].startswith("isk|ATTACKED|peshawar|")]
    assert len(bombing["claims"]) == 2 and new["claims"]["count"] >= 10
    table = kg(settings, "feeds", "new", "--since", "2020").stdout
    assert "incident: IS-K ATTACKED Peshawar 2024-03-08: 2 sources (Dawn, Geo News)" in table
    log = json.loads(kg(settings, "watch", "log", "--json").stdout)
    assert sorted((m["relation"], m["state"], m["sources"]) for m in log) == [
        ("IS-K ATTACKED Peshawar", "delivered", 2), ("Taliban ATTACKED IS-K", "delivered", 2)]
    assert "isk" in kg(settings, "watch", "list").stdout
    assert kg(settings, "feeds", "retry").stdout.strip() == "0 failed items will be tried at the next poll"
    assert kg(settings, "watch", "remove", "isk").exit_code == 0
    assert kg(settings, "feeds", "remove", "1").stdout.strip() == f"No longer following feed 1: {site.url('/dawn/rss')}"
    assert [f["id"] for f in json.loads(kg(settings, "feeds", "list", "--json").stdout)] == [2]


def test_watching_polls_on_an_interval_and_a_webhook_key_is_shown_once(site: Site, tmp_path: Path) -> None:
    settings = feed_settings(tmp_path)
    assert kg(settings, "load").exit_code == 0
    site.put("/rss", Page(rss("Dawn", []), RSS, etag='"empty"'))
    kg(settings, "feeds", "add", site.url("/rss"), "--outlet", "Dawn")
    hook = kg(settings, "watch", "add", "hook", "--entity", "IS-K", "--webhook", "https://hooks.example.org/kg")
    assert hook.exit_code == 0 and "signing key (shown this once" in hook.stdout
    key = hook.stdout.rsplit(": ", 1)[1].strip()
    assert len(key) >= 32 and key not in kg(settings, "watch", "list", "--json").stdout

    runs = documents(kg(settings, "feeds", "watch", "--interval", "1", "--polls", "2", "--json").stdout)
    assert [[f["status"] for f in run["feeds"]] for run in runs] == [["read"], ["unchanged"]]


def test_a_poll_on_an_empty_graph_says_to_load_first(site: Site, tmp_path: Path) -> None:
    settings = feed_settings(tmp_path)
    kg(settings, "feeds", "add", site.url("/rss"))
    refused = kg(settings, "feeds", "poll")
    assert refused.exit_code == 1 and "holds nothing yet: run `kg load` first" in refused.stderr
    assert site.requests() == []
