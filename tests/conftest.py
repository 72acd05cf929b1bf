"""Shared fixtures: the ontology, the seed bundle, stores of every kind loaded with it, and bundle builders.

The Neo4j stores talk to a real server: the test instance that `scripts/test` starts with
`kg neo4j start` (its own folder and ports, so a developer's own instance is never wiped).
If it is not running, the first Neo4j test starts it and the session stops it. Under ``CI=true`` a server that
cannot start fails the run instead of skipping.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from neo4j import Driver
from playwright.sync_api import Browser, sync_playwright

from app.settings import PROJECT_ROOT, Settings
from graph.domain.errors import KgError
from graph.domain.model import Batch
from graph.domain.ontology import Ontology, load_ontology
from graph.services.loader import load
from graph.stores.neo4j.server import LocalServer, ServerStatus
from graph.stores.neo4j.store import Neo4jStore, connect
from graph.stores.protocol import GraphStore
from graph.stores.sqlite.store import SqliteStore
from tests.background import Background, Finished

SEEDS = PROJECT_ROOT / "seeds"
EVALUATION = PROJECT_ROOT / "evaluation"
SEED_REPORT = "rferl-2022-05-isk-central-asia"
# Every store the behavioural suite runs against; they must agree.
STORE_KINDS = ["memory", "neo4j"]
# The test instance: kept apart from the developer's (.cache/neo4j on 7687/7474). scripts/test uses the same.
TEST_NEO4J_HOME = PROJECT_ROOT / ".cache" / "neo4j-test"
TEST_BOLT_PORT = 7688
TEST_HTTP_PORT = 7475


CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "artifacts"  # screenshots the browser tests leave for people to look at
# Flags for a closed network: no background calls home, no first-run dialogs, no sandbox as root.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if Settings().ci:
            pytest.fail(f"CI=true and {CHROMIUM} is missing: scripts/test installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def ontology() -> Ontology:
    return load_ontology()


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (SEEDS / "reports" / f"{SEED_REPORT}.txt").read_bytes().decode("utf-8")


@pytest.fixture(scope="session")
def seed_claims() -> list[dict[str, Any]]:
    """The curated claims as written in the file, read without the project's loader."""
    data = yaml.safe_load((SEEDS / "claims" / f"{SEED_REPORT}.yaml").read_text(encoding="utf-8"))
    return list(data["claims"])


class Neo4jTestDatabase:
    """The test server's one database, shared by every Neo4j fixture.

    Neo4j Community has a single user database, so a test that needs it empty wipes it,
    and puts the seed graph back afterwards if a module is still reading it.
    """

    def __init__(self, status: ServerStatus, driver: Driver) -> None:
        self.status = status
        self.driver = driver
        self.seeded_readers = 0

    def store(self, ontology: Ontology, *, timeout: float = 60, procedures: bool | None = None) -> Neo4jStore:
        """``procedures=False``: the store answers in Cypher alone, as on a server without the project's procedures."""
        return Neo4jStore(self.driver, ontology, uri=self.status.bolt_uri, timeout=timeout, procedures=procedures)

    def reset(self, ontology: Ontology, *, seeded: bool) -> Neo4jStore:
        store = self.store(ontology)
        store.clear()
        if seeded:
            load(SEEDS, store, ontology)
        return store

    @contextmanager
    def beside_memory(self, ontology: Ontology, batch: Batch, *,
                      timeout: float = 60) -> Iterator[dict[str, GraphStore]]:
        """An embedded store and this database, each holding ``batch`` alone, for a module that compares the
        stores on a graph of its own (``timeout``: the Neo4j store's query timeout, where the test needs the one
        `kg` opens with rather than the fixtures' generous one). Neo4j comes twice: walking with the project's
        procedures (``neo4j``) and in Cypher alone (``neo4j_cypher``, a server without them). The seed graph comes
        back afterwards if a module is still reading it."""
        memory = SqliteStore(ontology)
        memory.upsert(batch)
        self.reset(ontology, seeded=False)
        neo4j = self.store(ontology, timeout=timeout)
        neo4j.upsert(batch)
        try:
            yield {"memory": memory, "neo4j": neo4j,
                   "neo4j_cypher": self.store(ontology, timeout=timeout, procedures=False)}
        finally:
            memory.close()
            self.reset(ontology, seeded=bool(self.seeded_readers))


def pytest_addoption(parser: pytest.Parser) -> None:
    # Two checkouts testing at once each need a test server of their own.
    parser.addoption("--neo4j-bolt-port", type=int, default=TEST_BOLT_PORT, help="Bolt port of the Neo4j test server.")
    parser.addoption("--neo4j-http-port", type=int, default=TEST_HTTP_PORT, help="HTTP port of the Neo4j test server.")


BACKGROUND = pytest.StashKey[Background]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "background(name): the test asserts the result of tests/background.py's "
                                       "command of that name, started when the session starts")


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected: a test not run starts nothing
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Start the background command of every collected test that asserts one, and move those tests to the end,
    where the commands have had the whole run beside them."""
    marked = [item for item in items if item.get_closest_marker("background")]
    items[:] = [item for item in items if item not in marked] + marked
    if marked and not config.option.collectonly:
        background = config.stash.setdefault(BACKGROUND, Background())
        for item in marked:
            background.start(item.get_closest_marker("background").args[0])  # type: ignore[union-attr]


def pytest_unconfigure(config: pytest.Config) -> None:
    if BACKGROUND in config.stash:
        config.stash[BACKGROUND].close()


@pytest.fixture
def background(request: pytest.FixtureRequest) -> Finished:
    """What the test's background command did, once it has finished."""
    marker = request.node.get_closest_marker("background")
    assert marker is not None, "the background fixture is for tests marked @pytest.mark.background(name)"
    return request.config.stash[BACKGROUND].result(marker.args[0])


@pytest.fixture(scope="session")
def test_neo4j_server(pytestconfig: pytest.Config) -> LocalServer:
    return LocalServer(TEST_NEO4J_HOME, bolt_port=pytestconfig.getoption("neo4j_bolt_port"),
                       http_port=pytestconfig.getoption("neo4j_http_port"))


@pytest.fixture(scope="session")
def neo4j_database(test_neo4j_server: LocalServer) -> Iterator[Neo4jTestDatabase]:
    """The running test server (started here if it is not, and then stopped at the end), or a failure
    under CI, a skip elsewhere. A server left running would hold the test ports against the next
    checkout's run."""
    started_here = not test_neo4j_server.status().running
    try:
        status = test_neo4j_server.start()
    except KgError as error:
        if Settings().ci:
            pytest.fail(f"CI=true and the Neo4j test server cannot start: {error.message}")
        pytest.skip(f"no Neo4j test server: {error.message}")
    driver = connect(status.bolt_uri, status.user, status.password)
    yield Neo4jTestDatabase(status, driver)
    driver.close()
    if started_here:
        test_neo4j_server.stop()


@pytest.fixture(scope="module")
def neo4j_seeded(neo4j_database: Neo4jTestDatabase, ontology: Ontology) -> Iterator[Neo4jTestDatabase]:
    """The Neo4j test database holding the seed graph, for tests that speak Cypher to it directly."""
    neo4j_database.reset(ontology, seeded=True)
    neo4j_database.seeded_readers += 1
    yield neo4j_database
    neo4j_database.seeded_readers -= 1


def make_store(kind: str, ontology: Ontology, directory: Path,
               request: pytest.FixtureRequest | None = None) -> GraphStore:
    if kind == "memory":
        return SqliteStore(ontology, directory / "graph.json")
    if kind == "neo4j" and request is not None:
        database: Neo4jTestDatabase = request.getfixturevalue("neo4j_database")
        return database.reset(ontology, seeded=False)
    raise ValueError(kind)


@pytest.fixture(scope="module", params=STORE_KINDS)
def seeded(request: pytest.FixtureRequest, ontology: Ontology,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    """A store of each kind holding the seed graph; read-only tests share it per module."""
    if request.param == "neo4j":
        database: Neo4jTestDatabase = request.getfixturevalue("neo4j_database")
        store = database.reset(ontology, seeded=True)
        database.seeded_readers += 1
        yield store
        database.seeded_readers -= 1
        return
    store = make_store(request.param, ontology, tmp_path_factory.mktemp(f"store-{request.param}"))
    load(SEEDS, store, ontology)
    yield store


@pytest.fixture(params=STORE_KINDS)
def empty_store(request: pytest.FixtureRequest, ontology: Ontology, tmp_path: Path) -> Iterator[GraphStore]:
    """A fresh, empty store of each kind, for tests that write."""
    store = make_store(request.param, ontology, tmp_path, request)
    yield store
    if request.param == "neo4j":
        database: Neo4jTestDatabase = request.getfixturevalue("neo4j_database")
        if database.seeded_readers:
            database.reset(ontology, seeded=True)


@pytest.fixture
def bundle(tmp_path: Path) -> Callable[[str], Path]:
    """Build a bundle: the seed registry and report, plus a claims file with the given YAML text."""

    def build(claims_yaml: str, *, name: str = "test.yaml") -> Path:
        root = tmp_path / "bundle"
        if not root.exists():
            (root / "reports").mkdir(parents=True)
            (root / "claims").mkdir()
            shutil.copy(SEEDS / "entities.yaml", root / "entities.yaml")
            for suffix in (".txt", ".yaml"):
                shutil.copy(SEEDS / "reports" / f"{SEED_REPORT}{suffix}", root / "reports")
        (root / "claims" / name).write_text(claims_yaml, encoding="utf-8")
        return root

    return build
