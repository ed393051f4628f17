"""Who may see and work follow-up cases, keep the rules, root causes and deal triggers.

Reps work their own cases; a manager sees, works, reassigns and closes their teams' cases; HR
reads every case; an admin does everything. A case outside one's scope answers 404.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true

from coachflow.accounts.models import Role, Team
from coachflow.accounts.policy import ADMIN, EVERYONE
from coachflow.followups.models import DealTrigger, FollowUpCase, FollowUpRule, RootCause
from coachflow.platform.extensions import db
from coachflow.platform.permissions import action

WORKERS = frozenset({Role.ADMIN, Role.MANAGER, Role.REP})
LEADERS = frozenset({Role.ADMIN, Role.MANAGER})


def _manages(user: Any, team_id: int | None) -> bool:
    if team_id is None:
        return False
    return db.session.scalar(select(Team.manager_id).where(Team.id == team_id)) == user.id


def may_see_case(user: Any, case: object) -> bool:
    """HR and admin see every case; a manager their teams' and their own; a rep their own."""
    if not isinstance(case, FollowUpCase):
        raise TypeError(f"no ownership rule for {type(case).__name__}")
    if user.role in (Role.ADMIN, Role.HR):
        return True
    if case.rep_id == user.id:
        return True
    return user.role is Role.MANAGER and _manages(user, case.team_id)


def may_work_case(user: Any, case: object) -> bool:
    """Log contacts and notes, close: the rep on their own cases, the manager on their teams'."""
    return user.role is not Role.HR and may_see_case(user, case)


def may_lead_case(user: Any, case: object) -> bool:
    """Reassign: the manager of the case's team, or an admin."""
    if not isinstance(case, FollowUpCase):
        raise TypeError(f"no ownership rule for {type(case).__name__}")
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.MANAGER and _manages(user, case.team_id)


def may_keep_rule(user: Any, rule: object) -> bool:
    """An admin keeps every rule; a manager the rules of the teams they lead."""
    if not isinstance(rule, FollowUpRule):
        raise TypeError(f"no ownership rule for {type(rule).__name__}")
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.MANAGER and _manages(user, rule.team_id)


def _admin_only(user: Any, target: object) -> bool:
    if not isinstance(target, RootCause | DealTrigger):
        raise TypeError(f"no ownership rule for {type(target).__name__}")
    return user.role is Role.ADMIN


VIEW_CASES = action("followups.view", EVERYONE, rule=may_see_case)
WORK_CASES = action("followups.work", WORKERS, rule=may_work_case)
REASSIGN_CASES = action("followups.reassign", LEADERS, rule=may_lead_case)
VIEW_FIGURES = action("followups.figures", {Role.ADMIN, Role.HR, Role.MANAGER})
MANAGE_RULES = action("followups.rules", LEADERS, rule=may_keep_rule)
MANAGE_ROOT_CAUSES = action("followups.root_causes", ADMIN, rule=_admin_only)
MANAGE_TRIGGERS = action("followups.triggers", ADMIN, rule=_admin_only)


def visible_cases(user: Any) -> ColumnElement[bool]:
    """SQL: the cases ``user`` may see (the same as ``may_see_case``)."""
    if user.role in (Role.ADMIN, Role.HR):
        return true()
    if user.role is Role.MANAGER:
        teams = select(Team.id).where(Team.manager_id == user.id)
        return or_(FollowUpCase.rep_id == user.id, FollowUpCase.team_id.in_(teams))
    if user.role is Role.REP:
        return FollowUpCase.rep_id == user.id
    return false()


def visible_rules(user: Any) -> ColumnElement[bool]:
    """SQL: the rules ``user`` keeps."""
    if user.role is Role.ADMIN:
        return true()
    teams = select(Team.id).where(Team.manager_id == user.id)
    return FollowUpRule.team_id.in_(teams)
