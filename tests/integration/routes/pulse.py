"""Who may open each pulse route, by role (outcome letters in routes/__init__.py)."""

from __future__ import annotations

from tests.integration.routes import ADMIN_ONLY, BEARER_ONLY, PUBLIC, SIGNED_IN, SURVEY_BUILDERS


def _round(app, org, resolved) -> int:
    """A pulse of the org's manager for their team, its first round open."""
    from tests.pulse_factories import start

    with app.app_context():
        return start(org.manager, [org.team]).id


def _pulse(app, org, resolved) -> int:
    from coachflow.platform.extensions import db
    from coachflow.pulse.models import PulseRound

    round_id = _round(app, org, resolved)
    with app.app_context():
        return db.session.get(PulseRound, round_id).pulse_id


def _token(app, org, resolved) -> str:
    from tests.pulse_factories import token_for

    round_id = _round(app, org, resolved)
    with app.app_context():
        return token_for(round_id, org.rep)


FIXTURES = {"@pulse_round": _round, "@pulse": _pulse, "@pulse_token": _token}

ROWS: dict[str, tuple[str, dict[str, str]]] = {
    # Everyone reads a round's company figures; team rows are scoped inside.
    "pulse.index": (SIGNED_IN, {}),
    "pulse.round_results": (SIGNED_IN, {"round_id": "@pulse_round"}),
    "pulse.export": (SIGNED_IN, {"round_id": "@pulse_round"}),
    "pulse.trend": (SIGNED_IN, {"pulse_id": "@pulse"}),
    # Starting a pulse: HR and admin for any team, a manager for their own.
    "pulse.new": (SURVEY_BUILDERS, {}),
    "pulse.settings": (ADMIN_ONLY, {}),
    # The emailed link is the credential.
    "pulse_answer.answer": (PUBLIC, {"token": "@pulse_token"}),
    "pulse_answer.thanks": (PUBLIC, {"token": "@pulse_token"}),
    "api.list_pulse_rounds": (BEARER_ONLY, {}),
    "api.pulse_round_results": (BEARER_ONLY, {"round_id": "@pulse_round"}),
}
