"""The one place that says who may do what.

Every view declares the action it needs with ``@requires(Action.X)``; ``create_app`` refuses to
start when a view declares none, and ``tests/integration/test_route_matrix.py`` walks every route
as every role. Object-level rules (a manager: their teams; a rep: themselves) live in
``allowed`` beside the role grants, so views and the API ask the same question the same way.
The API's actions (``TOKEN_SCOPES``) are asked for by a bearer token's caller, never by a
session: ``caller`` finds it through the loader the API blueprint installs (``bearer_loader``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, g
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, false, true
from werkzeug.datastructures import WWWAuthenticate

from coachflow.accounts.models import Role, Team, User
from coachflow.extensions import db, login_manager
from coachflow.sales.models import Contact, CustomerAccount, Deal, Quota
from coachflow.surveys.models import Survey

F = TypeVar("F", bound=Callable[..., Any])


class Action(enum.StrEnum):
    """What a request wants to do. A view names exactly one."""

    PUBLIC = "public"  # no sign-in: login, password reset, health check
    SIGNED_IN = "signed_in"  # any active user: home, own account
    VIEW_TEAM = "teams.view"  # a team's page and the list of teams one may see
    MANAGE_TEAMS = "teams.manage"
    MANAGE_USERS = "users.manage"
    MANAGE_PRODUCT_LINES = "product_lines.manage"
    VIEW_AUDIT_LOG = "audit.view"
    VIEW_SALES = "sales.view"  # deals, attainment and accounts: one's own, one's teams', or all
    IMPORT_SALES_DATA = "sales.import"
    API_READ = "api.read"  # REST API with a bearer token: read the sales records one may see
    API_WRITE = "api.write"  # REST API: create and update sales records
    MANAGE_API_TOKENS = "api_tokens.manage"
    MANAGE_SURVEYS = "surveys.manage"  # build and send: a manager their own surveys, HR/admin all
    VIEW_SURVEY_RESULTS = "surveys.results"  # scores and comments about the people one may see
    MANAGE_CONTACT_PRIVACY = "contacts.privacy"  # export or erase a contact's data on request
    MANAGE_SETTINGS = "settings.manage"  # the organisation's settings (company domains, …)
    APPROVE_ADHOC_SENDS = "surveys.approve_adhoc"  # let a manager's send to pasted addresses go


ROLE_GRANTS: dict[Action, frozenset[Role]] = {
    Action.SIGNED_IN: frozenset(Role),
    Action.VIEW_TEAM: frozenset(Role),
    Action.MANAGE_TEAMS: frozenset({Role.ADMIN}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.MANAGE_PRODUCT_LINES: frozenset({Role.ADMIN}),
    Action.VIEW_AUDIT_LOG: frozenset({Role.ADMIN}),
    Action.VIEW_SALES: frozenset(Role),
    Action.IMPORT_SALES_DATA: frozenset({Role.ADMIN}),
    Action.API_READ: frozenset(Role),
    Action.API_WRITE: frozenset({Role.ADMIN}),
    Action.MANAGE_API_TOKENS: frozenset({Role.ADMIN}),
    Action.MANAGE_SURVEYS: frozenset({Role.ADMIN, Role.HR, Role.MANAGER}),
    Action.VIEW_SURVEY_RESULTS: frozenset(Role),
    Action.MANAGE_CONTACT_PRIVACY: frozenset({Role.ADMIN}),
    Action.MANAGE_SETTINGS: frozenset({Role.ADMIN}),
    Action.APPROVE_ADHOC_SENDS: frozenset({Role.ADMIN, Role.HR}),
}

# An API action is done with a bearer token, acting as the token's user, and needs the token's
# scope as well as the role; a signed-in session never grants one (it has no scopes).
TOKEN_SCOPES: dict[Action, str] = {Action.API_READ: "read", Action.API_WRITE: "write"}


def allowed(user: Any, action: Action, target: object | None = None) -> bool:
    """Whether ``user`` may do ``action`` (on ``target`` when given)."""
    if action is Action.PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role not in ROLE_GRANTS[action]:
        return False
    if action in TOKEN_SCOPES and TOKEN_SCOPES[action] not in getattr(user, "scopes", ()):
        return False
    if target is None:
        return True
    if action is Action.API_READ:
        return _may_see_sales(user, _seller_of(target))
    if action is Action.VIEW_SALES:
        return _may_see_sales(user, target)
    if isinstance(target, Team):
        return _may_see_team(user, target)
    if isinstance(target, Survey):
        if action is Action.MANAGE_SURVEYS:
            return user.role in (Role.ADMIN, Role.HR) or target.owner_id == user.id
        # Results pages scope their figures to visible_sellers(user); the survey itself is open.
        return action is Action.VIEW_SURVEY_RESULTS
    raise TypeError(f"no ownership rule for {type(target).__name__}")


def _may_see_team(user: User, team: Team) -> bool:
    if user.role in (Role.ADMIN, Role.HR):
        return True
    if user.role is Role.MANAGER:
        return team.manager_id == user.id
    return team.id == user.team_id


def _may_see_sales(user: User, target: object) -> bool:
    """Sales figures: HR and admin see all; a manager their teams' people; anyone themselves."""
    if isinstance(target, CustomerAccount):
        target = target.owner  # an account is seen by whoever may see its owner's sales
    if not isinstance(target, User | Team | None):
        raise TypeError(f"no ownership rule for {type(target).__name__}")
    if user.role in (Role.ADMIN, Role.HR):
        return True
    if target is None:
        return False  # an account nobody owns: HR and admin only
    if isinstance(target, Team):
        return user.role is Role.MANAGER and target.manager_id == user.id
    if target.id == user.id:
        return True
    return (
        user.role is Role.MANAGER and target.team is not None and target.team.manager_id == user.id
    )


def _seller_of(record: object) -> object:
    """Whose sales a record is: an account's or a contact's owner, a deal's or a quota's rep."""
    if isinstance(record, Contact):
        return record.account.owner
    if isinstance(record, Deal | Quota):
        return record.rep
    return record


def visible_sales(user: User, seller: Any) -> ColumnElement[bool]:
    """SQL: the records whose ``seller`` column (a rep or owner id) ``user`` may see."""
    if user.role in (Role.ADMIN, Role.HR):
        return true()  # including accounts nobody owns
    return seller.in_(visible_sellers(user))


def visible_sellers(user: User) -> Select[tuple[int]]:
    """Ids of the people whose sales ``user`` may see: all, their teams' and their own, or own."""
    if user.role in (Role.ADMIN, Role.HR):
        return db.select(User.id)
    if user.role is Role.MANAGER:
        teams = db.select(Team.id).where(Team.manager_id == user.id)
        return db.select(User.id).where((User.team_id.in_(teams)) | (User.id == user.id))
    return db.select(User.id).where(User.id == user.id)


def visible_teams(user: User) -> Select[tuple[Team]]:
    """The teams ``user`` may see, as a query to filter, order and paginate further."""
    query = db.select(Team)
    if user.role in (Role.ADMIN, Role.HR):
        return query
    if user.role is Role.MANAGER:
        return query.where(Team.manager_id == user.id)
    if user.team_id is None:
        return query.where(false())
    return query.where(Team.id == user.team_id)


def requires(action: Action) -> Callable[[F], F]:
    """Declare the action a view needs and enforce it before the view runs."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if action is not Action.PUBLIC:
                who = caller(action)
                if who is None or not who.is_authenticated:
                    if action in TOKEN_SCOPES:
                        abort(401, www_authenticate=WWWAuthenticate("Bearer"))
                    return login_manager.unauthorized()
                if not allowed(who, action):
                    abort(403)
            return view(*args, **kwargs)

        wrapper.required_action = action  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def bearer_loader(app: Flask, loader: Callable[[], Any]) -> None:
    """Install how an API request's bearer token becomes its caller (None when it is not valid)."""
    app.extensions["coachflow.bearer_loader"] = loader


def caller(action: Action) -> Any:
    """Who asks: for an API action the bearer token's caller or None (never the session's user),
    for any other action the signed-in user."""
    if action not in TOKEN_SCOPES:
        return current_user
    if "api_caller" not in g:
        loader = current_app.extensions.get("coachflow.bearer_loader")
        g.api_caller = loader() if loader is not None else None
    return g.api_caller


def authorize(action: Action, target: object) -> None:
    """Abort with 403 unless the current user may do ``action`` on ``target``."""
    if not allowed(caller(action), action, target):
        abort(403)


def get_or_404(model: type, ident: int, action: Action) -> Any:
    """Load ``model`` by primary key or 404, then check the current user may ``action`` it."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    authorize(action, obj)
    return obj


def check_every_view_declares_an_action(app: Flask) -> None:
    """Refuse to start an app with a view that skipped the permission layer."""
    missing = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "required_action")
    ]
    if missing:
        raise RuntimeError(f"views without @requires(...): {', '.join(sorted(missing))}")
