"""The HTTP API application: one store, opened once, behind versioned read endpoints.

``create_app`` takes its settings and, optionally, a store (tests pass the seeded one);
without one it opens the store the settings name, exactly as the CLI does.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.api import docs, errors, openapi, web
from app.api.dependencies import plain_parameters
from app.api.etag import ETagMiddleware
from app.api.guards import BodyGuard, KeyGate
from app.api.routes import (
    ask,
    claims,
    entities,
    export,
    feeds,
    incidents,
    meta,
    paths,
    reports,
    review,
    sources,
    watchlists,
)
from app.components import ExtractorHolder, open_feeds, open_reader, open_store, use_caches
from app.settings import Settings, load_settings
from app.usecases.ask import ReaderSlot
from app.usecases.stats import StatsCache
from graph.domain.ontology import load_ontology
from graph.language.ask import QuestionReader
from graph.stores.protocol import GraphStore

DESCRIPTION = """\
Entities, sourced claims, neighbourhoods, paths, statistics and exports of a knowledge
graph of militant groups and the states around them. Every claim carries its quote,
span, source, status and asserter.

Lists come as `{data, count, limit, offset}`; every error as `{error, message, details}`.
Read endpoints send an `ETag`; send it back in `If-None-Match` to get `304 Not Modified`.
"""


def create_app(settings: Settings | None = None, store: GraphStore | None = None,
               reader: QuestionReader | None = None) -> FastAPI:
    """The application, serving ``store`` (or the one ``settings`` name) under ``/v1``, with ``reader`` (or one
    built on the settings' spaCy pipeline) reading questions."""
    settings = settings or load_settings()
    use_caches(settings)
    ontology = load_ontology()
    app = FastAPI(title="kg: militant groups and states", version="1.0.0", description=DESCRIPTION,
                  docs_url=None, redoc_url=None, dependencies=[Depends(plain_parameters)])
    app.state.settings = settings
    app.state.ontology = ontology
    app.state.store = store if store is not None else open_store(settings, ontology)
    app.state.extractor = ExtractorHolder(settings, ontology, app.state.store)
    app.state.stats = StatsCache()
    app.state.reader = ReaderSlot(lambda: open_reader(settings, ontology, app.state.store), reader)
    app.state.feeds = open_feeds(settings)
    errors.install(app)
    openapi.install(app, ontology, settings)
    docs.install(app)
    web.install(app, settings)
    for module in (entities, claims, incidents, sources, reports, review, paths, export, ask, feeds, watchlists):
        app.include_router(module.router)
    app.include_router(meta.router)
    app.include_router(meta.probes)
    # Each middleware added wraps the ones before it. Outermost first: CORS answers preflights;
    # the key is checked on the headers alone; the body is then read under its limit and checked;
    # only then does a route see the request.
    app.add_middleware(ETagMiddleware)
    app.add_middleware(BodyGuard, max_bytes=settings.max_body_bytes)
    app.add_middleware(KeyGate, settings=settings)
    if settings.cors_origins:
        # An allow-list, never '*' (the settings refuse it), and no credentials: keys travel in a header.
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["X-API-Key", "If-None-Match", "Content-Type"], expose_headers=["ETag"])
    return app
