"""Ranks and percentiles of reps on a figure (the shrunk one, for survey figures)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Standing:
    rank: int  # 1 = best; ties share the best rank among them
    percentile: float | None  # 0…100: share of the others below, ties counted half


def standings(values: Mapping[int, float | None]) -> dict[int, Standing]:
    """Rank and percentile of each id with a value (higher is better); ids without a value are
    left out. With one id the percentile is None (there is nobody to compare with)."""
    known = {key: value for key, value in values.items() if value is not None}
    count = len(known)
    ordered = sorted(known.values())  # O(n log n): two binary searches per id, not two scans
    result = {}
    for key, value in known.items():
        below = bisect_left(ordered, value)
        above = count - bisect_right(ordered, value)
        ties = count - above - below - 1
        percentile = 100 * (below + 0.5 * ties) / (count - 1) if count > 1 else None
        result[key] = Standing(above + 1, percentile)
    return result
