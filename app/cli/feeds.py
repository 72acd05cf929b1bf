"""``kg feeds``: follow outlets' RSS and Atom feeds, poll them once or on an interval, see what came of it."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import click

from app.cli import render
from app.cli.base import Env, cli, emit, handles_errors, json_option, pass_env
from app.components import fetch_policy, open_feeds
from graph.domain.errors import EmptyGraph, KgError
from graph.domain.inputs import check_parameter
from graph.services.feeds import (
    ITEM_STATES,
    Feed,
    Poller,
    PollReport,
    add_feed,
    feed_items,
    get_feed,
    list_feeds,
    new_claims,
    new_incidents,
    parse_since,
    remove_feed,
    retry_failed,
)
from graph.services.fetch import Client
from graph.services.watch import DeliveryReport, deliver
from graph.stores.protocol import GraphStore


@cli.group("feeds", help="Follow outlets' RSS and Atom feeds: add, list, show, remove, poll once or watch on an "
                         "interval, retry failures, see what is new.")
def feeds_group() -> None:
    pass


def _short(text: str | None, width: int = 60) -> str:
    if not text:
        return ""
    return text if len(text) <= width else text[: width - 1] + "…"


def _status(feed: Feed) -> str:
    if feed.status == "failed":
        return f"failed ({feed.error_reason}); next try {feed.retry_at}"
    if feed.status == "warning":
        return f"read with a warning: {_short(feed.error, 50)}"
    return feed.status


@feeds_group.command("add", help="Follow a feed (RSS or Atom URL); the next poll reads it.")
@click.argument("url")
@click.option("--outlet", help="Whose feed it is, as its reports name the outlet (a registry name or alias such as "
                               "RFE/RL, or any name: one the registry lacks is added with the first report). "
                               "Unset: the site name each page gives.")
@json_option
@pass_env
@handles_errors
def add_command(env: Env, url: str, outlet: str | None, as_json: bool) -> None:
    feed = add_feed(open_feeds(env.settings), url, outlet=outlet, allow_private=env.settings.feeds_allow_private,
                    private_networks=env.settings.feeds_private_networks)
    if as_json:
        emit(feed.as_dict())
        return
    click.echo(f"Following feed {feed.id}: {feed.url}" + (f" ({feed.outlet})" if feed.outlet else "")
               + "; `kg feeds poll` reads it")


@feeds_group.command("list", help="The feeds followed, their last poll, and their items by state.")
@json_option
@pass_env
@handles_errors
def list_command(env: Env, as_json: bool) -> None:
    feeds = list_feeds(open_feeds(env.settings))
    if as_json:
        emit([f.as_dict() for f in feeds])
        return
    if not feeds:
        click.echo("No feeds followed yet: `kg feeds add URL --outlet NAME`")
        return
    click.echo(render.table(
        ("ID", "OUTLET", "URL", "LAST POLL", "STATUS", "READ", "COPIES", "DUPLICATES", "FAILED", "WAITING"),
        [[f.id, _short(f.outlet or f.title, 24), _short(f.url, 50), (f.polled_at or "never")[:19], _status(f),
          f.items.get("ingested", 0) - f.copies, f.copies, f.items.get("duplicate", 0), f.items.get("failed", 0),
          sum(f.items.get(s, 0) for s in ("queued", "fetched", "writing"))] for f in feeds]))


@feeds_group.command("show", help="One feed: its record, and its latest items (failures with why and when next).")
@click.argument("feed")
@click.option("--state", "states", multiple=True, type=click.Choice(ITEM_STATES), help="Only items in these states.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000), help="How many items.")
@json_option
@pass_env
@handles_errors
def show_command(env: Env, feed: str, states: tuple[str, ...], limit: int, as_json: bool) -> None:
    state = open_feeds(env.settings)
    record = get_feed(state, feed)
    items = feed_items(state, record.id, states=states or None, limit=limit)
    if as_json:
        emit({"feed": record.as_dict(), "items": items})
        return
    click.echo(f"Feed {record.id}: {record.url}")
    for label, value in (("outlet", record.outlet or record.title), ("added", record.added_at),
                         ("last poll", record.polled_at or "never"), ("status", _status(record)),
                         ("error", record.error), ("moved to", record.moved_to), ("entries", record.entries)):
        if value:
            click.echo(f"  {label}: {value}")
    click.echo("  items: " + ", ".join(f"{record.items.get(s, 0)} {s}" for s in ITEM_STATES))
    if items:
        click.echo(render.table(("ITEM", "STATE", "REPORT", "CLAIMS", "URL", "WHY / NEXT TRY"), [
            [i["id"], i["state"], i["source"] or "", i["claims"] if i["claims"] is not None else "",
             _short(i["url"], 56),
             f"{i['error_reason']}: {_short(i['error'], 60)}; next {i['retry_at'] or 'on `kg feeds retry`'}"
             if i["state"] == "failed" else (f"runs the text of item {i['same_as']}" if i["same_as"] else "")]
            for i in items]))


@feeds_group.command("remove", help="Stop following a feed (by id or URL); its items stay known, never read twice.")
@click.argument("feed")
@json_option
@pass_env
@handles_errors
def remove_command(env: Env, feed: str, as_json: bool) -> None:
    removed = remove_feed(open_feeds(env.settings), feed)
    if as_json:
        emit(removed.as_dict())
        return
    click.echo(f"No longer following feed {removed.id}: {removed.url}")


@feeds_group.command("retry", help="Make every failed item due at the next poll (all feeds, or one).")
@click.option("--feed", help="Only this feed's failed items (id or URL).")
@json_option
@pass_env
@handles_errors
def retry_command(env: Env, feed: str | None, as_json: bool) -> None:
    state = open_feeds(env.settings)
    count = retry_failed(state, get_feed(state, feed).id if feed else None)
    if as_json:
        emit({"due": count})
        return
    click.echo(f"{count} failed item{'s' if count != 1 else ''} will be tried at the next poll")


def _poller(env: Env, progress: Callable[[int, int], None] | None) -> Poller:
    if not env.store.count_entities():
        raise EmptyGraph(f"the graph in {env.where} holds nothing yet: run `kg load` first, so that reports "
                         "are read against the registry")
    state = open_feeds(env.settings)
    return Poller(state, env.store, env.ontology, extractor=lambda: env.extractor,
                  client=Client(fetch_policy(env.settings), state),
                  near_duplicate=env.settings.feeds_near_duplicate, max_entries=env.settings.feeds_max_entries,
                  max_report_chars=env.settings.max_report_chars, batch=env.settings.feeds_batch, progress=progress,
                  staging=env.settings.staging_path, decisions=env.decisions, verdicts=env.review_log.verdicts())


class _Bar:
    """click's progress bar over a poll's items, made once the poll knows how many there are."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._shown = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total == 0:
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label="Reading new items", file=sys.stderr,
                                          show_pos=True, show_eta=True)
            self._bar.__enter__()
        self._bar.length = total  # a feed read brings its new items to the count
        self._bar.update(done - self._shown)
        self._shown = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _print_poll(env: Env, report: PollReport, seconds: float, delivered: DeliveryReport | None) -> None:
    read = sum(1 for f in report.feeds if f.status == "read")
    unchanged = sum(1 for f in report.feeds if f.status == "unchanged")
    failed_feeds = [f for f in report.feeds if f.status == "failed"]
    new = sum(f.new for f in report.feeds)
    resumed = ", ".join(f"{n} {s}" for s, n in report.resumed.items())
    click.echo(f"Polled {len(report.feeds)} feed{'s' if len(report.feeds) != 1 else ''} in {seconds:.1f} s "
               f"({read} read, {unchanged} unchanged, {len(failed_feeds)} failed): {new} new item"
               f"{'s' if new != 1 else ''}" + (f"; resumed an interrupted poll ({resumed})" if resumed else ""))
    created = report.written["created"]
    click.echo(f"  {report.read} read and loaded, {report.copies} copies of texts read before (more sources, "
               f"not read again), {report.duplicates} duplicates of the same outlet skipped, "
               f"{len(report.failed)} failed")
    click.echo(f"  created {created['claims']} claims, {created['sources']} reports, {created['entities']} entities; "
               f"{report.arrived} claims arrived; {report.alerts} alert{'s' if report.alerts != 1 else ''} queued"
               + (f", {len(delivered.delivered)} delivered" if delivered is not None else ""))
    if report.left_out:
        click.echo(f"  {report.left_out} claims of leaders were left out of copies that lack their sentence")
    if report.incidents:
        click.echo(f"  {report.incidents} incident{'s' if report.incidents != 1 else ''} written (new, or told by "
                   "one more report)")
    if report.staged:
        click.echo(f"  {report.staged} claims naming actors the registry lacks staged with them for review "
                   "(kg review)")
    if report.held:
        click.echo(f"  {report.held} claims naming actors the registry lacks held back: no staging file to stage "
                   "them in")
    for outcome in report.feeds:
        if outcome.status == "failed":
            click.echo(f"feed {outcome.feed} failed ({outcome.reason}): {outcome.error}; next try {outcome.retry_at}")
        if outcome.warning:
            click.echo(f"feed {outcome.feed}: {outcome.warning}")
        if outcome.moved_to:
            click.echo(f"feed {outcome.feed} redirects to {outcome.moved_to}")
        for why, count in outcome.skipped.items():
            click.echo(f"feed {outcome.feed}: {count} entries skipped: {why}")
    for failure in report.failed:
        retry = f"next try {failure['retry_at']}" if failure["retry_at"] else "not retried (`kg feeds retry`)"
        click.echo(f"item {failure['item']} failed ({failure['reason']}): {failure['error']}; {retry}")
    if delivered is not None:
        if delivered.busy:
            click.echo("  alerts are being delivered by another process (`kg watch deliver`): it delivers these too")
        for failure in delivered.failed:
            click.echo(f"alert {failure['message']} to {failure['watchlist']} not delivered: {failure['error']}; "
                       f"next try {failure['retry_at']}")


def _poll_once(env: Env, feeds: tuple[str, ...], progress: bool | None, deliver_alerts: bool,
               as_json: bool) -> tuple[PollReport, DeliveryReport | None]:
    state = open_feeds(env.settings)
    ids = [get_feed(state, f).id for f in feeds] if feeds else None
    bar = _Bar(progress if progress is not None else (not as_json and sys.stderr.isatty()))
    poller = _poller(env, bar)
    started = time.monotonic()
    try:
        report = poller.poll(ids)
    finally:
        bar.close()
    delivered = deliver(state, fetch_policy(env.settings)) if deliver_alerts else None
    if as_json:
        emit({**report.as_dict(), "seconds": round(time.monotonic() - started, 3),
              "delivered": delivered.as_dict() if delivered is not None else None})
    else:
        _print_poll(env, report, time.monotonic() - started, delivered)
    return report, delivered


poll_options = [
    click.option("--feed", "feeds", multiple=True, help="Only this feed (id or URL; repeat for more)."),
    click.option("--progress/--no-progress", default=None,
                 help="Show a progress bar on stderr (default: when stderr is a terminal and not --json)."),
    click.option("--deliver/--no-deliver", "deliver_alerts", default=True, show_default=True,
                 help="Deliver the alerts the poll queued (and any still pending)."),
]


def _with(options: list[Any]) -> Callable[[Any], Any]:
    def apply(command: Any) -> Any:
        for option in reversed(options):
            command = option(command)
        return command
    return apply


@feeds_group.command("poll", help="Poll the feeds once: read new items, write their claims, queue and deliver alerts. "
                                  "A poll that was interrupted is resumed.")
@_with(poll_options)
@json_option
@pass_env
@handles_errors
def poll_command(env: Env, feeds: tuple[str, ...], progress: bool | None, deliver_alerts: bool, as_json: bool) -> None:
    _poll_once(env, feeds, progress, deliver_alerts, as_json)


@feeds_group.command("watch", help="Poll the feeds on an interval until stopped (Ctrl-C), delivering alerts.")
@click.option("--interval", type=click.FloatRange(min=1), help="Seconds between polls (default KG_FEEDS_INTERVAL).")
@click.option("--polls", type=click.IntRange(min=1), help="Stop after this many polls.")
@_with(poll_options)
@json_option
@pass_env
@handles_errors
def watch_command(env: Env, interval: float | None, polls: int | None, feeds: tuple[str, ...], progress: bool | None,
                  deliver_alerts: bool, as_json: bool) -> None:
    wait = interval or env.settings.feeds_interval
    count = 0
    try:
        while True:
            try:
                _poll_once(env, feeds, progress, deliver_alerts, as_json)
            except KgError as error:  # a watcher keeps watching: the next poll may find the store or the lock free
                click.echo(f"error: {error.message}; trying again at the next poll", err=True)
            count += 1
            if polls is not None and count >= polls:
                return
            if not as_json:
                click.echo(f"next poll in {wait:g} s (Ctrl-C stops)")
            time.sleep(wait)
    except KeyboardInterrupt:
        click.echo("stopped; the next poll resumes from where this one was", err=True)


@feeds_group.command("new", help="Claims and incidents that arrived through feeds since a date or time.")
@click.option("--since", required=True, help="YYYY, YYYY-MM, YYYY-MM-DD or an ISO 8601 time (UTC unless it says).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500), help="How many of each.")
@json_option
@pass_env
@handles_errors
def new_command(env: Env, since: str, limit: int, as_json: bool) -> None:
    check_parameter("--since", since)
    moment = parse_since(since)
    state = open_feeds(env.settings)
    claim_refs, claim_count = new_claims(state, moment, limit=limit, offset=0)
    incidents, incident_count = new_incidents(state, moment, limit=limit, offset=0)
    store = env.store
    claims = store.get_claims([r.claim for r in claim_refs] + [c for i in incidents for c in i.claims])
    if as_json:
        emit({"since": moment, "incidents": {"count": incident_count, "data": [
            {"relation": i.relation, "first_arrived": i.first_arrived,
             "claims": [claims[c].model_dump() for c in i.claims if c in claims]} for i in incidents]},
            "claims": {"count": claim_count, "data": [{**claims[r.claim].model_dump(), "arrived_at": r.arrived_at}
                                                      for r in claim_refs if r.claim in claims]}})
        return
    _print_new(store, moment, claim_refs, claim_count, incidents, incident_count, claims)


def _print_new(store: GraphStore, moment: str, claim_refs: list[Any], claim_count: int, incidents: list[Any],
               incident_count: int, claims: dict[str, Any]) -> None:
    names = {e.id: e.name for e in store.get_entities({i for c in claims.values() for i in (c.subject, c.object)})
             .values()}
    refs = store.source_refs({c.source for c in claims.values()})
    click.echo(f"Since {moment}: {incident_count} new incident{'s' if incident_count != 1 else ''}, "
               f"{claim_count} claim{'s' if claim_count != 1 else ''} arrived")
    for incident in incidents:
        members = [claims[c] for c in incident.claims if c in claims]
        if not members:
            continue
        first = members[0]
        outlets = sorted({refs[c.source].outlet for c in members if c.source in refs})
        click.echo(f"incident: {names.get(first.subject, first.subject)} {first.type} "
                   f"{names.get(first.object, first.object)} {first.date or 'undated'}: {len(outlets)} source"
                   f"{'s' if len(outlets) != 1 else ''} ({', '.join(outlets)}), first heard {incident.first_arrived}")
    rows = []
    for ref in claim_refs:
        claim = claims.get(ref.claim)
        if claim is None:
            continue
        source = refs.get(claim.source)
        rows.append([ref.arrived_at[:19], names.get(claim.subject, claim.subject), claim.type,
                     names.get(claim.object, claim.object), claim.status, source.outlet if source else claim.source,
                     _short(claim.quote, 70)])
    if rows:
        click.echo(render.table(("ARRIVED", "SUBJECT", "TYPE", "OBJECT", "STATUS", "SOURCE", "QUOTE"), rows))

