"""Who may do what with people, teams and product lines, and the scopes other domains build on.

A manager sees their own teams and the people in them; a rep sees their own team and
themselves; HR and admin see everyone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false

from coachflow.accounts.models import Role, Team, User
from coachflow.platform.extensions import db
from coachflow.platform.permissions import action

EVERYONE = frozenset(Role)
ADMIN = frozenset({Role.ADMIN})


def may_see_team(user: Any, team: object) -> bool:
    """HR and admin see every team; a manager the teams they lead; a rep their own."""
    if not isinstance(team, Team):
        raise TypeError(f"no ownership rule for {type(team).__name__}")
    if user.role in (Role.ADMIN, Role.HR):
        return True
    if user.role is Role.MANAGER:
        return team.manager_id == user.id
    return team.id == user.team_id


def may_see_person(user: Any, target: User | Team | None) -> bool:
    """A person's records: HR and admin see all; a manager their teams' people; anyone
    themselves. ``None`` (a record nobody owns) is for HR and admin only."""
    if not isinstance(target, User | Team | None):
        raise TypeError(f"no ownership rule for {type(target).__name__}")
    if user.role in (Role.ADMIN, Role.HR):
        return True
    if target is None:
        return False
    if isinstance(target, Team):
        return user.role is Role.MANAGER and target.manager_id == user.id
    if target.id == user.id:
        return True
    return (
        user.role is Role.MANAGER and target.team is not None and target.team.manager_id == user.id
    )


VIEW_TEAM = action("teams.view", EVERYONE, rule=may_see_team)
MANAGE_TEAMS = action("teams.manage", ADMIN)
MANAGE_USERS = action("users.manage", ADMIN)
MANAGE_PRODUCT_LINES = action("product_lines.manage", ADMIN)
VIEW_AUDIT_LOG = action("audit.view", ADMIN)
MANAGE_API_TOKENS = action("api_tokens.manage", ADMIN)
# The organisation's settings (company domains, approval of ad-hoc sends, ...).
MANAGE_SETTINGS = action("settings.manage", ADMIN)


def visible_sellers(user: User) -> Select[tuple[int]]:
    """Ids of the people whose records ``user`` may see: all, their teams' and their own, or own."""
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
