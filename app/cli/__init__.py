"""The ``kg`` command line: a thin click group, one module per group of commands (load, query, ask,
extract, backup, neo4j, serve, feeds, watch, sources), each calling the use cases in ``app/usecases`` (feeds and
watch call their services in ``graph/services`` straight away: no other interface shares them; sources makes
the one store call its API route makes).

Every command prints a table for people by default and JSON with ``--json``; errors are
domain ``KgError`` values, turned into a message and an exit code in one place (``base``).

``kg bench`` measures the product and is not part of it: it is added from the checkout's
``benchmarks/`` package when kg runs from a checkout, and explains itself otherwise.
"""

from __future__ import annotations

import sys

from app.cli import (  # each adds its commands to the group
    ask,
    backup,
    extract,
    feeds,
    incidents,
    load,
    neo4j,
    query,
    serve,
    sources,
    train,
    watch,
)
from app.cli.base import cli
from graph.domain.resources import CHECKOUT, in_checkout


def _add_bench() -> None:
    """Register `kg bench` from the checkout, or a command that says where to run it."""
    if in_checkout() and (CHECKOUT / "benchmarks").is_dir():
        if str(CHECKOUT) not in sys.path:
            sys.path.append(str(CHECKOUT))
        import benchmarks.bench  # noqa: F401, PLC0415 - the module adds its command to the group
        return

    import click  # noqa: PLC0415

    @cli.command("bench", help="Time every optimised path beside its baseline (from a source checkout only).",
                 context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    def bench_command() -> None:
        raise click.ClickException("kg bench measures the product from a source checkout (its benchmarks/ "
                                   "folder is not installed): clone the repository and run it there")


_add_bench()


def main() -> None:
    """Console-script entry point."""
    cli()


__all__ = ["ask", "backup", "cli", "extract", "feeds", "incidents", "load", "main", "neo4j", "query", "serve",
           "sources", "train", "watch"]
