"""Ingesting reports: extract their claims, then load them, or stage them for review.

``ingest`` is the one function both the CLI and the HTTP API call: text and metadata in,
what was added or staged out; ``ingest_many`` does the same for a batch of reports as one
all-or-nothing write. The extraction becomes records in memory (``graph.loader.Record``),
which pass exactly the checks a curated claim passes (``graph.loader.validate``, reading
the store by id only) before one upsert. The report id is a hash of its text and claim ids
a hash of their content, so ingesting the same report twice adds nothing.

The extractor is built from the store's name index once per store object and rebuilt only
when the registry changes (``extractor_for``), so an ingest costs the same in a graph of
fifty thousand claims as in one of a million.

Staged claims wait in a JSON file beside the store's data file until ``accept`` loads them
or ``reject`` drops them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import ExtractionInputError, StagedClaimNotFound
from graph.extract.pipeline import Candidate, Extraction, Extractor
from graph.extract.text import ReportInput
from graph.loader import Record, Records, load_records
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


def source_record(report: ReportInput, source_id: str) -> dict[str, Any]:
    """A report's metadata in the bundle's ``reports/<id>.yaml`` format."""
    meta = {"id": source_id, "title": report.title or report.text.strip().splitlines()[0][:120],
            "outlet": report.outlet or report.outlet_id or "unknown", "outlet_id": report.outlet_id,
            "url": report.url, "published": report.published, "reliability": report.reliability, "note": report.note}
    return {k: v for k, v in meta.items() if v is not None}


def report_records(sources: Iterable[tuple[dict[str, Any], str]], claims: Sequence[dict[str, Any]],
                   origin: str) -> Records:
    """Reports (metadata and text) and claims (each naming its ``source``) as records for the loader."""
    records = Records()
    for meta, text in sources:
        records.sources.append(Record(meta, origin, "report", text=text))
    for position, claim in enumerate(claims):
        records.claims.append(Record({k: v for k, v in claim.items() if k != "source"}, origin,
                                     f"claims[{position}]", source=claim["source"]))
    return records


def _load(store: GraphStore, ontology: Ontology, records: Records) -> UpsertResult:
    _, result = load_records(records, store, ontology)
    assert result is not None
    return result


_EXTRACTORS: weakref.WeakKeyDictionary[Any, tuple[tuple[int, int], Extractor]] = weakref.WeakKeyDictionary()
_EXTRACTORS_LOCK = threading.Lock()


def extractor_for(store: GraphStore, ontology: Ontology) -> Extractor:
    """The extractor over the store's registry: built once per store, rebuilt only when an entity changed."""
    index = store.name_index()
    key = (id(index), index.version)
    with _EXTRACTORS_LOCK:
        cached = _EXTRACTORS.get(store)
        if cached is None or cached[0] != key:
            cached = (key, Extractor(ontology, index.entities()))
            _EXTRACTORS[store] = cached
        return cached[1]


def _check_outlet(extractor: Extractor, report: ReportInput) -> None:
    if extractor.outlet_of(report) is None:
        raise ExtractionInputError(
            f"{report.origin}: outlet {report.outlet_id or report.outlet!r} is not in the registry; add it to "
            "entities.yaml (kind organization) or name a known one with --outlet")


def _records_of(report: ReportInput, extraction: Extraction) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    meta = source_record(report, extraction.source_id)
    return meta, [{**claim_record(c), "source": extraction.source_id} for c in extraction.claims]


def ingest(report: ReportInput, store: GraphStore, ontology: Ontology, *, extractor: Extractor | None = None,
           review: bool = False, staging: Path | None = None) -> IngestResult:
    """Extract a report's claims and load them with the report (or stage them, with ``review``)."""
    extractor = extractor or extractor_for(store, ontology)
    _check_outlet(extractor, report)
    extraction = extractor.run(report)
    source_id = extraction.source_id
    meta, records = _records_of(report, extraction)
    if review:
        if staging is None:
            raise ExtractionInputError("review needs a staging file")
        staged = Staging(staging)
        added = staged.add(meta, report.text, records)
        # the report itself is loaded now, so that accepted claims have their source
        written = _load(store, ontology, report_records([(meta, report.text)], [], report.origin))
        return IngestResult(source_id, extraction, written, added)
    written = _load(store, ontology, report_records([(meta, report.text)], records, report.origin))
    return IngestResult(source_id, extraction, written, 0)


@dataclass
class IngestedMany:
    """What one ``ingest_many`` did: each report's extraction, and the one write that loaded them all."""

    reports: list[IngestResult]
    written: UpsertResult


def ingest_many(reports: Sequence[ReportInput], store: GraphStore, ontology: Ontology, *,
                extractor: Extractor | None = None) -> IngestedMany:
    """Extract a batch of reports and load them with their claims as one all-or-nothing write.

    Every report is extracted and every record checked before anything is written; a problem
    in any of them (an unknown outlet, a claim the loader refuses) writes none of them, and the
    error names the report it comes from.
    """
    extractor = extractor or extractor_for(store, ontology)
    for report in reports:
        _check_outlet(extractor, report)
    records = Records()
    results = []
    for report in reports:
        extraction = extractor.run(report)
        meta, claims = _records_of(report, extraction)
        part = report_records([(meta, report.text)], claims, report.origin)
        records.sources += part.sources
        records.claims += part.claims
        results.append(IngestResult(extraction.source_id, extraction, None, 0))
    return IngestedMany(results, _load(store, ontology, records))


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
        wanted = sorted({c["source"] for c in chosen})
        known = store.get_sources(wanted)
        sources: list[tuple[dict[str, Any], str]] = []
        for report_id in wanted:
            entry = data["reports"][report_id]
            if report_id not in known:
                sources.append((entry["meta"], entry["text"]))
            else:
                sources.append(({"id": report_id, **_meta_of(known[report_id])}, known[report_id].text))
        result = _load(store, ontology, report_records(sources, chosen, str(self.path)))
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


def report_outcome(store: GraphStore, ontology: Ontology, source_id: str, staging: Path) -> ReportOutcome:
    """The state of one report now.

    Candidates are not kept anywhere: the report is read again against today's registry, so
    a name added to the registry since the report came in no longer shows as unknown.
    """
    source = store.get_source(source_id)
    report = ReportInput(text=source.text, title=source.title, outlet=source.outlet, outlet_id=source.outlet_id,
                         url=source.url, published=source.published, origin=f"report {source_id}")
    extraction = extractor_for(store, ontology).run(report, source_id=source_id)
    return ReportOutcome(source=source, loaded=store.claims(ClaimQuery(source=source_id)),
                         staged=Staging(staging).claims(source_id), candidates=extraction.candidates)
