"""The home pages' charts, drawn by the shared SVG code; each page also shows the numbers as a
table, and every bar carries its value as text, so no chart relies on colour alone."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from coachflow.dashboards.queries import Home, Line
from coachflow.lib.charts.bars import Bar, attainment_bars
from coachflow.lib.charts.histogram import Column, score_histogram
from coachflow.platform.formatting import whole_percent


def _bars(lines: list[Line], *, title: str, chart_id: str) -> Markup | None:
    if not any(line.target_minor for line in lines):
        return None
    bars = [
        Bar(
            line.name,
            line.forecast.attainment,
            whole_percent(line.forecast.attainment) if line.target_minor else _("no quota"),
        )
        for line in lines
    ]
    return attainment_bars(bars, title=title, target_label=_("quota"), chart_id=chart_id)


def band_label(low: float | None, high: float | None) -> str:
    if low is None:
        return _("below %(high)s", high=whole_percent(high))
    if high is None:
        return _("%(low)s or more", low=whole_percent(low))
    return f"{whole_percent(low)}–{whole_percent(high)}"


def _index_class(low: int) -> str:
    if low < 40:
        return "bar-below"
    return "bar-near" if low < 60 else "bar-met"


def _band_class(high: float | None) -> str:
    if high is not None and high <= 0.9:
        return "bar-below"
    return "bar-near" if high is not None and high <= 1.0 else "bar-met"


def for_page(page: Home, reps: list[Line], teams: list[Line]) -> dict[str, Markup | None]:
    """The charts of a home page: projected attainment of the reps shown (or of the teams shown,
    for HR and admin), HR's distribution of projected attainment across all reps and of the
    quality-of-revenue index of the last closed quarter."""
    shown: dict[str, Markup | None] = {}
    if page.distribution:
        shown["attainment"] = _bars(
            teams, title=_("Projected attainment per team"), chart_id="chart-teams"
        )
        shown["distribution"] = score_histogram(
            [
                Column(band_label(low, high), count, _band_class(high))
                for (low, high), count in page.distribution
            ],
            title=_("Reps by projected attainment"),
            chart_id="chart-distribution",
        )
    if any(count for _band, count in page.index_distribution):
        shown["index"] = score_histogram(
            [
                Column(f"{low}–{high}", count, _index_class(low))
                for (low, high), count in page.index_distribution
            ],
            title=_("Reps by quality-of-revenue index"),
            chart_id="chart-index",
        )
    elif reps:
        shown["attainment"] = _bars(
            reps, title=_("Projected attainment per rep"), chart_id="chart-reps"
        )
    return shown


def forecast_chart(teams: list[Line]) -> dict[str, Markup | None]:
    """The forecast page's chart: projected attainment of the teams shown."""
    return {"teams": _bars(teams, title=_("Projected attainment per team"), chart_id="chart-teams")}
