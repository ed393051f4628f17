"""Empirical-Bayes shrinkage of a rep's CSAT and NPS toward their team.

A rep with few answers has a noisy figure: three delighted customers make an NPS of +100. Each
rep's figure is replaced by its posterior mean under a prior fitted from the team's reps
(empirical Bayes: Efron & Morris, "Data analysis using Stein's estimator and its
generalizations", JASA 70, 1975; Casella, "An introduction to empirical Bayes data analysis",
The American Statistician 39(2), 1985). The fewer a rep's answers, the closer the result lies
to the team; with many answers it barely moves.

**CSAT (beta–binomial).** Rep *i* has xᵢ satisfied answers out of nᵢ. The prior on the true
share is Beta(κ·m, κ·(1 − m)) with

- m = Σxᵢ / Σnᵢ, the team's pooled share;
- s² = the (unweighted) variance of the reps' shares pᵢ = xᵢ/nᵢ;
- the part of s² that sampling alone explains, m(1 − m)·mean(1/nᵢ); what is left,
  τ² = s² − m(1 − m)·mean(1/nᵢ), is the spread of the true shares between reps;
- by the method of moments (Var of a Beta share = m(1 − m)/(κ + 1)): κ = m(1 − m)/τ² − 1.

The shrunk share is the posterior mean (xᵢ + κ·m) / (nᵢ + κ). When τ² ≤ 0 (the reps differ no
more than chance would make them) κ is taken as Σnᵢ, the team's whole sample: every rep is pulled
most of the way to the team. With fewer than two reps with answers nothing can be fitted and κ is
0 (no shrinkage).

**NPS (Dirichlet–multinomial).** The same with the three bands: counts (Pᵢ, Aᵢ, Dᵢ) of promoters,
passives and detractors, prior Dirichlet(κ·m) with m the team's pooled band shares. A
Dirichlet's band shares each have variance m_k(1 − m_k)/(κ + 1), so summing over the bands,
κ + 1 = Σ_k m_k(1 − m_k) / Σ_k τ_k², with τ_k² found per band as for CSAT. The shrunk NPS is
100 × (P̃ − D̃) with P̃ = (Pᵢ + κ·m_P)/(nᵢ + κ), D̃ likewise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean, pvariance

DEFAULT_FEW_ANSWERS = 10


@dataclass(frozen=True)
class Prior:
    """A fitted prior: the team's mean share(s) and its strength κ (in answers)."""

    mean: tuple[float, ...]
    strength: float


def _strength(shares: Sequence[Sequence[float]], ns: Sequence[int], mean: Sequence[float]) -> float:
    """κ by the method of moments over one or several bands (see the module)."""
    inverse_n = fmean(1 / n for n in ns)
    between = 0.0
    spread = 0.0
    for k, m in enumerate(mean):
        column = [share[k] for share in shares]
        between += pvariance(column) - m * (1 - m) * inverse_n
        spread += m * (1 - m)
    if spread <= 0:
        return 0.0  # every answer alike: nothing to shrink
    if between <= 0:
        return float(sum(ns))
    return max(0.0, spread / between - 1)


def fit_beta(groups: Sequence[tuple[int, int]]) -> Prior | None:
    """The beta prior from ``(satisfied, n)`` per rep; None when fewer than two reps answered."""
    answered = [(x, n) for x, n in groups if n > 0]
    if len(answered) < 2:
        return None
    total = sum(n for _x, n in answered)
    mean = sum(x for x, _n in answered) / total
    shares = [(x / n,) for x, n in answered]
    return Prior((mean,), _strength(shares, [n for _x, n in answered], (mean,)))


def fit_dirichlet(groups: Sequence[tuple[int, int, int]]) -> Prior | None:
    """The Dirichlet prior from ``(promoters, passives, detractors)`` per rep; None when fewer
    than two reps answered."""
    answered = [counts for counts in groups if sum(counts) > 0]
    if len(answered) < 2:
        return None
    total = sum(sum(counts) for counts in answered)
    mean = tuple(sum(counts[k] for counts in answered) / total for k in range(3))
    shares = [tuple(c / sum(counts) for c in counts) for counts in answered]
    return Prior(mean, _strength(shares, [sum(c) for c in answered], mean))


def shrunk_share(satisfied: int, n: int, prior: Prior | None) -> float | None:
    """The posterior mean share (xᵢ + κm)/(nᵢ + κ); the raw share without a prior."""
    if prior is None or prior.strength == 0:
        return satisfied / n if n else None
    return (satisfied + prior.strength * prior.mean[0]) / (n + prior.strength)


def shrunk_nps(promoters: int, passives: int, detractors: int, prior: Prior | None) -> float | None:
    """The posterior-mean NPS (−100…100); the raw NPS without a prior; None without answers
    and without a prior."""
    n = promoters + passives + detractors
    if prior is None or prior.strength == 0:
        return 100 * (promoters - detractors) / n if n else None
    kappa = prior.strength
    promoter = (promoters + kappa * prior.mean[0]) / (n + kappa)
    detractor = (detractors + kappa * prior.mean[2]) / (n + kappa)
    return 100 * (promoter - detractor)


def shrink_team_csat(groups: Mapping[int, tuple[int, int]]) -> dict[int, float | None]:
    """Shrunk CSAT share per rep of one team, from ``{rep: (satisfied, n)}``."""
    prior = fit_beta(list(groups.values()))
    return {rep: shrunk_share(x, n, prior) if n else None for rep, (x, n) in groups.items()}


def shrink_team_nps(groups: Mapping[int, tuple[int, int, int]]) -> dict[int, float | None]:
    """Shrunk NPS per rep of one team, from ``{rep: (promoters, passives, detractors)}``."""
    prior = fit_dirichlet(list(groups.values()))
    return {
        rep: shrunk_nps(*counts, prior) if sum(counts) else None for rep, counts in groups.items()
    }


def few_answers(n: int, threshold: int = DEFAULT_FEW_ANSWERS) -> bool:
    """Whether ``n`` answers are "few" (below ``threshold``, 10 by default)."""
    return n < threshold
