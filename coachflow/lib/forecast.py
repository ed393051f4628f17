"""Where a sales period will end: a projection of won revenue with a range. Pure code.

The method, as the forecast page states it:

1. **Seasonality.** For each earlier period of the same kind, the share ``s_i`` of its won
   revenue that had been won by the same point of the period as today (day 45 of 91 of a
   quarter, say). Quarter-end pushes make ``s_i`` smaller than the elapsed fraction. Their
   mean ``s`` is the share expected by now; with no earlier period, ``s`` is the elapsed
   fraction itself (an even run rate).
2. **Run rate.** Revenue won so far ``W``, scaled by the seasonality: the rest of the period
   should bring ``W × (1 − s) / s``.
3. **Open deals weighted by stage.** Deals have three stages (open, won, lost), so an open
   deal is weighted by the rep's win rate (won value ÷ closed value over earlier periods):
   the pipeline should bring ``p × O``. When both are known, the rest of the period is their
   mean; otherwise whichever is known.
4. **Range (about 80 %).** ``expected ± 1.28 σ`` where ``σ²`` adds the spread of the run-rate
   remainder over the earlier periods' shares (seasons differ) and the luck of the deals still
   to come (a Poisson count: a remainder made of ``m`` deals varies by about ``1/√m`` of itself).
   The low end never falls below what is already won.

Attainment is the projected revenue ÷ the quota of the period, when there is one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z_80 = 1.2816  # two-sided 80 % of the normal distribution
MIN_SHARE = 0.05  # below this a period has hardly started: the run rate says little
DEFAULT_SHARE_SPREAD = 0.1  # the spread of seasonality assumed with fewer than two earlier periods


@dataclass(frozen=True)
class ForecastInput:
    """What is known of one rep (or team) at a point in a period; amounts in minor units."""

    won_minor: int
    won_deals: int
    elapsed: float  # the fraction of the period that has passed, 0 to 1
    open_minor: int = 0
    win_rate: float | None = None  # won value ÷ closed value, earlier periods
    season_shares: Sequence[float] = ()  # per earlier period: share won by the same point
    target_minor: int | None = None


@dataclass(frozen=True)
class Forecast:
    """A projected end-of-period revenue with its range, and attainment when there is a quota."""

    expected_minor: int
    low_minor: int
    high_minor: int
    target_minor: int | None
    share_expected: float  # the seasonality's share of the period won by now

    @property
    def attainment(self) -> float | None:
        return self.expected_minor / self.target_minor if self.target_minor else None

    @property
    def low_attainment(self) -> float | None:
        return self.low_minor / self.target_minor if self.target_minor else None

    @property
    def high_attainment(self) -> float | None:
        return self.high_minor / self.target_minor if self.target_minor else None

    def covers(self, actual_minor: int) -> bool:
        """Whether ``actual_minor`` lies within the range (the back-test asks)."""
        return self.low_minor <= actual_minor <= self.high_minor


def expected_share(elapsed: float, shares: Sequence[float]) -> float:
    """The share of a period's revenue expected by ``elapsed``: the earlier periods' mean share,
    else the elapsed fraction; kept within ``[MIN_SHARE, 1]``."""
    usable = [s for s in shares if s is not None]
    share = sum(usable) / len(usable) if usable else elapsed
    return min(1.0, max(MIN_SHARE, share))


def forecast(data: ForecastInput) -> Forecast:
    """Project the period's end from ``data`` (see the module docstring for the method)."""
    elapsed = min(1.0, max(0.0, data.elapsed))
    won = max(0, data.won_minor)
    if elapsed >= 1.0:
        return Forecast(won, won, won, data.target_minor, 1.0)
    share = expected_share(elapsed, data.season_shares)
    run_rest = won * (1 - share) / share
    pipeline_rest = (
        data.win_rate * data.open_minor if data.win_rate is not None and data.open_minor else None
    )
    rest = run_rest if pipeline_rest is None else (run_rest + pipeline_rest) / 2

    usable = [min(1.0, max(MIN_SHARE, s)) for s in data.season_shares]
    if len(usable) >= 2:
        rests = [won * (1 - s) / s for s in usable]
        mean_rest = sum(rests) / len(rests)
        # Plain floats: statistics.pstdev works in fractions, too slow for a thousand reps.
        season_sd = math.sqrt(sum((r - mean_rest) ** 2 for r in rests) / len(rests))
    else:
        low_share = max(MIN_SHARE, share - DEFAULT_SHARE_SPREAD)
        season_sd = (won * (1 - low_share) / low_share - run_rest) / 2
    expected_rest_deals = data.won_deals * (1 - share) / share if won else 0.0
    luck_sd = rest / math.sqrt(max(expected_rest_deals, 1.0))
    sd = math.sqrt(season_sd**2 + luck_sd**2)
    expected = won + rest
    low = max(won, expected - Z_80 * sd)
    high = expected + Z_80 * sd
    return Forecast(round(expected), round(low), round(high), data.target_minor, share)


def share_by(part_minor: int, whole_minor: int) -> float | None:
    """The share of a period's revenue won by a point: None for a period without revenue."""
    return part_minor / whole_minor if whole_minor > 0 else None


def elapsed_fraction(days_passed: int, days_in_period: int) -> float:
    """How much of a period has passed, 0 to 1."""
    if days_in_period <= 0:
        return 1.0
    return min(1.0, max(0.0, days_passed / days_in_period))
