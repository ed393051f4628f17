"""Who may see and run coaching cycles: a rep their own, a manager their teams', HR all.

A cycle, and everything in it (goals, sessions, action items, assessments), is seen by whoever
may see the cycle's rep (``may_see_person``); the manager of the rep's team and HR or an admin
run it. A record outside one's scope is 404.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, true

from coachflow.accounts.models import Role
from coachflow.accounts.policy import ADMIN, EVERYONE, may_see_person, visible_sellers
from coachflow.coaching.models import (
    ActionItem,
    Assessment,
    CoachingCycle,
    CoachingSession,
    Goal,
)
from coachflow.platform.permissions import action

RUNNERS = frozenset({Role.MANAGER, Role.HR, Role.ADMIN})


def cycle_of(record: object) -> CoachingCycle:
    """The cycle a coaching record belongs to."""
    if isinstance(record, CoachingCycle):
        return record
    if isinstance(record, Goal | CoachingSession | ActionItem | Assessment):
        return record.cycle
    raise TypeError(f"no ownership rule for {type(record).__name__}")


def may_see_cycle(user: Any, record: object) -> bool:
    """Whoever may see the cycle's rep: the rep, their manager, HR and admin."""
    return may_see_person(user, cycle_of(record).rep)


def may_run_cycle(user: Any, record: object) -> bool:
    """The rep's manager (or the cycle's own manager), HR and admin; never the rep."""
    cycle = cycle_of(record)
    if user.role in (Role.ADMIN, Role.HR):
        return True
    return user.role is Role.MANAGER and (
        cycle.manager_id == user.id or (may_see_person(user, cycle.rep) and cycle.rep_id != user.id)
    )


def is_cycle_rep(user: Any, record: object) -> bool:
    """The rep of the cycle: the one who fills the plan and the self-assessment."""
    return cycle_of(record).rep_id == user.id


def takes_part(user: Any, record: object) -> bool:
    """One of the two people of the cycle (its rep or its manager) or who runs it."""
    return is_cycle_rep(user, record) or may_run_cycle(user, record)


VIEW_COACHING = action("coaching.view", EVERYONE, rule=may_see_cycle)
RUN_COACHING = action("coaching.run", RUNNERS, rule=may_run_cycle)
# What the rep does in their own cycle (plan, self-assessment); their manager may read it.
REP_COACHING = action("coaching.rep", EVERYONE, rule=is_cycle_rep)
# What either person does: agenda points, debriefs, action items done.
TAKE_PART = action("coaching.take_part", EVERYONE, rule=takes_part)
# REST API with a bearer token: read the cycles one may see.
API_READ_COACHING = action("coaching.api_read", EVERYONE, scope="read", rule=may_see_cycle)
# The competency list of the sales performance standard (versioned).
MANAGE_COMPETENCIES = action("coaching.competencies", {Role.HR, *ADMIN})


def visible_cycles(user: Any, rep: Any) -> ColumnElement[bool]:
    """SQL: the cycles whose ``rep`` column ``user`` may see."""
    if user.role in (Role.ADMIN, Role.HR):
        return true()
    return rep.in_(visible_sellers(user))
