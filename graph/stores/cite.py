"""Claims and incidents as interfaces show them: with the display names of the entities they name and the reports
they cite.

The API's lists and the answers to questions (``graph.language.ask``) share this, so a claim or an incident
looks the same wherever it appears.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from graph.domain.incident_match import contradictions
from graph.domain.model import (
    ClaimOut,
    ClaimView,
    Incident,
    IncidentOut,
    IncidentReportOut,
    NamedRef,
    PerpetratorOut,
    PlaceOut,
    Source,
    SourceRef,
    TargetOut,
    date_precision,
)
from graph.domain.ontology import Ontology
from graph.stores.protocol import GraphStore


def source_ref(source: Source) -> SourceRef:
    """A report's citation, without its text."""
    return SourceRef(id=source.id, title=source.title, outlet=source.outlet, url=source.url,
                     published=source.published, reliability=source.reliability)


def _missing_source(source_id: str) -> SourceRef:
    # The stores refuse claims without their source, so this only guards a store mid-write.
    return SourceRef(id=source_id, title="", outlet=source_id, url=None, published=None, reliability=None)


def cite(store: GraphStore, claims: Sequence[ClaimView], names: Mapping[str, str] | None = None) -> list[ClaimOut]:
    """Claims with display names and citations: the entities and reports they name, read by id in two batches
    (one, when the caller has the display names already)."""
    if names is None:
        ends = {end for c in claims for end in (c.subject, c.object)}
        names = {e.id: e.name for e in store.get_entities(ends).values()}
    sources = store.source_refs({c.source for c in claims})
    return [
        ClaimOut(**c.model_dump(), subject_name=names.get(c.subject, c.subject),
                 object_name=names.get(c.object, c.object),
                 report=sources[c.source] if c.source in sources else _missing_source(c.source))
        for c in claims
    ]


def present(store: GraphStore, ontology: Ontology, incidents: Sequence[Incident]) -> list[IncidentOut]:
    """Incidents with the display names of the entities they name and a citation of each report: two batched
    reads, whatever the number of incidents."""
    names = {e.id: e.name for e in store.get_entities({i for incident in incidents for i in incident.entity_ids()}
                                                     ).values()}
    refs = store.source_refs({s for incident in incidents for s in incident.sources})
    return [incident_out(ontology, incident, names, refs) for incident in incidents]


def incident_out(ontology: Ontology, incident: Incident, names: Mapping[str, str],
                 refs: Mapping[str, SourceRef]) -> IncidentOut:
    """One incident as interfaces give it, from the names of its entities and the citations of its reports (what
    ``present`` reads from the store, or what ``kg extract`` has of a report not yet stored)."""
    place = incident.place
    spec = ontology.incident_types.get(incident.type)
    return IncidentOut(
        id=incident.id, type=incident.type, type_label=spec.label if spec else incident.type,
        date=incident.date, date_precision=date_precision(incident.date), end_date=incident.end_date,
        place=PlaceOut(id=place.id, name=place.name, gazetteer=place.gazetteer, precision=place.precision)
        if place else None,
        admin1=incident.admin1, admin1_code=incident.admin1_code,
        country=NamedRef(id=incident.country, name=names.get(incident.country, incident.country))
        if incident.country else None,
        location=incident.location,
        perpetrators=[PerpetratorOut(**p.model_dump(), name=names.get(p.id, p.id) if p.id else p.description or "",
                                     asserted_by_name=names.get(p.asserted_by, p.asserted_by)
                                     if p.asserted_by else None) for p in incident.perpetrators],
        targets=[TargetOut(**t.model_dump(), name=names.get(t.id, t.id) if t.id else t.description or "")
                 for t in incident.targets],
        killed=incident.killed, injured=incident.injured, abducted=incident.abducted,
        reports=[IncidentReportOut(**r.model_dump(), report=refs[r.source]) for r in incident.reports
                 if r.source in refs],
        corroboration=len(incident.sources), note=incident.note, confidence=incident.confidence,
        extracted_by=incident.extracted_by, history=incident.history,
        contradictions=contradictions(incident))
