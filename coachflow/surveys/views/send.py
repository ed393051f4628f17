"""Sending a survey: choose recipients, preview who is left out and why, send; then follow each
invitation's state and resend the failed ones."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from sqlalchemy import select
from wtforms import DateField, SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import Optional

from coachflow.accounts.models import ProductLine, Team, User
from coachflow.accounts.policy import visible_sellers, visible_teams
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.paging import paginate
from coachflow.platform.permissions import get_or_404, requires
from coachflow.platform.web import apply_domain_error, int_arg, page_arg
from coachflow.questionnaires.models import Survey
from coachflow.surveys import policy
from coachflow.surveys.models import InvitationStatus
from coachflow.surveys.services import distribution, sending
from coachflow.surveys.services.distribution import Criteria, Reason

bp = Blueprint("survey_sending", __name__, url_prefix="/surveys")

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
EXCLUDED_SHOWN = 500


def _optional_int(value: object) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class RecipientsForm(FlaskForm):
    """Who receives the survey: contacts by their account's owner and last won deal, or a list."""

    team = SelectField(_l("Team"), coerce=_optional_int, validators=[Optional()])
    rep = SelectField(_l("Rep"), coerce=_optional_int, validators=[Optional()])
    product_line = SelectField(
        _l("Product line of the last won deal"), coerce=_optional_int, validators=[Optional()]
    )
    last_deal_from = DateField(_l("Last won deal from"), validators=[Optional()])
    last_deal_to = DateField(_l("Last won deal until"), validators=[Optional()])
    addresses = TextAreaField(_l("Email addresses"), validators=[Optional()])
    file = FileField(
        _l("Or a CSV file with an “email” column"),
        validators=[Optional(), FileAllowed(["csv", "txt"], _l("Upload a .csv or .txt file."))],
    )
    adhoc_rep = SelectField(
        _l("Rep that addresses which are no contact are about"),
        coerce=_optional_int,
        validators=[Optional()],
    )
    preview = SubmitField(_l("Preview"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        anyone = [SelectChoice("", _l("Any"))]
        teams = db.session.scalars(visible_teams(current_user).order_by(Team.name)).all()
        every_team = (
            _l("All my teams") if distribution.chooses_own_teams(current_user) else _l("Choose…")
        )
        self.team.choices = [SelectChoice("", every_team)] + [
            SelectChoice(str(t.id), t.name) for t in teams
        ]
        if len(teams) == 1 and not self.is_submitted():
            self.team.data = teams[0].id  # the only team is the natural choice
        sellers = db.session.execute(
            select(User.id, User.name)
            .where(User.id.in_(visible_sellers(current_user)), distribution.active_seller(User))
            .order_by(User.name)
        ).all()
        people = [SelectChoice(str(user_id), name) for user_id, name in sellers]
        self.rep.choices = anyone + people
        self.adhoc_rep.choices = [SelectChoice("", _l("Nobody: leave them out")), *people]
        lines = db.session.scalars(
            select(ProductLine).where(ProductLine.active.is_(True)).order_by(ProductLine.name)
        ).all()
        self.product_line.choices = anyone + [SelectChoice(str(p.id), p.name) for p in lines]

    def criteria(self) -> Criteria:
        """The form's choices; an uploaded file's addresses join the pasted ones."""
        addresses = self.addresses.data or ""
        upload = self.file.data
        if upload and getattr(upload, "filename", ""):
            data = upload.stream.read(MAX_UPLOAD_BYTES + 1)
            if len(data) > MAX_UPLOAD_BYTES:
                raise DomainError(_("The file is larger than 2 MB."), field="file")
            addresses = "\n".join([addresses, *distribution.addresses_from_csv(data)])
        return Criteria(
            team_id=self.team.data,
            rep_id=self.rep.data,
            product_line_id=self.product_line.data,
            last_deal_from=self.last_deal_from.data,
            last_deal_to=self.last_deal_to.data,
            addresses=addresses.strip(),
            adhoc_rep_id=self.adhoc_rep.data,
        )


def hidden_fields(criteria: Criteria) -> list[tuple[str, str]]:
    """The chosen criteria (but the addresses) as the confirming form sends them back."""
    values = {
        "team": criteria.team_id,
        "rep": criteria.rep_id,
        "product_line": criteria.product_line_id,
        "last_deal_from": criteria.last_deal_from,
        "last_deal_to": criteria.last_deal_to,
        "adhoc_rep": criteria.adhoc_rep_id,
    }
    return [
        (name, value.isoformat() if hasattr(value, "isoformat") else str(value))
        for name, value in values.items()
        if value is not None
    ]


def reason_labels(throttle_days: int) -> dict[Reason, str]:
    return {reason: distribution.describe(reason, throttle_days) for reason in Reason}


def status_labels() -> dict[InvitationStatus, str]:
    return {
        InvitationStatus.QUEUED: _("Queued"),
        InvitationStatus.SENT: _("Sent"),
        InvitationStatus.FAILED: _("Failed"),
        InvitationStatus.OPENED: _("Opened"),
        InvitationStatus.ANSWERED: _("Answered"),
        InvitationStatus.EXPIRED: _("Expired"),
        InvitationStatus.UNSUBSCRIBED: _("Unsubscribed"),
    }


def _builder_link(survey: Survey) -> str | None:
    """The survey's page in the builder, when the builder is installed."""
    if "surveys.edit" in current_app.view_functions:
        return url_for("surveys.edit", survey_id=survey.id)
    return None


@bp.route("/<int:survey_id>/send", methods=["GET", "POST"])
@requires(policy.MANAGE_SURVEYS)
def send(survey_id: int):
    survey = get_or_404(Survey, survey_id, policy.MANAGE_SURVEYS)
    form = RecipientsForm()
    selection, criteria = None, None
    if form.validate_on_submit():
        try:
            criteria = form.criteria()
            selection = distribution.select_recipients(survey, criteria, current_user)
        except DomainError as error:
            apply_domain_error(form, error)
    problem = None
    try:
        distribution.check_sendable(survey)
    except DomainError as error:
        problem = error.message
    return render_template(
        "surveys/send/send.html",
        survey=survey,
        form=form,
        selection=selection,
        criteria=criteria,
        problem=problem,
        reasons=reason_labels(distribution.throttle_days()),
        excluded_shown=EXCLUDED_SHOWN,
        hidden_fields=hidden_fields(criteria) if criteria is not None else [],
        builder_link=_builder_link(survey),
        needs_approval=distribution.needs_approval(current_user),
    )


@bp.route("/<int:survey_id>/send/confirm", methods=["POST"])
@requires(policy.MANAGE_SURVEYS)
def confirm(survey_id: int):
    survey = get_or_404(Survey, survey_id, policy.MANAGE_SURVEYS)
    form = RecipientsForm()
    if not form.validate_on_submit():
        flash(_("Choose the recipients again."), "error")
        return redirect(url_for(".send", survey_id=survey.id))
    try:
        selection, ids = distribution.send_survey(survey, form.criteria(), current_user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".send", survey_id=survey.id))
    if ids or not selection.held:
        flash(
            ngettext(
                "%(num)d invitation is on its way.",
                "%(num)d invitations are on their way.",
                len(ids),
            ),
            "success",
        )
    if selection.held:
        flash(
            ngettext(
                "%(num)d pasted address waits for HR's approval before it is invited.",
                "%(num)d pasted addresses wait for HR's approval before they are invited.",
                selection.held,
            ),
            "info",
        )
    return redirect(url_for(".invitations", survey_id=survey.id))


@bp.route("/<int:survey_id>/invitations")
@requires(policy.MANAGE_SURVEYS)
def invitations(survey_id: int):
    survey = get_or_404(Survey, survey_id, policy.MANAGE_SURVEYS)
    raw = request.args.get("state", "")
    state = InvitationStatus(raw) if raw in InvitationStatus._value2member_map_ else None
    page = paginate(
        distribution.invitations_query(survey, state, current_user),
        page_arg(),
        current_app.config["PAGE_SIZE"],
    )
    mail_out = distribution.mail_out_progress(survey, current_user)
    counts = mail_out.counts
    return render_template(
        "surveys/send/invitations.html",
        survey=survey,
        page=page,
        state=state,
        mail_out=mail_out,
        mail_out_message=_mail_out_message(mail_out),
        counts=counts,
        total=sum(counts.values()),
        failed=counts[InvitationStatus.FAILED],
        labels=status_labels(),
        builder_link=_builder_link(survey),
        max_attempts=sending.MAX_ATTEMPTS,
    )


def _mail_out_message(mail_out: distribution.MailOutProgress) -> str:
    sent = ngettext(
        "%(done)d of %(num)d invitation sent or tried.",
        "%(done)d of %(num)d invitations sent or tried.",
        mail_out.total,
        done=mail_out.total - mail_out.queued,
    )
    if mail_out.running:
        return " ".join([_("Sending now…"), sent])
    return " ".join([_("Waiting for the mail-out…"), sent])


@bp.route("/<int:survey_id>/invitations/progress")
@requires(policy.MANAGE_SURVEYS)
def invitations_progress(survey_id: int):
    survey = get_or_404(Survey, survey_id, policy.MANAGE_SURVEYS)
    mail_out = distribution.mail_out_progress(survey, current_user)
    return jsonify(
        busy=mail_out.busy,
        running=mail_out.running,
        percent=mail_out.percent,
        message=_mail_out_message(mail_out),
        counts={"all": mail_out.total} | {s.value: n for s, n in mail_out.counts.items()},
    )


@bp.route("/<int:survey_id>/invitations/resend", methods=["POST"])
@requires(policy.MANAGE_SURVEYS)
def resend(survey_id: int):
    survey = get_or_404(Survey, survey_id, policy.MANAGE_SURVEYS)
    invitation_id = int_arg("invitation_id", source=request.form)
    try:
        count = sending.resend_failed(survey, current_user, invitation_id=invitation_id)
    except sending.InvitationNotFound:
        abort(404)
    except DomainError as error:
        flash(error.message, "error")
    else:
        if count:
            flash(
                ngettext(
                    "%(num)d failed invitation is being sent again.",
                    "%(num)d failed invitations are being sent again.",
                    count,
                ),
                "success",
            )
        else:
            flash(_("No failed invitation to send again."), "info")
    state = request.form.get("state") or None
    return redirect(url_for(".invitations", survey_id=survey.id, state=state))


# Ad-hoc sends awaiting approval (HR) -------------------------------------------------------------


class DecisionForm(FlaskForm):
    """Approve or reject one held send; an empty form so the buttons carry a CSRF token."""


@bp.route("/approvals")
@requires(policy.APPROVE_ADHOC_SENDS)
def approvals():
    return render_template(
        "surveys/send/approvals.html",
        sends=distribution.pending_adhoc_sends(),
        form=DecisionForm(),
    )


@bp.route("/approvals/<int:send_id>/approve", methods=["POST"])
@requires(policy.APPROVE_ADHOC_SENDS)
def approve(send_id: int):
    if DecisionForm().validate_on_submit():
        try:
            count = distribution.approve_adhoc_send(send_id, current_user)
        except distribution.AdhocSendNotFound:
            abort(404)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(
                ngettext(
                    "Approved: %(num)d invitation is on its way.",
                    "Approved: %(num)d invitations are on their way.",
                    count,
                ),
                "success",
            )
    return redirect(url_for(".approvals"))


@bp.route("/approvals/<int:send_id>/reject", methods=["POST"])
@requires(policy.APPROVE_ADHOC_SENDS)
def reject(send_id: int):
    if DecisionForm().validate_on_submit():
        try:
            distribution.reject_adhoc_send(send_id, current_user)
        except distribution.AdhocSendNotFound:
            abort(404)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Rejected: nothing is sent to these addresses."), "success")
    return redirect(url_for(".approvals"))
