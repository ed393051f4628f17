"""The one place that says who may do what.

Every view declares the action it needs with ``@requires(Action.X)``; ``create_app`` refuses to
start when a view declares none, and ``tests/integration/test_route_matrix.py`` walks every route
as every role. Object-level rules (a manager: their teams; a rep: themselves) live in
``allowed`` beside the role grants, so views and the API ask the same question the same way.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort
from flask_login import current_user
from sqlalchemy import Select, false

from coachflow.accounts.models import Role, Team, User
from coachflow.extensions import db, login_manager

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


ROLE_GRANTS: dict[Action, frozenset[Role]] = {
    Action.SIGNED_IN: frozenset(Role),
    Action.VIEW_TEAM: frozenset(Role),
    Action.MANAGE_TEAMS: frozenset({Role.ADMIN}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.MANAGE_PRODUCT_LINES: frozenset({Role.ADMIN}),
    Action.VIEW_AUDIT_LOG: frozenset({Role.ADMIN}),
}


def allowed(user: Any, action: Action, target: object | None = None) -> bool:
    """Whether ``user`` may do ``action`` (on ``target`` when given)."""
    if action is Action.PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role not in ROLE_GRANTS[action]:
        return False
    if target is None:
        return True
    if isinstance(target, Team):
        return _may_see_team(user, target)
    raise TypeError(f"no ownership rule for {type(target).__name__}")


def _may_see_team(user: User, team: Team) -> bool:
    if user.role in (Role.ADMIN, Role.HR):
        return True
    if user.role is Role.MANAGER:
        return team.manager_id == user.id
    return team.id == user.team_id


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
                if not current_user.is_authenticated:
                    return login_manager.unauthorized()
                if not allowed(current_user, action):
                    abort(403)
            return view(*args, **kwargs)

        wrapper.required_action = action  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def authorize(action: Action, target: object) -> None:
    """Abort with 403 unless the current user may do ``action`` on ``target``."""
    if not allowed(current_user, action, target):
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

