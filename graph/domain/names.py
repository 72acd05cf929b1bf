"""Name resolution: from what reporting writes ("ISKP", "Dushanbe", "Reccardo Valle") to an entity.

Matching ignores case, diacritics, hyphens, apostrophes, a possessive ending and a
leading "the", because reporting varies all of them. An alias held by two entities is
never resolved silently; an alias's validity window is honoured when a date is given.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from graph.domain.dates import PartialDate, parse_optional
from graph.domain.errors import AmbiguousName, EntityNotFound
from graph.domain.model import Entity, EntityMatch

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})


def fold(text: str) -> str:
    """Text as names are compared: without diacritics, one kind of apostrophe, case-folded.

    The one folding of names: the registry's lookups, the extractor's and the question reader's.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.translate(_APOSTROPHES).casefold()


def name_key(text: str) -> str:
    """The comparison key of a name: letters and digits only, folded."""
    folded = fold(text).strip()
    folded = re.sub(r"^the\s+", "", folded)
    folded = re.sub(r"'s$", "", folded)
    folded = re.sub(r"s'$", "s", folded)
    return re.sub(r"[^0-9a-z]+", "", folded)


@dataclass(frozen=True)
class _Entry:
    entity_id: str
    name: str
    primary: bool
    valid_from: PartialDate | None
    valid_until: PartialDate | None

    def holds_at(self, when: PartialDate | None) -> bool:
        if when is None:
            return True
        if self.valid_from is not None and when.end < self.valid_from.start:
            return False
        return not (self.valid_until is not None and when.start > self.valid_until.end)


class AliasIndex:
    """Every id, name and alias of a set of entities, keyed for forgiving lookup.

    Stores build one per graph and keep it current with ``update`` as entities are written, so a
    lookup never lists the store; ``overlay`` lays a batch's entities over it for validation.
    """

    def __init__(self, entities: Iterable[Entity] = ()) -> None:
        self._entities: dict[str, Entity] = {}
        self._by_key: dict[str, list[_Entry]] = defaultdict(list)
        self.version = 0
        self.update(entities)

    def update(self, entities: Iterable[Entity]) -> None:
        """Add entities, or replace those already indexed under the same id (their old names go)."""
        for entity in entities:
            old = self._entities.get(entity.id)
            if old is not None:
                if old == entity:
                    continue
                for key in {name_key(n) for n in _names(old)}:
                    kept = [e for e in self._by_key.get(key, []) if e.entity_id != entity.id]
                    if kept:
                        self._by_key[key] = kept
                    else:
                        self._by_key.pop(key, None)
            self._entities[entity.id] = entity
            self._add(entity.id, entity.name, primary=True)
            self._add(entity.id, entity.id, primary=True)
            for alias in entity.aliases:
                self._add(
                    entity.id, alias.name, primary=False,
                    valid_from=parse_optional(alias.valid_from), valid_until=parse_optional(alias.valid_until),
                )
            self.version += 1

    def overlay(self, entities: Iterable[Entity]) -> AliasIndex:
        """A view with ``entities`` laid over this index (replacing those with the same ids); neither changes."""
        return _Overlay(self, AliasIndex(entities))

    def __len__(self) -> int:
        return len(self._entities)

    def entities(self) -> list[Entity]:
        """Every indexed entity (the registry an extractor matches names against)."""
        return list(self._entities.values())

    def _add(self, entity_id: str, name: str, *, primary: bool,
             valid_from: PartialDate | None = None, valid_until: PartialDate | None = None) -> None:
        key = name_key(name)
        if key:
            self._by_key[key].append(_Entry(entity_id, name, primary, valid_from, valid_until))

    def _lookup(self, key: str) -> list[_Entry]:
        return self._by_key.get(key, [])

    def _keyed(self) -> Iterable[tuple[str, list[_Entry]]]:
        return self._by_key.items()

    def knows(self, name: str) -> bool:
        """Whether ``name`` is an id, name or alias of some entity (at any date)."""
        key = name_key(name)
        return bool(key) and bool(self._lookup(key))

    def readings(self, name: str) -> list[Entity]:
        """Every entity ``name`` may stand for at some date ("Kabul": the republic until 2021, then the Taliban)."""
        ids = dict.fromkeys(e.entity_id for e in self._by_key.get(name_key(name), []))
        return [self._entities[i] for i in ids]

    def get(self, entity_id: str) -> Entity | None:
        """The entity with exactly this id, if indexed."""
        return self._entities.get(entity_id)

    def resolve(self, name: str, at: str | PartialDate | None = None) -> Entity:
        """The one entity ``name`` stands for (at date ``at`` if given).

        Raises ``EntityNotFound`` with near-miss suggestions, or ``AmbiguousName`` with
        the candidates. An entity's own id or name outranks another entity's alias.
        """
        when = parse_optional(at) if isinstance(at, str) else at
        entries = [e for e in self._lookup(name_key(name)) if e.holds_at(when)]
        if not entries:
            raise EntityNotFound(name, self.suggest(name))
        primaries = {e.entity_id for e in entries if e.primary}
        ids = primaries or {e.entity_id for e in entries}
        if len(ids) == 1:
            found = self.get(ids.pop())
            assert found is not None
            return found
        candidates = []
        for entity_id in sorted(ids):
            entity = self.get(entity_id)
            assert entity is not None
            entry = next(e for e in entries if e.entity_id == entity_id)
            candidates.append({
                "id": entity.id, "name": entity.name, "kind": entity.kind, "alias": entry.name,
                "valid_from": str(entry.valid_from) if entry.valid_from else None,
                "valid_until": str(entry.valid_until) if entry.valid_until else None,
            })
        raise AmbiguousName(name, candidates)

    def suggest(self, name: str, limit: int = 5) -> list[dict[str, str]]:
        """Entities whose names are close to ``name``, best first."""
        return [
            {"id": m.entity.id, "name": m.entity.name, "kind": m.entity.kind, "matched": m.matched}
            for m in self.search(name, limit=limit, fuzzy_cutoff=0.72)
            if m.score < 1.0
        ]

    def search(self, query: str, *, kind: str | None = None, limit: int = 10,
               fuzzy_cutoff: float = 0.6) -> list[EntityMatch]:
        """Entities ranked by how well any of their names matches ``query``.

        Exact key 1.0, prefix 0.9, containment 0.8, otherwise string similarity; one hit
        per entity (its best name), ties broken by name so results are stable.
        """
        key = name_key(query)
        if not key:
            return []
        best: dict[str, tuple[float, str]] = {}
        matcher = difflib.SequenceMatcher(None, key, "")
        for other, entries in self._keyed():
            if other == key:
                score = 1.0
            elif other.startswith(key) and len(key) >= 2:
                score = 0.9
            elif key in other and len(key) >= 3:
                score = 0.8
            else:
                # The cheap upper bounds first: most keys are nowhere near and never reach ratio().
                matcher.set_seq2(other)
                if matcher.real_quick_ratio() < fuzzy_cutoff or matcher.quick_ratio() < fuzzy_cutoff:
                    continue
                score = matcher.ratio()
                if score < fuzzy_cutoff:
                    continue
                score = round(score * 0.79, 4)
            for entry in entries:
                entity = self.get(entry.entity_id)
                assert entity is not None
                if kind and entity.kind != kind:
                    continue
                if entry.entity_id not in best or score > best[entry.entity_id][0]:
                    best[entry.entity_id] = (score, entry.name)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], self._name(item[0])))
        return [EntityMatch(entity=self._entity(eid), matched=m, score=s) for eid, (s, m) in ranked[:limit]]

    def _entity(self, entity_id: str) -> Entity:
        entity = self.get(entity_id)
        assert entity is not None
        return entity

    def _name(self, entity_id: str) -> str:
        return self._entity(entity_id).name


class _Overlay(AliasIndex):
    """A batch's entities over a store's index, as validation sees the registry."""

    def __init__(self, base: AliasIndex, top: AliasIndex) -> None:
        super().__init__()
        self._base = base
        self._top = top

    def update(self, entities: Iterable[Entity]) -> None:
        if list(entities):
            raise TypeError("an overlay is read-only")

    def __len__(self) -> int:
        return len(self._base) + sum(1 for i in self._top._entities if self._base.get(i) is None)

    def _lookup(self, key: str) -> list[_Entry]:
        shadowed = self._top._entities
        return [e for e in self._base._lookup(key) if e.entity_id not in shadowed] + self._top._lookup(key)

    def _keyed(self) -> Iterable[tuple[str, list[_Entry]]]:
        for key, _ in self._base._keyed():
            entries = self._lookup(key)
            if entries:
                yield key, entries
        for key, entries in self._top._keyed():
            if not self._base._lookup(key):
                yield key, entries

    def get(self, entity_id: str) -> Entity | None:
        return self._top.get(entity_id) or self._base.get(entity_id)

    def entities(self) -> list[Entity]:
        shadowed = self._top._entities
        return [e for e in self._base.entities() if e.id not in shadowed] + self._top.entities()


def _names(entity: Entity) -> list[str]:
    return [entity.name, entity.id, *(alias.name for alias in entity.aliases)]
