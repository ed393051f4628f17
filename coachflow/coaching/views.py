"""Coaching pages: the cycles one may see, a cycle's story, and the forms of each step."""

from __future__ import annotations

import datetime
from decimal import Decimal

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_currency, format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user

from coachflow.coaching import effect, forms, labels, metrics, policy, queries, services
from coachflow.coaching.models import (
    ActionItem,
    CoachingCycle,
    CoachingSession,
    CycleState,
    Goal,
    Metric,
)
from coachflow.lib.periods import parse_period
from coachflow.platform.errors import DomainError
from coachflow.platform.permissions import allowed, get_or_404, requires
from coachflow.platform.time import utcnow
from coachflow.platform.web import apply_domain_error, int_arg, page_arg

bp = Blueprint("coaching", __name__, url_prefix="/coaching")
BOUND = frozenset({*metrics.BOUND, Metric.MANUAL})


def _to_cycle(cycle_id: int, anchor: str = ""):
    return redirect(url_for("coaching.cycle", cycle_id=cycle_id) + (f"#{anchor}" if anchor else ""))


def _refused(error: DomainError, cycle_id: int, anchor: str = ""):
    flash(error.message, "error")
    return _to_cycle(cycle_id, anchor)


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@bp.app_context_processor
def coaching_labels() -> dict[str, object]:
    return {"coaching_labels": labels, "CoachingMetric": Metric}


@bp.app_template_filter("coaching_value")
def coaching_value(value: float | None, metric: Metric) -> str:
    """A goal's value as people read it: money, a percentage, an NPS score or a count."""
    if value is None:
        return "—"
    if metric is Metric.REVENUE:
        return format_currency(value, current_app.config["SALES_CURRENCY"])
    if metric in (Metric.MARGIN_RATE, Metric.CSAT, Metric.RESOLUTION_RATE):
        return format_percent(value / 100, format="#,##0.0%")
    if metric is Metric.NPS:
        return format_decimal(round(value), format="+#,##0;-#,##0")
    return format_decimal(value, format="#,##0.##")


@bp.route("/")
@requires(policy.VIEW_COACHING)
def cycles():
    try:
        period = parse_period(request.args["period"]) if request.args.get("period") else None
        state = CycleState(request.args["state"]) if request.args.get("state") else None
    except ValueError:
        period, state = None, None
    filters = queries.CycleFilters(int_arg("rep"), int_arg("team"), period, state)
    page = queries.cycle_list(current_user, filters, page=page_arg())
    return render_template("coaching/cycles.html", page=page, filters=filters)


@bp.route("/new", methods=["GET", "POST"])
@requires(policy.RUN_COACHING)
def new_cycle():
    form = forms.NewCycleForm()
    form.rep.choices = queries.reps_to_coach(current_user)
    if form.validate_on_submit():
        try:
            end = form.end.data + datetime.timedelta(days=1)
            cycle = services.create_cycle(form.rep.data, form.start.data, end, by=current_user)
        except services.NotFound:
            abort(404)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return _to_cycle(cycle.id)
    return render_template("coaching/new_cycle.html", form=form)


@bp.route("/<int:cycle_id>")
@requires(policy.VIEW_COACHING)
def cycle(cycle_id: int):
    found = get_or_404(CoachingCycle, cycle_id, policy.VIEW_COACHING)
    page = queries.cycle_page(found, current_user, utcnow().date())
    goal_form = forms.GoalForm(offered=BOUND, formdata=None)
    return render_template(
        "coaching/cycle.html",
        page=page,
        zone=services.time_zone(),
        goal_form=goal_form,
        confirm=forms.ConfirmForm(formdata=None),
        agenda_form=forms.AgendaForm(formdata=None),
        value_form=forms.GoalValueForm(formdata=None),
        close_form=forms.CloseForm(formdata=None),
        review_form=forms.PlanReviewForm(
            formdata=None, data={"comment": found.plan.manager_comment if found.plan else ""}
        ),
        runs=allowed(current_user, policy.RUN_COACHING, found),
        takes_part=allowed(current_user, policy.TAKE_PART, found),
        is_rep=current_user.id == found.rep_id,
        today=utcnow().date(),
        now_utc=utcnow(),
    )


@bp.route("/<int:cycle_id>/start", methods=["POST"])
@requires(policy.RUN_COACHING)
def start(cycle_id: int):
    found = get_or_404(CoachingCycle, cycle_id, policy.RUN_COACHING)
    if forms.ConfirmForm().validate_on_submit():
        try:
            services.start_cycle(found, by=current_user)
        except DomainError as error:
            return _refused(error, cycle_id)
    return _to_cycle(cycle_id)


@bp.route("/<int:cycle_id>/close", methods=["POST"])
@requires(policy.RUN_COACHING)
def close(cycle_id: int):
    found = get_or_404(CoachingCycle, cycle_id, policy.RUN_COACHING)
    form = forms.CloseForm()
    if form.validate_on_submit():
        try:
            services.close_cycle(found, form.summary.data, by=current_user)
        except DomainError as error:
            return _refused(error, cycle_id, "summary")
    elif request.method == "POST" and form.errors:
        flash(_("Write a closing summary."), "error")
    return _to_cycle(cycle_id, "summary")


@bp.route("/<int:cycle_id>/plan", methods=["GET", "POST"])
@requires(policy.REP_COACHING)
def plan(cycle_id: int):
    found = get_or_404(CoachingCycle, cycle_id, policy.REP_COACHING)
    form = forms.PlanForm(obj=None) if request.method == "POST" else forms.plan_form(found)
    form.offer(queries.cycle_accounts(found))
    if form.validate_on_submit():
        try:
            services.save_plan(
                found, forms.plan_input(form), by=current_user, submit=form.submit.data
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Plan saved."), "success")
            return _to_cycle(cycle_id, "plan")
    return render_template("coaching/plan.html", form=form, cycle=found)


@bp.route("/<int:cycle_id>/plan/review", methods=["POST"])
@requires(policy.RUN_COACHING)
def review_plan(cycle_id: int):
    found = get_or_404(CoachingCycle, cycle_id, policy.RUN_COACHING)
    form = forms.PlanReviewForm()
    if form.validate_on_submit():
        try:
            services.review_plan(
                found, form.comment.data or "", approve=form.approve.data, by=current_user
            )
        except DomainError as error:
            return _refused(error, cycle_id, "plan")
    return _to_cycle(cycle_id, "plan")


@bp.route("/<int:cycle_id>/goals", methods=["POST"])
@requires(policy.RUN_COACHING)
def add_goal(cycle_id: int):
    found = get_or_404(CoachingCycle, cycle_id, policy.RUN_COACHING)
    form = forms.GoalForm(offered=BOUND)
    if form.validate_on_submit():
        try:
            services.add_goal(
                found,
                title=form.title.data,
                metric=form.metric.data,
                target=_number(form.target.data),
                due_on=form.due_on.data,
                by=current_user,
            )
        except DomainError as error:
            return _refused(error, cycle_id, "goals")
    else:
        flash(_("Give the goal a title, a metric, a target and a due date."), "error")
    return _to_cycle(cycle_id, "goals")


@bp.route("/goals/<int:goal_id>/value", methods=["POST"])
@requires(policy.TAKE_PART)
def goal_value(goal_id: int):
    goal = get_or_404(Goal, goal_id, policy.TAKE_PART)
    form = forms.GoalValueForm()
    if form.validate_on_submit():
        try:
            services.update_manual_goal(
                goal, _number(form.value.data), form.comment.data, by=current_user
            )
        except DomainError as error:
            return _refused(error, goal.cycle_id, "goals")
    else:
        flash(_("Enter the value reached and what changed."), "error")
    return _to_cycle(goal.cycle_id, "goals")


@bp.route("/<int:cycle_id>/sessions/new", methods=["GET", "POST"])
@requires(policy.RUN_COACHING)
def new_session(cycle_id: int):
    found = get_or_404(CoachingCycle, cycle_id, policy.RUN_COACHING)
    form = forms.SessionForm()
    form.offer(queries.cycle_accounts(found))
    if form.validate_on_submit():
        try:
            session = services.schedule_session(found, forms.session_input(form), by=current_user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Session scheduled; both of you got the invitation."), "success")
            return _to_cycle(cycle_id, f"session-{session.id}")
    zone = services.time_zone().key
    return render_template("coaching/session_form.html", form=form, cycle=found, zone=zone)


@bp.route("/sessions/<int:session_id>/move", methods=["GET", "POST"])
@requires(policy.RUN_COACHING)
def move_session(session_id: int):
    session = get_or_404(CoachingSession, session_id, policy.RUN_COACHING)
    form = forms.MoveForm()
    if form.validate_on_submit():
        try:
            services.move_session(session, form.starts_at.data, by=current_user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return _to_cycle(session.cycle_id, f"session-{session.id}")
    zone = services.time_zone().key
    return render_template("coaching/move.html", form=form, session=session, zone=zone)


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@requires(policy.RUN_COACHING)
def cancel_session(session_id: int):
    session = get_or_404(CoachingSession, session_id, policy.RUN_COACHING)
    if forms.ConfirmForm().validate_on_submit():
        try:
            services.cancel_session(session, by=current_user)
        except DomainError as error:
            return _refused(error, session.cycle_id, f"session-{session.id}")
    return _to_cycle(session.cycle_id, f"session-{session.id}")


@bp.route("/sessions/<int:session_id>/agenda", methods=["POST"])
@requires(policy.TAKE_PART)
def add_agenda_item(session_id: int):
    session = get_or_404(CoachingSession, session_id, policy.TAKE_PART)
    form = forms.AgendaForm()
    if form.validate_on_submit():
        try:
            services.add_agenda_item(session.id, form.text.data, current_user)
        except DomainError as error:
            return _refused(error, session.cycle_id, f"session-{session.id}")
    return _to_cycle(session.cycle_id, f"session-{session.id}")


@bp.route("/sessions/<int:session_id>/agenda/pull", methods=["POST"])
@requires(policy.TAKE_PART)
def pull_agenda(session_id: int):
    session = get_or_404(CoachingSession, session_id, policy.TAKE_PART)
    if forms.ConfirmForm().validate_on_submit():
        added = services.pull_agenda(session, by=current_user)
        flash(_("%(num)d points added to the agenda.", num=added), "success")
    return _to_cycle(session.cycle_id, f"session-{session.id}")


@bp.route("/sessions/<int:session_id>/invite.ics")
@requires(policy.VIEW_COACHING)
def session_ics(session_id: int):
    session = get_or_404(CoachingSession, session_id, policy.VIEW_COACHING)
    return Response(
        services.ics_of(session),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="session-{session.id}.ics"'},
    )


@bp.route("/sessions/<int:session_id>/debrief", methods=["GET", "POST"])
@requires(policy.TAKE_PART)
def debrief(session_id: int):
    session = get_or_404(CoachingSession, session_id, policy.TAKE_PART)
    form = forms.DebriefForm()
    form.offer(queries.cycle_people(session.cycle))
    status = 200
    if form.validate_on_submit():
        try:
            services.save_debrief(session, forms.debrief_input(form), by=current_user)
        except DomainError as error:
            apply_domain_error(form, error)
            status = error.status_code
        else:
            flash(_("Debrief saved; its next steps are action items."), "success")
            return _to_cycle(session.cycle_id, f"session-{session.id}")
    return render_template("coaching/debrief.html", form=form, session=session), status


@bp.route("/action-items/<int:item_id>/done", methods=["POST"])
@requires(policy.TAKE_PART)
def action_item_done(item_id: int):
    item = get_or_404(ActionItem, item_id, policy.TAKE_PART)
    if forms.ConfirmForm().validate_on_submit():
        services.complete_action_item(item, by=current_user)
    return _to_cycle(item.cycle_id, "action-items")


@bp.route("/<int:cycle_id>/assessment", methods=["GET", "POST"])
@requires(policy.TAKE_PART)
def assessment(cycle_id: int):
    found = get_or_404(CoachingCycle, cycle_id, policy.TAKE_PART)
    form = forms.ConfirmForm()
    view = queries.assessment_view(found, current_user)
    competencies = view.mine.competency_list if view.mine else services.current_competencies()
    if form.validate_on_submit():
        ratings = forms.ratings_from(request.form, competencies.competencies)
        try:
            services.save_assessment(
                found, ratings, by=current_user, submit="hand_in" in request.form
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Assessment saved."), "success")
            return _to_cycle(cycle_id, "assessments")
    return render_template(
        "coaching/assessment.html", cycle=found, form=form, view=view, competencies=competencies
    )


@bp.route("/<int:cycle_id>/assessment/correct", methods=["POST"])
@requires(policy.TAKE_PART)
def correct_assessment(cycle_id: int):
    found = get_or_404(CoachingCycle, cycle_id, policy.TAKE_PART)
    if forms.ConfirmForm().validate_on_submit():
        try:
            services.correct_assessment(found, by=current_user)
        except DomainError as error:
            return _refused(error, cycle_id, "assessments")
        return redirect(url_for("coaching.assessment", cycle_id=cycle_id))
    return _to_cycle(cycle_id, "assessments")


@bp.route("/competencies", methods=["GET", "POST"])
@requires(policy.MANAGE_COMPETENCIES)
def competencies():
    current = services.current_competencies()
    form = forms.CompetenciesForm(
        data={"names": "\n".join(c.name_in("en") for c in current.competencies)}
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        try:
            services.save_competencies(form.names.data.splitlines(), by=current_user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("A new version of the competency list is saved."), "success")
            return redirect(url_for("coaching.competencies"))
    return render_template("coaching/competencies.html", form=form, current=current)


@bp.route("/effect", endpoint="effect")
@requires(policy.RUN_COACHING)
def did_it_work():
    try:
        period = parse_period(request.args["period"]) if request.args.get("period") else None
    except ValueError:
        period = None
    page = effect.effect_page(current_user, period)
    return render_template("coaching/effect.html", page=page)
