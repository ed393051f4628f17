"""Who may see whose sales: HR and admin everything, a manager their teams, a rep themselves."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from coachflow.accounts import policy as accounts_policy
from coachflow.accounts.models import Role, Team, User
from coachflow.platform.permissions import allowed
from coachflow.sales import policy as sales_policy
from coachflow.sales.models import CustomerAccount


def person(role: Role, *, id: int, team: Team | None = None):
    return SimpleNamespace(
        id=id,
        role=role,
        team_id=team.id if team else None,
        team=team,
        is_active=True,
        is_authenticated=True,
    )


NORTH = Team(id=1, name="North", manager_id=10)
SOUTH = Team(id=2, name="South", manager_id=20)
REP = User(id=100, role=Role.REP, team_id=1, team=NORTH)
OTHER_REP = User(id=200, role=Role.REP, team_id=2, team=SOUTH)
MANAGER = User(id=10, role=Role.MANAGER, team=None)

ADMIN_VIEW = person(Role.ADMIN, id=1)
HR_VIEW = person(Role.HR, id=2)
MANAGER_VIEW = person(Role.MANAGER, id=10)
OTHER_MANAGER_VIEW = person(Role.MANAGER, id=20)
REP_VIEW = person(Role.REP, id=100, team=NORTH)


def account(owner: User | None) -> CustomerAccount:
    return CustomerAccount(id=5, name="Acme", owner=owner, owner_id=owner.id if owner else None)


def test_every_role_may_open_the_sales_pages():
    assert sales_policy.VIEW_SALES.roles == frozenset(Role)


@pytest.mark.parametrize(
    ("viewer", "target", "expected"),
    [
        (ADMIN_VIEW, OTHER_REP, True),
        (HR_VIEW, OTHER_REP, True),
        (MANAGER_VIEW, REP, True),
        (MANAGER_VIEW, OTHER_REP, False),
        (OTHER_MANAGER_VIEW, REP, False),
        (MANAGER_VIEW, MANAGER, True),  # a manager who sells sees their own figures
        (REP_VIEW, REP, True),
        (REP_VIEW, OTHER_REP, False),
        (REP_VIEW, MANAGER, False),
    ],
)
def test_a_persons_sales(viewer, target, expected):
    assert allowed(viewer, sales_policy.VIEW_SALES, target) is expected


@pytest.mark.parametrize(
    ("viewer", "team", "expected"),
    [
        (ADMIN_VIEW, NORTH, True),
        (HR_VIEW, SOUTH, True),
        (MANAGER_VIEW, NORTH, True),
        (MANAGER_VIEW, SOUTH, False),
        (REP_VIEW, NORTH, False),  # a rep sees their own figures, not their colleagues'
    ],
)
def test_a_teams_sales(viewer, team, expected):
    assert allowed(viewer, sales_policy.VIEW_SALES, team) is expected


@pytest.mark.parametrize(
    ("viewer", "owner", "expected"),
    [
        (ADMIN_VIEW, None, True),
        (HR_VIEW, OTHER_REP, True),
        (MANAGER_VIEW, REP, True),
        (MANAGER_VIEW, OTHER_REP, False),
        (MANAGER_VIEW, None, False),
        (REP_VIEW, REP, True),
        (REP_VIEW, OTHER_REP, False),
        (REP_VIEW, None, False),
    ],
)
def test_an_account_is_seen_by_whoever_sees_its_owner(viewer, owner, expected):
    assert allowed(viewer, sales_policy.VIEW_SALES, account(owner)) is expected


def test_team_pages_keep_their_own_rule():
    # Seeing a team's page (its people) is not seeing its sales.
    assert allowed(REP_VIEW, accounts_policy.VIEW_TEAM, NORTH)
    assert not allowed(REP_VIEW, sales_policy.VIEW_SALES, NORTH)


def test_a_sales_target_without_a_rule_is_a_programming_error():
    with pytest.raises(TypeError, match="no ownership rule"):
        allowed(HR_VIEW, sales_policy.VIEW_SALES, object())
