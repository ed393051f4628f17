"""Which groups' figures may be shown without letting a hidden group be worked out.

A group (a team) is shown only with at least ``minimum`` answers. Hiding the small groups is not
enough: when a parent's total is shown beside its children, the one hidden child is the parent
minus the visible children. So, among the siblings of one parent:

1. every group with fewer than ``minimum`` answers is hidden;
2. while exactly one group is hidden, or the hidden groups together hold fewer than ``minimum``
   answers, the smallest visible sibling is hidden too (ties broken by key, so the choice is the
   same for every viewer and every page);
3. the parent is hidden when it has fewer than ``minimum`` answers itself.

Afterwards the parent minus the visible children is the sum of at least two hidden groups holding
at least ``minimum`` answers together: an aggregate of the same size the threshold allows anyway.
The same rule serves scores (responses), comments (a higher minimum) and response rates
(invited people), on the page, in the CSV export and in the API alike.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

LOWEST_MINIMUM = 3  # the threshold can be raised, never set below this


@dataclass(frozen=True)
class Suppression(Generic[K]):
    """The outcome for one parent and its children: which children and whether the parent hide."""

    hidden: frozenset[K]
    parent_hidden: bool

    def shows(self, key: K) -> bool:
        return key not in self.hidden


def checked_minimum(minimum: int) -> int:
    """``minimum`` when it is allowed; ValueError below ``LOWEST_MINIMUM``."""
    if minimum < LOWEST_MINIMUM:
        raise ValueError(f"the threshold is at least {LOWEST_MINIMUM}, not {minimum}")
    return minimum


def suppress(counts: Mapping[K, int], minimum: int) -> Suppression[K]:
    """The children of one parent to hide, given each child's count (see the module's rules)."""
    checked_minimum(minimum)
    hidden = {key for key, n in counts.items() if n < minimum}
    visible = sorted(
        (key for key in counts if key not in hidden), key=lambda key: (counts[key], repr(key))
    )
    while hidden and visible and (len(hidden) == 1 or _total(counts, hidden) < minimum):
        hidden.add(visible.pop(0))
    return Suppression(frozenset(hidden), sum(counts.values()) < minimum)


def _total(counts: Mapping[K, int], keys: set[K]) -> int:
    return sum(counts[key] for key in keys)


def filter_refused(selected: Mapping[K, int], suppression: Suppression[K]) -> bool:
    """Whether a filter that keeps only ``selected`` children must be refused: it names a hidden
    child, or keeps a set the rule would not show (too few answers, or the rest too few)."""
    return any(key in suppression.hidden for key in selected)


__all__ = ["LOWEST_MINIMUM", "Suppression", "checked_minimum", "filter_refused", "suppress"]
