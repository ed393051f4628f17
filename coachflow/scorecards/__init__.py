"""Quality-of-revenue scorecards: figures per rep, team and company for a period, the index,
pages and PDFs, closed periods frozen as snapshots, bulk ZIPs, CLI and API."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

# The audit log in words (``platform.audit.describe_actions``); the settings' details are the
# index weights, one ``part weight`` per part of ``lib.scoring.index.PARTS``.
AUDIT_ACTIONS = {
    "scorecards.settings": _l("Scorecard weights changed"),
    "scorecards.close": _l("Scorecard period closed"),
    "scorecards.reopen": _l("Scorecard period reopened"),
    "scorecards.export": _l("Scorecards exported"),
}
AUDIT_KEYS = {
    "attainment": _l("Quota attainment"),
    "margin": _l("Margin"),
    "repeat": _l("Repeat business"),
    "nps": _l("NPS"),
    "csat": _l("CSAT"),
    "followups": _l("Follow-up resolution"),
}


def register(app: Flask) -> None:
    """Add the scorecards domain to ``app``: pages, jobs, commands, navigation, demo."""
    from coachflow.platform.audit import describe_actions
    from coachflow.platform.demo import add_demo
    from coachflow.platform.navigation import NavEntry, PersonLink, add_navigation, add_person_link
    from coachflow.platform.permissions import allowed
    from coachflow.scorecards import api, cli, demo, documents, models, policy, tasks  # noqa: F401
    from coachflow.scorecards.views import manage, pages

    documents.init_filters(app)
    describe_actions(app, AUDIT_ACTIONS, keys=AUDIT_KEYS)
    app.register_blueprint(pages.bp)
    app.register_blueprint(manage.bp)
    app.cli.add_command(cli.scorecards_cli)
    add_navigation(
        app,
        NavEntry(
            62,
            "scorecards.index",
            _l("Scorecards"),
            policy.VIEW_SCORECARDS,
            ("scorecards.rep", "scorecards.team"),
        ),
        NavEntry(
            63,
            "scorecard_admin.exports",
            _l("Scorecard exports"),
            policy.EXPORT_SCORECARDS,
            (
                "scorecard_admin.export",
                "scorecard_admin.periods",
                "scorecard_admin.downloads",
            ),
        ),
        NavEntry(
            116,
            "scorecard_admin.settings",
            _l("Scorecard settings"),
            policy.EDIT_SCORECARD_SETTINGS,
        ),
    )
    add_person_link(
        app,
        PersonLink(
            30,
            _l("Scorecard"),
            lambda person: url_for("scorecards.rep", rep_id=person.id),
            lambda viewer, person: allowed(viewer, policy.VIEW_SCORECARDS, person),
        ),
    )
    add_demo(app, demo.close_last_quarter)
