"""Difference in differences of one coached rep against their team, with a prediction interval
from the team's changes (Conley & Taber 2011)."""

from __future__ import annotations

import math

import pytest
from scipy.stats import t as student_t

from coachflow.lib.stats.did import Verdict, difference_in_differences


def test_the_estimate_is_the_reps_change_minus_the_teams_mean_change():
    result = difference_in_differences(100, 160, [(100, 110), (90, 100), (120, 130)])
    assert result.rep_change == 60
    assert result.team_change == pytest.approx(10)
    assert result.estimate == pytest.approx(50)
    assert result.controls == 3


def test_the_interval_is_the_t_prediction_interval_of_the_controls_changes():
    controls = [(0, 1), (0, 3), (0, 5), (0, 7)]  # changes 1, 3, 5, 7: mean 4, sd √(20/3)
    result = difference_in_differences(0, 20, controls)
    half = student_t.ppf(0.975, 3) * math.sqrt(20 / 3) * math.sqrt(1 + 1 / 4)
    assert result.low == pytest.approx(16 - half)
    assert result.high == pytest.approx(16 + half)
    assert result.verdict is Verdict.BETTER


def test_a_change_within_the_teams_noise_is_too_early_to_say():
    result = difference_in_differences(0, 5, [(0, 1), (0, 9), (0, -3), (0, 6)])
    assert result.low < 0 < result.high
    assert result.verdict is Verdict.TOO_EARLY


def test_a_clear_drop_is_worse():
    result = difference_in_differences(100, 40, [(100, 101), (100, 99), (100, 100)])
    assert result.verdict is Verdict.WORSE
    assert result.high < 0


@pytest.mark.parametrize("controls", [[], [(1, 2)]])
def test_fewer_than_two_controls_give_no_interval_and_no_verdict(controls):
    result = difference_in_differences(0, 10, controls)
    assert result.low is None
    assert result.high is None
    assert result.verdict is Verdict.TOO_EARLY


def test_identical_team_changes_make_a_zero_width_interval():
    result = difference_in_differences(0, 3, [(0, 1), (0, 1)])
    assert result.low == result.high == pytest.approx(2)
    assert result.verdict is Verdict.BETTER


def test_the_level_is_checked():
    with pytest.raises(ValueError, match="confidence level"):
        difference_in_differences(0, 1, [(0, 1), (0, 2)], level=1.0)
