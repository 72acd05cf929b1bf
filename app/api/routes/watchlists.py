"""Watchlists (keyed writes) and their alerts' delivery log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.api import present
from app.api.dependencies import Config, Feeds, LimitQuery, OffsetQuery, Store, Vocabulary, Whole, check_page
from app.api.errors import error_responses
from app.api.schemas import Delivery, Page, WatchlistCreated, WatchlistDetail, WatchlistIn, WatchlistOut
from graph.services.watch import (
    Criteria,
    add_watchlist,
    delivery_log,
    get_watchlist,
    list_watchlists,
    remove_watchlist,
)

# Writes here need an X-API-Key: app.api.guards checks it for every POST and DELETE before the body is read.
router = APIRouter(prefix="/v1/watchlists", tags=["watchlists"])

Name = Annotated[str, Path(max_length=64, description="The watchlist's name.")]


@router.get("", response_model=Page[WatchlistOut], responses=error_responses(304, 422, 503))
def read_watchlists(feeds: Feeds, settings: Config, limit: LimitQuery = 50,
                    offset: OffsetQuery = 0) -> Page[WatchlistOut]:
    """The watchlists: what each watches, where its alerts go, and its messages by state (never its key)."""
    check_page(settings, limit)
    return present.page([WatchlistOut(**w.as_dict()) for w in list_watchlists(feeds)], limit, offset)


@router.post("", response_model=WatchlistCreated, status_code=201,
             responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422, 503))
def create_watchlist(body: WatchlistIn, feeds: Feeds, store: Store, ontology: Vocabulary,
                     settings: Config) -> WatchlistCreated:
    """Create a watchlist with a webhook; its signing key is returned this once if none was given (API key
    required)."""
    from pathlib import Path as FilePath  # noqa: PLC0415 - only to say a file is refused

    criteria = Criteria(entities=body.entities, types=body.types, statuses=body.statuses, places=body.places)
    watchlist, generated = add_watchlist(feeds, store, ontology, body.name, criteria, webhook=body.webhook,
                                         secret=body.secret, file=FilePath(body.file) if body.file else None,
                                         remote=True, allow_private=settings.feeds_allow_private,
                                         private_networks=settings.feeds_private_networks)
    return WatchlistCreated(**watchlist.as_dict(), secret=generated)


@router.get("/{name}", response_model=WatchlistDetail, responses=error_responses(304, 404, 422, 503))
def read_watchlist(name: Name, feeds: Feeds,
                   deliveries: Annotated[int, Query(ge=0, le=500,
                                                           description="How many of its latest alerts."), Whole] = 50,
                   ) -> WatchlistDetail:
    """One watchlist and its latest alerts: delivered, pending, or failed with the error and the next try."""
    watchlist = get_watchlist(feeds, name)
    log = delivery_log(feeds, watchlist=name, limit=deliveries) if deliveries else []
    return WatchlistDetail(watchlist=WatchlistOut(**watchlist.as_dict()), deliveries=[Delivery(**m) for m in log])


@router.delete("/{name}", response_model=WatchlistOut, responses=error_responses(401, 403, 404, 422, 503))
def delete_watchlist(name: Name, feeds: Feeds) -> WatchlistOut:
    """Remove a watchlist; its undelivered alerts are cancelled (API key required)."""
    return WatchlistOut(**remove_watchlist(feeds, name).as_dict())
