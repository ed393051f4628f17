"""Who may open each coaching route, by role (outcome letters in routes/__init__.py).

The records are the org's rep's cycle, run by the org's manager: the other manager and the other
rep may not see it (404); a rep may not run a cycle at all (403).
"""

from __future__ import annotations

import datetime

from tests.integration.routes import BEARER_ONLY, SIGNED_IN

RUNNERS = "LDDAAAA"  # RUN_COACHING without a record: managers, HR and admin
RUN = "LDDANAA"  # RUN_COACHING on the org's rep's cycle
VIEW = "LANANAA"  # VIEW_COACHING: the rep, their manager, HR and admin
TAKE_PART = "LANANAA"  # TAKE_PART: the rep, and whoever runs the cycle
REP_ONLY = "LANNNNN"  # REP_COACHING: the cycle's own rep
HR_AND_ADMIN = "LDDDDAA"

ROWS: dict[str, tuple[str, dict[str, str]]] = {
    "coaching.cycles": (SIGNED_IN, {}),
    "coaching.new_cycle": (RUNNERS, {}),
    "coaching.effect": (RUNNERS, {}),
    "coaching.competencies": (HR_AND_ADMIN, {}),
    "coaching.cycle": (VIEW, {"cycle_id": "@cycle"}),
    "coaching.start": (RUN, {"cycle_id": "@cycle"}),
    "coaching.close": (RUN, {"cycle_id": "@cycle"}),
    "coaching.plan": (REP_ONLY, {"cycle_id": "@cycle"}),
    "coaching.review_plan": (RUN, {"cycle_id": "@cycle"}),
    "coaching.add_goal": (RUN, {"cycle_id": "@cycle"}),
    "coaching.goal_value": (TAKE_PART, {"goal_id": "@goal"}),
    "coaching.new_session": (RUN, {"cycle_id": "@cycle"}),
    "coaching.move_session": (RUN, {"session_id": "@session"}),
    "coaching.cancel_session": (RUN, {"session_id": "@session"}),
    "coaching.add_agenda_item": (TAKE_PART, {"session_id": "@session"}),
    "coaching.pull_agenda": (TAKE_PART, {"session_id": "@session"}),
    "coaching.session_ics": (VIEW, {"session_id": "@session"}),
    "coaching.debrief": (TAKE_PART, {"session_id": "@session"}),
    "coaching.action_item_done": (TAKE_PART, {"item_id": "@action_item"}),
    "coaching.assessment": (TAKE_PART, {"cycle_id": "@cycle"}),
    "coaching.correct_assessment": (TAKE_PART, {"cycle_id": "@cycle"}),
    "api.list_coaching_cycles": (BEARER_ONLY, {}),
    "api.get_coaching_cycle": (BEARER_ONLY, {"cycle_id": "@cycle"}),
}


def _cycle(app, org, resolved) -> int:
    from tests.integration.coaching_data import cycle_of

    with app.app_context():
        from coachflow.platform.extensions import db

        cycle_id = cycle_of(org).id
        db.session.commit()
        return cycle_id


def _in_cycle(make):
    def fixture(app, org, resolved) -> int:
        from coachflow.coaching.models import CoachingCycle
        from coachflow.platform.extensions import db
        from coachflow.platform.time import utcnow

        with app.app_context():
            cycle = db.session.get(CoachingCycle, resolved.get("cycle_id") or _cycle(app, org, {}))
            record = make(cycle, org, utcnow())
            db.session.commit()
            return record.id

    return fixture


def _session(cycle, org, now):
    from tests.integration.coaching_data import session_at

    return session_at(cycle, now + datetime.timedelta(days=2))


def _goal(cycle, org, now):
    from coachflow.coaching.models import Metric
    from tests.integration.coaching_data import goal_of

    return goal_of(cycle, Metric.MANUAL, 10, cycle.period_start)


def _action_item(cycle, org, now):
    from tests.integration.coaching_data import action_item

    return action_item(cycle, org.rep, now.date(), "Send the quote")


FIXTURES = {
    "@cycle": _cycle,
    "@session": _in_cycle(_session),
    "@goal": _in_cycle(_goal),
    "@action_item": _in_cycle(_action_item),
}
