"""The admin's page for API tokens: list, issue (shown once) and revoke."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from coachflow.accounts import policy as accounts_policy
from coachflow.accounts import tokens
from coachflow.accounts.forms import ApiTokenForm, ConfirmForm
from coachflow.accounts.models import ApiToken, User
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.paging import paginate
from coachflow.platform.permissions import requires
from coachflow.platform.web import apply_domain_error, page_arg

bp = Blueprint("api_tokens", __name__, url_prefix="/admin/api-tokens")


def _active_users() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.active.is_(True)).order_by(User.name, User.email)
        )
    )


@bp.route("", methods=["GET", "POST"])
@requires(accounts_policy.MANAGE_API_TOKENS)
def index():
    form = ApiTokenForm(users=_active_users())
    issued = None
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data)
        try:
            issued = tokens.create_token(
                user, name=form.name.data, scopes=form.scopes.data, by=current_user
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            # Shown in this response only: the page is not cached and the token not stored.
            form = ApiTokenForm(formdata=None, users=_active_users())
    page = paginate(tokens.token_list(), page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "accounts/api_tokens.html", form=form, page=page, issued=issued, action_form=ConfirmForm()
    )


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@requires(accounts_policy.MANAGE_API_TOKENS)
def revoke(token_id: int):
    record = db.get_or_404(ApiToken, token_id)
    if ConfirmForm().validate_on_submit():
        tokens.revoke_token(record, by=current_user)
        flash(
            _(
                "Token %(name)s (%(prefix)s…) is revoked; it stops working at once.",
                name=record.name,
                prefix=record.prefix,
            ),
            "success",
        )
    return redirect(url_for("api_tokens.index"))
