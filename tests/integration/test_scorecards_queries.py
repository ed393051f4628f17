"""Scorecard figures of a hand-made quarter (tests/scorecards_data.py), in a fixed number of
queries whatever the number of reps."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coachflow.accounts.models import Role
from coachflow.lib.periods import parse_period
from coachflow.platform.extensions import db
from coachflow.sales.models import Deal, DealStage
from coachflow.scorecards.models import ClosedPeriod, PeriodState
from coachflow.scorecards.queries import period_figures, period_state, rep_figures
from tests.factories import TeamFactory, UserFactory
from tests.integration.test_query_counts import counting_queries
from tests.scorecards_data import Q3, build_quarter


@pytest.fixture
def quarter(app, org):
    build_quarter(app, org)
    return parse_period(Q3)


def test_rep_figures_of_the_quarter(app, org, quarter):
    with app.app_context():
        cards = period_figures(quarter)
        rep = cards.reps[org.rep]
        assert rep.revenue == 150_000_00
        assert rep.quota == 200_000_00
        assert rep.attainment == pytest.approx(0.75)
        assert rep.margin_pct == pytest.approx(40 / 150)
        assert rep.repeat_share == pytest.approx(1 / 3)
        assert rep.estimates_given == 3
        assert rep.estimates_target == 12
        assert rep.nps.n == 6
        assert rep.nps.value == pytest.approx(100 / 6)
        assert rep.few_answers
        assert rep.team_id == org.team
        other = cards.reps[org.other_rep]
        assert other.quota is None
        assert other.attainment is None
        assert other.index == pytest.approx(37.5)
        assert "attainment" not in other.index_parts
        # Managers without figures are not listed; HR and admin are never sellers.
        assert set(cards.reps) == {org.rep, org.other_rep}


def test_teams_and_company_add_up(app, org, quarter):
    with app.app_context():
        cards = period_figures(quarter)
        assert cards.teams[org.team].revenue == 150_000_00
        assert cards.teams[org.other_team].nps.n == 4
        assert cards.company.revenue == 230_000_00
        assert cards.company.nps.n == 10
        assert cards.company.members == 2
        assert cards.reps[org.rep].rank in (1, 2)


def test_revenue_is_the_sum_of_won_deals(app, org, quarter):
    with app.app_context():
        cards = period_figures(quarter, [org.rep])
        won = db.session.scalar(
            select(func.sum(Deal.amount_minor)).where(
                Deal.rep_id == org.rep,
                Deal.stage == DealStage.WON,
                Deal.closed_on >= quarter.start,
                Deal.closed_on < quarter.end,
            )
        )
        assert cards.reps[org.rep].revenue == won
        assert set(cards.reps) == {org.rep}


def test_an_empty_period_has_no_index_and_no_crash(app, org, quarter):
    with app.app_context():
        cards = period_figures(parse_period("2020-Q1"))
        assert cards.empty
        assert cards.company.revenue == 0
        assert cards.company.attainment is None
        assert cards.reps[org.rep].index is None


def test_shrinkage_pulls_a_few_answers_toward_the_team(app, org, quarter):
    with app.app_context():
        # A team-mate of the rep with six detractors: the team's prior now has two reps.
        from coachflow.questionnaires.models import QuestionType, Survey
        from tests.integration.test_surveys_results import answer
        from tests.scorecards_data import _at

        mate = UserFactory(role=Role.REP, team_id=org.team)
        survey = db.session.scalar(select(Survey))
        for day in range(6):
            answer(
                app,
                survey,
                rep_id=mate.id,
                team_id=org.team,
                scores={QuestionType.NPS: 2},
                at=_at(9, day + 10),
            )
        db.session.commit()
        cards = period_figures(quarter, [org.rep])
        rep = cards.reps[org.rep]
        assert rep.nps_shrunk is not None
        assert rep.nps_shrunk < rep.nps.value  # pulled toward the team-mate's −100
        assert mate.id not in cards.reps  # fitted from, not listed


def test_period_state(app, org):
    period = parse_period(Q3)
    with app.app_context():
        assert period_state(period) == "open"
        row = ClosedPeriod(
            period_kind=period.kind, period_start=period.start, state=PeriodState.CLOSED
        )
        db.session.add(row)
        db.session.commit()
        assert period_state(period) == "closed"
        row.state = PeriodState.REOPENED
        db.session.commit()
        assert period_state(period) == "reopened"


def test_query_count_does_not_grow_with_the_reps(app, org, quarter):
    with app.app_context(), counting_queries(app) as small:
        period_figures(quarter)
    with app.app_context():
        for _ in range(3):
            team = TeamFactory(manager=UserFactory(role=Role.MANAGER))
            UserFactory.create_batch(4, role=Role.REP, team=team)
        db.session.commit()
    with app.app_context(), counting_queries(app) as large:
        cards = period_figures(quarter)
    assert len(cards.reps) == 14
    assert len(large) == len(small) <= 12


def test_rep_figures_are_period_figures_reps_in_fewer_queries(app, org, quarter):
    with app.app_context():
        full = period_figures(quarter)
        ids = [org.rep, org.other_rep]
        with counting_queries(app) as small:
            lean = rep_figures(quarter, ids)
        # The same reps, values, ranks and percentiles, without the team and company sums.
        assert {r: v.as_dict() for r, v in lean.items()} == {
            r: v.as_dict() for r, v in full.reps.items()
        }
        for _ in range(2):
            team = TeamFactory(manager=UserFactory(role=Role.MANAGER))
            UserFactory.create_batch(4, role=Role.REP, team=team)
        db.session.commit()
        with counting_queries(app) as large:
            assert len(rep_figures(quarter)) == 10
    assert len(large) == len(small) <= 10
