"""Pure statistics: plain functions on plain numbers, no Flask and no database.

``nps`` and ``csat`` turn counts into estimates with confidence intervals; this module holds what
they share: the normal quantile of a confidence level and the small-sample rule.

**Small samples.** A figure from fewer than ``SMALL_SAMPLE`` answers (30) is marked and never
ranked. The threshold follows from the NPS interval: with a typical mix (half promoters, a fifth
detractors) the 95% score interval at n = 30 runs from about 0 to +55 around +30, some ±27 points,
already wider than the usual spread between two reps of one team; below 30 a difference between
two people says more about luck than about them. The same n keeps the CSAT Wilson interval within
about ±15 points around a share near 80%.
"""

from __future__ import annotations

from scipy.stats import norm

SMALL_SAMPLE = 30
LEVELS = (0.90, 0.95)  # the confidence levels the pages offer


def z_value(level: float) -> float:
    """The two-sided normal quantile of ``level``: z = Φ⁻¹(1 − (1 − level) / 2).

    1.6449 for 90%, 1.9600 for 95% (``scipy.stats.norm.ppf``).
    """
    if level in _Z:
        return _Z[level]
    if not 0 < level < 1:
        raise ValueError(f"a confidence level lies strictly between 0 and 1, not {level}")
    return _quantile(level)


def _quantile(level: float) -> float:
    return float(norm.ppf(1 - (1 - level) / 2))


# The offered levels' quantiles, computed once at import (a constant table, not a cache):
# ``norm.ppf`` costs some 0.1 ms, and a company page asks for it per team.
_Z = {level: _quantile(level) for level in LEVELS}


def small_sample(n: int, threshold: int = SMALL_SAMPLE) -> bool:
    """Whether ``n`` answers are too few to compare or rank (fewer than ``threshold``, 30)."""
    return n < threshold
