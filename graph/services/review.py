"""The review queue: extracted claims awaiting an analyst's decision, kept in one JSON file beside the
store's data file (written atomically, under a lock) until ``accept`` loads them or ``reject`` drops them."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from graph.domain.errors import StagedClaimNotFound
from graph.domain.model import Source, UpsertResult
from graph.domain.ontology import Ontology
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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.with_name(self.path.name + ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"reports": {}, "claims": []}
        data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
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

    def reports(self) -> dict[str, dict[str, Any]]:
        """The reports staged claims cite (``meta`` and ``text``), by id: what a backup carries with the claims."""
        reports: dict[str, dict[str, Any]] = self._read()["reports"]
        return reports

    def restore(self, reports: dict[str, dict[str, Any]], claims: Sequence[dict[str, Any]]) -> int:
        """Put back staged reports and claims read from a backup, in their order; ids already staged are kept as
        they are. Returns how many claims were new."""
        with self._locked():
            data = self._read()
            for report_id, entry in reports.items():
                data["reports"].setdefault(report_id, entry)
            known = {c["id"] for c in data["claims"]}
            new = [c for c in claims if c["id"] not in known]
            data["claims"].extend(new)
            self._write(data)
        return len(new)

    def add(self, meta: dict[str, Any], text: str, claims: Sequence[dict[str, Any]]) -> int:
        """Stage claims of one report; already staged ids are not added twice. Returns how many were new."""
        with self._locked():
            data = self._read()
            data["reports"][meta["id"]] = {"meta": meta, "text": text}
            known = {c["id"] for c in data["claims"]}
            new = [c for c in claims if c["id"] not in known]
            data["claims"].extend(new)
            self._write(data)
        return len(new)

    def _select(self, ids: Sequence[str], data: dict[str, Any]) -> list[dict[str, Any]]:
        if list(ids) == ["all"]:
            return list(data["claims"])
        by_id = {c["id"]: c for c in data["claims"]}
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise StagedClaimNotFound(f"no staged claim has id {', '.join(missing)} (see `kg review`)",
                                      details={"ids": missing})
        return [by_id[i] for i in ids]

    def accept(self, ids: Sequence[str], store: GraphStore, ontology: Ontology) -> tuple[list[str], UpsertResult]:
        """Load the chosen staged claims (ids, or ``["all"]``) all-or-nothing, then unstage them."""
        with self._locked():
            return self._accept(ids, store, ontology)

    def _accept(self, ids: Sequence[str], store: GraphStore, ontology: Ontology) -> tuple[list[str], UpsertResult]:
        data = self._read()
        chosen = self._select(ids, data)
        wanted = sorted({c["source"] for c in chosen})
        known = store.get_sources(wanted)
        sources: list[tuple[dict[str, Any], str]] = []
        for report_id in wanted:
            entry = data["reports"][report_id]
            if report_id not in known:
                sources.append((entry["meta"], entry["text"]))
            else:
                sources.append(({"id": report_id, **_meta_of(known[report_id])}, known[report_id].text))
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
        still = {c["source"] for c in data["claims"]}
        data["reports"] = {k: v for k, v in data["reports"].items() if k in still}
        self._write(data)


def _meta_of(source: Source) -> dict[str, Any]:
    meta = source.model_dump(exclude={"id", "text"})
    return {k: v for k, v in meta.items() if v is not None}
