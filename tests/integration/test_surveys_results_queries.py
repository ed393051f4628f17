"""The results pages answer in a fixed number of queries, however many answers, reps and teams."""

from __future__ import annotations

import pytest

from coachflow.accounts.models import Role
from coachflow.platform.extensions import db
from coachflow.questionnaires.models import QuestionType, Survey
from tests.factories import TeamFactory, UserFactory
from tests.integration.test_query_counts import counting_queries
from tests.integration.test_surveys_results import HandMade, _days_ago, answer, build_handmade


def grow(app, survey_id: int, teams: int) -> None:
    """More teams, each with reps who have answers and comments over several months."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        for t in range(teams):
            manager = UserFactory(role=Role.MANAGER)
            team = TeamFactory(manager=manager)
            for rep in UserFactory.create_batch(3, role=Role.REP, team=team):
                for n in range(4):
                    answer(
                        app,
                        survey,
                        rep_id=rep.id,
                        team_id=team.id,
                        scores={
                            QuestionType.NPS: (t + n) % 11,
                            QuestionType.TEXT: f"Comment {t}-{n}",
                        },
                        at=_days_ago(20 * n + t),
                    )
        db.session.commit()


@pytest.fixture
def handmade(app, org) -> HandMade:
    return build_handmade(app, org)


@pytest.mark.parametrize("role", ["hr", "manager", "rep"])
@pytest.mark.parametrize("page", ["overview", "survey", "filtered", "export"])
def test_results_query_count_does_not_grow_with_the_data(app, as_role, org, handmade, role, page):
    path = {
        "overview": "/surveys/results",
        "survey": f"/surveys/results/{handmade.survey}",
        "filtered": f"/surveys/results/{handmade.survey}?team={org.team}&rep={org.rep}"
        f"&line={org.product_line}&from=2020-01-01&sort=score",
        "export": f"/surveys/results/{handmade.survey}/answers.csv",
    }[page]
    client = as_role(role)
    with counting_queries(app) as small:
        response = client.get(path)
        response.get_data()
        response.close()
        assert response.status_code == 200
    grow(app, handmade.survey, 6)
    with counting_queries(app) as large:
        response = client.get(path)
        response.get_data()
        response.close()
        assert response.status_code == 200
    assert len(large) == len(small), large
    assert len(small) <= 16, len(small)
