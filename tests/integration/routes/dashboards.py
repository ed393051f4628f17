"""Who may open each dashboards route, by role (outcome letters in routes/__init__.py)."""

from __future__ import annotations

from tests.integration.routes import SIGNED_IN

TEAM_READERS = "LDDANAA"  # one team's dashboard: its manager, HR and admin
GIVERS = "LAAAADD"  # recognition: reps and managers (an empty form is sent back home)
TEAM_MANAGER = "LDDANDD"  # a team's leaderboard switch: its own manager only

ROWS: dict[str, tuple[str, dict[str, str]]] = {
    # The home page moved here from accounts; it keeps its endpoint.
    "home.index": (SIGNED_IN, {}),
    "dashboards.team": (TEAM_READERS, {"team_id": "team"}),
    "dashboards.forecast": (SIGNED_IN, {}),
    "dashboards.recognise": (GIVERS, {}),
    "dashboards.leaderboard": (TEAM_MANAGER, {"team_id": "team"}),
    "dashboards.digest": (SIGNED_IN, {}),
    # A recognition given in team "North": its manager takes it to the team's sales meeting.
    "dashboards.agenda": (TEAM_MANAGER, {"recognition_id": "@recognition"}),
}


def _recognition(app, org, resolved) -> int:
    from coachflow.dashboards.models import Recognition
    from coachflow.platform.extensions import db

    with app.app_context():
        recognition = Recognition(
            giver_id=org.manager, recipient_id=org.rep, team_id=org.team, reason="Great call"
        )
        db.session.add(recognition)
        db.session.commit()
        return recognition.id


FIXTURES = {"@recognition": _recognition}
