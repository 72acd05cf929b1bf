"""Every failure as one JSON shape, ``{error, message, details}``, mapped here and nowhere else.

Domain errors carry their own HTTP status; FastAPI's request validation errors are
reshaped to name the parameter and what it accepts; an unexpected exception becomes a
plain 500 that reveals nothing of the internals (it is logged, without request secrets).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.schemas import ErrorBody
from graph.domain.errors import KgError

log = logging.getLogger("kg.api")


def _response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(ErrorBody.model_validate(body).model_dump(mode="json"), status_code=status, headers=headers)


PLAIN_DEPTH = 4  # levels of a refused structure echoed back; deeper ones are summarised


def _plain(value: Any, depth: int = 0) -> Any:
    """A value safe to put in JSON: what FastAPI echoes back may be bytes, an exception, a deep
    structure or text with lone surrogates (which JSON escapes can carry and UTF-8 cannot)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if value is None or isinstance(value, int | float | bool):
        return value
    if depth >= PLAIN_DEPTH and isinstance(value, list | tuple | dict):
        return f"<{type(value).__name__} of {len(value)} nested too deeply to show>"
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {_plain(str(k)): _plain(v, depth + 1) for k, v in value.items()}
    return _plain(str(value))


def error_response(exc: KgError) -> JSONResponse:
    """A domain error as the one error shape, with its HTTP status: the handler and the guards both answer so."""
    return _response(exc.http_status, {"error": exc.code, "message": _plain(exc.message),
                                       "details": _plain(exc.details)})


def _declared_bounds(request: Request, parameter: str) -> list[str]:
    """A numeric parameter's full range as declared on the route (``1..3``), for the message."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    for field in getattr(dependant, "query_params", []) if dependant is not None else []:
        if field.alias != parameter:
            continue
        low = next((m.ge for m in field.field_info.metadata if hasattr(m, "ge")), None)
        high = next((m.le for m in field.field_info.metadata if hasattr(m, "le")), None)
        if low is not None and high is not None:
            return [f"{low}..{high}"]
        if low is not None:
            return [f">= {low}"]
    return []


def _accepted(error: dict[str, Any], request: Request, parameter: str) -> list[str]:
    """What a parameter accepts, read from the constraint pydantic reports."""
    ctx = error.get("ctx") or {}
    declared = _declared_bounds(request, parameter) if {"ge", "gt", "le", "lt"} & set(ctx) else []
    if declared:
        return declared
    if "expected" in ctx:
        return [part.strip(" '\"") for part in str(ctx["expected"]).replace(" or ", ", ").split(",") if part.strip()]
    if "max_length" in ctx:
        return [f"at most {ctx['max_length']} characters"]
    bounds = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
    described = [f"{sign} {ctx[key]}" for key, sign in bounds.items() if key in ctx]
    if described:
        return described
    kind = str(error.get("type", ""))
    for prefix, meaning in (("int", "an integer"), ("float", "a number"), ("bool", "true or false")):
        if kind.startswith(prefix):
            return [meaning]
    return []


SHOWN_MAX = 200  # characters of a rejected value echoed back; a posted report can be megabytes
SHOWN_ITEMS = 20  # items of a rejected list or mapping echoed back


def _shown(value: Any) -> Any:
    """The rejected value as given, unless it is long: then the start of its text, marked cut."""
    if isinstance(value, list | tuple) and len(value) > SHOWN_ITEMS:
        value = [*value[:SHOWN_ITEMS], f"… {len(value) - SHOWN_ITEMS} more"]
    plain = _plain(value)
    text = plain if isinstance(plain, str) else repr(plain)
    return plain if len(text) <= SHOWN_MAX else text[:SHOWN_MAX] + "…"


def _reason(error: dict[str, Any]) -> str:
    # A validator's own message reads better without pydantic's "Value error, " in front of it.
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")


def validation_body(exc: RequestValidationError, request: Request) -> dict[str, Any]:
    """FastAPI's list of validation errors as the one error shape, led by the first parameter."""
    errors = [dict(e) for e in exc.errors()]
    first = errors[0] if errors else {}
    location = [str(part) for part in first.get("loc", ())]
    parameter = location[-1] if location else "request"
    value = _shown(first.get("input"))
    accepted = _accepted(first, request, parameter)
    message = f"{parameter}={value!r}: {_reason(first)}"
    if accepted:
        message += f" (accepted: {', '.join(accepted)})"
    return {
        "error": "invalid_parameter",
        "message": message,
        "details": {
            "parameter": parameter, "value": value, "accepted": accepted,
            "errors": [{"location": [str(p) for p in e.get("loc", ())], "message": _reason(e),
                        "value": _shown(e.get("input"))} for e in errors],
        },
    }


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the one error shape."""

    @app.exception_handler(KgError)
    def domain_error(request: Request, exc: KgError) -> JSONResponse:
        if exc.http_status >= 500:
            log.warning("%s %s: %s", request.method, request.url.path, exc.message)
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _response(422, validation_body(exc, request))

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {400: "invalid_body", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = str(exc.detail) if exc.status_code != 404 else f"no endpoint at {request.url.path}"
        return _response(exc.status_code, {"error": code, "message": message, "details": {}},
                         headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _response(500, {"error": "internal_error",
                               "message": "the server failed to answer; the error was logged", "details": {}})


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route may answer, all with the one shape."""
    meaning = {
        304: "Not modified: the If-None-Match ETag still holds.",
        400: "The body cannot be read: not UTF-8, not JSON, or nested too deeply.",
        401: "No X-API-Key header.",
        403: "The X-API-Key is not a configured key, or writes are disabled (no key configured).",
        404: "Not found; for entities, with did-you-mean suggestions.",
        409: "The name is an alias of several entities.",
        413: "The body is larger than KG_MAX_BODY_BYTES, or the report than KG_MAX_REPORT_CHARS.",
        415: "The body is not JSON.",
        422: "A parameter is invalid; the error names it and what it accepts.",
        503: "The store cannot be reached.",
    }
    return {s: ({"description": meaning[s]} if s == 304 else {"model": ErrorBody, "description": meaning[s]})
            for s in statuses}
