"""The case list and a case's page: log a contact, close with a root cause, reassign."""

from __future__ import annotations

import datetime

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from coachflow.accounts.policy import visible_teams
from coachflow.followups import labels, policy, queries
from coachflow.followups.forms import CloseForm, EventForm, ReassignForm
from coachflow.followups.models import CaseState, FollowUpCase
from coachflow.followups.services import cases as case_services
from coachflow.followups.services.resurvey import why_not
from coachflow.followups.services.root_causes import active_root_causes
from coachflow.followups.views import bp
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.permissions import allowed, authorize, get_or_404, requires
from coachflow.platform.time import utcnow
from coachflow.platform.web import apply_domain_error, int_arg, page_arg


def _date(name: str) -> datetime.date | None:
    try:
        day = datetime.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2999 else None


def read_filters() -> queries.CaseFilters:
    state = request.args.get("state", "")
    return queries.CaseFilters(
        state=CaseState(state) if state in CaseState._value2member_map_ else None,
        rep_id=int_arg("rep"),
        team_id=int_arg("team"),
        opened_from=_date("opened_from"),
        opened_to=_date("opened_to"),
        overdue=request.args.get("overdue") == "1",
    )


@bp.route("")
@requires(policy.VIEW_CASES)
def index():
    filters = read_filters()
    page = queries.cases_page(current_user, filters, page_arg(), current_app.config["PAGE_SIZE"])
    teams = db.session.scalars(visible_teams(current_user).order_by("name")).all()
    return render_template(
        "followups/index.html",
        page=page,
        filters=filters,
        teams=teams,
        now=utcnow(),
        states=labels.STATE_NAMES,
    )


def _render_case(case: FollowUpCase, **forms: object):
    causes = active_root_causes()
    close_form = forms.get("close_form") or CloseForm(causes=causes, prefix="close")
    reassign_form = forms.get("reassign_form") or ReassignForm(prefix="assign")
    reassign_form.rep.choices = [
        (person.id, person.name) for person in case_services.assignable_people(case)
    ]
    return render_template(
        "followups/case.html",
        case=case,
        detail=queries.case_detail(case, str(get_locale())),
        customer=queries.customer_of(case),
        event_form=forms.get("event_form") or EventForm(prefix="event"),
        close_form=close_form,
        reassign_form=reassign_form,
        may_work=allowed(current_user, policy.WORK_CASES, case),
        may_reassign=allowed(current_user, policy.REASSIGN_CASES, case),
        overdue=case.state in (CaseState.OPEN, CaseState.CONTACTED) and case.due_at < utcnow(),
        labels=labels,
        why_not=why_not,
    )


@bp.route("/<int:case_id>")
@requires(policy.VIEW_CASES)
def case(case_id: int):
    return _render_case(get_or_404(FollowUpCase, case_id, policy.VIEW_CASES))


@bp.route("/<int:case_id>/events", methods=["POST"])
@requires(policy.WORK_CASES)
def log_event(case_id: int):
    found = get_or_404(FollowUpCase, case_id, policy.WORK_CASES)
    form = EventForm(prefix="event")
    if form.validate_on_submit():
        try:
            case_services.log_event(found, form.kind.data, form.text.data, current_user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Added to the timeline."), "success")
            return redirect(url_for("followups.case", case_id=found.id))
    return _render_case(found, event_form=form), 422


@bp.route("/<int:case_id>/close", methods=["POST"])
@requires(policy.WORK_CASES)
def close(case_id: int):
    found = get_or_404(FollowUpCase, case_id, policy.WORK_CASES)
    form = CloseForm(causes=active_root_causes(), prefix="close")
    if form.validate_on_submit():
        try:
            case_services.close_case(
                found, form.outcome.data, form.root_cause.data, form.note.data, current_user
            )
        except DomainError as error:
            apply_domain_error(form, error)
            if isinstance(error, case_services.CaseClosed):
                return _render_case(found, close_form=form), 409
        else:
            flash(_("The case is closed."), "success")
            return redirect(url_for("followups.case", case_id=found.id))
    return _render_case(found, close_form=form), 422


@bp.route("/<int:case_id>/reassign", methods=["POST"])
@requires(policy.REASSIGN_CASES)
def reassign(case_id: int):
    found = get_or_404(FollowUpCase, case_id, policy.VIEW_CASES)
    authorize(policy.REASSIGN_CASES, found)
    form = ReassignForm(prefix="assign")
    if form.validate_on_submit():
        try:
            case_services.reassign_case(found, form.rep.data, current_user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("The case is reassigned."), "success")
            return redirect(url_for("followups.case", case_id=found.id))
    return _render_case(found, reassign_form=form), 422
