"""A poll killed half-way (`kg feeds poll` in a process of its own, killed with SIGKILL) and run again: nothing
read twice, nothing lost, each claim arriving and alerting once. And a write cut short between the graph and
the feed state (the process dying right after the graph took it) is finished, its claims arriving once."""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from graph.domain.errors import FeedStateBusy
from graph.domain.model import Batch, UpsertResult
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Extractor
from graph.services.feeds import feed_items
from graph.stores.neo4j.store import Neo4jStore
from graph.stores.protocol import ClaimQuery, GraphStore
from tests.feeds.conftest import World
from tests.feeds.site import RSS, Hit, Page, Site, article, rss

ACTORS = ["IS-K", "The Tehrik-i-Taliban Pakistan", "The Taliban", "Al-Qaeda"]
TARGETS = ["Pakistan", "Tajikistan", "Uzbekistan"]
FILLER = ["market", "traders", "convoy", "river", "valley", "bridge", "winter", "harvest", "school", "clinic",
          "council", "election", "border", "trade", "road", "tunnel", "airport", "village", "district", "province",
          "militia", "police", "army", "court", "mosque", "bazaar", "shrine", "fuel", "grain", "bank", "currency",
          "drought", "flood", "refugee", "camp", "aid", "envoy", "talks", "ceasefire", "prisoner", "exchange"]


def story(number: int) -> list[str]:
    """A report of its own (no two share enough words to be taken for copies of one another)."""
    actor, target = ACTORS[number % 4], TARGETS[number % 3]
    words = random.Random(number).sample(FILLER, len(FILLER))
    return [f"{actor} attacked {target} on Monday, officials said, in the {number + 1}th such raid this year.",
            " ".join(words[:20]) + ".", " ".join(words[20:]) + f", report number {number}."]


def kg_process(settings_env: dict[str, str], cwd: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KG_", "NEO4J_"))} | settings_env
    return subprocess.Popen([str(Path(sys.executable).with_name("kg")), *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition: Any, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for the poll to get half-way")
        time.sleep(0.05)


def environment(world: World, request: pytest.FixtureRequest) -> dict[str, str]:
    settings = world.settings
    env = {"KG_DATA_FILE": str(settings.data_file), "KG_FEEDS_FILE": str(settings.feeds_path),
           "KG_FEEDS_ALLOW_PRIVATE": "true", "KG_FEEDS_HOST_DELAY": "0", "KG_FEEDS_BATCH": "2",
           "KG_FEEDS_TIMEOUT": "30", "KG_FEEDS_DEADLINE": "90", "KG_STORE": "memory"}
    if isinstance(world.store, Neo4jStore):
        status = request.getfixturevalue("neo4j_database").status
        env |= {"KG_STORE": "neo4j", "NEO4J_URI": status.bolt_uri, "NEO4J_USER": status.user,
                "NEO4J_PASSWORD": status.password or ""}
    return env


def test_a_poll_killed_half_way_resumes_reading_nothing_twice_and_losing_nothing(
        world: World, ontology: Ontology, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    from graph.services.watch import Criteria, add_watchlist  # noqa: PLC0415

    site = world.site
    held = threading.Event()
    served = itertools.count(1)
    paths = [f"/{outlet}/{n}" for n in range(6) for outlet in ("east", "west")]

    def page(number: int, path: str) -> Callable[[Hit], Page]:
        # the first six pages asked for are answered; the rest wait, until the poll is killed
        return lambda _: Page(article(f"Raid {number}", story(number), site=path.split("/")[1].title()),
                              hold=held if next(served) > 6 else None)

    for number, path in enumerate(paths):
        site.put(path, page(number, path))
    for outlet in ("east", "west"):
        site.put(f"/{outlet}/rss", Page(rss(outlet, [(p, site.url(p), "Mon, 04 Mar 2024 10:00:00 GMT")
                                                      for p in paths if p.startswith(f"/{outlet}/")]), RSS,
                                        etag=f'"{outlet}"'))
        world.follow(f"/{outlet}/rss", outlet.title() + " Times")
    alerts = tmp_path / "alerts.jsonl"
    add_watchlist(world.state, world.store, ontology, "attacks", Criteria(types=["ATTACKED"]), file=alerts)
    env = environment(world, request)

    first = kg_process(env, tmp_path, "feeds", "poll", "--json")
    wait_for(lambda: sum(site.answered(p) for p in paths) == 6 and len(site.requests()) >= 6 + 2 + 2 + 1
             and _fetched(world.settings.feeds_path) >= 6)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)
    assert first.returncode == -signal.SIGKILL
    for number, path in enumerate(paths):  # the outlets answer again (the held answers go to a dead process)
        site.put(path, Page(article(f"Raid {number}", story(number), site=path.split("/")[1].title())))
    held.set()

    second = kg_process(env, tmp_path, "feeds", "poll", "--json")
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    report = json.loads(out)

    # nothing read twice: each page was answered whole exactly once, over both runs
    assert {p: site.answered(p) for p in paths} == dict.fromkeys(paths, 1)
    assert report["resumed"] and report["failed"] == []
    # nothing lost: every item is in the graph, and every claim of it arrived, once
    world.restart()
    items = feed_items(world.state, limit=100)
    assert sorted(i["state"] for i in items) == ["ingested"] * 12
    sources = {i["source"] for i in items}
    claims = [c for s in sorted(sources) for c in world.store.claims(ClaimQuery(source=s))]
    assert len(world.store.get_sources(sources)) == 12 and len(claims) >= 12
    arrived = _arrivals(world.settings.feeds_path)
    assert sorted(arrived) == sorted(c.id for c in claims)
    assert {c.subject for c in claims if c.type == "ATTACKED"} >= {"isk", "ttp", "taliban", "al-qaeda"}
    # each attack alerted once, to the file, across the two runs
    alerted = [c["id"] for line in alerts.read_text(encoding="utf-8").splitlines()
               for c in json.loads(line)["claims"]]
    assert sorted(alerted) == sorted(c.id for c in claims if c.type == "ATTACKED")
    with closing(sqlite3.connect(world.settings.feeds_path)) as db:
        states = [row[0] for row in db.execute("SELECT state FROM polls ORDER BY id")]
    assert states == ["interrupted", "done"]


def _fetched(path: Path) -> int:
    if not path.exists():
        return 0
    with closing(sqlite3.connect(path)) as db:
        try:
            return int(db.execute("SELECT COUNT(*) FROM items WHERE state IN ('fetched', 'writing', 'ingested')"
                                  ).fetchone()[0])
        except sqlite3.OperationalError:  # the poll has not made the tables yet
            return 0


def _arrivals(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        return [row[0] for row in db.execute("SELECT claim_id FROM arrivals")]


class DiesAfterWriting:
    """The real store, in a process that dies the moment the store has taken a write (before anything else runs)."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store

    def upsert(self, batch: Batch, *, remove_incidents: Iterable[str] = ()) -> UpsertResult:
        self._store.upsert(batch, remove_incidents=remove_incidents)
        raise SystemExit("killed right after the graph write")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_a_write_cut_short_after_the_graph_took_it_is_finished_and_its_claims_arrive_once(
        memory_world: World, site: Site, extractor: Extractor) -> None:
    world = memory_world
    site.put("/a/1", Page(article("Raid", story(1), site="East")))
    site.put("/a/rss", Page(rss("East", [("Raid", site.url("/a/1"), "Mon, 04 Mar 2024 10:00:00 GMT")]), RSS))
    world.follow("/a/rss", "East Times")
    real = world.store
    world.store = DiesAfterWriting(real)  # type: ignore[assignment]
    with pytest.raises(SystemExit):
        world.poll()
    [item] = feed_items(world.state)
    assert item["state"] == "writing"
    written = real.claims(ClaimQuery(source=item["source"]))
    assert written and _arrivals(world.settings.feeds_path) == []

    world.store = real
    world.restart()
    report = world.poll()
    assert report.resumed == {"writing": 1} and report.written["created"]["claims"] == 0
    assert sorted(_arrivals(world.settings.feeds_path)) == sorted(c.id for c in written)
    assert report.arrived == len(written) and site.answered("/a/1") == 1
    assert [i["state"] for i in feed_items(world.state)] == ["ingested"]



def test_two_polls_never_run_at_once(memory_world: World) -> None:
    world = memory_world
    with world.state.exclusive("poll"), pytest.raises(FeedStateBusy) as busy:
        world.restart()
        world.poll()
    assert f"another poll is running (pid {os.getpid()})" in busy.value.message
    assert world.poll().feeds == []  # once the first has ended, the next runs
