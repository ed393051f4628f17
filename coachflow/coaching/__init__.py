"""Coaching cycles: territory plan, goals bound to data, sessions with calendar invitations,
call preparation and debriefs, action items, and the self and manager assessment."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

# The audit log in words (``platform.audit.describe_actions``); goals write ``metric=target``,
# so the metrics are keys too (``labels.METRICS``).
AUDIT_ACTIONS = {
    "coaching.cycle_created": _l("Coaching cycle created"),
    "coaching.cycle_started": _l("Coaching cycle started"),
    "coaching.cycle_closed": _l("Coaching cycle closed"),
    "coaching.plan_saved": _l("Territory plan saved"),
    "coaching.plan_reviewed": _l("Territory plan reviewed"),
    "coaching.goal_added": _l("Coaching goal added"),
    "coaching.goal_updated": _l("Coaching goal updated"),
    "coaching.session_scheduled": _l("Coaching session scheduled"),
    "coaching.session_moved": _l("Coaching session moved"),
    "coaching.session_cancelled": _l("Coaching session cancelled"),
    "coaching.agenda_item_added": _l("Agenda item added"),
    "coaching.agenda_pulled": _l("Open points pulled into the agenda"),
    "coaching.debriefed": _l("Session debrief saved"),
    "coaching.action_item_done": _l("Action item done"),
    "coaching.competencies_saved": _l("Competency model saved"),
    "coaching.assessment_saved": _l("Assessment saved"),
    "coaching.assessment_corrected": _l("Assessment reopened for correction"),
}
AUDIT_KEYS = {
    "rep": _l("Sales rep"),
    "submitted": _l("Submitted"),
    "approved": _l("Approved"),
    "value": _l("Value"),
    "added": _l("Added"),
    "steps": _l("Next steps"),
}


def register(app: Flask) -> None:
    """Add the coaching domain to ``app``: pages, API, home panels, reminders, demo."""
    import random

    from coachflow.coaching import api, demo, home, policy, tasks, views  # noqa: F401
    from coachflow.coaching.labels import ASSESSMENT_KINDS, METRICS, SESSION_KINDS
    from coachflow.coaching.services import REMIND_ACTION_ITEMS
    from coachflow.platform.audit import describe_actions
    from coachflow.platform.demo import add_demo
    from coachflow.platform.home import add_home_panel
    from coachflow.platform.jobs import add_periodic
    from coachflow.platform.navigation import NavEntry, add_navigation

    app.register_blueprint(views.bp)
    describe_actions(
        app,
        AUDIT_ACTIONS,
        keys={
            **{metric.value: label for metric, label in METRICS.items()},
            **{kind.value: label for kind, label in ASSESSMENT_KINDS.items()},
            **AUDIT_KEYS,
        },
        values={kind.value: label for kind, label in SESSION_KINDS.items()},
    )
    add_periodic(app, REMIND_ACTION_ITEMS, 3600.0)
    add_home_panel(app, *home.PANELS)
    add_demo(
        app, lambda org, seed: demo.seed_coaching(org, random.Random(f"coaching:{seed}")).summary()
    )
    add_navigation(
        app,
        NavEntry(
            59,
            "coaching.cycles",
            _l("Coaching"),
            policy.VIEW_COACHING,
            (
                "coaching.cycle",
                "coaching.new_cycle",
                "coaching.plan",
                "coaching.new_session",
                "coaching.debrief",
                "coaching.assessment",
                "coaching.effect",
            ),
        ),
        NavEntry(105, "coaching.competencies", _l("Competencies"), policy.MANAGE_COMPETENCIES),
    )
