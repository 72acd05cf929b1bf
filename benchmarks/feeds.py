"""`python -m benchmarks.feeds`: the feeds' two targets, each measured beside its baseline in one run.

Outlets are HTTP servers on 127.0.0.1, one port each (one host each, as outlets are), started by
this script; the store is the embedded one, freshly loaded with the seeds for every arm; the
extractor is built once and shared, so that no arm pays for loading it.

- ``unchanged``: 20 feeds of 50 items each, all read before (a first poll primes the state, not
  timed). Arms: ``conditional`` (the poll as `kg feeds poll` runs it: ETag and Last-Modified sent,
  304 answered) beside ``unconditional`` (the same poll with the validators forgotten: each feed
  downloaded and parsed whole, its 50 items looked up). Figures: seconds, requests per feed, and
  what the servers answered. Target: ≤ 2 s and one request per feed. ``process`` is `kg feeds poll`
  run as a command, whose time is mostly starting Python and importing kg (printed for honesty;
  the target is the poll's).
- ``new``: 100 new articles (report texts of the evaluation sets open to development, never a blind one;
  distinct, as HTML pages) on
  20 outlets of 5; ``new_long`` the same with two reports an article (news length, as
  `kg throughput` reads). Arms: ``kg_ingest`` (the same pages as files, read and loaded as
  `kg ingest FILE…` does: one ingest_many) beside ``poll`` (fetched politely at the default 1 s per
  host, compared, read and written in batches) and ``poll_no_delay`` (the same with no politeness
  delay: the machinery alone). Each arm's wall time and CPU time (every thread of this process; the
  outlets serve from a process of their own). Target: the poll adds ≤ 10 % to `kg ingest`.

The fastest of ``--repeat`` runs of each arm is kept (its CPU time the least). ``--json`` prints one
object per figure.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import click
import yaml

from app.cli import render
from app.components import build_extractor, fetch_policy, open_store
from app.settings import Settings
from graph.domain.ontology import Ontology, load_ontology
from graph.domain.resources import CHECKOUT
from graph.language.extract.pipeline import Extractor
from graph.language.extract.text import read_report, with_given_metadata
from graph.services.dedupe import Sketch, fingerprint
from graph.services.feeds import Poller, add_feed
from graph.services.feedstate import FeedState
from graph.services.fetch import Client
from graph.services.ingest import ingest_many
from graph.services.loader import load
from graph.stores.protocol import GraphStore

SEEDS = CHECKOUT / "seeds"
EVALUATION = CHECKOUT / "evaluation" / "claims"
PUBDATE, PUBLISHED = "Mon, 04 Mar 2024 10:00:00 GMT", "2024-03-04"
TARGET_QUIET_SECONDS = 2.0
TARGET_OVERHEAD = 0.10


@dataclass
class Figure:
    """One measurement."""

    workload: str
    arm: str
    metric: str
    value: float
    unit: str
    about: dict[str, Any] = field(default_factory=dict)


class Outlets:
    """Outlets on loopback ports, one port (one host) each, served by a process of their own: outlets are other
    machines, and serving them from the process measured would bill it for their work."""

    def __init__(self, count: int) -> None:
        self._pipe, child = multiprocessing.get_context("spawn").Pipe()
        self._process = multiprocessing.get_context("spawn").Process(target=_serve, args=(count, child), daemon=True)
        self._process.start()
        self.bases: list[str] = self._pipe.recv()

    def _ask(self, *command: Any) -> Any:
        self._pipe.send(command)
        return self._pipe.recv()

    def publish(self, routes: list[dict[str, tuple[bytes, str, str | None]]]) -> None:
        """What each outlet serves: path -> (body, content type, ETag or None)."""
        self._ask("routes", routes)

    def answers(self) -> dict[int, int]:
        """How many answers of each status the outlets sent since the last reset."""
        answered: dict[int, int] = self._ask("answers")
        return answered

    def reset(self) -> None:
        self._ask("reset")

    def close(self) -> None:
        self._ask("stop")
        self._process.join(10)


def _serve(count: int, pipe: Any) -> None:
    """The outlets' process: ``count`` servers, then commands from the benchmark until told to stop."""
    routes: list[dict[str, tuple[bytes, str, str | None]]] = [{} for _ in range(count)]
    answers: dict[int, int] = {}
    lock = threading.Lock()

    def handler(number: int) -> type[BaseHTTPRequestHandler]:
        class Handle(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *_: Any) -> None:
                pass

            def do_GET(self) -> None:
                body, kind, etag = routes[number].get(self.path, (b"", "text/plain", None))
                status = 200 if self.path in routes[number] else 404
                if etag is not None and self.headers.get("If-None-Match") == etag:
                    status, body = 304, b""
                with lock:
                    answers[status] = answers.get(status, 0) + 1
                self.send_response(status)
                self.send_header("Content-Type", kind)
                if etag is not None:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handle

    servers = [ThreadingHTTPServer(("127.0.0.1", 0), handler(number)) for number in range(count)]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    pipe.send([f"http://127.0.0.1:{server.server_address[1]}" for server in servers])
    while True:
        command, *arguments = pipe.recv()
        if command == "routes":
            for table, given in zip(routes, arguments[0], strict=True):
                table.clear()
                table.update(given)
            pipe.send(None)
        elif command == "answers":
            with lock:
                pipe.send(dict(answers))
        elif command == "reset":
            with lock:
                answers.clear()
            pipe.send(None)
        else:
            for server in servers:
                server.shutdown()
            pipe.send(None)
            return


def _cpu() -> float:
    """CPU seconds this process has used, every thread counted (a measure a busy machine disturbs less)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def page(title: str, text: str, outlet: str) -> bytes:
    """An article page as outlets lay them out."""
    body = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n") if p.strip())
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<meta property='og:site_name' content='{escape(outlet)}'></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>{escape(title)}</h1>{body}</article><footer>© {escape(outlet)}</footer></body></html>"
            ).encode()


def feed(outlet: str, links: list[tuple[str, str]]) -> bytes:
    items = "".join(f"<item><title>{escape(t)}</title><link>{escape(u)}</link><guid>{escape(u)}</guid>"
                    f"<pubDate>{PUBDATE}</pubDate></item>" for t, u in links)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(outlet)}</title>'
            f"<link>http://example.invalid/</link><description>news</description>{items}</channel></rss>").encode()


def open_sets() -> list[Path]:
    """The claim sets a benchmark may read: those evaluation/sets.yaml gives a development or training role. A
    blind set is read by nothing but its own first scoring run, so it never feeds a benchmark either."""
    roles = yaml.safe_load((EVALUATION.parent / "sets.yaml").read_text(encoding="utf-8"))["claims"]
    return [EVALUATION / name for name, entry in sorted(roles.items())
            if entry.get("role") in ("development", "training") and (EVALUATION / name).is_dir()]


def distinct_texts(count: int) -> list[str]:
    """``count`` report texts of the evaluation sets open to development (``open_sets``), no two the same text or
    near copies of each other."""
    kept: list[tuple[str, Sketch]] = []
    seen: set[str] = set()
    for path in (p for folder in open_sets() for p in sorted(folder.glob("reports/*.txt"))):
        text = path.read_text(encoding="utf-8").strip()
        sketch = Sketch.of(text)
        if fingerprint(text) in seen or any(sketch.similarity(other) >= 0.5 for _, other in kept):
            continue
        seen.add(fingerprint(text))
        kept.append((text, sketch))
        if len(kept) == count:
            return [t for t, _ in kept]
    raise click.ClickException(f"the evaluation sets hold only {len(kept)} distinct report texts; {count} asked")


class Bench:
    """One run: outlets, fresh stores, the shared extractor, and the figures as they come."""

    def __init__(self, folder: Path, ontology: Ontology, emit: Callable[[Figure], None], repeat: int) -> None:
        self.folder = folder
        self.ontology = ontology
        self.emit = emit
        self.repeat = repeat
        self.figures: list[Figure] = []
        self.runs = 0
        base = self.settings(folder / "base")
        self.extractor: Extractor = build_extractor(base, ontology, [])

    def add(self, workload: str, arm: str, metric: str, value: float, unit: str, **about: Any) -> None:
        figure = Figure(workload, arm, metric, round(value, 4), unit, about)
        self.figures.append(figure)
        self.emit(figure)

    def settings(self, folder: Path, **overrides: Any) -> Settings:
        folder.mkdir(parents=True, exist_ok=True)
        values: dict[str, Any] = {"store": "memory", "data_file": folder / "graph.sqlite", "seeds_dir": SEEDS,
                                  "feeds_allow_private": True, **overrides}
        return Settings(_env_file=None, **values)

    def fresh(self, **overrides: Any) -> tuple[Settings, GraphStore]:
        """A new folder with the seed graph loaded, and its settings."""
        self.runs += 1
        settings = self.settings(self.folder / f"run-{self.runs}", **overrides)
        store = open_store(settings, self.ontology)
        load(SEEDS, store, self.ontology)
        return settings, store

    def poller(self, settings: Settings, store: GraphStore, state: FeedState) -> Poller:
        return Poller(state, store, self.ontology, extractor=self.extractor,
                      client=Client(fetch_policy(settings), state), near_duplicate=settings.feeds_near_duplicate,
                      max_entries=settings.feeds_max_entries, batch=settings.feeds_batch)

    # --- nothing new ------------------------------------------------------------------------------

    def unchanged(self, feeds: int, items: int) -> None:
        pool = [line for text in distinct_texts(120) for line in text.split("\n") if len(line.split()) >= 25]
        outlets = Outlets(feeds)
        try:
            settings, store = self.fresh(feeds_host_delay=0.0)
            state = FeedState(settings.feeds_path)
            tables: list[dict[str, tuple[bytes, str, str | None]]] = []
            for number, base in enumerate(outlets.bases):
                name = f"Outlet {number}"
                table: dict[str, tuple[bytes, str, str | None]] = {}
                links = []
                for item in range(items):
                    text = f"{pool[(number * items + item) % len(pool)]}\nItem {number}-{item} of the benchmark."
                    table[f"/a/{item}"] = (page(f"Story {number}-{item}", text, name), "text/html", None)
                    links.append((f"Story {item}", f"{base}/a/{item}"))
                table["/rss"] = (feed(name, links), "application/rss+xml", f'"{number}-v1"')
                tables.append(table)
                add_feed(state, f"{base}/rss", outlet=name, allow_private=True)
            outlets.publish(tables)
            start = time.perf_counter()
            primed = self.poller(settings, store, state).poll()
            self.add("unchanged", "prime", "seconds", time.perf_counter() - start, "s", items=feeds * items,
                     read=primed.read, copies=primed.copies, duplicates=primed.duplicates, failed=len(primed.failed))
            polite = self.settings(settings.data_file.parent)  # the default politeness from here on

            def timed(forget: bool) -> tuple[float, int, dict[int, int]]:
                if forget:
                    with state.write() as db:
                        db.execute("UPDATE feeds SET etag = NULL, last_modified = NULL")
                outlets.reset()
                fresh_state = FeedState(settings.feeds_path)  # a new process's view of the same file
                began = time.perf_counter()
                report = self.poller(polite, store, fresh_state).poll()
                seconds = time.perf_counter() - began
                assert report.fetched == 0 and report.arrived == 0, report.as_dict()
                return seconds, sum(report.requests.values()), outlets.answers()

            best: dict[str, tuple[float, int, dict[int, int]]] = {}
            for _ in range(self.repeat):
                for arm, forget in (("conditional", False), ("unconditional", True)):
                    result = timed(forget)
                    if arm not in best or result[0] < best[arm][0]:
                        best[arm] = result  # (the unconditional arm's 200 answers bring the validators back)
            for arm, (seconds, requests, answers) in best.items():
                self.add("unchanged", arm, "seconds", seconds, "s", feeds=feeds, items=feeds * items)
                self.add("unchanged", arm, "requests_per_feed", requests / feeds, "requests", feeds=feeds,
                         answered=" ".join(f"{n}x{s}" for s, n in sorted(answers.items())))
            env = {k: v for k, v in os.environ.items() if not k.startswith(("KG_", "NEO4J_"))} | {
                "KG_STORE": "memory", "KG_DATA_FILE": str(settings.data_file), "KG_FEEDS_ALLOW_PRIVATE": "true",
                "KG_SEEDS_DIR": str(SEEDS)}
            kg = Path(sys.executable).with_name("kg")
            began = time.perf_counter()
            done = subprocess.run([str(kg), "feeds", "poll", "--json", "--no-progress"],  # noqa: S603 - our own kg
                                  env=env, cwd=self.folder, capture_output=True, text=True, check=False)
            wall = time.perf_counter() - began
            if done.returncode != 0:
                raise click.ClickException(f"kg feeds poll failed: {done.stderr[-2000:]}")
            polled = json.loads(done.stdout)
            self.add("unchanged", "process", "seconds", wall, "s", poll_seconds=polled["seconds"])
            began = time.perf_counter()
            subprocess.run([str(kg), "--help"], env=env, cwd=self.folder, capture_output=True,  # noqa: S603
                           check=True)
            self.add("unchanged", "process", "kg_start_seconds", time.perf_counter() - began, "s")
            store.close()
        finally:
            outlets.close()

    # --- 100 new articles -------------------------------------------------------------------------

    def new(self, articles: int, outlets_count: int, per_article: int = 1) -> None:
        """``articles`` new articles of ``per_article`` report texts each, on ``outlets_count`` outlets."""
        workload = "new" if per_article == 1 else "new_long"
        reports = distinct_texts(articles * per_article)
        texts = ["\n".join(reports[n * per_article:(n + 1) * per_article]) for n in range(articles)]
        pages = self.folder / f"pages-{per_article}"
        pages.mkdir(exist_ok=True)
        outlets = Outlets(outlets_count)
        files: list[tuple[Path, str]] = []
        tables: list[dict[str, tuple[bytes, str, str | None]]] = [{} for _ in range(outlets_count)]
        for number, text in enumerate(texts):
            outlet_number = number % outlets_count
            name = f"Outlet {outlet_number}"
            html = page(text.split("\n", 1)[0][:80], text, name)
            path = pages / f"{number:03d}.html"
            path.write_bytes(html)
            files.append((path, name))
            tables[outlet_number][f"/a/{number}"] = (html, "text/html; charset=utf-8", None)
        for number, (base, table) in enumerate(zip(outlets.bases, tables, strict=True)):
            links = [(f"Story {p}", f"{base}{p}") for p in sorted(table)]
            table["/rss"] = (feed(f"Outlet {number}", links), "application/rss+xml", '"v1"')
        outlets.publish(tables)
        words = sum(len(t.split()) for t in texts) / len(texts)
        self.extractor.run_many([read_report(str(p)) for p, _ in files[:8]])  # warm the pipeline for every arm
        try:
            best: dict[str, tuple[float, float, int]] = {}
            for _ in range(self.repeat):
                for arm in ("kg_ingest", "poll", "poll_no_delay"):
                    used = _cpu()
                    seconds, claims = self._ingest(files) if arm == "kg_ingest" else \
                        self._poll(outlets, articles, 0.0 if arm == "poll_no_delay" else None)
                    cpu = _cpu() - used
                    if arm not in best or seconds < best[arm][0]:
                        best[arm] = (seconds, min(cpu, best.get(arm, (0, cpu, 0))[1]), claims)
            for arm, (seconds, cpu, claims) in best.items():
                self.add(workload, arm, "seconds", seconds, "s", articles=articles, outlets=outlets_count,
                         words_per_article=round(words), claims=claims)
                self.add(workload, arm, "cpu_seconds", cpu, "s", articles=articles)
                self.add(workload, arm, "articles_per_s", articles / seconds, "articles/s", articles=articles)
        finally:
            outlets.close()

    def _ingest(self, files: list[tuple[Path, str]]) -> tuple[float, int]:
        """What `kg ingest FILE… --outlet` does once its extractor is built: read each file, load them in one write."""
        settings, store = self.fresh()
        began = time.perf_counter()
        # the date the feed gives each item, as `kg ingest --date` would give it
        reports = [with_given_metadata(read_report(str(path), max_chars=settings.max_report_chars), outlet=outlet,
                                       published=PUBLISHED) for path, outlet in files]
        written = ingest_many(reports, store, self.ontology, extractor=self.extractor).written
        seconds = time.perf_counter() - began
        store.close()
        return seconds, written.created["claims"]

    def _poll(self, outlets: Outlets, articles: int, delay: float | None) -> tuple[float, int]:
        overrides = {} if delay is None else {"feeds_host_delay": delay}
        settings, store = self.fresh(**overrides)
        state = FeedState(settings.feeds_path)
        for number, base in enumerate(outlets.bases):
            add_feed(state, f"{base}/rss", outlet=f"Outlet {number}", allow_private=True)
        began = time.perf_counter()
        report = self.poller(settings, store, state).poll()
        seconds = time.perf_counter() - began
        if report.read != articles or report.failed:
            raise click.ClickException(f"the poll read {report.read} of {articles} articles: {report.failed[:3]}")
        store.close()
        return seconds, report.written["created"]["claims"]


def summary(figures: list[Figure]) -> list[list[Any]]:
    """Each target beside what was measured."""
    value = {(f.workload, f.arm, f.metric): f.value for f in figures}
    rows: list[list[Any]] = []
    quiet = value.get(("unchanged", "conditional", "seconds"))
    per_feed = value.get(("unchanged", "conditional", "requests_per_feed"))
    if quiet is not None and per_feed is not None:
        met = quiet <= TARGET_QUIET_SECONDS and per_feed == 1
        rows.append(["20 feeds x 50 items, nothing new", f"<= {TARGET_QUIET_SECONDS:g} s, 1 request a feed",
                     f"{quiet:.3f} s, {per_feed:g} request a feed", "met" if met else "NOT MET"])
    for workload, size in (("new", "~250 words"), ("new_long", "~500 words")):
        for metric in ("seconds", "cpu_seconds"):
            ingest = value.get((workload, "kg_ingest", metric))
            for arm in ("poll", "poll_no_delay"):
                polled = value.get((workload, arm, metric))
                if ingest and polled:
                    overhead = polled / ingest - 1
                    rows.append([f"100 new articles of {size} ({arm}, {metric})",
                                 f"<= +{TARGET_OVERHEAD:.0%} over kg ingest",
                                 f"{polled:.2f} s vs {ingest:.2f} s: {overhead:+.1%}",
                                 "met" if overhead <= TARGET_OVERHEAD else "NOT MET"])
    return rows


@click.command(help="Measure the feeds' targets beside their baselines: a quiet poll of 20 feeds x 50 items, and "
                    "100 new articles against `kg ingest` of the same pages.")
@click.option("--workloads", default="unchanged,new", show_default=True, help="unchanged, new, or both.")
@click.option("--repeat", default=2, show_default=True, type=click.IntRange(1, 10), help="Runs per arm; fastest kept.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per figure and line.")
def main(workloads: str, repeat: int, as_json: bool) -> None:
    chosen = {w.strip() for w in workloads.split(",") if w.strip()}
    context = {"machine": {"host": platform.node(), "cpus": os.cpu_count(), "load": os.getloadavg()[0]},
               "python": platform.python_version()}

    def emit(figure: Figure) -> None:
        if as_json:
            click.echo(json.dumps({"workload": figure.workload, "arm": figure.arm, "metric": figure.metric,
                                   "value": figure.value, "unit": figure.unit, **figure.about, **context}))

    with tempfile.TemporaryDirectory(prefix="kg-bench-feeds-") as folder:
        bench = Bench(Path(folder), load_ontology(), emit, repeat)
        if "unchanged" in chosen:
            click.echo("unchanged: priming 20 feeds x 50 items, then polling them …", err=True)
            bench.unchanged(20, 50)
        if "new" in chosen:
            click.echo("new: 100 articles through kg ingest and through a poll …", err=True)
            bench.new(100, 20)
            click.echo("new: 100 articles of two reports each (news length) …", err=True)
            bench.new(100, 20, per_article=2)
    if as_json:
        return
    click.echo(render.table(("WORKLOAD", "ARM", "METRIC", "VALUE", "UNIT", "ABOUT"), [
        [f.workload, f.arm, f.metric, f"{f.value:,.3f}", f.unit, " ".join(f"{k}={v}" for k, v in f.about.items())]
        for f in bench.figures]))
    click.echo("")
    click.echo(render.table(("TARGET", "ASKED", "MEASURED", ""), summary(bench.figures)))
    click.echo(f"machine: {context['machine']}")


if __name__ == "__main__":
    main()
