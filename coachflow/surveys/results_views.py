"""Results pages of customer surveys: an overview across surveys, one survey, its CSV export.

Every figure is scoped to the people the reader may see (``results.scope_of``); the pages take
their filters from the query string (a GET form), so every view is a link one can share.
"""

from __future__ import annotations

import datetime
import math

from flask import Blueprint, Response, current_app, render_template, request, stream_with_context
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from coachflow.lib.charts.histogram import Column, score_histogram
from coachflow.lib.charts.stacked import Segment, stacked_bar
from coachflow.lib.charts.trend import TrendPoint, trend_line
from coachflow.lib.stats import SMALL_SAMPLE
from coachflow.lib.stats.nps import band
from coachflow.platform.permissions import get_or_404, requires
from coachflow.platform.time import utcnow
from coachflow.platform.web import int_arg, page_arg
from coachflow.questionnaires.models import Survey
from coachflow.surveys import policy, results

bp = Blueprint("survey_results", __name__, url_prefix="/surveys/results")


# Formatting ------------------------------------------------------------------------------------


def rounded(value: float) -> int:
    """Half away from zero, as people round: 64.5 → 65, −19.5 → −20."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


@bp.app_template_filter("nps_number")
def nps_number(value: float | None) -> str:
    """An NPS as shown: ``+30``, ``−19`` (a true minus sign), ``0``; a dash for no estimate."""
    if value is None:
        return "—"
    number = rounded(value)
    if number > 0:
        return f"+{number}"
    return f"−{-number}" if number < 0 else "0"


@bp.app_template_filter("mean_rating")
def mean_rating(value: float | None) -> str:
    """A mean rating with one decimal in the reader's locale (``3.7``, ``3,7``)."""
    return "—" if value is None else format_decimal(value, format="0.0")


@bp.app_template_filter("whole_percent")
def whole_percent(value: float | None) -> str:
    """A share as a whole percentage in the reader's locale; a dash for none."""
    return "—" if value is None else format_percent(value, format="#,##0%")


# Reading the query string ----------------------------------------------------------------------


def _date(text: str) -> datetime.date:
    """An ISO date in a plausible range; anything else raises ValueError (the filter is off)."""
    day = datetime.date.fromisoformat(text)
    if not 1900 <= day.year <= 2999:  # far ends would overflow the day after and month sums
        raise ValueError(text)
    return day


def _filters() -> results.Filters:
    args = request.args
    return results.Filters(
        team_id=int_arg("team"),
        rep_id=int_arg("rep"),
        line_id=int_arg("line"),
        date_from=args.get("from", type=_date),
        date_to=args.get("to", type=_date),
        level=int_arg("level", 95) / 100,
    )


def _page(name: str) -> int:
    return page_arg(name)


# Charts ----------------------------------------------------------------------------------------


def _bands_chart(group: results.Group) -> Markup:
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


def _distribution_charts(figures: results.Results) -> dict[str, Markup]:
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


def _trend_chart(figures: results.Results) -> Markup | None:
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


def _render(page: results.ResultsPage):
    figures = page.results
    return render_template(
        "surveys/results/page.html",
        page=page,
        figures=figures,
        small_sample=SMALL_SAMPLE,
        bands_chart=_bands_chart(figures.total) if figures.total.nps.known else None,
        distribution=_distribution_charts(figures),
        trend_chart=_trend_chart(figures),
        show_people=current_user.role.value != "rep",
    )


def _results_page(survey: Survey | None) -> results.ResultsPage:
    return results.results_page(
        current_user,
        _filters(),
        survey=survey,
        sort=request.args.get("sort", "name"),
        reps_page=_page("reps_page"),
        teams_page=_page("teams_page"),
        comments_page=_page("comments_page"),
        per_page=current_app.config["PAGE_SIZE"],
        today=utcnow().date(),
    )


# Pages -----------------------------------------------------------------------------------------


@bp.route("")
@requires(policy.VIEW_SURVEY_RESULTS)
def overview():
    return _render(_results_page(None))


@bp.route("/<int:survey_id>")
@requires(policy.VIEW_SURVEY_RESULTS)
def survey(survey_id: int):
    chosen = get_or_404(Survey, survey_id, policy.VIEW_SURVEY_RESULTS)
    return _render(_results_page(chosen))


@bp.route("/<int:survey_id>/answers.csv")
@requires(policy.VIEW_SURVEY_RESULTS)
def export(survey_id: int):
    chosen = get_or_404(Survey, survey_id, policy.VIEW_SURVEY_RESULTS)
    chunks = results.export_rows(current_user, chosen, _filters())
    filename = f"survey-{chosen.id}-answers-{utcnow():%Y-%m-%d}.csv"
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
