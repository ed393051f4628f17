"""Accounts: people, roles, teams, product lines; sign-in and password links."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l


def register(app: Flask) -> None:
    """Add the accounts domain to ``app``: sign-in, admin pages, commands, navigation."""
    from coachflow.accounts import api, cli, policy, services, tasks  # noqa: F401 (api, tasks)
    from coachflow.accounts.forms import role_choices
    from coachflow.accounts.models import Role
    from coachflow.accounts.services import load_session_user
    from coachflow.accounts.views import admin, auth, branding, tokens
    from coachflow.platform.extensions import login_manager
    from coachflow.platform.jobs import add_periodic
    from coachflow.platform.navigation import NavEntry, add_navigation
    from coachflow.platform.permissions import SIGNED_IN
    from coachflow.platform.web import inline_style

    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_session_user)
    for blueprint in (auth.bp, admin.bp, tokens.bp, branding.bp):
        app.register_blueprint(blueprint)
    # Who is asking, for the respondent's pages.
    app.jinja_env.globals.update(
        organisation_branding=branding.page_branding, inline_style=inline_style
    )
    app.cli.add_command(cli.seed_demo)
    app.cli.add_command(cli.users_cli)
    add_periodic(app, services.PURGE_SESSIONS, 24 * 3600.0)
    app.cli.add_command(cli.api_token_cli)
    labels = {choice.value: choice.label for choice in role_choices()}
    app.jinja_env.globals["role_label"] = lambda role: labels[Role(role).value]

    def teams_link(user) -> tuple[str, str] | None:
        if user.role is not Role.REP:
            return str(_l("Teams")), url_for("accounts.teams")
        if user.team_id is None:
            return None
        return str(_l("My team")), url_for("accounts.team", team_id=user.team_id)

    add_navigation(
        app,
        NavEntry(
            20,
            "accounts.teams",
            _l("Teams"),
            policy.VIEW_TEAM,
            ("accounts.team", "accounts.new_team", "accounts.edit_team"),
            link=teams_link,
        ),
        NavEntry(
            64,
            "accounts.users",
            _l("Users"),
            policy.MANAGE_USERS,
            ("accounts.new_user", "accounts.edit_user"),
        ),
        NavEntry(
            70,
            "accounts.product_lines",
            _l("Product lines"),
            policy.MANAGE_PRODUCT_LINES,
            ("accounts.edit_product_line",),
        ),
        NavEntry(90, "api_tokens.index", _l("API tokens"), policy.MANAGE_API_TOKENS),
        NavEntry(110, "accounts.audit_log", _l("Audit log"), policy.VIEW_AUDIT_LOG),
        NavEntry(115, "accounts.settings", _l("Settings"), policy.MANAGE_SETTINGS),
        NavEntry(120, "accounts.account", _l("Account"), SIGNED_IN),
    )
