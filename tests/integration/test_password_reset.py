"""Password reset by an emailed, expiring, single-use link, read from a real SMTP server."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from coachflow.accounts.models import PasswordResetToken
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from tests.helpers import csrf_token, html_of, link_in, sign_in, text_of


def request_reset(client, email: str):
    return client.post(
        "/password/forgot",
        data={"email": email, "csrf_token": csrf_token(client, "/password/forgot")},
    )


def set_password(client, link: str, password: str, confirm: str | None = None):
    opened = client.get(link)
    assert opened.status_code == 303
    form = client.get(opened.location)
    assert form.status_code == 200
    return client.post(
        opened.location,
        data={
            "password": password,
            "confirm": confirm if confirm is not None else password,
            "csrf_token": csrf_token(client, opened.location),
        },
    )


def test_emailed_link_sets_a_new_password(client, org, mailbox):
    response = request_reset(client, "rep@example.com")
    assert response.status_code == 302
    [message] = mailbox.to("rep@example.com")
    assert message["Subject"] == "Reset your CoachFlow password"
    assert message.is_multipart()
    assert "expires in 1 hour" in text_of(message)
    assert link_in(message) in html_of(message)

    response = set_password(client, link_in(message), "new secret phrase")
    assert response.status_code == 302
    assert sign_in(client, "rep@example.com", "new secret phrase").status_code == 302


def test_unknown_email_gets_the_same_message_and_no_mail(client, org, mailbox):
    known = request_reset(client, "rep@example.com")
    unknown = request_reset(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 302
    follow = client.get(unknown.location)
    assert b"If an account uses this address" in follow.data
    assert mailbox.to("nobody@example.com") == []


def test_token_link_swaps_into_the_session_and_sends_no_referrer(client, org, mailbox):
    request_reset(client, "rep@example.com")
    link = link_in(mailbox.to("rep@example.com")[0])
    response = client.get(link)
    assert response.status_code == 303
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.location == "/password/reset"
    assert link.rsplit("/", 1)[1] not in response.location


def test_a_used_link_cannot_be_used_again(app, org, mailbox):
    first = app.test_client()
    request_reset(first, "rep@example.com")
    link = link_in(mailbox.to("rep@example.com")[0])
    set_password(first, link, "first new password")
    response = app.test_client().get(link)
    assert response.status_code == 410
    assert b"already been used" in response.data


def test_an_expired_link_is_refused(app, client, org, mailbox):
    request_reset(client, "rep@example.com")
    link = link_in(mailbox.to("rep@example.com")[0])
    with app.app_context():
        db.session.execute(
            update(PasswordResetToken).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    response = client.get(link)
    assert response.status_code == 410
    assert b"expired" in response.data


def test_a_tampered_link_is_not_found(client, org, mailbox):
    request_reset(client, "rep@example.com")
    link = link_in(mailbox.to("rep@example.com")[0])
    response = client.get(link[:-2] + "xx")
    assert response.status_code == 404
    assert b"not valid" in response.data


def test_a_short_or_mismatched_password_is_explained(client, org, mailbox):
    request_reset(client, "rep@example.com")
    link = link_in(mailbox.to("rep@example.com")[0])
    response = set_password(client, link, "short")
    assert b"Use at least 10 characters." in response.data
    response = client.post(
        "/password/reset",
        data={
            "password": "long enough password",
            "confirm": "something else",
            "csrf_token": csrf_token(client, "/password/reset"),
        },
    )
    assert b"The two passwords do not match." in response.data
    # The link is still good after a refused attempt.
    assert client.get(link).status_code == 303


def test_reset_page_without_a_link_sends_to_the_request_form(client):
    response = client.get("/password/reset")
    assert response.status_code == 302
    assert response.location == "/password/forgot"


def test_reset_email_is_in_the_users_language(app, client, org, mailbox):
    from coachflow.accounts.models import User

    with app.app_context():
        db.session.get(User, org.rep).language = "de"
        db.session.commit()
    request_reset(client, "rep@example.com")
    [message] = mailbox.to("rep@example.com")
    assert message["Subject"] == "Setzen Sie Ihr CoachFlow-Passwort zurück"
