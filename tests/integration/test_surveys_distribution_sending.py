"""The mail-out, read from real SMTP servers: the message, failures and retries, reminders,
expiry, and ``flask surveys tick``."""

from __future__ import annotations

import datetime
import re
import socket

import pytest
from sqlalchemy import select

from coachflow.accounts.models import User
from coachflow.lib import tokens
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.models import Survey
from coachflow.sales.models import Contact
from coachflow.surveys.models import Invitation, InvitationStatus
from coachflow.surveys.services import distribution, sending
from coachflow.surveys.services.distribution import Criteria
from tests.conftest import free_port
from tests.helpers import html_of, text_of
from tests.integration.test_surveys_distribution_support import (
    ENGLISH,
    GERMAN,
    age,
    customer,
    invitations_of,
    link_token,
    make_due,
    person,
    serve_smtp,
    survey_in,
)


@pytest.fixture(autouse=True)
def _public_address(app):
    app.config["PUBLIC_BASE_URL"] = "https://feedback.example"


@pytest.fixture
def smtp(app):
    yield from serve_smtp(app)


@pytest.fixture
def customers(app, org):
    """Five contacts of the rep's account: two German, three English; and the survey."""
    with app.app_context():
        account = customer(org.rep, "A1", "Acme")
        for n, language in enumerate(["de", "en", "de", "en", "en"]):
            person(account, f"c{n}@acme.example", name=f"Customer {n}", language=language)
        db.session.get(User, org.rep).name = "Robin Rep"
        survey = survey_in(org.manager, reminder_days=4, max_reminders=1)
        db.session.commit()
        return survey.id


def send(app, org, survey_id: int, **criteria: object) -> list[int]:
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        manager = db.session.get(User, org.manager)
        _selection, ids = distribution.send_survey(
            survey,
            Criteria(team_id=org.team, **criteria),
            manager,
        )
        return ids


def states(app, survey_id: int) -> dict[str, InvitationStatus]:
    with app.app_context():
        return {i.email: i.status for i in invitations_of(survey_id)}


def tick(app) -> sending.Report:
    with app.app_context():
        return sending.tick()


def test_the_invitation_is_multipart_about_the_rep_with_a_one_click_unsubscribe(
    app, org, customers, smtp
):
    send(app, org, customers)
    [message] = smtp.to("c1@acme.example")
    assert message["Subject"] == "Your experience with Robin Rep: How did we do?"
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    text, html = text_of(message), html_of(message)
    assert text.startswith("Hello Customer 1,")
    for part in (text, html):
        assert "We would like to hear about your experience with Robin Rep." in part
        assert ENGLISH["intro"] in part

    token = link_token(message)
    link = f"https://feedback.example/s/{token}"
    unsubscribe = f"{link}/unsubscribe"
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f'href="{link}"' in html
    assert f'href="{unsubscribe}"' in html  # and visible, not only in a header
    assert unsubscribe in text
    with app.app_context():
        invitation = db.session.scalar(
            select(Invitation).where(Invitation.email == "c1@acme.example")
        )
        assert invitation.token_hash == tokens.hash_token(token)
        assert invitation.status is InvitationStatus.SENT
        assert invitation.sent_at is not None


def test_the_html_reads_well_on_a_phone(app, org, customers, smtp):
    send(app, org, customers)
    html = html_of(smtp.to("c1@acme.example")[0])
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "max-width:560px" in html  # one column, the width of a phone or a reading pane
    button = re.search(r'<a href="https://feedback\.example/s/[\w-]+" style="([^"]+)"', html)
    assert button, html
    assert "display:block" in button.group(1)  # the whole width is the touch target
    assert "padding:18px" in button.group(1)
    size = re.search(r"font-size:(\d+)px", button.group(1))
    assert int(size.group(1)) >= 18
    assert "<script" not in html


def test_each_contact_reads_it_in_their_language(app, org, customers, smtp):
    send(app, org, customers)
    [german] = smtp.to("c0@acme.example")
    assert german["Content-Language"] == "de"
    assert '<html lang="de">' in html_of(german)
    assert GERMAN["title"] in german["Subject"]
    assert GERMAN["intro"] in text_of(german)
    assert ENGLISH["intro"] not in text_of(german)
    [english] = smtp.to("c3@acme.example")
    assert english["Content-Language"] == "en"
    assert ENGLISH["intro"] in text_of(english)


def test_a_name_with_umlauts_survives_the_trip(app, org, smtp):
    with app.app_context():
        account = customer(org.rep, "U1")
        person(account, "jurgen@u.example", name="Jürgen Müller-Lüdenscheidt", language="de")
        db.session.get(User, org.rep).name = "Zoë Ørsted"
        survey = survey_in(org.manager)
        db.session.commit()
        survey_id = survey.id
    send(app, org, survey_id)
    [message] = smtp.to("jurgen@u.example")
    assert message["Subject"] == f"Ihre Erfahrungen mit Zoë Ørsted: {GERMAN['title']}"
    assert "Jürgen Müller-Lüdenscheidt" in text_of(message)
    assert "Zoë Ørsted" in html_of(message)


def test_a_batch_goes_over_one_connection(app, org, customers, smtp, monkeypatch):
    from coachflow.platform import jobs

    monkeypatch.setattr(jobs, "start", lambda name, *args: None)  # stay queued
    send(app, org, customers)
    assert states(app, customers)["c0@acme.example"] is InvitationStatus.QUEUED
    with app.app_context():
        report = sending.send_due(batch_size=2)
    assert report.sent == 5
    assert smtp.connections == 3  # batches of 2, 2 and 1
    assert len(smtp.messages) == 5


def test_a_refused_recipient_fails_alone_and_is_retried_later(app, org, customers, smtp):
    smtp.refused.add("c2@acme.example")
    send(app, org, customers)
    assert len(smtp.messages) == 4
    with app.app_context():
        [refused] = [i for i in invitations_of(customers) if i.email == "c2@acme.example"]
        assert refused.status is InvitationStatus.FAILED
        assert refused.attempts == 1
        assert refused.last_error.startswith("550")
        wait = refused.next_attempt_at - utcnow()
        assert datetime.timedelta(seconds=50) < wait <= datetime.timedelta(minutes=1)
        refused_id = refused.id

    assert tick(app).failed == 0  # not due yet: nothing tried, nothing lost
    with app.app_context():
        make_due(refused_id)
    assert tick(app).failed == 1
    with app.app_context():
        again = db.session.get(Invitation, refused_id)
        assert again.attempts == 2
        assert again.next_attempt_at - utcnow() > datetime.timedelta(minutes=4)  # then 5 min
        make_due(refused_id)

    smtp.refused.clear()
    report = tick(app)
    assert report.sent == 1
    assert len(smtp.to("c2@acme.example")) == 1
    assert set(states(app, customers).values()) == {InvitationStatus.SENT}


def test_a_server_that_is_down_fails_the_batch_until_it_is_back(app, org, customers, smtp):
    working_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    send(app, org, customers)
    with app.app_context():
        invitations = invitations_of(customers)
        assert {i.status for i in invitations} == {InvitationStatus.FAILED}
        assert all("Connection refused" in i.last_error for i in invitations)
        make_due([i.id for i in invitations])
    assert smtp.messages == []

    app.config["MAIL_PORT"] = working_port
    assert tick(app).sent == 5
    assert len(smtp.messages) == 5
    assert set(states(app, customers).values()) == {InvitationStatus.SENT}


def test_a_server_that_does_not_answer_times_out_and_fails(app, org, customers, smtp):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections are accepted by the kernel, but nobody ever answers
        app.config.update(MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT=0.5)
        send(app, org, customers)
    with app.app_context():
        invitations = invitations_of(customers)
        assert {i.status for i in invitations} == {InvitationStatus.FAILED}
        assert "timed out" in invitations[0].last_error


def test_after_the_last_attempt_it_stays_failed_until_resent_by_hand(app, org, customers, smtp):
    smtp.refused.add("c4@acme.example")
    send(app, org, customers)
    with app.app_context():
        [failed] = [i for i in invitations_of(customers) if i.status is InvitationStatus.FAILED]
        failed_id = failed.id
        age(failed_id, attempts=sending.MAX_ATTEMPTS - 1)
        make_due(failed_id)
    tick(app)
    with app.app_context():
        failed = db.session.get(Invitation, failed_id)
        assert failed.attempts == sending.MAX_ATTEMPTS
        assert failed.next_attempt_at is None  # no more automatic tries
    smtp.refused.clear()
    assert tick(app).sent == 0
    assert smtp.to("c4@acme.example") == []

    with app.app_context():
        survey = db.session.get(Survey, customers)
        queued = sending.resend_failed(
            survey, db.session.get(User, org.manager), invitation_id=failed_id
        )
        assert queued == 1
    assert len(smtp.to("c4@acme.example")) == 1
    assert states(app, customers)["c4@acme.example"] is InvitationStatus.SENT


def test_a_reminder_goes_once_after_the_delay_with_the_same_link(app, org, customers, smtp):
    send(app, org, customers)
    with app.app_context():
        invitations = invitations_of(customers)
        due = invitations[0].next_attempt_at - invitations[0].sent_at
        assert due == datetime.timedelta(days=4)
        ids = [i.id for i in invitations]
        age(ids[1], status=InvitationStatus.ANSWERED)
        age(ids[2], status=InvitationStatus.OPENED)
    assert tick(app).reminded == 0  # four days have not passed

    with app.app_context():
        make_due(ids)
    report = tick(app)
    assert report.reminded == 4  # everyone but the one who answered, opened or not
    first, reminder = smtp.to("c3@acme.example")
    assert reminder["Subject"] == f"Reminder: {first['Subject']}"
    assert "A short reminder: we would still like to hear from you." in text_of(reminder)
    assert link_token(reminder) == link_token(first)
    assert len(smtp.to("c2@acme.example")) == 2  # opened, not answered: reminded
    assert len(smtp.to("c1@acme.example")) == 1  # answered: no reminder

    with app.app_context():
        make_due(ids)
        reminded = invitations_of(customers)
        assert {i.reminders_sent for i in reminded if i.email != "c1@acme.example"} == {1}
    assert tick(app).reminded == 0  # at most one reminder
    assert len(smtp.messages) == 5 + 4


def test_invitations_past_their_expiry_expire_and_are_not_sent(app, org, customers, smtp):
    app.config["MAIL_PORT"] = free_port()  # the first sending fails: they stay unsent
    send(app, org, customers)
    app.config["MAIL_PORT"] = smtp.port
    with app.app_context():
        ids = [i.id for i in invitations_of(customers)]
        age(ids[:2], expires_at=utcnow() - datetime.timedelta(minutes=1))
        make_due(ids)
    report = tick(app)
    assert (report.expired, report.sent) == (2, 3)
    assert list(states(app, customers).values()).count(InvitationStatus.EXPIRED) == 2


def test_a_contact_who_opts_out_before_the_mail_out_gets_nothing(app, org, customers, smtp):
    app.config["MAIL_PORT"] = free_port()
    send(app, org, customers)
    app.config["MAIL_PORT"] = smtp.port
    with app.app_context():
        contact = db.session.scalar(select(Contact).where(Contact.email == "c0@acme.example"))
        contact.opted_out_at = utcnow()
        db.session.commit()
        make_due([i.id for i in invitations_of(customers)])
    report = tick(app)
    assert (report.sent, report.unsubscribed) == (4, 1)
    assert smtp.to("c0@acme.example") == []
    assert states(app, customers)["c0@acme.example"] is InvitationStatus.UNSUBSCRIBED


def test_a_closed_survey_sends_nothing_more(app, org, customers, smtp):
    app.config["MAIL_PORT"] = free_port()
    send(app, org, customers)
    app.config["MAIL_PORT"] = smtp.port
    with app.app_context():
        db.session.get(Survey, customers).status = distribution.SurveyStatus.CLOSED
        db.session.commit()
        make_due([i.id for i in invitations_of(customers)])
    assert tick(app).sent == 0
    assert smtp.messages == []


def test_flask_surveys_tick_sends_what_is_due_and_says_so(app, org, customers, smtp):
    app.config["MAIL_PORT"] = free_port()
    send(app, org, customers)
    app.config["MAIL_PORT"] = smtp.port
    with app.app_context():
        make_due([i.id for i in invitations_of(customers)])
    result = app.test_cli_runner().invoke(args=["surveys", "tick"])
    assert result.exit_code == 0, result.output
    assert "5 sent, 0 failed, 0 reminded, 0 expired" in result.output
    assert len(smtp.messages) == 5


def test_two_workers_never_send_the_same_invitation(app, org, customers, smtp):
    app.config["MAIL_PORT"] = free_port()
    send(app, org, customers)
    app.config["MAIL_PORT"] = smtp.port
    with app.app_context():
        make_due([i.id for i in invitations_of(customers)])
        first = sending._claim(sending.UNSENT, 3)
        second = sending._claim(sending.UNSENT, 3)
        third = sending._claim(sending.UNSENT, 3)
    assert len(first) == 3
    assert len(second) == 2
    assert third == []
    assert set(first).isdisjoint(second)


def test_with_a_broker_celery_beat_ticks_every_five_minutes(database_url):
    from tests.conftest import make_app

    celery = make_app(database_url, REDIS_URL="redis://127.0.0.1:6379/15").extensions["celery"]
    schedule = celery.conf.beat_schedule["coachflow.surveys_tick"]
    assert schedule == {"task": "coachflow.surveys_tick", "schedule": 300.0}
    assert "coachflow.surveys_tick" in celery.tasks
    assert "coachflow.mail_out" in celery.tasks
    embedded = make_app(database_url).extensions["celery"]
    assert not embedded.conf.beat_schedule  # no broker, no beat: cron runs `surveys tick`
