"""``GET /api/v1/followups`` and ``/followups/{id}``: scoped like the pages, filtered."""

from __future__ import annotations

import datetime

import pytest

from coachflow.followups.models import CaseState
from coachflow.followups.services.root_causes import seed_root_causes
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from tests.followup_factories import make_case
from tests.integration.test_api_support import ApiClient, issue_token


@pytest.fixture
def cases(app, org) -> dict[str, int]:
    """The rep's open case (opened 10 days ago) and resolved one (today), the other rep's."""
    now = utcnow()
    with app.app_context():
        seed_root_causes()
        made = {
            "open": make_case(
                org.rep, org.team, opened_at=now - datetime.timedelta(days=10), account="Acme"
            ),
            "resolved": make_case(
                org.rep,
                org.team,
                opened_at=now - datetime.timedelta(hours=5),
                state=CaseState.RESOLVED,
                contact_after=datetime.timedelta(hours=1),
                closed_after=datetime.timedelta(hours=2),
                cause="delivery",
            ),
            "other": make_case(org.other_rep, org.other_team, opened_at=now),
        }
        db.session.commit()
        return {name: case.id for name, case in made.items()}


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.json
    return {item["id"] for item in response.json["data"]}


def test_each_role_lists_the_cases_it_may_see(app, org, client, cases):
    def listed(role: str) -> set[int]:
        return _ids(ApiClient(client, issue_token(app, getattr(org, role))).get("/followups"))

    mine = {cases["open"], cases["resolved"]}
    assert listed("rep") == mine
    assert listed("manager") == mine
    assert listed("other_rep") == {cases["other"]}
    assert listed("hr") == listed("admin") == {*mine, cases["other"]}


def test_filters_by_state_rep_team_and_opening_day(app, org, client, cases):
    api = ApiClient(client, issue_token(app, org.hr))
    today = utcnow().date()
    assert _ids(api.get("/followups?state=resolved")) == {cases["resolved"]}
    assert _ids(api.get(f"/followups?rep={org.other_rep}")) == {cases["other"]}
    assert _ids(api.get(f"/followups?team={org.team}")) == {cases["open"], cases["resolved"]}
    since = (today - datetime.timedelta(days=1)).isoformat()
    assert _ids(api.get(f"/followups?opened_from={since}")) == {
        cases["resolved"],
        cases["other"],
    }
    until = (today - datetime.timedelta(days=2)).isoformat()
    assert _ids(api.get(f"/followups?opened_to={until}")) == {cases["open"]}
    bad = api.get("/followups?state=closed")
    assert bad.status_code == 400
    assert api.get("/followups?opened_from=yesterday").status_code == 400


def test_one_case_reads_as_the_list_does_and_others_are_404(app, org, client, cases):
    rep = ApiClient(client, issue_token(app, org.rep))
    body = rep.get(f"/followups/{cases['resolved']}").json
    assert body["state"] == "resolved"
    assert body["root_cause"] == "delivery"
    assert body["rep_email"] == "rep@example.com"
    assert body["overdue"] is False
    late = rep.get(f"/followups/{cases['open']}").json
    assert (late["overdue"], late["state"]) == (True, "open")
    assert rep.get(f"/followups/{cases['other']}").status_code == 404
    assert rep.get("/followups/999999").status_code == 404
