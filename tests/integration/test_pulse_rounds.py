"""Rounds from start to close: invitations by email with a personal link, the answer page,
a link used twice, a closed round, one reminder, the home page, and a manager's scope."""

from __future__ import annotations

import datetime
import re

from coachflow.accounts.models import Role
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.pulse import services
from coachflow.pulse.models import PulseInvitation, PulseRound, RoundStatus, Schedule
from tests.pulse_factories import form, make_pulse_survey, start, token_for

LINK = re.compile(r"http://localhost/p/[A-Za-z0-9_-]+")


def _link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return LINK.search(body).group(0)


def test_starting_a_pulse_mails_each_member_a_personal_link_that_opens_the_round(
    app, org, mailbox, client
):
    with app.app_context():
        round_id = start(org.manager, [org.team]).id
    messages = mailbox.to("rep@example.com")
    assert len(messages) == 1
    assert "Team pulse" in messages[0]["Subject"]
    assert mailbox.to("other.rep@example.com") == []
    page = client.get(_link_in(messages[0]).removeprefix("http://localhost"))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "This pulse is anonymous." in text
    assert text.index("This pulse is anonymous.") < text.index("How likely are you")
    with app.app_context():
        assert db.session.get(PulseRound, round_id).status is RoundStatus.OPEN


def test_a_link_used_twice_keeps_the_first_answer_and_says_so_kindly(app, org, client):
    with app.app_context():
        round_ = start(org.manager, [org.team])
        token = token_for(round_.id, org.rep)
        first, second = form(round_, 9), form(round_, 2)
    assert client.post(f"/p/{token}", data=first).status_code == 303
    assert "Thank you" in client.get(f"/p/{token}/thanks").get_data(as_text=True)
    again = client.post(f"/p/{token}", data=second)
    assert again.status_code == 409
    assert "your first answer stands" in again.get_data(as_text=True)
    with app.app_context():
        services.close_round(round_.id)
        from coachflow.pulse.models import PulseAnswer

        scores = db.session.scalars(db.select(PulseAnswer.score)).all()
        assert 9 in scores
        assert 2 not in scores


def test_an_answer_after_the_round_closed_is_410_with_an_explanation(app, org, client):
    with app.app_context():
        round_ = start(org.manager, [org.team])
        token = token_for(round_.id, org.rep)
        fields = form(round_, 7)
        services.close_round(round_.id)
    for response in (client.get(f"/p/{token}"), client.post(f"/p/{token}", data=fields)):
        assert response.status_code == 410
        assert "has closed" in response.get_data(as_text=True)


def test_an_unknown_link_is_404(client):
    assert client.get("/p/" + "x" * 43).status_code == 404


def test_answers_out_of_scale_are_refused_and_shown_beside_the_question(app, org, client):
    with app.app_context():
        round_ = start(org.manager, [org.team])
        token = token_for(round_.id, org.rep)
        fields = form(round_, 11)
    response = client.post(f"/p/{token}", data=fields)
    assert response.status_code == 422
    assert "Choose a score from 0 to 10." in response.get_data(as_text=True)
    with app.app_context():
        assert not db.session.scalar(db.select(PulseInvitation.used))


def test_one_reminder_the_day_before_close_only_to_those_who_have_not_answered(
    app, org, mailbox, client
):
    with app.app_context():
        from coachflow.accounts.models import Team
        from tests.factories import UserFactory

        UserFactory(role=Role.REP, team=db.session.get(Team, org.team), email="late@example.com")
        db.session.commit()
        round_ = start(org.manager, [org.team], days_open=3)
        token = token_for(round_.id, org.rep)
        fields = form(round_, 8)
    client.post(f"/p/{token}", data=fields)
    mailbox.clear()
    with app.app_context():
        day_before_close = utcnow().date() + datetime.timedelta(days=1)
        services.tick(day_before_close)
        services.tick(day_before_close)
    assert mailbox.to("rep@example.com") == []
    reminders = mailbox.to("late@example.com")
    assert len(reminders) == 1
    assert "Reminder" in reminders[0]["Subject"]


def test_the_tick_closes_ended_rounds_and_opens_the_next_monthly_one(app, org, mailbox):
    with app.app_context():
        round_ = start(org.manager, [org.team])
        next_month = utcnow().date() + datetime.timedelta(days=32)
        services.tick(next_month)
        rounds = db.session.scalars(db.select(PulseRound).order_by(PulseRound.number)).all()
        assert [r.number for r in rounds] == [1, 2]
        assert rounds[0].id == round_.id
        assert rounds[0].status is RoundStatus.CLOSED
        assert rounds[1].status is RoundStatus.OPEN
    assert len(mailbox.to("rep@example.com")) == 2


def test_the_open_pulse_shows_on_the_employees_home_page_until_answered(app, org, as_role):
    with app.app_context():
        round_ = start(org.manager, [org.team])
        token = token_for(round_.id, org.rep)
        fields = form(round_, 8)
    rep = as_role("rep")
    home = rep.get("/").get_data(as_text=True)
    assert "A pulse survey is waiting for you" in home
    assert f"/p/{token}" in home
    assert "A pulse survey is waiting for you" not in as_role("other_rep").get("/").get_data(
        as_text=True
    )
    rep.post(f"/p/{token}", data=fields)
    assert "A pulse survey is waiting for you" not in rep.get("/").get_data(as_text=True)


def _start_form(survey_id: int, team_id: int) -> dict[str, str]:
    return {
        "survey_id": str(survey_id),
        "name": "Pulse",
        "teams": str(team_id),
        "schedule": Schedule.ONCE.value,
        "starts_on": utcnow().date().isoformat(),
        "days_open": "5",
    }


def test_a_manager_starting_a_pulse_for_another_team_gets_404(app, org, as_role):
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        survey_id = make_pulse_survey(org.manager).id
        db.session.commit()
    manager = as_role("manager")
    assert (
        manager.post("/pulse/new", data=_start_form(survey_id, org.other_team)).status_code == 404
    )
    response = manager.post("/pulse/new", data=_start_form(survey_id, org.team))
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PulseRound)) == 1


def test_hr_starts_a_pulse_for_any_team(app, org, as_role, mailbox):
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        survey_id = make_pulse_survey(org.hr).id
        db.session.commit()
    response = as_role("hr").post("/pulse/new", data=_start_form(survey_id, org.other_team))
    assert response.status_code == 303
    assert len(mailbox.to("other.rep@example.com")) == 1


def test_thresholds_never_go_below_three(app, org, as_role):
    app.config["WTF_CSRF_ENABLED"] = False
    admin = as_role("admin")
    refused = admin.post("/pulse/settings", data={"minimum": "2", "comment_minimum": "10"})
    assert refused.status_code == 200
    with app.app_context():
        assert services.thresholds().minimum == 5
    assert (
        admin.post("/pulse/settings", data={"minimum": "6", "comment_minimum": "12"}).status_code
        == 303
    )
    with app.app_context():
        assert services.thresholds() == services.Thresholds(6, 12)


def test_the_builder_counts_pulse_answers_so_an_answered_version_is_never_edited(app, org, client):
    from coachflow.questionnaires.queries import has_answers, responses_per_survey

    with app.app_context():
        round_ = start(org.manager, [org.team])
        token = token_for(round_.id, org.rep)
        fields = form(round_, 8)
        version = round_.version
        assert not has_answers(version)
    client.post(f"/p/{token}", data=fields)
    with app.app_context():
        version = db.session.get(PulseRound, round_.id).version
        assert has_answers(version)
        assert responses_per_survey([version.survey_id]) == {version.survey_id: 1}


def test_invitations_the_mail_server_did_not_take_go_out_at_the_next_tick(app, org, mailbox):
    from tests.conftest import free_port

    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nobody listens there
    with app.app_context():
        round_id = start(org.manager, [org.team]).id
        assert db.session.scalar(db.select(PulseInvitation.sent_at)) is None
    assert mailbox.to("rep@example.com") == []
    app.config["MAIL_PORT"] = port
    with app.app_context():
        services.tick()
        assert db.session.scalar(
            db.select(PulseInvitation.sent_at).where(PulseInvitation.round_id == round_id)
        )
    assert len(mailbox.to("rep@example.com")) == 1
