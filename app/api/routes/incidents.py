"""Incidents: what happened, where, when, by whose account, to whom, and who reports it; as JSON, as GeoJSON for
maps and dashboards, and as CSV in ACLED's columns."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from app.api.dependencies import (
    NAME_MAX,
    Config,
    LimitQuery,
    OffsetQuery,
    SinceQuery,
    Store,
    UntilQuery,
    Vocabulary,
    check_page,
)
from app.api.errors import error_responses
from app.api.schemas import Page
from app.settings import Settings
from app.usecases.filters import split
from graph.domain.errors import InvalidParameter
from graph.domain.model import IncidentDetail, IncidentOut
from graph.domain.ontology import Ontology
from graph.services.analysis import Timeline, timeline_from
from graph.services.incidents import acled_csv, detail, geojson, incident_query, present
from graph.stores.base import timeline_of_incidents
from graph.stores.protocol import GraphStore, IncidentQuery, incident_matches, newest_first

router = APIRouter(prefix="/v1/incidents", tags=["incidents"])

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

GEOJSON = "application/geo+json"
CSV = "text/csv; charset=utf-8"
Format = Literal["json", "geojson", "csv"]

PlaceQuery = Annotated[str | None, Query(max_length=NAME_MAX, description=(
    "A place or country (id, name or alias, or a gazetteer name such as Achin); a province takes in its towns and "
    "districts, a state filters by country."))]
CountryQuery = Annotated[str | None, Query(max_length=NAME_MAX, description="A country: id, name or alias.")]
BboxQuery = Annotated[str | None, Query(max_length=200, description=(
    "Only incidents inside west,south,east,north (degrees, GeoJSON's order; west > east crosses the antimeridian)."))]
PerpetratorQuery = Annotated[str | None, Query(max_length=NAME_MAX, description=(
    "Said to be done by this actor, on any basis but a denial: id, name or alias."))]
TypeQuery = Annotated[list[str] | None, Query(description=(
    "Incident types (bombing, suicide_bombing, airstrike, …), repeated or comma-separated; a type takes in the "
    "types that refine it."))]
SourceQuery = Annotated[str | None, Query(max_length=NAME_MAX, description="Only incidents told by this report id.")]
IdQuery = Annotated[list[str] | None, Query(description=(
    "Only these incidents (ids, repeated or comma-separated; as many as the page holds): one batched read, "
    "as the explorer asks for the incidents of the claims it shows."))]

_FILES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The incidents: a page in the JSON envelope, a GeoJSON FeatureCollection, or ACLED-like CSV.",
          "content": {"application/json": {}, GEOJSON: {"schema": {"type": "object"}},
                      "text/csv": {"schema": {"type": "string"}}}},
    **error_responses(304, 404, 409, 422, 503),
}


def _query(store: GraphStore, ontology: Ontology, settings: Settings, *, place: str | None, country: str | None,
           bbox: str | None, since: str | None, until: str | None, perpetrator: str | None, type: list[str] | None,
           source: str | None, limit: int, offset: int) -> IncidentQuery:
    check_page(settings, limit)
    if source is not None:
        store.get_source(source)  # an unknown report id is an error, not an empty list
    return incident_query(store, ontology, place=place, country=country, bbox=bbox, since=since, until=until,
                          perpetrator=perpetrator, types=split("type", type, list(ontology.incident_types)),
                          source=source, limit=limit, offset=offset)


def _geojson(store: GraphStore, ontology: Ontology, query: IncidentQuery) -> Response:
    found = present(store, ontology, store.incidents(query))
    document = geojson(found, count=store.count_incidents(query))
    return Response(json.dumps(document, ensure_ascii=False), media_type=GEOJSON)


@router.get("", response_model=Page[IncidentOut], responses=_FILES)
def read_incidents(
    store: Store, settings: Config, ontology: Vocabulary, place: PlaceQuery = None, country: CountryQuery = None,
    bbox: BboxQuery = None, since: SinceQuery = None, until: UntilQuery = None, perpetrator: PerpetratorQuery = None,
    type: TypeQuery = None, source: SourceQuery = None, id: IdQuery = None, limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
    format: Annotated[Format, Query(description=(
        "json (the page in the envelope), geojson (a FeatureCollection of points), csv (ACLED's columns)."))
    ] = "json",
) -> Page[IncidentOut] | Response:
    """Incidents matching every filter, newest first, each with its reports and their quotes."""
    query = _query(store, ontology, settings, place=place, country=country, bbox=bbox, since=since, until=until,
                   perpetrator=perpetrator, type=type, source=source, limit=limit, offset=offset)
    if id is not None:
        return _by_id(store, ontology, query, _ids(id), format)
    if format == "geojson":
        return _geojson(store, ontology, query)
    found = present(store, ontology, store.incidents(query))
    if format == "csv":
        return Response(acled_csv(found, ontology), media_type=CSV,
                        headers={"Content-Disposition": 'inline; filename="incidents.csv"'})
    return Page[IncidentOut](data=found, count=store.count_incidents(query), limit=limit, offset=offset)


def _ids(values: list[str]) -> list[str]:
    """Incident ids, repeated or comma-separated, each checked to be a slug before any read."""
    wanted = split("id", values, [])
    for value in wanted:
        if not SLUG.match(value):
            raise InvalidParameter("id", value, "is no incident id (a lowercase slug: letters, digits, hyphens)")
    return wanted


def _by_id(store: GraphStore, ontology: Ontology, query: IncidentQuery, ids: list[str],
           format: Format) -> Page[IncidentOut] | Response:
    """The incidents with these ids that exist and pass the filters, newest first: one batched read by id."""
    if len(ids) > query.limit:
        raise InvalidParameter("id", ",".join(ids[:3]) + ",…", f"at most {query.limit} ids (the page's limit)")
    matching = sorted((i for i in store.get_incidents(ids).values() if incident_matches(i, query)), key=newest_first)
    found = present(store, ontology, matching[query.offset:query.offset + query.limit])
    if format == "geojson":
        return Response(json.dumps(geojson(found, count=len(matching)), ensure_ascii=False), media_type=GEOJSON)
    if format == "csv":
        return Response(acled_csv(found, ontology), media_type=CSV)
    return Page[IncidentOut](data=found, count=len(matching), limit=query.limit, offset=query.offset)


@router.get(".geojson", response_class=Response, responses={
    200: {"description": "A GeoJSON FeatureCollection of the incidents with coordinates; `unlocated` lists the "
                         "ids of those without, `count` how many match in all.",
          "content": {GEOJSON: {"schema": {"type": "object"}}}},
    **error_responses(304, 404, 409, 422, 503)})
def read_incidents_geojson(
    store: Store, settings: Config, ontology: Vocabulary, place: PlaceQuery = None, country: CountryQuery = None,
    bbox: BboxQuery = None, since: SinceQuery = None, until: UntilQuery = None, perpetrator: PerpetratorQuery = None,
    type: TypeQuery = None, source: SourceQuery = None, limit: LimitQuery = 50, offset: OffsetQuery = 0,
) -> Response:
    """Incidents matching every filter as a GeoJSON FeatureCollection of points, for maps and dashboards."""
    query = _query(store, ontology, settings, place=place, country=country, bbox=bbox, since=since, until=until,
                   perpetrator=perpetrator, type=type, source=source, limit=limit, offset=offset)
    return _geojson(store, ontology, query)


@router.get("/timeline", response_model=Timeline, responses=error_responses(304, 404, 409, 422, 503))
def read_incident_timeline(
    store: Store, settings: Config, ontology: Vocabulary, place: PlaceQuery = None, country: CountryQuery = None,
    bbox: BboxQuery = None, since: SinceQuery = None, until: UntilQuery = None, perpetrator: PerpetratorQuery = None,
    type: TypeQuery = None, source: SourceQuery = None, id: IdQuery = None,
    interval: Annotated[Literal["year", "month", "day"], Query(description="Size of each period.")] = "month",
) -> Timeline:
    """Incidents matching every filter counted per year, month or day of their date and by type, counted in the
    store: a chart of every incident needs no page of them (those dated more coarsely, or undated, apart). With
    ``id``, only those incidents (read by id, as many as a page holds): the explorer's share of a bar that the
    claims in its graph are about."""
    query = _query(store, ontology, settings, place=place, country=country, bbox=bbox, since=since, until=until,
                   perpetrator=perpetrator, type=type, source=source, limit=settings.max_page_size, offset=0)
    if id is None:
        return timeline_from(store.incident_timeline(query, interval))
    wanted = _ids(id)
    if len(wanted) > query.limit:
        raise InvalidParameter("id", ",".join(wanted[:3]) + ",…", f"at most {query.limit} ids (a page's limit)")
    matching = [i for i in store.get_incidents(wanted).values() if incident_matches(i, query)]
    return timeline_from(timeline_of_incidents(matching, interval))


@router.get("/{id}", response_model=IncidentDetail, responses=error_responses(304, 404, 503))
def read_incident(id: str, store: Store, ontology: Vocabulary) -> IncidentDetail:
    """One incident: where, when, who by whose account, whom, casualties, each report with its quote, and the
    claims about it (the attack, responsibility, blame, denials)."""
    return detail(store, ontology, id)
