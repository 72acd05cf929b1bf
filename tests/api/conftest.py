"""An API client over each seeded store, and a factory varying one setting at a time."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api import create_app
from app.settings import Settings
from graph.stores.protocol import GraphStore


@contextmanager
def served_in_thread(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port in a thread of this process, for a real browser."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        pytest.fail(f"the app did not start on 127.0.0.1:{port} within 30 s")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def settings_for(tmp: Path, **overrides: Any) -> Settings:
    """Settings that ignore the developer's environment file, with ``overrides`` applied."""
    return Settings(_env_file=None, data_file=tmp / "unused.json", **overrides)  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def app(seeded: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(settings_for(tmp_path_factory.mktemp("api")), seeded)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


@pytest.fixture
def client_with(seeded: GraphStore, tmp_path: Path) -> Callable[..., TestClient]:
    """A client whose settings differ from the defaults by the given fields."""

    def build(**overrides: Any) -> TestClient:
        return TestClient(create_app(settings_for(tmp_path, **overrides), seeded))

    return build
