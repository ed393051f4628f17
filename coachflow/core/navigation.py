"""The main navigation: each entry shows only for those the permission layer lets in."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from coachflow.accounts.forms import role_choices
from coachflow.accounts.models import Role
from coachflow.auth.permissions import Action, allowed


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


# (endpoint, label, action); the first endpoint prefix that matches marks the current entry.
ENTRIES = [
    ("core.home", _l("Home"), Action.SIGNED_IN),
    ("accounts.teams", _l("Teams"), Action.VIEW_TEAM),
    ("sales.overview", _l("Sales"), Action.VIEW_SALES),  # a rep is sent on to their own page
    ("surveys.index", _l("Surveys"), Action.MANAGE_SURVEYS),
    ("survey_results.overview", _l("Results"), Action.VIEW_SURVEY_RESULTS),
    ("survey_sending.approvals", _l("Approvals"), Action.APPROVE_ADHOC_SENDS),
    ("accounts.users", _l("Users"), Action.MANAGE_USERS),
    ("accounts.product_lines", _l("Product lines"), Action.MANAGE_PRODUCT_LINES),
    ("sales_imports.index", _l("Imports"), Action.IMPORT_SALES_DATA),
    ("api_tokens.index", _l("API tokens"), Action.MANAGE_API_TOKENS),
    ("contact_privacy.index", _l("Contact privacy"), Action.MANAGE_CONTACT_PRIVACY),
    ("accounts.audit_log", _l("Audit log"), Action.VIEW_AUDIT_LOG),
    ("accounts.settings", _l("Settings"), Action.MANAGE_SETTINGS),
    ("accounts.account", _l("Account"), Action.SIGNED_IN),
]

SECTIONS = {
    "accounts.team": "accounts.teams",
    "accounts.new_team": "accounts.teams",
    "accounts.edit_team": "accounts.teams",
    "accounts.new_user": "accounts.users",
    "accounts.edit_user": "accounts.users",
    "accounts.edit_product_line": "accounts.product_lines",
    "sales.rep": "sales.overview",
    "sales.account": "sales.overview",
    "survey_results.survey": "survey_results.overview",
    "surveys.new": "surveys.index",
    "surveys.edit": "surveys.index",
    "surveys.edit_question": "surveys.index",
    "surveys.preview": "surveys.index",
    "surveys.add_question": "surveys.index",
    "surveys.texts": "surveys.index",
    "surveys.settings": "surveys.index",
    "survey_sending.send": "surveys.index",
    "survey_sending.invitations": "surveys.index",
    "sales_imports.new": "sales_imports.index",
    "sales_imports.columns": "sales_imports.index",
    "sales_imports.show": "sales_imports.index",
}


def navigation() -> list[NavItem]:
    """The entries the signed-in user may open, in order."""
    current = SECTIONS.get(request.endpoint or "", request.endpoint)
    items = []
    for endpoint, label, action in ENTRIES:
        if not allowed(current_user, action):
            continue
        if endpoint == "accounts.teams" and current_user.role is Role.REP:
            if current_user.team_id is None:
                continue
            items.append(
                NavItem(
                    str(_l("My team")),
                    url_for("accounts.team", team_id=current_user.team_id),
                    current == "accounts.teams",
                )
            )
            continue
        items.append(NavItem(str(label), url_for(endpoint), current == endpoint))
    return items


def init_templates(app: Flask) -> None:
    """Make the navigation, the permission check and the locale available to every template."""
    app.jinja_env.globals.update(
        navigation=navigation,
        can=lambda action, target=None: allowed(current_user, Action(action), target),
        role_label=lambda role: {c.value: c.label for c in role_choices()}[Role(role).value],
        format_datetime=format_datetime,
        current_locale=lambda: str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
    )
