"""Who may start pulses and read their results.

HR and admin start a pulse for any team, a manager for the teams they lead (another team is a
404). Everyone reads a round's company figures; the team rows in it are those of
``visible_teams(user)`` and only above the thresholds. The API serves HR and admin tokens.
"""

from __future__ import annotations

from typing import Any

from coachflow.accounts.models import Role
from coachflow.accounts.policy import EVERYONE
from coachflow.platform.permissions import action
from coachflow.pulse.models import Pulse, PulseRound

STARTERS = frozenset({Role.ADMIN, Role.HR, Role.MANAGER})


def may_see_pulse(user: Any, target: object) -> bool:
    """A round's or pulse's page is open to everyone who reads pulses; the figures inside are
    scoped by the queries (company for all, teams by ``visible_teams``)."""
    if not isinstance(target, Pulse | PulseRound):
        raise TypeError(f"no ownership rule for {type(target).__name__}")
    return True


VIEW_PULSE = action("pulse.view", EVERYONE, rule=may_see_pulse)
START_PULSE = action("pulse.start", STARTERS)
PULSE_API = action("pulse.api", {Role.ADMIN, Role.HR}, scope="read", rule=may_see_pulse)
