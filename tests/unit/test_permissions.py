"""The permission layer's answers, role by role, without a database."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from coachflow.accounts.models import Role, Team
from coachflow.platform.permissions import ROLE_GRANTS, Action, allowed


def person(role: Role, *, id: int = 1, team_id: int | None = None, active: bool = True):
    return SimpleNamespace(
        id=id, role=role, team_id=team_id, is_active=active, is_authenticated=True
    )


ANONYMOUS = SimpleNamespace(is_authenticated=False, is_active=False)


def test_every_action_but_public_has_a_grant():
    assert set(ROLE_GRANTS) == set(Action) - {Action.PUBLIC}


def test_anonymous_may_only_do_public_things():
    assert allowed(ANONYMOUS, Action.PUBLIC)
    assert not any(allowed(ANONYMOUS, action) for action in ROLE_GRANTS)


def test_a_deactivated_user_may_do_nothing_that_needs_an_account():
    admin = person(Role.ADMIN, active=False)
    assert not any(allowed(admin, action) for action in ROLE_GRANTS)


@pytest.mark.parametrize("role", list(Role))
def test_only_admins_configure(role):
    for action in (Action.MANAGE_USERS, Action.MANAGE_TEAMS, Action.MANAGE_PRODUCT_LINES):
        assert allowed(person(role), action) is (role is Role.ADMIN)


def test_team_visibility_follows_ownership():
    team = Team(id=7, manager_id=3)
    assert allowed(person(Role.ADMIN), Action.VIEW_TEAM, team)
    assert allowed(person(Role.HR), Action.VIEW_TEAM, team)
    assert allowed(person(Role.MANAGER, id=3), Action.VIEW_TEAM, team)
    assert not allowed(person(Role.MANAGER, id=4), Action.VIEW_TEAM, team)
    assert allowed(person(Role.REP, team_id=7), Action.VIEW_TEAM, team)
    assert not allowed(person(Role.REP, team_id=8), Action.VIEW_TEAM, team)
    assert not allowed(person(Role.REP, team_id=None), Action.VIEW_TEAM, team)


def test_an_object_without_an_ownership_rule_is_a_programming_error():
    with pytest.raises(TypeError, match="no ownership rule"):
        allowed(person(Role.ADMIN), Action.VIEW_TEAM, object())
