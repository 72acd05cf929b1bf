"""Dates with their own precision (``2022-05-07``, ``2022-05``, ``2021``) and windows over them.

A report often says "in October" or "in 2015"; storing a made-up day would invent
precision. Filters therefore compare intervals: a claim dated ``2022-05`` covers the
whole month and overlaps any window that touches it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from graph.domain.errors import InvalidParameter

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

# --- the grammar of dates in English, one for the extractor (graph.language.extract.dates) and the
# question reader (graph.language.ask): month names, and the patterns of a date that carries its own year.

MONTHS: dict[str, int] = {name: number for number, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
     ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"), ("october", "oct"),
     ("november", "nov"), ("december", "dec")], start=1) for name in names}
# A month's name or abbreviation (one group), with an optional full stop.
MONTH = (r"(january|february|march|april|may|june|july|august|september|october|november|december"
         r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?")
_ORDINAL = r"(?:st|nd|rd|th)?"
# "May 7, 2022" (month, day, year); "7 May 2022", "7th of May 2022" (day, month, year); "May 2022".
MONTH_DAY_YEAR = rf"\b{MONTH} (\d{{1,2}}){_ORDINAL},? (\d{{4}})\b"
DAY_MONTH_YEAR = rf"\b(\d{{1,2}}){_ORDINAL} (?:of )?{MONTH},? (\d{{4}})\b"
MONTH_YEAR = rf"\b{MONTH},? (\d{{4}})\b"
# A year of the two centuries reporting covers (one group).
YEAR = r"((?:19|20)\d{2})"


@dataclass(frozen=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str | int) -> PartialDate:
        """Parse ISO ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise ``ValueError`` saying why not."""
        raw = str(text).strip()
        match = _PATTERN.match(raw)
        if not match:
            raise ValueError("not an ISO date of the form YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None
        if year < 1:
            # Python's calendar starts at year 1; year 0 would fail later, far from the input.
            raise ValueError(f"year {year:04d} does not exist (the calendar starts at 0001)")
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"month {month} does not exist")
        if day is not None:
            assert month is not None
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                raise ValueError(f"day {day} does not exist in {year}-{month:02d}")
        return cls(year, month, day)

    @property
    def start(self) -> date:
        """First day the date may mean."""
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def end(self) -> date:
        """Last day the date may mean."""
        if self.month is None:
            return date(self.year, 12, 31)
        if self.day is None:
            return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return date(self.year, self.month, self.day)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text


def parse_optional(text: str | int | None) -> PartialDate | None:
    """Parse a date that may be absent."""
    return None if text is None or text == "" else PartialDate.parse(text)


@dataclass(frozen=True)
class DateWindow:
    """A window on when things happened; either end may be open."""

    since: PartialDate | None = None
    until: PartialDate | None = None

    @property
    def is_open(self) -> bool:
        """True when the window filters nothing."""
        return self.since is None and self.until is None

    def admits(self, happened: str | None, ended: str | None = None) -> bool:
        """Whether something dated ``happened`` (and lasting to ``ended``) overlaps the window.

        A claim with neither date is excluded once the window is bounded: the report
        does not say when, so it cannot be said to fall inside.
        """
        if self.is_open:
            return True
        first = parse_optional(happened)
        last = parse_optional(ended) or first
        if first is None and last is None:
            return False
        if self.since is not None and last is not None and last.end < self.since.start:
            return False
        return not (self.until is not None and first is not None and first.start > self.until.end)

    def __str__(self) -> str:
        return f"{self.since or '…'} to {self.until or '…'}"


def window(since: str | None = None, until: str | None = None) -> DateWindow:
    """A window from two optional ISO dates of any precision; ``InvalidParameter`` names a bad one."""
    bounds: dict[str, PartialDate | None] = {}
    for parameter, value in (("since", since), ("until", until)):
        try:
            bounds[parameter] = parse_optional(value)
        except ValueError as error:
            raise InvalidParameter(parameter, value, f"invalid date: {error}") from error
    result = DateWindow(**bounds)
    if result.since and result.until and result.until.end < result.since.start:
        raise InvalidParameter("until", until, f"is before since {since}")
    return result
