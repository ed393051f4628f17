"""Sales figures and what is derived from them: ratios, roll-ups, sorting, period navigation.

Pure code: the queries in ``coachflow.sales.queries`` sum the deals and quotas in SQL and hand
over plain ``Figures``; everything here works on those values, never on the database.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from coachflow.lib.periods import Period, PeriodKind


def ratio(part: int | None, whole: int | None) -> float | None:
    """``part / whole``, or None when the whole is missing or zero (nothing to compare with)."""
    if not whole or part is None:
        return None
    return part / whole


def _add_optional(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


@dataclass(frozen=True)
class Figures:
    """Won deals and quota targets of one rep (or team) × product line (or all lines) × period.

    Amounts are integer minor units. A target is None when no quota covers the period, which is
    not the same as a quota of zero; either way there is no attainment to show.
    """

    revenue_minor: int = 0
    margin_minor: int = 0
    # Revenue of the won deals whose margin is known: the base of the margin rate, so a deal
    # imported without a margin does not pull the rate down.
    margin_basis_minor: int = 0
    bookings: int = 0
    repeat_revenue_minor: int = 0
    repeat_bookings: int = 0
    revenue_target_minor: int | None = None
    margin_target_minor: int | None = None
    bookings_target: int | None = None
    estimates_target: int | None = None

    def __add__(self, other: Figures) -> Figures:
        # Positional, over the field names read once (a scorecard adds thousands of these).
        return Figures(
            *(_add_optional(getattr(self, name), getattr(other, name)) for name in _FIELD_NAMES)
        )

    @property
    def has_quota(self) -> bool:
        return self.revenue_target_minor is not None

    @property
    def is_empty(self) -> bool:
        return self == EMPTY

    @property
    def attainment(self) -> float | None:
        """Quota attainment: won revenue ÷ revenue target."""
        return ratio(self.revenue_minor, self.revenue_target_minor)

    @property
    def margin_rate(self) -> float | None:
        """Margin ÷ revenue, over the won deals whose margin is known."""
        return ratio(self.margin_minor, self.margin_basis_minor)

    @property
    def margin_attainment(self) -> float | None:
        return ratio(self.margin_minor, self.margin_target_minor)

    @property
    def bookings_attainment(self) -> float | None:
        return ratio(self.bookings, self.bookings_target)

    @property
    def repeat_share(self) -> float | None:
        """Share of won revenue from accounts that had won a deal before."""
        return ratio(self.repeat_revenue_minor, self.revenue_minor)


_FIELD_NAMES = tuple(f.name for f in fields(Figures))
EMPTY = Figures()


def total(figures: Iterable[Figures]) -> Figures:
    """The sum of ``figures`` (targets stay None only when every one is None)."""
    result = EMPTY
    for item in figures:
        result = result + item
    return result


@dataclass(frozen=True)
class SalesRow:
    """One line of a sales table: a rep or a team, per product line and blended."""

    id: int | None
    name: str
    team_id: int | None = None
    team_name: str = ""
    by_line: Mapping[int, Figures] = field(default_factory=dict)
    members: int = 1

    @property
    def total(self) -> Figures:
        """Blended over every product line: total revenue against the total target."""
        return total(self.by_line.values())

    def line(self, line_id: int) -> Figures:
        return self.by_line.get(line_id, EMPTY)


def roll_up(rows: Iterable[SalesRow], no_team: str) -> list[SalesRow]:
    """One row per team, summing its reps' figures line by line; ordered by team name."""
    teams: dict[int | None, tuple[str, dict[int, Figures], int]] = {}
    for row in rows:
        name, lines, members = teams.get(row.team_id, (row.team_name or no_team, {}, 0))
        for line_id, figures in row.by_line.items():
            lines[line_id] = lines.get(line_id, EMPTY) + figures
        teams[row.team_id] = (name, lines, members + 1)
    return sorted(
        (
            SalesRow(
                id=team_id,
                name=name,
                team_id=team_id,
                team_name=name,
                by_line=lines,
                members=members,
            )
            for team_id, (name, lines, members) in teams.items()
        ),
        key=lambda row: (row.team_id is None, row.name.casefold()),
    )


# Sorting ---------------------------------------------------------------------------------------

DEFAULT_SORT = "name"
_FIGURE_KEYS: dict[str, Callable[[Figures], Any]] = {
    "attainment": lambda f: f.attainment,
    "revenue": lambda f: f.revenue_minor,
    "quota": lambda f: f.revenue_target_minor,
    "margin": lambda f: f.margin_minor,
    "margin_rate": lambda f: f.margin_rate,
    "bookings": lambda f: f.bookings,
    "repeat_share": lambda f: f.repeat_share,
}
LINE_PREFIX = "line-"  # "line-3": attainment of product line 3


def sort_keys(line_ids: Iterable[int]) -> set[str]:
    """Every column a sales table may be sorted by."""
    return {"name", "team", *_FIGURE_KEYS, *(f"{LINE_PREFIX}{i}" for i in line_ids)}


def _value(row: SalesRow, key: str) -> Any:
    if key == "name":
        return row.name.casefold()
    if key == "team":
        return row.team_name.casefold()
    if key.startswith(LINE_PREFIX):
        return row.line(int(key.removeprefix(LINE_PREFIX))).attainment
    return _FIGURE_KEYS[key](row.total)


def sort_rows(rows: Iterable[SalesRow], key: str, descending: bool = False) -> list[SalesRow]:
    """``rows`` by a column of ``sort_keys``; rows without a value (no quota) always come last.

    Ties are broken by name, so the order is stable from one request to the next.
    """
    by_name = sorted(rows, key=lambda row: (row.name.casefold(), row.id or 0))
    known = [row for row in by_name if _value(row, key) is not None]
    missing = [row for row in by_name if _value(row, key) is None]
    known.sort(key=lambda row: _value(row, key), reverse=descending)
    return known + missing


# Periods ---------------------------------------------------------------------------------------


def shifted(period: Period, steps: int) -> Period:
    """The period ``steps`` periods of the same kind after (or, negative, before) ``period``."""
    months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[period.kind]
    index = period.start.year * 12 + period.start.month - 1 + steps * months
    return Period(datetime.date(index // 12, index % 12 + 1, 1), period.kind)


def following(period: Period, today: datetime.date) -> Period | None:
    """The period after ``period``, or None when it has not begun by ``today``: navigation
    ends at the current period, as nothing after it has figures yet."""
    after = shifted(period, 1)
    return after if after.start <= today else None


def period_choices(
    today: datetime.date, *, months: int = 13, quarters: int = 8, years: int = 3
) -> dict[PeriodKind, list[Period]]:
    """The periods a picker offers, newest first: recent months, quarters and years."""
    counts = {PeriodKind.MONTH: months, PeriodKind.QUARTER: quarters, PeriodKind.YEAR: years}
    return {
        kind: [shifted(Period.containing(today, kind), -n) for n in range(count)]
        for kind, count in counts.items()
    }


def elapsed_share(period: Period, today: datetime.date) -> float | None:
    """How much of ``period`` has passed by the start of ``today``; None unless it is running."""
    if not period.contains(today):
        return None
    return (today - period.start).days / (period.end - period.start).days
