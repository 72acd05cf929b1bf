"""Where a `/v1` request's time goes under load: the API's neighbourhood endpoint at a given concurrency, sampled
by py-spy, beside the same query straight to the store's driver.

``python -m benchmarks.api_profile [--concurrency 32] [--seconds 10] [--workers N] [--profile FILE]`` serves the
configured store (``KG_STORE``, ``NEO4J_URI`` or the local server) with ``kg serve``'s application on a free
loopback port, drives it with the closed loop of ``kg bench`` (``benchmarks.bench._load``: keep-alive
connections, each sending its next request when the last answer is read), and prints requests/s, p50 and p99 for
the API and for the raw driver on the same entities. With ``--profile``, py-spy samples every worker process
during the API run (its raw stacks go to FILE) and the functions that hold the most samples are printed: where
the time goes, by function, including the time spent waiting in it (``total``) and in it alone (``self``).
"""

from __future__ import annotations

import asyncio
import collections
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import click

from app.components import open_store
from app.settings import load_settings
from benchmarks.bench import _closed_loop, _free_port, _load, _wait_for, raw_neighbourhood
from graph.domain.errors import KgError
from graph.domain.ontology import load_ontology


def _summary(latencies: list[float], seconds: float) -> str:
    ordered = sorted(latencies) or [0.0]
    return (f"{len(latencies) / seconds:8.1f} req/s  p50 {ordered[len(ordered) // 2]:7.1f} ms  "
            f"p99 {ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]:7.1f} ms")


def top_functions(raw: Path, limit: int = 25) -> list[tuple[str, int, int]]:
    """(function, total samples, self samples) from py-spy's raw stacks, most total first, and last ("(all)", every
    sample, 0). py-spy samples running threads only, so these are where the API's processes spend CPU."""
    total: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [_frame(frame) for frame in stack.split(";") if frame.endswith(")") and ".py:" in frame]
        if not frames or not count.isdigit():
            continue
        number = int(count)
        samples += number
        for frame in set(frames):
            total[frame] += number
        own[frames[-1]] += number
    return [(name, count, own[name]) for name, count in total.most_common(limit)] + [("(all)", samples, 0)]


def _frame(frame: str) -> str:
    """``function (path/to/file.py:12)`` as ``function (file.py)``."""
    name, _, where = frame.rpartition(" (")
    return f"{name} ({where.split(':')[0].rsplit('/', 1)[-1]})"


@click.command()
@click.option("--concurrency", default=32, show_default=True, help="Clients, each with one keep-alive connection.")
@click.option("--seconds", default=10.0, show_default=True, help="How long each run lasts.")
@click.option("--workers", type=int, help="kg serve's processes (default: KG_WORKERS).")
@click.option("--entities", default=64, show_default=True, help="How many entities the requests cycle over.")
@click.option("--profile", "profile", type=click.Path(path_type=Path), help="Sample the API with py-spy; raw "
                                                                            "stacks to this file.")
def main(concurrency: int, seconds: float, workers: int | None, entities: int, profile: Path | None) -> None:
    settings = load_settings()
    ontology = load_ontology()
    store = open_store(settings, ontology)
    # Every tenth entity by id among the first ones: the synthetic graph's ids carry no degree order.
    ids = [e.id for e in store.list_entities(limit=entities * 10)][::10][:entities]
    if not ids:
        raise KgError("the store holds no entity: load a graph first")
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).with_name("kg")), "serve", "--host", "127.0.0.1", "--port", str(port),
         *(["--workers", str(workers)] if workers else [])],
        env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = None
    try:
        _wait_for(port, server)
        paths = [f"/v1/entities/{e}/neighbourhood" for e in ids]
        asyncio.run(_load(port, paths, concurrency, min(3.0, seconds)))  # warm: pools, caches, the JIT of Neo4j
        if profile is not None:
            spy = shutil.which("py-spy")
            if spy is None:
                raise KgError("--profile needs py-spy (pip install py-spy)")
            sampler = subprocess.Popen(  # noqa: S603
                [spy, "record", "--pid", str(server.pid), "--subprocesses", "--duration", str(int(seconds)),
                 "--format", "raw", "--output", str(profile), "--rate", "200", "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1.0)
        latencies, elapsed = asyncio.run(_load(port, paths, concurrency, seconds))
        click.echo(f"api         concurrency {concurrency}: {_summary(latencies, elapsed)}")
    finally:
        if sampler is not None:
            sampler.wait(timeout=seconds + 60)
        server.terminate()
        server.wait(timeout=30)
    raw = raw_neighbourhood(store, ontology, settings.neo4j_database)
    latencies, elapsed = _closed_loop(raw, ids, concurrency, seconds)
    click.echo(f"raw driver  concurrency {concurrency}: {_summary(latencies, elapsed)}")
    store.close()
    if profile is not None and profile.exists():
        rows = top_functions(profile)
        everything = rows[-1][1] or 1
        click.echo(f"\nWhere the API's CPU went ({profile}: {everything} samples at 200/s over {seconds:.0f} s, "
                   f"{everything / 200 / seconds:.2f} cores busy; total = in the function or what it called):")
        for name, count, own in rows[:-1]:
            click.echo(f"{100 * count / everything:6.1f}% total {100 * own / everything:6.1f}% self  {name}")


if __name__ == "__main__":
    main()
