"""A wheel built from the repository installs a working kg: not an editable install, a fresh virtualenv.

The wheel is built from a copy of what pyproject.toml packages (so the build leaves nothing in the
checkout), must hold every file of those folders, and is installed with its pinned dependencies
from PyPI through pip's cache. The installed kg then loads the seeds it carries, answers a question,
extracts claims with its lexicon, serves the API, the docs and the explorer's files, and loads into
Neo4j with the Cypher it carries.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.settings import PROJECT_ROOT
from graph.domain.ontology import Ontology
from tests.conftest import Neo4jTestDatabase

# What the wheel is built from, and where each folder lands inside it.
SOURCES = {"app": "app", "graph": "graph", "cypher": "graph/data/cypher", "seeds": "graph/data/seeds"}
QUESTION = "who is IS-K trying to provoke?"


def _run(*command: str | Path, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    # Run outside the checkout: `python -c` would otherwise import app/ and graph/ from the working directory.
    cwd = Path(env["HOME"]) if env and "HOME" in env else Path("/")
    done = subprocess.run([str(c) for c in command], env=env, capture_output=True, text=True, timeout=timeout,
                          check=False, cwd=cwd)
    assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def _shipped(folder: str) -> list[str]:
    """The files of a packaged folder that belong in the wheel (sources and data, not caches)."""
    root = PROJECT_ROOT / folder
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bin folder of a fresh virtualenv with the wheel installed."""
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, source)
    for folder in SOURCES:
        shutil.copytree(PROJECT_ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    pip_env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", work / "dist", source,
         env=pip_env)
    (wheel,) = (work / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for folder, inside in SOURCES.items():
        missing = [f for f in _shipped(folder) if f"{inside}/{f}" not in names]
        assert not missing, f"the wheel lacks {folder}/: {missing[:10]}"
    venv = work / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    # This pip installs into the new environment (--python), which so needs no pip of its own; --no-compile:
    # the check is that kg works, not how fast it starts, and compiling 400 MB of dependencies takes a while.
    _run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet", "--no-compile",
         wheel, env=pip_env, timeout=900)
    yield venv / "bin"


def _clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a user who set nothing for kg, with a data file of their own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KG_", "NEO4J_", "VIRTUAL_ENV", "PYTHON"))}
    return {**env, "HOME": str(tmp), "KG_DATA_FILE": str(tmp / "graph.json"), **extra}


def test_the_installed_kg_is_the_wheel_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    where = _run(installed / "python", "-c", "import app, graph; print(app.__file__); print(graph.__file__)",
                 env=_clean_env(tmp_path))
    assert all("site-packages" in line and str(PROJECT_ROOT) not in line for line in where.split())


def test_the_installed_kg_loads_its_seeds_answers_and_extracts(installed: Path, tmp_path: Path) -> None:
    env = _clean_env(tmp_path)
    loaded = json.loads(_run(installed / "kg", "load", "--json", env=env))
    assert loaded["path"].endswith("graph/data/seeds") and loaded["written"]["created"]["claims"] == 80
    # The regional registry files (seeds/registry/*.yaml) come with the seeds, parents and all.
    assert json.loads(_run(installed / "kg", "resolve", "Shebab", "--json", env=env))["id"] == "al-shabaab"
    province = json.loads(_run(installed / "kg", "entity", "ISWAP", "--json", env=env))
    assert (province["parent"], province["parent_relation"]) == ("islamic-state", "AFFILIATE_OF")
    answer = json.loads(_run(installed / "kg", "ask", QUESTION, "--json", env=env))
    assert {a["name"] for a in answer["answers"]} == {"Pakistan", "Iran"}
    report = tmp_path / "report.txt"
    report.write_text("IS-K claimed that it fired rockets at Tajikistan on May 7. Dushanbe denied that any attack "
                      "took place.\n", encoding="utf-8")
    extracted = json.loads(_run(installed / "kg", "extract", report, "--outlet", "RFE/RL", "--date", "2022-05-20",
                                "--json", env=env))
    assert {(c["subject"], c["type"], c["object"]) for c in extracted["claims"]} >= {
        ("isk", "ATTACKED", "tajikistan"), ("tajikistan", "DENIED", "isk")}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:  # a loopback server of this test
        return response.status, response.read()


def test_the_installed_kg_serves_the_api_docs_and_explorer(installed: Path, tmp_path: Path) -> None:
    env = _clean_env(tmp_path)
    _run(installed / "kg", "load", env=env)
    port = _free_port()
    server = subprocess.Popen([str(installed / "kg"), "serve", "--port", str(port)], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/health")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "kg serve did not start"
                time.sleep(0.2)
        status, body = _get(f"{base}/v1/ask?q={urllib.request.quote(QUESTION)}")
        assert status == 200 and {a["name"] for a in json.loads(body)["answers"]} == {"Pakistan", "Iran"}
        for path, holds in (("/", b"<html"), ("/assets/app/app.js", b"import"), ("/docs", b"swagger-ui"),
                            ("/docs/static/swagger-ui-bundle.js", b"SwaggerUI")):
            status, body = _get(base + path)
            assert status == 200 and holds in body, path
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_installed_kg_loads_into_neo4j_with_the_cypher_it_carries(
        installed: Path, tmp_path: Path, neo4j_database: Neo4jTestDatabase, ontology: Ontology) -> None:
    neo4j_database.reset(ontology, seeded=False)
    status = neo4j_database.status
    env = _clean_env(tmp_path, KG_STORE="neo4j", NEO4J_URI=status.bolt_uri, NEO4J_USER=status.user,
                     NEO4J_PASSWORD=status.password)
    try:
        loaded = json.loads(_run(installed / "kg", "load", "--json", env=env))
        assert loaded["written"]["created"]["claims"] == 80
        answer = json.loads(_run(installed / "kg", "ask", QUESTION, "--json", env=env))
        assert {a["name"] for a in answer["answers"]} == {"Pakistan", "Iran"}
    finally:
        if neo4j_database.seeded_readers:
            neo4j_database.reset(ontology, seeded=True)
