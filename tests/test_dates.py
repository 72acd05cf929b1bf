"""Dates keep their precision, and windows compare intervals."""

import pytest

from graph.domain.dates import DateWindow, PartialDate, window
from graph.domain.errors import InvalidParameter


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2022-05-07", "2022-05-07", "2022-05-07"),
    ("2022-05", "2022-05-01", "2022-05-31"),
    ("2024-02", "2024-02-01", "2024-02-29"),
    ("2021", "2021-01-01", "2021-12-31"),
])
def test_a_date_covers_what_its_precision_allows(text: str, start: str, end: str) -> None:
    parsed = PartialDate.parse(text)
    assert (parsed.start.isoformat(), parsed.end.isoformat(), str(parsed)) == (start, end, text)


@pytest.mark.parametrize(("text", "reason"), [
    ("May 2022", "not an ISO date"),
    ("2022-13", "month 13 does not exist"),
    ("2022-02-30", "day 30 does not exist in 2022-02"),
    ("2023-02-29", "day 29 does not exist in 2023-02"),
    ("22-05-07", "not an ISO date"),
    ("0000-01", "year 0000 does not exist"),
])
def test_malformed_and_impossible_dates_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        PartialDate.parse(text)


def test_a_month_overlaps_a_window_that_starts_inside_it() -> None:
    assert window("2022-05-07", "2022-05-31").admits("2022-05")


def test_windows_exclude_what_lies_outside() -> None:
    april = window("2022-04", "2022-04")
    assert april.admits("2022-04-18")
    assert not april.admits("2022-05-07")
    assert not april.admits("2022-03")
    assert window(since="2022").admits("2022-03")
    assert not window(until="2021-12-31").admits("2022")


def test_a_lasting_relation_counts_until_it_ended() -> None:
    assert window("2000", "2000").admits("1996", "2001")
    assert window(until="2001").admits(None, "2001")
    assert not window(since="2002").admits(None, "2001")


def test_undated_claims_are_outside_any_bounded_window_and_inside_an_open_one() -> None:
    assert DateWindow().admits(None)
    assert not window(since="1900").admits(None)


def test_a_bad_window_bound_names_its_parameter() -> None:
    with pytest.raises(InvalidParameter, match=r"until='2022-02-31': invalid date: day 31"):
        window("2022-01", "2022-02-31")
    with pytest.raises(InvalidParameter, match="is before since"):
        window("2022-05", "2022-04")
