"""Employee pulse: recurring anonymous rounds of an employee-pulse questionnaire, per team.

Built on ``coachflow.questionnaires`` (the questionnaire, its versions, the answer checks and
the respondent's question macros); anonymity by construction is explained in
``docs/pulse-anonymity.md``.
"""

from __future__ import annotations

import random
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

# The audit log in words (``platform.audit.describe_actions``).
AUDIT_ACTIONS = {
    "pulse.started": _l("Pulse started"),
    "pulse.round_opened": _l("Pulse round opened"),
    "pulse.thresholds": _l("Pulse anonymity thresholds changed"),
}
AUDIT_KEYS = {
    "schedule": _l("Schedule"),
    "round": _l("Round"),
    "minimum": _l("Answers needed per team"),
    "comment_minimum": _l("Answers needed to show comments"),
}


def _home_panel(user: Any) -> dict[str, Any] | None:
    """The open pulses ``user`` has not answered yet, with their personal links: one query."""
    from coachflow.platform.time import utcnow
    from coachflow.platform.web import external_url
    from coachflow.pulse import queries, services

    waiting = queries.open_pulses_for(user, utcnow().date())
    if not waiting:
        return None
    return {
        "open": [
            {
                "name": item.name,
                "closes_on": item.closes_on,
                "link": external_url(
                    "pulse_answer.answer", token=services.link_token(item.invitation)
                ),
            }
            for item in waiting
        ]
    }


def _start_with(survey: Any) -> dict[str, Any]:
    return {"survey_id": survey.id}


def register(app: Flask) -> None:
    """Add the pulse domain to ``app``: pages, the answer link, API, jobs, home panel, demo."""
    from coachflow.platform.audit import describe_actions
    from coachflow.platform.demo import add_demo
    from coachflow.platform.home import HomePanel, add_home_panel
    from coachflow.platform.jobs import add_periodic
    from coachflow.platform.navigation import NavEntry, add_navigation
    from coachflow.pulse import api, cli, demo, policy, queries, services, tasks, views  # noqa: F401
    from coachflow.pulse.forms import SCHEDULE_LABELS
    from coachflow.questionnaires.links import SurveyLink, add_survey_links
    from coachflow.questionnaires.models import SurveyKind, SurveyStatus
    from coachflow.questionnaires.queries import AnswerCounter, register_answer_counter

    app.register_blueprint(views.bp)
    describe_actions(
        app,
        AUDIT_ACTIONS,
        keys=AUDIT_KEYS,
        values={schedule.value: label for schedule, label in SCHEDULE_LABELS.items()},
    )
    app.register_blueprint(views.answer_bp)
    app.cli.add_command(cli.pulse_cli)
    # The builder's links for a pulse questionnaire: start a pulse with it, and the pulses.
    add_survey_links(
        app,
        (SurveyKind.EMPLOYEE_PULSE,),
        {
            "start": SurveyLink(
                "pulse.new",
                _l("Start a pulse"),
                _start_with,
                statuses=(SurveyStatus.ACTIVE,),
                primary=True,
            ),
            "pulses": SurveyLink("pulse.index", _l("Pulse surveys"), lambda survey: {}),
        },
    )
    add_periodic(app, services.TICK, 300.0)
    # A questionnaire a pulse has collected answers to is never edited in place.
    register_answer_counter(
        app, AnswerCounter(queries.responses_per_survey, queries.answered_versions)
    )
    add_navigation(
        app,
        NavEntry(
            57,
            "pulse.index",
            _l("Pulse"),
            policy.VIEW_PULSE,
            ("pulse.new", "pulse.round_results", "pulse.trend", "pulse.settings"),
        ),
    )
    add_home_panel(app, HomePanel(10, "pulse", "pulse/_home_panel.html", _home_panel))
    add_demo(app, lambda org, seed: demo.seed_pulse(org, random.Random(f"pulse:{seed}")))
