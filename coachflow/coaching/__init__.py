"""Coaching cycles: territory plan, goals bound to data, sessions with calendar invitations,
call preparation and debriefs, action items, and the self and manager assessment."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the coaching domain to ``app``: pages, API, home panels, reminders, demo."""
    from coachflow.coaching import home, policy, tasks  # noqa: F401
    from coachflow.coaching.services import REMIND_ACTION_ITEMS
    from coachflow.platform.home import add_home_panel
    from coachflow.platform.jobs import add_periodic

    add_periodic(app, REMIND_ACTION_ITEMS, 3600.0)
    add_home_panel(app, *home.PANELS)
