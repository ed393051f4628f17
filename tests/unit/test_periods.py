"""Sales periods: bounds, labels, parsing, and moving from one period to the next."""

from __future__ import annotations

import datetime

import pytest

from coachflow.lib.figures import elapsed_share, period_choices, shifted
from coachflow.lib.periods import Period, PeriodKind, parse_period

D = datetime.date
MONTH, QUARTER, YEAR = PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR


@pytest.mark.parametrize(
    ("period", "end"),
    [
        (Period(D(2026, 5, 1), MONTH), D(2026, 6, 1)),
        (Period(D(2026, 12, 1), MONTH), D(2027, 1, 1)),
        (Period(D(2026, 2, 1), MONTH), D(2026, 3, 1)),
        (Period(D(2026, 10, 1), QUARTER), D(2027, 1, 1)),
        (Period(D(2026, 4, 1), QUARTER), D(2026, 7, 1)),
        (Period(D(2026, 1, 1), YEAR), D(2027, 1, 1)),
    ],
)
def test_end_is_the_first_day_after_the_period(period, end):
    assert period.end == end


@pytest.mark.parametrize(
    ("period", "label"),
    [
        (Period(D(2026, 5, 1), MONTH), "2026-05"),
        (Period(D(2026, 10, 1), QUARTER), "2026-Q4"),
        (Period(D(2026, 1, 1), YEAR), "2026"),
    ],
)
def test_label_round_trips_through_parsing(period, label):
    assert period.label == label
    assert parse_period(label) == period


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026", Period(D(2026, 1, 1), YEAR)),
        (" 2026 ", Period(D(2026, 1, 1), YEAR)),
        ("2026-Q2", Period(D(2026, 4, 1), QUARTER)),
        ("2026Q3", Period(D(2026, 7, 1), QUARTER)),
        ("q1 2027", Period(D(2027, 1, 1), QUARTER)),
        ("Q4/2025", Period(D(2025, 10, 1), QUARTER)),
        ("2026-05", Period(D(2026, 5, 1), MONTH)),
        ("2026/5", Period(D(2026, 5, 1), MONTH)),
        ("05/2026", Period(D(2026, 5, 1), MONTH)),
        ("12.2026", Period(D(2026, 12, 1), MONTH)),
    ],
)
def test_parse_reads_the_forms_crms_write(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "26",
        "2026-13",
        "2026-00",
        "2026-Q5",
        "Q0 2026",
        "May 2026",
        "2026-05-01",
        "next quarter",
    ],
)
def test_parse_refuses_anything_else(text):
    with pytest.raises(ValueError, match="is not a period"):
        parse_period(text)


def test_contains_includes_the_first_day_and_excludes_the_end():
    q2 = Period(D(2026, 4, 1), QUARTER)
    assert q2.contains(D(2026, 4, 1))
    assert q2.contains(D(2026, 6, 30))
    assert not q2.contains(D(2026, 7, 1))
    assert not q2.contains(D(2026, 3, 31))


@pytest.mark.parametrize(
    ("day", "kind", "start"),
    [
        (D(2026, 11, 25), MONTH, D(2026, 11, 1)),
        (D(2026, 11, 25), QUARTER, D(2026, 10, 1)),
        (D(2026, 3, 31), QUARTER, D(2026, 1, 1)),
        (D(2026, 4, 1), QUARTER, D(2026, 4, 1)),
        (D(2026, 11, 25), YEAR, D(2026, 1, 1)),
    ],
)
def test_containing_finds_the_period_of_a_day(day, kind, start):
    assert Period.containing(day, kind) == Period(start, kind)


def test_periods_order_by_start():
    assert Period(D(2026, 1, 1), MONTH) < Period(D(2026, 2, 1), MONTH)


@pytest.mark.parametrize(
    ("period", "steps", "expected"),
    [
        (Period(D(2026, 1, 1), MONTH), -1, Period(D(2025, 12, 1), MONTH)),
        (Period(D(2026, 12, 1), MONTH), 1, Period(D(2027, 1, 1), MONTH)),
        (Period(D(2026, 1, 1), QUARTER), -1, Period(D(2025, 10, 1), QUARTER)),
        (Period(D(2026, 10, 1), QUARTER), 1, Period(D(2027, 1, 1), QUARTER)),
        (Period(D(2026, 4, 1), QUARTER), -8, Period(D(2024, 4, 1), QUARTER)),
        (Period(D(2026, 1, 1), YEAR), -2, Period(D(2024, 1, 1), YEAR)),
        (Period(D(2026, 5, 1), MONTH), 0, Period(D(2026, 5, 1), MONTH)),
    ],
)
def test_shifted_moves_by_whole_periods_across_years(period, steps, expected):
    assert shifted(period, steps) == expected


def test_period_choices_are_the_recent_periods_newest_first():
    choices = period_choices(D(2026, 2, 10), months=3, quarters=2, years=2)
    assert [p.label for p in choices[MONTH]] == ["2026-02", "2026-01", "2025-12"]
    assert [p.label for p in choices[QUARTER]] == ["2026-Q1", "2025-Q4"]
    assert [p.label for p in choices[YEAR]] == ["2026", "2025"]


def test_elapsed_share_only_for_the_running_period():
    q4 = Period(D(2026, 10, 1), QUARTER)
    assert elapsed_share(q4, D(2026, 10, 1)) == 0
    assert elapsed_share(q4, D(2026, 11, 16)) == pytest.approx(46 / 92)
    assert elapsed_share(q4, D(2027, 1, 1)) is None
    assert elapsed_share(q4, D(2026, 9, 30)) is None
