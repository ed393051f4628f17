"""A goal's expected pace is linear between the cycle's start and its due date for sums, and
the target itself for rates."""

from __future__ import annotations

import datetime

import pytest

from coachflow.lib.pace import pace, share_of_time

START = datetime.date(2026, 1, 1)
DUE = datetime.date(2026, 4, 1)  # 90 days later


@pytest.mark.parametrize(
    ("today", "share"),
    [
        (datetime.date(2025, 12, 1), 0.0),
        (START, 0.0),
        (datetime.date(2026, 2, 15), 45 / 90),
        (DUE, 1.0),
        (datetime.date(2026, 6, 1), 1.0),
    ],
)
def test_share_of_time_is_linear_and_clamped(today, share):
    assert share_of_time(START, DUE, today) == pytest.approx(share)


def test_a_goal_due_at_its_start_is_all_due_at_once():
    assert share_of_time(START, START, START) == 1.0
    assert share_of_time(START, START - datetime.timedelta(days=1), START) == 1.0


def test_revenue_below_the_pace_of_today_is_behind():
    halfway = datetime.date(2026, 2, 15)
    result = pace(40_000, 100_000, START, DUE, halfway, cumulative=True)
    assert result.expected == pytest.approx(50_000)
    assert result.behind
    assert not result.met
    assert result.progress == pytest.approx(0.4)


def test_revenue_ahead_of_pace_is_not_behind():
    result = pace(60_000, 100_000, START, DUE, datetime.date(2026, 2, 15), cumulative=True)
    assert not result.behind


def test_a_cumulative_goal_without_a_value_counts_as_zero():
    result = pace(None, 10, START, DUE, datetime.date(2026, 3, 1), cumulative=True)
    assert result.behind
    assert result.progress is None


def test_a_reached_target_is_met():
    result = pace(100_000, 100_000, START, DUE, DUE, cumulative=True)
    assert result.met
    assert not result.behind
    assert result.progress == 1.0


def test_a_rate_is_expected_at_its_target_from_the_first_day():
    result = pace(28.0, 30.0, START, DUE, START + datetime.timedelta(days=1), cumulative=False)
    assert result.expected == 30.0
    assert result.behind


def test_a_rate_without_a_value_is_not_judged():
    result = pace(None, 40.0, START, DUE, DUE, cumulative=False)
    assert not result.behind
    assert not result.met


def test_a_negative_nps_target_can_be_met():
    assert pace(-5.0, -10.0, START, DUE, DUE, cumulative=False).met


def test_zero_target_has_no_progress_ratio():
    assert pace(3, 0, START, DUE, DUE, cumulative=True).progress is None
