"""What the scorecard views share: reading the period, chart and link helpers."""

from __future__ import annotations

import datetime

from flask import request
from flask_babel import gettext as _

from coachflow.lib.figures import shifted
from coachflow.lib.periods import Period, PeriodKind, parse_period
from coachflow.platform.errors import DomainError
from coachflow.platform.time import utcnow


class BadPeriod(DomainError):
    """A period string that is not one (400, naming it)."""

    status_code = 400


def today() -> datetime.date:
    return utcnow().date()


def read_period(text: str | None) -> Period:
    """``text`` as a period; 400 naming it when it is not one."""
    try:
        return parse_period(text or "")
    except ValueError:
        raise BadPeriod(
            _("“%(text)s” is not a period: write 2026, 2026-Q2 or 2026-05.", text=text)
        ) from None


def period_arg() -> Period:
    """The ``period`` argument; the last quarter that ended when none is given."""
    text = request.args.get("period")
    if text is None or not text.strip():
        return shifted(Period.containing(today(), PeriodKind.QUARTER), -1)
    return read_period(text)


def day_before(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=1)
