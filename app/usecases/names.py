"""A request's names: each resolved once, against one reading of the store's alias index.

The store keeps an alias index current by revision (``GraphStore.name_index``); a request reads
it once (one revision check) and every name it carries is looked up there, in memory: an exact id
first, then any name or alias. Near-miss suggestions are built only when a name is not found, and
travel in the ``EntityNotFound`` raised, never computed and dropped. The entities of the answer
(names and kinds for drawing, display names for tables) come from the same reading.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from graph.domain.errors import EntityNotFound, KgError
from graph.domain.model import Entity
from graph.domain.names import AliasIndex
from graph.stores.protocol import GraphStore


class Names:
    """The names of one request (or one CLI command), resolved against one reading of the alias index.

    ``when_empty`` builds the error to raise instead of ``EntityNotFound`` when the graph holds no
    entity at all (the CLI says to run ``kg load``; the API answers 404 as for any unknown name).
    """

    def __init__(self, store: GraphStore, *, when_empty: Callable[[], KgError] | None = None) -> None:
        self._store = store
        self._when_empty = when_empty
        self._index: AliasIndex | None = None
        self._resolved: dict[tuple[str, str | None], Entity] = {}

    @property
    def index(self) -> AliasIndex:
        """The alias index as this request read it (read on first use)."""
        if self._index is None:
            self._index = self._store.name_index()
        return self._index

    def entity(self, name: str, at: str | None = None) -> Entity:
        """The entity an id, name or alias stands for (at a date, for aliases that hold for a time).

        Raises ``EntityNotFound`` with suggestions, or ``AmbiguousName`` with the candidates.
        """
        key = (name, at)
        if key in self._resolved:
            return self._resolved[key]
        index = self.index
        found = index.get(name)
        if found is None:
            try:
                found = index.resolve(name, at)
            except EntityNotFound as error:
                if self._when_empty is not None and not len(index):
                    raise self._when_empty() from error
                raise
        self._resolved[key] = found
        return found

    def known_id(self, name: str) -> str | None:
        """``name`` when it is an entity's id in the alias index as this request or the store last read it, with
        no revision round trip; ``None`` otherwise (then ``entity`` resolves it against a current reading).

        Only for an id that the caller's next query looks up by id: that query finds the entity as it is now,
        and an id that exists now names the same entity in any reading of the index, so nothing stale is
        served. An id that query does not find (the graph was emptied and written again under the server) is
        resolved afresh by the caller, as any other name.
        """
        index = self._index if self._index is not None else self._store.known_names()
        return name if index is not None and index.get(name) is not None else None

    def id_of(self, name: str | None) -> str | None:
        """The id ``name`` stands for, or ``None`` for no name."""
        return self.entity(name).id if name is not None else None

    def display(self, entity_id: str) -> str:
        """An entity's display name, or its id when the graph has no such entity."""
        found = self.index.get(entity_id)
        return found.name if found is not None else entity_id

    def entities(self, ids: Iterable[str]) -> list[Entity]:
        """The entities with these ids, in the given order; any the index lacks (written since it was read) are
        read from the store by id, and ids that are no entity are left out."""
        wanted = list(dict.fromkeys(ids))
        found = {i: e for i in wanted if (e := self.index.get(i)) is not None}
        missing = [i for i in wanted if i not in found]
        if missing:
            found.update(self._store.get_entities(missing))
        return [found[i] for i in wanted if i in found]
