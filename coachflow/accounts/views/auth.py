"""Sign in, sign out, and setting a password from an emailed link."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from coachflow.accounts import services
from coachflow.accounts.auth_forms import ForgotPasswordForm, LoginForm, NewPasswordForm
from coachflow.lib import emails
from coachflow.platform.errors import DomainError, InvalidToken
from coachflow.platform.extensions import limiter
from coachflow.platform.permissions import PUBLIC, requires
from coachflow.platform.web import apply_domain_error, is_safe_next

bp = Blueprint("auth", __name__)

RESET_SESSION_KEY = "password_reset_token"


def _account_and_address_key() -> str:
    # The account together with the client's address: failures from one address slow that
    # address down, never the owner signing in from elsewhere.
    email = emails.normalise(request.form.get("email", ""))
    return f"account:{email}|{get_remote_address()}"


def _failed(response: object) -> bool:
    # Only refused attempts count against the limits; a successful sign-in redirects.
    return getattr(response, "status_code", 200) != 302


@bp.route("/login", methods=["GET", "POST"])
@requires(PUBLIC)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_and_address_key,
    methods=["POST"],
    deduct_when=_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()
            login_user(user)
            next_url = request.args.get("next", "")
            return redirect(next_url if is_safe_next(next_url) else url_for("home.index"))
        form.password.errors.append(_("The email or password is not correct."))
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@requires(PUBLIC)
def logout():
    if current_user.is_authenticated:
        services.end_session(current_user.session_key)
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@requires(PUBLIC)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(
            _(
                "If an account uses this address, a link to set a new password is on its way. "
                "It works once and expires in %(hours)d hour(s).",
                hours=current_app.config["PASSWORD_RESET_TTL_SECONDS"] // 3600,
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>")
@requires(PUBLIC)
def reset_link(token: str):
    """Swap the token in the URL for one in the session, so no later page carries it."""
    g.token_link = True
    services.check_reset_token(token)
    session[RESET_SESSION_KEY] = token
    return redirect(url_for("auth.reset_password"), code=303)


@bp.route("/password/reset", methods=["GET", "POST"])
@requires(PUBLIC)
def reset_password():
    token = session.get(RESET_SESSION_KEY)
    if token is None:
        flash(_("Open the link from your email to set a new password."), "error")
        return redirect(url_for("auth.forgot_password"))
    record = services.check_reset_token(token)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data, form.confirm.data)
        except InvalidToken:
            raise
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            session.pop(RESET_SESSION_KEY, None)
            logout_user()
            flash(_("Your password is set. Sign in with it now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, user=record.user)
