"""Pages for people, teams and product lines (admins), team pages, and one's own account."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from coachflow.accounts import audit_catalogue, organisation, policy, queries, services
from coachflow.accounts.auth_forms import ChangePasswordForm, SignOutEverywhereForm
from coachflow.accounts.forms import (
    ConfirmForm,
    LanguageForm,
    OrganisationSettingsForm,
    ProductLineForm,
    TeamForm,
    UserForm,
)
from coachflow.accounts.models import ProductLine, Role, Team, User
from coachflow.accounts.policy import visible_teams
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.paging import paginate
from coachflow.platform.permissions import SIGNED_IN, get_or_404, requires
from coachflow.platform.web import apply_domain_error, int_arg, page_arg

bp = Blueprint("accounts", __name__)


def _page() -> int:
    return page_arg()


# Own account ------------------------------------------------------------------------------


@bp.route("/account", methods=["GET", "POST"])
@requires(SIGNED_IN)
def account():
    language_form = LanguageForm(prefix="lang", language=current_user.language)
    password_form = ChangePasswordForm(prefix="pw")
    everywhere_form = SignOutEverywhereForm(prefix="out")
    if language_form.submit.data and language_form.validate_on_submit():
        services.set_language(current_user, language_form.language.data)
        flash(_("Language saved."), "success")
        return redirect(url_for("accounts.account"))
    if password_form.submit.data and password_form.validate_on_submit():
        try:
            services.change_password(
                current_user,
                password_form.current_password.data,
                password_form.password.data,
                password_form.confirm.data,
            )
        except DomainError as error:
            apply_domain_error(password_form, error)
        else:
            # Every session ended with the old password; this device starts a new one.
            session.clear()
            login_user(services.start_session(current_user._get_current_object()))
            flash(_("Password changed. Other devices have been signed out."), "success")
            return redirect(url_for("accounts.account"))
    if everywhere_form.submit.data and everywhere_form.validate_on_submit():
        services.end_all_sessions(current_user)
        logout_user()
        flash(_("You are signed out on every device."), "info")
        return redirect(url_for("auth.login"))
    return render_template(
        "accounts/account.html",
        language_form=language_form,
        password_form=password_form,
        everywhere_form=everywhere_form,
    )


# Teams -----------------------------------------------------------------------------------------


@bp.route("/teams")
@requires(policy.VIEW_TEAM)
def teams():
    rows = db.session.execute(queries.team_rows(visible_teams(current_user))).all()
    return render_template("accounts/teams.html", teams=rows)


@bp.route("/teams/<int:team_id>")
@requires(policy.VIEW_TEAM)
def team(team_id: int):
    team = get_or_404(Team, team_id, policy.VIEW_TEAM)
    return render_template("accounts/team.html", team=team, members=queries.team_members(team))


def _team_form_page(team: Team | None):
    form = TeamForm(obj=team, managers=queries.managers())
    if form.validate_on_submit():
        try:
            saved = services.save_team(
                team,
                name=form.name.data,
                territory=form.territory.data or "",
                manager_id=form.manager_id.data,
                by=current_user,
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Team %(name)s saved.", name=saved.name), "success")
            return redirect(url_for("accounts.team", team_id=saved.id))
    return render_template("accounts/team_form.html", form=form, team=team)


@bp.route("/admin/teams/new", methods=["GET", "POST"])
@requires(policy.MANAGE_TEAMS)
def new_team():
    return _team_form_page(None)


@bp.route("/admin/teams/<int:team_id>/edit", methods=["GET", "POST"])
@requires(policy.MANAGE_TEAMS)
def edit_team(team_id: int):
    return _team_form_page(db.get_or_404(Team, team_id))


# Users (admin) ---------------------------------------------------------------------------------


@bp.route("/admin/users")
@requires(policy.MANAGE_USERS)
def users():
    role = request.args.get("role", "")
    team_id = int_arg("team")
    status = request.args.get("status", "active")
    query = queries.user_list(
        search=request.args.get("q", ""),
        role=Role(role) if role in Role._value2member_map_ else None,
        team_id=team_id,
        active={"active": True, "inactive": False}.get(status),
    )
    page = paginate(query, _page(), current_app.config["PAGE_SIZE"])
    return render_template(
        "accounts/users.html",
        page=page,
        teams=queries.all_teams(),
        roles=list(Role),
        filters={"q": request.args.get("q", ""), "role": role, "team": team_id, "status": status},
    )


def _user_data(form: UserForm) -> services.UserData:
    return services.UserData(
        name=form.name.data,
        email=form.email.data,
        role=Role(form.role.data),
        team_id=form.team_id.data,
        language=form.language.data,
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@requires(policy.MANAGE_USERS)
def new_user():
    form = UserForm(teams=queries.all_teams(), language=current_app.config["BABEL_DEFAULT_LOCALE"])
    if form.validate_on_submit():
        try:
            user = services.create_user(_user_data(form), by=current_user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(
                _(
                    "%(name)s was added and has been emailed a link to set a password.",
                    name=user.name,
                ),
                "success",
            )
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@requires(policy.MANAGE_USERS)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user, teams=queries.all_teams())
    if request.method == "GET":
        form.role.data = user.role.value
    if form.validate_on_submit():
        try:
            services.update_user(user, _user_data(form), by=current_user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("%(name)s saved.", name=user.name), "success")
            return redirect(url_for("accounts.users"))
    return render_template(
        "accounts/user_form.html", form=form, user=user, action_form=ConfirmForm()
    )


def _user_action(user_id: int, action) -> object:
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        try:
            message = action(user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(message, "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id))


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
@requires(policy.MANAGE_USERS)
def deactivate_user(user_id: int):
    def deactivate(user: User) -> str:
        services.set_active(user, False, by=current_user)
        return _("%(name)s is deactivated and signed out.", name=user.name)

    return _user_action(user_id, deactivate)


@bp.route("/admin/users/<int:user_id>/reactivate", methods=["POST"])
@requires(policy.MANAGE_USERS)
def reactivate_user(user_id: int):
    def reactivate(user: User) -> str:
        services.set_active(user, True, by=current_user)
        return _("%(name)s can sign in again.", name=user.name)

    return _user_action(user_id, reactivate)


@bp.route("/admin/users/<int:user_id>/send-password-link", methods=["POST"])
@requires(policy.MANAGE_USERS)
def send_password_link(user_id: int):
    def send(user: User) -> str:
        services.send_password_link(user, by=current_user)
        return _("A link to set a password was emailed to %(email)s.", email=user.email)

    return _user_action(user_id, send)


# Product lines (admin) -------------------------------------------------------------------------


@bp.route("/admin/product-lines", methods=["GET", "POST"])
@requires(policy.MANAGE_PRODUCT_LINES)
def product_lines():
    form = ProductLineForm()
    if form.validate_on_submit():
        try:
            line = services.save_product_line(
                None,
                code=form.code.data,
                name=form.name.data,
                active=form.active.data,
                by=current_user,
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Product line %(name)s added.", name=line.name), "success")
            return redirect(url_for("accounts.product_lines"))
    return render_template("accounts/product_lines.html", form=form, lines=queries.product_lines())


@bp.route("/admin/product-lines/<int:line_id>/edit", methods=["GET", "POST"])
@requires(policy.MANAGE_PRODUCT_LINES)
def edit_product_line(line_id: int):
    line = db.get_or_404(ProductLine, line_id)
    form = ProductLineForm(obj=line)
    if form.validate_on_submit():
        try:
            services.save_product_line(
                line,
                code=form.code.data,
                name=form.name.data,
                active=form.active.data,
                by=current_user,
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Product line %(name)s saved.", name=line.name), "success")
            return redirect(url_for("accounts.product_lines"))
    return render_template("accounts/product_line_form.html", form=form, line=line)


# Audit log (admin) -----------------------------------------------------------------------------


@bp.route("/admin/audit")
@requires(policy.VIEW_AUDIT_LOG)
def audit_log():
    page = paginate(queries.audit_events(), _page(), current_app.config["PAGE_SIZE"])
    return render_template(
        "accounts/audit.html",
        page=page,
        action_label=audit_catalogue.action_label,
        details=audit_catalogue.details,
    )


# Organisation settings (admin) -----------------------------------------------------------------


@bp.route("/admin/settings", methods=["GET", "POST"])
@requires(policy.MANAGE_SETTINGS)
def settings():
    if request.method == "GET":
        form = OrganisationSettingsForm.showing(organisation.organisation_settings())
    else:
        form = OrganisationSettingsForm()
    if form.validate_on_submit():
        try:
            organisation.save_organisation_settings(
                company_domains=form.company_domains.data or "",
                adhoc_needs_approval=form.adhoc_needs_approval.data,
                by=current_user,
                branding=form.branding_change(),
                time_zone=form.time_zone.data or None,
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            flash(_("Settings saved."), "success")
            return redirect(url_for("accounts.settings"))
    return render_template(
        "accounts/settings.html",
        form=form,
        branding=organisation.branding(),
        logo_max_kb=organisation.LOGO_MAX_BYTES // 1024,
    )
