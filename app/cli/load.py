"""`kg load`: a bundle validated and loaded all-or-nothing, into the configured store or the one named."""

from __future__ import annotations

from pathlib import Path

import click

from app.cli import render
from app.cli.base import Env, cli, emit, handles_errors, json_option, pass_env
from app.components import bulk_writer
from app.settings import StoreKind
from graph.services.loader import load_bundle


@cli.command("load", help="Validate a bundle (default: the project's seeds/) and load it all-or-nothing; with "
                          "--bulk, a first load into an empty local Neo4j goes through its bulk importer.")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Validate only; write nothing.")
@click.option("--store", "store_kind", type=click.Choice(["memory", "neo4j"]),
              help="Load into this store instead of the configured one (KG_STORE, NEO4J_URI).")
@click.option("--bulk", "use_bulk", is_flag=True,
              help="Into an empty local Neo4j, load through its bulk importer (stops and restarts the server); "
                   "opt-in while it is slower than transactions on small machines (docs/benchmarks.md).")
@json_option
@pass_env
@handles_errors
def load_command(env: Env, path: Path | None, check: bool, store_kind: StoreKind | None, use_bulk: bool,
                 as_json: bool) -> None:
    if store_kind is not None:
        env.use_store(store_kind)
    bundle = path or env.settings.seeds_dir
    bulk = bulk_writer(env.settings, env.store, env.ontology) if use_bulk and not check else None
    loaded = load_bundle(bundle, env.store, env.ontology, dry_run=check, decisions=env.replay_decisions, bulk=bulk)
    batch, result = loaded.batch, loaded.result
    counts = {"entities": len(batch.entities), "sources": len(batch.sources), "claims": len(batch.claims),
              "incidents": len(batch.incidents)}
    why = loaded.why if use_bulk else "the default (--bulk asks for the importer)"
    if as_json:
        emit({"path": str(bundle), "checked": counts, "written": result.model_dump() if result else None,
              "write_path": loaded.path, "write_path_reason": why,
              "seconds": {step: round(value, 3) for step, value in loaded.seconds.items()}})
        return
    if result is None:
        click.echo(f"{bundle}: valid ({counts['entities']} entities, {counts['sources']} sources, "
                   f"{counts['claims']} claims, {counts['incidents']} incidents); nothing written (--check)")
        return
    if loaded.path == "bulk":
        how = f" by the bulk importer (neo4j-admin database import): {why}"
    else:  # the embedded store has no other path to tell apart
        how = f" in batched transactions: {why}" if use_bulk else ""
    click.echo(f"Loaded {bundle} into {env.where}{how}")
    if loaded.seconds:
        click.echo("  " + ", ".join(f"{step} {value:.1f} s" for step, value in loaded.seconds.items()))
    click.echo(render.table(
        ("", "CREATED", "UPDATED", "UNCHANGED"),
        [[kind, result.created[kind], result.updated[kind], result.unchanged[kind]]
         for kind in ("entities", "sources", "claims", "incidents")],
    ))
