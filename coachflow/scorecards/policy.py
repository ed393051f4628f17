"""Who sees which scorecard: reps their own, managers their teams' people, HR (and admin)
everyone's; HR closes periods, exports in bulk and reads the download log; admin sets the
index weights."""

from __future__ import annotations

from typing import Any

from coachflow.accounts.models import Role, Team, User
from coachflow.accounts.policy import ADMIN, EVERYONE, may_see_person
from coachflow.platform.permissions import action

HR = frozenset({Role.HR, Role.ADMIN})


def may_see_scorecard(user: Any, target: object) -> bool:
    """A rep's scorecard: whoever may see the person. A team's: HR, admin and its manager."""
    if isinstance(target, Team):
        return user.role in HR or (user.role is Role.MANAGER and target.manager_id == user.id)
    if isinstance(target, User):
        return may_see_person(user, target)
    raise TypeError(f"no ownership rule for {type(target).__name__}")


VIEW_SCORECARDS = action("scorecards.view", EVERYONE, rule=may_see_scorecard)
VIEW_COMPANY_SCORECARD = action("scorecards.company", HR)
MANAGE_PERIODS = action("scorecards.periods", HR)
EXPORT_SCORECARDS = action("scorecards.export", HR)
VIEW_DOWNLOADS = action("scorecards.downloads", HR)
EDIT_SCORECARD_SETTINGS = action("scorecards.settings", ADMIN)
API_READ_SCORECARDS = action("scorecards.api", EVERYONE, scope="read", rule=may_see_scorecard)
