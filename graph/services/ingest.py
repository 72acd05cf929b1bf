"""Ingesting reports: extract their claims, then load them, or stage them for review.

``ingest`` is the one function both the CLI and the HTTP API call: text and metadata in,
what was added or staged out; ``ingest_many`` does the same for a batch of reports as one
all-or-nothing write. The extraction becomes records in memory (``graph.services.loader.Record``),
which pass exactly the checks a curated claim passes (``graph.services.loader.validate``, reading
the store by id only) before one upsert. The report id is a hash of its text and claim ids
a hash of their content, so ingesting the same report twice adds nothing.

The extractor is built once by the caller (the API's holder, the CLI's environment) and
passed in: nothing here reads the whole store, so an ingest costs the same in a graph of
fifty thousand claims as in one of a million. An outlet the registry lacks is loaded with
its report as an organization.

Staged claims wait in the review queue (``graph.services.review``). The names the extractor could
not place are kept with the report in the store (``GraphStore.keep_candidates``), so what came of a
report is read back (``app.usecases.reports``) without running the language pipeline again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from graph.domain.errors import ExtractionInputError, InconsistentWrite
from graph.domain.model import Claim, UpsertResult
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Candidate, ClaimExtractor, Extraction, claim_id, outlet_name
from graph.language.extract.text import ReportInput
from graph.services.dedupe import extra_paragraphs
from graph.services.loader import Record, Records
from graph.services.records import claim_record, load_report_records, report_records, source_record
from graph.services.review import Staging
from graph.stores.protocol import ClaimQuery, GraphStore


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
    written = load_report_records(store, ontology, report_records([(meta, report.text)], kept, report.origin,
                                                    _new_entities(store, entities)))
    store.keep_candidates({source_id: [candidate_dict(c) for c in extraction.candidates]})
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
    written = load_report_records(store, ontology, records)
    store.keep_candidates({r.source_id: [candidate_dict(c) for c in r.extraction.candidates] for r in results})
    return IngestedMany(results, written)


# --- one text, several sources: a wire story that several outlets ran ----------------------------


class OutletReader(ClaimExtractor, Protocol):
    """An extractor that also says whose voice a report speaks in (what copies of a report need)."""

    def outlet_of(self, report: ReportInput) -> str | None:
        """The registry id of the report's outlet, if the registry has it."""
        ...

    def voice_of(self, report: ReportInput) -> str:
        """Who asserts what the report says in its own voice: its outlet, known or not."""
        ...


def copy_source_id(text: str, url: str) -> str:
    """The report id of a copy: its text and where it ran, so that the same text on two outlets is two reports
    (a report read on its own is named by its text alone, ``ReportInput.report_id``)."""
    return "r-" + hashlib.sha256(f"{url}\n{text}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Copy:
    """A report that runs the text of another (``leader``, a report id): the same story on another outlet.

    ``similarity`` is 1.0 for the same text; below, the copy was found near (MinHash) and may add
    paragraphs of its own, which are read for claims (only those).
    """

    report: ReportInput
    source_id: str
    leader: str
    similarity: float = 1.0


@dataclass
class CopyResult:
    """What one copy brought: claims taken from its leader, claims left out (their sentence is not in the copy),
    and claims read from paragraphs of its own."""

    source_id: str
    leader: str
    copied: int
    left_out: int
    own: int

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source_id, "leader": self.leader, "copied": self.copied, "left_out": self.left_out,
                "own": self.own}


@dataclass
class PreparedBatch:
    """A batch of reports and copies as loader records, not written yet, with every claim it would write."""

    records: Records
    claims: dict[str, list[Claim]]
    reports: list[IngestResult]
    copies: list[CopyResult]
    candidates: dict[str, list[dict[str, Any]]]

    @property
    def claim_ids(self) -> list[str]:
        return [c.id for claims in self.claims.values() for c in claims]


@dataclass(frozen=True)
class _Leader:
    text: str
    voice: str
    claims: list[Claim]
    candidates: list[dict[str, Any]]


def prepare_batch(reports: Sequence[ReportInput], copies: Sequence[Copy], store: GraphStore, *,
                  extractor: OutletReader, extractions: Sequence[Extraction] | None = None) -> PreparedBatch:
    """Reports read by the extractor and copies of reports (of this batch or already in the graph), as records.

    The text of a copy is not read again: each claim of its leader whose sentence the copy holds
    becomes a claim of the copy (its own id, its span in the copy's text, the copy's outlet where
    the leader's outlet spoke), so the relation reads as corroborated by one more source, as
    ``graph.services.analysis.group_claims`` groups claims. Claims whose sentence the copy lacks
    are left out and counted. A near copy's own paragraphs are the one part of it that is read.
    """
    extractions = list(extractions) if extractions is not None else extractor.run_many(reports)
    records = Records()
    claims: dict[str, list[Claim]] = {}
    results: list[IngestResult] = []
    outlets: dict[str, dict[str, Any]] = {}
    leaders: dict[str, _Leader] = {}
    candidates: dict[str, list[dict[str, Any]]] = {}
    for report, extraction in zip(reports, extractions, strict=True):
        meta, claim_dicts, entities = _records_of(report, extraction)
        _add(records, meta, report, claim_dicts)
        claims[extraction.source_id] = list(extraction.claims)
        outlets.update({e["id"]: e for e in entities})
        results.append(IngestResult(extraction.source_id, extraction, None, 0))
        candidates[extraction.source_id] = [candidate_dict(c) for c in extraction.candidates]
        leaders[extraction.source_id] = _Leader(report.text, extraction.outlet, list(extraction.claims),
                                                candidates[extraction.source_id])
    leaders.update(_stored_leaders({c.leader for c in copies} - set(leaders), store, extractor))
    copied: list[CopyResult] = []
    for copy in copies:
        leader = leaders[copy.leader]
        voice = extractor.voice_of(copy.report)
        taken, left_out = copied_claims(leader.claims, leader.text, leader.voice, copy.report.text, copy.source_id,
                                        voice)
        own, own_candidates = _own_claims(copy, leader, taken, extractor) if copy.similarity < 1.0 else ([], [])
        candidates[copy.source_id] = _merged(copied_candidates(leader.candidates, copy.report.text) + own_candidates)
        note = (f"runs the text of report {copy.leader}"
                + ("" if copy.similarity >= 1.0 else f" (near copy, similarity {copy.similarity:.2f})")
                + "; its claims were read once, from that report")
        meta = source_record(copy.report.with_metadata(note="; ".join(n for n in (copy.report.note, note) if n)),
                             copy.source_id, voice)
        _add(records, meta, copy.report, [{**claim_record(c), "source": copy.source_id} for c in taken + own])
        claims[copy.source_id] = taken + own
        if extractor.outlet_of(copy.report) is None:
            outlets.setdefault(voice, {"id": voice, "name": outlet_name(copy.report), "kind": "organization",
                                       "description": "An outlet of reporting, added to the registry when a "
                                                      "report of it was ingested."})
        copied.append(CopyResult(copy.source_id, copy.leader, len(taken), left_out, len(own)))
    records.entities = [Record(e, "ingest", f"entities[{i}]")
                        for i, e in enumerate(_new_entities(store, list(outlets.values())))]
    return PreparedBatch(records, claims, results, copied, candidates)


def write_batch(store: GraphStore, ontology: Ontology, batch: PreparedBatch) -> UpsertResult:
    """Write a prepared batch all-or-nothing, through the loader's checks, and keep the names each report read
    could not place (as ``ingest`` keeps them)."""
    written = load_report_records(store, ontology, batch.records)
    store.keep_candidates(batch.candidates)
    return written


def _add(records: Records, meta: dict[str, Any], report: ReportInput, claims: list[dict[str, Any]]) -> None:
    part = report_records([(meta, report.text)], claims, report.origin)
    records.sources += part.sources
    records.claims += part.claims


def _stored_leaders(ids: set[str], store: GraphStore, extractor: OutletReader) -> dict[str, _Leader]:
    """Leaders already in the graph: their text, voice and claims, read by id."""
    found = store.get_sources(sorted(ids))
    missing = sorted(ids - set(found))
    if missing:
        raise InconsistentWrite(f"copies name reports the graph does not hold: {', '.join(missing)}",
                                details={"sources": missing})
    leaders = {}
    for source_id, source in found.items():
        report = ReportInput(text=source.text, title=source.title, outlet=source.outlet, outlet_id=source.outlet_id,
                             url=source.url, published=source.published, origin=f"report {source_id}")
        held = [Claim.model_validate(c.model_dump(include=set(Claim.model_fields)))
                for c in store.claims(ClaimQuery(source=source_id))]
        leaders[source_id] = _Leader(source.text, extractor.voice_of(report), held,
                                     store.candidates_of(source_id) or [])
    return leaders


def _merged(candidates: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Candidates by name: one entry a name, with all its sentences."""
    by_name: dict[str, dict[str, Any]] = {}
    for candidate in candidates:
        held = by_name.get(candidate["name"])
        if held is None:
            by_name[candidate["name"]] = dict(candidate)
        else:
            held["sentences"] = [*held["sentences"], *candidate["sentences"]]
            held["spans"] = [*held["spans"], *candidate["spans"]]
    return list(by_name.values())


def copied_candidates(candidates: Sequence[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """A leader's unplaced names as a copy's: each with the sentences of it the copy holds, at their place there."""
    kept = []
    for candidate in candidates:
        sentences, spans = [], []
        for sentence in candidate["sentences"]:
            position = text.find(sentence)
            if position >= 0:
                sentences.append(sentence)
                spans.append([position, position + len(sentence)])
        if sentences:
            kept.append({**candidate, "sentences": sentences, "spans": spans})
    return kept


def copied_claims(claims: Sequence[Claim], leader_text: str, leader_voice: str, text: str, source_id: str,
                  voice: str) -> tuple[list[Claim], int]:
    """A leader's claims as claims of a copy with ``text``: those whose sentence the copy holds, and how many not.

    A claim the leader's outlet asserted in its own voice is asserted by the copy's outlet: each
    outlet that runs a story reports it. A denial keeps pointing at what it denies, in the copy
    when the denied claim is there too.
    """
    renamed: dict[str, str] = {}
    taken: list[Claim] = []
    left_out = 0
    for claim in sorted(claims, key=lambda c: (c.span, c.id)):
        span = relocate(claim.quote, claim.span, len(leader_text), text)
        if span is None:
            left_out += 1
            continue
        asserted_by = voice if claim.asserted_by == leader_voice else claim.asserted_by
        new_id = claim_id(source_id, claim.subject, claim.type, claim.object, claim.quote, claim.status, asserted_by)
        renamed[claim.id] = new_id
        taken.append(claim.model_copy(update={"id": new_id, "source": source_id, "span": span,
                                              "asserted_by": asserted_by}))
    return [c.model_copy(update={"denies": renamed.get(c.denies, c.denies)}) if c.denies else c
            for c in taken], left_out


def relocate(quote: str, span: tuple[int, int], leader_length: int, text: str) -> tuple[int, int] | None:
    """Where ``quote`` is in ``text``: of its occurrences, the one nearest where it stood in the leader."""
    expected = span[0] * len(text) / max(1, leader_length)
    best: int | None = None
    position = text.find(quote)
    while position >= 0:
        if best is None or abs(position - expected) < abs(best - expected):
            best = position
        position = text.find(quote, position + 1)
    return None if best is None else (best, best + len(quote))


def _own_claims(copy: Copy, leader: _Leader, taken: list[Claim], extractor: OutletReader
                ) -> tuple[list[Claim], list[dict[str, Any]]]:
    """Claims and unplaced names of a near copy's own paragraphs (read only when it has some): sentences the leader
    lacks."""
    if not extra_paragraphs(copy.report.text, leader.text):
        return [], []
    extraction = extractor.run(copy.report, source_id=copy.source_id)
    have = {c.id for c in taken}
    own = [c for c in extraction.claims if c.quote not in leader.text and c.id not in have]
    ids = have | {c.id for c in own}
    names = []
    for candidate in map(candidate_dict, extraction.candidates):
        fresh = [(s, span) for s, span in zip(candidate["sentences"], candidate["spans"], strict=True)
                 if s not in leader.text]
        if fresh:
            names.append({**candidate, "sentences": [s for s, _ in fresh], "spans": [span for _, span in fresh]})
    return [c for c in own if not c.denies or c.denies in ids], names
