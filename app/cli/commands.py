"""The ``kg`` command line: a thin click group over the domain in ``graph/``.

Every command prints a table for people by default and JSON with ``--json``; errors are
domain ``KgError`` values, turned into a message and an exit code in one place.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from app.cli import ask, backup, extract, incidents, render  # these modules add their commands to the group
from app.cli.base import Env, cli, emit, handles_errors, json_option, pass_env, split_list
from app.components import local_server, require_neo4j
from app.settings import StoreKind
from graph.domain.dates import DateWindow, PartialDate, window
from graph.domain.errors import InvalidParameter
from graph.services.browser_style import grass
from graph.services.loader import load
from graph.stores.protocol import MAX_DEPTH, MAX_HOPS, ClaimQuery


@cli.command("load", help="Validate a bundle (default: the project's seeds/) and load it all-or-nothing.")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Validate only; write nothing.")
@click.option("--store", "store_kind", type=click.Choice(["memory", "neo4j"]),
              help="Load into this store instead of the configured one (KG_STORE, NEO4J_URI).")
@json_option
@pass_env
@handles_errors
def load_command(env: Env, path: Path | None, check: bool, store_kind: StoreKind | None, as_json: bool) -> None:
    if store_kind is not None:
        env.use_store(store_kind)
    bundle = path or env.settings.seeds_dir
    batch, result = load(bundle, env.store, env.ontology, dry_run=check, decisions=env.replay_decisions)
    counts = {"entities": len(batch.entities), "sources": len(batch.sources), "claims": len(batch.claims),
              "incidents": len(batch.incidents)}
    if as_json:
        emit({"path": str(bundle), "checked": counts, "written": result.model_dump() if result else None})
        return
    if result is None:
        click.echo(f"{bundle}: valid ({counts['entities']} entities, {counts['sources']} sources, "
                   f"{counts['claims']} claims, {counts['incidents']} incidents); nothing written (--check)")
        return
    click.echo(f"Loaded {bundle} into {env.where}")
    click.echo(render.table(
        ("", "CREATED", "UPDATED", "UNCHANGED"),
        [[kind, result.created[kind], result.updated[kind], result.unchanged[kind]]
         for kind in ("entities", "sources", "claims", "incidents")],
    ))


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
    entity = env.store.resolve(name, at) if at else env.resolve(name)
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
    if kind is not None and kind not in env.ontology.entity_kinds:
        raise InvalidParameter("kind", kind, "unknown entity kind", list(env.ontology.entity_kinds))
    matches = env.store.find_entities(query, kind=kind, limit=limit)
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
    entity = env.resolve(name)
    outgoing = Counter(c.type for c in env.store.claims(ClaimQuery(subject=entity.id))
                       if c.subject == entity.id)
    incoming = Counter(c.type for c in env.store.claims(ClaimQuery(object=entity.id)) if c.object == entity.id)
    if as_json:
        emit({**entity.model_dump(), "claims_out": dict(sorted(outgoing.items())),
              "claims_in": dict(sorted(incoming.items()))})
        return
    click.echo(f"{entity.name} ({entity.id}, {entity.kind})")
    if entity.description:
        click.echo(entity.description)
    if entity.aliases:
        click.echo("aliases: " + ", ".join(
            a.name + (f" [{a.valid_from or '…'} to {a.valid_until or '…'}]" if a.valid_from or a.valid_until else "")
            for a in entity.aliases))
    types = sorted(set(outgoing) | set(incoming))
    click.echo(render.table(("TYPE", "AS SUBJECT", "AS OBJECT"), [[t, outgoing[t], incoming[t]] for t in types]))


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
@json_option
@pass_env
@handles_errors
def relations_command(env: Env, subject: str | None, types: tuple[str, ...], obj: str | None,
                      statuses: tuple[str, ...], since: str | None, until: str | None, min_confidence: float,
                      disputed: bool | None, source: str | None, as_json: bool) -> None:
    if source is not None:
        env.store.get_source(source)  # an unknown report id is an error, not an empty list
    query = ClaimQuery(
        subject=env.resolve(subject).id if subject else None,
        object=env.resolve(obj).id if obj else None,
        types=_types(env, types),
        statuses=tuple(env.ontology.check_status(s) for s in split_list(statuses)) or None,
        window=_window(since, until), min_confidence=min_confidence, disputed=disputed, source=source,
    )
    claims = env.store.claims(query)
    if as_json:
        emit([c.model_dump() for c in claims])
        return
    click.echo(f"{len(claims)} claim{'s' if len(claims) != 1 else ''}")
    if claims:
        click.echo(render.claims_with_quotes(claims, env.name, env.store.get_source))


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
    center = env.resolve(name)
    graph = env.store.neighbourhood(
        center.id, depth=depth, types=_types(env, types), direction=direction,  # type: ignore[arg-type]
        window=_window(since, until), min_confidence=min_confidence,
        statuses=[env.ontology.check_status(s) for s in split_list(statuses)] or None,
    )
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
@json_option
@pass_env
@handles_errors
def path_command(env: Env, source: str, target: str, max_hops: int, k: int, types: tuple[str, ...],
                 directed: bool, as_json: bool) -> None:
    start, end = env.resolve(source), env.resolve(target)
    paths = env.store.paths(start.id, end.id, max_hops=max_hops, k=k, types=_types(env, types), directed=directed)
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
    stats = env.store.stats()
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


@cli.group("neo4j", help="A local Neo4j server (Community 5.26 from Maven Central, or Docker where an engine runs).")
def neo4j_group() -> None:
    pass


@neo4j_group.command("start", help="Start the local server (fetching it on first use) and print how to reach it.")
@click.option("--via", type=click.Choice(["auto", "java", "docker"]), default="auto", show_default=True,
              help="Docker where an engine runs, else Java 17 with jars from Maven Central.")
@json_option
@pass_env
@handles_errors
def neo4j_start_command(env: Env, via: str, as_json: bool) -> None:
    server = local_server(env.settings)
    status = server.start(via)  # type: ignore[arg-type]
    if as_json:
        emit(status.public())
        return
    click.echo(f"Neo4j {status.version} is running ({status.method}, data in {status.home})")
    click.echo(f"  Bolt:     {status.bolt_uri}")
    click.echo(f"  Browser:  {status.http_uri}/browser/")
    click.echo(f"  user:     {status.user}")
    click.echo(f"  password: {status.password}")
    click.echo("Use it from kg with:")
    click.echo(f"  export NEO4J_URI={status.bolt_uri} NEO4J_USER={status.user} NEO4J_PASSWORD='{status.password}'")


@neo4j_group.command("stop", help="Stop the local server.")
@json_option
@pass_env
@handles_errors
def neo4j_stop_command(env: Env, as_json: bool) -> None:
    stopped = local_server(env.settings).stop()
    if as_json:
        emit({"stopped": stopped})
    else:
        click.echo("Neo4j stopped." if stopped else "Neo4j was not running.")


@neo4j_group.command("status", help="Whether the local server runs, and its addresses and credentials.")
@json_option
@pass_env
@handles_errors
def neo4j_status_command(env: Env, as_json: bool) -> None:
    status = local_server(env.settings).status()
    if as_json:
        emit({key: getattr(status, key) for key in ("running", "bolt_uri", "http_uri", "user", "password")})
        return
    state = f"running ({status.method}, pid {status.pid})" if status.running else "not running"
    click.echo(f"Neo4j {status.version}: {state}")
    click.echo(f"  Bolt: {status.bolt_uri}  Browser: {status.http_uri}/browser/  user: {status.user}")


@neo4j_group.command("reset", help="Delete everything in the configured Neo4j database.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_env
@handles_errors
def neo4j_reset_command(env: Env, yes: bool) -> None:
    env.use_store("neo4j")
    store = require_neo4j(env.store)
    if not yes:
        click.confirm(f"Delete every node and relationship in {store.address}?", abort=True)
    store.clear()
    click.echo(f"Emptied {store.address}.")


@neo4j_group.command("loads", help="Loads in chunks under way, or left behind by a writer that died; --recover "
                                   "settles or discards the abandoned ones.")
@click.option("--recover", is_flag=True, help="Discard the unpublished loads whose writer died and settle the "
                                              "published ones (the next write does it too).")
@json_option
@pass_env
@handles_errors
def neo4j_loads_command(env: Env, recover: bool, as_json: bool) -> None:
    env.use_store("neo4j")
    store = require_neo4j(env.store)
    recovered = store.recover_loads() if recover else []
    loads = store.loads()
    if as_json:
        emit({"recovered": recovered, "loads": loads})
        return
    for done in recovered:
        click.echo(f"{done['outcome'].capitalize()} load {done['id']} ({done['state']}, {done['rows']} records, "
                   f"left by {done['writer']}).")
    if not loads:
        click.echo(f"No load under way in {store.address}.")
        return
    click.echo(render.table(("LOAD", "STATE", "RECORDS", "WRITER", "STARTED", "LAST WROTE", "ABANDONED"),
                            [[row["id"], row["state"], row["rows"], row["writer"], row["started"],
                              f"{row['age']} s ago", "yes" if row["abandoned"] else "no"] for row in loads]))


@neo4j_group.command("style", help="Print the Neo4j Browser style (GRASS) generated from the ontology.")
@pass_env
@handles_errors
def neo4j_style_command(env: Env) -> None:
    click.echo(grass(env.ontology), nl=False)


@cli.command("serve", help="Serve the HTTP API (docs at /docs) from the configured store.")
@click.option("--host", help="Interface to listen on (default: KG_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), help="Port to listen on (default: KG_PORT, 8000).")
@click.option("--workers", type=click.IntRange(1, 64), help="Processes serving requests, each with its own "
                                                            "store (default: KG_WORKERS, 1).")
@pass_env
@handles_errors
def serve_command(env: Env, host: str | None, port: int | None, workers: int | None) -> None:
    # Imported here so the other commands do not pay for loading the web stack (~0.15 s).
    import uvicorn  # noqa: PLC0415

    from app.api import create_app  # noqa: PLC0415

    host = host or env.settings.host
    port = port if port is not None else env.settings.port
    workers = workers or env.settings.workers
    if workers > 1:
        # Each process builds its app (and opens its store) from the same settings, read from the environment.
        uvicorn.run("app.api.main:create_app", factory=True, workers=workers, log_level="info", host=host, port=port)
        return
    app = create_app(env.settings, env.store)
    uvicorn.run(app, log_level="info", host=host, port=port)


def _types(env: Env, values: tuple[str, ...]) -> tuple[str, ...] | None:
    expanded = env.ontology.expand_types(split_list(values))
    return tuple(expanded) if expanded else None


def _window(since: str | None, until: str | None) -> DateWindow:
    return window(since, until)


__all__ = ["ask", "backup", "cli", "extract", "incidents", "main", "render"]


def main() -> None:
    """Console-script entry point."""
    cli()
