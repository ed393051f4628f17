"""The permission layer for API tokens: the user's role, narrowed by the token's scopes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from coachflow.accounts.models import Role, Team, User
from coachflow.platform.permissions import allowed, declared_actions
from coachflow.sales import policy as sales_policy
from coachflow.sales.models import Contact, CustomerAccount, Deal, Quota


def caller(role: Role, scopes: str = "read", *, id: int = 1, active: bool = True):
    return SimpleNamespace(
        id=id,
        role=role,
        team_id=None,
        is_active=active,
        is_authenticated=True,
        scopes=frozenset(scopes.split(",")),
    )


def session_user(role: Role):
    return SimpleNamespace(id=1, role=role, team_id=None, is_active=True, is_authenticated=True)


def test_only_api_actions_need_a_scope():
    """A token scope belongs to the REST API alone: every API route declares a scoped action and
    no page does (a session has no scopes, so a scoped page would refuse everyone)."""
    from coachflow.app import create_app
    from config import TestConfig

    app = create_app(TestConfig("sqlite://"))
    scoped = {action for action in declared_actions() if action.scope is not None}
    assert {sales_policy.API_READ, sales_policy.API_WRITE} <= scoped
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        action = view.required_action
        if action.scope is not None:
            assert endpoint.startswith("api."), endpoint
        elif endpoint.startswith("api."):
            assert action.name == "public", endpoint  # the OpenAPI document itself


@pytest.mark.parametrize("role", list(Role))
def test_a_signed_in_session_may_do_nothing_in_the_api(role):
    assert not allowed(session_user(role), sales_policy.API_READ)
    assert not allowed(session_user(role), sales_policy.API_WRITE)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_may_read_with_a_read_token_and_only_admins_write(role):
    assert allowed(caller(role), sales_policy.API_READ)
    assert not allowed(caller(role), sales_policy.API_WRITE)
    assert allowed(caller(role, "read,write"), sales_policy.API_WRITE) is (role is Role.ADMIN)


def test_a_deactivated_users_token_may_do_nothing():
    assert not allowed(caller(Role.ADMIN, "read,write", active=False), sales_policy.API_READ)


def _records(owner: User | None):
    account = CustomerAccount(owner=owner, owner_id=owner.id if owner else None)
    return [
        account,
        Contact(account=account),
        Deal(rep=owner, rep_id=owner.id if owner else None),
        Quota(rep=owner, rep_id=owner.id if owner else None),
    ]


def test_record_visibility_follows_the_owner():
    team = Team(id=7, manager_id=3)
    rep = User(id=10, role=Role.REP, team=team, team_id=7)
    manager, other_manager = caller(Role.MANAGER, id=3), caller(Role.MANAGER, id=4)
    for record in _records(rep):
        assert allowed(caller(Role.HR), sales_policy.API_READ, record)
        assert allowed(caller(Role.ADMIN), sales_policy.API_READ, record)
        assert allowed(manager, sales_policy.API_READ, record)
        assert not allowed(other_manager, sales_policy.API_READ, record)
        assert allowed(caller(Role.REP, id=10), sales_policy.API_READ, record)
        assert not allowed(caller(Role.REP, id=11), sales_policy.API_READ, record)
    for record in _records(None)[:2]:  # an account nobody owns, and its contact
        assert allowed(caller(Role.HR), sales_policy.API_READ, record)
        assert not allowed(manager, sales_policy.API_READ, record)
