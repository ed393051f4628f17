"""The charts of the results pages, assembled from the figures (the SVG itself is drawn by
``coachflow.lib.charts``)."""

from __future__ import annotations

import datetime

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from coachflow.lib.charts.histogram import Column, score_histogram
from coachflow.lib.charts.stacked import Segment, stacked_bar
from coachflow.lib.charts.trend import TrendPoint, trend_line
from coachflow.lib.stats.nps import band
from coachflow.platform.formatting import nps_number, whole_percent
from coachflow.surveys.queries import results


def bands_chart(group: results.Group) -> Markup:
    estimate = group.nps
    return stacked_bar(
        [
            Segment(
                _("Promoters"),
                estimate.promoters,
                whole_percent(estimate.promoter_share),
                "band-promoter",
            ),
            Segment(
                _("Passives"),
                estimate.passives,
                whole_percent(estimate.passive_share),
                "band-passive",
            ),
            Segment(
                _("Detractors"),
                estimate.detractors,
                whole_percent(estimate.detractor_share),
                "band-detractor",
            ),
        ],
        title=_("Promoters, passives and detractors among %(n)d answers", n=estimate.n),
        chart_id="bands-chart",
    )


def distribution_charts(figures: results.Results) -> dict[str, Markup]:
    charts = {}
    if sum(figures.nps_histogram):
        charts["nps"] = score_histogram(
            [
                Column(str(score), count, f"band-{band(score)}")
                for score, count in enumerate(figures.nps_histogram)
            ],
            title=_("How many answers gave each score from 0 to 10"),
            chart_id="nps-distribution",
        )
    if sum(figures.rating_histogram):
        charts["csat"] = score_histogram(
            [
                Column(str(rating), count, "rating-satisfied" if rating >= 4 else "rating-other")
                for rating, count in enumerate(figures.rating_histogram, start=1)
            ],
            title=_("How many answers gave each rating from 1 to 5"),
            chart_id="csat-distribution",
        )
    return charts


def _month_label(month: datetime.date, first: bool) -> str:
    return format_date(month, "MMM yy" if first or month.month == 1 else "MMM")


def trend_chart(figures: results.Results) -> Markup | None:
    months = figures.trend
    if not months:
        return None
    if figures.metric == "nps":
        if not any(m.group.nps.known for m in months):
            return None
        points = [
            TrendPoint(
                _month_label(m.month, index == 0),
                m.group.nps.value,
                m.group.nps.low,
                m.group.nps.high,
                _(
                    "%(month)s: NPS %(nps)s, n = %(n)d",
                    month=format_date(m.month, "MMMM y"),
                    nps=nps_number(m.group.nps.value),
                    n=m.group.nps.n,
                ),
                small=m.group.nps.small,
            )
            for index, m in enumerate(months)
        ]
        return trend_line(
            points,
            title=_("NPS by month"),
            chart_id="trend-chart",
            lowest=-100,
            highest=100,
            ticks=[(v, nps_number(v)) for v in (-100, -50, 0, 50, 100)],
        )
    if not any(m.group.csat.known for m in months):
        return None
    points = [
        TrendPoint(
            _month_label(m.month, index == 0),
            None if m.group.csat.share is None else 100 * m.group.csat.share,
            None if m.group.csat.low is None else 100 * m.group.csat.low,
            None if m.group.csat.high is None else 100 * m.group.csat.high,
            _(
                "%(month)s: CSAT %(csat)s, n = %(n)d",
                month=format_date(m.month, "MMMM y"),
                csat=whole_percent(m.group.csat.share),
                n=m.group.csat.n,
            ),
            small=m.group.csat.small,
        )
        for index, m in enumerate(months)
    ]
    return trend_line(
        points,
        title=_("CSAT by month"),
        chart_id="trend-chart",
        lowest=0,
        highest=100,
        ticks=[(v, whole_percent(v / 100)) for v in (0, 50, 100)],
    )
