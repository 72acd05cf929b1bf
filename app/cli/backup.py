"""The backup commands of ``kg``: export the whole graph to a file, import it into an empty store."""

from __future__ import annotations

from pathlib import Path

import click

from app.cli import render
from app.cli.base import Env, cli, emit, handles_errors, json_option, pass_env
from app.settings import StoreKind
from graph.services.backup import restore_backup, write_backup
from graph.services.export import admin_csv
from graph.services.review import Staging

STORE_OPTION = click.option("--store", "store_kind", type=click.Choice(["memory", "neo4j"]),
                            help="Use this store instead of the configured one (KG_STORE, NEO4J_URI).")


@cli.command("export", help="Write the whole graph to FILE: a backup (entities, sources with their text, claims, "
                            "incidents, claims awaiting review) that `kg import` restores into any store, or with "
                            "--format admin-csv the CSV pair (FILE is a folder) that neo4j-admin imports.")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["backup", "admin-csv"]), default="backup", show_default=True,
              help="backup: one JSON Lines file; admin-csv: nodes.csv and relationships.csv for "
                   "`neo4j-admin database import full`.")
@STORE_OPTION
@json_option
@pass_env
@handles_errors
def export_command(env: Env, file: Path, fmt: str, store_kind: StoreKind | None, as_json: bool) -> None:
    if store_kind is not None:
        env.use_store(store_kind)
    if fmt == "admin-csv":
        written = admin_csv(env.store, env.ontology, file)
        if as_json:
            emit({"format": fmt, "nodes": str(written.nodes), "relationships": str(written.relationships),
                  "counts": {"entities": written.entities, "sources": written.sources, "claims": written.claims,
                             "incidents": written.incidents},
                  "command": written.command()})
            return
        click.echo(f"Wrote {written.nodes} and {written.relationships} ({written.entities} entities, "
                   f"{written.sources} sources, {written.claims} claims, {written.incidents} incidents; claims "
                   "awaiting review are not in them: "
                   "`kg export` without --format keeps those).")
        click.echo("Import them into a stopped Neo4j (what its database holds is replaced), then start it:")
        click.echo(f"  {written.command()}")
        return
    summary = write_backup(env.store, env.ontology, file, Staging(env.settings.staging_path), env.decisions,
                           env.review_log)
    if as_json:
        emit({"format": fmt, "path": str(summary.path), "counts": summary.counts})
        return
    click.echo(f"Wrote {summary.path} from {env.where}")
    click.echo(render.table(("", "COUNT"), [[kind, n] for kind, n in summary.counts.items()]))


@cli.command("import", help="Restore a backup written by `kg export` into the store (and its claims awaiting review "
                            "into the staging file), all-or-nothing. The store must be empty unless --merge.")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--merge", is_flag=True, help="Merge into a store that holds records already, by id, as `kg load` does.")
@STORE_OPTION
@json_option
@pass_env
@handles_errors
def import_command(env: Env, file: Path, merge: bool, store_kind: StoreKind | None, as_json: bool) -> None:
    if store_kind is not None:
        env.use_store(store_kind)
    restored = restore_backup(file, env.store, env.ontology, Staging(env.settings.staging_path), merge=merge,
                              decisions=env.decisions, review=env.review_log)
    if as_json:
        emit({"path": str(file), "read": restored.counts, "written": restored.written.model_dump(),
              "staged": restored.staged})
        return
    result = restored.written
    click.echo(f"Imported {file} into {env.where}")
    click.echo(render.table(
        ("", "CREATED", "UPDATED", "UNCHANGED"),
        [[kind, result.created[kind], result.updated[kind], result.unchanged[kind]]
         for kind in ("entities", "sources", "claims", "incidents")],
    ))
    click.echo(f"{restored.staged} claim(s) back awaiting review in {env.settings.staging_path}")
    if restored.counts.get("incident_decisions"):
        click.echo(f"{restored.counts['incident_decisions']} incident merge(s) and split(s) in "
                   f"{env.settings.incident_log_path}")
    if restored.counts.get("review_decisions"):
        click.echo(f"{restored.counts['review_decisions']} decision(s) on candidate entities in "
                   f"{env.settings.review_log_path}")
