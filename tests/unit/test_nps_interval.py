"""The NPS interval agrees with the score it accompanies and covers the truth as often as it says.

Coverage is computed exactly, not by simulation: for each true mix of promoters, passives and
detractors, the probability of every possible sample of n answers (multinomial) is summed over
the samples whose interval contains the true NPS. Exact figures are deterministic and have no
simulation error to allow for.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from scipy.stats import multinomial

from coachflow.lib.stats.nps import nps

# Realistic mixes: promoters and detractors from 10 % to 80 %, passives from 10 % to 50 %.
GRID = [(p / 10, d / 10) for p in range(1, 9) for d in range(1, 9) if 5 <= p + d <= 9]


def test_every_interval_contains_its_score_up_to_thirty_answers():
    for n in range(1, 31):
        for promoters in range(n + 1):
            for detractors in range(n + 1 - promoters):
                estimate = nps(promoters, n - promoters - detractors, detractors)
                assert estimate.low <= estimate.value <= estimate.high, (promoters, detractors, n)


def test_one_promoter_reads_plus_100_inside_its_interval():
    estimate = nps(1, 0, 0)
    assert estimate.value == 100
    assert estimate.high == 100
    assert -60 < estimate.low < -55


@functools.cache
def _samples(n: int) -> tuple[list[tuple[int, int, int]], np.ndarray, np.ndarray]:
    """Every possible sample of ``n`` answers, with its interval's bounds at 95 %."""
    outcomes = [(p, n - p - d, d) for p in range(n + 1) for d in range(n + 1 - p)]
    estimates = [nps(*outcome) for outcome in outcomes]
    return (
        outcomes,
        np.array([e.low for e in estimates]),
        np.array([e.high for e in estimates]),
    )


def _exact_coverage(n: int, promoters: float, detractors: float) -> float:
    outcomes, lows, highs = _samples(n)
    truth = 100 * (promoters - detractors)
    covered = (lows - 1e-9 <= truth) & (truth <= highs + 1e-9)
    chances = multinomial.pmf(outcomes, n, [promoters, 1 - promoters - detractors, detractors])
    return float(chances[covered].sum())


@pytest.mark.parametrize("n", [10, 30, 100])
def test_the_95_percent_interval_covers_the_truth_93_to_97_5_percent_of_the_time(n):
    coverages = [_exact_coverage(n, p, d) for p, d in GRID]
    assert min(coverages) >= 0.93
    assert max(coverages) <= 0.975


def test_at_a_hundred_answers_coverage_is_close_to_95_percent_everywhere():
    coverages = [_exact_coverage(100, p, d) for p, d in GRID]
    assert min(coverages) >= 0.945
    assert max(coverages) <= 0.955


def test_the_offered_levels_quantiles_are_the_normal_ones():
    from scipy.stats import norm

    from coachflow.lib.stats import LEVELS, z_value

    for level in (*LEVELS, 0.8):
        assert z_value(level) == pytest.approx(norm.ppf(1 - (1 - level) / 2))
    assert z_value(0.95) == pytest.approx(1.959964)
    with pytest.raises(ValueError, match="strictly between"):
        z_value(1.0)
