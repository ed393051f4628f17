"""Net Promoter Score from the counts of its three bands, with an adjusted-Wald interval.

Bands on the 0–10 scale: promoters 9–10, passives 7–8, detractors 0–6.
NPS = 100 × (promoters − detractors) / n, from −100 to 100.

The interval is the adjusted Wald interval for a difference of two shares of one multinomial
sample (Rocks, "Interval estimation for the 'net promoter score'", The American Statistician
70(4), 2016; the same as Sauro & Lewis's adjusted-Wald NPS interval):

- add 0.75 promoter, 0.75 detractor and 1.5 passive pseudo-answers, so n' = n + 3;
- p̂_P = (promoters + 0.75) / n',  p̂_D = (detractors + 0.75) / n';
- Var(p̂_P − p̂_D) = (p̂_P + p̂_D − (p̂_P − p̂_D)²) / n';
- interval = 100 × ((p̂_P − p̂_D) ± z·√Var), clipped to [−100, 100], with z = Φ⁻¹(1 − α/2).

The interval is centred on the adjusted difference, the headline value is the plain NPS: the
pseudo-answers only steady the interval of small samples (they keep it from collapsing to a
point when every answer is a promoter).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from coachflow.lib.stats import SMALL_SAMPLE, small_sample, z_value

PSEUDO_PROMOTERS = 0.75
PSEUDO_DETRACTORS = 0.75
PSEUDO_PASSIVES = 1.5


def band(score: int) -> str:
    """The band of a 0–10 score: ``promoter`` (9–10), ``passive`` (7–8), ``detractor`` (0–6)."""
    if not 0 <= score <= 10:
        raise ValueError(f"an NPS score lies between 0 and 10, not {score}")
    if score >= 9:
        return "promoter"
    if score >= 7:
        return "passive"
    return "detractor"


def band_counts(histogram: Mapping[int, int]) -> tuple[int, int, int]:
    """``(promoters, passives, detractors)`` from how many answers gave each 0–10 score."""
    counts = {"promoter": 0, "passive": 0, "detractor": 0}
    for score, count in histogram.items():
        counts[band(score)] += count
    return counts["promoter"], counts["passive"], counts["detractor"]


@dataclass(frozen=True)
class Estimate:
    """An NPS with its counts and interval; ``value``, ``low`` and ``high`` are None when n = 0.

    Values are on the NPS scale (−100…100); shares are fractions (0…1).
    """

    value: float | None
    promoters: int
    passives: int
    detractors: int
    low: float | None
    high: float | None
    level: float

    @property
    def n(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def known(self) -> bool:
        """Whether there is an estimate at all (at least one answer)."""
        return self.value is not None

    @property
    def small(self) -> bool:
        """Too few answers to compare or rank (see ``coachflow.lib.stats.SMALL_SAMPLE``)."""
        return small_sample(self.n)

    def _share(self, count: int) -> float | None:
        return count / self.n if self.n else None

    @property
    def promoter_share(self) -> float | None:
        return self._share(self.promoters)

    @property
    def passive_share(self) -> float | None:
        return self._share(self.passives)

    @property
    def detractor_share(self) -> float | None:
        return self._share(self.detractors)


def nps(promoters: int, passives: int, detractors: int, *, level: float = 0.95) -> Estimate:
    """NPS and its adjusted-Wald interval at ``level`` (see the module docstring for formulas)."""
    if min(promoters, passives, detractors) < 0:
        raise ValueError("band counts cannot be negative")
    z = z_value(level)
    n = promoters + passives + detractors
    if n == 0:
        return Estimate(None, 0, 0, 0, None, None, level)
    value = 100 * (promoters - detractors) / n
    adjusted_n = n + PSEUDO_PROMOTERS + PSEUDO_PASSIVES + PSEUDO_DETRACTORS  # n + 3
    p_promoter = (promoters + PSEUDO_PROMOTERS) / adjusted_n
    p_detractor = (detractors + PSEUDO_DETRACTORS) / adjusted_n
    difference = p_promoter - p_detractor
    variance = (p_promoter + p_detractor - difference**2) / adjusted_n
    half_width = z * math.sqrt(variance)
    low = max(-100.0, 100 * (difference - half_width))
    high = min(100.0, 100 * (difference + half_width))
    return Estimate(value, promoters, passives, detractors, low, high, level)


def nps_of_scores(scores: Iterable[int], *, level: float = 0.95) -> Estimate:
    """NPS of raw 0–10 scores (for small lists; pages count bands in SQL)."""
    histogram: dict[int, int] = {}
    for score in scores:
        histogram[score] = histogram.get(score, 0) + 1
    return nps(*band_counts(histogram), level=level)


__all__ = ["SMALL_SAMPLE", "Estimate", "band", "band_counts", "nps", "nps_of_scores"]
