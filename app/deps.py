"""Building the store once from the settings, for whichever interface asks."""

from __future__ import annotations

from app.settings import Settings
from graph.errors import StoreUnavailable
from graph.ontology import Ontology, load_ontology
from graph.store import GraphStore
from graph.stores.memory import MemoryStore
from graph.stores.neo4j import Neo4jStore, connect
from graph.stores.neo4j_server import LocalServer


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
        return MemoryStore(ontology, settings.data_file)
    uri, user = settings.neo4j_uri, settings.neo4j_user
    password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
    if uri is None:
        status = local_server(settings).status()
        if not status.running:
            raise StoreUnavailable("the Neo4j store is chosen but NEO4J_URI is not set and the local server "
                                   "is not running: run `kg neo4j start`, or set NEO4J_URI, NEO4J_USER and "
                                   "NEO4J_PASSWORD")
        uri, user, password = status.bolt_uri, status.user, status.password
    return Neo4jStore(connect(uri, user, password), ontology, database=settings.neo4j_database,
                      timeout=settings.query_timeout, uri=uri)
