"""Pulse results on the demo: the team of four shows "not enough answers" on the page, in the
CSV export and in the API; a team of six shows its scores but not its comments; no visible teams
and their company let a hidden team be computed; filters on a hidden team are refused."""

from __future__ import annotations

import csv
import io
import random

import pytest

from coachflow.accounts.models import Team, User
from coachflow.platform.extensions import db
from coachflow.pulse import queries
from coachflow.pulse.models import PulseRound
from tests.conftest import login
from tests.integration.test_api_support import issue_token


@pytest.fixture
def demo(app):
    from coachflow.accounts.demo import seed_org
    from coachflow.pulse.demo import seed_pulse

    with app.app_context():
        org = seed_org(reps=24, seed=7)
        seed_pulse(org, random.Random("pulse:7"))
        db.session.commit()
        rounds = db.session.scalars(db.select(PulseRound.id).order_by(PulseRound.number)).all()
        teams = dict(db.session.execute(db.select(Team.name, Team.id)).all())
        hr = db.session.scalar(db.select(User.id).where(User.email == "hr@example.com"))
        lyon_manager = db.session.scalar(db.select(Team.manager_id).where(Team.name == "Lyon"))
        rep = db.session.scalar(db.select(User.id).where(User.email == "rep@example.com"))
    return {"rounds": rounds, "teams": teams, "hr": hr, "lyon_manager": lyon_manager, "rep": rep}


def _client(app, user_id):
    client = app.test_client()
    login(client, app, user_id)
    return client


def _api(app, demo, path):
    token = issue_token(app, demo["hr"])
    response = app.test_client().get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_the_team_of_four_shows_not_enough_answers_on_page_export_and_api(app, demo):
    latest = demo["rounds"][-1]
    hr = _client(app, demo["hr"])
    page = hr.get(f"/pulse/rounds/{latest}").get_data(as_text=True)
    row = page[page.index(">Inside Sales<") :].split("</tr>")[0]
    assert "not enough answers" in row
    exported = list(csv.DictReader(io.StringIO(hr.get(f"/pulse/rounds/{latest}/results.csv").text)))
    inside = next(r for r in exported if r["team"] == "Inside Sales")
    assert inside["hidden"] == "not enough answers"
    assert inside["enps"] == ""
    assert inside["responses"] == ""
    groups = _api(app, demo, f"/api/v1/pulse/rounds/{latest}/results")["groups"]
    api_inside = next(g for g in groups if g["team"] == "Inside Sales")
    assert api_inside["hidden"] is True
    assert api_inside["enps"] is None
    assert api_inside["interval"] is None
    assert api_inside["items"] is None
    assert api_inside["responses"] is None
    assert api_inside["parent"] == "company"


def test_a_team_of_six_shows_its_scores_but_not_its_comments(app, demo):
    with app.app_context():
        hr = db.session.get(User, demo["hr"])
        results = queries.round_results(hr, db.session.get(PulseRound, demo["rounds"][-1]))
    shown = [t for t in results.teams if not t.hidden and t.responses == 6]
    assert shown, "a team of six answered in full and is shown"
    for team in shown:
        assert team.enps.known
        assert team.items
        assert team.comments is None
    assert results.company.comments  # the company has at least ten
    assert len(results.company.comments) >= results.thresholds.comment_minimum


def test_no_visible_teams_and_their_company_let_a_hidden_team_be_computed(app, demo):
    minimum = None
    for round_id in demo["rounds"]:
        body = _api(app, demo, f"/api/v1/pulse/rounds/{round_id}/results")
        minimum = body["minimum"]
        company = next(g for g in body["groups"] if g["team"] is None)
        teams = [g for g in body["groups"] if g["team"] is not None]
        hidden = [g for g in teams if g["hidden"]]
        assert not company["hidden"]
        assert len(hidden) != 1, f"round {round_id}: one hidden team would be the difference"
        rest = company["responses"] - sum(g["responses"] for g in teams if not g["hidden"])
        assert rest >= minimum
        for group in hidden:
            assert group["enps"] is None
            assert group["responses"] is None
    assert minimum == 5


def test_the_trend_and_latest_team_pulse_obey_the_same_rule(app, demo):
    with app.app_context():
        hr = db.session.get(User, demo["hr"])
        latest = queries.latest_team_pulse(hr, list(demo["teams"].values()))
        by_team = {item.team_id: item for item in latest}
        inside = by_team[demo["teams"]["Inside Sales"]]
        assert inside.hidden
        assert inside.enps is None
        results = queries.round_results(hr, db.session.get(PulseRound, demo["rounds"][-1]))
        for team in results.teams:
            assert by_team[team.team_id].hidden == team.hidden
        pulse = db.session.get(PulseRound, demo["rounds"][-1]).pulse
        trend = queries.trend(hr, pulse)
        rows = {row.name: row.cells for row in trend.teams}
        assert rows["Inside Sales"] == [None] * 6
        lyon = [cell.value for cell in rows["Lyon"]]
        assert lyon[-1] - lyon[0] >= 50  # the improving team
    page = _client(app, demo["hr"]).get(f"/pulse/{pulse.id}/trend").get_data(as_text=True)
    assert "Inside Sales" in page
    assert "eNPS by round: Lyon" in page
    assert "eNPS by round: Inside Sales" not in page


def test_a_filter_on_a_hidden_team_is_refused_on_the_page_and_in_the_export(app, demo):
    latest = demo["rounds"][-1]
    hr = _client(app, demo["hr"])
    inside = demo["teams"]["Inside Sales"]
    page = hr.get(f"/pulse/rounds/{latest}?team={inside}").get_data(as_text=True)
    assert "Not enough answers to show this team on its own." in page
    assert hr.get(f"/pulse/rounds/{latest}/results.csv?team={inside}").status_code == 422


def test_a_manager_sees_their_team_and_a_rep_only_the_company(app, demo):
    latest = demo["rounds"][-1]
    manager = _client(app, demo["lyon_manager"]).get(f"/pulse/rounds/{latest}").text
    assert ">Lyon<" in manager
    assert ">Paris<" not in manager
    rep = _client(app, demo["rep"]).get(f"/pulse/rounds/{latest}").text
    assert "Company" in rep
    assert ">Lyon<" not in rep
    assert ">Hamburg<" not in rep


def test_the_api_lists_rounds_for_hr_tokens_only(app, demo):
    body = _api(app, demo, "/api/v1/pulse/rounds")
    assert [r["number"] for r in body["data"]] == [6, 5, 4, 3, 2, 1]
    token = issue_token(app, demo["rep"])
    refused = app.test_client().get(
        "/api/v1/pulse/rounds", headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status_code == 403


def _queries(app, client, path: str) -> int:
    from sqlalchemy import event

    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_round_page_needs_a_fixed_number_of_queries_whatever_the_round(app, demo):
    hr = _client(app, demo["hr"])
    counts = [_queries(app, hr, f"/pulse/rounds/{round_id}") for round_id in demo["rounds"]]
    # The first round has no previous one to compare with: its two counts are not read.
    assert counts == [counts[0]] + [counts[0] + 2] * 5
    with app.app_context():
        pulse_id = db.session.get(PulseRound, demo["rounds"][-1]).pulse_id
    assert _queries(app, hr, f"/pulse/{pulse_id}/trend") <= 8


def test_a_filter_on_a_team_outside_the_readers_scope_is_404(app, demo):
    latest = demo["rounds"][-1]
    paris = demo["teams"]["Paris"]
    manager = _client(app, demo["lyon_manager"])
    assert manager.get(f"/pulse/rounds/{latest}?team={paris}").status_code == 404
    assert manager.get(f"/pulse/rounds/{latest}/results.csv?team={paris}").status_code == 404
    lyon = demo["teams"]["Lyon"]
    assert manager.get(f"/pulse/rounds/{latest}?team={lyon}").status_code == 200


def test_the_companys_comments_come_in_pages(app, demo, monkeypatch):
    from coachflow.pulse import views

    monkeypatch.setattr(views, "COMMENTS_PER_PAGE", 5)
    latest = demo["rounds"][-1]
    hr = _client(app, demo["hr"])
    first = hr.get(f"/pulse/rounds/{latest}").text
    assert f'href="/pulse/rounds/{latest}?page=2" rel="next"' in first
    assert first.count('class="comment"') == 5
    second = hr.get(f"/pulse/rounds/{latest}?page=2").text
    assert 'rel="prev"' in second
