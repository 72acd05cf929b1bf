"""``kg watch``: watchlists over what the feeds bring in, and their alerts (webhook or file), each delivered once."""

from __future__ import annotations

from pathlib import Path

import click

from app.cli import render
from app.cli.base import Env, cli, emit, handles_errors, json_option, pass_env
from app.components import fetch_policy, open_feeds
from app.usecases.filters import split
from graph.services.watch import (
    Criteria,
    Watchlist,
    add_watchlist,
    deliver,
    delivery_log,
    list_watchlists,
    remove_watchlist,
)


@cli.group("watch", help="Watchlists: be told, once, when a new claim or incident about what you follow arrives.")
def watch_group() -> None:
    pass


def _criteria(watchlist: Watchlist) -> str:
    parts = [f"{label} {', '.join(values)}" for label, values in (
        ("entities", watchlist.entities), ("types", watchlist.types), ("statuses", watchlist.statuses),
        ("places", watchlist.places)) if values]
    return "; ".join(parts)


@watch_group.command("add", help="Create a watchlist: what to watch (all criteria given must hold) and one delivery.")
@click.argument("name")
@click.option("--entity", "entities", multiple=True, help="An entity at either end (id, name or alias; repeat or "
                                                          "comma-separate).")
@click.option("--type", "types", multiple=True, help="Relation types or categories, as `kg schema` names them.")
@click.option("--status", "statuses", multiple=True, help="Claim statuses (claimed, denied…).")
@click.option("--place", "places", multiple=True, help="Where it happened or what was hit: a place or a state.")
@click.option("--webhook", help="POST each alert here as JSON, signed (X-KG-Signature: HMAC-SHA256).")
@click.option("--secret", help="The webhook's signing key (16+ characters); unset, one is made and shown once.")
@click.option("--file", "file", type=click.Path(path_type=Path, dir_okay=False),
              help="Append each alert to this file as one JSON line.")
@json_option
@pass_env
@handles_errors
def add_command(env: Env, name: str, entities: tuple[str, ...], types: tuple[str, ...], statuses: tuple[str, ...],
                places: tuple[str, ...], webhook: str | None, secret: str | None, file: Path | None,
                as_json: bool) -> None:
    criteria = Criteria(entities=split("--entity", entities, [], "skip"), types=split("--type", types, [], "skip"),
                        statuses=split("--status", statuses, [], "skip"), places=split("--place", places, [], "skip"))
    watchlist, generated = add_watchlist(open_feeds(env.settings), env.store, env.ontology, name, criteria,
                                         webhook=webhook, secret=secret, file=file,
                                         allow_private=env.settings.feeds_allow_private,
                                         private_networks=env.settings.feeds_private_networks)
    if as_json:
        emit({**watchlist.as_dict(), "secret": generated})
        return
    click.echo(f"Watchlist {watchlist.name!r}: {_criteria(watchlist)}; alerts to {watchlist.delivery}")
    if generated:
        click.echo(f"signing key (shown this once; the receiver checks X-KG-Signature with it): {generated}")


@watch_group.command("list", help="The watchlists, what they watch, where alerts go and how many were delivered.")
@json_option
@pass_env
@handles_errors
def list_command(env: Env, as_json: bool) -> None:
    watchlists = list_watchlists(open_feeds(env.settings))
    if as_json:
        emit([w.as_dict() for w in watchlists])
        return
    if not watchlists:
        click.echo("No watchlists yet: `kg watch add NAME --entity IS-K --webhook URL`")
        return
    click.echo(render.table(("NAME", "WATCHES", "DELIVERY", "DELIVERED", "PENDING", "FAILED"), [
        [w.name, _criteria(w), w.delivery, w.delivered, w.pending, w.failed] for w in watchlists]))


@watch_group.command("remove", help="Remove a watchlist; its undelivered alerts are cancelled.")
@click.argument("name")
@json_option
@pass_env
@handles_errors
def remove_command(env: Env, name: str, as_json: bool) -> None:
    removed = remove_watchlist(open_feeds(env.settings), name)
    if as_json:
        emit(removed.as_dict())
        return
    click.echo(f"Removed watchlist {removed.name!r}")


@watch_group.command("deliver", help="Deliver the alerts that are due (pending, interrupted, or failed and due again).")
@click.argument("name", required=False)
@json_option
@pass_env
@handles_errors
def deliver_command(env: Env, name: str | None, as_json: bool) -> None:
    report = deliver(open_feeds(env.settings), fetch_policy(env.settings), watchlist=name)
    if as_json:
        emit(report.as_dict())
        return
    click.echo(f"{len(report.delivered)} alert{'s' if len(report.delivered) != 1 else ''} delivered"
               + (f" ({len(report.resent)} sent again after an interrupted delivery, with the same "
                  "X-KG-Delivery id)" if report.resent else ""))
    for failure in report.failed:
        click.echo(f"alert {failure['message']} to {failure['watchlist']} not delivered: {failure['error']}; "
                   f"next try {failure['retry_at']}")


@watch_group.command("log", help="The latest alerts, newest first: what they carried, their state and attempts.")
@click.argument("name", required=False)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000), help="How many.")
@json_option
@pass_env
@handles_errors
def log_command(env: Env, name: str | None, limit: int, as_json: bool) -> None:
    log = delivery_log(open_feeds(env.settings), watchlist=name, limit=limit)
    if as_json:
        emit(log)
        return
    if not log:
        click.echo("No alerts yet")
        return
    headers = ("CREATED", "WATCHLIST", "KIND", "RELATION", "DATE", "SOURCES", "STATE", "TRIES", "ERROR")
    click.echo(render.table(headers, [
        [m["created_at"][:19], m["watchlist"], m["kind"], m["relation"], m["date"] or "", m["sources"], m["state"],
         m["attempts"], (m["error"] or "")[:60]] for m in log]))
