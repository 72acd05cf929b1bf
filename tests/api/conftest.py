"""An API client over each seeded store, and a factory varying one setting at a time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api import create_app
from app.settings import Settings
from graph.store import GraphStore


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
