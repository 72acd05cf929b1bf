"""`kg bench`: every optimised path timed beside its baseline, in one run, on a synthetic graph.

Workloads (the ``workload`` field of each figure) and their arms:

- ``ingest``: the whole graph into Neo4j as one upsert (``batched``, claims/s) beside the same
  claims one upsert each, time-boxed and extrapolated (``per_claim``); the same graph again
  (``reingest``: seconds, and how many records changed, which must be 0); extracted reports
  through ``ingest_many`` (reports/s) and one at a time through ``ingest`` (ms a report), on
  both stores;
- ``store``: the embedded store built from the graph, reopened, and its resident memory, each
  in a process of its own (``kg``), beside a bare networkx multigraph of the same claims
  (``networkx``);
- ``query``: 1-hop, filtered 2-hop (hostile claims in 2022–2023), bounded 3-hop, shortest paths
  between connected and disconnected pairs, from entities of three degree buckets (the median,
  the 99th percentile, the top hub): p50/p95/p99/max on each store (``memory``, ``neo4j``) and
  bare networkx (``networkx``); the two stores' answers are compared as they are timed;
- ``api``: the neighbourhood endpoint of ``kg serve`` on 127.0.0.1 under a closed loop at
  concurrency 1, 8 and 32 (``api``: p50, p99, requests/s), beside the same query straight to the
  store (``raw_driver``: the driver for Neo4j, the store's method for the embedded store);
- ``extract``: the extractor (``extractor``, articles/s) beside spaCy's tokenizer alone (``parse``);
- ``mixed``: neighbourhood reads alone (``reads_alone``) and while reports are ingested
  (``reads_under_writes``): p99.

Where no workload loads the graph into Neo4j (``ingest`` and ``load`` do), one upsert does (``setup``/``upsert``:
seconds, and records changed); with ``--reuse`` it goes over the graph an earlier run left, whose counts must match.

``--json`` prints one object per figure and line: ``workload``, ``arm``, ``size``, ``metric``,
``value``, ``unit``, what the figure is about (``store``, ``query``, ``bucket``,
``concurrency`` where they apply), ``machine`` and ``versions``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import click

from app.cli import render
from app.cli.base import Env, cli, handles_errors, pass_env
from app.components import bulk_writer, local_server
from app.settings import Settings
from benchmarks.synthetic import SIZES, Size, Synthetic, generate
from graph.domain.dates import window
from graph.domain.errors import KgError
from graph.domain.model import Batch, Claim
from graph.language.extract.pipeline import Extractor
from graph.language.extract.text import ReportInput
from graph.services.claim_scoring import benchmark, synthetic_articles
from graph.services.ingest import ingest, ingest_many
from graph.services.loader import load_batch, read_bundle
from graph.stores.neo4j.cypher import query as cypher
from graph.stores.neo4j.store import SCAN_NODES, Neo4jStore, connect
from graph.stores.protocol import HUB_DEGREE, MAX_LINKS, MAX_NODES, GraphStore
from graph.stores.sqlite.store import SqliteStore

BUCKETS = ("median", "p99", "hub")
# `kg serve`'s default (KG_WORKERS): the API is benchmarked as it is served. The ~50 ms stall two workers once gave at
# concurrency 1 was asyncio without TCP_NODELAY (app/cli/serve.py); see docs/benchmarks.md.
API_WORKERS = Settings.model_fields["workers"].default
CONCURRENCY = (1, 8, 32)


@dataclass
class Plan:
    """How long each part of a run takes: short for the test command's smoke run, longer for M."""

    repeats: int
    per_claim_seconds: float
    api_seconds: float
    mixed_seconds: float
    articles: int
    reports: int

    @classmethod
    def for_size(cls, size: Size) -> Plan:
        if size.name in ("XS", "S"):
            return cls(repeats=10, per_claim_seconds=1.5, api_seconds=1.5, mixed_seconds=2.0, articles=30, reports=6)
        return cls(repeats=40, per_claim_seconds=15.0, api_seconds=8.0, mixed_seconds=15.0, articles=200, reports=40)


@dataclass
class Figure:
    """One measurement."""

    workload: str
    arm: str
    metric: str
    value: float
    unit: str
    about: dict[str, Any] = field(default_factory=dict)


class Run:
    """One `kg bench` run: the graph, the stores, and the figures as they come."""

    def __init__(self, env: Env, size: Size, folder: Path, emit: Callable[[Figure], None], *, wipe: bool,
                 reuse: bool = False) -> None:
        self.env = env
        self.ontology = env.ontology
        self.size = size
        self.folder = folder
        self.emit = emit
        self.plan = Plan.for_size(size)
        self.wipe = wipe
        self.reuse = reuse
        self.figures: list[Figure] = []
        self.data = folder / "graph.jsonl"
        self.database = folder / "graph.sqlite"
        self.synthetic: Synthetic
        self.registry = read_bundle(env.settings.seeds_dir, self.ontology).entities
        self.neo4j: Neo4jStore | None = None
        self.neo4j_cypher: Neo4jStore | None = None
        self.memory: SqliteStore | None = None
        self.buckets: dict[str, list[str]] = {}

    def add(self, workload: str, arm: str, metric: str, value: float, unit: str, **about: Any) -> None:
        figure = Figure(workload, arm, metric, round(value, 4), unit, about)
        self.figures.append(figure)
        self.emit(figure)

    # --- the graph ----------------------------------------------------------------------

    def prepare(self) -> None:
        start = time.perf_counter()
        synthetic = generate(self.ontology, self.size)
        # The seed registry joins the graph, so that extracted reports find the names they mention.
        batch = Batch.model_construct(entities=[*synthetic.batch.entities, *self.registry],
                                      sources=synthetic.batch.sources, claims=synthetic.batch.claims)
        self.synthetic = Synthetic(batch, synthetic.isolated)
        self.add("setup", "generator", "seconds", time.perf_counter() - start, "s",
                 entities=len(batch.entities), claims=len(batch.claims), sources=len(batch.sources))
        with self.data.open("w", encoding="utf-8") as out:
            for kind, records in (("entity", batch.entities), ("source", batch.sources), ("claim", batch.claims)):
                for record in records:
                    out.write(f'{{"{kind}":{record.model_dump_json(exclude_none=True)}}}\n')
        degree: dict[str, int] = {}
        for claim in batch.claims:
            degree[claim.subject] = degree.get(claim.subject, 0) + 1
            degree[claim.object] = degree.get(claim.object, 0) + 1
        giant = _giant_component(batch.claims)
        ranked = sorted((d, e) for e, d in degree.items() if e in giant)
        pick = random.Random(11)  # noqa: S311 - a reproducible sample
        for bucket, quantile in (("median", 0.5), ("p99", 0.99)):
            target = ranked[int(len(ranked) * quantile)][0]
            near = [e for d, e in ranked if d == target] or [ranked[int(len(ranked) * quantile)][1]]
            self.buckets[bucket] = sorted(pick.sample(near, min(8, len(near))))
        self.buckets["hub"] = [ranked[-1][1]]

    def open_neo4j(self) -> Neo4jStore:
        if self.neo4j is None:
            settings = self.env.settings
            uri, user = settings.neo4j_uri, settings.neo4j_user
            password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
            if uri is None:
                status = local_server(settings).status()
                if not status.running:
                    raise KgError("kg bench needs Neo4j: run `kg neo4j start` or set NEO4J_URI")
                uri, user, password = status.bolt_uri, status.user, status.password
            driver = connect(uri, user, password)
            store = Neo4jStore(driver, self.ontology, database=settings.neo4j_database,
                               timeout=max(settings.query_timeout, 60.0), uri=uri)
            # The baseline of Neo4j's reads: the same server answering in Cypher alone, without the project's
            # procedures (a neighbourhood by neighbourhood.cypher, a path search level by level).
            self.neo4j_cypher = Neo4jStore(driver, self.ontology, database=settings.neo4j_database,
                                           timeout=max(settings.query_timeout, 60.0), uri=uri, procedures=False)
            if store.count_entities() and not (self.wipe or self.reuse):
                raise KgError(f"{store.address} holds a graph; pass --wipe to let the benchmark empty it, or --reuse "
                              "to keep the graph an earlier run of this size loaded")
            if not self.reuse:
                store.clear()
            self.neo4j = store
        return self.neo4j

    def check_reused(self, *, upserted: bool) -> None:
        """With ``--reuse`` the kept database must hold the generated graph and nothing more: before the upsert (an
        empty database aside, which the upsert then loads), so that a database holding another graph is refused
        before anything is written into it, and again after it, when the same counts mean the same ids, since the
        upsert added none the database lacked (an unchanged graph costs a fingerprint read per record, not a
        load). Counts, not contents: records of the same ids with other values are rewritten by the upsert and
        counted in its ``changed_records``."""
        assert self.neo4j is not None
        batch = self.synthetic.batch
        held = (self.neo4j.count_entities(), self.neo4j.count_sources(), self.neo4j.count_claims())
        wanted = (len(batch.entities), len(batch.sources), len(batch.claims))
        if held == wanted or (not upserted and held == (0, 0, 0)):
            return
        when = ("after the generated graph was upserted over it" if upserted else
                "so --reuse wrote nothing into it")
        raise KgError(f"{self.neo4j.address} holds {held[0]:,} entities, {held[1]:,} sources and {held[2]:,} claims, "
                      f"not the {wanted[0]:,}, {wanted[1]:,} and {wanted[2]:,} of size {self.size.name}: it holds "
                      f"another graph (another size's, or one a run's ingest or mixed workload wrote to), {when}; "
                      "pass --wipe instead of --reuse")

    def upsert_graph(self) -> None:
        """The generated graph into Neo4j by one upsert where no workload loads it (``ingest`` and ``load`` do):
        into the emptied database, or with ``--reuse`` over the graph an earlier run left, where it changes nothing
        (the ``changed_records`` figure says how much it did change) and the counts checked after it, as they were
        before it when the run began."""
        store = self.open_neo4j()
        seconds, changed = _upserted(store, self.synthetic.batch)
        self.add("setup", "upsert", "seconds", seconds, "s", store="neo4j", reused=self.reuse)
        self.add("setup", "upsert", "changed_records", changed, "records", store="neo4j", reused=self.reuse)
        if self.reuse:
            self.check_reused(upserted=True)

    # --- workloads ----------------------------------------------------------------------

    def ingest(self) -> None:
        store = self.open_neo4j()
        if not store.is_empty():
            store.clear()
        batch = self.synthetic.batch
        start = time.perf_counter()
        store.upsert(batch)
        seconds = time.perf_counter() - start
        self.add("ingest", "batched", "claims_per_s", len(batch.claims) / seconds, "claims/s", store="neo4j")
        self.add("ingest", "batched", "seconds", seconds, "s", store="neo4j", claims=len(batch.claims))
        seconds, changed = _upserted(store, batch)
        self.add("ingest", "reingest", "seconds", seconds, "s", store="neo4j")
        self.add("ingest", "reingest", "changed_records", changed, "records", store="neo4j")
        template = batch.claims[0]
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < self.plan.per_claim_seconds:
            store.upsert(Batch(claims=[template.model_copy(update={"id": f"per-claim-{done}"})]))
            done += 1
        self.add("ingest", "per_claim", "claims_per_s", done / (time.perf_counter() - start), "claims/s",
                 store="neo4j", claims=done, extrapolated_seconds_for_all=len(batch.claims) /
                 max(done / (time.perf_counter() - start), 1e-9))

    def load(self) -> None:
        """A first load of the whole graph by the bulk importer beside the same graph in batched transactions, each
        into the empty local Neo4j; an incremental load into the bulk-loaded graph; and whether both first loads
        leave the same graph (stats, and a sample of claims, entities and answers read back)."""
        store = self.open_neo4j()
        if not store.is_empty():
            store.clear()
        batch = self.synthetic.batch
        claims = len(batch.claims)
        writer = bulk_writer(self.env.settings, store, self.ontology)
        start = time.perf_counter()
        loaded = load_batch((batch, []), store, bulk=writer)
        seconds = time.perf_counter() - start
        if loaded.path != "bulk":
            raise KgError(f"kg bench: the first load did not take the bulk path ({loaded.why})")
        self.add("load", "bulk", "claims_per_s", claims / seconds, "claims/s", store="neo4j")
        self.add("load", "bulk", "seconds", seconds, "s", store="neo4j", claims=claims,
                 **{f"{step}_s": round(value, 1) for step, value in loaded.seconds.items()})
        bulk_view = self._graph_view(store)
        extra = self._incremental(batch)
        start = time.perf_counter()
        incremental = load_batch((extra, []), store, bulk=bulk_writer(self.env.settings, store, self.ontology))
        seconds = time.perf_counter() - start
        self.add("load", f"incremental_{incremental.path}", "claims_per_s", len(extra.claims) / seconds, "claims/s",
                 store="neo4j", into_claims=claims)
        store.clear()
        start = time.perf_counter()
        loaded = load_batch((batch, []), store, bulk=None)
        seconds = time.perf_counter() - start
        self.add("load", "transactions", "claims_per_s", claims / seconds, "claims/s", store="neo4j")
        self.add("load", "transactions", "seconds", seconds, "s", store="neo4j", claims=claims)
        self.add("load", "bulk", "same_graph", float(bulk_view == self._graph_view(store)), "bool", store="neo4j")

    def _incremental(self, batch: Batch) -> Batch:
        """New claims (a twentieth of the graph's) between entities the graph holds: an incremental load."""
        count = max(1, len(batch.claims) // 20)
        return Batch.model_construct(entities=[], sources=[], incidents=[], claims=[
            claim.model_copy(update={"id": f"incremental-{i}", "denies": None})
            for i, claim in enumerate(batch.claims[:count])])

    def _graph_view(self, store: Neo4jStore) -> Any:
        """What the store answers about the graph: its stats, a sample of entities and claims by id, and the
        neighbourhoods of the benchmark's entities."""
        sample = self.synthetic.batch.claims[::997]
        denied = [c.denies for c in self.synthetic.batch.claims if c.denies][:50]
        entities = [e.id for e in self.synthetic.batch.entities[::499]]
        return ({
            "stats": store.stats().model_dump(),
            "claims": [store.get_claim(c.id).model_dump() for c in sample],
            "denied": [store.get_claim(c).model_dump() for c in denied],
            "entities": [e.model_dump() for e in store.get_entities(entities).values()],
            "neighbourhoods": [store.neighbourhood(e).model_dump() for b in BUCKETS for e in self.buckets[b][:2]],
        })

    def reports(self, count: int, offset: int) -> list[ReportInput]:
        seeds = self.env.settings.seeds_dir
        texts = [p.read_text(encoding="utf-8") for p in sorted(seeds.rglob("reports/*.txt"))]
        articles = synthetic_articles(texts, count, seed=offset + 1)
        return [ReportInput(text=f"{text}\n\nBench run {self.size.name} report {offset + i}.", title=None,
                            outlet="RFE/RL", published=f"2024-{1 + (offset + i) % 12:02d}", origin=f"bench {i}")
                for i, text in enumerate(articles)]

    def ingest_reports(self) -> None:
        for name, store in self.stores():
            extractor = Extractor(self.ontology, store.name_index().entities())
            reports = self.reports(self.plan.reports, offset=0 if name == "memory" else 10_000)
            start = time.perf_counter()
            many = ingest_many(reports, store, self.ontology, extractor=extractor)
            self.add("ingest", "ingest_many", "reports_per_s", len(reports) / (time.perf_counter() - start),
                     "reports/s", store=name, claims=many.written.created["claims"])
            singles = self.reports(self.plan.reports, offset=(0 if name == "memory" else 10_000) + 5_000)
            times = []
            for report in singles:
                start = time.perf_counter()
                ingest(report, store, self.ontology, extractor=extractor)
                times.append((time.perf_counter() - start) * 1000)
            self.add("ingest", "ingest", "p50_ms", statistics.median(times), "ms", store=name)

    def stores(self) -> Iterator[tuple[str, GraphStore]]:
        if self.memory is not None:
            yield "memory", self.memory
        if self.neo4j is not None:
            yield "neo4j", self.neo4j

    def store(self) -> None:
        build = _worker("build", str(self.data), str(self.database))
        self.add("store", "kg", "build_seconds", build["seconds"], "s")
        reopen = _worker("reopen", str(self.database), self.buckets["median"][0])
        self.add("store", "kg", "reopen_seconds", reopen["seconds"], "s")
        self.add("store", "kg", "resident_mb", reopen["rss_mb"], "MB")
        self.add("store", "kg", "database_mb", self.database.stat().st_size / 1e6, "MB")
        graph = _worker("networkx", str(self.data))
        self.add("store", "networkx", "build_seconds", graph["seconds"], "s")
        self.add("store", "networkx", "resident_mb", graph["rss_mb"], "MB")
        self.memory = SqliteStore(self.ontology, self.database)

    def queries(self) -> None:
        import networkx as nx  # noqa: PLC0415 (the baseline only)

        assert self.memory is not None
        graph = nx.MultiDiGraph()
        for claim in self.synthetic.batch.claims:
            graph.add_edge(claim.subject, claim.object, key=claim.id)
        undirected = nx.Graph(graph)
        hostile = self.ontology.expand_types(["hostile"])
        when = window("2022", "2023")
        lonely = self.synthetic.isolated[0][0]
        far = self.buckets["median"][-1]
        asks: dict[str, Callable[[GraphStore, str], Any]] = {
            "1hop": lambda s, e: s.neighbourhood(e),
            "2hop_filtered": lambda s, e: s.neighbourhood(e, depth=2, types=hostile, window=when),  # ~1/4 of claims
            "3hop_bounded": lambda s, e: s.neighbourhood(e, depth=3),
            "paths_connected": lambda s, e: s.paths(e, far if e != far else self.buckets["p99"][0], max_hops=4),
            "paths_disconnected": lambda s, e: s.paths(e, lonely, max_hops=4),
        }
        baseline: dict[str, Callable[[str], Any]] = {
            "1hop": lambda e: nx.ego_graph(undirected, e, radius=1),
            "2hop_filtered": lambda e: nx.ego_graph(undirected, e, radius=2),
            "3hop_bounded": lambda e: nx.ego_graph(undirected, e, radius=3),
            "paths_connected": lambda e: nx.has_path(undirected, e, far if e != far else self.buckets["p99"][0])
            and nx.shortest_path(undirected, e, far if e != far else self.buckets["p99"][0]),
            "paths_disconnected": lambda e: nx.has_path(undirected, e, lonely),
        }
        stores = list(self.stores())
        cypher = [("neo4j_cypher", self.neo4j_cypher)] if self.neo4j is not None and self.neo4j_cypher else []
        for name, ask in asks.items():
            for bucket in BUCKETS:
                entities = self.buckets[bucket]
                answers = {}
                for label, store in stores + cypher:
                    answers[label] = [_shape(ask(store, e)) for e in entities]
                    samples = _timed(_cycle(lambda e, store=store, ask=ask: ask(store, e), entities),  # type: ignore[misc]
                                     self.plan.repeats if bucket != "hub" or name != "3hop_bounded" else 3)
                    self._percentiles("query", label, samples, query=name, bucket=bucket)
                if "memory" in answers and "neo4j" in answers:
                    self.add("query", "agreement", "same_answers", float(answers["memory"] == answers["neo4j"]),
                             "bool", query=name, bucket=bucket)
                if "memory" in answers and "neo4j_cypher" in answers:
                    self.add("query", "agreement_cypher", "same_answers",
                             float(answers["memory"] == answers["neo4j_cypher"]), "bool", query=name, bucket=bucket)
                if bucket == "hub" and name in ("3hop_bounded",):
                    continue  # the whole graph, for networkx: seconds per sample at M
                # Bare networkx walks the whole graph from a hub: a few samples say enough.
                samples = _timed(_cycle(baseline[name], entities), self.plan.repeats if bucket == "median" else 3)
                self._percentiles("query", "networkx", samples, query=name, bucket=bucket)
    def _percentiles(self, workload: str, arm: str, samples: list[float], **about: Any) -> None:
        ordered = sorted(samples)
        for metric, q in (("p50_ms", 0.5), ("p95_ms", 0.95), ("p99_ms", 0.99)):
            self.add(workload, arm, metric, ordered[min(len(ordered) - 1, int(len(ordered) * q))], "ms", **about)
        self.add(workload, arm, "max_ms", ordered[-1], "ms", **about)

    def api(self) -> None:
        entities = self.buckets["median"]
        for name, store in self.stores():
            environment = {**os.environ, "KG_STORE": name, "KG_DATA_FILE": str(self.database)}
            if isinstance(store, Neo4jStore):
                status = self._neo4j_settings()
                environment.update(status)
            port = _free_port()
            server = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "uvicorn", "app.api.main:create_app", "--factory", "--host",
                 "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
                 "--loop", "uvloop", "--http", "httptools",  # as kg serve runs it (app/cli/serve.py says why)
                 "--workers", str(API_WORKERS)],
                env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                _wait_for(port, server)
                paths = [f"/v1/entities/{e}/neighbourhood" for e in entities]
                for concurrency in CONCURRENCY:
                    latencies, seconds = asyncio.run(_load(port, paths, concurrency, self.plan.api_seconds))
                    self._api_figures("api", name, concurrency, latencies, seconds)
                    raw = self._raw(store, name)
                    latencies, seconds = _closed_loop(raw, entities, concurrency, self.plan.api_seconds)
                    self._api_figures("raw_driver", name, concurrency, latencies, seconds)
            finally:
                server.terminate()
                server.wait(timeout=30)

    def _neo4j_settings(self) -> dict[str, str]:
        settings = self.env.settings
        if settings.neo4j_uri is not None:
            password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else ""
            return {"NEO4J_URI": settings.neo4j_uri, "NEO4J_USER": settings.neo4j_user, "NEO4J_PASSWORD": password,
                    "NEO4J_DATABASE": settings.neo4j_database}
        status = local_server(settings).status()
        return {"NEO4J_URI": status.bolt_uri, "NEO4J_USER": status.user, "NEO4J_PASSWORD": status.password,
                "NEO4J_DATABASE": settings.neo4j_database}

    def _raw(self, store: GraphStore, name: str) -> Callable[[str], Any]:
        return raw_neighbourhood(store, self.ontology, self.env.settings.neo4j_database)

    def _api_figures(self, arm: str, store: str, concurrency: int, latencies: list[float], seconds: float) -> None:
        ordered = sorted(latencies) or [0.0]
        self.add("api", arm, "p50_ms", ordered[len(ordered) // 2], "ms", store=store, concurrency=concurrency)
        self.add("api", arm, "p99_ms", ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], "ms", store=store,
                 concurrency=concurrency)
        self.add("api", arm, "requests_per_s", len(latencies) / seconds, "req/s", store=store,
                 concurrency=concurrency)

    def extract(self) -> None:
        seeds = self.env.settings.seeds_dir
        texts = [p.read_text(encoding="utf-8") for p in sorted(seeds.rglob("reports/*.txt"))]
        timed = benchmark(Extractor(self.ontology, self.registry), synthetic_articles(texts, self.plan.articles),
                          repeat=2)  # the faster of two: the first pays for warming the pipeline
        self.add("extract", "extractor", "articles_per_s", timed.articles / timed.extractor_seconds, "articles/s")
        # the floor: the language pipeline alone over the same paragraphs, which no extractor on it can beat
        self.add("extract", "parse", "articles_per_s", timed.articles / timed.baseline_seconds, "articles/s")

    def mixed(self) -> None:
        entities = self.buckets["median"]
        for name, store in self.stores():
            extractor = Extractor(self.ontology, store.name_index().entities())
            alone, _ = _closed_loop(lambda e, store=store: store.neighbourhood(e), entities, 1,  # type: ignore[misc]
                                    self.plan.mixed_seconds / 2)
            stop = threading.Event()
            written = [0]

            def write(store: GraphStore = store, extractor: Extractor = extractor, stop: threading.Event = stop,
                      written: list[int] = written) -> None:
                offset = 20_000 if isinstance(store, Neo4jStore) else 30_000
                while not stop.is_set():
                    batch = self.reports(4, offset=offset + written[0])
                    ingest_many(batch, store, self.ontology, extractor=extractor)
                    written[0] += len(batch)

            writer = threading.Thread(target=write, daemon=True)
            writer.start()
            under, _ = _closed_loop(lambda e, store=store: store.neighbourhood(e), entities, 1,  # type: ignore[misc]
                                    self.plan.mixed_seconds)
            stop.set()
            writer.join(timeout=120)
            for arm, samples in (("reads_alone", alone), ("reads_under_writes", under)):
                ordered = sorted(samples)
                self.add("mixed", arm, "p99_ms", ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], "ms",
                         store=name, reports_written=written[0] if arm != "reads_alone" else 0)
                self.add("mixed", arm, "p50_ms", ordered[len(ordered) // 2], "ms", store=name)

    def close(self) -> None:
        for _, store in self.stores():
            with contextlib.suppress(KgError):
                store.close()


# --- helpers --------------------------------------------------------------------------------


def raw_neighbourhood(store: GraphStore, ontology: Any, database: str) -> Callable[[str], Any]:
    """The 1-hop neighbourhood query straight to the driver (Neo4j) or the store's method (embedded): the floor
    the API's neighbourhood endpoint is measured against."""
    if isinstance(store, Neo4jStore):
        driver = store._driver
        parameters = {"depth": 1, "direction": "both", "types": None, "statuses": None, "min_confidence": 0.0,
                      "since": None, "until": None, "hub_degree": HUB_DEGREE, "max_nodes": MAX_NODES,
                      "max_links": MAX_LINKS, "scan_nodes": SCAN_NODES,
                      "symmetric": sorted(n for n, r in ontology.relation_types.items() if r.symmetric)}
        # The query the store itself sends: through the project's procedure where the server holds it.
        text = cypher("walk") if store.has_procedures() else cypher("neighbourhood")
        if store.has_procedures():
            parameters["types"] = sorted(ontology.relation_types)
        return lambda e: driver.execute_query(text, {**parameters, "center": e}, database_=database, routing_="r")
    return store.neighbourhood


def _shape(answer: Any) -> Any:
    if hasattr(answer, "nodes") and hasattr(answer, "links"):
        return (sorted((n.id, n.depth) for n in answer.nodes), sorted(link.key for link in answer.links),
                answer.truncated)
    return [[(h.from_, h.to, [c.id for c in h.claims]) for h in path] for path in answer]


def _upserted(store: Neo4jStore, batch: Batch) -> tuple[float, int]:
    """Upsert ``batch``: the seconds it took and how many records it created or changed, plus one if the store's
    counts moved without a record saying so; 0 when the store already held the batch, as it must on a re-ingest
    and a ``--reuse``."""
    before = store.stats()
    start = time.perf_counter()
    written = store.upsert(batch)
    seconds = time.perf_counter() - start
    changed = sum(written.created.values()) + sum(written.updated.values())
    return seconds, changed + (store.stats() != before)


def _giant_component(claims: list[Claim]) -> set[str]:
    """The entities of the largest connected part of the graph (union-find over the claims)."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for claim in claims:
        a, b = root(claim.subject), root(claim.object)
        if a != b:
            parent[a] = b
    sizes: dict[str, int] = {}
    for node in parent:
        sizes[root(node)] = sizes.get(root(node), 0) + 1
    biggest = max(sizes, key=sizes.__getitem__)
    return {node for node in parent if root(node) == biggest}


def _cycle(work: Callable[[str], Any], entities: list[str]) -> Callable[[], Any]:
    """``work`` over the entities in turn, one a call."""
    calls = iter(range(10**12))
    return lambda: work(entities[next(calls) % len(entities)])


def _timed(work: Callable[[], Any], repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _closed_loop(work: Callable[[str], Any], entities: list[str], concurrency: int,
                 seconds: float) -> tuple[list[float], float]:
    """``concurrency`` threads each calling ``work`` back to back for ``seconds``: latencies and elapsed."""
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(number: int) -> None:
        done = number
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            work(entities[done % len(entities)])
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
            done += concurrency
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(client, range(concurrency)))
    return latencies, time.perf_counter() - start


async def _load(port: int, paths: list[str], concurrency: int, seconds: float) -> tuple[list[float], float]:
    """A closed-loop HTTP/1.1 client: ``concurrency`` keep-alive connections, each sending the next
    request when the last answer is read, for ``seconds``."""
    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds

    async def client(number: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        done = number
        try:
            while loop.time() < deadline:
                path = paths[done % len(paths)]
                start = loop.time()
                writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                if not head.startswith(b"HTTP/1.1 200"):
                    raise KgError(f"the API answered {head.splitlines()[0]!r} to {path}")
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                await reader.readexactly(length)
                latencies.append((loop.time() - start) * 1000)
                done += concurrency
        finally:
            writer.close()

    start = loop.time()
    await asyncio.gather(*(client(n) for n in range(concurrency)))
    return latencies, loop.time() - start


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            error = server.stderr.read().decode(errors="replace") if server.stderr else ""
            raise KgError(f"kg serve for the benchmark exited: {error[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise KgError("kg serve for the benchmark did not start within 120 s")


def _worker(*arguments: str) -> dict[str, float]:
    """Run one measurement in a process of its own (``benchmarks.worker``), so its memory is the store's alone."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.worker", *arguments], capture_output=True,  # noqa: S603
                          text=True, check=False)
    if done.returncode != 0:
        raise KgError(f"benchmark step {arguments[0]} failed: {done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- the command ----------------------------------------------------------------------------

WORKLOADS = ("load", "ingest", "store", "query", "api", "extract", "mixed")
# `load` stops and starts the local server (its bulk arm), so it runs only when named.
DEFAULT_WORKLOADS = tuple(w for w in WORKLOADS if w != "load")
RATIOS: dict[tuple[str, str], list[tuple[str, str]]] = {  # (workload, metric): [(optimised arm, baseline arm)]
    ("load", "claims_per_s"): [("bulk", "transactions")],
    ("ingest", "claims_per_s"): [("batched", "per_claim")],
    ("store", "build_seconds"): [("kg", "networkx")],
    ("store", "resident_mb"): [("kg", "networkx")],
    ("query", "p50_ms"): [("memory", "networkx"), ("neo4j", "neo4j_cypher")],
    ("api", "p50_ms"): [("api", "raw_driver")],
    ("extract", "articles_per_s"): [("extractor", "parse")],
    ("mixed", "p99_ms"): [("reads_under_writes", "reads_alone")],
}


def machine() -> dict[str, Any]:
    """The machine a run was measured on."""
    memory = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) // 1024
    return {"host": platform.node(), "cpus": os.cpu_count(), "memory_mb": memory, "system": platform.platform()}


def versions(neo4j: Neo4jStore | None) -> dict[str, str]:
    """Versions of what was measured."""
    found = {"python": platform.python_version()}
    for package in ("neo4j", "numpy", "networkx", "spacy", "fastapi", "uvicorn"):
        with contextlib.suppress(Exception):
            found[package] = version(package)
    if neo4j is not None:
        with contextlib.suppress(Exception):
            records, _, _ = neo4j._driver.execute_query("CALL dbms.components() YIELD versions RETURN versions[0] AS v")
            found["neo4j_server"] = records[0]["v"]
    return found


def table(figures: list[Figure]) -> str:
    """The figures as a table, each optimised arm beside its baseline with their ratio."""
    rows = []
    index = {(f.workload, f.arm, f.metric, json.dumps(f.about, sort_keys=True)): f for f in figures}
    for figure in figures:
        about = {k: v for k, v in figure.about.items()
                 if k in ("store", "query", "bucket", "concurrency", "into_claims") or k.endswith("_s")}
        ratio = ""
        pair = next((p for p in RATIOS.get((figure.workload, figure.metric), []) if p[0] == figure.arm), None)
        if pair is not None:
            other_about = dict(figure.about)
            if figure.workload == "query":
                other_about = {k: v for k, v in figure.about.items() if k in ("query", "bucket")}
            other = index.get((figure.workload, pair[1], figure.metric, json.dumps(other_about, sort_keys=True)))
            if other is None and figure.workload == "ingest":
                other = next((f for f in figures if f.workload == "ingest" and f.arm == pair[1]
                              and f.metric == figure.metric), None)
            if other is not None and other.value:
                ratio = f"{figure.value / other.value:.2f}x vs {pair[1]}"
        rows.append([figure.workload, figure.arm, " ".join(f"{k}={v}" for k, v in about.items()), figure.metric,
                     f"{figure.value:,.3f}" if isinstance(figure.value, float) else figure.value, figure.unit, ratio])
    return render.table(("WORKLOAD", "ARM", "ABOUT", "METRIC", "VALUE", "UNIT", "RATIO"), rows)


@cli.command("bench", help="Time each optimised path beside its baseline on a synthetic graph (S: 10k entities "
                           "and 50k claims; M: 100k and 1M), and print the figures.")
@click.option("--size", type=click.Choice(list(SIZES)), default="S", show_default=True,
              help="XS 2k/10k (a quick look), S 10k/50k (the test command's smoke run), M 100k/1M (on demand).")
@click.option("--workloads", default=",".join(DEFAULT_WORKLOADS), show_default=True,
              help="Which workloads to run, comma-separated; `load` (the bulk importer beside transactions, on the "
                   "local server it stops and starts) only when named.")
@click.option("--wipe", is_flag=True, help="Let the benchmark empty a Neo4j database that holds a graph.")
@click.option("--reuse", is_flag=True,
              help="Keep the graph an earlier run of the same size left in Neo4j (the generated graph is upserted "
                   "over it, which changes nothing, and the counts checked) instead of emptying and loading it again; "
                   "a database holding other counts is refused before anything is written, an empty one is loaded. "
                   "Not with --wipe, nor with the ingest and load workloads, which empty the database.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per figure and line.")
@pass_env
@handles_errors
def bench_command(env: Env, size: str, workloads: str, wipe: bool, reuse: bool, as_json: bool) -> None:
    chosen = [w.strip() for w in workloads.split(",") if w.strip()]
    unknown = [w for w in chosen if w not in WORKLOADS]
    if unknown:
        raise click.BadParameter(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    if reuse and wipe:
        raise click.UsageError("--reuse keeps the graph in Neo4j and --wipe empties the database: pass one of them")
    if reuse and (emptying := [w for w in ("load", "ingest") if w in chosen]):
        named, many = " and ".join(emptying), len(emptying) > 1
        raise click.UsageError(f"--reuse keeps the graph in Neo4j, but the {named} workload{'s' if many else ''} "
                               f"{'empty' if many else 'empties'} the database to time a load into it: leave "
                               f"{'them' if many else 'it'} out of --workloads (e.g. --workloads query,api), or pass "
                               "--wipe instead of --reuse")
    context: dict[str, Any] = {}

    def emit(figure: Figure) -> None:
        if as_json:
            click.echo(json.dumps({"workload": figure.workload, "arm": figure.arm, "size": size,
                                   "metric": figure.metric, "value": figure.value, "unit": figure.unit,
                                   **figure.about, **context}, ensure_ascii=False))

    def step(name: str) -> None:
        click.echo(f"kg bench --size {size}: {name} …", err=True)

    with tempfile.TemporaryDirectory(prefix="kg-bench-") as folder:
        run = Run(env, SIZES[size], Path(folder), emit, wipe=wipe, reuse=reuse)
        try:
            needs_neo4j = {"load", "ingest", "query", "api", "mixed"} & set(chosen)
            if needs_neo4j:
                run.open_neo4j()
            context.update(machine=machine(), versions=versions(run.neo4j))
            step("generating the graph")
            run.prepare()
            if reuse and run.neo4j is not None:
                run.check_reused(upserted=False)  # before the store workload's minutes, and before any write
            if needs_neo4j - {"load"} or "store" in chosen:
                step("store: build and reopen the embedded store")
                run.store()
            if "load" in chosen:
                step("a first load into Neo4j: bulk importer and transactions")
                run.load()
            if "ingest" in chosen:
                step("ingest into Neo4j")
                run.ingest()
            elif run.neo4j is not None and "load" not in chosen:
                step("the graph into Neo4j" + (", over the kept one" if reuse else ""))
                run.upsert_graph()
            if "query" in chosen:
                step("queries on both stores")
                run.queries()
            if "api" in chosen:
                step("the API under load")
                run.api()
            if "ingest" in chosen:
                step("ingest of extracted reports")
                run.ingest_reports()
            if "mixed" in chosen:
                step("reads while ingesting")
                run.mixed()
            if "extract" in chosen:
                step("extraction")
                run.extract()
        finally:
            run.close()
    if not as_json:
        click.echo(f"kg bench --size {size}: {SIZES[size].entities:,} entities, {SIZES[size].claims:,} claims; "
                   f"{context.get('machine', {}).get('cpus')} cpus; versions {context.get('versions')}")
        click.echo(table(run.figures))

