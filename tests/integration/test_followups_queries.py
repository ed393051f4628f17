"""The follow-up figures other domains read: per rep and team, root causes, open cases."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import event

from coachflow.accounts.models import Role, User
from coachflow.followups.models import CaseState
from coachflow.followups.queries import (
    NO_CASES,
    figures_by_rep,
    figures_by_team,
    open_cases_of,
    root_causes_by_team,
)
from coachflow.followups.services.root_causes import seed_root_causes
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from tests.factories import UserFactory
from tests.followup_factories import make_case
from tests.survey_factories import make_survey

H = datetime.timedelta(hours=1)
UTC = datetime.UTC
START, END = datetime.date(2026, 10, 1), datetime.date(2027, 1, 1)


def at(month: int, day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def cases(app, org):
    """North's rep: 5 cases in Q4 (open overdue, open not due, contacted, resolved twice) and
    one could-not-resolve; one case before the period; South's rep: one resolved case."""
    with app.app_context():
        seed_root_causes()
        survey = make_survey().id
        future = utcnow() + datetime.timedelta(days=30)
        kw = {"survey_id": survey}
        make_case(org.rep, org.team, opened_at=at(10, 5), due_in=2 * 24 * H, **kw)  # overdue
        make_case(org.rep, org.team, opened_at=at(12, 1), due_in=future - at(12, 1), **kw)
        make_case(
            org.rep,
            org.team,
            opened_at=at(11, 2),
            state=CaseState.CONTACTED,
            contact_after=4 * H,
            due_in=future - at(11, 2) - 24 * H,
            **kw,
        )
        make_case(
            org.rep,
            org.team,
            opened_at=at(11, 3),
            state=CaseState.RESOLVED,
            contact_after=2 * H,
            closed_after=10 * H,
            cause="delivery",
            **kw,
        )
        make_case(
            org.rep,
            org.team,
            opened_at=at(11, 4),
            state=CaseState.RESOLVED,
            contact_after=6 * H,
            closed_after=30 * H,
            cause="delivery",
            **kw,
        )
        make_case(
            org.rep,
            org.team,
            opened_at=at(11, 5),
            state=CaseState.COULD_NOT_RESOLVE,
            contact_after=8 * H,
            closed_after=50 * H,
            cause="price",
            **kw,
        )
        make_case(  # before the period: not counted
            org.rep,
            org.team,
            opened_at=at(9, 30),
            state=CaseState.RESOLVED,
            closed_after=H,
            cause="price",
            **kw,
        )
        make_case(
            org.other_rep,
            org.other_team,
            opened_at=at(10, 10),
            state=CaseState.RESOLVED,
            contact_after=H,
            closed_after=3 * H,
            cause="product",
            **kw,
        )
        db.session.commit()


def test_figures_by_rep_count_the_period_and_take_medians(app, org, cases):
    with app.app_context():
        figures = figures_by_rep(START, END)
    rep = figures[org.rep]
    assert (rep.opened, rep.open, rep.overdue, rep.resolved, rep.not_resolved) == (6, 3, 1, 2, 1)
    assert rep.resolution_rate == pytest.approx(2 / 3)
    # First contacts after 2, 4, 6 and 8 hours; resolutions after 10 and 30 hours.
    assert rep.median_hours_to_contact == pytest.approx(5.0)
    assert rep.median_hours_to_resolve == pytest.approx(20.0)
    other = figures[org.other_rep]
    assert (other.opened, other.resolved, other.resolution_rate) == (1, 1, 1.0)
    assert other.median_hours_to_contact == pytest.approx(1.0)
    assert other.median_hours_to_resolve == pytest.approx(3.0)


def test_figures_by_rep_take_a_list_or_a_select_of_reps(app, org, cases):
    with app.app_context():
        by_list = figures_by_rep(START, END, [org.other_rep])
        by_select = figures_by_rep(START, END, db.select(User.id).where(User.team_id == org.team))
        nobody = figures_by_rep(START, END, [])
    assert set(by_list) == {org.other_rep}
    assert set(by_select) == {org.rep}
    assert nobody == {}
    assert by_list.get(org.rep, NO_CASES) == NO_CASES


def test_figures_by_team_match_the_reps(app, org, cases):
    with app.app_context():
        teams = figures_by_team(START, END)
        north_only = figures_by_team(START, END, [org.team])
        reps = figures_by_rep(START, END)
    assert teams[org.team] == reps[org.rep]
    assert teams[org.other_team] == reps[org.other_rep]
    assert set(north_only) == {org.team}


def test_a_period_without_cases_has_no_figures(app, org, cases):
    with app.app_context():
        assert figures_by_rep(datetime.date(2025, 1, 1), datetime.date(2025, 4, 1)) == {}


def test_root_causes_by_team_count_closed_cases_of_the_period(app, org, cases):
    with app.app_context():
        causes = root_causes_by_team(START, END)
        south = root_causes_by_team(START, END, [org.other_team])
    assert causes == {org.team: {"delivery": 2, "price": 1}, org.other_team: {"product": 1}}
    assert south == {org.other_team: {"product": 1}}


def test_open_cases_of_a_rep_are_soonest_due_first_with_overdue_flagged(app, org, cases):
    with app.app_context():
        listed = open_cases_of(org.rep)
        none = open_cases_of(org.other_rep)
    assert [case.state for case in listed] == [
        CaseState.OPEN,
        CaseState.CONTACTED,
        CaseState.OPEN,
    ]
    assert [case.overdue for case in listed] == [True, False, False]
    assert listed[0].due_at < listed[1].due_at < listed[2].due_at
    assert none == []


def test_figures_take_a_fixed_number_of_queries_whatever_the_reps(app, org, cases):
    with app.app_context():
        survey = make_survey().id
        for n in range(20):
            person = UserFactory(role=Role.REP, team_id=org.team, email=f"extra{n}@example.com")
            make_case(person.id, org.team, opened_at=at(11, 20), survey_id=survey)
        db.session.commit()
        statements = []

        def count(*_args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            figures = figures_by_rep(START, END)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert len(figures) == 22
    assert len(statements) <= 2
