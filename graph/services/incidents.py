"""Incidents as the interfaces ask for them and give them: filters read from names, and the shapes analysts'
tools take (the incident with names beside ids, a GeoJSON FeatureCollection for maps, CSV in ACLED's columns).

``kg incidents`` and ``/v1/incidents`` both call these, so a filter means the same on the command line and over
HTTP, and an export is the same file whichever asked for it. Reads are by id and by one page of the store's
incident query; nothing here lists the store.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from graph.domain.dates import window
from graph.domain.errors import AmbiguousName, EntityNotFound, InvalidParameter
from graph.domain.gazetteer import load_gazetteer
from graph.domain.model import Entity, IncidentDetail, IncidentOut
from graph.domain.ontology import Ontology
from graph.stores.cite import cite, incident_out, present
from graph.stores.protocol import BoundingBox, ClaimQuery, GraphStore, IncidentQuery

# How an incident is shown lives with the claims' citations (the question reader shows incidents too); the
# interfaces keep importing it from here.
__all__ = ["ACLED_COLUMNS", "acled_csv", "detail", "geojson", "incident_out", "incident_query", "incident_types",
           "present"]

ACLED_COLUMNS = ("event_id", "event_date", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "actor2",
                 "country", "admin1", "location", "latitude", "longitude", "geo_precision", "source", "notes",
                 "fatalities")


def incident_types(ontology: Ontology, names: Iterable[str]) -> tuple[str, ...] | None:
    """Incident type keys from names or labels ("suicide bombing"), each with the types that refine it (asking for
    bombings finds suicide bombings too); ``InvalidParameter`` lists the types for a name that is none."""
    wanted = [ontology.incident_type(name).name for name in names]
    if not wanted:
        return None
    found: list[str] = []
    for name, spec in ontology.incident_types.items():
        chain, broader = {name}, spec.broader
        while broader is not None and broader not in chain:
            chain.add(broader)
            broader = ontology.incident_types[broader].broader
        if chain & set(wanted):
            found.append(name)
    return tuple(found)


def incident_query(store: GraphStore, ontology: Ontology, *, place: str | None = None, country: str | None = None,
                   bbox: str | None = None, since: str | None = None, until: str | None = None,
                   perpetrator: str | None = None, types: Iterable[str] = (), source: str | None = None,
                   limit: int = 50, offset: int = 0) -> IncidentQuery:
    """The store query for filters given as people give them: names or ids of a place, a country and a
    perpetrator, ``west,south,east,north`` for the box, ISO dates of any precision, type names.

    A place that is a state filters by country. A place entity matches incidents at it, at its gazetteer entry and,
    when that entry is a province, anywhere in the province. A name the graph has no entity for is looked up in the
    gazetteer (a town, district or province). ``InvalidParameter`` or ``EntityNotFound`` say what is wrong.
    """
    places: tuple[str, ...] | None = None
    country_id = _country(store, country) if country is not None else None
    if place is not None:
        entity = _place_entity(store, ontology, place)
        if entity is not None and entity.kind == "state":
            if country_id is not None and country_id != entity.id:
                raise InvalidParameter("place", place, f"is the country {entity.name}, not in {country}")
            country_id = entity.id
        else:
            places = _place_keys(store, entity, place)
    return IncidentQuery(
        places=places, country=country_id, bbox=BoundingBox.parse(bbox) if bbox is not None else None,
        window=window(since, until),
        perpetrator=_required(store, perpetrator).id if perpetrator is not None else None,
        types=incident_types(ontology, types), source=source, limit=limit, offset=offset)


def _entity(store: GraphStore, name: str, *, required: bool) -> Entity | None:
    try:
        return store.get_entity(name)
    except EntityNotFound:
        try:
            return store.resolve(name)
        except EntityNotFound:
            if required:
                raise
            return None


def _place_entity(store: GraphStore, ontology: Ontology, name: str) -> Entity | None:
    """The place or state a place filter names, or None to look the name up in the gazetteer: a name that stands
    for an actor ("Kabul", the government then or now) or for several is, as a place, the town of that name."""
    try:
        entity = _entity(store, name, required=False)
    except AmbiguousName:
        if load_gazetteer().resolve(name) is None:
            raise
        return None
    if entity is None or entity.kind in ontology.location_kinds:
        return entity
    spot = load_gazetteer().resolve(name)
    if spot is None or spot.kind == "country":
        raise InvalidParameter("place", name, f"{entity.name} is an entity of kind {entity.kind}, not a place")
    return None


def _required(store: GraphStore, name: str) -> Entity:
    entity = _entity(store, name, required=True)
    assert entity is not None  # required: EntityNotFound was raised otherwise
    return entity


def _country(store: GraphStore, name: str) -> str:
    entity = _required(store, name)
    if entity.kind != "state":
        raise InvalidParameter("country", name, f"{entity.name} is a {entity.kind}, not a state")
    return entity.id


def _place_keys(store: GraphStore, entity: Entity | None, name: str) -> tuple[str, ...]:
    """What a place filter matches for a place entity or a gazetteer name (see ``Incident.place_keys``); a name
    that is neither is ``EntityNotFound`` (with the registry's suggestions), as any unknown name is."""
    gazetteer = load_gazetteer()
    keys: list[str] = []
    found = None
    if entity is not None:
        keys.append(entity.id)
        found = gazetteer.get(entity.gazetteer) if entity.gazetteer else None
    else:
        found = gazetteer.get(name) or gazetteer.resolve(name)  # a key (geonames:1138958) or a name
        if found is None or found.kind == "country":  # a country the graph has no state entity for
            raise EntityNotFound(name, store.name_index().suggest(name))
    if found is not None:
        keys.append(found.key)
        if found.kind == "province" and found.admin1_code:
            keys.append(found.admin1_code)
    return tuple(dict.fromkeys(keys))


# --- what interfaces give --------------------------------------------------------------------------------------


def detail(store: GraphStore, ontology: Ontology, incident_id: str) -> IncidentDetail:
    """One incident with its claims (responsibility, blame, denial, the attack itself), read by the incident's id
    through the store's index, never by a listing; ``IncidentNotFound`` for an id the graph lacks."""
    shown = present(store, ontology, [store.get_incident(incident_id)])[0]
    claims = cite(store, store.claims(ClaimQuery(incident=incident_id)))
    return IncidentDetail(**shown.model_dump(), claims=claims)


def _fatalities(incident: IncidentOut) -> int:
    """One number for ACLED's fatalities column: the lowest figure stated, else the highest, else 0 (ACLED's
    value when no death is reported)."""
    killed = incident.killed
    if killed is None:
        return 0
    return killed.min if killed.min is not None else killed.max if killed.max is not None else 0


def _acting(incident: IncidentOut) -> list[str]:
    """The perpetrators' names, each once, leaving out those named only to be denied."""
    return list(dict.fromkeys(p.name for p in incident.perpetrators if p.basis != "denied"))


def geojson(incidents: Sequence[IncidentOut], *, count: int | None = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection: one Point per incident with coordinates, its main fields as properties.

    Incidents without coordinates cannot be points; they are listed by id in ``unlocated`` (a foreign member,
    which GeoJSON readers ignore), so a map says what it leaves out. ``count`` is how many match in all.
    """
    features = []
    for incident in incidents:
        if incident.location is None:
            continue
        features.append({
            "type": "Feature", "id": incident.id,
            "geometry": {"type": "Point", "coordinates": [incident.location.lon, incident.location.lat]},
            "properties": {
                "id": incident.id, "type": incident.type, "type_label": incident.type_label, "date": incident.date,
                "date_precision": incident.date_precision, "end_date": incident.end_date,
                "place": incident.place.name if incident.place else None, "admin1": incident.admin1,
                "country": incident.country.name if incident.country else None,
                "precision": incident.location.precision,
                "perpetrators": _acting(incident),
                "killed_min": incident.killed.min if incident.killed else None,
                "killed_max": incident.killed.max if incident.killed else None,
                "injured_min": incident.injured.min if incident.injured else None,
                "injured_max": incident.injured.max if incident.injured else None,
                "fatalities": _fatalities(incident), "corroboration": incident.corroboration,
                "sources": list(dict.fromkeys(r.source for r in incident.reports)),
            },
        })
    return {"type": "FeatureCollection", "features": features,
            "count": len(incidents) if count is None else count,
            "unlocated": [i.id for i in incidents if i.location is None]}


def acled_csv(incidents: Sequence[IncidentOut], ontology: Ontology) -> str:
    """Incidents as CSV in ACLED's columns (``ACLED_COLUMNS``), one row each, in the order given.

    ``actor1`` is the first perpetrator on any basis but a denial, ``assoc_actor_1`` the others; ``actor2`` the
    targets; ``source`` the outlets of its reports; ``notes`` the incident's note, else its first report's quote;
    ``geo_precision`` ACLED's code for the location's precision (1 town, 2 district, 3 province or country).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ACLED_COLUMNS)
    for incident in incidents:
        spec = ontology.incident_types.get(incident.type)
        location = incident.location
        precision = ontology.location_precisions.get(location.precision or "") if location else None
        actors = _acting(incident)
        writer.writerow([
            incident.id, incident.date or "", spec.acled.event_type if spec else "",
            spec.acled.sub_event_type if spec else "", actors[0] if actors else "", "; ".join(actors[1:]),
            "; ".join(t.name for t in incident.targets), incident.country.name if incident.country else "",
            incident.admin1 or "", incident.place.name if incident.place else "",
            location.lat if location else "", location.lon if location else "",
            precision.geo_precision if precision else "",
            "; ".join(dict.fromkeys(r.report.outlet for r in incident.reports)),
            incident.note or (incident.reports[0].quote if incident.reports else ""), _fatalities(incident),
        ])
    return buffer.getvalue()
