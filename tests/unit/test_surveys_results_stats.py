"""NPS and CSAT with their intervals, checked against computations done by hand.

Each case writes the hand computation out as numbers, so a reader can redo it on paper:
z(95%) = 1.959964, z(90%) = 1.644854.
"""

from __future__ import annotations

import math

import pytest

from coachflow.lib.stats import SMALL_SAMPLE, small_sample, z_value
from coachflow.lib.stats.csat import csat, csat_of_histogram
from coachflow.lib.stats.nps import band, band_counts, nps, nps_of_scores, score_statistic

Z95 = 1.959964
Z90 = 1.644854


def test_z_values_are_the_normal_quantiles_of_90_and_95_percent():
    assert z_value(0.95) == pytest.approx(Z95, abs=1e-6)
    assert z_value(0.90) == pytest.approx(Z90, abs=1e-6)


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1])
def test_a_level_outside_zero_and_one_is_refused(level):
    with pytest.raises(ValueError, match="confidence level"):
        nps(1, 1, 1, level=level)


@pytest.mark.parametrize(
    ("score", "name"),
    [
        (0, "detractor"),
        (6, "detractor"),
        (7, "passive"),
        (8, "passive"),
        (9, "promoter"),
        (10, "promoter"),
    ],
)
def test_scores_fall_into_the_three_bands(score, name):
    assert band(score) == name


@pytest.mark.parametrize("score", [-1, 11])
def test_a_score_off_the_scale_has_no_band(score):
    with pytest.raises(ValueError, match="between 0 and 10"):
        band(score)


def test_band_counts_sum_a_histogram_of_scores():
    assert band_counts({10: 2, 9: 3, 8: 1, 7: 2, 6: 1, 0: 1}) == (5, 3, 2)


def test_ten_answers_five_promoters_two_detractors():
    # NPS = 100 × (5 − 2) / 10 = 30; the bounds are where Tango's score statistic reaches ±z.
    estimate = nps(5, 3, 2)
    assert estimate.value == pytest.approx(30)
    assert (estimate.promoters, estimate.passives, estimate.detractors, estimate.n) == (5, 3, 2, 10)
    assert (estimate.promoter_share, estimate.passive_share, estimate.detractor_share) == (
        pytest.approx(0.5),
        pytest.approx(0.3),
        pytest.approx(0.2),
    )
    assert score_statistic(5, 3, 2, estimate.low / 100) == pytest.approx(1.959964, abs=1e-6)
    assert score_statistic(5, 3, 2, estimate.high / 100) == pytest.approx(-1.959964, abs=1e-6)
    assert estimate.low == pytest.approx(-21.66, abs=0.01)
    assert estimate.high == pytest.approx(67.53, abs=0.01)
    assert estimate.level == 0.95
    ninety = nps(5, 3, 2, level=0.90)
    assert estimate.low < ninety.low < 30 < ninety.high < estimate.high


def test_the_interval_always_holds_the_score_it_accompanies():
    estimate = nps(5, 3, 2)
    assert estimate.low < estimate.value < estimate.high


def test_all_promoters_score_100_and_the_interval_reaches_100():
    # All n promoters: Z(δ) = √(n(1 − δ)/(1 + δ)), so low = (1 − z²/n) / (1 + z²/n).
    estimate = nps(10, 0, 0)
    ratio = 1.959964**2 / 10
    assert estimate.value == 100
    assert estimate.low == pytest.approx(100 * (1 - ratio) / (1 + ratio), abs=0.01)  # 44.49
    assert estimate.high == 100


def test_all_detractors_score_minus_100_and_the_interval_reaches_minus_100():
    estimate = nps(0, 0, 10)
    assert estimate.value == -100
    assert estimate.low == -100
    assert estimate.high == pytest.approx(-44.49, abs=0.01)


def test_one_promoter_gives_a_score_inside_a_very_wide_interval():
    # n = 1: low = (1 − z²) / (1 + z²) = −0.5869; the score, +100, is the upper bound.
    estimate = nps(1, 0, 0)
    assert estimate.value == 100
    assert estimate.n == 1
    assert estimate.low == pytest.approx(-58.69, abs=0.01)
    assert estimate.high == 100
    assert estimate.small


def test_one_passive_gives_zero_with_a_symmetric_interval():
    # Z(δ) = −√(δ / (1 − δ)) for δ > 0, so high = z² / (1 + z²) = 0.7935.
    estimate = nps(0, 1, 0)
    assert estimate.value == 0
    assert estimate.low == pytest.approx(-79.35, abs=0.01)
    assert estimate.high == pytest.approx(79.35, abs=0.01)


def test_no_answers_give_no_estimate_but_keep_the_counts_and_level():
    estimate = nps(0, 0, 0, level=0.90)
    assert not estimate.known
    assert estimate.value is None
    assert estimate.low is None
    assert estimate.high is None
    assert estimate.n == 0
    assert estimate.promoter_share is None
    assert estimate.level == 0.90
    assert estimate.small


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        nps(-1, 0, 3)


def test_raw_scores_give_the_same_estimate_as_their_band_counts():
    assert nps_of_scores([10, 9, 9, 10, 9, 8, 7, 7, 6, 0]) == nps(5, 3, 2)


def test_more_answers_narrow_the_interval():
    small, large = nps(5, 3, 2), nps(50, 30, 20)
    assert large.high - large.low < (small.high - small.low) / 2


# CSAT -------------------------------------------------------------------------------------------


def test_csat_of_ten_ratings_seven_satisfied():
    # ratings 5,5,4,4,4,3,2,5,4,1: satisfied (4–5) = 7 of 10 → 70%; mean = 37 / 10 = 3.7
    # Wilson 95%: z² = 3.841459; z²/n = 0.384146; 1 + z²/n = 1.384146
    # centre = (0.7 + 3.841459 / 20) / 1.384146 = 0.892073 / 1.384146 = 0.644493
    # half = 1.959964 / 1.384146 × √(0.7 × 0.3 / 10 + 3.841459 / 400)
    #      = 1.415990 × √0.030604 = 1.415990 × 0.174940 = 0.247714 → [0.3968, 0.8922]
    estimate = csat_of_histogram({5: 3, 4: 4, 3: 1, 2: 1, 1: 1})
    assert (estimate.satisfied, estimate.n) == (7, 10)
    assert estimate.share == pytest.approx(0.7)
    assert estimate.mean == pytest.approx(3.7)
    assert estimate.low == pytest.approx(0.3968, abs=1e-4)
    assert estimate.high == pytest.approx(0.8922, abs=1e-4)


def test_csat_at_90_percent():
    # z = 1.644854; z² = 2.705543; 1 + z²/n = 1.270554
    # centre = (0.7 + 0.135277) / 1.270554 = 0.657412
    # half = 1.644854 / 1.270554 × √(0.021 + 0.006764) = 1.294597 × 0.166625 = 0.215711
    estimate = csat(7, 10, 37, level=0.90)
    assert estimate.low == pytest.approx(0.657412 - 0.215711, abs=1e-4)
    assert estimate.high == pytest.approx(0.657412 + 0.215711, abs=1e-4)


def test_all_satisfied_reach_100_percent_and_the_lower_bound_is_n_over_n_plus_z_squared():
    # k = n = 5: low = 5 / (5 + 3.841459) = 0.565518, high = 1
    estimate = csat(5, 5, 25)
    assert estimate.share == 1
    assert estimate.mean == 5
    assert estimate.low == pytest.approx(0.565518, abs=1e-5)
    assert estimate.high == 1


def test_one_rating_gives_a_share_and_a_wide_interval():
    # k = n = 1: low = 1 / (1 + 3.841459) = 0.206543
    estimate = csat(1, 1, 4)
    assert estimate.share == 1
    assert estimate.low == pytest.approx(0.206543, abs=1e-5)
    assert estimate.small


def test_no_ratings_give_no_csat():
    estimate = csat(0, 0, 0)
    assert not estimate.known
    assert estimate.share is None
    assert estimate.mean is None
    assert estimate.low is None
    assert estimate.high is None


def test_impossible_csat_counts_are_refused():
    with pytest.raises(ValueError, match="between 0 and n"):
        csat(3, 2, 8)
    with pytest.raises(ValueError, match="1–5"):
        csat(1, 2, 11)
    with pytest.raises(ValueError, match="between 1 and 5"):
        csat_of_histogram({0: 1})


# Small samples ----------------------------------------------------------------------------------


def test_fewer_than_thirty_answers_are_a_small_sample():
    assert SMALL_SAMPLE == 30
    assert small_sample(29)
    assert not small_sample(30)
    assert small_sample(0)
    assert not small_sample(12, threshold=10)


def test_the_threshold_keeps_the_nps_interval_near_27_points_for_a_typical_mix():
    # 15 promoters, 9 passives, 6 detractors (n = 30): half-width ≈ 27 points
    estimate = nps(15, 9, 6)
    assert math.isclose((estimate.high - estimate.low) / 2, 27, abs_tol=1.5)
