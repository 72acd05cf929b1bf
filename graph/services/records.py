"""Reports, claims and new entities as loader records: what a bundle on disk would hold, built in memory
by ingest and by the review queue alike, and loaded through the loader's one set of checks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from graph.domain.model import Claim, Incident, UpsertResult
from graph.domain.ontology import Ontology
from graph.language.extract.text import ReportInput
from graph.services.loader import Record, Records, load_records
from graph.stores.protocol import GraphStore

CLAIM_KEYS = ("id", "subject", "type", "object", "quote", "span", "status", "asserted_by", "date", "end_date",
              "location", "confidence", "extracted_by", "incident", "note", "denies")


def claim_record(claim: Claim) -> dict[str, Any]:
    """A claim in the curated-claims file format (fields left empty are left out)."""
    data = claim.model_dump()
    record = {k: data[k] for k in CLAIM_KEYS if data.get(k) is not None}
    record["span"] = list(claim.span)
    return record


def incident_record(incident: Incident) -> dict[str, Any]:
    """An incident in the bundle's ``incidents.yaml`` format (fields left empty are left out)."""
    record = incident.model_dump(mode="json", exclude_none=True)
    for key in ("perpetrators", "targets", "history"):
        if not record.get(key):
            record.pop(key, None)
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


def load_report_records(store: GraphStore, ontology: Ontology, records: Records) -> UpsertResult:
    """Load report records all-or-nothing (the checks a curated bundle passes), returning what changed."""
    _, result = load_records(records, store, ontology)
    assert result is not None
    return result
