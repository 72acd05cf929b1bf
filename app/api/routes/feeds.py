"""Feeds followed (keyed writes), one feed with its items and failures, and what arrived through them since a date."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from app.api import present
from app.api.dependencies import Config, Feeds, LimitQuery, OffsetQuery, Store, Whole, check_page
from app.api.errors import error_responses
from app.api.schemas import FeedDetail, FeedIn, FeedItem, FeedOut, NewClaim, NewIncident, Page
from graph.services.feeds import (
    add_feed,
    feed_items,
    get_feed,
    list_feeds,
    new_claims,
    new_incidents,
    parse_since,
    remove_feed,
)

# Writes here need an X-API-Key: app.api.guards checks it for every POST and DELETE before the body is read.
router = APIRouter(prefix="/v1/feeds", tags=["feeds"])

FeedId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The feed's id (`kg feeds list`, `GET /v1/feeds`); "
                                                  "a SQLite row id, so at most 2**63 - 1."), Whole]


@router.get("", response_model=Page[FeedOut], responses=error_responses(304, 422, 503))
def read_feeds(feeds: Feeds, settings: Config, limit: LimitQuery = 50, offset: OffsetQuery = 0) -> Page[FeedOut]:
    """The feeds followed, each with its last poll, its failure if any, and its items by state."""
    check_page(settings, limit)
    return present.page([FeedOut(**f.as_dict()) for f in list_feeds(feeds)], limit, offset)


@router.post("", response_model=FeedOut, status_code=201,
             responses=error_responses(400, 401, 403, 409, 413, 415, 422, 503))
def create_feed(body: FeedIn, feeds: Feeds, settings: Config) -> FeedOut:
    """Follow a feed; the next poll reads it (API key required)."""
    feed = add_feed(feeds, body.url, outlet=body.outlet, allow_private=settings.feeds_allow_private,
                    private_networks=settings.feeds_private_networks)
    return FeedOut(**feed.as_dict())


@router.get("/new", response_model=Page[NewClaim] | Page[NewIncident], responses=error_responses(304, 422, 503))
def read_new(
    feeds: Feeds, store: Store, settings: Config,
    since: Annotated[str | None, Query(max_length=40, description=(
        "Arrived on or after: YYYY, YYYY-MM, YYYY-MM-DD, or an ISO 8601 time (UTC unless it says); unset or "
        "empty, the last 24 hours."))] = None,
    show: Annotated[Literal["claims", "incidents"], Query(description=(
        "claims: every claim that arrived, newest first; incidents: relations of an event type (attacks, "
        "retaliations) first heard of since then, each with all its sources."))] = "claims",
    limit: LimitQuery = 50, offset: OffsetQuery = 0,
) -> Page[NewClaim] | Page[NewIncident]:
    """What arrived through the feeds since a date: claims, or incidents with their corroborating sources."""
    check_page(settings, limit)
    moment = parse_since(since)
    if show == "claims":
        refs, count = new_claims(feeds, moment, limit=limit, offset=offset)
        found = store.get_claims([r.claim for r in refs])
        cited = {c.id: c for c in present.claims_out(store, [found[r.claim] for r in refs if r.claim in found])}
        return Page[NewClaim](data=[NewClaim(**cited[r.claim].model_dump(), arrived_at=r.arrived_at)
                                    for r in refs if r.claim in cited], count=count, limit=limit, offset=offset)
    incidents, count = new_incidents(feeds, moment, limit=limit, offset=offset)
    found = store.get_claims([c for i in incidents for c in i.claims])
    cited = {c.id: c for c in present.claims_out(store, list(found.values()))}
    arrived = {c: i.first_arrived for i in incidents for c in i.claims}
    data = []
    for incident in incidents:
        members = [NewClaim(**cited[c].model_dump(), arrived_at=arrived[c]) for c in incident.claims if c in cited]
        if not members:
            continue  # its claims were removed from the graph since
        first = members[0]
        data.append(NewIncident(subject=first.subject, subject_name=first.subject_name, type=first.type,
                                object=first.object, object_name=first.object_name, date=first.date,
                                incident=first.incident, first_arrived=incident.first_arrived,
                                source_count=len({m.source for m in members}), claims=members))
    return Page[NewIncident](data=data, count=count, limit=limit, offset=offset)


@router.get("/{id}", response_model=FeedDetail, responses=error_responses(304, 404, 422, 503))
def read_feed(id: FeedId, feeds: Feeds,
              items: Annotated[int, Query(ge=0, le=500, description="How many of its latest items."), Whole] = 50,
              ) -> FeedDetail:
    """One feed, with its latest items: what each became, and for a failure its reason and next try."""
    feed = get_feed(feeds, id)
    return FeedDetail(feed=FeedOut(**feed.as_dict()),
                      items=[FeedItem(**i) for i in feed_items(feeds, feed.id, limit=items)] if items else [])


@router.delete("/{id}", response_model=FeedOut, responses=error_responses(401, 403, 404, 422, 503))
def delete_feed(id: FeedId, feeds: Feeds) -> FeedOut:
    """Stop following a feed; its items stay known, so nothing is read twice if it is followed again (API key
    required)."""
    return FeedOut(**remove_feed(feeds, id).as_dict())
