"""Dates in reporting ("on May 7", "last month", "in October", "February 2020") read against the
publication date, at the precision the text gives (``graph.domain.dates.PartialDate``).

A month or day without a year is the most recent one on or before publication: a report of
May 2022 saying "in October" means October 2021, and one of Sunday 17 April 2022 saying "on
Saturday" means 16 April, as do "Saturday's attack" and "on Saturday night" (a weekday needs the day of
publication). Without a publication date, only dates that carry their own year are resolved.

Offsets count from a date the report told before: "a day later", "two weeks after" forward, "a day earlier",
"the previous day", "the day before" back (``resolve_later``).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from graph.domain.dates import DAY_MONTH_YEAR, MONTH_DAY_YEAR, MONTH_YEAR, MONTHS, PartialDate
from graph.domain.dates import MONTH as _MONTH

_COUNT = r"a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2}"
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10}
# "a day later", "two weeks after", "days later", "a day earlier", "the previous day": an offset from the date the
# report told last, forward or back
_LATER = re.compile(rf"\b(?:(?:({_COUNT}) )?(day|week|month)s? (later|after|earlier)"
                    r"|the (previous|following|next) (day|week|month)|the (day) (before|after)(?! \w))\b",
                    re.IGNORECASE)
# an offset with no count ("days later") is read as a typical span: a few days, two weeks, two months
_TYPICAL = {"day": 3, "week": 14, "month": 60}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("month_day_year", re.compile(MONTH_DAY_YEAR, re.IGNORECASE)),
    ("day_month_year", re.compile(DAY_MONTH_YEAR, re.IGNORECASE)),
    ("month_day", re.compile(rf"\b(?:on |since |by )?{_MONTH} (\d{{1,2}})(?:st|nd|rd|th)?\b(?!,? \d{{4}})(?! \d)",
                             re.IGNORECASE)),
    ("day_month", re.compile(rf"\b(?:on )?(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?{_MONTH}\b(?!,? \d{{4}})",
                             re.IGNORECASE)),
    ("month_year", re.compile(MONTH_YEAR, re.IGNORECASE)),
    ("in_month", re.compile(rf"\b(?:in|last|since|during|by|early|late|mid-?) {_MONTH}\b(?!,? \d)"
                            r"(?! (?:of )?(?:that|the same|the following|the previous) year)", re.IGNORECASE)),
    ("last_unit", re.compile(r"\b(last|this|past) (month|year|week)\b", re.IGNORECASE)),
    ("ago", re.compile(rf"\b({_COUNT}) (day|week|month|year)s? ago\b", re.IGNORECASE)),
    ("yesterday", re.compile(r"\b(yesterday|today)\b", re.IGNORECASE)),
    ("weekday", re.compile(r"\b(?:on|last|late|early|overnight|since|by) (monday|tuesday|wednesday|thursday|friday"
                           r"|saturday|sunday)\b|\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
                           r"(?:['\u2019]s\b| (?:night|morning|evening|afternoon|prayers?)\b)", re.IGNORECASE)),
    ("year", re.compile(r"\b(?:in|since|late|early|mid-?|during|of|by) ((?:19|20)\d{2})\b", re.IGNORECASE)),
]


_DIGIT = re.compile(r"\d")
_MONTH_WORD = re.compile(rf"\b{_MONTH}", re.IGNORECASE)
_NEEDS_DIGIT = {"month_day_year", "day_month_year", "month_day", "day_month", "month_year", "year"}
_NEEDS_MONTH = {"month_day_year", "day_month_year", "month_day", "day_month", "month_year", "in_month"}
# a cheap first look: most sentences carry no date at all
_ANY = re.compile(rf"\d|\b{_MONTH}\b|\b(?:last|this|past|yesterday|today|ago)\b|day\b", re.IGNORECASE)
# words a pattern cannot match without: a substring test is cheaper than running the pattern
_NEEDS_WORD = {"last_unit": ("last", "this", "past"), "ago": ("ago",), "yesterday": ("yesterday", "today"),
               "weekday": ("day",)}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _before(year: int, month: int, day: int | None, published: PartialDate | None) -> int:
    """The year of the most recent such month (and day) on or before publication."""
    if published is None:
        return year
    if published.month is None:
        return published.year
    if (month, day or 1) > (published.month, published.day or 31):
        return published.year - 1
    return published.year


def _safe(year: int, month: int | None = None, day: int | None = None) -> PartialDate | None:
    try:
        return PartialDate.parse("-".join([f"{year:04d}"] + [f"{v:02d}" for v in (month, day) if v is not None]))
    except ValueError:
        return None


def resolve_dates(text: str, published: PartialDate | None) -> list[tuple[int, int, PartialDate]]:
    """Every date expression in ``text`` as (start, end, date), in text order, without overlaps."""
    if not _ANY.search(text):
        return []
    digits = _DIGIT.search(text) is not None
    months = _MONTH_WORD.search(text) is not None
    lowered = text.lower()
    found: list[tuple[int, int, PartialDate]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        if (kind in _NEEDS_DIGIT and not digits) or (kind in _NEEDS_MONTH and not months):
            continue
        if kind in _NEEDS_WORD and not any(word in lowered for word in _NEEDS_WORD[kind]):
            continue
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            resolved = _read(kind, match, published)
            if resolved is not None:
                found.append((match.start(), match.end(), resolved))
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda item: item[0])


def _read(kind: str, match: re.Match[str], published: PartialDate | None) -> PartialDate | None:  # noqa: PLR0911
    groups = match.groups()
    if kind == "month_day_year":
        return _safe(int(groups[2]), MONTHS[groups[0].lower()], int(groups[1]))
    if kind == "day_month_year":
        return _safe(int(groups[2]), MONTHS[groups[1].lower()], int(groups[0]))
    if kind == "month_year":
        return _safe(int(groups[1]), MONTHS[groups[0].lower()])
    if kind == "year":
        return _safe(int(groups[0]))
    if published is None:
        return None
    if kind in ("month_day", "day_month"):
        month_name, day = (groups[0], groups[1]) if kind == "month_day" else (groups[1], groups[0])
        bare = not match.group(0).lower().startswith(("on", "since", "by"))
        if month_name.lower() == "may" and kind == "month_day" and bare and not match.group(0)[0].isupper():
            return None  # "may 7" after a lowercase word is the verb, not the month
        month = MONTHS[month_name.lower()]
        return _safe(_before(published.year, month, int(day), published), month, int(day))
    if kind == "in_month":
        month = MONTHS[groups[0].lower()]
        return _safe(_before(published.year, month, None, published), month)
    if kind == "last_unit":
        return _relative(groups[0].lower(), groups[1].lower(), published)
    if kind == "weekday" and published.day is not None:
        # "on Monday" in a report is the latest Monday up to the day of publication
        weekday = (groups[0] or groups[1]).lower()
        back = (published.start.weekday() - _WEEKDAYS.index(weekday)) % 7
        day = published.start - timedelta(days=back)
        return _safe(day.year, day.month, day.day)
    if kind == "ago":
        return _ago(_count(groups[0]), groups[1].lower(), published)
    if kind == "yesterday" and published.day is not None:
        day = published.start - timedelta(days=1 if groups[0].lower() == "yesterday" else 0)
        return _safe(day.year, day.month, day.day)
    return None


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _COUNTS[word.lower()]


def _ago(count: int, unit: str, published: PartialDate) -> PartialDate | None:
    """"Two days ago" against the day of publication: a day for days, a month for weeks and months, a year."""
    if unit == "year":
        return _safe(published.year - count)
    if published.month is None or (unit == "day" and published.day is None):
        return None
    anchor: date = published.start if published.day is not None else published.end
    if unit == "day":
        day = anchor - timedelta(days=count)
        return _safe(day.year, day.month, day.day)
    day = anchor - timedelta(days=count * (7 if unit == "week" else 30))
    return _safe(day.year, day.month)


def says_later(text: str) -> bool:
    """Whether ``text`` has a "days later" or "a day earlier" phrase: a cheap test before looking for what it
    counts from."""
    lowered = text.lower()
    return any(word in lowered for word in ("later", "after", "earlier", "previous", "following", "next", "before")) \
        and _LATER.search(text) is not None


def resolve_later(text: str, anchor: PartialDate | None) -> PartialDate | None:
    """A date "N days/weeks later" (or "after"), or "earlier", than ``anchor``, the date the report told last.

    "After" counts only when it opens the sentence ("Weeks after the attack, …"). "The previous day", "the day
    before" and "the following day", "the next day" are one day off. A counted day offset from a known day keeps
    day precision ("a day later", "two days earlier"); anything vaguer ("days later", "two weeks after") is given
    at the precision of a month, which is as much as the text says. None when the text has no such phrase or
    there is no anchor to count from.
    """
    match = _LATER.search(text)
    if match is None or anchor is None or anchor.month is None:
        return None
    count_word, unit, way = match.group(1), match.group(2), match.group(3)
    if unit is None and match.group(5) is not None:  # "the previous day", "the following week"
        count_word, unit, way = "one", match.group(5), "earlier" if match.group(4).lower() == "previous" else "later"
    elif unit is None:  # "the day before", "the day after"
        count_word, unit, way = "one", match.group(6), "earlier" if match.group(7).lower() == "before" else "later"
    elif way.lower() == "after" and text[:match.start()].strip():
        return None  # "X came days after Y said": Y is the earlier event, not a date after the last one told
    unit = unit.lower()
    sign = -1 if way.lower() == "earlier" else 1
    start: date = anchor.start
    if count_word is None:
        later = start + sign * timedelta(days=_TYPICAL[unit])
        return _safe(later.year, later.month)
    later = start + sign * timedelta(days=_count(count_word) * _UNIT_DAYS[unit])
    if unit == "day" and anchor.day is not None:
        return _safe(later.year, later.month, later.day)
    return _safe(later.year, later.month)


def _relative(which: str, unit: str, published: PartialDate) -> PartialDate | None:
    if unit == "year":
        return _safe(published.year - (1 if which == "last" else 0))
    if published.month is None:
        return None
    if unit == "month":
        if which == "this":
            return _safe(published.year, published.month)
        year, month = (published.year - 1, 12) if published.month == 1 else (published.year, published.month - 1)
        return _safe(year, month)
    # "last week": a day we cannot name, in the month it falls in
    anchor: date = published.start if published.day is not None else published.end
    day = anchor - timedelta(days=7 if which in ("last", "past") else 0)
    return _safe(day.year, day.month)
