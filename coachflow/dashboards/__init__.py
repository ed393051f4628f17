"""Home pages that answer "how are we doing and what needs me": each role's home, a team's
dashboard, the forecast, recognition, leaderboards and the weekly digest."""

from __future__ import annotations

import random

from flask import Flask
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

# The audit log in words (``platform.audit.describe_actions``).
AUDIT_ACTIONS = {"team.leaderboard": _l("Team leaderboard switched on or off")}
AUDIT_KEYS = {"enabled": _l("Switched on")}


def register(app: Flask) -> None:
    """Add the dashboards domain to ``app``: the home page, dashboards, digest job, settings."""
    from coachflow.dashboards import charts, policy, queries, services, tasks  # noqa: F401
    from coachflow.dashboards.demo import seed_recognitions
    from coachflow.dashboards.views import bp, digest_section, home_bp
    from coachflow.platform.account_sections import AccountSection, add_account_section
    from coachflow.platform.audit import describe_actions
    from coachflow.platform.demo import add_demo
    from coachflow.platform.jobs import add_periodic
    from coachflow.platform.navigation import NavEntry, add_navigation
    from coachflow.platform.permissions import SIGNED_IN
    from coachflow.scorecards.sections import Section, add_scorecard_section

    app.register_blueprint(home_bp)
    app.register_blueprint(bp)
    describe_actions(app, AUDIT_ACTIONS, keys=AUDIT_KEYS)
    app.jinja_env.globals["band_label"] = charts.band_label
    app.jinja_env.globals["coaching_weeks"] = queries.COACHING_WEEKS
    app.jinja_env.filters["medium_date"] = lambda day: format_date(day, "medium")
    # Hourly: on Mondays each run mails a batch of the week's digests until all are out.
    add_periodic(app, services.SEND_DIGESTS, 3600.0)
    add_account_section(
        app, AccountSection(50, "digest", "dashboards/_digest_section.html", digest_section)
    )
    add_scorecard_section(
        app, Section(50, "dashboards/_scorecard_recognitions.html", queries.scorecard_recognitions)
    )
    add_demo(app, lambda org, seed: seed_recognitions(org, random.Random(f"dashboards:{seed}")))
    add_navigation(
        app,
        NavEntry(10, "home.index", _l("Home"), SIGNED_IN),
        NavEntry(15, "dashboards.forecast", _l("Forecast"), policy.VIEW_FORECAST),
    )
