"""Coaching cycles: territory plan, goals bound to data, sessions with calendar invitations,
call preparation and debriefs, action items, and the self and manager assessment."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the coaching domain to ``app``: pages, API, home panels, reminders, demo."""
    import random

    from flask_babel import lazy_gettext as _l

    from coachflow.coaching import api, demo, home, policy, tasks, views  # noqa: F401
    from coachflow.coaching.services import REMIND_ACTION_ITEMS
    from coachflow.platform.demo import add_demo
    from coachflow.platform.home import add_home_panel
    from coachflow.platform.jobs import add_periodic
    from coachflow.platform.navigation import NavEntry, add_navigation

    app.register_blueprint(views.bp)
    add_periodic(app, REMIND_ACTION_ITEMS, 3600.0)
    add_home_panel(app, *home.PANELS)
    add_demo(
        app, lambda org, seed: demo.seed_coaching(org, random.Random(f"coaching:{seed}")).summary()
    )
    add_navigation(
        app,
        NavEntry(
            60,
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
