"""Follow-up figures per team and rep for a period, and each team's root causes."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from coachflow.followups import labels, policy, queries
from coachflow.followups.views import bp
from coachflow.lib.figures import period_choices, shifted
from coachflow.lib.periods import Period, PeriodKind, parse_period
from coachflow.platform.permissions import requires
from coachflow.platform.time import utcnow


@bp.route("/figures")
@requires(policy.VIEW_FIGURES)
def figures():
    today = utcnow().date()
    try:
        period = parse_period(request.args.get("period", ""))
    except ValueError:
        period = Period.containing(today, PeriodKind.QUARTER)
    page = queries.figures_page(current_user, period.start, period.end)
    following = shifted(period, 1)
    return render_template(
        "followups/figures.html",
        page=page,
        period=period,
        previous_period=shifted(period, -1),
        next_period=following if following.start <= today else None,
        period_choices=period_choices(today),
        root_cause_label=labels.root_cause_label,
    )
