"""The reading commands of `kg`: resolve, search, entity, relations, neighbours, path, stats and schema."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from typing import Any

import click

from app.cli import render
from app.cli.base import Env, cli, emit, handles_errors, json_option, pass_env
from app.usecases import reads
from app.usecases import stats as figures
from app.usecases.reads import ClaimsAsked
from graph.domain.dates import PartialDate
from graph.domain.errors import InvalidParameter
from graph.domain.model import Source
from graph.domain.ontology import ANY_TIE
from graph.stores.protocol import MAX_DEPTH, MAX_HOPS


@cli.command("resolve", help="Say which entity a name or alias stands for (exit 1: no match, 2: ambiguous).")
@click.argument("name")
@click.option("--at", help="Date (YYYY[-MM[-DD]]) at which to read aliases that hold only for a time.")
@json_option
@pass_env
@handles_errors
def resolve_command(env: Env, name: str, at: str | None, as_json: bool) -> None:
    if at:
        try:
            PartialDate.parse(at)
        except ValueError as error:
            raise InvalidParameter("--at", at, f"invalid date: {error}") from error
    entity = env.names.entity(name, at)
    if as_json:
        emit({"id": entity.id, "name": entity.name, "kind": entity.kind})
    else:
        click.echo(f"{name} → {entity.name} ({entity.id}, {entity.kind})")


@cli.command("search", help="Find entities whose names or aliases resemble a query, best first.")
@click.argument("query")
@click.option("--kind", help="Only entities of this kind.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100), help="How many at most.")
@json_option
@pass_env
@handles_errors
def search_command(env: Env, query: str, kind: str | None, limit: int, as_json: bool) -> None:
    matches = reads.search(env.store, env.ontology, query, kind=kind, limit=limit)
    if as_json:
        emit([{"id": m.entity.id, "name": m.entity.name, "kind": m.entity.kind, "matched": m.matched,
               "score": m.score} for m in matches])
    else:
        click.echo(render.table(("ID", "NAME", "KIND", "MATCHED", "SCORE"),
                                [[m.entity.id, m.entity.name, m.entity.kind, m.matched, f"{m.score:.2f}"]
                                 for m in matches]))


@cli.command("entity", help="Show an entity: its aliases and its claims counted by type and direction.")
@click.argument("name")
@json_option
@pass_env
@handles_errors
def entity_command(env: Env, name: str, as_json: bool) -> None:
    detail = reads.entity_detail(env.store, env.names, name)
    entity, outgoing, incoming = detail.entity, detail.claims_out, detail.claims_in
    if as_json:
        emit({**entity.model_dump(), "claims_out": outgoing, "claims_in": incoming})
        return
    click.echo(f"{entity.name} ({entity.id}, {entity.kind})")
    if entity.description:
        click.echo(entity.description)
    if entity.parent:
        parent = env.store.get_entities([entity.parent]).get(entity.parent)
        click.echo(f"parent: {parent.name if parent else entity.parent} ({entity.parent}, {entity.parent_relation})")
    if entity.aliases:
        click.echo("aliases: " + ", ".join(
            a.name + (f" [{a.valid_from or '…'} to {a.valid_until or '…'}]" if a.valid_from or a.valid_until else "")
            for a in entity.aliases))
    if entity.source:
        click.echo(f"source: {entity.source}")
    types = sorted(set(outgoing) | set(incoming))
    click.echo(render.table(("TYPE", "AS SUBJECT", "AS OBJECT"),
                            [[t, outgoing.get(t, 0), incoming.get(t, 0)] for t in types]))


@cli.command("relations", help="List claims with their quotes and sources, filtered.")
@click.option("--subject", help="Name or alias of the subject.")
@click.option("--type", "types", multiple=True, help="Relation type or category (repeat or comma-separate).")
@click.option("--object", "obj", help="Name or alias of the object.")
@click.option("--status", "statuses", multiple=True, help="Claim status (repeat or comma-separate).")
@click.option("--since", help="Happened on or after this date (YYYY[-MM[-DD]]).")
@click.option("--until", help="Happened on or before this date (YYYY[-MM[-DD]]).")
@click.option("--min-confidence", default=0.0, type=click.FloatRange(0, 1), help="Lowest confidence to show.")
@click.option("--disputed/--undisputed", default=None, help="Only claims a denial disputes, or only undisputed.")
@click.option("--source", help="Only claims from this report id.")
@click.option("--incident", help="Only claims about this incident id (attack, responsibility, blame, denial).")
@json_option
@pass_env
@handles_errors
def relations_command(env: Env, subject: str | None, types: tuple[str, ...], obj: str | None,
                      statuses: tuple[str, ...], since: str | None, until: str | None, min_confidence: float,
                      disputed: bool | None, source: str | None, incident: str | None, as_json: bool) -> None:
    # Blank names and list parts are no filter here, as they always were for kg (the API refuses them).
    query = reads.claim_query(env.store, env.ontology, env.names, ClaimsAsked(
        subject=subject or None, object=obj or None, types=types, statuses=statuses, since=since, until=until,
        min_confidence=min_confidence, disputed=disputed, source=source, incident=incident or None,
        blank="skip"))
    # Printed a page at a time, never every match at once: JSON as one array written as it comes; text in two
    # passes, the first counting and fitting the columns over every page (holding only the widths), the second
    # printing with each page's reports read in one batch.
    if as_json:
        _stream_json(c.model_dump() for page in reads.claim_pages(env.store, query) for c in page)
        return
    total, widths = 0, render.fitted(render.CLAIM_HEADERS, [])
    for page in reads.claim_pages(env.store, query):
        total += len(page)
        widths = render.fitted(render.CLAIM_HEADERS, render.claim_rows(page, env.name), widths)
    click.echo(f"{total} claim{'s' if total != 1 else ''}")
    if not total:
        return
    click.echo("\n".join(render.table_head(render.CLAIM_HEADERS, widths)))
    for page in reads.claim_pages(env.store, query):
        reports = env.store.get_sources({c.source for c in page})

        def report_of(source_id: str, reports: dict[str, Source] = reports) -> Source:
            return reports[source_id] if source_id in reports else env.store.get_source(source_id)

        click.echo("\n".join(render.claim_lines(page, env.name, report_of, widths)))


def _stream_json(items: Iterator[dict[str, Any]]) -> None:
    """A JSON array printed item by item, exactly as ``emit`` prints the whole list (``[]`` when empty)."""
    previous = next(items, None)
    if previous is None:
        emit([])
        return
    click.echo("[")
    for item in items:
        click.echo(_indented(previous) + ",")
        previous = item
    click.echo(_indented(previous))
    click.echo("]")


def _indented(item: dict[str, Any]) -> str:
    return textwrap.indent(json.dumps(item, ensure_ascii=False, indent=2), "  ")


@cli.command("neighbours", help="Entities around one entity, with the claims among them.")
@click.argument("name")
@click.option("--depth", default=1, show_default=True, type=click.IntRange(1, MAX_DEPTH), help="Hops out.")
@click.option("--types", multiple=True, help="Relation types or categories to follow.")
@click.option("--direction", default="both", show_default=True, type=click.Choice(["out", "in", "both"]),
              help="Follow claims from the entity, to it, or both.")
@click.option("--status", "statuses", multiple=True, help="Claim statuses to follow.")
@click.option("--since", help="Claims that happened on or after this date.")
@click.option("--until", help="Claims that happened on or before this date.")
@click.option("--min-confidence", default=0.0, type=click.FloatRange(0, 1), help="Lowest confidence to follow.")
@json_option
@pass_env
@handles_errors
def neighbours_command(env: Env, name: str, depth: int, types: tuple[str, ...], direction: str,
                       statuses: tuple[str, ...], since: str | None, until: str | None, min_confidence: float,
                       as_json: bool) -> None:
    found = reads.neighbourhood(env.store, env.ontology, env.names, name, depth=depth, types=types,
                                direction=direction, since=since, until=until, status=statuses,  # type: ignore[arg-type]
                                min_confidence=min_confidence, blank="skip")
    center, graph = found.center, found.subgraph
    if as_json:
        emit(graph.model_dump())
        return
    click.echo(f"{center.name}: {len(graph.nodes) - 1} neighbours within {depth} hop(s), {len(graph.links)} claims")
    click.echo(render.table(("DEPTH", "ID", "NAME", "KIND"), [[n.depth, n.id, n.name, n.kind] for n in graph.nodes]))
    click.echo()
    click.echo(render.table(render.CLAIM_HEADERS, render.claim_rows([link.claim for link in graph.links], env.name)))


@cli.command("path", help="How two entities are connected: shortest paths, each hop with its claims.")
@click.argument("source")
@click.argument("target")
@click.option("--max-hops", default=4, show_default=True, type=click.IntRange(1, MAX_HOPS), help="Longest path.")
@click.option("--k", default=1, show_default=True, type=click.IntRange(1, 20), help="How many paths.")
@click.option("--types", multiple=True, help="Relation types or categories a path may use.")
@click.option("--directed", is_flag=True, help="Follow claims only from subject to object.")
@click.option("--status", "statuses", multiple=True, help="Claim statuses a path may use (repeat or comma-separate).")
@click.option("--ties", default=ANY_TIE, show_default=True,
              help="Which ties to follow: hostile or friendly (the types of the categories the ontology's `ties` "
                   "names), or any; with --types, the types asked for within the tie.")
@json_option
@pass_env
@handles_errors
def path_command(env: Env, source: str, target: str, max_hops: int, k: int, types: tuple[str, ...],
                 directed: bool, statuses: tuple[str, ...], ties: str, as_json: bool) -> None:
    # The same use case as GET /v1/paths: the tie's types and the statuses are checked there, once.
    found = reads.paths(env.store, env.ontology, env.names, source, target, max_hops=max_hops, k=k, types=types,
                        directed=directed, blank="skip", status=statuses, ties=ties)
    start, end, paths = found.start, found.end, found.paths
    if as_json:
        emit([[hop.model_dump(by_alias=True) for hop in hops] for hops in paths])
        return
    if not paths:
        click.echo(f"No path from {start.name} to {end.name} within {max_hops} hops.")
        return
    click.echo("\n\n".join(render.path_text(i, hops, env.name, env.store.get_source)
                           for i, hops in enumerate(paths, start=1)))


@cli.command("stats", help="Counts of entities, sources and claims by kind, type and status.")
@json_option
@pass_env
@handles_errors
def stats_command(env: Env, as_json: bool) -> None:
    stats = figures.counts(env.store)
    if as_json:
        emit(stats.model_dump())
        return
    click.echo(f"{stats.entities} entities, {stats.claims} claims ({stats.disputed_claims} disputed), "
               f"{stats.sources} source{'s' if stats.sources != 1 else ''}")
    for title, counts in (("KIND", stats.entities_by_kind), ("TYPE", stats.claims_by_type),
                          ("STATUS", stats.claims_by_status)):
        click.echo()
        click.echo(render.table((title, "COUNT"), sorted(counts.items())))


@cli.command("schema", help="The ontology: entity kinds, statuses and relation types.")
@json_option
@pass_env
@handles_errors
def schema_command(env: Env, as_json: bool) -> None:
    if as_json:
        emit(env.ontology.model_dump())
        return
    click.echo(render.table(
        ("TYPE", "CATEGORY", "SUBJECT KINDS", "OBJECT KINDS", "MEANING"),
        [[t.name + (" (symmetric)" if t.symmetric else ""), t.category, ", ".join(t.subject_kinds),
          ", ".join(t.object_kinds), t.meaning] for t in env.ontology.relation_types.values()],
    ))
    click.echo()
    click.echo(render.table(("STATUS", "MEANING"), [[k, v.description] for k, v in env.ontology.statuses.items()]))
