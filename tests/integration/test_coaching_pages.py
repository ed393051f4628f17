"""A coaching cycle through its pages: the manager opens and runs it, the rep does their part,
both see what was agreed on their home pages; the API shows the same, scoped the same."""

from __future__ import annotations

import datetime

from icalendar import Calendar

from coachflow.coaching.models import (
    ActionItem,
    CoachingCycle,
    CoachingSession,
    Goal,
    Metric,
)
from coachflow.coaching.services import current_competencies
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from tests.integration.coaching_data import account_of, cycle_of, goal_of, session_at, won_deal
from tests.integration.test_api_support import ApiClient, issue_token
from tests.integration.test_query_counts import counting_queries


def _ids(app, model) -> list[int]:
    with app.app_context():
        return db.session.scalars(db.select(model.id).order_by(model.id)).all()


def test_a_manager_and_a_rep_run_a_cycle_through_the_pages(app, org, as_role, mailbox):
    app.config["WTF_CSRF_ENABLED"] = False
    today = utcnow().date()
    quarter_start = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    with app.app_context():
        account = account_of(org.rep, "Nordwind AG")
        won_deal(org, org.rep, 12_000, quarter_start, account=account)
        won_deal(
            org, org.rep, 8_000, quarter_start.replace(year=quarter_start.year - 1), account=account
        )
        db.session.commit()
        account_id = account.id
    manager, rep = as_role("manager"), as_role("rep")

    last_day = (quarter_start + datetime.timedelta(days=92)).replace(day=1) - datetime.timedelta(
        days=1
    )
    response = manager.post(
        "/coaching/new",
        data={"rep": org.rep, "start": quarter_start.isoformat(), "end": last_day.isoformat()},
    )
    assert response.status_code == 302
    [cycle_id] = _ids(app, CoachingCycle)
    url = f"/coaching/{cycle_id}"

    # The rep fills in and hands in the plan; the manager approves it.
    response = rep.post(
        f"{url}/plan",
        data={
            "key_accounts-0-account": account_id,
            "key_accounts-0-strategy": "Grow the service contract",
            "new_business_percent": 40,
            "channel_partners": "Schmidt Systemhaus",
            "targets": "Two new logos",
            "submit": "1",
        },
    )
    assert response.status_code == 302
    assert (
        manager.post(f"{url}/plan/review", data={"comment": "Good", "approve": "1"}).status_code
        == 302
    )
    assert manager.post(f"{url}/start").status_code == 302

    # Two goals, one bound to revenue: its progress comes from the deals.
    for title, metric, target in (("Revenue", "revenue", "10000"), ("Demos", "manual", "5")):
        manager.post(
            f"{url}/goals",
            data={
                "title": title,
                "metric": metric,
                "target": target,
                "due_on": last_day.isoformat(),
            },
        )
    response = manager.post(
        f"{url}/goals",
        data={"title": "No target", "metric": "revenue", "due_on": last_day.isoformat()},
    )
    assert len(_ids(app, Goal)) == 2

    # A field visit: both get the invitation.
    starts = (utcnow() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = manager.post(
        f"{url}/sessions/new",
        data={
            "kind": "field_visit",
            "starts_at": starts,
            "duration_minutes": 90,
            "place": "Nordwind AG, Hamburg",
            "account": account_id,
            "objective": "Renew the contract",
        },
    )
    assert response.status_code == 302
    [message] = mailbox.to("rep@example.com")
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_content())
    assert calendar["METHOD"] == "REQUEST"
    [session_id] = _ids(app, CoachingSession)
    ics = rep.get(f"/coaching/sessions/{session_id}/invite.ics")
    assert ics.mimetype == "text/calendar"
    assert (
        Calendar.from_ical(ics.data).walk("VEVENT")[0]["UID"] == calendar.walk("VEVENT")[0]["UID"]
    )

    # A session in the past is refused with the reason.
    past = (utcnow() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = manager.post(
        f"{url}/sessions/new",
        data={"kind": "one_on_one", "starts_at": past, "duration_minutes": 60},
    )
    assert refused.status_code == 200
    assert "in the past" in refused.get_data(as_text=True)

    # The visit took place; the rep debriefs it with two next steps.
    with app.app_context():
        db.session.get(CoachingSession, session_id).starts_at = utcnow() - datetime.timedelta(
            hours=1
        )
        db.session.commit()
    due = (today + datetime.timedelta(days=7)).isoformat()
    response = rep.post(
        f"/coaching/sessions/{session_id}/debrief",
        data={
            "what_happened": "Met the buyer",
            "went_well": "Questions",
            "do_differently": "Listen more",
            "next_steps-0-text": "Send the proposal",
            "next_steps-0-owner": org.rep,
            "next_steps-0-due_on": due,
            "next_steps-1-text": "Call their CFO",
            "next_steps-1-owner": org.manager,
            "next_steps-1-due_on": due,
        },
    )
    assert response.status_code == 302
    assert len(_ids(app, ActionItem)) == 2
    for client in (rep, manager):
        home = client.get("/").get_data(as_text=True)
        assert "Send the proposal" in home
        assert "Call their CFO" in home

    # Both assessments; the manager's waits for the rep's; gaps of two are marked.
    with app.app_context():
        competencies = [c.id for c in current_competencies().competencies]
    waiting = manager.post(
        f"{url}/assessment", data={f"rating-{c}": "3" for c in competencies} | {"hand_in": "1"}
    )
    assert "answers first" in waiting.get_data(as_text=True)
    rep.post(
        f"{url}/assessment", data={f"rating-{c}": "4" for c in competencies} | {"hand_in": "1"}
    )
    page = manager.get(url).get_data(as_text=True)
    assert "gap of two or more" not in page
    ratings = {f"rating-{c}": "4" for c in competencies} | {f"rating-{competencies[0]}": "2"}
    manager.post(f"{url}/assessment", data=ratings | {"hand_in": "1"})
    page = rep.get(url).get_data(as_text=True)
    assert page.count("gap of two or more") == 1
    assert "Nordwind AG" in page
    assert "€8,000.00" in page  # the key account's revenue in the year before the cycle
    assert "Grow the service contract" in page
    assert "Met the buyer" in page

    # The revenue goal's progress is computed from the deals (12,000 of 10,000: met).
    with app.app_context():
        from coachflow.coaching.queries import goal_rows, progress_of

        [revenue] = [p for p in progress_of(goal_rows(), today) if p.goal.metric is Metric.REVENUE]
    assert revenue.pace.value == 12_000.0
    assert revenue.pace.met

    # Closing with a summary.
    assert manager.post(f"{url}/close", data={"summary": "Strong quarter"}).status_code == 302
    assert "Strong quarter" in rep.get(url).get_data(as_text=True)


def test_a_rep_cannot_debrief_for_someone_else_and_hr_did_not_attend(app, org, as_role):
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        session = session_at(cycle_of(org), utcnow() - datetime.timedelta(hours=2))
        db.session.commit()
        session_id = session.id
    response = as_role("hr").post(
        f"/coaching/sessions/{session_id}/debrief", data={"what_happened": "Was not there"}
    )
    assert response.status_code == 403
    assert "attended" in response.get_data(as_text=True)
    assert as_role("other_rep").get(f"/coaching/sessions/{session_id}/debrief").status_code == 404


def test_the_cycle_page_costs_the_same_queries_however_much_it_holds(app, org, as_role):
    client = as_role("manager")
    with app.app_context():
        cycle = cycle_of(org)
        db.session.commit()
        cycle_id = cycle.id

    def add(n: int) -> None:
        with app.app_context():
            found = db.session.get(CoachingCycle, cycle_id)
            for i in range(n):
                goal_of(found, Metric.REVENUE, 100 + i, found.period_start)
                goal_of(found, Metric.NPS, 10, found.period_start)
                session = session_at(found, utcnow() + datetime.timedelta(days=i + 1))
                db.session.add(
                    ActionItem(
                        cycle_id=cycle_id,
                        session_id=session.id,
                        owner_id=org.rep,
                        due_on=found.period_start,
                        text=f"Step {i}",
                    )
                )
            db.session.commit()

    add(1)
    with counting_queries(app) as small:
        assert client.get(f"/coaching/{cycle_id}").status_code == 200
    add(10)
    with counting_queries(app) as large:
        assert client.get(f"/coaching/{cycle_id}").status_code == 200
    assert len(large) == len(small)


def test_the_api_lists_and_shows_the_cycles_one_may_see(app, org, client):
    with app.app_context():
        mine = cycle_of(org)
        goal_of(mine, Metric.MANUAL, 5, mine.period_start, manual_value=2)
        session_at(mine, utcnow() + datetime.timedelta(days=1), place="Office")
        theirs = cycle_of(org, rep=org.other_rep)
        db.session.commit()
        mine_id, theirs_id = mine.id, theirs.id
    manager = ApiClient(client, issue_token(app, org.manager))
    listed = manager.get("/coaching/cycles").get_json()
    assert [c["id"] for c in listed["data"]] == [mine_id]
    assert listed["data"][0]["rep_email"] == "rep@example.com"
    assert manager.get("/coaching/cycles?state=closed").get_json()["data"] == []
    assert manager.get("/coaching/cycles?state=nonsense").status_code == 400
    hr = ApiClient(client, issue_token(app, org.hr))
    assert {c["id"] for c in hr.get("/coaching/cycles").get_json()["data"]} == {mine_id, theirs_id}
    assert [c["id"] for c in hr.get("/coaching/cycles?team=South").get_json()["data"]] == [
        theirs_id
    ]
    assert [c["id"] for c in hr.get("/coaching/cycles?rep=rep@example.com").get_json()["data"]] == [
        mine_id
    ]
    detail = manager.get(f"/coaching/cycles/{mine_id}").get_json()
    assert detail["goals"][0]["value"] == 2.0
    assert detail["sessions"][0]["place"] == "Office"
    assert manager.get(f"/coaching/cycles/{theirs_id}").status_code == 404


def test_the_effect_page_judges_only_when_the_interval_leaves_out_zero(app, org, as_role):
    from coachflow.accounts.models import Role
    from coachflow.coaching.models import CycleState
    from tests.factories import UserFactory

    with app.app_context():
        before, during = datetime.date(2025, 10, 15), datetime.date(2026, 1, 15)
        colleagues = [UserFactory(role=Role.REP, team_id=org.team) for _ in range(3)]
        for colleague, (b, d) in zip(
            colleagues, ((1000, 1100), (1000, 1050), (1000, 1150)), strict=True
        ):
            won_deal(org, colleague.id, b, before)
            won_deal(org, colleague.id, d, during)
        won_deal(org, org.rep, 1000, before)
        won_deal(org, org.rep, 5000, during)
        cycle = cycle_of(org, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 4, 1))
        cycle.state = CycleState.CLOSED
        db.session.commit()
    page = as_role("manager").get("/coaching/effect?period=2026-Q1").get_data(as_text=True)
    assert "better than the team" in page
    assert "2025-Q4" in page


def test_a_cycle_for_a_rep_outside_the_managers_teams_is_a_404(app, org, as_role):
    app.config["WTF_CSRF_ENABLED"] = False
    data = {"rep": org.other_rep, "start": "2026-01-01", "end": "2026-03-31"}
    assert as_role("manager").post("/coaching/new", data=data).status_code == 404
    assert as_role("other_manager").post("/coaching/new", data=data).status_code == 302
    assert _ids(app, CoachingCycle) != []
