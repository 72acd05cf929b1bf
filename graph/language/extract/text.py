"""Reports as the extractor receives them: plain text or HTML, from a file or a URL, plus metadata.

Metadata comes from three places, the later overriding the earlier: the page itself (HTML
title, site name, date), YAML front matter at the top of a text file (between ``---``
lines), and explicit values (command-line flags, API fields). The report id is derived
from the text alone, so feeding the same report twice names it the same way.
"""

from __future__ import annotations

import hashlib
import re
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from graph.domain.dates import PartialDate
from graph.domain.errors import ExtractionInputError
from graph.domain.inputs import check_report_size, report_too_long
from graph.domain.yamlio import check_structure

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.DOTALL)
_HTML = re.compile(r"\A\s*(?:<!doctype html|<html|<head|<body|<article|<div|<p[ >])", re.IGNORECASE)
METADATA_FIELDS = ("title", "outlet", "outlet_id", "url", "published", "reliability", "note")
USER_AGENT = "kg-extract/1 (+https://github.com/; research knowledge graph)"


@dataclass(frozen=True)
class ReportInput:
    """A report's text and what is known about it; ``published`` anchors relative dates."""

    text: str
    title: str | None = None
    outlet: str | None = None
    outlet_id: str | None = None
    url: str | None = None
    published: str | None = None
    reliability: str | None = None
    note: str | None = None
    origin: str = "<text>"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def report_id(self) -> str:
        """``r-`` and the first 16 hex digits of the text's SHA-256: same text, same id."""
        return "r-" + hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]

    @property
    def published_date(self) -> PartialDate | None:
        """The publication date, parsed; ``ExtractionInputError`` names a bad one."""
        if not self.published:
            return None
        try:
            return PartialDate.parse(self.published)
        except ValueError as error:
            raise ExtractionInputError(f"{self.origin}: published={self.published!r}: {error}") from error

    def with_metadata(self, **values: str | None) -> ReportInput:
        """A copy with the given metadata fields set (``None`` values leave a field as it is)."""
        given: dict[str, Any] = {k: v for k, v in values.items() if v is not None}
        unknown = set(given) - set(METADATA_FIELDS)
        if unknown:
            raise ExtractionInputError(f"{self.origin}: unknown metadata field(s) {', '.join(sorted(unknown))}")
        return replace(self, **given)


def with_given_metadata(report: ReportInput, *, title: str | None = None, outlet: str | None = None,
                        url: str | None = None, published: str | None = None,
                        reliability: str | None = None) -> ReportInput:
    """A report with what the user gave (flags or API fields) over what the page said.

    The outlet given is both its display name and the registry name it resolves by, and the
    publication date is checked here, before any extraction work is spent on a bad one.
    """
    values: dict[str, str | None] = {"title": title, "url": url, "published": published, "reliability": reliability}
    if outlet is not None:
        values["outlet"] = outlet
        values["outlet_id"] = outlet
    report = report.with_metadata(**values)
    report.published_date  # noqa: B018 - raises ExtractionInputError on a bad date
    return report


def from_text(raw: str, *, origin: str = "<text>") -> ReportInput:
    """A report from plain text (with optional front matter) or from an HTML page."""
    if _HTML.match(raw):
        return from_html(raw, origin=origin)
    match = _FRONT_MATTER.match(raw)
    if not match:
        return ReportInput(text=raw, origin=origin)
    try:
        check_structure(match.group(1))
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise ExtractionInputError(f"{origin}: front matter is not valid YAML: {error}") from error
    if not isinstance(meta, dict):
        raise ExtractionInputError(f"{origin}: front matter must be a YAML mapping")
    unknown = sorted(str(k) for k in meta if k not in METADATA_FIELDS)
    if unknown:
        raise ExtractionInputError(f"{origin}: front matter has unknown field(s) {', '.join(unknown)} "
                                   f"(accepted: {', '.join(METADATA_FIELDS)})")
    values: dict[str, Any] = {str(k): str(v) for k, v in meta.items() if v is not None}
    return ReportInput(text=raw[match.end():], origin=origin, **values)


def from_html(html: str, *, origin: str = "<html>", url: str | None = None) -> ReportInput:
    """The article body of an HTML page (trafilatura), with the page's title, site and date."""
    import trafilatura  # noqa: PLC0415 - heavy import, needed only for HTML

    document = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                           include_tables=False, favor_precision=True)
    body = getattr(document, "text", None) if document is not None else None
    if not body:
        raise ExtractionInputError(f"{origin}: no article text found in the HTML page")
    date = getattr(document, "date", None)
    published = None
    if date:
        published = str(date)[:10]
        try:
            PartialDate.parse(published)
        except ValueError:
            published = None
    return ReportInput(text=str(body), title=getattr(document, "title", None) or None,
                       outlet=getattr(document, "sitename", None) or None, url=url or getattr(document, "url", None),
                       published=published, origin=origin)


def read_report(location: str, *, timeout: float = 20.0, max_chars: int | None = None) -> ReportInput:
    """Read a report from a file path or an http(s) URL; more than ``max_chars`` is refused unread."""
    # UTF-8 spends at most 4 bytes a character: past that many bytes, the text is too long.
    max_bytes = max_chars * 4 if max_chars is not None else None
    if re.match(r"^https?://", location):
        request = urllib.request.Request(location, headers={"User-Agent": USER_AGENT})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
                charset = response.headers.get_content_charset() or "utf-8"
                body = response.read(max_bytes + 1 if max_bytes is not None else -1)
        except OSError as error:
            raise ExtractionInputError(f"{location}: cannot fetch: {error}") from error
        if max_bytes is not None and len(body) > max_bytes:
            raise report_too_long(location, f"more than {max_bytes:,} bytes", max_chars or 0)
        raw = body.decode(charset, errors="replace")
        if max_chars is not None:
            check_report_size(raw, max_chars, location)
        report = from_html(raw, origin=location, url=location) if _HTML.match(raw) else from_text(raw, origin=location)
        return report if report.url else report.with_metadata(url=location)
    path = Path(location)
    try:
        with path.open("rb") as handle:  # read no further than the limit, even from a device or a pipe
            data = handle.read(max_bytes + 1 if max_bytes is not None else -1)
        if max_bytes is not None and len(data) > max_bytes:
            raise report_too_long(location, f"more than {max_bytes:,} bytes", max_chars or 0)
        raw = data.decode("utf-8")
    except FileNotFoundError as error:
        raise ExtractionInputError(f"{location}: no such file") from error
    except (OSError, UnicodeDecodeError) as error:
        raise ExtractionInputError(f"{location}: cannot read as UTF-8 text: {error}") from error
    if max_chars is not None:
        check_report_size(raw, max_chars, location)
    if path.suffix.lower() in (".html", ".htm"):
        return from_html(raw, origin=location)
    report = from_text(raw, origin=location)
    sidecar = path.with_suffix(".yaml")
    if path.suffix == ".txt" and sidecar.exists():
        # a bundle's report: its metadata file sits beside the text
        try:
            written = sidecar.read_text(encoding="utf-8")
            check_structure(written)
            meta = yaml.safe_load(written) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            raise ExtractionInputError(f"{sidecar}: metadata is not readable YAML: {error}") from error
        if not isinstance(meta, dict):
            raise ExtractionInputError(f"{sidecar}: metadata must be a YAML mapping")
        values = {k: str(v) for k, v in meta.items() if k in METADATA_FIELDS and v is not None}
        missing: dict[str, Any] = {k: v for k, v in values.items() if getattr(report, k) is None}
        report = replace(report, **missing)
    return report
