"""The team page leads on to each person's sales and survey results, for those who may see them."""

from __future__ import annotations

from coachflow.accounts.models import Role
from coachflow.platform.extensions import db
from tests.factories import UserFactory


def test_the_team_page_links_each_person_to_their_sales_and_results(as_role, org):
    html = as_role("manager").get(f"/teams/{org.team}").get_data(as_text=True)
    assert f'href="/sales/reps/{org.rep}"' in html
    assert f'href="/surveys/results?rep={org.rep}"' in html


def test_a_rep_sees_links_to_their_own_pages_only(app, as_role, org):
    with app.app_context():
        colleague = UserFactory(role=Role.REP, email="colleague@example.com", team_id=org.team)
        db.session.commit()
        colleague_id = colleague.id
    html = as_role("rep").get(f"/teams/{org.team}").get_data(as_text=True)
    assert f'href="/sales/reps/{org.rep}"' in html
    assert f'href="/sales/reps/{colleague_id}"' not in html
    assert f"rep={colleague_id}" not in html
