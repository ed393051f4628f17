"""Links in mail point to the configured public address, whatever Host a request claims; a
request for an unknown host is refused."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from coachflow.accounts.models import User
from coachflow.accounts.services import start_session
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.surveys.models import InvitationStatus
from tests.conftest import make_app
from tests.helpers import html_of, text_of
from tests.integration.test_api_support import issue_token
from tests.integration.test_surveys_distribution_support import customer, person, survey_in
from tests.survey_factories import make_invitation

PUBLIC = "https://coachflow.example"
FORGED = "evil.example"
URL = re.compile(r"https?://[^\s\"'<>/]+")


@dataclass(frozen=True)
class World:
    survey: int
    other_survey: int


@pytest.fixture
def world(app, org) -> World:
    """The manager's survey with the rep's two customers, one failed invitation to resend, and
    another survey's failed invitation whose retry is due: any mail-out sends it too."""
    with app.app_context():
        account = customer(org.rep, "A1", "Acme")
        person(account, "anna@acme.example", name="Anna Acme")
        person(account, "bob@acme.example", name="Bob Acme")
        survey = survey_in(org.manager, name="Acme CSAT")
        make_invitation(
            app,
            survey,
            email="failed@acme.example",
            rep_id=org.rep,
            team_id=org.team,
            status=InvitationStatus.FAILED,
        )
        other = survey_in(org.other_manager, name="Other CSAT")
        retry, _token = make_invitation(
            app,
            other,
            email="retry@other.example",
            rep_id=org.other_rep,
            team_id=org.other_team,
            status=InvitationStatus.FAILED,
        )
        retry.attempts = 1
        retry.next_attempt_at = utcnow() - datetime.timedelta(seconds=1)
        db.session.commit()
        return World(survey.id, other.id)


def _signed_in(app, user_id: int | None, host: str) -> FlaskClient:
    client = app.test_client()
    if user_id is not None:
        with app.app_context():
            session_id = start_session(db.session.get(User, user_id)).session_key
        with client.session_transaction(base_url="http://127.0.0.1") as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
        # The same session cookie, as a browser sent to the forged host would carry it.
        cookie = client.get_cookie("session", domain="127.0.0.1")
        client.set_cookie("session", cookie.value, domain=host)
    return client


def _csrf(client: FlaskClient, path: str, host: str) -> str:
    page = client.get(path, base_url=f"http://{host}")
    assert page.status_code == 200, page.status_code
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert match, path
    return match.group(1)


def _form_post(path: str, form_page: str, data: dict) -> Callable:
    def post(client: FlaskClient, host: str, headers: dict) -> int:
        csrf = client.application.config["WTF_CSRF_ENABLED"]
        token = _csrf(client, form_page, host) if csrf else ""
        response = client.post(
            path, base_url=f"http://{host}", headers=headers, data={"csrf_token": token, **data}
        )
        return response.status_code

    return post


def _actions(org, world: World) -> dict[str, tuple[int | None, Callable]]:
    """Every action that sends mail: who does it, and how (client, host, extra headers)."""

    def api_invite(client: FlaskClient, host: str, headers: dict) -> int:
        token = issue_token(client.application, org.admin, "read,write")
        response = client.post(
            f"/api/v1/surveys/{world.survey}/invitations",
            base_url=f"http://{host}",
            headers={**headers, "Authorization": f"Bearer {token}"},
            json={"invitations": [{"email": "anna@acme.example"}]},
        )
        return response.status_code

    return {
        "forgot password": (
            None,
            _form_post("/password/forgot", "/password/forgot", {"email": "rep@example.com"}),
        ),
        "admin invites a new user": (
            org.admin,
            _form_post(
                "/admin/users/new",
                "/admin/users/new",
                {
                    "name": "Nina New",
                    "email": "nina@example.com",
                    "role": "hr",
                    "team_id": "",
                    "language": "en",
                },
            ),
        ),
        "admin sends a password link": (
            org.admin,
            _form_post(f"/admin/users/{org.rep}/send-password-link", f"/admin/users/{org.rep}", {}),
        ),
        "manager sends a survey": (
            org.manager,
            _form_post(
                f"/surveys/{world.survey}/send/confirm",
                f"/surveys/{world.survey}/send",
                {"team": str(org.team)},
            ),
        ),
        "manager resends the failed": (
            org.manager,
            _form_post(
                f"/surveys/{world.survey}/invitations/resend",
                f"/surveys/{world.survey}/invitations",
                {},
            ),
        ),
        "the API invites": (None, api_invite),
    }


ACTIONS = [
    "forgot password",
    "admin invites a new user",
    "admin sends a password link",
    "manager sends a survey",
    "manager resends the failed",
    "the API invites",
]


def _links(mailbox) -> set[str]:
    found: set[str] = set()
    for message in mailbox.messages:
        for part in (text_of(message), html_of(message), str(message.get("List-Unsubscribe"))):
            found.update(URL.findall(part))
    return found


@pytest.fixture
def public_app(database_url, _schema, smtp_server, app):
    """The app served at ``PUBLIC``; ``app`` is asked for so the tables are emptied after."""
    _box, port = smtp_server
    return lambda **overrides: make_app(database_url, port, PUBLIC_BASE_URL=PUBLIC, **overrides)


@pytest.mark.parametrize("action", ACTIONS)
def test_mail_links_point_to_the_public_address_whatever_host_the_request_names(
    public_app, org, world, mailbox, action
):
    app = public_app()
    user_id, act = _actions(org, world)[action]
    # A trusted second name (as a load balancer's health check might use), and a forwarded host
    # that no proxy is configured to set.
    status = act(_signed_in(app, user_id, "127.0.0.1"), "127.0.0.1", {"X-Forwarded-Host": FORGED})
    assert status in (200, 302), status
    assert mailbox.messages, "the action sent no mail"
    assert _links(mailbox) == {PUBLIC}


@pytest.mark.parametrize("action", ACTIONS)
def test_a_forged_host_is_refused_and_mails_nothing(public_app, org, world, mailbox, action):
    # Without CSRF, so that nothing but the host stands between the request and the mail.
    app = public_app(WTF_CSRF_ENABLED=False)
    user_id, act = _actions(org, world)[action]
    status = act(_signed_in(app, user_id, FORGED), FORGED, {})
    assert status == 400
    assert mailbox.messages == []


@pytest.mark.parametrize("action", ACTIONS)
def test_a_forged_forwarded_host_behind_a_proxy_is_refused_and_mails_nothing(
    public_app, org, world, mailbox, action
):
    app = public_app(PROXY_HOPS=1, WTF_CSRF_ENABLED=False)
    user_id, act = _actions(org, world)[action]
    client = _signed_in(app, user_id, "127.0.0.1")
    status = act(client, "127.0.0.1", {"X-Forwarded-Host": FORGED})
    assert status == 400
    assert mailbox.messages == []


def test_the_refusal_is_the_bad_request_page(client):
    response = client.get("/login", headers={"Host": FORGED})
    assert response.status_code == 400
    assert b"Bad request" in response.data
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert client.get("/login").status_code == 200
    assert client.get("/login", base_url="http://127.0.0.1").status_code == 200


def test_trusted_hosts_without_the_public_address_still_refuse_with_the_page(public_app):
    app = public_app(TRUSTED_HOSTS=["app.internal"])
    client = app.test_client()
    response = client.get("/login", headers={"Host": FORGED})
    assert response.status_code == 400
    assert b"Bad request" in response.data
    assert client.get("/login", base_url="http://app.internal").status_code == 200
