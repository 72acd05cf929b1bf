"""Fixtures for the feed tests: outlets on 127.0.0.1, a graph of each store kind holding the seeds, the feed
state beside it, one extractor for the session, a clock the tests move, and a poll as the CLI runs one.

Nothing here contacts any address but 127.0.0.1: the settings allow loopback (``feeds_allow_private``),
as the tests must, and every URL polled is one of ``Site``'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.components import fetch_policy
from app.settings import Settings
from graph.domain.model import Entity
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Extractor
from graph.services.feeds import Feed, Poller, PollReport, add_feed
from graph.services.feedstate import FeedState
from graph.services.fetch import Client, Policy
from graph.services.loader import load, read_bundle
from graph.stores.protocol import GraphStore
from tests.conftest import SEEDS, STORE_KINDS, Neo4jTestDatabase, make_store
from tests.feeds.site import Site


def feed_settings(tmp: Path, **overrides: Any) -> Settings:
    """Settings for a test: loopback allowed, no politeness wait, short timeouts, nothing from the environment."""
    values: dict[str, Any] = {"store": "memory", "data_file": tmp / "graph.sqlite", "seeds_dir": SEEDS,
                              "feeds_allow_private": True, "feeds_host_delay": 0.0, "feeds_timeout": 2.0,
                              "feeds_deadline": 5.0, "feeds_backoff": 0.01, "feeds_retries": 2, **overrides}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class Clock:
    """The feed state's clock: now, unless a test moves it on (to make a retry due)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def site() -> Iterator[Site]:
    outlets = Site()
    yield outlets
    outlets.close()


@pytest.fixture(scope="session")
def registry(ontology: Ontology) -> list[Entity]:
    return read_bundle(SEEDS, ontology).entities


@pytest.fixture(scope="session")
def extractor(ontology: Ontology, registry: list[Entity]) -> Extractor:
    """One extractor over the seed registry, as `kg feeds poll` builds it on a freshly loaded graph."""
    return Extractor(ontology, registry)


@pytest.fixture(params=STORE_KINDS)
def graph(request: pytest.FixtureRequest, ontology: Ontology, tmp_path: Path) -> Iterator[GraphStore]:
    """A store of each kind holding the seed graph, for one test that writes."""
    store = make_store(request.param, ontology, tmp_path, request)
    load(SEEDS, store, ontology)
    yield store
    if request.param == "neo4j":
        database: Neo4jTestDatabase = request.getfixturevalue("neo4j_database")
        if database.seeded_readers:
            database.reset(ontology, seeded=True)


@pytest.fixture
def memory_graph(ontology: Ontology, tmp_path: Path) -> GraphStore:
    """The embedded store holding the seeds, for tests whose subject is not the store."""
    store = make_store("memory", ontology, tmp_path)
    load(SEEDS, store, ontology)
    return store


@dataclass
class World:
    """Outlets, a graph, its feed state and the poll that joins them, as one test sees them."""

    site: Site
    store: GraphStore
    ontology: Ontology
    extractor: Extractor
    settings: Settings
    clock: Clock = field(default_factory=Clock)
    state: FeedState = field(init=False)

    def __post_init__(self) -> None:
        self.state = FeedState(self.settings.feeds_path, clock=self.clock)

    @property
    def policy(self) -> Policy:
        return fetch_policy(self.settings)

    def follow(self, path: str, outlet: str | None = None) -> Feed:
        return add_feed(self.state, self.site.url(path), outlet=outlet, allow_private=True)

    def poller(self, **overrides: Any) -> Poller:
        options: dict[str, Any] = {"near_duplicate": self.settings.feeds_near_duplicate,
                                   "max_entries": self.settings.feeds_max_entries,
                                   "max_report_chars": self.settings.max_report_chars,
                                   "batch": self.settings.feeds_batch, **overrides}
        return Poller(self.state, self.store, self.ontology, extractor=self.extractor,
                      client=Client(self.policy, self.state), **options)

    def poll(self, feeds: list[int] | None = None, **overrides: Any) -> PollReport:
        """One poll, with a client of its own, as one run of `kg feeds poll` would make it."""
        return self.poller(**overrides).poll(feeds)

    def restart(self) -> None:
        """Forget everything held in memory: a new process opening the same files."""
        self.state.close()
        self.state = FeedState(self.settings.feeds_path, clock=self.clock)


@pytest.fixture
def world(site: Site, graph: GraphStore, ontology: Ontology, extractor: Extractor, tmp_path: Path) -> World:
    """The feeds of a test over a graph of each store kind."""
    return World(site, graph, ontology, extractor, feed_settings(tmp_path))


@pytest.fixture
def memory_world(site: Site, memory_graph: GraphStore, ontology: Ontology, extractor: Extractor,
                 tmp_path: Path) -> World:
    """The same over the embedded store only, for what does not depend on the store."""
    return World(site, memory_graph, ontology, extractor, feed_settings(tmp_path))
