"""Pulse pages: the rounds, starting a pulse, a round's results and CSV, the trend, thresholds;
and the employee's answer page from the emailed link (blueprint ``pulse_answer``)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from coachflow.accounts.models import Team
from coachflow.accounts.policy import MANAGE_SETTINGS, visible_teams
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import csrf, db
from coachflow.platform.paging import page_of
from coachflow.platform.permissions import PUBLIC, get_or_404, requires
from coachflow.platform.time import utcnow
from coachflow.platform.web import apply_domain_error, int_arg, page_arg
from coachflow.pulse import charts, policy, queries, services
from coachflow.pulse.forms import StartPulseForm, ThresholdsForm
from coachflow.pulse.models import Pulse, PulseRound
from coachflow.questionnaires.answers import AnswersRefused

bp = Blueprint("pulse", __name__, url_prefix="/pulse")
COMMENTS_PER_PAGE = 50
answer_bp = Blueprint("pulse_answer", __name__, url_prefix="/p")


@bp.route("")
@requires(policy.VIEW_PULSE)
def index():
    page = queries.rounds_page(current_user, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template("pulse/index.html", page=page)


@bp.route("/new", methods=["GET", "POST"])
@requires(policy.START_PULSE)
def new():
    form = StartPulseForm()
    surveys = services.startable_surveys(current_user)
    form.survey_id.choices = [SelectChoice(s.id, s.name) for s in surveys]
    teams = db.session.scalars(visible_teams(current_user).order_by(Team.name))
    form.teams.choices = [SelectChoice(t.id, t.name) for t in teams]
    if request.method == "GET" and not form.starts_on.data:
        form.starts_on.data = utcnow().date()
    if request.method == "GET" and (chosen := int_arg("survey_id")) is not None:
        form.survey_id.data = chosen  # from the builder's "Start a pulse"
    if form.validate_on_submit():
        try:
            pulse = services.start_pulse(form.data_input(), by=current_user)
        except services.TeamOutOfScope:
            abort(404)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Pulse “%(name)s” started.", name=pulse.name), "success")
            return redirect(url_for("pulse.index"), code=303)
    return render_template("pulse/new.html", form=form)


@bp.route("/rounds/<int:round_id>")
@requires(policy.VIEW_PULSE)
def round_results(round_id: int):
    round_ = get_or_404(PulseRound, round_id, policy.VIEW_PULSE)
    results = queries.round_results(
        current_user, round_, language=str(get_locale()), team_filter=int_arg("team")
    )
    if results.out_of_scope:
        abort(404)
    comments = page_of(results.company.comments or [], page_arg(), COMMENTS_PER_PAGE)
    return render_template("pulse/round.html", results=results, round=round_, comments=comments)


@bp.route("/rounds/<int:round_id>/results.csv")
@requires(policy.VIEW_PULSE)
def export(round_id: int):
    round_ = get_or_404(PulseRound, round_id, policy.VIEW_PULSE)
    results = queries.round_results(
        current_user, round_, language=str(get_locale()), team_filter=int_arg("team")
    )
    if results.out_of_scope:
        abort(404)
    if results.refused:
        abort(422, _("Not enough answers to show this team."))
    return Response(
        queries.results_csv(results),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="pulse-round-{round_.id}.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/<int:pulse_id>/trend")
@requires(policy.VIEW_PULSE)
def trend(pulse_id: int):
    pulse = get_or_404(Pulse, pulse_id, policy.VIEW_PULSE)
    trend = queries.trend(current_user, pulse)
    rows = [trend.company, *trend.teams]
    drawn = [(row, charts.trend_chart(trend, row, f"trend-{i}")) for i, row in enumerate(rows)]
    return render_template("pulse/trend.html", trend=trend, charts=drawn)


@bp.route("/settings", methods=["GET", "POST"])
@requires(MANAGE_SETTINGS)
def settings():
    current = services.thresholds()
    form = ThresholdsForm(
        data={"minimum": current.minimum, "comment_minimum": current.comment_minimum}
    )
    if form.validate_on_submit():
        try:
            services.save_thresholds(form.minimum.data, form.comment_minimum.data, by=current_user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Thresholds saved."), "success")
            return redirect(url_for("pulse.settings"), code=303)
    return render_template("pulse/settings.html", form=form)


# The employee's answer page --------------------------------------------------------------------


def _render(template: str, page, status: int = 200, **context):
    context.setdefault("minimum", services.thresholds().minimum)
    if page is None:
        return render_template(template, page=page, **context), status
    with force_locale(page.language):
        return render_template(template, page=page, **context), status


@answer_bp.errorhandler(services.PulseLinkProblem)
def link_problem(error: services.PulseLinkProblem):
    g.token_link = True
    return _render("public/link_problem.html", error.page, error.status_code, error=error)


@answer_bp.route("/<token>", methods=["GET", "POST"])
@requires(PUBLIC)
def answer(token: str):
    g.token_link = True
    values = request.form.to_dict(flat=False)
    if request.method == "POST":
        try:
            services.submit(token, values)
        except AnswersRefused as refused:
            return _render(
                "pulse/answer.html",
                refused.page,
                422,
                token=token,
                errors=refused.problems,
                values=values,
            )
        return redirect(url_for("pulse_answer.thanks", token=token), code=303)
    link = services.answerable(token)
    return _render("pulse/answer.html", link.page, token=token, errors={}, values={})


@answer_bp.route("/<token>/thanks")
@requires(PUBLIC)
def thanks(token: str):
    g.token_link = True
    link = services.open_link(token)
    if not link.used:
        return redirect(url_for("pulse_answer.answer", token=token), code=303)
    return _render("public/thanks.html", link.page)


csrf.exempt(answer)
