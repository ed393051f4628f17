"""The permission layer's answers, role by role, without a database."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import coachflow.sales.policy
import coachflow.surveys.policy  # noqa: F401 (every domain's actions declared)
from coachflow.accounts import policy as accounts_policy
from coachflow.accounts.models import Role, Team
from coachflow.platform.permissions import PUBLIC, allowed, declared_actions
from coachflow.platform.permissions import action as declare


def person(role: Role, *, id: int = 1, team_id: int | None = None, active: bool = True):
    return SimpleNamespace(
        id=id, role=role, team_id=team_id, is_active=active, is_authenticated=True
    )


ANONYMOUS = SimpleNamespace(is_authenticated=False, is_active=False)


GUARDED = [declared for declared in declared_actions() if declared is not PUBLIC]


def test_every_domain_declares_its_actions_once():
    names = [declared.name for declared in declared_actions()]
    assert len(names) == len(set(names))
    assert {"teams.view", "sales.view", "surveys.manage"} <= set(names)
    with pytest.raises(ValueError, match="declared twice"):
        declare("teams.view", ())


def test_anonymous_may_only_do_public_things():
    assert allowed(ANONYMOUS, PUBLIC)
    assert not any(allowed(ANONYMOUS, action) for action in GUARDED)


def test_a_deactivated_user_may_do_nothing_that_needs_an_account():
    admin = person(Role.ADMIN, active=False)
    assert not any(allowed(admin, action) for action in GUARDED)


@pytest.mark.parametrize("role", list(Role))
def test_only_admins_configure(role):
    for action in (
        accounts_policy.MANAGE_USERS,
        accounts_policy.MANAGE_TEAMS,
        accounts_policy.MANAGE_PRODUCT_LINES,
    ):
        assert allowed(person(role), action) is (role is Role.ADMIN)


def test_team_visibility_follows_ownership():
    team = Team(id=7, manager_id=3)
    assert allowed(person(Role.ADMIN), accounts_policy.VIEW_TEAM, team)
    assert allowed(person(Role.HR), accounts_policy.VIEW_TEAM, team)
    assert allowed(person(Role.MANAGER, id=3), accounts_policy.VIEW_TEAM, team)
    assert not allowed(person(Role.MANAGER, id=4), accounts_policy.VIEW_TEAM, team)
    assert allowed(person(Role.REP, team_id=7), accounts_policy.VIEW_TEAM, team)
    assert not allowed(person(Role.REP, team_id=8), accounts_policy.VIEW_TEAM, team)
    assert not allowed(person(Role.REP, team_id=None), accounts_policy.VIEW_TEAM, team)


def test_an_object_without_an_ownership_rule_is_a_programming_error():
    with pytest.raises(TypeError, match="no ownership rule"):
        allowed(person(Role.ADMIN), accounts_policy.VIEW_TEAM, object())
