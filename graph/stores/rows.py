"""Records as property rows: what the Neo4j store writes and what the admin CSV export writes, kept
in one place so that a graph imported by ``neo4j-admin`` holds exactly what the store would have written."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from graph.domain.dates import parse_optional
from graph.domain.model import Claim, Entity, Incident, Source
from graph.domain.ontology import Ontology
from graph.stores.base import fingerprint, fingerprint_of


def entity_row(entity: Entity, ontology: Ontology, revision: int | None, load: str | None) -> dict[str, Any]:
    """An entity as the store writes it: its id, its kind's label and its node properties (also what
    ``graph.services.export.admin_csv`` writes)."""
    properties: dict[str, Any] = {
        "id": entity.id, "name": entity.name, "kind": entity.kind,
        "aliases": [alias.name for alias in entity.aliases],
    }
    for key in ("description", "parent", "parent_relation", "source", "gazetteer"):
        if getattr(entity, key) is not None:
            properties[key] = getattr(entity, key)
    if any(alias.valid_from or alias.valid_until or alias.note for alias in entity.aliases):
        # Neo4j properties cannot hold maps; the windows and notes travel as JSON.
        properties["alias_details"] = json.dumps([a.model_dump(exclude_none=True) for a in entity.aliases],
                                                 ensure_ascii=False)
    properties["fp"] = fingerprint(entity)
    if revision is not None:
        properties["rev"] = revision
    if load is not None:
        properties["load"] = load
    return {"id": entity.id, "label": ontology.entity_kinds[entity.kind].label, "properties": properties}


def source_row(source: Source, load: str | None) -> dict[str, Any]:
    """A source's node properties as the store writes them (also what ``graph.services.export.admin_csv`` writes)."""
    row = source.model_dump(exclude_none=True)
    row["fp"] = fingerprint(source)
    if load is not None:
        row["load"] = load
    return row


def claim_row(claim: Claim, load: str | None) -> dict[str, Any]:
    """A claim as the store writes it: its ends, type, source, relationship properties and fingerprint (also what
    ``graph.services.export.admin_csv`` writes, so a graph imported by neo4j-admin holds the same properties)."""
    properties = claim.model_dump(exclude_none=True, exclude={"subject", "type", "object"})
    properties["span"] = list(claim.span)
    # The days a claim's dates cover, at their precision: what lets Cypher filter date windows.
    happened_from, happened_to = _days(claim.date, claim.end_date)
    if happened_from is not None:
        properties["happened_from"] = happened_from
    if happened_to is not None:
        properties["happened_to"] = happened_to
    if load is not None:
        properties["load"] = load
    return {"subject": claim.subject, "type": claim.type, "object": claim.object, "source": claim.source,
            "properties": properties, "load": load, "fp": fingerprint(claim)}


@lru_cache(maxsize=65_536)
def _days(date: str | None, end_date: str | None) -> tuple[str | None, str | None]:
    """The first and last day a claim's dates cover, as ISO days. Cached: a million claims carry a few thousand
    distinct dates, and parsing them again was a tenth of the time a load spends building rows."""
    first = parse_optional(date)
    last = parse_optional(end_date) or first
    return (first.start.isoformat() if first else None, last.end.isoformat() if last else None)


def incident_row(incident: Incident, load: str | None) -> dict[str, Any]:
    """An incident as the Neo4j store writes it: node properties (the columns its filters read, and the whole record
    as JSON in ``body``, since Neo4j properties cannot hold its nested parts) and the ids its links go to."""
    body = incident.model_dump_json(exclude_none=True)
    first = parse_optional(incident.date)
    last = parse_optional(incident.end_date) or first
    properties: dict[str, Any] = {
        "id": incident.id, "type": incident.type, "date": incident.date, "end_date": incident.end_date,
        "happened_from": first.start.isoformat() if first else None,
        "happened_to": last.end.isoformat() if last else None,
        "place": incident.place.name if incident.place else None, "admin1": incident.admin1,
        "country": incident.country,
        "lat": incident.location.lat if incident.location else None,
        "lon": incident.location.lon if incident.location else None,
        "killed": _figure(incident.killed), "injured": _figure(incident.injured),
        "places": sorted(incident.place_keys()), "perpetrators": sorted(incident.perpetrator_ids()),
        "sources": incident.sources, "body": body, "fp": fingerprint_of(body), "load": load,
    }
    return {
        "id": incident.id, "properties": {k: v for k, v in properties.items() if v is not None},
        "reports": [{"source": r.source, "quote": r.quote, "span": list(r.span)} for r in incident.reports],
        "perpetrators": [{"id": p.id, "basis": p.basis, "asserted_by": p.asserted_by, "role": p.role}
                         for p in incident.perpetrators if p.id is not None],
        "targets": sorted({t.id for t in incident.targets if t.id is not None}),
        "place": incident.place.id if incident.place else None, "country": incident.country,
    }


def _figure(count: object) -> int | None:
    """One number for a stated figure, for Browser captions: the lowest stated, else the highest."""
    low, high = getattr(count, "min", None), getattr(count, "max", None)
    return low if low is not None else high
