"""All configuration, read from the environment in one object.

Nothing else reads ``os.environ``: commands receive a ``Settings``, so tests build
variants without touching the process environment. Project settings use the ``KG_``
prefix; the Neo4j connection also answers to the names every Neo4j tool uses
(``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``). A ``.env`` file
in the working directory is read too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

StoreKind = Literal["memory", "neo4j"]


def _default_data_file() -> Path:
    return Path.home() / ".local" / "share" / "kg" / "graph.sqlite"


def _either(name: str) -> AliasChoices:
    """Accept the conventional Neo4j variable and its ``KG_`` twin."""
    return AliasChoices(name, f"KG_{name}")


class Settings(BaseSettings):
    """Which store holds the graph, how to reach it, and how the API serves it."""

    model_config = SettingsConfigDict(env_prefix="KG_", env_file=".env", extra="ignore",
                                      populate_by_name=True)

    store: StoreKind | None = Field(
        None, description="memory or neo4j; unset means neo4j when NEO4J_URI is set, else memory.")
    data_file: Path = Field(default_factory=_default_data_file,
                            description="The embedded store's database (SQLite); a graph.json of the old format "
                                        "beside it, or named here, is migrated into graph.sqlite on first open.")
    seeds_dir: Path = Field(PROJECT_ROOT / "seeds", description="What `kg load` reads when given no path.")
    staging_file: Path | None = Field(
        None, description="Extracted claims awaiting review (`kg ingest --review`); unset means staged.json "
                          "beside the data file.")

    neo4j_uri: str | None = Field(None, validation_alias=_either("NEO4J_URI"),
                                  description="bolt://, neo4j://, neo4j+s:// … of a Neo4j server.")
    neo4j_user: str = Field("neo4j", validation_alias=_either("NEO4J_USER"))
    neo4j_password: SecretStr | None = Field(None, validation_alias=_either("NEO4J_PASSWORD"))
    neo4j_database: str = Field("neo4j", validation_alias=_either("NEO4J_DATABASE"))
    neo4j_home: Path = Field(PROJECT_ROOT / ".cache" / "neo4j",
                             description="Where `kg neo4j start` keeps the local server's jars and data.")
    neo4j_bolt_port: int = Field(7687, description="Bolt port of the local server.")
    neo4j_http_port: int = Field(7474, description="HTTP port (and Browser) of the local server.")
    neo4j_heap: str | None = Field(None, description="The local server's heap (e.g. 4g); unset means Neo4j's "
                                                     "recommendation for this machine.")
    neo4j_pagecache: str | None = Field(None, description="The local server's page cache (e.g. 2g); unset means "
                                                          "Neo4j's recommendation for this machine.")

    host: str = Field("127.0.0.1", description="Where `kg serve` listens.")
    port: int = Field(8000, description="The port `kg serve` listens on.")
    workers: int = Field(1, ge=1, description="Processes `kg serve` runs, each with its own store.")
    cors_origins: list[str] = Field(default_factory=list,
                                    description='Origins allowed to call the API from a browser (JSON list).')
    api_keys: list[SecretStr] = Field(default_factory=list,
                                      description="Keys accepted by write endpoints (JSON list).")
    node_modules: Path = Field(PROJECT_ROOT / "node_modules",
                               description="Where `npm ci` installed the web explorer's browser libraries.")
    max_page_size: int = Field(500, ge=1, description="The largest `limit` a list endpoint accepts.")
    query_timeout: float = Field(10.0, gt=0, description="Seconds a store query may run.")

    ci: bool = Field(False, validation_alias=AliasChoices("CI", "KG_CI"),
                     description="Set by CI: tests that need Neo4j fail instead of skipping.")

    @property
    def staging_path(self) -> Path:
        """Where staged claims wait for review."""
        return self.staging_file or self.data_file.with_name("staged.json")

    @property
    def store_kind(self) -> StoreKind:
        """The store in use: the explicit choice, else Neo4j when a URI is configured."""
        if self.store is not None:
            return self.store
        return "neo4j" if self.neo4j_uri else "memory"
