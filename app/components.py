"""Building the store and the extractor once from the settings, for whichever interface asks.

This is the one module that knows the stores' classes: every other module works on the store
protocol (``graph.stores.protocol``), and asks here for what only one kind of store can do.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from app.settings import Settings
from graph.domain.errors import InvalidParameter, StoreUnavailable
from graph.domain.gazetteer import cache_index_in
from graph.domain.model import Batch, Entity, UpsertResult
from graph.domain.ontology import Ontology, load_ontology
from graph.language.ask import QuestionReader, load_reader
from graph.services.export import ARRAY_DELIMITER_OPTION, batch_admin_csv
from graph.services.feedstate import FeedState
from graph.services.fetch import Policy
from graph.services.loader import BulkWriter, read_bundle
from graph.stores.neo4j import bulk
from graph.stores.neo4j.server import LocalServer
from graph.stores.neo4j.store import Neo4jStore, connect
from graph.stores.protocol import GraphStore
from graph.stores.sqlite.store import SqliteStore

if TYPE_CHECKING:
    from graph.language.extract.pipeline import Extractor


def use_caches(settings: Settings) -> None:
    """Point what kg rebuilds when missing (the gazetteer's index) at the settings' cache folder; the CLI and the
    API call this once, as they start."""
    cache_index_in(settings.cache_dir)


def local_server(settings: Settings) -> LocalServer:
    """The local Neo4j instance `kg neo4j` manages, as the settings place it."""
    password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
    return LocalServer(settings.neo4j_home, bolt_port=settings.neo4j_bolt_port,
                       http_port=settings.neo4j_http_port, password=password, heap=settings.neo4j_heap,
                       pagecache=settings.neo4j_pagecache)


def open_store(settings: Settings, ontology: Ontology | None = None) -> GraphStore:
    """The store the settings name, opened on its data.

    Neo4j is used when chosen or when ``NEO4J_URI`` is set; chosen without a URI, the
    local server started by `kg neo4j start` is used if it runs.
    """
    ontology = ontology or load_ontology()
    if settings.store_kind == "memory":
        return SqliteStore(ontology, settings.data_file)
    uri, user = settings.neo4j_uri, settings.neo4j_user
    password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
    if uri is None:
        status = local_server(settings).status()
        if not status.running:
            raise StoreUnavailable("the Neo4j store is chosen but NEO4J_URI is not set and the local server "
                                   "is not running: run `kg neo4j start`, or set NEO4J_URI, NEO4J_USER and "
                                   "NEO4J_PASSWORD")
        uri, user, password = status.bolt_uri, status.user, status.password
    return Neo4jStore(connect(uri, user, password, timeout=settings.query_timeout), ontology,
                      database=settings.neo4j_database, timeout=settings.query_timeout, uri=uri,
                      chunk_rows=settings.neo4j_chunk_rows, writers=settings.neo4j_load_writers)


def scratch_store(ontology: Ontology) -> GraphStore:
    """An empty embedded store held in memory only: for scoring on the seeds, never on a user's data."""
    return SqliteStore(ontology)


def store_address(store: GraphStore, settings: Settings) -> str:
    """Where the graph lives, for messages: the Neo4j server's address or the data file."""
    return f"Neo4j at {store.address}" if isinstance(store, Neo4jStore) else str(settings.data_file)


def require_neo4j(store: GraphStore) -> Neo4jStore:
    """The store as the Neo4j store, for the commands that manage one (reset, loads)."""
    if not isinstance(store, Neo4jStore):
        raise InvalidParameter("store", "memory", "this command works on the Neo4j store only "
                               "(use --store neo4j or KG_STORE=neo4j)")
    return store


class _Neo4jBulkWriter:
    """The local Neo4j's bulk importer behind ``kg load``: the batch checked as ``upsert`` checks it, written as the
    admin CSV pair beside the instance, imported (``graph.stores.neo4j.bulk``), the CSV deleted."""

    def __init__(self, server: LocalServer, store: Neo4jStore, ontology: Ontology) -> None:
        self.server = server
        self.store = store
        self.ontology = ontology

    def refusal(self) -> str | None:
        return bulk.refusal(self.server, self.store)

    def __call__(self, batch: Batch) -> tuple[UpsertResult, dict[str, float]]:
        start = time.perf_counter()
        checked = self.store.checked(batch)
        folder = self.server.home / "import"
        shutil.rmtree(folder, ignore_errors=True)
        try:
            written = batch_admin_csv(checked, self.ontology, folder)
            csv_seconds = time.perf_counter() - start
            times = bulk.import_into_empty(self.server, self.store, written.nodes, written.relationship_files,
                                           array_delimiter=ARRAY_DELIMITER_OPTION)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        counts = {"entities": written.entities, "sources": written.sources, "claims": written.claims,
                  "incidents": written.incidents}
        none = dict.fromkeys(counts, 0)
        return (UpsertResult(created=counts, updated=none, unchanged=dict(none), removed={"incidents": 0}),
                {"csv": csv_seconds, **times.seconds})


def bulk_writer(settings: Settings, store: GraphStore, ontology: Ontology) -> BulkWriter | None:
    """The bulk importer for ``store`` when it is the database of the local Neo4j that `kg neo4j` manages (the one
    used when ``NEO4J_URI`` is unset or names it), else ``None``: a server elsewhere cannot be stopped from here."""
    if not isinstance(store, Neo4jStore):
        return None
    server = local_server(settings)
    if settings.neo4j_uri is not None and settings.neo4j_uri.rstrip("/") != server.bolt_uri:
        return None
    return _Neo4jBulkWriter(server, store, ontology)


class ExtractorHolder:
    """The one extractor an interface uses: built on first use over the seeds' and the store's registry.

    Building it loads the language pipeline and indexes every name, which costs seconds, so a
    server builds it once and every request shares it (it keeps no per-report state). It is
    rebuilt when the store's name index has changed (an entity written by this process or, read
    by revision, by another) or after ``invalidate``; the registry comes from that index, never
    from a listing of the store.
    """

    def __init__(self, settings: Settings, ontology: Ontology, store: GraphStore) -> None:
        self.settings = settings
        self.ontology = ontology
        self.store = store
        self._extractor: Extractor | None = None
        self._built_for: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def get(self) -> Extractor:
        """The extractor, built if it is not yet or if the registry has changed since."""
        index = self.store.name_index()
        key = (id(index), index.version)
        with self._lock:
            if self._extractor is None or self._built_for != key:
                self._extractor = build_extractor(self.settings, self.ontology, index.entities())
                self._built_for = key
            return self._extractor

    def invalidate(self) -> None:
        """Rebuild on next use: the registry has grown."""
        with self._lock:
            self._extractor = None


def build_extractor(settings: Settings, ontology: Ontology, known: Iterable[Entity]) -> Extractor:
    """An extractor over the seeds' registry and the entities the store knows (the store's win on a shared id)."""
    from graph.language.extract.pipeline import Extractor  # noqa: PLC0415 - spaCy loads only when extracting

    entities = {e.id: e for e in read_bundle(settings.seeds_dir, ontology).entities}
    entities.update({e.id: e for e in known})
    return Extractor(ontology, entities.values(), model=settings.spacy_model)


def open_reader(settings: Settings, ontology: Ontology, store: GraphStore) -> QuestionReader:
    """The question reader: the spaCy pipeline the settings name, the ontology's vocabulary, the store's names."""
    return load_reader(ontology, store.name_index().entities(), settings.spacy_model)


def fetch_policy(settings: Settings) -> Policy:
    """How feeds, pages and webhooks are fetched, as the settings say (``KG_FEEDS_*``)."""
    return Policy(user_agent=settings.feeds_user_agent, host_delay=settings.feeds_host_delay,
                  host_concurrency=settings.feeds_host_concurrency, workers=settings.feeds_workers,
                  timeout=settings.feeds_timeout, deadline=settings.feeds_deadline, max_bytes=settings.feeds_max_bytes,
                  retries=settings.feeds_retries, backoff=settings.feeds_backoff,
                  allow_private=settings.feeds_allow_private,
                  private_networks=tuple(settings.feeds_private_networks),
                  cross_host_redirects=settings.feeds_cross_host_redirects)


def open_feeds(settings: Settings) -> FeedState:
    """The feed state file the settings name (beside the data file unless ``KG_FEEDS_FILE`` says otherwise)."""
    return FeedState(settings.feeds_path)
