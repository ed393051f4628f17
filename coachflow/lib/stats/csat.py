"""Customer satisfaction (CSAT): the top-two-box share of a 1–5 rating, with a Wilson interval.

CSAT = satisfied / n, where "satisfied" answers are 4 or 5 on the 1–5 scale. The mean rating is
shown beside it, since two teams with the same share can differ in how many gave a 1.

The interval is Wilson's score interval (Wilson, "Probable inference, the law of succession, and
statistical inference", JASA 22, 1927), computed by ``scipy.stats.binomtest(…).proportion_ci(
method="wilson")``:

    centre = (p̂ + z²/2n) / (1 + z²/n)
    half   = z / (1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²)

with p̂ = satisfied / n and z = Φ⁻¹(1 − α/2). Unlike the plain Wald interval it stays inside
[0, 1] and does not collapse to a point when every answer is a 4 or a 5.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scipy.stats import binomtest

from coachflow.lib.stats import small_sample, z_value

SATISFIED_FROM = 4  # 4 and 5 count as satisfied
SCALE = (1, 5)


@dataclass(frozen=True)
class CsatEstimate:
    """A CSAT share with its interval and the mean; ``share``, ``low``, ``high`` and ``mean`` are
    None when n = 0. Shares are fractions (0…1), the mean is on the 1–5 scale."""

    satisfied: int
    n: int
    share: float | None
    low: float | None
    high: float | None
    mean: float | None
    level: float

    @property
    def known(self) -> bool:
        return self.share is not None

    @property
    def small(self) -> bool:
        """Too few answers to compare or rank (see ``coachflow.lib.stats.SMALL_SAMPLE``)."""
        return small_sample(self.n)


def csat(satisfied: int, n: int, score_sum: int, *, level: float = 0.95) -> CsatEstimate:
    """CSAT from ``satisfied`` answers (4–5) of ``n`` whose ratings add up to ``score_sum``."""
    z_value(level)  # refuses a level outside (0, 1)
    if n < 0 or not 0 <= satisfied <= n:
        raise ValueError("satisfied answers must be between 0 and n")
    if n == 0:
        return CsatEstimate(0, 0, None, None, None, None, level)
    if not SCALE[0] * n <= score_sum <= SCALE[1] * n:
        raise ValueError("the ratings' sum does not fit n ratings on the 1–5 scale")
    interval = binomtest(satisfied, n).proportion_ci(confidence_level=level, method="wilson")
    return CsatEstimate(
        satisfied=satisfied,
        n=n,
        share=satisfied / n,
        low=max(0.0, float(interval.low)),
        high=min(1.0, float(interval.high)),
        mean=score_sum / n,
        level=level,
    )


def csat_of_histogram(histogram: Mapping[int, int], *, level: float = 0.95) -> CsatEstimate:
    """CSAT from how many answers gave each rating 1–5."""
    if any(not SCALE[0] <= score <= SCALE[1] for score in histogram):
        raise ValueError("a CSAT rating lies between 1 and 5")
    n = sum(histogram.values())
    satisfied = sum(count for score, count in histogram.items() if score >= SATISFIED_FROM)
    total = sum(score * count for score, count in histogram.items())
    return csat(satisfied, n, total, level=level)
