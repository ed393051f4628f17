"""The coaching figures other domains read: sessions held, goals met, competencies side by side,
upcoming sessions and action items, in a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest

from coachflow.accounts.models import Role
from coachflow.coaching import metrics, queries
from coachflow.coaching.models import (
    Assessment,
    AssessmentKind,
    Metric,
    Rating,
    SessionState,
)
from coachflow.coaching.services import current_competencies
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from tests.factories import UserFactory
from tests.integration.coaching_data import (
    action_item,
    cycle_of,
    goal_of,
    session_at,
    user,
    won_deal,
)
from tests.integration.test_query_counts import counting_queries

START = datetime.date(2026, 1, 1)
END = datetime.date(2026, 4, 1)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def test_figures_count_held_sessions_and_met_goals(app, org):
    with app.app_context():
        cycle = cycle_of(org, start=START, end=END)
        session_at(cycle, at(datetime.date(2026, 1, 10)))
        session_at(cycle, at(datetime.date(2026, 2, 20)))
        session_at(cycle, at(datetime.date(2026, 3, 1)), state=SessionState.CANCELLED)
        session_at(cycle, at(datetime.date(2026, 5, 1)))  # after the period
        won_deal(org, org.rep, 30_000, datetime.date(2026, 1, 15))
        won_deal(org, org.rep, 25_000, datetime.date(2026, 3, 2))
        goal_of(cycle, Metric.REVENUE, 50_000, datetime.date(2026, 3, 31))  # met: 55,000
        goal_of(cycle, Metric.BOOKINGS, 3, datetime.date(2026, 3, 31))  # not met: 2
        goal_of(cycle, Metric.MANUAL, 10, datetime.date(2026, 3, 15), manual_value=12)  # met
        goal_of(cycle, Metric.REVENUE, 1, datetime.date(2026, 4, 15))  # due after the period
        db.session.commit()

        figures = queries.figures_by_rep(START, END)

    assert figures == {
        org.rep: queries.CoachingFigures(
            sessions_held=2,
            goals_total=3,
            goals_met=2,
            last_session_on=datetime.date(2026, 2, 20),
        )
    }


def test_a_session_still_to_come_has_not_been_held(app, org):
    today = utcnow().date()
    with app.app_context():
        cycle = cycle_of(org)
        session_at(cycle, utcnow() + datetime.timedelta(hours=2))
        db.session.commit()
        figures = queries.figures_by_rep(today, today + datetime.timedelta(days=1), [org.rep])
    assert org.rep not in figures


def test_figures_are_limited_to_the_reps_asked_for(app, org):
    with app.app_context():
        for rep in (org.rep, org.other_rep):
            cycle = cycle_of(org, rep=rep, start=START, end=END)
            session_at(cycle, at(datetime.date(2026, 2, 2)))
        db.session.commit()
        only_one = queries.figures_by_rep(START, END, [org.other_rep])
        as_select = queries.figures_by_rep(
            START,
            END,
            db.select(db.text("id"))
            .select_from(db.table("users"))
            .where(db.text(f"id = {org.rep}")),
        )
    assert set(only_one) == {org.other_rep}
    assert set(as_select) == {org.rep}


def test_figures_cost_the_same_queries_for_one_rep_or_many(app, org):
    def add_reps(n: int) -> None:
        for _ in range(n):
            rep = UserFactory(role=Role.REP)
            cycle = cycle_of(org, rep=rep.id, start=START, end=END)
            session_at(cycle, at(datetime.date(2026, 2, 2)))
            goal_of(cycle, Metric.REVENUE, 100, datetime.date(2026, 3, 1))
            goal_of(cycle, Metric.NPS, 30, datetime.date(2026, 3, 1))
            won_deal(org, rep.id, 500, datetime.date(2026, 2, 3))
        db.session.commit()

    with app.app_context():
        add_reps(1)
    with counting_queries(app) as few, app.app_context():
        small = queries.figures_by_rep(START, END)
    with app.app_context():
        add_reps(15)
    with counting_queries(app) as many, app.app_context():
        large = queries.figures_by_rep(START, END)
    assert len(small) == 1
    assert len(large) == 16
    assert all(f.goals_met == 1 and f.goals_total == 2 for f in large.values())
    assert len(many) == len(few)


def _assessment(cycle, kind, version, ratings, *, submitted=True):
    competencies = current_competencies()
    assessment = Assessment(
        cycle_id=cycle.id,
        kind=kind,
        version=version,
        list_id=competencies.id,
        submitted_at=utcnow() if submitted else None,
    )
    assessment.ratings = [
        Rating(competency_id=c.id, rating=r)
        for c, r in zip(competencies.competencies, ratings, strict=False)
    ]
    db.session.add(assessment)
    db.session.flush()


def test_competencies_pair_the_latest_submitted_versions(app, org):
    with app.app_context():
        cycle = cycle_of(org, start=START, end=END)
        _assessment(cycle, AssessmentKind.SELF, 1, [5, 5, 5])
        _assessment(cycle, AssessmentKind.SELF, 2, [4, 4, 4])  # a correction
        _assessment(cycle, AssessmentKind.SELF, 3, [1, 1, 1], submitted=False)  # a draft
        _assessment(cycle, AssessmentKind.MANAGER, 1, [2, 4])
        db.session.commit()
        pairs = queries.competencies_by_rep(START, END, [org.rep], language="en")

    first, second, third = pairs[org.rep][:3]
    assert first.name == "Achieves high customer satisfaction with every customer."
    assert (first.self_rating, first.manager_rating, first.marked) == (4, 2, True)
    assert (second.self_rating, second.manager_rating, second.marked) == (4, 4, False)
    assert (third.self_rating, third.manager_rating, third.gap) == (4, None, None)


def test_competencies_speak_the_language_asked_for(app, org):
    with app.app_context():
        cycle = cycle_of(org, start=START, end=END)
        _assessment(cycle, AssessmentKind.SELF, 1, [3])
        db.session.commit()
        pairs = queries.competencies_by_rep(START, END, language="de")
    assert pairs[org.rep][0].name.startswith("Erreicht bei jedem Kunden")


def test_upcoming_sessions_are_those_of_ones_own_cycles_soonest_first(app, org):
    now = utcnow()
    with app.app_context():
        mine = cycle_of(org)
        later = session_at(mine, now + datetime.timedelta(days=3), place="Office")
        sooner = session_at(mine, now + datetime.timedelta(days=1))
        session_at(mine, now - datetime.timedelta(days=1))
        session_at(mine, now + datetime.timedelta(days=2), state=SessionState.CANCELLED)
        db.session.commit()
        later_id, sooner_id = later.id, sooner.id
        for_rep = queries.upcoming_sessions(user(org.rep))
        for_manager = queries.upcoming_sessions(user(org.manager), limit=1)
        for_other = queries.upcoming_sessions(user(org.other_rep))
    assert [s.id for s in for_rep] == [sooner_id, later_id]
    assert for_rep[1].place == "Office"
    assert [s.id for s in for_manager] == [sooner_id]
    assert for_other == []


def test_action_items_show_on_both_peoples_lists(app, org):
    today = utcnow().date()
    with app.app_context():
        cycle = cycle_of(org)
        rep_item = action_item(cycle, org.rep, today - datetime.timedelta(days=1), "Call Acme")
        manager_item = action_item(cycle, org.manager, today + datetime.timedelta(days=5), "Book")
        done = action_item(cycle, org.rep, today, "Done already")
        done.done_at = utcnow()
        db.session.commit()
        ids = [rep_item.id, manager_item.id]
        for_rep = queries.action_items_due(user(org.rep))
        for_manager = queries.action_items_due(user(org.manager))
        for_other = queries.action_items_due(user(org.other_manager))
    assert [i.id for i in for_rep] == ids
    assert [i.id for i in for_manager] == ids
    assert for_rep[0].overdue
    assert not for_rep[1].overdue
    assert for_other == []


@pytest.mark.parametrize(
    ("which", "expected"),
    [
        (metrics.revenue, 1_500.0),
        (metrics.bookings, 2.0),
        (metrics.margin_rate, 25.0),
        (metrics.estimates, 3.0),
    ],
)
def test_sales_metrics_per_rep(app, org, which, expected):
    with app.app_context():
        won_deal(org, org.rep, 1_000, datetime.date(2026, 2, 1), margin_eur=250)
        won_deal(org, org.rep, 500, datetime.date(2026, 3, 31), margin_eur=125)
        won_deal(org, org.rep, 800, datetime.date(2026, 4, 1))  # the day after the period
        won_deal(org, org.rep, 900, datetime.date(2026, 2, 2), stage="lost")
        db.session.commit()
        values = which([org.rep, org.other_rep], START, END)
    assert values == {org.rep: pytest.approx(expected)}


def test_competencies_come_from_the_latest_cycle_with_a_submitted_assessment(app, org):
    with app.app_context():
        first = cycle_of(org, start=START, end=datetime.date(2026, 2, 1))
        second = cycle_of(org, start=datetime.date(2026, 2, 1), end=datetime.date(2026, 3, 1))
        third = cycle_of(org, start=datetime.date(2026, 3, 1), end=END)
        _assessment(first, AssessmentKind.SELF, 1, [1])
        _assessment(second, AssessmentKind.SELF, 1, [3])
        _assessment(third, AssessmentKind.SELF, 1, [5], submitted=False)
        db.session.commit()
        pairs = queries.competencies_by_rep(START, END, language="en")
        earlier = queries.competencies_by_rep(START, datetime.date(2026, 2, 1), language="en")
    assert [p.self_rating for p in pairs[org.rep]] == [3]
    assert [p.self_rating for p in earlier[org.rep]] == [1]
