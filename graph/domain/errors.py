"""One error root and one leaf per failure, each carrying its HTTP status and CLI exit code.

Interfaces map these once (the CLI in one function, the API in one handler) instead of
catching library exceptions in every command.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from typing import Any


class KgError(Exception):
    """Root of every error the domain raises on purpose."""

    http_status = 500
    exit_code = 1
    code = "error"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        """The one JSON shape of an error: ``error``, ``message``, ``details``."""
        return {"error": self.code, "message": self.message, "details": self.details}


class OntologyError(KgError):
    """The ontology file itself is malformed or inconsistent."""

    code = "ontology_invalid"


class InvalidParameter(KgError):
    """A query parameter is outside what the ontology or the bounds accept."""

    http_status = 422
    exit_code = 2
    code = "invalid_parameter"

    def __init__(self, parameter: str, value: object, reason: str,
                 accepted: list[str] | None = None) -> None:
        message = f"{parameter}={value!r}: {reason}"
        if accepted:
            message += f" (accepted: {', '.join(accepted)})"
        super().__init__(message, details={"parameter": parameter, "value": value, "accepted": accepted or []})
        self.parameter = parameter


class EntityNotFound(KgError):
    """No entity has this id, name or alias."""

    http_status = 404
    exit_code = 1
    code = "entity_not_found"

    def __init__(self, name: str, suggestions: list[dict[str, str]]) -> None:
        message = f"no entity matches {name!r}"
        if suggestions:
            message += "; did you mean: " + ", ".join(f"{s['name']} ({s['id']})" for s in suggestions)
        super().__init__(message, details={"name": name, "suggestions": suggestions})
        self.name = name
        self.suggestions = suggestions


class AmbiguousName(KgError):
    """A name is an alias of several entities; it is never resolved silently."""

    http_status = 409
    exit_code = 2
    code = "ambiguous_name"

    def __init__(self, name: str, candidates: list[dict[str, Any]]) -> None:
        listed = ", ".join(f"{c['name']} ({c['id']}, {c['kind']}{_window_text(c)})" for c in candidates)
        super().__init__(f"{name!r} is ambiguous: it may mean {listed}",
                         details={"name": name, "candidates": candidates})
        self.name = name
        self.candidates = candidates


def _window_text(candidate: dict[str, Any]) -> str:
    start, end = candidate.get("valid_from"), candidate.get("valid_until")
    bounds = [f"from {start}" if start else "", f"until {end}" if end else ""]
    return f", as an alias {' '.join(b for b in bounds if b)}" if start or end else ""


class EmptyGraph(KgError):
    """A name was looked up in a graph that holds nothing yet."""

    http_status = 404
    exit_code = 1
    code = "empty_graph"


class ClaimNotFound(KgError):
    """No claim has this id."""

    http_status = 404
    code = "claim_not_found"


class IncidentNotFound(KgError):
    """No incident has this id."""

    http_status = 404
    code = "incident_not_found"


class Unauthorized(KgError):
    """A keyed endpoint was called without an ``X-API-Key`` header."""

    http_status = 401
    code = "unauthorized"


class Forbidden(KgError):
    """The ``X-API-Key`` given is not one of the keys configured for this endpoint."""

    http_status = 403
    code = "forbidden"


class WritesDisabled(KgError):
    """A write endpoint was called while no API key is configured, so nobody may write."""

    http_status = 403
    code = "writes_disabled"


class InvalidBody(KgError):
    """A request body cannot be read: not UTF-8, not JSON, or nested too deeply."""

    http_status = 400
    code = "invalid_body"


class InputTooLarge(KgError):
    """A request body or a report is larger than the configured limit; it was not read further."""

    http_status = 413
    exit_code = 2
    code = "input_too_large"


class UnsupportedMediaType(KgError):
    """A request body is not JSON (a form, a file upload, bytes)."""

    http_status = 415
    code = "unsupported_media_type"


class ConfigurationInvalid(KgError):
    """The settings are malformed, or unsafe outside local development; nothing starts."""

    exit_code = 2
    code = "configuration_invalid"


class SourceNotFound(KgError):
    """No source (report) has this id."""

    http_status = 404
    code = "source_not_found"


class StoreUnavailable(KgError):
    """The store cannot be read or written (data file unreadable, server unreachable)."""

    http_status = 503
    exit_code = 3
    code = "store_unavailable"


class BulkImportFailed(KgError):
    """The bulk importer (``neo4j-admin database import full``) could not load a first graph into the local Neo4j.

    ``details["stage"]`` names the step that failed (``stop``, ``import``, ``start``, ``finish``); up to the import
    itself the database is put back as it was (empty) and the server started again."""

    http_status = 503
    exit_code = 3
    code = "bulk_import_failed"

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(message, details={"stage": stage})
        self.stage = stage


class StoreOutOfMemory(KgError):
    """The store refused work for lack of memory (a transaction larger than the server allows); it is reachable."""

    http_status = 503
    exit_code = 3
    code = "store_out_of_memory"


class WriteConflict(KgError):
    """Another writer wrote the same new records at the same moment; the write was rolled back whole."""

    http_status = 409
    exit_code = 3
    code = "write_conflict"


class StoreNotEmpty(KgError):
    """A backup was to be restored into a store (or staging file) that already holds records, without ``--merge``."""

    http_status = 409
    exit_code = 1
    code = "store_not_empty"


class BackupInvalid(KgError):
    """A backup (or an export's files) cannot be read or written, or a file given as a backup has no backup header."""

    http_status = 422
    exit_code = 1
    code = "backup_invalid"


class InconsistentWrite(KgError):
    """A batch refers to entities, sources or claims that neither it nor the graph holds; nothing was written."""

    http_status = 422
    exit_code = 1
    code = "inconsistent_write"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the input: where it is, which field, which value, and why."""

    file: str
    line: int | None
    field: str
    value: object
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        value = "" if self.value is None else f" {_SHORT.repr(self.value)}:"
        return f"{where}: {self.field}:{value} {self.message}"


def _short_repr() -> reprlib.Repr:
    """A refused value is shown, never dumped: input can be a megabyte of text or a nested structure."""
    short = reprlib.Repr()
    short.maxlevel, short.maxstring, short.maxother, short.maxlist, short.maxdict = 3, 120, 120, 8, 8
    return short


_SHORT = _short_repr()


class ValidationFailed(KgError):
    """The input has problems; all of a run's problems are reported together and nothing is written."""

    http_status = 422
    exit_code = 1
    code = "validation_failed"

    def __init__(self, problems: list[Problem]) -> None:
        count = len(problems)
        listed = "\n".join(str(p) for p in problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''}; nothing was loaded\n{listed}",
            details={"problems": [p.__dict__ for p in problems]},
        )
        self.problems = problems


class ExtractionInputError(KgError):
    """A report given to the extractor cannot be read: missing file, bad HTML, bad metadata."""

    http_status = 422
    exit_code = 1
    code = "extraction_input_invalid"


class ExtractionModelError(KgError):
    """The language pipeline the extractor needs is not installed or cannot parse."""

    http_status = 503
    exit_code = 3
    code = "extraction_model_unavailable"


class StagedClaimNotFound(KgError):
    """No staged claim awaiting review has this id."""

    http_status = 404
    exit_code = 1
    code = "staged_claim_not_found"


class StagedClaimWaiting(KgError):
    """A staged claim names a candidate entity that has not been reviewed: it cannot be loaded before its entity."""

    http_status = 409
    exit_code = 1
    code = "staged_claim_waiting"


class CandidateEntityNotFound(KgError):
    """No candidate entity (an actor the registry lacks) awaiting review has this id."""

    http_status = 404
    exit_code = 1
    code = "candidate_entity_not_found"


class CandidateEntityConflict(KgError):
    """A candidate entity cannot be accepted under its id: the graph holds an entity with that id already."""

    http_status = 409
    exit_code = 1
    code = "candidate_entity_conflict"


class QuestionSetInvalid(KgError):
    """A file of questions with expected answers (for ``kg ask-eval``) is missing or malformed."""

    http_status = 422
    exit_code = 2
    code = "question_set_invalid"


class QuestionNotUnderstood(KgError):
    """A question matches none of the phrasings well enough; the closest understood ones are offered, never a guess."""

    http_status = 422
    exit_code = 2
    code = "question_not_understood"

    def __init__(self, question: str, suggestions: list[str], read: dict[str, Any] | None = None) -> None:
        message = f"cannot read the question {question!r}"
        said = [*(read or {}).get("names", []), *(read or {}).get("relations", [])]
        if said:
            message += f" (it read {', '.join(said)})"
        if suggestions:
            message += "; questions like these are understood: " + "; ".join(f"{s!r}" for s in suggestions)
        details: dict[str, Any] = {"question": question, "suggestions": suggestions}
        if read is not None:
            details["read"] = read
        super().__init__(message, details=details)
        self.question = question
        self.suggestions = suggestions


# --- feeds, fetching and watchlists ---------------------------------------------------------


class FetchFailed(KgError):
    """A feed, page, robots.txt or webhook could not be fetched; ``transient`` failures are worth retrying later.

    Each leaf names one way a fetch fails; ``reason`` is the short code recorded with a failed
    item or feed (``timeout``, ``too_large``…), the message the sentence shown to people.
    """

    http_status = 502
    exit_code = 1
    code = "fetch_failed"
    reason = "fetch_failed"
    transient = False

    def __init__(self, url: str, message: str, *, retry_after: float | None = None,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{url}: {message}", details={"url": url, "reason": self.reason, **(details or {})})
        self.url = url
        self.retry_after = retry_after


class FetchTimedOut(FetchFailed):
    """The host did not answer in time: no byte for the timeout, or the whole response past the deadline."""

    reason = "timeout"
    transient = True


class ConnectionFailed(FetchFailed):
    """The host could not be reached: no address, connection refused or reset, TLS failure."""

    reason = "connection"
    transient = True


class HttpStatusError(FetchFailed):
    """The host answered with an error status; 5xx (and 408, 429) are transient, other 4xx are not."""

    reason = "http_status"

    def __init__(self, url: str, status: int, *, retry_after: float | None = None) -> None:
        super().__init__(url, f"the server answered HTTP {status}", retry_after=retry_after,
                         details={"status": status})
        self.status = status
        self.transient = status >= 500 or status in (408, 429)


class ResponseTooLarge(FetchFailed):
    """The response is larger than the limit (declared or as it streamed in); it was not read further."""

    reason = "too_large"


class AddressRefused(FetchFailed):
    """The URL is not http(s), or its host is (or resolves to) a private, loopback or otherwise non-public address."""

    reason = "address_refused"


class RedirectRefused(FetchFailed):
    """A redirect pointed to another host (with cross-host redirects off), to a non-http(s) URL, or went round too
    many times."""

    reason = "redirect"


class RobotsDisallowed(FetchFailed):
    """The host's robots.txt disallows this URL for our User-Agent (or cannot be read, which disallows all)."""

    reason = "robots"


class UndecodablePage(FetchFailed):
    """A page's bytes are not text in the character set it declares (or any it could be read as)."""

    reason = "undecodable"


class FeedUnreadable(FetchFailed):
    """What a feed URL returned is not an RSS or Atom feed: malformed XML, an HTML page, an empty document."""

    reason = "not_a_feed"


class ArticleUnreadable(FetchFailed):
    """An item's page holds no article text to read (or text the extractor refuses)."""

    reason = "no_article"


class FeedNotFound(KgError):
    """No feed has this id or URL."""

    http_status = 404
    code = "feed_not_found"


class FeedExists(KgError):
    """A feed with this URL (after canonicalisation) is already followed."""

    http_status = 409
    code = "feed_exists"


class WatchlistNotFound(KgError):
    """No watchlist has this name."""

    http_status = 404
    code = "watchlist_not_found"


class WatchlistExists(KgError):
    """A watchlist with this name already exists."""

    http_status = 409
    code = "watchlist_exists"


class WatchlistInvalid(KgError):
    """A watchlist names nothing to watch, no delivery or two, or a delivery this interface may not set up."""

    http_status = 422
    exit_code = 2
    code = "watchlist_invalid"


class FeedStateUnavailable(KgError):
    """The feed state file cannot be opened or written (unreadable, damaged, locked for too long)."""

    http_status = 503
    exit_code = 3
    code = "feed_state_unavailable"


class FeedStateBusy(KgError):
    """Another process holds the lock of a poll or of a delivery on this feed state; nothing was done."""

    http_status = 409
    exit_code = 3
    code = "feed_state_busy"
