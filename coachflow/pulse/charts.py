"""The trend page's charts: eNPS by round with its interval, for the company and each team."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from coachflow.lib.charts.trend import TrendPoint, trend_line
from coachflow.platform.formatting import nps_number
from coachflow.pulse.queries import Trend, TrendRow


def trend_chart(trend: Trend, row: TrendRow, chart_id: str) -> Markup | None:
    """One line through the rounds where the group was shown; None when it never was."""
    if not any(cell is not None and cell.known for cell in row.cells):
        return None
    points = []
    for round_, cell in zip(trend.rounds, row.cells, strict=True):
        day = format_date(round_.opens_on, "MMM y")
        if cell is None or not cell.known:
            points.append(
                TrendPoint(day, None, None, None, _("%(date)s: not enough answers", date=day))
            )
            continue
        points.append(
            TrendPoint(
                day,
                cell.value,
                cell.low,
                cell.high,
                _(
                    "%(date)s: eNPS %(enps)s, n = %(n)d",
                    date=day,
                    enps=nps_number(cell.value),
                    n=cell.n,
                ),
                small=cell.small,
            )
        )
    return trend_line(
        points,
        title=_("eNPS by round: %(group)s", group=row.name or _("Company")),
        chart_id=chart_id,
        lowest=-100,
        highest=100,
        ticks=[(v, nps_number(v)) for v in (-100, -50, 0, 50, 100)],
    )
