"""Results pages of customer surveys: an overview across surveys, one survey, its CSV export.

Every figure is scoped to the people the reader may see (``results.scope_of``); the pages take
their filters from the query string (a GET form), so every view is a link one can share.
"""

from __future__ import annotations

import datetime

from flask import Blueprint, Response, current_app, render_template, request, stream_with_context
from flask_login import current_user

from coachflow.lib.stats import SMALL_SAMPLE
from coachflow.platform.permissions import get_or_404, requires
from coachflow.platform.time import utcnow
from coachflow.platform.web import int_arg, page_arg
from coachflow.questionnaires.models import Survey
from coachflow.surveys import policy
from coachflow.surveys.queries import results
from coachflow.surveys.views import charts

bp = Blueprint("survey_results", __name__, url_prefix="/surveys/results")


# Formatting ------------------------------------------------------------------------------------


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


def _render(page: results.ResultsPage):
    figures = page.results
    return render_template(
        "surveys/results/page.html",
        page=page,
        figures=figures,
        small_sample=SMALL_SAMPLE,
        bands_chart=charts.bands_chart(figures.total) if figures.total.nps.known else None,
        distribution=charts.distribution_charts(figures),
        trend_chart=charts.trend_chart(figures),
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
