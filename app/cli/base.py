"""What every ``kg`` command shares: the click group, the environment it runs in, and error and JSON output.

every command module of ``app.cli`` adds their commands to the one group here; neither
imports the other.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from app.components import build_extractor, open_reader, open_store, store_address, use_caches
from app.settings import Settings, StoreKind, load_settings
from app.usecases.ask import ReaderSlot
from app.usecases.names import Names
from graph.domain.errors import EmptyGraph, KgError
from graph.domain.model import Entity
from graph.domain.ontology import Ontology, load_ontology
from graph.services.actor_review import ReviewLog
from graph.services.incident_merge import DecisionLog, replay
from graph.stores.protocol import GraphStore

if TYPE_CHECKING:
    from graph.language.extract.pipeline import Extractor

F = TypeVar("F", bound=Callable[..., Any])


class Env:
    """What every command needs: settings, the ontology and the store, opened lazily once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        use_caches(settings)
        self.ontology: Ontology = load_ontology()
        self._store: GraphStore | None = None
        self._extractor: Extractor | None = None
        self._reader: ReaderSlot | None = None
        self._names: Names | None = None

    @property
    def store(self) -> GraphStore:
        if self._store is None:
            self._store = open_store(self.settings, self.ontology)
        return self._store

    @property
    def decisions(self) -> DecisionLog:
        """The log of incident merges and splits beside the store (``KG_INCIDENT_LOG_FILE``)."""
        return DecisionLog(self.settings.incident_log_path)

    @property
    def review_log(self) -> ReviewLog:
        """The log of decisions on candidate entities beside the staging file (``KG_REVIEW_LOG_FILE``)."""
        return ReviewLog(self.settings.review_log_path)

    def replay_decisions(self, incidents: list[Any]) -> tuple[list[Any], list[str]]:
        """Incidents about to be loaded, as the recorded merges and splits left them (see ``replay``)."""
        return replay(self.store, self.ontology, self.decisions, incidents, by="kg load")

    @property
    def reader(self) -> ReaderSlot:
        """The question reader, built once (the spaCy pipeline loads only for commands that read questions)."""
        if self._reader is None:
            store = self.store
            self._reader = ReaderSlot(lambda: open_reader(self.settings, self.ontology, store))
        return self._reader

    @property
    def extractor(self) -> Extractor:
        """The extractor, built once per command over the seed registry and the names the store holds."""
        if self._extractor is None:
            known = self.store.name_index().entities() if self._has_graph() else []
            self._extractor = build_extractor(self.settings, self.ontology, known)
        return self._extractor

    def _has_graph(self) -> bool:
        """Whether there is a graph to read names from (opening the embedded store would create its file)."""
        return self.settings.store_kind == "neo4j" or self.settings.data_file.exists()

    def use_store(self, kind: StoreKind) -> None:
        """Override the configured store for this command (`kg load --store`)."""
        self.close()
        self.settings = self.settings.model_copy(update={"store": kind})

    def close(self) -> None:
        """Release the store's connections, if one was opened."""
        self._names = None
        if self._store is not None:
            self._store.close()
            self._store = None

    @property
    def where(self) -> str:
        """Where the graph lives, for messages."""
        return store_address(self.store, self.settings)

    @property
    def names(self) -> Names:
        """The command's names, resolved against one reading of the store's alias index (as a request's are)."""
        if self._names is None:
            self._names = Names(self.store, when_empty=self._empty)
        return self._names

    def _empty(self) -> KgError:
        return EmptyGraph(f"the graph in {self.where} holds nothing yet: "
                          "run `kg load` to load the seeds, then ask again")

    def resolve(self, name: str) -> Entity:
        """The entity an id, name or alias stands for (``EmptyGraph`` when there is no graph to look in)."""
        return self.names.entity(name)

    def name(self, entity_id: str) -> str:
        """An entity's display name, or its id when there is no such entity."""
        return self.names.display(entity_id)


def emit(data: Any) -> None:
    """Print machine output: JSON, UTF-8, stable key order as produced."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def fail(error: KgError, *, as_json: bool = False) -> SystemExit:
    """The one mapping of a domain error to what the user sees: a message (or JSON) and the exit code."""
    if as_json:
        emit(error.to_dict())
    else:
        click.echo(f"error: {error.message}", err=True)
    return SystemExit(error.exit_code)


def handles_errors(command: F) -> F:
    """Map domain errors to a message (or JSON with ``--json``) and the error's exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except KgError as error:
            raise fail(error, as_json=bool(kwargs.get("as_json"))) from error

    return wrapper  # type: ignore[return-value]


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for machines instead of a table.")
pass_env = click.make_pass_decorator(Env)


@click.group(help="A knowledge graph of militant groups and the states around them, built from reporting.")
@click.pass_context
def cli(ctx: click.Context) -> None:
    if not isinstance(ctx.obj, Env):
        try:
            settings = ctx.obj if isinstance(ctx.obj, Settings) else load_settings()
        except KgError as error:
            raise fail(error) from error
        ctx.obj = Env(settings)
    ctx.call_on_close(ctx.obj.close)
