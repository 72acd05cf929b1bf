"""Time expressions in questions ("in 2021", "since April 2022", "between April and June 2022"),
read with the date grammar the extractor uses (``graph.domain.dates``) and turned into a window.

Only dates that carry their own year are read: a question has no publication date to read
"in October" or "last year" against, so those are left in the question, where the reader
finds words it cannot place and refuses rather than answer for the wrong period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from graph.domain.dates import DAY_MONTH_YEAR, MONTH, MONTH_DAY_YEAR, MONTH_YEAR, MONTHS, YEAR, PartialDate, window
from graph.domain.errors import InvalidParameter

# Any one date: ISO, or English with its year. A bare month ("April") only as the first end of a range.
_ISO = r"(\d{4}-\d{2}(?:-\d{2})?)"
_ONE = rf"(?:{_ISO}|{MONTH_DAY_YEAR[2:-2]}|{DAY_MONTH_YEAR[2:-2]}|{MONTH_YEAR[2:-2]}|{YEAR})"
_DATE = re.compile(rf"^(?:{_ISO}|{MONTH_DAY_YEAR[2:-2]}|{DAY_MONTH_YEAR[2:-2]}|{MONTH_YEAR[2:-2]}|{YEAR})$",
                   re.IGNORECASE)
_SPAN = r"[A-Za-z0-9 ,.\-]+?"
_BETWEEN = re.compile(rf"\b(?:between|from)\s+(?:the\s+)?({_SPAN})\s+(?:and|to|until|till|through)\s+({_SPAN})"
                      rf"(?=\s*(?:[?!.,;]|$|\s(?!\d)))", re.IGNORECASE)
_BOUND = re.compile(rf"\b(since|after|from|until|till|before|up to|by|in|during|on|throughout|as of|of)\s+"
                    rf"(?:the\s+year\s+)?({_ONE})\b", re.IGNORECASE)
# A date with no word before it ("the April 2022 air strikes", "2021 attacks") is when it happened.
_BARE = re.compile(rf"(?<![\w-])({_ONE})(?![\w-])", re.IGNORECASE)
_BARE_MONTH = re.compile(rf"^{MONTH}$", re.IGNORECASE)


@dataclass(frozen=True)
class Times:
    """The question without its time expressions, and the window they set."""

    text: str
    since: str | None = None
    until: str | None = None
    said: str | None = None  # the expressions as written, joined

    @property
    def at(self) -> str | None:
        """A date to resolve names at (an alias that held then): the window's end, else its start."""
        return self.until or self.since


def _read(text: str, year: int | None = None) -> PartialDate | None:
    """One date at its own precision; a bare month takes ``year``. None when it is no date."""
    text = text.strip().rstrip(".,").strip()
    if year is not None and _BARE_MONTH.match(text):
        return PartialDate(year, MONTHS[text.lower().rstrip(".")])
    match = _DATE.match(text)
    if match is None:
        return None
    if re.fullmatch(_ISO, text):
        return PartialDate.parse(text)
    words = re.findall(r"[a-z]+|\d+", text.lower())
    numbers = [int(w) for w in words if w.isdigit()]
    months = [MONTHS[w] for w in words if w in MONTHS]
    found = [n for n in numbers if n > 31]
    if not found:
        return None
    day = next((n for n in numbers if n <= 31), None)
    month = months[0] if months else None
    text_date = f"{found[0]:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if month and day else "")
    return PartialDate.parse(text_date)


def _shift(when: PartialDate, step: int) -> PartialDate:
    """The period just after (``step=1``) or before (``-1``) a date, at the same precision."""
    if when.month is None:
        return PartialDate(when.year + step)
    if when.day is None:
        index = when.year * 12 + when.month - 1 + step
        return PartialDate(index // 12, index % 12 + 1)
    moved = date(when.year, when.month, when.day) + timedelta(days=step)
    return PartialDate(moved.year, moved.month, moved.day)


def take_times(question: str) -> Times:
    """The time expressions of a question, taken out of it, as a window.

    "in 2022" (or a date with no word before it, "the April 2022 strikes") bounds both ends, and so
    does "from April 2022" unless a "to" follows; "since" and "until"/"by" bound one end each;
    "after" and "before" exclude the date they name; "between April and June 2022" gives the second end's year to
    the first. ``ValueError`` (a date that does not exist, or a reversed range) leaves the
    question as it was, so that it is refused rather than answered for some other period.
    """
    since: PartialDate | None = None
    until: PartialDate | None = None
    said: list[str] = []
    text = question
    try:
        for match in list(_BETWEEN.finditer(text))[::-1]:
            second = _read(match.group(2))
            first = _read(match.group(1), second.year if second else None) if second else None
            if first is None or second is None:
                continue
            since, until = first, second
            said.append(match.group(0))
            text = text[:match.start()] + text[match.end():]
        for match in list(_BOUND.finditer(text))[::-1]:
            when = _read(match.group(2))
            if when is None:
                continue
            word = match.group(1).lower()
            if word in ("since", "as of"):
                since = when
            elif word == "from":  # "events from April 2022": of that period (a range is read above)
                since = until = when
            elif word == "after":
                since = _shift(when, 1)
            elif word in ("until", "till", "up to", "by"):
                until = when
            elif word == "before":
                until = _shift(when, -1)
            else:
                since = until = when
            said.append(match.group(0))
            text = text[:match.start()] + text[match.end():]
        if since is None and until is None:
            for match in list(_BARE.finditer(text))[::-1]:
                when = _read(match.group(1))
                if when is None:
                    continue
                since = until = when
                said.append(match.group(0))
                text = text[:match.start()] + text[match.end():]
                break
        checked = window(str(since) if since else None, str(until) if until else None)
    except (ValueError, InvalidParameter):  # a date that does not exist, a range that ends before it starts
        return Times(question)
    return Times(" ".join(text.split()), str(checked.since) if checked.since else None,
                 str(checked.until) if checked.until else None, "; ".join(reversed(said)) or None)
