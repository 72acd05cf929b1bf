"""The OpenAPI schema, made exact where the accepted values come from data, not code.

Relation types, categories, statuses and entity kinds live in the ontology file, and the
largest page in the settings; the route signatures cannot name them, so they are written
into the generated schema here. Clients (and schemathesis) then see exactly which values
are accepted. The server stays lenient where the schema is strict: it also takes
comma-separated lists and any letter case.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.api.guards import KEY_HEADER, is_keyed
from app.settings import Settings
from graph.domain.inputs import NAME_PATTERN, PARAMETER_PATTERN
from graph.domain.ontology import Ontology

# YYYY, YYYY-MM or YYYY-MM-DD with a real month and a day every month has; empty means open.
# (Days 29-31 are accepted by the server where they exist; the schema stays on the safe side.)
DATE_PATTERN = r"^([0-9]{3}[1-9](-(0[1-9]|1[0-2])(-(0[1-9]|1[0-9]|2[0-8]))?)?)?$"
NAME_PARAMETERS = {"subject", "object", "actor", "center", "source", "target", "location", "asserted_by", "place",
                   "via", "country", "perpetrator"}
# A box of west,south,east,north degrees (app.api.routes.incidents); that south is not north of north the schema
# cannot say, and the server refuses.
_LON = r"-?(180(\.0+)?|(1[0-7][0-9]|[0-9]{1,2})(\.[0-9]+)?)"
_LAT = r"-?(90(\.0+)?|[0-8]?[0-9](\.[0-9]+)?)"
BBOX_PATTERN = rf"^{_LON},{_LAT},{_LON},{_LAT}$"
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def _constrain(parameter: dict[str, Any], ontology: Ontology, settings: Settings, path: str = "") -> None:
    name, schema = parameter["name"], parameter.get("schema", {})
    items = next((option for option in schema.get("anyOf", [schema]) if option.get("type") == "array"), None)
    incidents = path.startswith("/v1/incidents")
    if incidents and name == "type" and items is not None:
        items["items"] = {"type": "string", "enum": sorted(ontology.incident_types)}
    elif incidents and name == "id" and items is not None:
        items["items"] = {"type": "string", "pattern": SLUG_PATTERN}
    elif name == "ids" and items is not None:
        # claim ids (GET /v1/claims/evidence): plain text, as app.api.dependencies.plain_parameters admits it
        items["items"] = {"type": "string", "pattern": PARAMETER_PATTERN}
    elif name == "bbox":
        parameter["schema"] = {"type": "string", "pattern": BBOX_PATTERN}
    elif name in ("types", "type", "via_types") and items is not None:
        items["items"] = {"type": "string", "enum": sorted(ontology.relation_types) + sorted(ontology.categories)}
    elif name in ("status", "statuses") and items is not None:
        items["items"] = {"type": "string", "enum": list(ontology.statuses)}
    elif name in ("kind", "kinds", "via_kinds") and items is not None:
        items["items"] = {"type": "string", "enum": list(ontology.entity_kinds)}
    elif name == "kind":
        parameter["schema"] = {"type": "string", "enum": list(ontology.entity_kinds)}
    elif name in ("since", "until"):
        parameter["schema"] = {"type": "string", "pattern": DATE_PATTERN}
    elif name == "limit":
        schema["maximum"] = settings.max_page_size
    else:
        text: dict[str, Any] | None = next(
            (option for option in schema.get("anyOf", [schema]) if option.get("type") == "string"), None)
        if text is None or "enum" in text or "pattern" in text:
            return
        named = name in NAME_PARAMETERS and parameter["in"] == "query"
        # app.api.dependencies.plain_parameters refuses exactly what these patterns exclude.
        parameter["schema"] = {**text, "type": "string", "pattern": NAME_PATTERN if named else PARAMETER_PATTERN}


def _bound_reports(schema: dict[str, Any], settings: Settings) -> None:
    """The longest report accepted is a setting, so the body schema learns it here."""
    fields = schema.get("components", {}).get("schemas", {}).get("ReportIn", {}).get("properties", {})
    for name in ("text", "html"):
        for option in fields.get(name, {}).get("anyOf", []):
            if option.get("type") == "string":
                option["maxLength"] = settings.max_report_chars


def _declare_keys(schema: dict[str, Any], settings: Settings) -> None:
    """Mark the operations app.api.guards keys, by the same rule it applies, with the one key scheme."""
    keyed = False
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if is_keyed(method, path, settings):
                keyed = True
                operation["security"] = [{"APIKey": []}]
                for status, meaning in (("401", "No X-API-Key header."),
                                        ("403", "The X-API-Key is not a configured key.")):
                    operation.setdefault("responses", {}).setdefault(status, {
                        "description": meaning,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}})
    if keyed:
        schema.setdefault("components", {}).setdefault("securitySchemes", {})["APIKey"] = {
            "type": "apiKey", "in": "header", "name": KEY_HEADER,
            "description": "One of KG_API_KEYS (writes), or of KG_READ_KEYS (reads, when set)."}


def install(app: FastAPI, ontology: Ontology, settings: Settings) -> None:
    """Replace the app's schema builder with one that writes in the ontology's vocabularies."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            for route, path in schema["paths"].items():
                for operation in path.values():
                    for parameter in operation.get("parameters", []):
                        _constrain(parameter, ontology, settings, route)
            _bound_reports(schema, settings)
            _declare_keys(schema, settings)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
