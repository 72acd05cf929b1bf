"""All configuration, read from the environment in one object.

Nothing else reads ``os.environ``: commands receive a ``Settings``, so tests build
variants without touching the process environment. Project settings use the ``KG_``
prefix; the Neo4j connection also answers to the names every Neo4j tool uses
(``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``). A ``.env`` file
in the working directory is read too.
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from graph.domain.errors import ConfigurationInvalid
from graph.domain.resources import data_dir, in_checkout
from graph.language.extract import DEFAULT_MODEL

PROJECT_ROOT = Path(__file__).resolve().parent.parent

StoreKind = Literal["memory", "neo4j"]
Environment = Literal["local", "staging", "production"]

# Passwords and keys that come with examples and images; outside local development they are refused.
DEFAULT_SECRETS = frozenset({"", "neo4j", "password", "changethis", "change-me", "changeme", "secret", "test"})
SECRET_MIN_CHARS = 8
_ORIGIN = re.compile(r"^https?://[^/\s?#*]+$")


def _default_data_file() -> Path:
    return Path.home() / ".local" / "share" / "kg" / "graph.sqlite"


def _default_neo4j_home() -> Path:
    # Beside the code in a checkout; an installed wheel keeps no state in site-packages.
    return PROJECT_ROOT / ".cache" / "neo4j" if in_checkout() else Path.home() / ".local" / "share" / "kg" / "neo4j"


def _default_cache_dir() -> Path:
    # Derived data kg rebuilds when missing (the gazetteer's index): the checkout's .cache, or the user's cache folder.
    if in_checkout():
        return PROJECT_ROOT / ".cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kg"


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
    cache_dir: Path | None = Field(
        default_factory=_default_cache_dir,
        description="Where kg keeps what it can rebuild, to start faster (the gazetteer's built index, named by a "
                    "hash of its data); empty means build it in every process.")
    seeds_dir: Path = Field(default_factory=lambda: data_dir("seeds"),
                            description="What `kg load` reads when given no path.")
    staging_file: Path | None = Field(
        None, description="Extracted claims awaiting review (`kg ingest --review`); unset means staged.json "
                          "beside the data file.")
    incident_log_file: Path | None = Field(
        None, description="The decisions log of incident merges and splits (ingest's and `kg incidents "
                          "merge/split`), replayed when incidents are loaded again; unset means "
                          "incident-decisions.jsonl beside the data file.")
    review_log_file: Path | None = Field(
        None, description="The decisions log of reviewed candidate entities (accepted, merged, rejected), "
                          "reapplied when the same name is ingested again; unset means review-decisions.jsonl "
                          "beside the staging file.")

    neo4j_uri: str | None = Field(None, validation_alias=_either("NEO4J_URI"),
                                  description="bolt://, neo4j://, neo4j+s:// … of a Neo4j server.")
    neo4j_user: str = Field("neo4j", validation_alias=_either("NEO4J_USER"))
    neo4j_password: SecretStr | None = Field(None, validation_alias=_either("NEO4J_PASSWORD"))
    neo4j_database: str = Field("neo4j", validation_alias=_either("NEO4J_DATABASE"))
    neo4j_home: Path = Field(default_factory=_default_neo4j_home,
                             description="Where `kg neo4j start` keeps the local server's jars and data.")
    neo4j_bolt_port: int = Field(7687, description="Bolt port of the local server.")
    neo4j_http_port: int = Field(7474, description="HTTP port (and Browser) of the local server.")
    neo4j_heap: str | None = Field(None, description="The local server's heap (e.g. 4g); unset means Neo4j's "
                                                     "recommendation for this machine.")
    neo4j_pagecache: str | None = Field(None, description="The local server's page cache (e.g. 2g); unset means "
                                                          "Neo4j's recommendation for this machine.")

    environment: Environment = Field(
        "local", description="local, staging or production; outside local, default or empty secrets stop the start.")
    host: str = Field("127.0.0.1", description="Where `kg serve` listens.")
    port: int = Field(8000, description="The port `kg serve` listens on.")
    # Two: one process's threads contend for one GIL (the driver's socket reads wait on it), and on the 2-core
    # machine with Neo4j beside it two workers gave 1.4-1.6x the requests/s of one at 32 clients, three no more
    # (docs/benchmarks.md, "The API under load").
    workers: int = Field(2, ge=1, description="Processes `kg serve` runs, each with its own store.")
    cors_origins: list[str] = Field(default_factory=list,
                                    description='Origins allowed to call the API from a browser (JSON list).')
    api_keys: list[SecretStr] = Field(default_factory=list,
                                      description="Keys accepted by write endpoints (JSON list).")
    read_keys: list[SecretStr] = Field(
        default_factory=list, description="If set, read endpoints under /v1 need one of these keys or of "
                                          "api_keys (JSON list); unset, reads are open.")
    max_body_bytes: int = Field(8_388_608, ge=1, description="The largest request body accepted, checked "
                                                             "before it is read.")
    max_report_chars: int = Field(2_000_000, ge=1, description="The longest report (text or HTML) the extractor "
                                                               "is given, from the API or the command line.")
    node_modules: Path = Field(PROJECT_ROOT / "node_modules",
                               description="Where `npm ci` installed the web explorer's browser libraries.")
    max_page_size: int = Field(500, ge=1, description="The largest `limit` a list endpoint accepts.")
    query_timeout: float = Field(10.0, gt=0, description="Seconds a Neo4j read may run, and for how long a "
                                                         "transaction that failed for a transient reason (the server "
                                                         "gone, a deadlock) is retried before the store answers "
                                                         "unavailable.")
    neo4j_chunk_rows: int = Field(20_000, ge=1, description="Records per transaction of a large Neo4j write (a load "
                                                            "in chunks, published at once); a write of fewer changed "
                                                            "records is one transaction.")
    neo4j_load_writers: int = Field(1, ge=1, le=16, description="Chunks of a large Neo4j write in flight at once, "
                                                                "each its own transaction: 2 lets the client build "
                                                                "the next while the server writes one, at twice the "
                                                                "server's transaction memory.")

    spacy_model: str = Field(
        DEFAULT_MODEL, description="The installed spaCy English pipeline (with a parser) that reads reports and "
                                   "questions (en_core_web_sm by default; en_core_web_md, _lg, _trf if installed).")

    feeds_file: Path | None = Field(
        None, description="Feed state (feeds, items seen, failures, poll checkpoints, watchlists, deliveries): one "
                          "SQLite file; unset means feeds.sqlite beside the data file.")
    feeds_allow_private: bool = Field(
        False, description="Let feeds, article pages and webhooks be fetched from private, loopback and link-local "
                           "addresses (refused by default, also after a redirect and after DNS resolution).")
    feeds_private_networks: list[str] = Field(
        default_factory=list, description="Private networks (CIDR, e.g. 127.0.0.1/32 for an outlet on this machine, "
                                          "10.1.2.0/24 for an intranet) fetched from all the same while "
                                          "KG_FEEDS_ALLOW_PRIVATE is off: every other private address stays "
                                          "refused, also after a redirect.")
    feeds_user_agent: str = Field(
        "kg-feeds/1.0 (research knowledge graph; polite: robots.txt, one request a second per host)",
        min_length=1, description="The User-Agent every feed, page and robots.txt request sends; robots.txt rules "
                                  "for its first word apply, else those for *.")
    feeds_host_delay: float = Field(1.0, ge=0, description="Seconds between the starts of two requests to one host "
                                                           "(a robots.txt Crawl-delay that is longer wins).")
    feeds_host_concurrency: int = Field(2, ge=1, le=16, description="Requests in flight to one host at most.")
    feeds_workers: int = Field(8, ge=1, le=64, description="Requests in flight in all, across hosts.")
    feeds_timeout: float = Field(20.0, gt=0, description="Seconds to connect, and seconds a response may go "
                                                         "without sending a byte, before it counts as timed out.")
    feeds_deadline: float = Field(60.0, gt=0, description="Seconds one response may take in all, however steadily "
                                                          "it trickles in.")
    feeds_max_bytes: int = Field(5_000_000, ge=1024, description="The largest feed or page read (after "
                                                                 "decompression); a larger one is refused unread "
                                                                 "past that point.")
    feeds_retries: int = Field(2, ge=0, le=10, description="Retries of a request that timed out or got a 5xx "
                                                           "answer (never a 4xx), with exponential backoff.")
    feeds_backoff: float = Field(1.0, ge=0, description="Seconds before the first retry; each further retry "
                                                        "waits twice as long (a Retry-After up to 60 s wins).")
    feeds_cross_host_redirects: bool = Field(
        False, description="Follow a redirect to another host (recorded on the item or feed); off, such a "
                           "redirect is a recorded error naming where it pointed.")
    feeds_max_entries: int = Field(500, ge=1, description="Entries read from one feed in one poll (newest "
                                                          "first); more are counted and left for the next poll.")
    feeds_near_duplicate: float = Field(
        0.7, gt=0, le=1, description="Estimated Jaccard similarity (MinHash, 5-word shingles) at or above which "
                                     "two article texts are one text (a wire story on several outlets).")
    feeds_interval: float = Field(900.0, ge=1, description="Seconds between polls of `kg feeds watch`.")
    feeds_batch: int = Field(32, ge=1, le=256, description="Fetched items read and written together: the parse "
                                                           "batches them, and a poll killed mid-batch redoes at most "
                                                           "this many (nothing fetched is fetched again).")

    ci: bool = Field(False, validation_alias=AliasChoices("CI", "KG_CI"),
                     description="Set by CI: tests that need Neo4j fail instead of skipping.")

    @field_validator("cache_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        """``KG_CACHE_DIR=`` (empty) turns the cache off rather than naming the working folder."""
        return None if value == "" else value

    @field_validator("cors_origins")
    @classmethod
    def _origins_are_listed(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if origin.strip() == "*":
                raise ValueError("'*' would let every web site call the API; list the origins, e.g. "
                                 '["https://dash.example"]')
            if not _ORIGIN.match(origin):
                raise ValueError(f"{origin!r} is not an origin: scheme and host (and port), e.g. "
                                 "https://dash.example, without a path or a trailing slash")
        return origins

    @field_validator("feeds_private_networks")
    @classmethod
    def _networks_are_networks(cls, networks: list[str]) -> list[str]:
        for position, network in enumerate(networks):
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError as error:
                raise ValueError(f"[{position}] {network!r} is not a network in CIDR notation, e.g. 10.1.2.0/24 or "
                                 f"127.0.0.1/32 ({error})") from error
        return networks

    @model_validator(mode="after")
    def _secrets_are_set_outside_local_development(self) -> Settings:
        if self.environment == "local":
            return self
        if self.store_kind == "neo4j":
            password = self.neo4j_password.get_secret_value() if self.neo4j_password is not None else None
            problem = _secret_problem(password)
            if problem:
                raise ValueError(f"NEO4J_PASSWORD {problem}; outside local development (KG_ENVIRONMENT="
                                 f"{self.environment}) the Neo4j store needs a password of its own")
        for name, keys in (("KG_API_KEYS", self.api_keys), ("KG_READ_KEYS", self.read_keys)):
            for position, key in enumerate(keys):
                problem = _secret_problem(key.get_secret_value())
                if problem:
                    raise ValueError(f"{name}[{position}] {problem}; outside local development (KG_ENVIRONMENT="
                                     f"{self.environment}) every key must be one of your own")
        return self

    @property
    def staging_path(self) -> Path:
        """Where staged claims wait for review."""
        return self.staging_file or self.data_file.with_name("staged.json")

    @property
    def incident_log_path(self) -> Path:
        """Where the merges and splits of incidents are recorded."""
        return self.incident_log_file or self.data_file.with_name("incident-decisions.jsonl")

    @property
    def review_log_path(self) -> Path:
        """Where the decisions on candidate entities are recorded: beside the staging file they were taken in."""
        return self.review_log_file or self.staging_path.with_name("review-decisions.jsonl")

    @property
    def feeds_path(self) -> Path:
        """Where feed state is kept: the feeds, what was read, watchlists and the delivery log."""
        return self.feeds_file or self.data_file.with_name("feeds.sqlite")

    @property
    def store_kind(self) -> StoreKind:
        """The store in use: the explicit choice, else Neo4j when a URI is configured."""
        if self.store is not None:
            return self.store
        return "neo4j" if self.neo4j_uri else "memory"


def _secret_problem(value: str | None) -> str | None:
    """What is wrong with a password or key outside local development, or ``None``. Never the value itself."""
    if value is None:
        return "is not set"
    if value.strip().lower() in DEFAULT_SECRETS:
        return "is empty" if not value.strip() else "is a well-known default"
    if len(value) < SECRET_MIN_CHARS:
        return f"is shorter than {SECRET_MIN_CHARS} characters"
    return None


def variable(field: str) -> str:
    """The environment variable that sets a field (the first of its names), for messages and the docs."""
    alias = Settings.model_fields[field].validation_alias if field in Settings.model_fields else None
    if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
        return alias.choices[0]
    return "KG_" + field.upper() if field else "the settings"


def load_settings(**overrides: Any) -> Settings:
    """The settings from the environment, or ``ConfigurationInvalid`` naming each bad variable.

    Values are never repeated in the message: a malformed variable may hold a secret.
    """
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else ""
            message = str(item["msg"]).removeprefix("Value error, ")
            problems.append(message if not field else f"{variable(field)}: {message}")
        raise ConfigurationInvalid("invalid configuration: " + "; ".join(problems),
                                   details={"problems": problems}) from error
    except SettingsError as error:
        raise ConfigurationInvalid(f"invalid configuration: {error} (list settings take JSON, e.g. "
                                   '\'["one", "two"]\')') from error
