"""Customer surveys: distribution, sending, answering by emailed link, results, and contacts'
privacy. The questionnaires themselves (versions, questions, the builder) live in
``coachflow.questionnaires``."""

from __future__ import annotations

import random
from typing import Any

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l


def _survey_id(survey: Any) -> dict[str, Any]:
    return {"survey_id": survey.id}


def register(app: Flask) -> None:
    """Add the surveys domain to ``app``: pages, the public answer page, jobs, commands."""
    from coachflow.platform.demo import add_demo
    from coachflow.platform.jobs import add_lease, add_periodic
    from coachflow.platform.navigation import (
        NavEntry,
        PersonLink,
        add_navigation,
        add_person_link,
        add_sections,
    )
    from coachflow.platform.permissions import allowed
    from coachflow.questionnaires.links import SurveyLink, add_survey_links
    from coachflow.questionnaires.models import SurveyKind, SurveyStatus
    from coachflow.questionnaires.queries import register_answer_counter
    from coachflow.sales.policy import VIEW_SALES
    from coachflow.surveys import api, cli, demo, policy, queries, tasks  # noqa: F401
    from coachflow.surveys.services import sending
    from coachflow.surveys.views import privacy, public, results, send

    for blueprint in (public.bp, results.bp, privacy.bp, send.bp):
        app.register_blueprint(blueprint)
    app.cli.add_command(cli.surveys_cli)
    # The builder's links for customer surveys; the sending pages count under its entry.
    add_survey_links(
        app,
        (SurveyKind.CUSTOMER_CSAT, SurveyKind.CUSTOMER_NPS),
        {
            "send": SurveyLink(
                "survey_sending.send",
                _l("Send invitations"),
                _survey_id,
                statuses=(SurveyStatus.ACTIVE,),
                primary=True,
            ),
            "invitations": SurveyLink("survey_sending.invitations", _l("Invitations"), _survey_id),
            "results": SurveyLink("survey_results.survey", _l("Results"), _survey_id),
        },
    )
    add_sections(app, "surveys.index", "survey_sending.send", "survey_sending.invitations")
    app.cli.add_command(privacy.contacts_cli)
    # Due sends and retries, reminders, expiries.
    add_periodic(app, sending.TICK, 300.0)
    register_answer_counter(app, queries.ANSWER_COUNTER)
    # A mail-out lost with its worker comes back when the batch it claimed is free again.
    add_lease(app, app.config.get("MAIL_LEASE_SECONDS") or sending.LEASE.total_seconds())
    add_navigation(
        app,
        NavEntry(
            50,
            "survey_results.overview",
            _l("Results"),
            policy.VIEW_SURVEY_RESULTS,
            ("survey_results.survey",),
        ),
        NavEntry(55, "survey_sending.approvals", _l("Approvals"), policy.APPROVE_ADHOC_SENDS),
        NavEntry(
            100, "contact_privacy.index", _l("Contact privacy"), policy.MANAGE_CONTACT_PRIVACY
        ),
    )
    add_person_link(
        app,
        PersonLink(
            20,
            _l("Survey results"),
            lambda person: url_for("survey_results.overview", rep=person.id),
            lambda viewer, person: (
                allowed(viewer, policy.VIEW_SURVEY_RESULTS) and allowed(viewer, VIEW_SALES, person)
            ),
        ),
    )
    add_demo(
        app, lambda org, seed: demo.seed_surveys(org, random.Random(f"surveys:{seed}")).summary()
    )
