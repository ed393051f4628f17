"""Password reset by an emailed, expiring, single-use link, read from a real SMTP server."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from coachflow.accounts.models import PasswordResetToken
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from tests.conftest import login
from tests.factories import PASSWORD
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


def test_a_reset_link_dies_when_the_password_is_changed(app, client, org, mailbox):
    request_reset(client, "rep@example.com")
    link = link_in(mailbox.to("rep@example.com")[0])
    rep = app.test_client()
    login(rep, app, org.rep)
    changed = rep.post(
        "/account",
        data={
            "pw-csrf_token": csrf_token(rep, "/account"),
            "pw-current_password": PASSWORD,
            "pw-password": "the new chosen phrase",
            "pw-confirm": "the new chosen phrase",
            "pw-submit": "1",
        },
    )
    assert changed.status_code == 302
    response = app.test_client().get(link)
    assert response.status_code == 410
    assert sign_in(app.test_client(), "rep@example.com", "the new chosen phrase").status_code == 302


def send_link_as_admin(admin, user_id: int):
    return admin.post(
        f"/admin/users/{user_id}/send-password-link",
        data={"csrf_token": csrf_token(admin, f"/admin/users/{user_id}")},
    )


def test_a_reset_link_an_admin_sends_expires_after_an_hour(app, as_role, org, mailbox):
    assert send_link_as_admin(as_role("admin"), org.rep).status_code == 302
    [message] = mailbox.to("rep@example.com")
    assert "expires in 1 hour" in text_of(message)
    with app.app_context():
        record = db.session.scalar(select(PasswordResetToken))
        assert record.expires_at <= utcnow() + timedelta(hours=1)
        # An hour and ten minutes later, the link is refused.
        record.expires_at -= timedelta(hours=1, minutes=10)
        db.session.commit()
    assert app.test_client().get(link_in(message)).status_code == 410


def test_an_invitation_link_still_lasts_seven_days(app, as_role, org, mailbox):
    from coachflow.accounts.models import User

    with app.app_context():
        db.session.get(User, org.other_rep).password_hash = None
        db.session.commit()
    send_link_as_admin(as_role("admin"), org.other_rep)
    [message] = mailbox.to("other.rep@example.com")
    assert message["Subject"] == "Your CoachFlow account"
    with app.app_context():
        record = db.session.scalar(select(PasswordResetToken))
        assert record.expires_at > utcnow() + timedelta(days=6)


def test_reset_mails_to_one_inbox_are_capped_whatever_the_sending_address(app, org, mailbox):
    for number in range(6):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"203.0.113.{number + 1}"
        assert request_reset(client, "rep@example.com").status_code == 302
    assert len(mailbox.to("rep@example.com")) == 3
    # Another account is not affected by the cap.
    request_reset(app.test_client(), "hr@example.com")
    assert len(mailbox.to("hr@example.com")) == 1
