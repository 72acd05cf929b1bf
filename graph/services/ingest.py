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

The incidents the extractor reads from a report are placed among those the store holds
(``graph.services.incident_merge.place_incidents``): a report of an incident already told by another outlet joins
it, found by the store's incident query by country and date window; the claims follow their incident's id, and
each merge is recorded in the decisions log once the write has succeeded.

A claim that names a candidate entity (an actor the registry lacks, ``Extraction.entities``) never goes into
the graph at ingest, whatever the flags: it is staged with its candidate entities (each claim's ``waits_on`` lists them)
for an analyst to accept, merge or reject (``graph.services.actor_review``). ``ingest_many`` stages them too when
given the staging file, and otherwise holds them back and counts them (``IngestResult.held``). The decisions taken
in review are reapplied first (given ``verdicts``): a name accepted or merged before is its entity, and its claims
load directly; a claim naming a rejected actor is discarded and counted (``IngestResult.reviewed``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.domain.errors import ExtractionInputError
from graph.domain.model import Incident, UpsertResult
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Candidate, ClaimExtractor, Extraction, outlet_name
from graph.language.extract.text import ReportInput
from graph.services.actor_review import Reapplied, Verdicts, reapply
from graph.services.incident_merge import DecisionLog, Placement, place_incidents, repoint_claims
from graph.services.loader import Record, Records
from graph.services.records import claim_record, incident_record, load_report_records, report_records, source_record
from graph.services.review import Staging
from graph.stores.protocol import GraphStore


@dataclass
class IngestResult:
    """What one ingest did: the report, its claims and candidates, the incidents it told (as placed among the
    store's: ``placed`` says, per incident, whether it is new or joined one), what was written or staged."""

    source_id: str
    extraction: Extraction
    written: UpsertResult | None
    staged: int
    incidents: list[Incident] | None = None
    placed: list[str] | None = None
    staged_entities: int = 0  # candidate entities staged with the claims that name them
    held: int = 0  # claims naming candidate entities, neither loaded nor staged (no staging file was given)
    reviewed: Reapplied | None = None  # what the review's recorded decisions did to the claims

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source_id, "claims": [c.model_dump() for c in self.extraction.claims],
                "entities": [e.as_dict() for e in self.extraction.entities],
                "candidates": [candidate_dict(c) for c in self.extraction.candidates],
                "incidents": [i.model_dump(mode="json", exclude_none=True) for i in self.incidents or []],
                "placed": self.placed or [],
                "written": self.written.model_dump() if self.written else None, "staged": self.staged,
                "staged_entities": self.staged_entities, "held": self.held,
                "reviewed": {"resolved": self.reviewed.resolved if self.reviewed else {},
                             "rejected": sorted(self.reviewed.rejected.values()) if self.reviewed else [],
                             "discarded": self.reviewed.discarded if self.reviewed else 0}}


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


def _records_of(report: ReportInput, extraction: Extraction, placement: Placement | None = None
                ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The report's metadata, its claims (with the incident ids placing gave) and the outlet entity it brings (if
    the registry lacks it)."""
    meta = source_record(report, extraction.source_id, extraction.outlet)
    placed = repoint_claims(extraction.claims, placement.ids) if placement is not None else extraction.claims
    claims = [{**claim_record(c), "source": extraction.source_id} for c in placed]
    outlet = outlet_record(report, extraction)
    return meta, claims, [outlet] if outlet is not None else []


def _incident_records(placement: Placement, origin: str) -> list[Record]:
    return [Record(incident_record(i), origin, f"incidents[{n}]") for n, i in enumerate(placement.incidents.values())]


def _waiting(extraction: Extraction, records: list[dict[str, Any]], reapplied: Reapplied
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The claim records that can load, those that name candidate entities (each with ``waits_on``), and those
    entities as staged (each with the ids of its claims).

    The review's recorded decisions come first (``reapplied``): a candidate accepted or merged before is its entity's
    id, and a claim naming a rejected one is discarded (``reapplied.discarded`` counts them)."""
    resolved, rejected = reapplied.resolved, reapplied.rejected
    pending = [e for e in extraction.entities if e.id not in resolved and e.id not in rejected]
    candidates = {e.id for e in pending}
    free, waiting = [], []
    for given in records:
        record = {**given, **{k: resolved[given[k]] for k in ("subject", "object", "asserted_by")
                              if given[k] in resolved}}
        ends = list(dict.fromkeys((record["subject"], record["object"], record["asserted_by"])))
        if any(e in rejected for e in ends):
            reapplied.discarded += 1
            continue
        names = [e for e in ends if e in candidates]
        if names:
            waiting.append({**record, "waits_on": names})
        else:
            free.append(record)
    entities = [{**e.as_dict(), "claims": [r["id"] for r in waiting if e.id in r["waits_on"]]} for e in pending]
    return free, waiting, entities


def ingest(report: ReportInput, store: GraphStore, ontology: Ontology, *, extractor: ClaimExtractor,
           review: bool = False, staging: Path | None = None, min_confidence: float | None = None,
           extraction: Extraction | None = None, decisions: DecisionLog | None = None,
           verdicts: Verdicts | None = None) -> IngestResult:
    """Extract a report's claims and load them with the report, or stage them for review.

    With ``review`` every claim is staged; with ``min_confidence`` the claims below it are staged
    and the rest loaded. The report itself is always loaded (staged claims need their source),
    and so is its outlet when the registry lacks it, as an organization. ``extraction`` is the
    report already extracted (many reports are parsed together, in batches). The report's incidents are
    placed among the store's (``decisions``: the log the merges are recorded in; none keeps them unrecorded).
    ``verdicts`` are the review's decisions on candidate entities, reapplied to the actors the report names.
    """
    extraction = extraction or extractor.run(report)
    source_id = extraction.source_id
    log = decisions or DecisionLog(None)
    placement = place_incidents(store, ontology, extraction.incidents, log, published={source_id: report.published},
                                by="kg ingest")
    meta, records, entities = _records_of(report, extraction, placement)
    reviewed = reapply(extraction.entities, verdicts or Verdicts(), store)
    records, naming, candidates = _waiting(extraction, records, reviewed)
    kept, waiting = records, []
    if review or min_confidence is not None:
        if staging is None:
            raise ExtractionInputError("staging claims for review needs a staging file")
        threshold = 2.0 if review else float(min_confidence or 0.0)
        kept = [r for r in records if r["confidence"] >= threshold]
        waiting = [r for r in records if r["confidence"] < threshold]
    held = 0
    if staging is not None:
        waiting += naming
    else:
        held = len(naming)  # no queue to stage them in: neither loaded nor dropped silently
    # The report is loaded with what is kept (and its outlet), so that staged claims accepted later have
    # their source; staging comes after the load, so a load that fails stages nothing.
    part = report_records([(meta, report.text)], kept, report.origin,
                          [*_new_entities(store, entities), *reviewed.entities])
    part.incidents = _incident_records(placement, report.origin)
    written = load_report_records(store, ontology, part)
    log.append(placement.decisions)
    store.keep_candidates({source_id: [candidate_dict(c) for c in extraction.candidates]})
    added = Staging(staging).add(meta, report.text, waiting, candidates if naming else []) \
        if waiting and staging is not None else 0
    return IngestResult(source_id, extraction, written, added, list(placement.incidents.values()), placement.said,
                        len(candidates) if naming and staging else 0, held, reviewed)


@dataclass
class IngestedMany:
    """What one ``ingest_many`` did: each report's extraction, and the one write that loaded them all."""

    reports: list[IngestResult]
    written: UpsertResult


def ingest_many(reports: Sequence[ReportInput], store: GraphStore, ontology: Ontology, *,
                extractor: ClaimExtractor, processes: int = 1, decisions: DecisionLog | None = None,
                source_ids: Sequence[str | None] | None = None, staging: Path | None = None,
                verdicts: Verdicts | None = None) -> IngestedMany:
    """Extract a batch of reports and load them with their claims as one all-or-nothing write.

    Every report is extracted and every record checked before anything is written; a claim the
    loader refuses in any of them writes none of them, and the error names the report it comes from.
    The reports' incidents are placed together: reports of one incident in the batch make one incident.
    Claims naming candidate entities are staged with them after the write (given ``staging``), or held
    back and counted.
    """
    records = Records()
    results = []
    outlets: dict[str, dict[str, Any]] = {}
    accepted: dict[str, dict[str, Any]] = {}  # entities accepted in review that the graph lacks (reloaded since)
    stage: list[tuple[dict[str, Any], str, list[dict[str, Any]], list[dict[str, Any]]]] = []
    extractions = extractor.run_many(reports, n_process=processes, source_ids=source_ids)
    log = decisions or DecisionLog(None)
    placement = place_incidents(store, ontology, [i for e in extractions for i in e.incidents], log,
                                published={e.source_id: r.published for r, e in zip(reports, extractions, strict=True)},
                                by="kg ingest")
    for report, extraction in zip(reports, extractions, strict=True):
        meta, claims, entities = _records_of(report, extraction, placement)
        reviewed = reapply(extraction.entities, verdicts or Verdicts(), store)
        claims, naming, candidates = _waiting(extraction, claims, reviewed)
        part = report_records([(meta, report.text)], claims, report.origin)
        records.sources += part.sources
        records.claims += part.claims
        outlets.update({e["id"]: e for e in entities})  # one entity for an outlet many reports share
        accepted.update({e["id"]: e for e in reviewed.entities})
        mine = [placement.ids[(extraction.source_id, i.id)] for i in extraction.incidents
                if (extraction.source_id, i.id) in placement.ids]
        results.append(IngestResult(extraction.source_id, extraction, None, 0,
                                    [placement.incidents[i] for i in dict.fromkeys(mine) if i in placement.incidents],
                                    [line for line in placement.said if f"({extraction.source_id}):" in line],
                                    0, 0 if staging else len(naming), reviewed))
        if naming:
            stage.append((meta, report.text, naming, candidates))
    records.entities = [Record(e, "ingest", f"entities[{i}]")
                        for i, e in enumerate([*_new_entities(store, list(outlets.values())), *accepted.values()])]
    records.incidents = _incident_records(placement, "ingest")
    written = load_report_records(store, ontology, records)
    log.append(placement.decisions)
    store.keep_candidates({r.source_id: [candidate_dict(c) for c in r.extraction.candidates] for r in results})
    if staging is not None:
        by_source = {r.source_id: r for r in results}
        for meta, text, naming, candidates in stage:
            result = by_source[meta["id"]]
            result.staged = Staging(staging).add(meta, text, naming, candidates)
            result.staged_entities = len(candidates)
    return IngestedMany(results, written)
