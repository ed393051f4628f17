"""Due dates in working days: Saturdays and Sundays do not count."""

from __future__ import annotations

import datetime

SATURDAY = 5


def is_workday(day: datetime.date) -> bool:
    """Monday to Friday."""
    return day.weekday() < SATURDAY


def add_workdays(start: datetime.datetime, days: int) -> datetime.datetime:
    """``start`` moved on by ``days`` working days, at the same time of day.

    A start on a weekend counts from the next Monday's morning hours as if it were Friday's
    time: Saturday 10:00 plus one working day is Monday 10:00. ``days`` must be >= 0; zero
    gives ``start`` itself.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    moment = start
    added = 0
    while added < days:
        moment += datetime.timedelta(days=1)
        if is_workday(moment.date()):
            added += 1
    return moment


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    """Working days in ``(start, end]``: how many working days ``end`` lies after ``start``
    (zero or negative when ``end`` is not later)."""
    if end <= start:
        return -workdays_between(end, start) if end < start else 0
    full_weeks, rest = divmod((end - start).days, 7)
    count = full_weeks * 5
    day = start + datetime.timedelta(days=full_weeks * 7)
    for _ in range(rest):
        day += datetime.timedelta(days=1)
        count += is_workday(day)
    return count
