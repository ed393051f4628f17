"""The two-sample test of a change in NPS between two rounds (coachflow.lib.stats.nps_change)."""

from __future__ import annotations

import math

import pytest

from coachflow.lib.stats.nps_change import nps_change, nps_variance


def test_variance_matches_the_multinomial_formula_by_hand():
    # 50 promoters, 30 passives, 20 detractors: (0.5 + 0.2 − 0.3²) / 100 = 0.0061
    assert nps_variance(50, 30, 20) == pytest.approx(0.0061)


def test_variance_of_a_unanimous_round_is_zero():
    assert nps_variance(10, 0, 0) == 0
    assert nps_variance(0, 7, 0) == 0


def test_variance_needs_answers():
    with pytest.raises(ValueError, match="at least one answer"):
        nps_variance(0, 0, 0)


def test_a_large_rise_over_many_answers_is_more_than_noise():
    change = nps_change((30, 40, 30), (60, 30, 10))
    assert change.delta == pytest.approx(50)
    var = (0.6 - 0.0) / 100 + (0.7 - 0.25) / 100
    assert change.z == pytest.approx(0.5 / math.sqrt(var))
    assert change.significant
    assert change.p_value < 0.001


def test_the_same_rise_in_a_team_of_six_is_within_noise():
    change = nps_change((2, 2, 2), (3, 2, 1))
    assert change.delta == pytest.approx(100 * (2 / 6 - 0))
    assert not change.significant
    assert change.p_value > 0.05


def test_no_change_is_never_significant():
    change = nps_change((5, 5, 5), (5, 5, 5))
    assert change.delta == 0
    assert change.p_value == pytest.approx(1)
    assert not change.significant


def test_unanimous_rounds_that_differ_are_certain():
    change = nps_change((6, 0, 0), (0, 0, 6))
    assert change.delta == -200
    assert change.significant


def test_a_round_without_answers_gives_no_verdict():
    change = nps_change((0, 0, 0), (3, 1, 1))
    assert change.delta is None
    assert not change.significant
