"""``/v1/feeds`` and ``/v1/watchlists`` over HTTP: writes keyed by the API's one guard (checked before the body
is read), reads that say what each feed did, and what arrived since a date, grouped into incidents."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.api import create_app
from tests.feeds.conftest import World
from tests.feeds.site import RSS, Page, article, rss
from tests.feeds.stories import EXPRESS, GEO, WIRE

KEY = "feeds-test-key-7c1e"
FRIDAY = "Fri, 08 Mar 2024 10:00:00 GMT"


def client(world: World, **overrides: Any) -> TestClient:
    settings = world.settings.model_copy(update={"api_keys": [SecretStr(KEY)], **overrides})
    return TestClient(create_app(settings, world.store))


def test_writes_need_the_key_before_anything_else(memory_world: World) -> None:
    api = client(memory_world)
    body = {"url": memory_world.site.url("/rss"), "outlet": "Dawn"}
    assert api.post("/v1/feeds", json=body).status_code == 401
    wrong = api.post("/v1/feeds", json=body, headers={"X-API-Key": "nope"})
    assert wrong.status_code == 403 and wrong.json()["error"] == "forbidden"
    # the key is checked on the headers alone: a body that is not even JSON is refused for the key first
    assert api.post("/v1/feeds", content=b"\xff not json", headers={"Content-Type": "application/json"}
                    ).status_code == 401
    assert api.delete("/v1/feeds/1").status_code == 401
    assert api.post("/v1/watchlists", json={"name": "x"}).status_code == 401
    closed = client(memory_world, api_keys=[]).post("/v1/feeds", json=body, headers={"X-API-Key": KEY})
    assert closed.status_code == 403 and closed.json()["error"] == "writes_disabled"
    assert api.get("/v1/feeds").json()["count"] == 0  # nothing was written by any of them


def test_feeds_are_added_listed_shown_and_removed(memory_world: World) -> None:
    world = memory_world
    api = client(world)
    keyed = {"X-API-Key": KEY}
    world.site.put("/a/1", Page(article("Bombing in Peshawar", WIRE, site="Dawn")))
    world.site.put("/a/2", Page(b"", status=410))
    world.site.put("/rss", Page(rss("Dawn", [("Bombing", world.site.url("/a/1"), FRIDAY),
                                             ("Gone", world.site.url("/a/2"), FRIDAY)]), RSS))
    created = api.post("/v1/feeds", json={"url": world.site.url("/rss?utm_source=x"), "outlet": "Dawn"},
                       headers=keyed)
    assert created.status_code == 201
    feed = created.json()
    assert (feed["url"], feed["outlet"], feed["status"]) == (world.site.url("/rss"), "Dawn", "new")
    again = api.post("/v1/feeds", json={"url": world.site.url("/rss")}, headers=keyed)
    assert again.status_code == 409 and again.json()["error"] == "feed_exists"
    bad = api.post("/v1/feeds", json={"url": "ftp://example.org/feed"}, headers=keyed)
    assert bad.status_code == 422
    private = client(world, feeds_allow_private=False).post("/v1/feeds", json={"url": "http://10.0.0.8/rss"},
                                                            headers=keyed)
    assert private.status_code == 422 and "10.0.0.8 is a private address" in private.json()["message"]

    world.poll()
    listed = api.get("/v1/feeds").json()
    assert listed["count"] == 1 and listed["data"][0]["items"]["ingested"] == 1
    assert listed["data"][0]["items"]["failed"] == 1 and listed["data"][0]["status"] == "ok"
    shown = api.get(f"/v1/feeds/{feed['id']}").json()
    failed = [i for i in shown["items"] if i["state"] == "failed"]
    assert [(i["url"], i["error_reason"], i["retry_at"]) for i in failed] == [
        (world.site.url("/a/2"), "http_status", None)]
    assert "HTTP 410" in failed[0]["error"]
    assert api.get("/v1/feeds/99").json()["error"] == "feed_not_found"
    assert api.get("/v1/feeds/9223372036854775808").status_code == 422  # past what SQLite keeps as a row id
    removed = api.delete(f"/v1/feeds/{feed['id']}", headers=keyed)
    assert removed.status_code == 200 and removed.json()["url"] == world.site.url("/rss")
    assert api.get("/v1/feeds").json()["count"] == 0


def test_what_arrived_since_a_date_as_claims_and_as_incidents(world: World) -> None:
    for key, outlet, paragraphs in (("dawn", "Dawn", WIRE), ("geo", "Geo News", GEO),
                                    ("express", "Express Tribune", EXPRESS)):
        world.site.put(f"/{key}/1", Page(article("Bombing in Peshawar", paragraphs, site=outlet)))
        world.site.put(f"/{key}/rss", Page(rss(outlet, [("Bombing", world.site.url(f"/{key}/1"), FRIDAY)]), RSS))
        world.follow(f"/{key}/rss", outlet)
    report = world.poll()
    api = client(world)

    claims = api.get("/v1/feeds/new", params={"since": "2020-01-01", "limit": 500}).json()
    assert claims["count"] == report.arrived == len(claims["data"])
    assert {c["report"]["outlet"] for c in claims["data"]} == {"Dawn", "Geo News", "Express Tribune"}
    first = claims["data"][0]
    assert first["arrived_at"].endswith("Z") and first["quote"] and first["subject_name"]
    incidents = api.get("/v1/feeds/new", params={"since": "2020", "show": "incidents"}).json()
    by_relation = {(i["subject"], i["type"], i["object"]): i for i in incidents["data"]}
    bombing = by_relation[("isk", "ATTACKED", "peshawar")]
    assert bombing["source_count"] == 3 and bombing["date"] == "2024-03-08"
    assert {c["quote"] for c in bombing["claims"]} == {WIRE[1]}
    assert sorted(c["report"]["outlet"] for c in bombing["claims"]) == ["Dawn", "Express Tribune", "Geo News"]
    assert all(i["type"] in ("ATTACKED", "RETALIATED_AGAINST") for i in incidents["data"])
    # nothing arrived after now; the last day by default; a malformed date is named
    assert api.get("/v1/feeds/new", params={"since": "2999-01-01"}).json()["count"] == 0
    assert api.get("/v1/feeds/new").json()["count"] == report.arrived
    bad = api.get("/v1/feeds/new", params={"since": "last tuesday"})
    assert bad.status_code == 422 and bad.json()["details"]["parameter"] == "since"


def test_watchlists_over_http_show_their_key_once_and_refuse_files(memory_world: World) -> None:
    api = client(memory_world)
    keyed = {"X-API-Key": KEY}
    made = api.post("/v1/watchlists", json={"name": "isk", "entities": ["ISKP"], "types": ["hostile"],
                                            "webhook": "https://hooks.example.org/kg"}, headers=keyed)
    assert made.status_code == 201
    body = made.json()
    assert body["entities"] == ["isk"] and "ATTACKED" in body["types"] and len(body["secret"]) >= 32
    shown = api.get("/v1/watchlists/isk").json()
    assert shown["watchlist"]["name"] == "isk" and "secret" not in shown["watchlist"]
    assert body["secret"] not in api.get("/v1/watchlists").text
    refused = api.post("/v1/watchlists", json={"name": "f", "entities": ["IS-K"], "file": "/etc/cron.d/x"},
                       headers=keyed)
    assert refused.status_code == 422 and "may not choose a file" in refused.json()["message"]
    unknown = api.post("/v1/watchlists", json={"name": "u", "entities": ["ISKK"], "webhook": "https://h.example/x"},
                       headers=keyed)
    assert unknown.status_code == 422 and "did you mean" in unknown.json()["message"]
    assert api.delete("/v1/watchlists/isk", headers=keyed).status_code == 200
    assert api.get("/v1/watchlists/isk").json()["error"] == "watchlist_not_found"
