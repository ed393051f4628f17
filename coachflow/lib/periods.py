"""Sales periods (month, quarter, year): parsing, labels and date ranges. Pure code."""

from __future__ import annotations

import datetime
import enum
import re
from dataclasses import dataclass


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month, quarter or year, identified by its first day."""

    start: datetime.date
    kind: PeriodKind

    @property
    def end(self) -> datetime.date:
        """The first day after the period (exclusive bound, as SQL ranges want)."""
        months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[self.kind]
        month_index = self.start.month - 1 + months
        return datetime.date(self.start.year + month_index // 12, month_index % 12 + 1, 1)

    @property
    def label(self) -> str:
        """``2026``, ``2026-Q2`` or ``2026-05``: the form imports and the API use."""
        if self.kind is PeriodKind.YEAR:
            return f"{self.start.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day < self.end

    @classmethod
    def containing(cls, day: datetime.date, kind: PeriodKind) -> Period:
        """The period of ``kind`` that ``day`` falls in."""
        if kind is PeriodKind.YEAR:
            return cls(datetime.date(day.year, 1, 1), kind)
        if kind is PeriodKind.QUARTER:
            return cls(datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1), kind)
        return cls(datetime.date(day.year, day.month, 1), kind)


_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(?:(\d{4})\s*[-/ ]?\s*Q([1-4])|Q([1-4])\s*[-/ ]?\s*(\d{4}))$", re.I)
_MONTH = re.compile(r"^(?:(\d{4})[-/.](\d{1,2})|(\d{1,2})[-/.](\d{4}))$")


def parse_period(text: str) -> Period:
    """Read ``2026``, ``2026-Q2`` / ``Q2 2026`` or ``2026-05`` / ``05/2026``, else ValueError."""
    value = text.strip()
    if match := _YEAR.match(value):
        return Period(datetime.date(int(match[1]), 1, 1), PeriodKind.YEAR)
    if match := _QUARTER.match(value):
        year = int(match[1] or match[4])
        quarter = int(match[2] or match[3])
        return Period(datetime.date(year, (quarter - 1) * 3 + 1, 1), PeriodKind.QUARTER)
    if match := _MONTH.match(value):
        year = int(match[1] or match[4])
        month = int(match[2] or match[3])
        if 1 <= month <= 12:
            return Period(datetime.date(year, month, 1), PeriodKind.MONTH)
    raise ValueError(f"{text!r} is not a period: write 2026, 2026-Q2 or 2026-05")
