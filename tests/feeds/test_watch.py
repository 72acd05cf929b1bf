"""Watchlists and their alerts: what matches is delivered once, with its quote and source, to a webhook on
127.0.0.1 that checks the HMAC signature, or to a file; across restarts, failures and interrupted deliveries."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.domain.errors import WatchlistExists, WatchlistInvalid
from graph.domain.ontology import Ontology
from graph.services.feedstate import parse_stamp
from graph.services.watch import Criteria, add_watchlist, deliver, delivery_log, list_watchlists, remove_watchlist
from tests.feeds.conftest import World
from tests.feeds.site import RSS, Hit, Page, Site, article, rss, sequence
from tests.feeds.stories import EXPRESS, GEO, OTHER, WIRE

FRIDAY = "Fri, 08 Mar 2024 10:00:00 GMT"
SECRET = "a-signing-key-of-our-own-2024"


@pytest.fixture
def receiver() -> Iterator[Site]:
    """A webhook receiver on 127.0.0.1: it answers 200 unless a test says otherwise, and keeps every POST."""
    hooks = Site()
    hooks.put("/hook", Page(b'{"ok": true}', "application/json"))
    yield hooks
    hooks.close()


def wire_story(world: World) -> None:
    for key, outlet, paragraphs in (("dawn", "Dawn", WIRE), ("geo", "Geo News", GEO),
                                    ("express", "Express Tribune", EXPRESS)):
        world.site.put(f"/{key}/1", Page(article("Bombing in Peshawar", paragraphs, site=outlet)))
        world.site.put(f"/{key}/rss", Page(rss(outlet, [("Bombing", world.site.url(f"/{key}/1"), FRIDAY)]), RSS,
                                           etag=f'"{key}-1"'))
        world.follow(f"/{key}/rss", outlet)


def posts(receiver: Site) -> list[Hit]:
    return receiver.requests("/hook", method="POST")


def signed_by(hit: Hit, secret: str) -> bool:
    """The receiver's own check of X-KG-Signature: t=<seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>."""
    fields = dict(part.split("=", 1) for part in hit.headers["x-kg-signature"].split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + hit.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def test_a_matching_incident_is_posted_once_signed_with_its_quotes_and_sources(
        world: World, receiver: Site, ontology: Ontology, tmp_path: Path) -> None:
    add_watchlist(world.state, world.store, ontology, "isk-attacks", Criteria(entities=["ISKP"], types=["ATTACKED"]),
                  webhook=receiver.url("/hook"), secret=SECRET, allow_private=True)
    alerts = tmp_path / "alerts" / "pakistan.jsonl"
    add_watchlist(world.state, world.store, ontology, "pakistan", Criteria(entities=["Islamabad"],
                                                                          statuses=["alleged"]), file=alerts)
    wire_story(world)
    polled = world.poll()
    delivered = deliver(world.state, world.policy)

    assert polled.alerts == len(delivered.delivered) and delivered.failed == []
    by_relation = {(a["relation"]["subject"], a["relation"]["object"]): h for h in posts(receiver)
                   if (a := json.loads(h.body))}
    # IS-K at either end of an attack: the bombing it claimed, and the attacks the Taliban are said to shelter
    assert set(by_relation) == {("isk", "peshawar"), ("taliban", "isk")}
    hit = by_relation[("isk", "peshawar")]
    assert signed_by(hit, SECRET) and not signed_by(hit, SECRET + "x")
    assert hit.headers["content-type"] == "application/json" and hit.headers["x-kg-watchlist"] == "isk-attacks"
    alert = json.loads(hit.body)
    assert alert["id"] == hit.headers["x-kg-delivery"] and alert["kind"] == "incident"
    told = world.store.get_claim(alert["claims"][0]["id"]).incident
    assert told is not None
    assert alert["relation"] | {} == {"subject": "isk", "subject_name": "IS-K", "type": "ATTACKED",
                                      "object": "peshawar", "object_name": "Peshawar", "date": "2024-03-08",
                                      "end_date": None, "incident": told}
    assert alert["sources"] == 3
    # the incident as the graph holds it: one bombing, told by the three outlets' reports
    assert {k: alert["incident"][k] for k in ("id", "type", "date", "place", "country", "reports")} == {
        "id": told, "type": "suicide_bombing", "date": "2024-03-08", "place": "Peshawar", "country": "Pakistan",
        "reports": 3}
    assert alert["incident"]["killed"]["min"] == 12 and "IS-K" in alert["incident"]["perpetrators"]
    assert sorted(c["source"]["outlet"] for c in alert["claims"]) == ["Dawn", "Express Tribune", "Geo News"]
    for claim in alert["claims"]:
        assert claim["quote"] == WIRE[1] and claim["status"] == "claimed"
        key = {"Dawn": "dawn", "Geo News": "geo", "Express Tribune": "express"}[claim["source"]["outlet"]]
        assert claim["source"]["url"] == world.site.url(f"/{key}/1")
        assert world.store.get_claim(claim["id"]).source == claim["source"]["id"]
    # the file watchlist: Pakistan at either end, as an allegation; one line, one relation, three sources
    filed = {(f["relation"]["subject"], f["relation"]["type"], f["relation"]["object"]): f
             for f in map(json.loads, alerts.read_text(encoding="utf-8").splitlines())}
    accused = filed[("pakistan", "ACCUSED", "taliban")]
    assert accused["kind"] == "claim" and accused["sources"] == 3
    assert all(c["status"] == "alleged" and "pakistan" in (c["subject"], c["object"])
               for f in filed.values() for c in f["claims"])
    assert ("taliban", "DENIED", "pakistan") not in filed  # Pakistan is in it, but it is a denial, not an allegation
    assert {w.name: (w.delivered, w.pending) for w in list_watchlists(world.state)} == {
        "isk-attacks": (2, 0), "pakistan": (len(filed), 0)}


def test_each_alert_is_delivered_exactly_once_across_restarts(
        memory_world: World, receiver: Site, ontology: Ontology) -> None:
    world = memory_world
    add_watchlist(world.state, world.store, ontology, "isk", Criteria(entities=["IS-K"]),
                  webhook=receiver.url("/hook"), secret=SECRET, allow_private=True)
    wire_story(world)
    world.poll()
    deliver(world.state, world.policy)
    first = {h.headers["x-kg-delivery"] for h in posts(receiver)}
    assert len(first) == len(posts(receiver)) >= 2  # the attack, the hosting, the aim to provoke…

    for _ in range(2):  # new processes, nothing new: nothing delivered again
        world.restart()
        world.poll()
        assert deliver(world.state, world.policy).delivered == []
    assert len(posts(receiver)) == len(first)

    world.site.put("/dawn/2", Page(article("Mosque attacked in Kabul", OTHER[2], site="Dawn", date="2024-03-07")))
    world.site.put("/dawn/rss", Page(rss("Dawn", [("Mosque", world.site.url("/dawn/2"), FRIDAY),
                                                  ("Bombing", world.site.url("/dawn/1"), FRIDAY)]), RSS,
                                     etag='"dawn-2"'))
    world.restart()
    world.poll()
    deliver(world.state, world.policy)
    new = [h for h in posts(receiver) if h.headers["x-kg-delivery"] not in first]
    assert [json.loads(h.body)["relation"]["object"] for h in new if json.loads(h.body)["kind"] == "incident"] == [
        "shia-muslims"]
    world.restart()
    assert deliver(world.state, world.policy).delivered == []
    ids = [h.headers["x-kg-delivery"] for h in posts(receiver)]
    assert len(ids) == len(set(ids))
    claims = [c["id"] for h in posts(receiver) for c in json.loads(h.body)["claims"]]
    assert len(claims) == len(set(claims))  # no claim in two alerts of one watchlist


def test_a_receiver_that_fails_keeps_the_alert_and_gets_it_later_under_the_same_id(
        memory_world: World, receiver: Site, ontology: Ontology) -> None:
    world = memory_world
    receiver.put("/hook", sequence(Page(b"oops", "text/plain", status=500), Page(b"ok", "text/plain")))
    # Peshawar at an end of an attack: the bombing's one relation (as a place it would also take in the other
    # attacks its incident is told with, test_a_place_matches_where_the_incident_happened)
    add_watchlist(world.state, world.store, ontology, "attacks", Criteria(types=["ATTACKED"], entities=["Peshawar"]),
                  webhook=receiver.url("/hook"), secret=SECRET, allow_private=True)
    wire_story(world)
    world.poll()
    failed = deliver(world.state, world.policy)

    assert failed.delivered == [] and len(failed.failed) == 1
    assert failed.failed[0]["error"].endswith("the server answered HTTP 500")
    wait = (parse_stamp(failed.failed[0]["retry_at"]) - world.clock()).total_seconds()
    assert 50 < wait <= 60
    [entry] = delivery_log(world.state, watchlist="attacks")
    assert (entry["state"], entry["attempts"]) == ("failed", 1) and "HTTP 500" in entry["error"]
    assert deliver(world.state, world.policy).delivered == []  # not due yet
    world.clock.advance(61)
    assert len(deliver(world.state, world.policy).delivered) == 1
    assert len(deliver(world.state, world.policy).delivered) == 0
    first, second = posts(receiver)
    assert first.headers["x-kg-delivery"] == second.headers["x-kg-delivery"] and first.body == second.body
    [entry] = delivery_log(world.state, watchlist="attacks")
    assert (entry["state"], entry["attempts"], entry["error"]) == ("delivered", 2, None)


def test_an_interrupted_delivery_is_completed_once(
        memory_world: World, receiver: Site, ontology: Ontology, tmp_path: Path) -> None:
    world = memory_world
    alerts = tmp_path / "alerts.jsonl"
    add_watchlist(world.state, world.store, ontology, "to-file", Criteria(entities=["IS-K"]), file=alerts)
    add_watchlist(world.state, world.store, ontology, "to-hook", Criteria(entities=["IS-K"]),
                  webhook=receiver.url("/hook"), secret=SECRET, allow_private=True)
    wire_story(world)
    world.poll()
    # A process died in the middle of both deliveries: the file had half a line written at the place committed
    # for it, and the webhook had been POSTed but not marked delivered.
    db = sqlite3.connect(world.settings.feeds_path)
    to_file, to_hook = (db.execute("SELECT m.id, m.payload FROM messages m JOIN watchlists w ON w.id = m.watchlist_id "
                                   "WHERE w.name = ? ORDER BY m.id LIMIT 1", (name,)).fetchone()
                        for name in ("to-file", "to-hook"))
    alerts.write_text('{"earlier": "line"}\n', encoding="utf-8")
    with alerts.open("a", encoding="utf-8") as handle:
        handle.write(to_file[1][: len(to_file[1]) // 2])
    db.execute("UPDATE messages SET state = 'sending', file_offset = ? WHERE id = ?", (len('{"earlier": "line"}\n'),
                                                                                       to_file[0]))
    db.execute("UPDATE messages SET state = 'sending' WHERE id = ?", (to_hook[0],))
    db.commit()
    db.close()  # the crash's state is on disk
    world.restart()
    report = deliver(world.state, world.policy)

    assert set(report.resent) == {to_file[0], to_hook[0]}
    lines = [json.loads(line) for line in alerts.read_text(encoding="utf-8").splitlines()]
    assert lines[0] == {"earlier": "line"}
    ids = [line["id"] for line in lines[1:]]
    assert to_file[0] in ids and len(ids) == len(set(ids))
    assert [h.headers["x-kg-delivery"] for h in posts(receiver)].count(to_hook[0]) == 1
    world.restart()
    assert deliver(world.state, world.policy).delivered == []


def test_a_watchlist_says_what_is_wrong_with_it(memory_world: World, ontology: Ontology, tmp_path: Path) -> None:
    world = memory_world
    with pytest.raises(WatchlistInvalid) as unknown:
        add_watchlist(world.state, world.store, ontology, "x", Criteria(entities=["ISKK"]), file=tmp_path / "a")
    assert "entities: no entity matches 'ISKK'; did you mean" in unknown.value.message
    with pytest.raises(WatchlistInvalid, match="a place is one of"):
        add_watchlist(world.state, world.store, ontology, "x", Criteria(places=["Taliban"]), file=tmp_path / "a")
    with pytest.raises(WatchlistInvalid, match="needs something to watch"):
        add_watchlist(world.state, world.store, ontology, "x", Criteria(), file=tmp_path / "a")
    with pytest.raises(WatchlistInvalid, match="exactly one delivery"):
        add_watchlist(world.state, world.store, ontology, "x", Criteria(entities=["IS-K"]), file=tmp_path / "a",
                      webhook="https://hooks.example/x")
    with pytest.raises(WatchlistInvalid, match=r"127\.0\.0\.1 is a loopback address"):
        add_watchlist(world.state, world.store, ontology, "x", Criteria(entities=["IS-K"]),
                      webhook="http://127.0.0.1:9/hook")
    with pytest.raises(WatchlistInvalid, match="a client of the HTTP API may not choose a file"):
        add_watchlist(world.state, world.store, ontology, "x", Criteria(entities=["IS-K"]), file=tmp_path / "a",
                      remote=True)
    with pytest.raises(WatchlistInvalid, match="'Kabul' is ambiguous: it may mean Afghanistan"):
        add_watchlist(world.state, world.store, ontology, "x", Criteria(entities=["Kabul"]), file=tmp_path / "a")
    made, key = add_watchlist(world.state, world.store, ontology, "x", Criteria(entities=["Afghanistan"],
                                                                                types=["hostile"]),
                              webhook="https://hooks.example/x")
    assert key is not None and len(key) >= 32  # made for it, shown once
    assert "secret" not in made.as_dict() and key not in json.dumps(made.as_dict())
    assert made.types == ontology.expand_types(["hostile"])
    with pytest.raises(WatchlistExists):
        add_watchlist(world.state, world.store, ontology, "x", Criteria(entities=["IS-K"]), file=tmp_path / "b")
    remove_watchlist(world.state, "x")
    assert list_watchlists(world.state) == []


def test_a_place_matches_where_the_incident_happened(memory_world: World, ontology: Ontology, tmp_path: Path) -> None:
    world = memory_world
    alerts = tmp_path / "peshawar.jsonl"
    add_watchlist(world.state, world.store, ontology, "peshawar", Criteria(types=["ATTACKED"], places=["Peshawar"]),
                  file=alerts)
    wire_story(world)
    world.poll()
    deliver(world.state, world.policy)

    sent = [json.loads(line) for line in alerts.read_text(encoding="utf-8").splitlines()]
    by_relation = {(a["relation"]["subject"], a["relation"]["object"]): a for a in sent}
    assert ("isk", "peshawar") in by_relation  # hit there: the claim's object
    # the attacks neither aimed at Peshawar nor located there, told with the bombing: matched by its incident
    elsewhere = [a for key, a in by_relation.items() if key[1] != "peshawar"
                 and all(c["location"] != "peshawar" for c in a["claims"])]
    assert elsewhere and all(a["incident"]["place"] == "Peshawar" for a in elsewhere)
    incident = by_relation[("isk", "peshawar")]["incident"]["id"]
    assert all(a["relation"]["incident"] == incident for a in elsewhere)
