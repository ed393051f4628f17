"""Signing in and out, sessions, rate limits."""

from __future__ import annotations

from coachflow.accounts import services
from coachflow.accounts.models import User
from coachflow.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD
from tests.helpers import csrf_token, sign_in


def test_correct_password_signs_in_and_lands_on_home(client, org):
    response = sign_in(client, "manager@example.com", PASSWORD)
    assert response.status_code == 302
    assert response.location == "/"
    assert b"North" in client.get("/").data


def test_email_is_matched_regardless_of_case_and_spaces(client, org):
    response = sign_in(client, "  Manager@Example.COM ", PASSWORD)
    assert response.status_code == 302


def test_wrong_password_shows_an_error_and_no_session(client, org):
    response = sign_in(client, "manager@example.com", "not the password")
    assert response.status_code == 401
    assert b"The email or password is not correct." in response.data
    assert client.get("/").status_code == 302


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, org):
    wrong_password = sign_in(client, "manager@example.com", "nope")
    unknown = sign_in(client, "nobody@example.com", "nope")
    assert unknown.status_code == wrong_password.status_code == 401
    assert b"The email or password is not correct." in unknown.data


def test_deactivated_user_cannot_sign_in(app, client, org):
    with app.app_context():
        db.session.get(User, org.rep).active = False
        db.session.commit()
    response = sign_in(client, "rep@example.com", PASSWORD)
    assert response.status_code == 401


def test_deactivated_user_is_signed_out_at_the_next_request(app, as_role, org):
    client = as_role("rep")
    assert client.get("/").status_code == 200
    with app.app_context():
        admin = db.session.get(User, org.admin)
        services.set_active(db.session.get(User, org.rep), False, by=admin)
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.location


def test_password_change_ends_sessions_on_other_devices(app, org):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, app, org.rep)
    login(phone, app, org.rep)
    laptop.post(
        "/account",
        data={
            "pw-csrf_token": csrf_token(laptop, "/account"),
            "pw-current_password": PASSWORD,
            "pw-password": "a much longer secret",
            "pw-confirm": "a much longer secret",
            "pw-submit": "1",
        },
    )
    assert phone.get("/").status_code == 302
    assert sign_in(app.test_client(), "rep@example.com", "a much longer secret").status_code == 302


def test_next_parameter_only_redirects_within_the_site(client, org):
    response = sign_in(client, "hr@example.com", PASSWORD, query="?next=/teams")
    assert response.location == "/teams"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    response = sign_in(client, "hr@example.com", PASSWORD, query="?next=https://evil.example/")
    assert response.location == "/"


def test_logout_ends_the_session(as_role):
    client = as_role("hr")
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_repeated_failures_for_one_account_are_rate_limited(app, org):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    client = app.test_client()
    for _attempt in range(3):
        assert sign_in(client, "manager@example.com", "guess").status_code == 401
    response = sign_in(client, "manager@example.com", PASSWORD)
    assert response.status_code == 429
    assert b"too many attempts" in response.data.lower()
    # Another account from the same address is not locked by these failures.
    assert sign_in(client, "hr@example.com", PASSWORD).status_code == 302


def test_repeated_failures_from_one_address_are_rate_limited(app, org):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "4 per 15 minutes"
    client = app.test_client()
    for email in ("a@example.com", "b@example.com", "c@example.com", "d@example.com"):
        assert sign_in(client, email, "guess").status_code == 401
    assert sign_in(client, "hr@example.com", PASSWORD).status_code == 429


def test_successful_sign_ins_do_not_use_up_the_limit(app, org):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 15 minutes"
    for _attempt in range(4):
        client = app.test_client()
        assert sign_in(client, "hr@example.com", PASSWORD).status_code == 302


def test_session_cookie_is_httponly_and_lax(client, org):
    response = sign_in(client, "hr@example.com", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_over_https(app, org):
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost")
    token = page.data.split(b'name="csrf_token" type="hidden" value="')[1].split(b'"')[0]
    response = client.post(
        "/login",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},
        data={"email": "hr@example.com", "password": PASSWORD, "csrf_token": token.decode()},
    )
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
