"""Did coaching work? A difference in differences for one coached rep against their team.

For one metric: the coached rep's change from the period before the cycle to the cycle's
period, minus the average change of the rest of the team over the same two periods,

    DiD = (y_rep,after − y_rep,before) − mean_j (y_j,after − y_j,before).

With one treated unit the uncertainty comes from how much the untreated units' changes vary:
the rep's change is compared with the distribution of the team's changes (Conley & Taber,
"Inference with 'Difference in Differences' with a Small Number of Policy Changes", Review of
Economics and Statistics 93(1), 2011). The interval is the prediction interval of one new draw
from the controls' changes,

    DiD ± t(1 − α/2; n − 1) · s · √(1 + 1/n),

with s the sample standard deviation of the n controls' changes (Student's t, ``scipy``). It
needs at least two controls. The verdict is given only when the interval excludes zero;
otherwise it is too early to say.
"""

from __future__ import annotations

import enum
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import t as student_t

MIN_CONTROLS = 2


class Verdict(enum.StrEnum):
    BETTER = "better"  # the interval lies above zero
    WORSE = "worse"  # the interval lies below zero
    TOO_EARLY = "too_early"  # the interval holds zero, or too few controls


@dataclass(frozen=True)
class DiD:
    rep_change: float
    team_change: float | None  # the controls' mean change
    estimate: float | None
    low: float | None
    high: float | None
    controls: int
    verdict: Verdict


def difference_in_differences(
    rep_before: float,
    rep_after: float,
    controls: Sequence[tuple[float, float]],
    *,
    level: float = 0.95,
) -> DiD:
    """The rep's change minus the team's mean change, with its ``level`` prediction interval;
    ``controls`` are the (before, after) values of the rest of the team."""
    if not 0 < level < 1:
        raise ValueError(f"a confidence level lies strictly between 0 and 1, not {level}")
    rep_change = rep_after - rep_before
    changes = [after - before for before, after in controls]
    n = len(changes)
    if n == 0:
        return DiD(rep_change, None, None, None, None, 0, Verdict.TOO_EARLY)
    team_change = statistics.fmean(changes)
    estimate = rep_change - team_change
    if n < MIN_CONTROLS:
        return DiD(rep_change, team_change, estimate, None, None, n, Verdict.TOO_EARLY)
    spread = statistics.stdev(changes) * math.sqrt(1 + 1 / n)
    half = float(student_t.ppf(1 - (1 - level) / 2, n - 1)) * spread
    low, high = estimate - half, estimate + half
    if low > 0:
        verdict = Verdict.BETTER
    elif high < 0:
        verdict = Verdict.WORSE
    else:
        verdict = Verdict.TOO_EARLY
    return DiD(rep_change, team_change, estimate, low, high, n, verdict)
