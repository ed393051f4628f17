"""A goal's progress and the pace expected of it on a given day. Pure code.

Two kinds of goal:

- **cumulative** (revenue, bookings, number of estimates, most manual goals): the value grows
  over the cycle, so the expected value on a day is the target times the share of the time
  between the cycle's start and the goal's due date that has passed (linear pace);
- **rate** (margin %, NPS, CSAT, resolution rate): the value is a level, not a sum, so the
  expected value is the target itself from the first day.

A goal is **behind** when its value is below the expected value; a rate without a value yet
(no answers, no deals) is not judged.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Pace:
    """Where a goal stands on ``today``."""

    value: float | None
    target: float
    expected: float  # the value expected today
    share_of_time: float  # 0 … 1, time passed between start and due date
    behind: bool
    met: bool

    @property
    def progress(self) -> float | None:
        """Value ÷ target (1.0 is the target reached); None without a value or a zero target."""
        if self.value is None or not self.target:
            return None
        return self.value / self.target


def share_of_time(start: datetime.date, due: datetime.date, today: datetime.date) -> float:
    """The share of ``[start, due]`` passed on ``today``, clamped to 0 … 1 (1 from the due date
    on; a goal due on or before its start is all due at once)."""
    if today >= due:
        return 1.0
    if due <= start or today <= start:
        return 0.0
    return (today - start).days / (due - start).days


def pace(
    value: float | None,
    target: float,
    start: datetime.date,
    due: datetime.date,
    today: datetime.date,
    *,
    cumulative: bool,
) -> Pace:
    """Progress of ``value`` towards ``target``, expected pace on ``today`` and whether behind."""
    share = share_of_time(start, due, today)
    if cumulative:
        current = value or 0.0
        expected = target * share
        behind = current < expected
        met = current >= target
    else:
        expected = target
        behind = value is not None and value < target
        met = value is not None and value >= target
    return Pace(value, target, expected, share, behind, met)
