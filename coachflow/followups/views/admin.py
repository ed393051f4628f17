"""The lists an admin (and, for rules, a manager) keeps: rules, root causes, deal triggers."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coachflow.accounts.models import Role, Team
from coachflow.accounts.policy import visible_teams
from coachflow.followups import labels, policy
from coachflow.followups.forms import RootCauseForm, RuleForm, ToggleForm, TriggerForm
from coachflow.followups.models import DealTrigger, FollowUpRule, RootCause, TriggerOutcome
from coachflow.followups.services import root_causes, rules, triggers
from coachflow.followups.views import bp
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.permissions import get_or_404, requires
from coachflow.platform.web import apply_domain_error

# Rules -------------------------------------------------------------------------------------------


def _rule_form(rule: FollowUpRule | None) -> RuleForm:
    form = RuleForm(obj=rule)
    if rule is not None and not form.is_submitted():
        form.team.data = rule.team_id
        for language in ("en", "de", "fr"):
            getattr(form, f"keywords_{language}").data = ", ".join(
                (rule.keywords or {}).get(language, [])
            )
    teams = db.session.scalars(visible_teams(current_user).order_by(Team.name)).all()
    everyone = [("", _("Every team"))] if current_user.role is Role.ADMIN else []
    form.team.choices = everyone + [(team.id, team.name) for team in teams]
    return form


def _rule_input(form: RuleForm) -> rules.RuleInput:
    return rules.RuleInput(
        name=form.name.data or "",
        team_id=form.team.data,
        nps_max=form.nps_max.data,
        csat_max=form.csat_max.data,
        keywords={
            language: rules.split_words(getattr(form, f"keywords_{language}").data or "")
            for language in ("en", "de", "fr")
        },
        due_workdays=form.due_workdays.data or 0,
        resurvey=form.resurvey.data,
        active=form.active.data,
    )


def _save_rule(rule: FollowUpRule | None):
    form = _rule_form(rule)
    if form.validate_on_submit():
        try:
            if rule is None:
                rules.create_rule(_rule_input(form), current_user)
            else:
                rules.update_rule(rule, _rule_input(form), current_user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Rule saved."), "success")
            return redirect(url_for("followups.rules"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "followups/rules.html", form=form, rule=rule, rules=rules.rules_for(current_user)
    ), status


@bp.route("/rules", methods=["GET", "POST"], endpoint="rules")
@requires(policy.MANAGE_RULES)
def rule_list():
    return _save_rule(None)


@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
@requires(policy.MANAGE_RULES)
def rule(rule_id: int):
    return _save_rule(get_or_404(FollowUpRule, rule_id, policy.MANAGE_RULES))


# Root causes ------------------------------------------------------------------------------------


@bp.route("/root-causes", methods=["GET", "POST"])
@requires(policy.MANAGE_ROOT_CAUSES)
def root_cause_list():
    form = RootCauseForm()
    if form.validate_on_submit():
        try:
            root_causes.add_root_cause(form.name.data, current_user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Root cause added."), "success")
            return redirect(url_for("followups.root_cause_list"))
    return render_template(
        "followups/root_causes.html",
        form=form,
        toggle=ToggleForm(),
        causes=root_causes.all_root_causes(),
        label_of=labels.label_of,
    ), (422 if form.is_submitted() else 200)


@bp.route("/root-causes/<int:cause_id>/toggle", methods=["POST"])
@requires(policy.MANAGE_ROOT_CAUSES)
def toggle_root_cause(cause_id: int):
    cause = get_or_404(RootCause, cause_id, policy.MANAGE_ROOT_CAUSES)
    if not ToggleForm().validate_on_submit():
        abort(400)
    root_causes.set_root_cause_active(cause, not cause.active, current_user)
    flash(_("Root cause updated."), "success")
    return redirect(url_for("followups.root_cause_list"))


# Deal triggers ----------------------------------------------------------------------------------


@bp.route("/triggers", methods=["GET", "POST"])
@requires(policy.MANAGE_TRIGGERS)
def trigger_list():
    form = TriggerForm()
    form.survey.choices = [("", _("— choose —"))] + [
        (survey.id, survey.name) for survey in triggers.csat_surveys()
    ]
    if form.validate_on_submit():
        try:
            triggers.create_trigger(form.survey.data, form.delay_days.data, current_user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Trigger added: won deals get the survey after the delay."), "success")
            return redirect(url_for("followups.trigger_list"))
    found = triggers.triggers()
    return render_template(
        "followups/triggers.html",
        form=form,
        toggle=ToggleForm(),
        triggers=found,
        counts=triggers.outcome_counts([t.id for t in found]),
        outcomes=TriggerOutcome,
    ), (422 if form.is_submitted() else 200)


@bp.route("/triggers/<int:trigger_id>")
@requires(policy.MANAGE_TRIGGERS)
def trigger(trigger_id: int):
    found = get_or_404(DealTrigger, trigger_id, policy.MANAGE_TRIGGERS)
    return render_template(
        "followups/trigger.html",
        trigger=found,
        toggle=ToggleForm(),
        no_contact=triggers.handled_deals(found, TriggerOutcome.NO_CONTACT),
        excluded=triggers.handled_deals(found, TriggerOutcome.EXCLUDED),
        invited=triggers.handled_deals(found, TriggerOutcome.INVITED),
    )


@bp.route("/triggers/<int:trigger_id>/toggle", methods=["POST"])
@requires(policy.MANAGE_TRIGGERS)
def toggle_trigger(trigger_id: int):
    found = get_or_404(DealTrigger, trigger_id, policy.MANAGE_TRIGGERS)
    if not ToggleForm().validate_on_submit():
        abort(400)
    triggers.set_trigger_active(found, not found.active, current_user)
    flash(_("Trigger updated."), "success")
    return redirect(url_for("followups.trigger", trigger_id=found.id))
