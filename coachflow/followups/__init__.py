"""Follow-ups (closing the loop): an unhappy customer's answer becomes a case for the rep it is
about, worked to a resolution with a root cause; won deals trigger a CSAT survey."""

from __future__ import annotations

import random
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

# The audit log in words (``platform.audit.describe_actions``).
AUDIT_ACTIONS = {
    "followup.rule_saved": _l("Follow-up rule saved"),
    "followup.trigger_created": _l("Survey trigger for won deals created"),
    "followup.trigger_changed": _l("Survey trigger for won deals changed"),
    "followup.closed": _l("Follow-up case closed"),
    "followup.reassigned": _l("Follow-up case reassigned"),
    "followup.root_cause_added": _l("Root cause added"),
    "followup.root_cause_changed": _l("Root cause changed"),
    "followup.erased": _l("Follow-up cases cleared for an erasure"),
}
AUDIT_KEYS = {
    "rule": _l("Rule"),
    "delay_days": _l("Days after the deal closed"),
    "outcome": _l("Outcome"),
    "to": _l("Assigned to (user)"),
    "cases": _l("Cases"),
    "texts_removed": _l("Texts removed"),
}


def _home_panel(user: Any) -> dict[str, Any] | None:
    """The person's own open cases (one query), or nothing when they have none."""
    from coachflow.followups.queries import open_cases_of

    cases = open_cases_of(user.id)
    if not cases:
        return None
    return {"cases": cases, "overdue": sum(case.overdue for case in cases), "rep_id": user.id}


def register(app: Flask) -> None:
    """Add the follow-ups domain to ``app``: pages, API, jobs, the answer and privacy signals,
    home panel, navigation and demo."""
    from coachflow.followups import api, demo, policy, tasks  # noqa: F401
    from coachflow.followups.labels import STATE_NAMES
    from coachflow.followups.services.evaluation import on_response_stored
    from coachflow.followups.services.privacy import on_contact_erased, on_contact_exported
    from coachflow.followups.services.resurvey import SURVEY_NAME
    from coachflow.followups.services.tick import TICK
    from coachflow.followups.views import bp
    from coachflow.platform.audit import describe_actions
    from coachflow.platform.demo import add_demo
    from coachflow.platform.home import HomePanel, add_home_panel
    from coachflow.platform.jobs import add_periodic
    from coachflow.platform.navigation import NavEntry, add_navigation
    from coachflow.questionnaires.links import add_built_in_survey
    from coachflow.questionnaires.models import SurveyKind
    from coachflow.surveys.signals import contact_erased, contact_exported, response_stored

    app.register_blueprint(bp)
    describe_actions(
        app,
        AUDIT_ACTIONS,
        keys=AUDIT_KEYS,
        values={state.value: label for state, label in STATE_NAMES.items()},
    )
    # A module-level receiver: connecting it again for another app changes nothing.
    response_stored.connect(on_response_stored)
    # An erasure or export of a customer's data reaches the copies the cases keep.
    contact_erased.connect(on_contact_erased)
    contact_exported.connect(on_contact_exported)
    add_built_in_survey(
        app,
        SurveyKind.CUSTOMER_CSAT,
        SURVEY_NAME,
        _l(
            "Built in: follow-ups send this survey to the customer when a case is resolved "
            "under a rule that asks for it. What you change here changes what those customers get."
        ),
    )
    add_periodic(app, TICK, 300.0)
    add_navigation(
        app,
        NavEntry(
            58,
            "followups.index",
            _l("Follow-ups"),
            policy.VIEW_CASES,
            (
                "followups.case",
                "followups.figures",
                "followups.rules",
                "followups.rule",
                "followups.root_cause_list",
                "followups.trigger_list",
                "followups.trigger",
            ),
        ),
    )
    add_home_panel(app, HomePanel(20, "followups", "followups/_panel.html", _home_panel))
    add_demo(
        app,
        lambda org, seed: demo.seed_followups(org, random.Random(f"followups:{seed}")).summary(),
    )
