"""`kg bench --size XS --json` runs end to end on the test server and produces every figure it promises.

A smoke run at the smallest size (every workload and arm runs at every size; at S the graph alone took
nearly three minutes of the CI run): it checks that each workload and arm yields figures of the documented shape, that
re-ingesting changes nothing and that both stores gave the same answers to every timed query,
never how fast anything was (speed is for the benchmark's own output, beside its baselines).

`--reuse` is checked on its own, quicker runs: a run that keeps the XS graph an earlier run left writes nothing and
leaves the counts as they were; one onto a database holding another graph, or beside what would empty the
database, is refused before anything is written.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from app.cli import cli
from app.cli.base import Env
from benchmarks.bench import Run
from benchmarks.synthetic import SIZES
from graph.domain.ontology import Ontology
from graph.stores.protocol import GraphStore
from tests.api.conftest import settings_for
from tests.conftest import SEEDS, Neo4jTestDatabase

SIZE = "XS"
EXPECTED = {
    "ingest": {"batched", "per_claim", "reingest", "ingest_many", "ingest"},
    "store": {"kg", "networkx"},
    "query": {"memory", "neo4j", "neo4j_cypher", "networkx", "agreement", "agreement_cypher"},
    "api": {"api", "raw_driver"},
    "extract": {"extractor", "parse"},
    "mixed": {"reads_alone", "reads_under_writes"},
}


def bench(neo4j_database: Neo4jTestDatabase, folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`kg bench --size XS` with ``arguments``, in a process of its own as a user runs it, on the test server, with
    the embedded store and the staging file in ``folder``."""
    status = neo4j_database.status
    environment = {**os.environ, "NEO4J_URI": status.bolt_uri, "NEO4J_USER": status.user,
                   "NEO4J_PASSWORD": status.password, "KG_DATA_FILE": str(folder / "graph.sqlite"),
                   "KG_STAGING_FILE": str(folder / "staged.json")}
    command = [sys.executable, "-c", "import sys; from app.cli import cli; cli(sys.argv[1:])"]
    return subprocess.run([*command, "bench", "--size", SIZE, *arguments],
                          capture_output=True, text=True, env=environment, check=False, timeout=1800)


def printed(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    """The figures a successful run printed, one JSON object a line."""
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    found = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert found, f"kg bench printed no figures: {done.stderr[-2000:]}"
    return found


@pytest.fixture(scope="module")
def figures(neo4j_database: Neo4jTestDatabase, ontology: Ontology,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[dict[str, Any]]]:
    done = bench(neo4j_database, tmp_path_factory.mktemp("bench"), "--json", "--wipe")
    neo4j_database.reset(ontology, seeded=bool(neo4j_database.seeded_readers))
    yield printed(done)


def test_every_workload_and_arm_produces_figures(figures: list[dict[str, Any]]) -> None:
    found: dict[str, set[str]] = {}
    for figure in figures:
        found.setdefault(figure["workload"], set()).add(figure["arm"])
    for workload, arms in EXPECTED.items():
        assert arms <= found.get(workload, set()), (workload, found.get(workload))


def test_each_figure_has_the_documented_fields(figures: list[dict[str, Any]]) -> None:
    for figure in figures:
        assert {"workload", "arm", "size", "metric", "value", "unit", "machine", "versions"} <= set(figure), figure
        assert figure["size"] == SIZE
        assert isinstance(figure["value"], int | float) and math.isfinite(figure["value"]) and figure["value"] >= 0
        assert figure["machine"]["cpus"] >= 1 and figure["versions"]["neo4j_server"].startswith("5.")


def test_api_and_queries_cover_every_level_bucket_and_store(figures: list[dict[str, Any]]) -> None:
    api = {(f["arm"], f["store"], f["concurrency"]) for f in figures if f["workload"] == "api"}
    assert api == {(arm, store, c) for arm in ("api", "raw_driver") for store in ("memory", "neo4j")
                   for c in (1, 8, 32)}
    queries = {(f["arm"], f["query"], f["bucket"]) for f in figures if f["workload"] == "query"
               and f["metric"] == "p99_ms"}
    for query in ("1hop", "2hop_filtered", "3hop_bounded", "paths_connected", "paths_disconnected"):
        for bucket in ("median", "p99", "hub"):
            assert {("memory", query, bucket), ("neo4j", query, bucket)} <= queries
            # Neo4j beside its baseline, the same server answering in Cypher alone.
            assert ("neo4j_cypher", query, bucket) in queries


def test_reingesting_changes_nothing_and_the_stores_agree(figures: list[dict[str, Any]]) -> None:
    (changed,) = [f["value"] for f in figures if f["arm"] == "reingest" and f["metric"] == "changed_records"]
    assert changed == 0
    agreement = [f for f in figures if f["arm"] == "agreement"]
    assert len(agreement) == 15 and all(f["value"] == 1 for f in agreement), \
        [(f["query"], f["bucket"]) for f in agreement if f["value"] != 1]
    cypher = [f for f in figures if f["arm"] == "agreement_cypher"]
    assert len(cypher) == 15 and all(f["value"] == 1 for f in cypher), \
        [(f["query"], f["bucket"]) for f in cypher if f["value"] != 1]


def test_the_benchmarks_page_documents_the_command() -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert "kg bench --size M" in page and f"kg bench --size {SIZE} --json" in page


def counts(store: GraphStore) -> tuple[int, int, int]:
    return store.count_entities(), store.count_sources(), store.count_claims()


@pytest.fixture(scope="module")
def kept(neo4j_database: Neo4jTestDatabase, ontology: Ontology, tmp_path_factory: pytest.TempPathFactory,
         ) -> Iterator[Path]:
    """The test database as `kg bench --size XS --workloads query --wipe` leaves it, for a `--reuse` run to keep:
    written by that run's own steps in this process (the database emptied, the graph generated and upserted),
    without its store build and timed reads, which write nothing to Neo4j and would cost this test half a minute.
    Yields the folder for the runs' embedded store and staging file."""
    folder = tmp_path_factory.mktemp("bench-reuse")
    status = neo4j_database.status
    env = Env(settings_for(folder, seeds_dir=SEEDS, staging_file=folder / "staged.json", neo4j_uri=status.bolt_uri,
                           neo4j_user=status.user, neo4j_password=SecretStr(status.password)))
    run = Run(env, SIZES[SIZE], folder, lambda figure: None, wipe=True)
    try:
        run.open_neo4j()
        run.prepare()
        run.upsert_graph()
    finally:
        run.close()
        env.close()
    yield folder
    neo4j_database.reset(ontology, seeded=bool(neo4j_database.seeded_readers))


def test_a_reuse_run_keeps_the_graph_and_writes_nothing(kept: Path, neo4j_database: Neo4jTestDatabase,
                                                        ontology: Ontology) -> None:
    store = neo4j_database.store(ontology)
    before = counts(store)
    found = printed(bench(neo4j_database, kept, "--workloads", "query", "--reuse", "--json"))
    (generated,) = [f for f in found if f["arm"] == "generator"]
    assert before == counts(store) == (generated["entities"], generated["sources"], generated["claims"])
    upsert = {f["metric"]: f for f in found if f["workload"] == "setup" and f["arm"] == "upsert"}
    assert upsert["changed_records"]["value"] == 0 and upsert["changed_records"]["reused"] is True
    agreement = [f for f in found if f["arm"] == "agreement"]
    assert len(agreement) == 15 and all(f["value"] == 1 for f in agreement), "the kept graph answers as generated"


def test_a_reuse_onto_another_graph_is_refused_before_anything_is_written(
        kept: Path, neo4j_database: Neo4jTestDatabase, ontology: Ontology) -> None:
    store = neo4j_database.reset(ontology, seeded=True)
    entities, sources, claims = counts(store)
    held = store.stats()
    done = bench(neo4j_database, kept, "--workloads", "query", "--reuse")
    assert done.returncode == 1, done.stdout[-2000:]
    assert (f"holds {entities:,} entities, {sources:,} sources and {claims:,} claims, not the" in done.stderr
            and "so --reuse wrote nothing into it; pass --wipe instead of --reuse" in done.stderr), done.stderr[-2000:]
    assert store.stats() == held


@pytest.mark.parametrize(("arguments", "why"), [
    (["--reuse", "--wipe"], "--reuse keeps the graph in Neo4j and --wipe empties the database"),
    (["--reuse"], "the ingest workload empties the database to time a load into it"),
    (["--reuse", "--workloads", "query,load,ingest"], "the load and ingest workloads empty the database")])
def test_reuse_is_refused_beside_what_would_empty_the_database(kept: Path, neo4j_database: Neo4jTestDatabase,
                                                               ontology: Ontology, arguments: list[str],
                                                               why: str) -> None:
    store = neo4j_database.store(ontology)
    held = store.stats()
    status = neo4j_database.status
    settings = settings_for(kept, seeds_dir=SEEDS, neo4j_uri=status.bolt_uri, neo4j_user=status.user,
                            neo4j_password=SecretStr(status.password))
    done = CliRunner().invoke(cli, ["bench", "--size", SIZE, *arguments], obj=settings)
    assert done.exit_code == 2 and why in done.stderr, done.output
    assert store.stats() == held
