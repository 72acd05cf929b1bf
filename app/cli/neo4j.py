"""`kg neo4j`: the local Neo4j server (start, stop, status), the database (reset, loads) and its Browser style."""

from __future__ import annotations

import click

from app.cli import render
from app.cli.base import Env, cli, emit, handles_errors, json_option, pass_env
from app.components import local_server, require_neo4j
from graph.services.browser_style import grass


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
    # The password stays out of this output, which ends up in terminals' scrollback and in test and CI
    # logs; those who need it (Neo4j Browser, another client) ask `kg neo4j status --json`.
    click.echo(f"  password: kept with the instance in {status.home} (mode 0600); `kg neo4j status --json` prints it")
    click.echo("Use it from kg with:")
    click.echo("  export KG_STORE=neo4j   # with NEO4J_URI unset, kg reads this server's address and password")


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
