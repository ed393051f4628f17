"""The home page of each role, a team's dashboard, the forecast, recognition and settings."""

from __future__ import annotations

import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coachflow.accounts.models import Team, User
from coachflow.accounts.policy import visible_sellers
from coachflow.dashboards import charts, policy, queries, services
from coachflow.dashboards.forms import AgendaForm, DigestForm, LeaderboardForm, RecognitionForm
from coachflow.dashboards.models import Recognition
from coachflow.lib.periods import parse_period
from coachflow.platform.errors import DomainError
from coachflow.platform.home import home_panels
from coachflow.platform.paging import page_of
from coachflow.platform.permissions import SIGNED_IN, get_or_404, requires
from coachflow.platform.time import utcnow
from coachflow.platform.web import apply_domain_error, page_arg

home_bp = Blueprint("home", __name__)
bp = Blueprint("dashboards", __name__)


def _today() -> datetime.date:
    return utcnow().date()


def _sorting() -> tuple[str, bool, str]:
    sort = request.args.get("sort", "name")
    return (
        sort if sort in queries.SORTS else "name",
        request.args.get("dir") == "desc",
        (request.args.get("board", "revenue")),
    )


def _tables(page: queries.Home, sort: str, descending: bool) -> dict:
    """The page of reps and of teams shown (sorted as asked) and their charts."""
    ordered = queries.sorted_lines(page.figures.reps, sort, descending, page.scores)
    reps = page_of(ordered, page_arg(), 50)
    teams = page_of(queries.sorted_lines(page.figures.teams, sort, descending), page_arg(), 25)
    return {
        "reps": reps,
        "teams": teams,
        "charts": charts.for_page(page, reps.items, teams.items),
        "sort": sort,
        "descending": descending,
    }


@home_bp.route("/")
@requires(SIGNED_IN)
def index():
    sort, descending, metric = _sorting()
    page = queries.home(current_user, _today(), metric=metric)
    return render_template(
        "dashboards/home.html",
        page=page,
        overview=page.overview,
        panels=home_panels(current_user),
        **_tables(page, sort, descending),
        recognition_form=RecognitionForm(people=page.peers),
        agenda_form=AgendaForm(),
        leaderboard_form=LeaderboardForm(),
    )


@bp.route("/teams/<int:team_id>/dashboard")
@requires(policy.VIEW_TEAM_DASHBOARD)
def team(team_id: int):
    team = get_or_404(Team, team_id, policy.VIEW_TEAM_DASHBOARD)
    sort, descending, metric = _sorting()
    page = queries.team_dashboard(team, current_user, _today(), metric=metric)
    return render_template(
        "dashboards/team.html",
        team=team,
        page=page,
        **_tables(page, sort, descending),
        leaderboard_form=LeaderboardForm(),
        agenda_form=AgendaForm(),
    )


@bp.route("/forecast")
@requires(policy.VIEW_FORECAST)
def forecast():
    today = _today()
    try:
        period = parse_period(request.args.get("period", ""))
    except ValueError:
        period = queries.current_period(today)
    if period.start > today:
        period = queries.current_period(today)
    figures = queries.forecast_page(visible_sellers(current_user), period, today)
    teams = page_of(figures.teams, page_arg("teams"), 25)
    return render_template(
        "dashboards/forecast.html",
        figures=figures,
        reps=page_of(figures.reps, page_arg(), 50),
        teams=teams,
        charts=charts.forecast_chart(teams.items),
    )


@bp.route("/recognitions", methods=["POST"])
@requires(policy.GIVE_RECOGNITION)
def recognise():
    form = RecognitionForm()
    if form.validate_on_submit():
        person = get_or_404(User, form.rep.data, policy.GIVE_RECOGNITION)
        try:
            services.give_recognition(current_user, person, form.reason.data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Thank you: %(name)s will see your recognition.", name=person.name), "success")
            return redirect(url_for("home.index"))
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")
    return redirect(url_for("home.index"))


@bp.route("/recognitions/<int:recognition_id>/agenda", methods=["POST"])
@requires(policy.RAISE_AT_MEETING)
def agenda(recognition_id: int):
    recognition = get_or_404(Recognition, recognition_id, policy.RAISE_AT_MEETING)
    if AgendaForm().validate_on_submit():
        try:
            services.put_on_agenda(recognition, current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Added to the agenda of the team's next sales meeting."), "success")
    return redirect(url_for("home.index"))


@bp.route("/teams/<int:team_id>/leaderboard", methods=["POST"])
@requires(policy.MANAGE_LEADERBOARD)
def leaderboard(team_id: int):
    team = get_or_404(Team, team_id, policy.MANAGE_LEADERBOARD)
    form = LeaderboardForm()
    if form.validate_on_submit():
        services.set_leaderboard(team, form.enabled.data == "1", current_user)
        flash(_("Leaderboard setting saved."), "success")
    return redirect(url_for("dashboards.team", team_id=team.id))


@bp.route("/account/digest", methods=["POST"])
@requires(SIGNED_IN)
def digest():
    form = DigestForm()
    if form.validate_on_submit():
        services.set_digest(current_user, form.weekly_digest.data)
        flash(_("Digest setting saved."), "success")
    return redirect(url_for("accounts.account"))


def digest_section(user) -> dict:
    """The account page's section: the weekly digest's switch."""
    return {"form": DigestForm(weekly_digest=queries.digest_enabled(user.id))}
