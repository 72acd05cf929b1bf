"""The review queue: extracted claims awaiting an analyst's decision, kept in one JSON file beside the
store's data file (written atomically, under a lock) until ``accept`` loads them or ``reject`` drops them.

The file holds one object::

    {"reports":  {REPORT_ID: {"meta": {...}, "text": "..."}},   the reports staged claims cite
     "claims":   [CLAIM, ...],                                  claims as ``claim_record`` gives them,
                                                                 each with ``source``; a claim naming a
                                                                 candidate entity also has ``waits_on``:
                                                                 the ids of those candidates
     "entities": [ENTITY, ...]}                                 candidate entities (actors the registry
                                                                 lacks) a report's claims name

A staged ENTITY is ``CandidateEntity.as_dict()`` (``id``, ``name``, ``kind``, ``aliases``,
``parent``, ``parent_relation``, ``merge_into``, ``mentions``, ``confidence``, ``reason``) with
``source`` (the report it was read in) and ``claims`` (the ids of its staged claims). Its ``id`` is
the report's candidate id, unique with ``source`` (two reports naming JNIM stage two entries, one
each). A file written before entities were staged has no ``entities`` and reads as none.

Claims that wait on a candidate are not loaded by ``accept``: ``all`` passes over them (they
await their entities' review) and naming one is refused (``StagedClaimWaiting``); rejecting them
is allowed. An entity stays staged while a staged claim names it.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from graph.domain.errors import StagedClaimNotFound, StagedClaimWaiting
from graph.domain.model import Source, UpsertResult
from graph.domain.ontology import Ontology
from graph.services.filelock import locked_beside
from graph.services.records import load_report_records, report_records
from graph.stores.protocol import GraphStore


class Staging:
    """Claims awaiting review, kept in one JSON file written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # The API serves requests on several threads and the CLI may run beside it: every
        # read-modify-write of the file holds an exclusive lock, so no staged claim is lost.
        with locked_beside(self.path):
            yield

    def _read(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"reports": {}, "claims": [], "entities": []}
        data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        data.setdefault("entities", [])
        return data

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=self.path.parent, prefix=".staged-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(name, self.path)

    def claims(self, source: str | None = None) -> list[dict[str, Any]]:
        """Staged claims (of one report, given its id), in the order staged."""
        return [c for c in self._read()["claims"] if source is None or c["source"] == source]

    def entities(self, source: str | None = None) -> list[dict[str, Any]]:
        """Staged candidate entities (of one report, given its id), in the order staged."""
        return [e for e in self._read()["entities"] if source is None or e["source"] == source]

    def reports(self) -> dict[str, dict[str, Any]]:
        """The reports staged claims cite (``meta`` and ``text``), by id: what a backup carries with the claims."""
        reports: dict[str, dict[str, Any]] = self._read()["reports"]
        return reports

    def restore(self, reports: dict[str, dict[str, Any]], claims: Sequence[dict[str, Any]],
                entities: Sequence[dict[str, Any]] = ()) -> int:
        """Put back staged reports, claims and candidate entities read from a backup, in their order; ids already
        staged are kept as they are. Returns how many claims were new."""
        with self._locked():
            data = self._read()
            for report_id, entry in reports.items():
                data["reports"].setdefault(report_id, entry)
            known = {c["id"] for c in data["claims"]}
            new = [c for c in claims if c["id"] not in known]
            data["claims"].extend(new)
            held = {(e["source"], e["id"]) for e in data["entities"]}
            data["entities"].extend(e for e in entities if (e["source"], e["id"]) not in held)
            self._write(data)
        return len(new)

    def add(self, meta: dict[str, Any], text: str, claims: Sequence[dict[str, Any]],
            entities: Sequence[dict[str, Any]] = ()) -> int:
        """Stage claims of one report, and the candidate entities they name; already staged ids are not added twice
        (an entity staged again from the same report takes the new reading). Returns how many claims were new."""
        with self._locked():
            data = self._read()
            data["reports"][meta["id"]] = {"meta": meta, "text": text}
            known = {c["id"] for c in data["claims"]}
            new = [c for c in claims if c["id"] not in known]
            data["claims"].extend(new)
            fresh = {(meta["id"], e["id"]) for e in entities}
            data["entities"] = [e for e in data["entities"] if (e["source"], e["id"]) not in fresh]
            data["entities"].extend({**e, "source": meta["id"]} for e in entities)
            self._write(data)
        return len(new)

    def _select(self, ids: Sequence[str], data: dict[str, Any], *, loading: bool = False) -> list[dict[str, Any]]:
        if list(ids) == ["all"]:
            return [c for c in data["claims"] if not (loading and c.get("waits_on"))]
        by_id = {c["id"]: c for c in data["claims"]}
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise StagedClaimNotFound(f"no staged claim has id {', '.join(missing)} (see `kg review`)",
                                      details={"ids": missing})
        waiting = [i for i in ids if loading and by_id[i].get("waits_on")]
        if waiting:
            names = sorted({e for i in waiting for e in by_id[i]["waits_on"]})
            raise StagedClaimWaiting(f"staged claim {', '.join(waiting)} names candidate entities not reviewed yet "
                                     f"({', '.join(names)}): review the entities first",
                                     details={"ids": waiting, "entities": names})
        return [by_id[i] for i in ids]

    def accept(self, ids: Sequence[str], store: GraphStore, ontology: Ontology) -> tuple[list[str], UpsertResult]:
        """Load the chosen staged claims (ids, or ``["all"]``) all-or-nothing, then unstage them."""
        with self._locked():
            return self._accept(ids, store, ontology)

    def _accept(self, ids: Sequence[str], store: GraphStore, ontology: Ontology) -> tuple[list[str], UpsertResult]:
        data = self._read()
        chosen = self._select(ids, data, loading=True)
        sources = report_sources(data, [c["source"] for c in chosen], store)
        result = load_report_records(store, ontology, report_records(sources, chosen, str(self.path)))
        self._drop(data, {c["id"] for c in chosen})
        return [c["id"] for c in chosen], result

    def reject(self, ids: Sequence[str]) -> list[str]:
        """Drop the chosen staged claims without loading them."""
        with self._locked():
            data = self._read()
            chosen = {c["id"] for c in self._select(ids, data)}
            self._drop(data, chosen)
        return sorted(chosen)

    def _drop(self, data: dict[str, Any], ids: set[str]) -> None:
        data["claims"] = [c for c in data["claims"] if c["id"] not in ids]
        prune(data)
        self._write(data)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[dict[str, Any]]:
        """The staging file's content, held under the lock and written back when the block ends without an error:
        a decision that loads into the store and then changes the queue does both, or leaves the queue as it was."""
        with self._locked():
            data = self._read()
            yield data
            prune(data)
            self._write(data)


def prune(data: dict[str, Any]) -> None:
    """Drop what no staged claim needs any more: a candidate entity no claim waits on, a report no claim cites."""
    named = {(c["source"], e) for c in data["claims"] for e in c.get("waits_on", ())}
    data["entities"] = [e for e in data["entities"] if (e["source"], e["id"]) in named]
    still = {c["source"] for c in data["claims"]} | {e["source"] for e in data["entities"]}
    data["reports"] = {k: v for k, v in data["reports"].items() if k in still}


def report_sources(data: dict[str, Any], report_ids: Sequence[str], store: GraphStore
                   ) -> list[tuple[dict[str, Any], str]]:
    """The reports staged claims cite, as the loader takes them: as the store holds them when it does (their
    metadata may have been edited since), else as they were staged."""
    wanted = sorted(set(report_ids))
    known = store.get_sources(wanted)
    sources: list[tuple[dict[str, Any], str]] = []
    for report_id in wanted:
        entry = data["reports"][report_id]
        if report_id not in known:
            sources.append((entry["meta"], entry["text"]))
        else:
            sources.append(({"id": report_id, **_meta_of(known[report_id])}, known[report_id].text))
    return sources


def _meta_of(source: Source) -> dict[str, Any]:
    meta = source.model_dump(exclude={"id", "text"})
    return {k: v for k, v in meta.items() if v is not None}
