"""Every route, as every role: who gets in, who is refused, who is sent to sign in.

A route added without an entry here fails ``test_every_route_is_in_the_matrix``, so nobody ships a
page whose access was never decided.
"""

from __future__ import annotations

import importlib

import pytest

from coachflow.accounts import services
from coachflow.accounts.models import ApiToken, User
from coachflow.app import DOMAINS, create_app
from coachflow.platform.extensions import db
from coachflow.sales.models import CustomerAccount
from tests.conftest import TEST_DB, Org
from tests.integration.routes import ROLES
from tests.integration.test_api_support import issue_token


def _matrix() -> dict[str, tuple[str, dict[str, str]]]:
    """Every domain's rows, in the order of ``coachflow.app.DOMAINS``, and the platform's."""
    rows: dict[str, tuple[str, dict[str, str]]] = {}
    for name in ("platform", *DOMAINS):
        rows.update(importlib.import_module(f"tests.integration.routes.{name}").ROWS)
    return rows


def _fixtures() -> dict[str, object]:
    """URL arguments a domain's rows name with "@", made by its module's ``FIXTURES``: each a
    function ``(app, org, resolved) -> value`` (``resolved`` holds the arguments made so far)."""
    made: dict[str, object] = {}
    for name in ("platform", *DOMAINS):
        made.update(
            getattr(importlib.import_module(f"tests.integration.routes.{name}"), "FIXTURES", {})
        )
    return made


# endpoint: (outcomes, URL arguments by name of an Org attribute or a literal)
MATRIX = _matrix()
FIXTURES = _fixtures()


def _routes() -> list[tuple[str, str, str]]:
    app = create_app_for_listing()
    return sorted(
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    )


def create_app_for_listing():
    from config import TestConfig

    return create_app(TestConfig("sqlite://"))


ROUTES = _routes()


def test_every_route_is_in_the_matrix():
    endpoints = {endpoint for endpoint, _method, _rule in ROUTES}
    assert endpoints - MATRIX.keys() == set(), "add the new routes to MATRIX"
    assert MATRIX.keys() - endpoints == set(), "MATRIX lists routes that no longer exist"


def _import_run(app) -> int:
    from coachflow.sales.models import ImportKind, ImportRun, ImportStatus

    with app.app_context():
        run = ImportRun(
            kind=ImportKind.ACCOUNTS,
            status=ImportStatus.UPLOADED,
            filename="a.csv",
            header=["external_id", "name"],
            columns={"external_id": "external_id", "name": "name"},
        )
        db.session.add(run)
        db.session.commit()
        return run.id


def _survey_token(app, org: Org) -> str:
    """The link token of a fresh invitation to an active survey, about the org's rep."""
    from tests.survey_factories import make_invitation, make_survey

    with app.app_context():
        survey = make_survey(owner_id=org.manager)
        _invitation, token = make_invitation(
            app, survey, email="customer@example.com", rep_id=org.rep, team_id=org.team
        )
        db.session.commit()
        return token


def _url_args(app, org: Org, args: dict[str, str]) -> dict[str, object]:
    resolved: dict[str, object] = {}
    for name, source in args.items():
        if source in FIXTURES:
            resolved[name] = FIXTURES[source](app, org, resolved)
        elif source == "@reset_token":
            with app.app_context(), app.test_request_context():
                rep = db.session.get(User, org.rep)
                resolved[name] = services._issue_token(rep, services.INVITATION_TTL)
                db.session.commit()
        elif source == "@import_run":
            resolved[name] = _import_run(app)
        elif source == "@rep_account":
            with app.app_context():
                account = CustomerAccount(external_id="M1", name="Matrix GmbH", owner_id=org.rep)
                db.session.add(account)
                db.session.commit()
                resolved[name] = account.id
        elif source == "@api_token":
            issue_token(app, org.hr)
            with app.app_context():
                resolved[name] = db.session.scalar(db.select(ApiToken.id))
        elif source == "@adhoc_send":  # a pending send of an active survey of the manager's
            with app.app_context():
                from coachflow.surveys.models import AdhocSend
                from tests.survey_factories import make_survey

                send = AdhocSend(
                    survey_id=make_survey(owner_id=org.manager).id,
                    rep_id=org.rep,
                    requested_by_id=org.manager,
                    addresses=["lead@prospect.example"],
                )
                db.session.add(send)
                db.session.commit()
                resolved[name] = send.id
        elif source == "@logo":  # the demo's logo, saved as an admin would
            with app.app_context():
                from coachflow.accounts.demo import seed_branding
                from coachflow.accounts.organisation import branding

                seed_branding()
                db.session.commit()
                resolved[name] = branding().logo_file
        elif source == "@survey_token":
            resolved[name] = _survey_token(app, org)
        elif source in ("@results_survey", "@survey"):  # a survey owned by the org's manager
            with app.app_context():
                from tests.survey_factories import make_survey

                resolved[name] = make_survey(owner_id=org.manager).id
                db.session.commit()
        elif source == "@survey_question":  # the first question of the "@survey" just made
            with app.app_context():
                from coachflow.questionnaires.models import Question, SurveyVersion

                resolved[name] = db.session.scalar(
                    db.select(Question.id)
                    .join(SurveyVersion)
                    .where(SurveyVersion.survey_id == resolved["survey_id"])
                    .order_by(Question.position)
                )
        elif hasattr(org, source):
            resolved[name] = getattr(org, source)
        else:
            resolved[name] = source
    return resolved


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("endpoint", "method", "rule"), ROUTES)
def test_route_admits_exactly_the_roles_it_should(app, org, as_role, endpoint, method, rule, role):
    app.config["WTF_CSRF_ENABLED"] = False
    outcome = MATRIX[endpoint][0][ROLES.index(role)]
    client = as_role(role)
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **_url_args(app, org, MATRIX[endpoint][1]))
    response = client.open(url, method=method)
    response.close()

    sent_to_login = response.status_code == 302 and "/login?next=" in response.location
    if outcome == "L":
        assert sent_to_login, f"{method} {rule} as {role}: {response.status_code}"
    elif outcome == "T":
        assert response.status_code == 401, f"{method} {rule} as {role}: {response.status_code}"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.mimetype == "application/problem+json"
    elif outcome == "D":
        assert response.status_code == 403, f"{method} {rule} as {role}: {response.status_code}"
    elif outcome == "N":
        assert response.status_code == 404, f"{method} {rule} as {role}: {response.status_code}"
    else:
        where = f"{method} {rule} as {role}: {response.status_code}"
        assert not sent_to_login, where
        assert response.status_code not in (401, 403, 404, 405), where
        assert response.status_code < 500


def test_matrix_runs_against_the_configured_database(database_url):
    assert database_url.startswith("sqlite") == (TEST_DB == "sqlite")
