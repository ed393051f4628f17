"""Whether an NPS changed between two independent samples (two pulse rounds) by more than noise.

The NPS of one sample is d̂ = p̂₊ − p̂₋, the difference of two shares of one multinomial sample.
Its variance is the variance of a difference of multinomial proportions:

    Var(d̂) = (p₊ + p₋ − (p₊ − p₋)²) / n

(e.g. Rocks, "Tracking the Net Promoter Score", or any text on multinomial proportions:
Var(p̂₊) + Var(p̂₋) − 2·Cov(p̂₊, p̂₋) with Cov = −p₊p₋/n). Two rounds are independent samples,
so the change Δ = d̂₂ − d̂₁ has Var(Δ) = Var(d̂₁) + Var(d̂₂), and the two-sided z test on
z = Δ / √Var(Δ) gives the p-value 2·(1 − Φ(|z|)). The change is called real ("more than noise")
when p < 1 − level. With a variance of zero (both rounds unanimous) a change of zero is noise
and any other change is certain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm


@dataclass(frozen=True)
class Change:
    """The change of NPS from the earlier to the later round, on the NPS scale (−200…200)."""

    delta: float | None
    z: float | None
    p_value: float | None
    significant: bool


def nps_variance(promoters: int, passives: int, detractors: int) -> float:
    """Var(d̂) = (p₊ + p₋ − (p₊ − p₋)²) / n for shares (−1…1 scale); 0 answers: ValueError."""
    n = promoters + passives + detractors
    if n <= 0:
        raise ValueError("the variance needs at least one answer")
    plus, minus = promoters / n, detractors / n
    return (plus + minus - (plus - minus) ** 2) / n


def nps_change(
    before: tuple[int, int, int], after: tuple[int, int, int], *, level: float = 0.95
) -> Change:
    """The z test on the difference of two rounds' NPS; each round as (promoters, passives,
    detractors). Unknown (all None, not significant) when either round has no answer."""
    if sum(before) == 0 or sum(after) == 0:
        return Change(None, None, None, False)
    d1 = (before[0] - before[2]) / sum(before)
    d2 = (after[0] - after[2]) / sum(after)
    delta = d2 - d1
    variance = nps_variance(*before) + nps_variance(*after)
    if variance == 0:
        p_value = 1.0 if delta == 0 else 0.0
        z = 0.0 if delta == 0 else math.copysign(math.inf, delta)
    else:
        z = delta / math.sqrt(variance)
        p_value = float(2 * (1 - norm.cdf(abs(z))))
    return Change(100 * delta, z, p_value, p_value < 1 - level)


__all__ = ["Change", "nps_change", "nps_variance"]
