"""Scorecards on screen and as PDF: the list, a rep's, a team's."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from coachflow.accounts.models import Role, Team, User
from coachflow.accounts.policy import visible_sellers
from coachflow.lib.figures import period_choices
from coachflow.platform.paging import page_of
from coachflow.platform.permissions import allowed, get_or_404, requires
from coachflow.platform.web import page_arg
from coachflow.scorecards import documents, policy, queries, services
from coachflow.scorecards.models import DownloadKind
from coachflow.scorecards.sections import scorecard_sections
from coachflow.scorecards.views.helpers import day_before, period_arg, read_period, today

bp = Blueprint("scorecards", __name__, url_prefix="/scorecards")


@bp.route("/")
@requires(policy.VIEW_SCORECARDS)
def index():
    period = period_arg()
    if current_user.role is Role.REP:
        return redirect(url_for(".rep", rep_id=current_user.id, period=period.label))
    cards = queries.period_figures(period, visible_sellers(current_user))
    ranked = sorted(cards.reps.values(), key=lambda r: (r.rank or 10**9, r.name))
    return render_template(
        "scorecards/index.html",
        cards=cards,
        reps=page_of(ranked, page_arg(), 50),
        company=allowed(current_user, policy.VIEW_COMPANY_SCORECARD),
        choices=period_choices(today()),
        formula=documents.index_formula(cards.settings),
        part_labels=documents.part_labels(),
    )


@bp.route("/rep/<int:rep_id>")
@requires(policy.VIEW_SCORECARDS)
def rep(rep_id: int):
    person = get_or_404(User, rep_id, policy.VIEW_SCORECARDS)
    period = period_arg()
    data = queries.bundle(period, services.team_of(person.id))
    if person.id not in data.current.reps:
        abort(404)
    context = services.context_for(data, person.id)
    return render_template(
        "scorecards/rep.html",
        **context,
        person=person,
        until=day_before(period.end),
        choices=period_choices(today()),
        sections=scorecard_sections(person.id, period),
    )


@bp.route("/team/<int:team_id>")
@requires(policy.VIEW_SCORECARDS)
def team(team_id: int):
    found = get_or_404(Team, team_id, policy.VIEW_SCORECARDS)
    period = period_arg()
    data = queries.bundle(period, select(User.id).where(User.team_id == found.id))
    cards = data.current
    values = cards.teams.get(found.id)
    return render_template(
        "scorecards/team.html",
        team=found,
        cards=cards,
        values=values,
        previous=data.previous.teams.get(found.id),
        reps=sorted(cards.reps.values(), key=lambda r: (r.rank or 10**9, r.name)),
        until=day_before(period.end),
        choices=period_choices(today()),
        formula=documents.index_formula(cards.settings),
        part_labels=documents.part_labels(),
        attainment_chart=documents.attainment_chart(values, cards, "attainment")
        if values
        else None,
        trend_chart=documents.nps_trend_chart(
            data.group_trend(list(cards.reps)), "nps-trend", documents.period_label
        ),
    )


@bp.route("/rep/<int:rep_id>/<period>.pdf")
@requires(policy.VIEW_SCORECARDS)
def pdf(rep_id: int, period: str):
    person = get_or_404(User, rep_id, policy.VIEW_SCORECARDS)
    chosen = read_period(period)
    document = services.scorecard_pdf(chosen, person.id)
    if document is None:
        abort(404)
    services.record_download(current_user, DownloadKind.SINGLE, chosen, rep_id=person.id)
    return Response(
        document,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{services.pdf_filename(person.name, chosen)}"'
            )
        },
    )
