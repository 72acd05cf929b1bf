"""`kg bench --size XS --json` runs end to end on the test server and produces every figure it promises.

A smoke run at the smallest size (every workload and arm runs at every size; at S the graph alone took
nearly three minutes of the CI run): it checks that each workload and arm yields figures of the documented shape, that
re-ingesting changes nothing and that both stores gave the same answers to every timed query,
never how fast anything was (speed is for the benchmark's own output, beside its baselines).
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

from graph.domain.ontology import Ontology
from tests.conftest import Neo4jTestDatabase

SIZE = "XS"
EXPECTED = {
    "ingest": {"batched", "per_claim", "reingest", "ingest_many", "ingest"},
    "store": {"kg", "networkx"},
    "query": {"memory", "neo4j", "networkx", "agreement"},
    "api": {"api", "raw_driver"},
    "extract": {"extractor", "parse"},
    "mixed": {"reads_alone", "reads_under_writes"},
}


@pytest.fixture(scope="module")
def figures(neo4j_database: Neo4jTestDatabase, ontology: Ontology,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("bench")
    status = neo4j_database.status
    environment = {**os.environ, "NEO4J_URI": status.bolt_uri, "NEO4J_USER": status.user,
                   "NEO4J_PASSWORD": status.password, "KG_DATA_FILE": str(folder / "graph.sqlite"),
                   "KG_STAGING_FILE": str(folder / "staged.json")}
    command = [sys.executable, "-c", "import sys; from app.cli import cli; cli(sys.argv[1:])"]
    done = subprocess.run([*command, "bench", "--size", SIZE, "--json", "--wipe"],
                          capture_output=True, text=True, env=environment, check=False, timeout=1800)
    neo4j_database.reset(ontology, seeded=bool(neo4j_database.seeded_readers))
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    found = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert found, f"kg bench printed no figures: {done.stderr[-2000:]}"
    yield found


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


def test_reingesting_changes_nothing_and_the_stores_agree(figures: list[dict[str, Any]]) -> None:
    (changed,) = [f["value"] for f in figures if f["arm"] == "reingest" and f["metric"] == "changed_records"]
    assert changed == 0
    agreement = [f for f in figures if f["arm"] == "agreement"]
    assert len(agreement) == 15 and all(f["value"] == 1 for f in agreement), \
        [(f["query"], f["bucket"]) for f in agreement if f["value"] != 1]


def test_the_benchmarks_page_documents_the_command() -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert "kg bench --size M" in page and f"kg bench --size {SIZE} --json" in page
