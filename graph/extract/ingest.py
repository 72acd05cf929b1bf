"""Ingesting a report: extract its claims, then load them, or stage them for review.

``ingest`` is the one function both the CLI and (later) the HTTP API call: text and
metadata in, what was added or staged out. Loading goes through the bundle loader, so an
extracted claim passes exactly the checks a curated one does, and the write is one
all-or-nothing upsert. The report id is a hash of its text and claim ids a hash of their
content, so ingesting the same report twice adds nothing.

Staged claims wait in a JSON file beside the store's data file until ``accept`` loads them
or ``reject`` drops them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graph.errors import ExtractionInputError, StagedClaimNotFound
from graph.extract.pipeline import Candidate, ClaimExtractor, Extraction, outlet_name
from graph.extract.text import ReportInput
from graph.loader import load
from graph.model import Claim, ClaimView, Source, UpsertResult
from graph.ontology import Ontology
from graph.store import ClaimQuery, GraphStore

CLAIM_KEYS = ("id", "subject", "type", "object", "quote", "span", "status", "asserted_by", "date", "end_date",
              "location", "confidence", "extracted_by", "incident", "note", "denies")


@dataclass
class IngestResult:
    """What one ingest did: the report, its claims and candidates, what was written or staged."""

    source_id: str
    extraction: Extraction
    written: UpsertResult | None
    staged: int

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source_id, "claims": [c.model_dump() for c in self.extraction.claims],
                "candidates": [candidate_dict(c) for c in self.extraction.candidates],
                "written": self.written.model_dump() if self.written else None, "staged": self.staged}


def candidate_dict(candidate: Candidate) -> dict[str, Any]:
    """A candidate name as plain data."""
    return {"name": candidate.name, "reason": candidate.reason, "sentences": list(candidate.sentences),
            "spans": [list(s) for s in candidate.spans]}


def claim_record(claim: Claim) -> dict[str, Any]:
    """A claim in the curated-claims file format (fields left empty are left out)."""
    data = claim.model_dump()
    record = {k: data[k] for k in CLAIM_KEYS if data.get(k) is not None}
    record["span"] = list(claim.span)
    return record


def source_record(report: ReportInput, source_id: str, outlet_id: str | None = None) -> dict[str, Any]:
    """A report's metadata in the bundle's ``reports/<id>.yaml`` format."""
    meta = {"id": source_id, "title": report.title or report.text.strip().splitlines()[0][:120],
            "outlet": report.outlet or report.outlet_id or outlet_id or "unknown",
            "outlet_id": outlet_id or report.outlet_id,
            "url": report.url, "published": report.published, "reliability": report.reliability, "note": report.note}
    return {k: v for k, v in meta.items() if v is not None}


def write_bundle(folder: Path, sources: Iterable[tuple[dict[str, Any], str]], claims: Sequence[dict[str, Any]],
                 entities: Sequence[dict[str, Any]] = ()) -> Path:
    """Lay out a bundle (entities, reports and one claims file per report) for the loader to read."""
    (folder / "reports").mkdir(parents=True, exist_ok=True)
    (folder / "claims").mkdir(exist_ok=True)
    if entities:
        (folder / "entities.yaml").write_text(
            yaml.safe_dump({"entities": list(entities)}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for meta, text in sources:
        (folder / "reports" / f"{meta['id']}.txt").write_bytes(text.encode("utf-8"))
        (folder / "reports" / f"{meta['id']}.yaml").write_text(
            yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
        mine = [c for c in claims if c["source"] == meta["id"]]
        if mine:
            body = {"source": meta["id"], "claims": [{k: v for k, v in c.items() if k != "source"} for c in mine]}
            (folder / "claims" / f"{meta['id']}.yaml").write_text(
                yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return folder


def _load(store: GraphStore, ontology: Ontology, sources: Iterable[tuple[dict[str, Any], str]],
          claims: Sequence[dict[str, Any]], entities: Sequence[dict[str, Any]] = ()) -> UpsertResult:
    with tempfile.TemporaryDirectory(prefix="kg-ingest-") as tmp:
        _, result = load(write_bundle(Path(tmp), sources, claims, entities), store, ontology)
    assert result is not None
    return result


def outlet_record(report: ReportInput, extraction: Extraction) -> dict[str, Any] | None:
    """The registry entry of an outlet the registry lacks, created with the report (None when it is known)."""
    if extraction.outlet_known:
        return None
    name = outlet_name(report)
    where = f" ({report.url})" if report.url else ""
    return {"id": extraction.outlet, "name": name, "kind": "organization",
            "description": f"Outlet of the report {extraction.source_id}{where}, added when the report was ingested."}


def ingest(report: ReportInput, store: GraphStore, ontology: Ontology, *, extractor: ClaimExtractor,
           review: bool = False, staging: Path | None = None, min_confidence: float | None = None,
           extraction: Extraction | None = None) -> IngestResult:
    """Extract a report's claims and load them with the report, or stage them for review.

    With ``review`` every claim is staged; with ``min_confidence`` the claims below it are staged
    and the rest loaded. The report itself is always loaded (staged claims need their source),
    and so is its outlet when the registry lacks it, as an organization. ``extraction`` is the
    report already extracted (many reports are parsed together, in batches).
    """
    extraction = extraction or extractor.run(report)
    source_id = extraction.source_id
    meta = source_record(report, source_id, extraction.outlet)
    records = [{**claim_record(c), "source": source_id} for c in extraction.claims]
    outlet = outlet_record(report, extraction)
    entities = [outlet] if outlet is not None else []
    if review or min_confidence is not None:
        if staging is None:
            raise ExtractionInputError("staging claims for review needs a staging file")
        threshold = 2.0 if review else float(min_confidence or 0.0)
        kept = [r for r in records if r["confidence"] >= threshold]
        waiting = [r for r in records if r["confidence"] < threshold]
        added = Staging(staging).add(meta, report.text, waiting) if waiting else 0
        # the report is loaded now (and its outlet), so that accepted claims have their source
        written = _load(store, ontology, [(meta, report.text)], kept, entities)
        return IngestResult(source_id, extraction, written, added)
    return IngestResult(source_id, extraction, _load(store, ontology, [(meta, report.text)], records, entities), 0)


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
        known = {s.id for s in store.sources()}
        sources: list[tuple[dict[str, Any], str]] = []
        for report_id in sorted({c["source"] for c in chosen}):
            entry = data["reports"][report_id]
            if report_id not in known:
                sources.append((entry["meta"], entry["text"]))
            else:
                sources.append(({"id": report_id, **_meta_of(store.get_source(report_id))},
                                store.get_source(report_id).text))
        result = _load(store, ontology, sources, chosen)
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


@dataclass
class ReportOutcome:
    """What came of one report: claims in the graph, claims awaiting review, names still unknown."""

    source: Source
    loaded: list[ClaimView]
    staged: list[dict[str, Any]]
    candidates: list[Candidate]


def report_outcome(store: GraphStore, source_id: str, staging: Path, *, extractor: ClaimExtractor) -> ReportOutcome:
    """The state of one report now.

    Candidates are not kept anywhere: the report is read again against the extractor's registry,
    so a name added to the registry since the report came in no longer shows as unknown.
    """
    source = store.get_source(source_id)
    report = ReportInput(text=source.text, title=source.title, outlet=source.outlet, outlet_id=source.outlet_id,
                         url=source.url, published=source.published, origin=f"report {source_id}")
    extraction = extractor.run(report, source_id=source_id)
    return ReportOutcome(source=source, loaded=store.claims(ClaimQuery(source=source_id)),
                         staged=Staging(staging).claims(source_id), candidates=extraction.candidates)
