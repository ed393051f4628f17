"""Demo scorecards: the last quarter that ended is closed, so a frozen period exists."""

from __future__ import annotations

import datetime
from typing import Any

from coachflow.lib.figures import shifted
from coachflow.lib.periods import Period, PeriodKind
from coachflow.platform.extensions import db
from coachflow.scorecards import services
from coachflow.scorecards.models import ClosedPeriod, PeriodState


def close_last_quarter(org: Any, seed: int, *, today: datetime.date | None = None) -> str:
    """Close the last ended quarter as HR would and freeze its scorecards."""
    day = today or datetime.datetime.now(datetime.UTC).date()
    period = shifted(Period.containing(day, PeriodKind.QUARTER), -1)
    db.session.flush()
    row = ClosedPeriod(
        period_kind=period.kind,
        period_start=period.start,
        state=PeriodState.CLOSED,
        closed_by_id=org.hr.id,
    )
    db.session.add(row)
    db.session.commit()  # the freeze reads the demo's deals and answers
    frozen = services.freeze(row.id)
    return f"Demo scorecards: {period.label} closed, {frozen} scorecards frozen."
