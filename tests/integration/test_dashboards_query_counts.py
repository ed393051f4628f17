"""Every home page answers in the same number of queries for a team of 5 as for a team of 50."""

from __future__ import annotations

import pytest

from coachflow.accounts.models import Role, User
from coachflow.platform.extensions import db
from tests.dashboard_factories import quarter_quota, won_deal
from tests.factories import UserFactory
from tests.integration.test_query_counts import counting_queries


def _grow_team(app, org, reps: int) -> None:
    """Add ``reps`` reps to the org's first team, each with a quota and a won deal."""
    with app.app_context():
        team = db.session.get(User, org.rep).team
        for person in UserFactory.create_batch(reps, role=Role.REP, team=team):
            quarter_quota(person.id, org.product_line, 50_000)
            won_deal(person.id, org.product_line, 10_000)
        db.session.commit()


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("rep", "/"),
        ("manager", "/"),
        ("hr", "/"),
        ("admin", "/"),
        ("manager", "/teams/{team}/dashboard"),
        ("manager", "/forecast"),
        ("hr", "/forecast"),
    ],
)
def test_home_pages_keep_their_query_count_from_5_to_50_reps(app, org, as_role, role, path):
    client = as_role(role)
    url = path.format(team=org.team)
    _grow_team(app, org, 4)  # a team of five
    with counting_queries(app) as five:
        assert client.get(url).status_code == 200
    _grow_team(app, org, 45)  # a team of fifty
    with counting_queries(app) as fifty:
        assert client.get(url).status_code == 200
    assert len(fifty) == len(five), fifty
    assert len(five) <= 40  # forecast 4, scorecards per period, panels, pulse, coaching
