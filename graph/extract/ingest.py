"""Ingesting reports: extract their claims, then load them, or stage them for review.

``ingest`` is the one function both the CLI and the HTTP API call: text and metadata in,
what was added or staged out; ``ingest_many`` does the same for a batch of reports as one
all-or-nothing write. The extraction becomes records in memory (``graph.loader.Record``),
which pass exactly the checks a curated claim passes (``graph.loader.validate``, reading
the store by id only) before one upsert. The report id is a hash of its text and claim ids
a hash of their content, so ingesting the same report twice adds nothing.

The extractor is built once by the caller (the API's holder, the CLI's environment) and
passed in: nothing here reads the whole store, so an ingest costs the same in a graph of
fifty thousand claims as in one of a million. An outlet the registry lacks is loaded with
its report as an organization.

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

from graph.errors import ExtractionInputError, StagedClaimNotFound
from graph.extract.pipeline import Candidate, ClaimExtractor, Extraction, outlet_name
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


def source_record(report: ReportInput, source_id: str, outlet_id: str | None = None) -> dict[str, Any]:
    """A report's metadata in the bundle's ``reports/<id>.yaml`` format."""
    meta = {"id": source_id, "title": report.title or report.text.strip().splitlines()[0][:120],
            "outlet": report.outlet or report.outlet_id or outlet_id or "unknown",
            "outlet_id": outlet_id or report.outlet_id,
            "url": report.url, "published": report.published, "reliability": report.reliability, "note": report.note}
    return {k: v for k, v in meta.items() if v is not None}


def report_records(sources: Iterable[tuple[dict[str, Any], str]], claims: Sequence[dict[str, Any]],
                   origin: str, entities: Sequence[dict[str, Any]] = ()) -> Records:
    """Reports (metadata and text), claims (each naming its ``source``) and new entities as records for the
    loader: what a bundle on disk would hold, never written to disk."""
    records = Records()
    for position, entity in enumerate(entities):
        records.entities.append(Record(entity, origin, f"entities[{position}]"))
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


def outlet_record(report: ReportInput, extraction: Extraction) -> dict[str, Any] | None:
    """The registry entry of an outlet the registry lacks, created with the report (None when it is known).

    It says nothing of the report that brought it: reports of the same new outlet ingested at once,
    by several clients, then bring the same entry, and the graph ends as a sequential load leaves it.
    """
    if extraction.outlet_known:
        return None
    return {"id": extraction.outlet, "name": outlet_name(report), "kind": "organization",
            "description": "An outlet of reporting, added to the registry when a report of it was ingested."}


def _new_entities(store: GraphStore, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The outlet entries the store does not hold yet: an entry another process wrote since this process's
    extractor was built is kept as it is (it may have been edited since), never overwritten by a generated one."""
    held = store.get_entities([e["id"] for e in entities]) if entities else {}
    return [e for e in entities if e["id"] not in held]


def _records_of(report: ReportInput, extraction: Extraction
                ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The report's metadata, its claims and the outlet entity it brings (if the registry lacks it)."""
    meta = source_record(report, extraction.source_id, extraction.outlet)
    claims = [{**claim_record(c), "source": extraction.source_id} for c in extraction.claims]
    outlet = outlet_record(report, extraction)
    return meta, claims, [outlet] if outlet is not None else []


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
    meta, records, entities = _records_of(report, extraction)
    kept, waiting = records, []
    if review or min_confidence is not None:
        if staging is None:
            raise ExtractionInputError("staging claims for review needs a staging file")
        threshold = 2.0 if review else float(min_confidence or 0.0)
        kept = [r for r in records if r["confidence"] >= threshold]
        waiting = [r for r in records if r["confidence"] < threshold]
    # The report is loaded with what is kept (and its outlet), so that staged claims accepted later have
    # their source; staging comes after the load, so a load that fails stages nothing.
    written = _load(store, ontology, report_records([(meta, report.text)], kept, report.origin,
                                                    _new_entities(store, entities)))
    added = Staging(staging).add(meta, report.text, waiting) if waiting and staging is not None else 0
    return IngestResult(source_id, extraction, written, added)


@dataclass
class IngestedMany:
    """What one ``ingest_many`` did: each report's extraction, and the one write that loaded them all."""

    reports: list[IngestResult]
    written: UpsertResult


def ingest_many(reports: Sequence[ReportInput], store: GraphStore, ontology: Ontology, *,
                extractor: ClaimExtractor, processes: int = 1) -> IngestedMany:
    """Extract a batch of reports and load them with their claims as one all-or-nothing write.

    Every report is extracted and every record checked before anything is written; a claim the
    loader refuses in any of them writes none of them, and the error names the report it comes from.
    """
    records = Records()
    results = []
    outlets: dict[str, dict[str, Any]] = {}
    for report, extraction in zip(reports, extractor.run_many(reports, n_process=processes), strict=True):
        meta, claims, entities = _records_of(report, extraction)
        part = report_records([(meta, report.text)], claims, report.origin)
        records.sources += part.sources
        records.claims += part.claims
        outlets.update({e["id"]: e for e in entities})  # one entity for an outlet many reports share
        results.append(IngestResult(extraction.source_id, extraction, None, 0))
    records.entities = [Record(e, "ingest", f"entities[{i}]")
                        for i, e in enumerate(_new_entities(store, list(outlets.values())))]
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
