"""The one permission mechanism; it knows no domain.

Each domain declares its actions in its ``policy.py`` with :func:`action`: which roles hold it,
the bearer-token scope an API action needs, and the object rule that says whether a person may
do it on one record. Every view declares the action it needs with ``@requires(policy.X)``;
``create_app`` refuses to start when a view declares none, and
``tests/integration/test_route_matrix.py`` walks every route as every role. A record outside
the caller's scope answers 404, as an unknown id does, so ids cannot be probed.

API actions are asked for by a bearer token's caller, never by a session: ``caller`` finds it
through the loader the API blueprint installs (``bearer_loader``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, g
from flask_login import current_user
from werkzeug.datastructures import WWWAuthenticate

from coachflow.platform.extensions import db, login_manager

F = TypeVar("F", bound=Callable[..., Any])
Rule = Callable[[Any, Any], bool]


@dataclass(frozen=True, eq=False)
class Action:
    """What a request wants to do. A view names exactly one.

    ``roles`` is None for "any signed-in person"; ``scope`` marks an API action that needs a
    bearer token with that scope; ``rule(user, target)`` decides on one record.
    """

    name: str
    roles: frozenset[Any] | None
    scope: str | None = None
    rule: Rule | None = field(default=None, repr=False)

    def __str__(self) -> str:
        return self.name


_ACTIONS: dict[str, Action] = {}


def action(
    name: str,
    roles: Collection[Any] | None,
    *,
    scope: str | None = None,
    rule: Rule | None = None,
) -> Action:
    """Declare an action once, at import of its domain's policy; names are unique."""
    if name in _ACTIONS:
        raise ValueError(f"action {name!r} is declared twice")
    declared = Action(name, None if roles is None else frozenset(roles), scope, rule)
    _ACTIONS[name] = declared
    return declared


def declared_actions() -> Iterator[Action]:
    """Every action the loaded domains declared (the route matrix and tests read them)."""
    return iter(list(_ACTIONS.values()))


def action_named(name: str) -> Action:
    """The declared action called ``name`` (templates ask ``can('surveys.manage')``)."""
    return _ACTIONS[name]


# Needs no sign-in: login, password reset, health check, survey links.
PUBLIC = action("public", roles=())
# Any active, signed-in person: home, own account.
SIGNED_IN = action("signed_in", roles=None)


def allowed(user: Any, wanted: Action, target: object | None = None) -> bool:
    """Whether ``user`` may do ``wanted`` (on ``target`` when given)."""
    if wanted is PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if wanted.roles is not None and user.role not in wanted.roles:
        return False
    if wanted.scope is not None and wanted.scope not in getattr(user, "scopes", ()):
        return False
    if target is None:
        return True
    if wanted.rule is None:
        raise TypeError(f"no ownership rule for {type(target).__name__} under {wanted.name}")
    return wanted.rule(user, target)


def requires(wanted: Action) -> Callable[[F], F]:
    """Declare the action a view needs and enforce it before the view runs."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if wanted is not PUBLIC:
                who = caller(wanted)
                if who is None or not who.is_authenticated:
                    if wanted.scope is not None:
                        abort(401, www_authenticate=WWWAuthenticate("Bearer"))
                    return login_manager.unauthorized()
                if not allowed(who, wanted):
                    abort(403)
            return view(*args, **kwargs)

        wrapper.required_action = wanted  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def bearer_loader(app: Flask, loader: Callable[[], Any]) -> None:
    """Install how an API request's bearer token becomes its caller (None when it is not valid)."""
    app.extensions["coachflow.bearer_loader"] = loader


def caller(wanted: Action) -> Any:
    """Who asks: for an API action the bearer token's caller or None (never the session's user),
    for any other action the signed-in user."""
    if wanted.scope is None:
        return current_user
    if "api_caller" not in g:
        loader = current_app.extensions.get("coachflow.bearer_loader")
        g.api_caller = loader() if loader is not None else None
    return g.api_caller


def authorize(wanted: Action, target: object) -> None:
    """Answer 404 unless the caller may do ``wanted`` on ``target``: a record outside one's
    scope looks exactly like one that does not exist."""
    if not allowed(caller(wanted), wanted, target):
        abort(404)


def get_or_404(model: type, ident: int, wanted: Action) -> Any:
    """Load ``model`` by primary key, then check the caller may ``wanted`` it; 404 for both."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    authorize(wanted, obj)
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
