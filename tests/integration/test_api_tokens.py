"""API tokens: issued on the admin page or the command line, shown once, hashed, revocable."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select

from coachflow.accounts.models import ApiToken, User
from coachflow.platform.audit import AuditEvent
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from tests.helpers import csrf_token
from tests.integration.test_api_support import ApiClient, assert_problem, deal, issue_token

TOKEN_IN_PAGE = re.compile(r'id="new-token"[^>]*value="(cf_[\w-]+)"')


def test_a_created_token_works_and_only_its_hash_is_stored(app, org, client):
    token = issue_token(app, org.admin, "read,write")
    assert token.startswith("cf_")
    assert len(token) > 40
    assert ApiClient(client, token).get("/deals").status_code == 200
    with app.app_context():
        stored = db.session.scalar(select(ApiToken))
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token.startswith(stored.prefix)
        assert len(stored.prefix) < 15
        assert token not in {stored.name, stored.prefix, stored.token_hash}


def test_admin_creates_a_token_on_the_page_and_sees_it_exactly_once(app, org, as_role):
    admin = as_role("admin")
    page = admin.post(
        "/admin/api-tokens",
        data={
            "csrf_token": csrf_token(admin, "/admin/api-tokens"),
            "user_id": org.admin,
            "name": "Salesforce sync",
            "scopes": "read,write",
        },
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    token = TOKEN_IN_PAGE.search(html).group(1)
    assert "it is shown only this once" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert ApiClient(app.test_client(), token).put("/deals/D1", json=deal()).status_code == 422

    again = admin.get("/admin/api-tokens").get_data(as_text=True)
    assert token not in again
    assert "Salesforce sync" in again
    assert token[:11] in again
    assert "never" not in again  # the token was just used


def test_admin_revokes_a_token_and_it_gets_401_at_once(app, org, as_role):
    token = issue_token(app, org.hr, "read", name="Reporting")
    api = ApiClient(app.test_client(), token)
    assert api.get("/accounts").status_code == 200
    admin = as_role("admin")
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    response = admin.post(
        f"/admin/api-tokens/{token_id}/revoke",
        data={"csrf_token": csrf_token(admin, "/admin/api-tokens")},
    )
    assert response.status_code == 302
    page = admin.get("/admin/api-tokens").get_data(as_text=True)
    assert "is revoked" in page
    assert "revoked " in page

    refused = api.get("/accounts")
    assert_problem(refused, 401)
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]


def test_revoking_needs_the_forms_csrf_token(app, org, as_role):
    issue_token(app, org.hr)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    response = as_role("admin").post(f"/admin/api-tokens/{token_id}/revoke")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None


def test_a_read_token_is_refused_writes_with_403(app, org, client):
    api = ApiClient(client, issue_token(app, org.admin, "read"))
    assert api.get("/deals").status_code == 200
    refused = api.post("/deals/batch", json={"records": [deal()]})
    body = assert_problem(refused, 403)
    assert "read" in body["detail"]
    assert "write" in body["detail"]
    assert 'error="insufficient_scope"' in refused.headers["WWW-Authenticate"]


def test_a_write_token_of_someone_not_admin_cannot_be_issued(app, org, as_role):
    admin = as_role("admin")
    page = admin.post(
        "/admin/api-tokens",
        data={
            "csrf_token": csrf_token(admin, "/admin/api-tokens"),
            "user_id": org.manager,
            "name": "Manager's script",
            "scopes": "read,write",
        },
    ).get_data(as_text=True)
    assert "Only an admin&#39;s token may write" in page
    assert not TOKEN_IN_PAGE.search(page)
    with app.app_context():
        assert db.session.scalar(select(ApiToken)) is None


def test_no_token_or_an_unknown_one_gets_401_with_a_bearer_challenge(client):
    missing = client.get("/api/v1/deals")
    assert_problem(missing, 401)
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="CoachFlow API"'
    unknown = ApiClient(client, "cf_" + "x" * 43).get("/deals")
    assert_problem(unknown, 401)
    assert 'error="invalid_token"' in unknown.headers["WWW-Authenticate"]
    basic = client.get("/api/v1/deals", headers={"Authorization": "Basic YWRtaW46eA=="})
    assert_problem(basic, 401)


def test_a_signed_in_session_does_not_authenticate_the_api(app, org, as_role):
    admin = as_role("admin")
    assert admin.get("/admin/api-tokens").status_code == 200
    response = admin.get("/api/v1/deals")
    assert_problem(response, 401)
    # Nor may a session's cookie stand in for a token on a write, CSRF or not.
    assert_problem(admin.post("/api/v1/deals/batch", json={"records": [deal()]}), 401)


def test_a_session_cookie_beside_a_token_changes_nothing(app, org, as_role):
    rep_session = as_role("rep")
    api = ApiClient(rep_session, issue_token(app, org.admin, "read,write"))
    assert api.get("/accounts").status_code == 200


def test_a_token_opens_no_page_outside_the_api(app, org, client):
    headers = {"Authorization": f"Bearer {issue_token(app, org.admin, 'read,write')}"}
    response = client.get("/admin/api-tokens", headers=headers)
    assert response.status_code == 302
    assert "/login?next=" in response.location


def test_a_deactivated_users_token_stops_working(app, org, client):
    api = ApiClient(client, issue_token(app, org.hr))
    assert api.get("/deals").status_code == 200
    with app.app_context():
        db.session.get(User, org.hr).active = False
        db.session.commit()
    assert_problem(api.get("/deals"), 401)


def test_last_use_is_recorded_at_most_once_a_minute(app, org, client):
    api = ApiClient(client, issue_token(app, org.hr))
    api.get("/deals")
    with app.app_context():
        first = db.session.scalar(select(ApiToken.last_used_at))
        assert first is not None
        assert utcnow() - first < timedelta(seconds=30)
    api.get("/deals")
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at)) == first
        db.session.scalar(select(ApiToken)).last_used_at = first - timedelta(minutes=2)
        db.session.commit()
    api.get("/deals")
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at)) > first


def test_creating_and_revoking_are_in_the_audit_log(app, org, as_role):
    admin = as_role("admin")
    admin.post(
        "/admin/api-tokens",
        data={
            "csrf_token": csrf_token(admin, "/admin/api-tokens"),
            "user_id": org.hr,
            "name": "BI export",
            "scopes": "read",
        },
    )
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    admin.post(
        f"/admin/api-tokens/{token_id}/revoke",
        data={"csrf_token": csrf_token(admin, "/admin/api-tokens")},
    )
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent.action, AuditEvent.subject, AuditEvent.actor_id).order_by(
                AuditEvent.id
            )
        ).all()
    assert [(e.action, e.subject, e.actor_id) for e in events] == [
        ("api_token.created", "hr@example.com", org.admin),
        ("api_token.revoked", "hr@example.com", org.admin),
    ]
    assert "BI export" in admin.get("/admin/audit").get_data(as_text=True)


def test_only_admins_see_the_api_tokens_entry_in_the_navigation(as_role):
    assert ">API tokens</a>" in as_role("admin").get("/").get_data(as_text=True)
    for role in ("hr", "manager", "rep"):
        assert "API tokens" not in as_role(role).get("/").get_data(as_text=True)


# Command line ------------------------------------------------------------------------------------


def test_the_command_line_creates_lists_and_revokes_tokens(app, org):
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=[
            "api-token",
            "create",
            "--user",
            "Admin@Example.com",
            "--scopes",
            "read,write",
            "--name",
            "Nightly CRM sync",
        ]
    )
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    assert token.startswith("cf_")
    assert created.output.count(token) == 1
    assert ApiClient(app.test_client(), token).get("/deals").status_code == 200

    listed = runner.invoke(args=["api-token", "list"])
    assert listed.exit_code == 0
    assert "Nightly CRM sync" in listed.output
    assert "admin@example.com" in listed.output
    assert token[:11] in listed.output
    assert token not in listed.output

    revoked = runner.invoke(args=["api-token", "revoke", token[:11]])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in runner.invoke(args=["api-token", "list"]).output
    assert ApiClient(app.test_client(), token).get("/deals").status_code == 401
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["api_token.created", "api_token.revoked"]


def test_the_command_line_refuses_unknown_users_scopes_and_prefixes(app, org):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["api-token", "create", "--user", "ghost@example.com"])
    assert unknown.exit_code != 0
    assert "No user has the email" in unknown.output
    scopes = runner.invoke(
        args=["api-token", "create", "--user", "admin@example.com", "--scopes", "admin"]
    )
    assert scopes.exit_code != 0
    assert "scopes" in scopes.output
    rep_writes = runner.invoke(
        args=["api-token", "create", "--user", "rep@example.com", "--scopes", "read,write"]
    )
    assert rep_writes.exit_code != 0
    assert "Only an admin" in rep_writes.output
    prefix = runner.invoke(args=["api-token", "revoke", "cf_nothing"])
    assert prefix.exit_code != 0
    assert "No token has the prefix" in prefix.output
    assert runner.invoke(args=["api-token", "list"]).output.strip() == "No API tokens."


def test_tokens_of_a_deactivated_user_stay_revoked_after_reactivation(app, org, as_role):
    api = ApiClient(app.test_client(), issue_token(app, org.hr, name="BI export"))
    assert api.get("/deals").status_code == 200
    admin = as_role("admin")
    for action in ("deactivate", "reactivate"):
        response = admin.post(
            f"/admin/users/{org.hr}/{action}",
            data={"csrf_token": csrf_token(admin, f"/admin/users/{org.hr}")},
        )
        assert response.status_code == 302
    assert_problem(api.get("/deals"), 401)
    assert "revoked " in admin.get("/admin/api-tokens").get_data(as_text=True)
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent.action, AuditEvent.details, AuditEvent.actor_id).order_by(
                AuditEvent.id
            )
        ).all()
    revoked = [e for e in events if e.action == "api_token.revoked"]
    assert len(revoked) == 1
    assert "BI export" in revoked[0].details
    assert "user deactivated" in revoked[0].details
    assert revoked[0].actor_id == org.admin
