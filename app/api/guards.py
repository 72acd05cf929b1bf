"""The two checks every request passes before any route runs: its key, then its body.

Both are ASGI middleware rather than route dependencies because FastAPI reads and parses
a request's body before it solves a route's dependencies: a key checked in a dependency
is checked after an anonymous caller has already been told what was wrong with their
body. Here the key is checked on the headers alone, then the body is read under a size
limit (``Content-Length`` first, then the bytes as they stream in) and checked to be
UTF-8 JSON of a sane depth, and only then does the application see it. A write endpoint
added later is keyed by construction: the rule is the method, not a list of routes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import error_response
from app.settings import Settings
from graph.domain.errors import (
    Forbidden,
    InputTooLarge,
    InvalidBody,
    KgError,
    Unauthorized,
    UnsupportedMediaType,
    WritesDisabled,
)

KEY_HEADER = "X-API-Key"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_PREFIX = "/v1/"
# No request of this API nests deeper than a few levels; 32 leaves room and keeps every
# recursive step after parsing (validation, error messages) far from Python's limit.
MAX_JSON_DEPTH = 32


def is_write(method: str) -> bool:
    """Whether a request of this method may change the graph, and so needs a write key."""
    return method.upper() not in SAFE_METHODS


def is_keyed(method: str, path: str, settings: Settings) -> bool:
    """Whether a request needs an ``X-API-Key``: every write, and reads under /v1 when KG_READ_KEYS is set."""
    return is_write(method) or (bool(settings.read_keys) and path.startswith(READ_PREFIX))


def _digest(key: str | bytes) -> bytes:
    # Compared as fixed-length digests, so neither the comparison nor its length says anything about a key.
    return hashlib.sha256(key.encode("utf-8") if isinstance(key, str) else key).digest()


def _matches(given: bytes, keys: Sequence[bytes]) -> bool:
    """Whether ``given`` is one of ``keys``, comparing against every key so the time does not say which."""
    digest = _digest(given)
    found = False
    for key in keys:
        found |= hmac.compare_digest(digest, key)
    return found


class KeyGate:
    """Refuses keyed requests without a key (401) or with a wrong one (403), from the headers alone."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self._write_keys = [_digest(k.get_secret_value()) for k in settings.api_keys]
        self._read_keys = self._write_keys + [_digest(k.get_secret_value()) for k in settings.read_keys]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = self.refusal(scope) if scope["type"] == "http" else None
        if refusal is None:
            await self.app(scope, receive, send)
            return
        await error_response(refusal)(scope, receive, send)

    def refusal(self, scope: Scope) -> KgError | None:
        """Why this request may not go on, or ``None``. The key itself never appears in the answer."""
        method, path = scope["method"], scope["path"]
        if not is_keyed(method, path, self.settings):
            return None
        write = is_write(method)
        if write and not self._write_keys:
            return WritesDisabled("writes are disabled: set KG_API_KEYS to a JSON list of keys to enable them")
        given = Headers(scope=scope).getlist(KEY_HEADER)
        if not given:
            return Unauthorized(f"this endpoint needs an {KEY_HEADER} header", details={"header": KEY_HEADER})
        # Headers arrive as latin-1; the bytes are what the client sent.
        if len(given) > 1 or not _matches(given[0].encode("latin-1"), self._write_keys if write else self._read_keys):
            which = "write" if write else "read"
            return Forbidden(f"the {KEY_HEADER} is not one of the keys configured for {which}s",
                             details={"header": KEY_HEADER})
        return None


_JSON_TYPE = re.compile(r"^application/(?:[\w.+-]+\+)?json$")
_STRING_OR_OTHER = re.compile(r'"(?:[^"\\]|\\.)*"|[^\[\]{}"]+')
_EMPTY_PAIR = re.compile(r"\[\]|\{\}")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}")


def json_problem(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Why ``body`` is not a UTF-8 JSON document of at most ``max_depth`` levels, or ``None``."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"the body is not UTF-8: byte {body[error.start]:#04x} at position {error.start}"
    try:
        parsed = json.loads(text)
    except RecursionError:
        return f"the body nests deeper than {max_depth} levels"
    except json.JSONDecodeError as error:
        return f"the body is not JSON: {error.msg} at line {error.lineno} column {error.colno}"
    except ValueError as error:  # a number too long to convert, for one
        return f"the body is not JSON this API reads: {error}"
    return _depth_problem(text, max_depth) or _surrogate_problem(text, parsed)


def _depth_problem(text: str, max_depth: int) -> str | None:
    # Valid JSON, so its brackets pair up: peel empty pairs level by level, in C, from the skeleton.
    skeleton = _STRING_OR_OTHER.sub("", text)
    for _ in range(max_depth):
        if not skeleton:
            return None
        skeleton = _EMPTY_PAIR.sub("", skeleton)
    return f"the body nests deeper than {max_depth} levels" if skeleton else None


def _surrogate_problem(text: str, parsed: object) -> str | None:
    # JSON escapes can spell half a surrogate pair, which is no character and cannot be stored as UTF-8.
    if not _SURROGATE_ESCAPE.search(text):
        return None
    try:
        json.dumps(parsed, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        return f"the body holds {error.object[error.start]!r}, which is not a Unicode character (a lone surrogate)"
    return None


class BodyGuard:
    """Reads a request's body under ``max_bytes`` and lets it through only as UTF-8 JSON of a sane depth."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await error_response(self._too_large(int(declared)))(scope, receive, send)
            return
        if not is_write(scope["method"]):
            await self.app(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left; there is nobody to answer
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await error_response(self._too_large(None))(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        refusal = self._refusal(headers.get("content-type"), bytes(body))
        if refusal is not None:
            await error_response(refusal)(scope, receive, send)
            return
        await self.app(scope, _replay(bytes(body), receive), send)

    def _too_large(self, declared: int | None) -> InputTooLarge:
        size = f"{declared:,} bytes" if declared is not None else "more bytes than that"
        return InputTooLarge(f"the request body holds {size}; at most {self.max_bytes:,} are accepted "
                             "(KG_MAX_BODY_BYTES)", details={"limit": self.max_bytes})

    @staticmethod
    def _refusal(content_type: str | None, body: bytes) -> KgError | None:
        if not body:
            return None  # no body at all: the route says which fields it needs
        media, _, parameters = (content_type or "").partition(";")
        if not _JSON_TYPE.match(media.strip().lower()):
            return UnsupportedMediaType(f"the body must be JSON (Content-Type: application/json), not "
                                        f"{media.strip() or 'untyped bytes'}",
                                        details={"content_type": media.strip() or None})
        charset = next((p.split("=", 1)[1].strip(' "').lower() for p in parameters.split(";")
                        if p.strip().lower().startswith("charset=")), "utf-8")
        if charset not in ("utf-8", "utf8"):
            return UnsupportedMediaType(f"the body must be UTF-8 JSON, not {charset}", details={"charset": charset})
        problem = json_problem(body)
        return InvalidBody(problem) if problem else None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands over the body already read, then whatever the client sends next."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed

