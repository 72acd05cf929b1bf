"""``kg incidents``: what happened, where, when, by whose account and how many died, one incident per row.

A group, so that commands about one incident (``kg incidents show ID``) sit under it; run without a command it
lists incidents. Filters and output shapes come from ``graph.services.incidents``, as for ``/v1/incidents``.
"""

from __future__ import annotations

import getpass

import click

from app.cli import render
from app.cli.base import Env, cli, emit, handles_errors, json_option, pass_env
from app.usecases.filters import split
from graph.domain.model import Count, IncidentOut
from graph.services import incident_merge
from graph.services.incident_merge import Outcome
from graph.services.incidents import acled_csv, detail, geojson, incident_query, present
from graph.stores.protocol import MAX_INCIDENT_PAGE


@cli.group("incidents", invoke_without_command=True,
           help="List incidents (newest first), filtered by place or country, a bounding box, dates, perpetrator "
                "and type; a table by default, --json, --geojson or --csv (ACLED's columns) for tools.")
@click.option("--place", help="A place or country: name, alias or id; a province takes in its towns and districts.")
@click.option("--country", help="A country: name, alias or id.")
@click.option("--bbox", help="Only incidents inside WEST,SOUTH,EAST,NORTH (degrees, GeoJSON's order).")
@click.option("--since", help="Happened on or after this date (YYYY[-MM[-DD]]).")
@click.option("--until", help="Happened on or before this date (YYYY[-MM[-DD]]).")
@click.option("--perpetrator", help="Said to be done by this actor (on any basis but a denial): name, alias or id.")
@click.option("--type", "types", multiple=True,
              help="Incident type, e.g. bombing (takes in suicide bombings); repeat or comma-separate.")
@click.option("--source", help="Only incidents told by this report id.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, MAX_INCIDENT_PAGE),
              help="How many incidents to list.")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0), help="How many to skip first.")
@click.option("--geojson", "as_geojson", is_flag=True, help="Print a GeoJSON FeatureCollection of the incidents.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV in ACLED's columns.")
@json_option
@click.pass_context
@handles_errors
def incidents_command(ctx: click.Context, place: str | None, country: str | None, bbox: str | None,
                      since: str | None, until: str | None, perpetrator: str | None, types: tuple[str, ...],
                      source: str | None, limit: int, offset: int, as_geojson: bool, as_csv: bool,
                      as_json: bool) -> None:
    if ctx.invoked_subcommand is not None:
        return
    if sum((as_geojson, as_csv, as_json)) > 1:
        raise click.UsageError("choose one of --json, --geojson and --csv")
    env = ctx.find_object(Env)
    assert env is not None
    store = env.store
    if source is not None:
        store.get_source(source)  # an unknown report id is an error, not an empty list
    query = incident_query(store, env.ontology, place=place, country=country, bbox=bbox, since=since, until=until,
                           perpetrator=perpetrator,
                           types=split("type", types, list(env.ontology.incident_types), "skip"),
                           source=source, limit=limit,
                           offset=offset)
    found = present(store, env.ontology, store.incidents(query))
    total = store.count_incidents(query)
    if as_json:
        emit({"data": [i.model_dump(mode="json") for i in found], "count": total})
    elif as_geojson:
        emit(geojson(found, count=total))
    elif as_csv:
        click.echo(acled_csv(found, env.ontology), nl=False)
    else:
        shown = f" (showing {offset + 1}-{offset + len(found)})" if found and len(found) < total else ""
        click.echo(f"{total} incident{'s' if total != 1 else ''}{shown}")
        if found:
            click.echo(render.table(INCIDENT_HEADERS, [incident_row(i) for i in found]))


INCIDENT_HEADERS = ("DATE", "TYPE", "PLACE", "COUNTRY", "PERPETRATORS", "KILLED", "REPORTS", "INCIDENT")


def contradiction_lines(incident: IncidentOut) -> list[str]:
    """Where an incident's reports disagree, each account side by side, by name: one wording for `kg incidents
    show` and for `kg ask`'s incident answers, so an analyst reads a disagreement the same way in both."""
    names = {p.id: p.name for p in incident.perpetrators} | {
        p.asserted_by: p.asserted_by_name for p in incident.perpetrators if p.asserted_by and p.asserted_by_name}
    lines = []
    for differ in incident.contradictions:
        if differ["field"] == "perpetrator":
            said = "; ".join(f"{a['basis']} by {names.get(a['asserted_by'], a['asserted_by'])}"
                             for a in differ["accounts"])
            lines.append(f"  side by side, who did it: {names.get(differ['id'], differ['id'])}: {said}")
        else:
            said = "; ".join(f"{r['source']}: {r.get('text') or figure(Count(min=r.get('min'), max=r.get('max')))}"
                             for r in differ["reports"])
            lines.append(f"  side by side, {differ['field']}: {said}")
    return lines


def figure(count: Count | None) -> str:
    """A stated figure as people read it: 51+, 2, 40-45, ≤200."""
    if count is None or (count.min is None and count.max is None):
        return ""
    if count.min == count.max:
        return str(count.min)
    if count.max is None:
        return f"{count.min}+"
    if count.min is None:
        return f"≤{count.max}"
    return f"{count.min}-{count.max}"


def incident_row(incident: IncidentOut) -> list[object]:
    """One table row: the date, type, place, country, who did it (by basis), casualties, reports and id."""
    acting = [f"{p.name} ({p.basis})" for p in incident.perpetrators if p.basis != "denied"]
    denied = [f"{p.name} (denied by {p.asserted_by_name})" for p in incident.perpetrators if p.basis == "denied"]
    return [incident.date or "", incident.type_label, incident.place.name if incident.place else "",
            incident.country.name if incident.country else "", "; ".join(dict.fromkeys(acting + denied)),
            figure(incident.killed), incident.corroboration, incident.id]


@incidents_command.command("show", help="One incident in full: where, when, who (by whose account), whom, "
                                         "casualties, and each report's quote.")
@click.argument("incident_id")
@json_option
@pass_env
@handles_errors
def show_command(env: Env, incident_id: str, as_json: bool) -> None:
    incident = detail(env.store, env.ontology, incident_id)
    if as_json:
        emit(incident.model_dump(mode="json"))
        return
    place = ", ".join(p for p in (incident.place.name if incident.place else None, incident.admin1,
                                  incident.country.name if incident.country else None) if p)
    click.echo(f"{incident.id}: {incident.type_label}, {incident.date or 'date unknown'}, {place or 'place unknown'}")
    if incident.location is not None:
        click.echo(f"  at {incident.location.lat:.4f}, {incident.location.lon:.4f} "
                   f"({incident.location.precision or 'precision not said'})")
    for perpetrator in incident.perpetrators:
        by = f" by {perpetrator.asserted_by_name}" if perpetrator.asserted_by_name else ""
        click.echo(f"  perpetrator: {perpetrator.name} ({perpetrator.basis}{by})")
    for target in incident.targets:
        click.echo(f"  target: {target.name}")
    for label, count in (("killed", incident.killed), ("injured", incident.injured), ("abducted", incident.abducted)):
        if count is not None:
            click.echo(f"  {label}: {figure(count) or '?'}" + (f" ({count.text})" if count.text else ""))
    if incident.note:
        click.echo(f"  note: {incident.note}")
    for line in contradiction_lines(incident):
        click.echo(line)
    for change in incident.history:
        click.echo(f"  {change.action} {change.incident} ({', '.join(change.reports)}) by {change.by}"
                   f"{' at ' + change.at if change.at else ''}: {change.reason or ''}")
    for report in incident.reports:
        figures = ", ".join(f"{label} {figure(count)}" for label, count in (("killed", report.killed),
                                                                           ("injured", report.injured)) if count)
        click.echo(f"  — {report.report.outlet}, {report.report.published or 'undated'}: {report.report.title} "
                   f"[{report.source} {report.span[0]}-{report.span[1]}]" + (f" ({figures})" if figures else ""))
        click.echo(f"    │ {report.quote}")
    if incident.claims:
        click.echo(f"  {len(incident.claims)} claim{'s' if len(incident.claims) != 1 else ''} about it:")
        for claim in incident.claims:
            by = f", {claim.status} by {env.name(claim.asserted_by)}" if claim.asserted_by else f", {claim.status}"
            click.echo(f"  {claim.subject_name} {claim.type} {claim.object_name}{by} [{claim.id}]")


@incidents_command.command("merge", help="Fold incident OTHER into incident KEPT: one incident with the reports, "
                                          "perpetrators, targets and figures of both (recorded, and undone with "
                                          "`kg incidents split`).")
@click.argument("kept")
@click.argument("other")
@click.option("--reason", help="Why they are one incident (recorded with the merge).")
@click.option("--force", is_flag=True, help="Merge even where types, places or dates say they are not one.")
@json_option
@pass_env
@handles_errors
def merge_command(env: Env, kept: str, other: str, reason: str | None, force: bool, as_json: bool) -> None:
    outcome = incident_merge.merge(env.store, env.ontology, env.decisions, kept, other, by=_who(), reason=reason,
                                   force=force)
    _print_outcome(env, outcome, as_json)


@incidents_command.command("split", help="Take one report's part out of incident ID into an incident of its own "
                                          "(what each report told is kept from before a merge; recorded).")
@click.argument("incident_id")
@click.option("--report", "source", required=True, help="The id of the report (source) to take out.")
@click.option("--into", help="The new incident's id (default: its id before the merge, else one made from ID).")
@click.option("--reason", help="Why the report tells another incident (recorded with the split).")
@json_option
@pass_env
@handles_errors
def split_command(env: Env, incident_id: str, source: str, into: str | None, reason: str | None,
                  as_json: bool) -> None:
    outcome = incident_merge.split(env.store, env.ontology, env.decisions, incident_id, source, by=_who(), into=into,
                                   reason=reason)
    _print_outcome(env, outcome, as_json)


def _who() -> str:
    """Who decided, for the record: the user running the command."""
    return f"{getpass.getuser()} (kg incidents)"


def _print_outcome(env: Env, outcome: Outcome, as_json: bool) -> None:
    shown = present(env.store, env.ontology, outcome.incidents)
    decision = outcome.decision
    if as_json:
        emit({"decision": {k: v for k, v in decision.as_dict().items() if k not in ("parts", "moved")},
              "incidents": [i.model_dump(mode="json") for i in shown], "written": outcome.written.model_dump(),
              "log": str(env.settings.incident_log_path)})
        return
    verb = "merged into" if decision.action == "merge" else "split out of"
    subject = decision.other
    target = decision.kept
    click.echo(f"{subject} {verb} {target} ({', '.join(decision.reports)}): {decision.reason}")
    click.echo(f"recorded in {env.settings.incident_log_path}")
    click.echo(render.table(INCIDENT_HEADERS, [incident_row(i) for i in shown]))
