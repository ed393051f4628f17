"""The coaching panels of the home page: the next sessions and the open action items of the
cycles a person is the rep or the manager of."""

from __future__ import annotations

from typing import Any

from coachflow.coaching import queries, services
from coachflow.coaching.labels import SESSION_KINDS
from coachflow.platform.home import HomePanel


def _sessions(user: Any) -> dict[str, Any] | None:
    sessions = queries.upcoming_sessions(user)
    if not sessions:
        return None
    return {"sessions": sessions, "zone": services.time_zone(), "kinds": SESSION_KINDS}


def _action_items(user: Any) -> dict[str, Any] | None:
    items = queries.action_items_due(user)
    return {"action_items": items, "user_id": user.id} if items else None


PANELS = (
    HomePanel(30, "coaching_sessions", "coaching/_home_sessions.html", _sessions),
    HomePanel(31, "coaching_action_items", "coaching/_home_action_items.html", _action_items),
)
