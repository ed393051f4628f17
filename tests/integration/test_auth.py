"""Signing in and out, sessions, rate limits."""

from __future__ import annotations

import statistics
import time

from sqlalchemy import select

from coachflow.accounts import services
from coachflow.accounts.models import User
from coachflow.platform.audit import AuditEvent
from coachflow.platform.extensions import db
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
    assert laptop.get("/").status_code == 200  # the device that changed it stays signed in
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


def client_at(app, address: str):
    """A test client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def sign_out(client):
    return client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})


def test_copied_cookie_is_dead_after_sign_out(app, org):
    browser = app.test_client()
    assert sign_in(browser, "manager@example.com", PASSWORD).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", browser.get_cookie("session").value)
    assert thief.get("/").status_code == 200
    assert thief.get(f"/sales/reps/{org.rep}").status_code == 200

    assert sign_out(browser).status_code == 302

    for path in ("/", f"/sales/reps/{org.rep}"):
        response = thief.get(path)
        assert response.status_code == 302
        assert "/login" in response.location


def test_signing_out_on_one_device_leaves_the_other_signed_in(app, org):
    laptop, phone = app.test_client(), app.test_client()
    assert sign_in(laptop, "rep@example.com", PASSWORD).status_code == 302
    assert sign_in(phone, "rep@example.com", PASSWORD).status_code == 302
    sign_out(laptop)
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 200


def test_sign_out_everywhere_ends_every_device(app, org):
    laptop, phone = app.test_client(), app.test_client()
    assert sign_in(laptop, "rep@example.com", PASSWORD).status_code == 302
    assert sign_in(phone, "rep@example.com", PASSWORD).status_code == 302
    page = laptop.get("/account")
    assert b"Sign out everywhere" in page.data
    response = laptop.post(
        "/account",
        data={"out-csrf_token": csrf_token(laptop, "/account"), "out-submit": "1"},
    )
    assert response.status_code == 302
    assert "/login" in response.location
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "user.signed_out_everywhere" in actions
    assert sign_in(app.test_client(), "rep@example.com", PASSWORD).status_code == 302


def test_failures_from_one_address_do_not_lock_the_owner_out_from_another(app, org):
    attacker = client_at(app, "203.0.113.9")
    for _attempt in range(5):
        assert sign_in(attacker, "ADMIN@example.com", "guess").status_code == 401
    assert sign_in(attacker, "admin@example.com", "guess").status_code == 429

    owner = client_at(app, "198.51.100.20")
    assert sign_in(owner, "admin@example.com", PASSWORD).status_code == 302
    assert owner.get("/admin/users").status_code == 200
    # The attacker's address stays slowed down for this account.
    assert sign_in(client_at(app, "203.0.113.9"), "admin@example.com", PASSWORD).status_code == 429


def _median_seconds_interleaved(
    first, second, rounds: int = 15, clock=time.perf_counter
) -> tuple[float, float]:
    """Medians of two requests' durations, alternating which goes first in each round."""
    times: tuple[list[float], list[float]] = ([], [])
    for turn in range(rounds):
        order = ((0, first), (1, second)) if turn % 2 == 0 else ((1, second), (0, first))
        for index, request in order:
            started = clock()
            request()
            times[index].append(clock() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def _assert_within_a_fifth(known: float, unknown: float) -> None:
    assert abs(known - unknown) <= 0.2 * min(known, unknown), (
        f"known {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms"
    )


def test_sign_in_takes_as_long_for_an_unknown_address_as_for_a_wrong_password(app, org):
    # The production hash, so that hashing dominates as it does in production.
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "1000 per minute"
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "1000 per minute"
    with app.app_context():
        db.session.get(User, org.rep).password_hash = services.hash_password(PASSWORD)
        db.session.commit()
    client = app.test_client()
    token = csrf_token(client, "/login")

    def attempt(email: str):
        def post() -> None:
            response = client.post(
                "/login", data={"email": email, "password": "wrong guess", "csrf_token": token}
            )
            assert response.status_code == 401

        return post

    known, unknown = attempt("rep@example.com"), attempt("nobody@example.com")
    for warm_up in (known, unknown, known, unknown):
        warm_up()
    # The work the server does, counted on this thread's CPU clock: what would tell the two apart
    # (a hash skipped for an unknown address) is CPU work, and the CPU clock does not count the
    # time other processes on a busy machine take from it, which the wall clock does.
    _assert_within_a_fifth(*_median_seconds_interleaved(known, unknown, clock=time.thread_time))


def test_password_reset_request_takes_as_long_for_an_unknown_address(app, org, mailbox):
    app.config["PASSWORD_RESET_MIN_SECONDS"] = 0.3
    app.config["PASSWORD_RESET_MAILS_PER_HOUR"] = 1000
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "1000 per minute"
    client = app.test_client()
    token = csrf_token(client, "/password/forgot")

    def request(email: str):
        def post() -> None:
            response = client.post("/password/forgot", data={"email": email, "csrf_token": token})
            assert response.status_code == 302

        return post

    known, unknown = request("rep@example.com"), request("nobody@example.com")
    for warm_up in (known, unknown):
        warm_up()
    _assert_within_a_fifth(*_median_seconds_interleaved(known, unknown))
    assert len(mailbox.to("rep@example.com")) == 16
    assert mailbox.to("nobody@example.com") == []


def test_sessions_idle_too_long_are_forgotten_by_the_daily_job(app, org):
    import datetime

    from sqlalchemy import func, select, update

    from coachflow.accounts.models import UserSession
    from coachflow.platform.jobs import periodic
    from coachflow.platform.time import utcnow

    laptop, phone = app.test_client(), app.test_client()
    login(laptop, app, org.rep)
    login(phone, app, org.manager)
    with app.app_context():
        long_ago = utcnow() - app.permanent_session_lifetime - datetime.timedelta(minutes=1)
        db.session.execute(
            update(UserSession)
            .where(UserSession.user_id == org.manager)
            .values(last_seen_at=long_ago)
        )
        db.session.commit()
        assert services.purge_sessions() == 1
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1
    assert periodic(app)[services.PURGE_SESSIONS] == 24 * 3600
    assert laptop.get("/").status_code == 200
