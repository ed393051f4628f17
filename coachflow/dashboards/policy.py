"""Who sees which dashboard, who may give recognition, who switches a team's leaderboard."""

from __future__ import annotations

from typing import Any

from coachflow.accounts.models import Role, Team, User
from coachflow.accounts.policy import EVERYONE
from coachflow.dashboards.models import Recognition
from coachflow.platform.permissions import action

TEAM_READERS = frozenset({Role.MANAGER, Role.HR, Role.ADMIN})
GIVERS = frozenset({Role.MANAGER, Role.REP})


def may_see_team_dashboard(user: Any, team: object) -> bool:
    """HR and admin see every team's dashboard; a manager the teams they lead."""
    if not isinstance(team, Team):
        raise TypeError(f"no ownership rule for {type(team).__name__}")
    return user.role in (Role.HR, Role.ADMIN) or team.manager_id == user.id


def may_lead_team(user: Any, team: object) -> bool:
    """Only the team's own manager decides on its leaderboard."""
    if not isinstance(team, Team):
        raise TypeError(f"no ownership rule for {type(team).__name__}")
    return team.manager_id == user.id


def may_recognise(user: Any, person: object) -> bool:
    """A manager recognises the reps of their teams; a rep the peers of their own team; nobody
    recognises themselves (the service says so rather than hiding the person)."""
    if not isinstance(person, User):
        raise TypeError(f"no ownership rule for {type(person).__name__}")
    if person.id == user.id:
        return True
    if person.role is not Role.REP or person.team is None:
        return False
    if user.role is Role.MANAGER:
        return person.team.manager_id == user.id
    return person.team_id == user.team_id


def may_raise_recognition(user: Any, recognition: object) -> bool:
    """The manager of the team the recognition was given in takes it to their sales meeting."""
    if not isinstance(recognition, Recognition):
        raise TypeError(f"no ownership rule for {type(recognition).__name__}")
    return recognition.team is not None and recognition.team.manager_id == user.id


VIEW_TEAM_DASHBOARD = action("dashboards.team", TEAM_READERS, rule=may_see_team_dashboard)
VIEW_FORECAST = action("dashboards.forecast", EVERYONE)
GIVE_RECOGNITION = action("dashboards.recognise", GIVERS, rule=may_recognise)
# Put a recognition on the agenda of the team's next sales meeting.
RAISE_AT_MEETING = action("dashboards.agenda", {Role.MANAGER}, rule=may_raise_recognition)
MANAGE_LEADERBOARD = action("dashboards.leaderboard", {Role.MANAGER}, rule=may_lead_team)
