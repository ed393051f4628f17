"""Follow-up and coaching figures on the scorecard: read from their packages, counted in the
index, shown on the page and in the PDF (the hand-made quarter of tests/scorecards_data.py)."""

from __future__ import annotations

import datetime
import io

import pytest
from pypdf import PdfReader

from coachflow.coaching.models import AssessmentKind, Metric
from coachflow.followups.models import CaseState
from coachflow.followups.services.root_causes import seed_root_causes
from coachflow.lib.periods import parse_period
from coachflow.platform.extensions import db
from coachflow.scorecards.queries import period_figures
from tests.followup_factories import make_case
from tests.integration.coaching_data import cycle_of, goal_of, session_at
from tests.integration.test_coaching_queries import _assessment
from tests.scorecards_data import Q3, build_quarter

START, END = datetime.date(2026, 7, 1), datetime.date(2026, 10, 1)


def at(month: int, day: int) -> datetime.datetime:
    return datetime.datetime(2026, month, day, 10, tzinfo=datetime.UTC)


@pytest.fixture
def activity(app, org):
    """The rep: one case resolved, one not (50 %); two coaching sessions held in the quarter, a
    manual goal met; self-assessment 4, 4, 4 beside the manager's 2, 4."""
    build_quarter(app, org)
    with app.app_context():
        seed_root_causes()
        hours = datetime.timedelta(hours=10)
        make_case(
            org.rep,
            org.team,
            opened_at=at(8, 3),
            state=CaseState.RESOLVED,
            contact_after=hours,
            closed_after=hours * 2,
            cause="price",
        )
        make_case(
            org.rep,
            org.team,
            opened_at=at(8, 4),
            state=CaseState.COULD_NOT_RESOLVE,
            contact_after=hours,
            closed_after=hours * 4,
            cause="price",
        )
        cycle = cycle_of(org, start=START, end=END)
        session_at(cycle, at(7, 15))
        session_at(cycle, at(9, 2))
        goal_of(cycle, Metric.MANUAL, 10, datetime.date(2026, 9, 30), manual_value=12)
        _assessment(cycle, AssessmentKind.SELF, 1, [4, 4, 4])
        _assessment(cycle, AssessmentKind.MANAGER, 1, [2, 4])
        db.session.commit()


def test_follow_ups_and_coaching_in_the_figures_and_the_index(app, org, activity):
    with app.app_context():
        cards = period_figures(parse_period(Q3))
    rep = cards.reps[org.rep]
    assert rep.followup_resolution_rate == 0.5
    assert (rep.followups_resolved, rep.followups_not_resolved) == (1, 1)
    assert rep.coaching_sessions == 2
    assert (rep.goals_met, rep.goals_total) == (1, 1)
    assert rep.index_parts["followups"] == 0.5
    assert cards.teams[org.team].followup_resolution_rate == 0.5
    assert cards.reps[org.other_rep].followup_resolution_rate is None
    assert "followups" not in cards.reps[org.other_rep].index_parts


def test_page_and_pdf_show_them_with_self_versus_manager(app, org, as_role, activity):
    hr = as_role("hr")
    page = hr.get(f"/scorecards/rep/{org.rep}?period={Q3}").get_data(as_text=True)
    assert "1 resolved of 2 closed" in page
    assert f"/followups?rep={org.rep}&amp;opened_from=2026-07-01" in page
    assert "Self versus manager assessment" in page
    assert 'class="chart chart-pairs"' in page
    pdf = hr.get(f"/scorecards/rep/{org.rep}/{Q3}.pdf").data
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "1 resolved of 2 closed" in text
    assert "Self versus manager assessment" in text
