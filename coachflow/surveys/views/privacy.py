"""Privacy requests about a customer contact (admins): find by email, export JSON, erase, and
lift the suppression an erasure leaves on the address.

The same services back the command line: ``flask contacts export EMAIL`` and
``flask contacts erase EMAIL --yes``. Addresses travel in POST bodies, never in URLs, so they do
not end up in access logs.
"""

from __future__ import annotations

import json

import click
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, SubmitField
from wtforms.validators import DataRequired, Length

from coachflow.platform.errors import DomainError
from coachflow.platform.paging import paginate
from coachflow.platform.permissions import requires
from coachflow.platform.web import apply_domain_error, page_arg
from coachflow.sales.models import SuppressionReason
from coachflow.sales.services import suppression
from coachflow.surveys import policy
from coachflow.surveys.services import privacy

bp = Blueprint("contact_privacy", __name__, url_prefix="/admin/contacts/privacy")


class LookupForm(FlaskForm):
    email = EmailField(_l("Contact's email address"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Find"))


class ExportForm(FlaskForm):
    email = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Download their data (JSON)"))


class EraseForm(FlaskForm):
    email = HiddenField(validators=[DataRequired()])
    confirm = BooleanField(
        _l("I understand that erasure cannot be undone."), validators=[DataRequired()]
    )
    submit = SubmitField(_l("Erase name and email"))


class LiftSuppressionForm(FlaskForm):
    email = EmailField(
        _l("Email address to allow again"), validators=[DataRequired(), Length(max=254)]
    )
    submit = SubmitField(_l("Lift suppression for this address"))


REASON_LABELS = {SuppressionReason.ERASURE: _l("erased on request")}


@bp.route("", methods=["GET", "POST"])
@requires(policy.MANAGE_CONTACT_PRIVACY)
def index():
    form = LookupForm()
    person = None
    if form.validate_on_submit():
        try:
            person = privacy.find_person(form.email.data)
        except DomainError as error:
            apply_domain_error(form, error)
    return _page(form, person)


def _page(form: LookupForm, person: privacy.Person | None, erase_form: EraseForm | None = None):
    email = person.email if person else ""
    return render_template(
        "surveys/privacy/index.html",
        form=form,
        person=person,
        export_form=ExportForm(formdata=None, email=email),
        erase_form=erase_form or EraseForm(formdata=None, email=email),
    )


@bp.route("/export", methods=["POST"])
@requires(policy.MANAGE_CONTACT_PRIVACY)
def export():
    form = ExportForm()
    if not form.validate_on_submit():
        flash(_("Find the contact first, then download their data."), "error")
        return redirect(url_for("contact_privacy.index"))
    try:
        data = privacy.export_person(form.email.data, by=current_user)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("contact_privacy.index"))
    name = f"contact-{data['contact']['id']}.json" if data["contact"] else "contact-data.json"
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/erase", methods=["POST"])
@requires(policy.MANAGE_CONTACT_PRIVACY)
def erase():
    form = EraseForm()
    if not form.email.data:
        flash(_("Find the contact first, then erase their data."), "error")
        return redirect(url_for("contact_privacy.index"))
    if form.validate_on_submit():
        try:
            erasure = privacy.erase_person(form.email.data, by=current_user)
        except DomainError as error:
            flash(str(error.message), "error")
            return redirect(url_for("contact_privacy.index"))
        flash(
            _(
                "Name and email erased from the contact and %(invitations)d invitation(s); "
                "%(responses)d response(s) kept as unattributed scores.",
                invitations=erasure.invitations,
                responses=erasure.responses_kept,
            ),
            "success",
        )
        if erasure.uploads_deleted:
            flash(
                _(
                    "%(n)d uploaded file(s) not yet imported held this address and were deleted.",
                    n=erasure.uploads_deleted,
                ),
                "success",
            )
        return redirect(url_for("contact_privacy.index"))
    lookup = LookupForm(formdata=None, email=form.email.data)
    try:
        person = privacy.find_person(form.email.data)
    except DomainError as error:
        apply_domain_error(lookup, error)
        person = None
    return _page(lookup, person, erase_form=form)


@bp.route("/suppressions", methods=["GET", "POST"])
@requires(policy.MANAGE_CONTACT_PRIVACY)
def suppressions():
    form = LiftSuppressionForm()
    if form.validate_on_submit():
        try:
            suppression.lift(form.email.data, by=current_user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("The suppression is lifted: this address may be stored again."), "success")
            return redirect(url_for("contact_privacy.suppressions"))
    page = paginate(suppression.suppressions(), page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "surveys/privacy/suppressions.html",
        form=form,
        page=page,
        reasons=REASON_LABELS,
        prefix=suppression.HASH_PREFIX,
    )


# Command line ------------------------------------------------------------------------------------

contacts_cli = AppGroup("contacts", help="A contact's personal data: export or erase on request.")


@contacts_cli.command("export")
@click.argument("email")
def export_command(email: str) -> None:
    """Print everything stored about EMAIL as JSON."""
    try:
        data = privacy.export_person(email, by=None)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@contacts_cli.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(email: str, yes: bool) -> None:
    """Erase EMAIL's name and address everywhere; their scores stay as unattributed numbers."""
    if not yes:
        click.confirm(f"Erase the personal data of {email}? This cannot be undone.", abort=True)
    try:
        erasure = privacy.erase_person(email, by=None)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(
        f"Erased: contact {erasure.contact_id or '-'}, {erasure.invitations} invitation(s) "
        f"detached, {erasure.responses_kept} response(s) kept unattributed, "
        f"{erasure.comments_removed} comment(s) removed."
    )
    if erasure.uploads_deleted:
        click.echo(f"Deleted {erasure.uploads_deleted} upload(s) not yet imported that held it.")
