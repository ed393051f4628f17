"""Due dates in working days skip weekends."""

from __future__ import annotations

import datetime

import pytest

from coachflow.lib.workdays import add_workdays, is_workday, workdays_between

UTC = datetime.UTC


def at(day: int, hour: int = 10) -> datetime.datetime:
    # December 2026: the 7th is a Monday, the 11th a Friday, the 12th/13th the weekend.
    return datetime.datetime(2026, 12, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (at(7), 2, at(9)),  # Monday + 2 → Wednesday
        (at(10), 2, at(14)),  # Thursday + 2 → Monday
        (at(11), 1, at(14)),  # Friday + 1 → Monday
        (at(11), 2, at(15)),  # Friday + 2 → Tuesday
        (at(12), 1, at(14)),  # Saturday + 1 → Monday
        (at(13), 2, at(15)),  # Sunday + 2 → Tuesday
        (at(7), 5, at(14)),  # a whole week
        (at(7), 10, at(21)),
        (at(9, 17), 0, at(9, 17)),  # zero days: the start itself
    ],
)
def test_add_workdays_skips_weekends(start, days, due):
    assert add_workdays(start, days) == due


def test_due_date_keeps_the_time_of_day_and_zone():
    due = add_workdays(at(11, 23), 1)
    assert (due.hour, due.tzinfo) == (23, UTC)


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="negative"):
        add_workdays(at(7), -1)


def test_weekend_days_are_not_workdays():
    assert [is_workday(datetime.date(2026, 12, d)) for d in range(7, 14)] == [True] * 5 + [
        False,
        False,
    ]


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (7, 9, 2),
        (11, 14, 1),
        (7, 21, 10),
        (12, 13, 0),
        (9, 9, 0),
        (14, 11, -1),
    ],
)
def test_workdays_between_counts_only_weekdays(start, end, count):
    assert workdays_between(datetime.date(2026, 12, start), datetime.date(2026, 12, end)) == count


def test_add_and_count_agree_over_a_year():
    start = at(1)
    for days in range(0, 260, 7):
        due = add_workdays(start, days)
        assert workdays_between(start.date(), due.date()) == days
