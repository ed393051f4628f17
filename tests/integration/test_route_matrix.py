"""Every route, as every role: who gets in, who is refused, who is sent to sign in.

A route added without an entry here fails ``test_every_route_is_in_the_matrix``, so nobody ships a
page whose access was never decided.
"""

from __future__ import annotations

import pytest

from coachflow.accounts import services
from coachflow.accounts.models import ApiToken, User
from coachflow.app import create_app
from coachflow.platform.extensions import db
from coachflow.sales.models import CustomerAccount
from tests.conftest import TEST_DB, Org
from tests.integration.test_api_support import issue_token

ROLES = ("anonymous", "rep", "other_rep", "manager", "other_manager", "hr", "admin")

# Outcome letters, in ROLES order: A = allowed, D = 403 refused (the role may not do this),
# N = 404 (the role may, but this record is outside the person's scope: it looks like an unknown
# id), L = sent to sign in, T = 401 with a Bearer challenge (the REST API: a session never
# authenticates it).
PUBLIC = "AAAAAAA"
SIGNED_IN = "LAAAAAA"
ADMIN_ONLY = "LDDDDDA"
BEARER_ONLY = "TTTTTTT"
SURVEY_BUILDERS = "LDDAAAA"  # MANAGE_SURVEYS: managers, HR and admin
SURVEY_OWNER = "LDDANAA"  # one survey: its owner (the org's manager), HR and admin
APPROVERS = "LDDDDAA"  # APPROVE_ADHOC_SENDS: HR and admin

MATRIX: dict[str, tuple[str, dict[str, str]]] = {
    # endpoint: (outcomes, URL arguments by name of an Org attribute or a literal)
    "static": (PUBLIC, {"filename": "css/app.css"}),
    "home.index": (SIGNED_IN, {}),
    "health.healthz": (PUBLIC, {}),
    "health.ping": (PUBLIC, {}),
    "auth.login": (PUBLIC, {}),
    "auth.logout": (PUBLIC, {}),
    "auth.forgot_password": (PUBLIC, {}),
    "auth.reset_link": (PUBLIC, {"token": "@reset_token"}),
    "auth.reset_password": (PUBLIC, {}),
    "accounts.account": (SIGNED_IN, {}),
    "accounts.teams": (SIGNED_IN, {}),
    # team "North": its manager and rep, HR and admin see it; the other team's people do not.
    "accounts.team": ("LANANAA", {"team_id": "team"}),
    "accounts.new_team": (ADMIN_ONLY, {}),
    "accounts.edit_team": (ADMIN_ONLY, {"team_id": "team"}),
    "accounts.users": (ADMIN_ONLY, {}),
    "accounts.new_user": (ADMIN_ONLY, {}),
    "accounts.edit_user": (ADMIN_ONLY, {"user_id": "other_rep"}),
    "accounts.deactivate_user": (ADMIN_ONLY, {"user_id": "other_rep"}),
    "accounts.reactivate_user": (ADMIN_ONLY, {"user_id": "other_rep"}),
    "accounts.send_password_link": (ADMIN_ONLY, {"user_id": "other_rep"}),
    "accounts.product_lines": (ADMIN_ONLY, {}),
    "accounts.edit_product_line": (ADMIN_ONLY, {"line_id": "product_line"}),
    "accounts.audit_log": (ADMIN_ONLY, {}),
    "accounts.settings": (ADMIN_ONLY, {}),
    "api_tokens.index": (ADMIN_ONLY, {}),
    "api_tokens.revoke": (ADMIN_ONLY, {"token_id": "@api_token"}),
    # Survey links: the token is the credential, so whoever holds one may answer (no sign-in).
    "public.answer": (PUBLIC, {"token": "@survey_token"}),
    "public.thanks": (PUBLIC, {"token": "@survey_token"}),
    "public.unsubscribe": (PUBLIC, {"token": "@survey_token"}),
    # Survey builder: a manager their own surveys (the org's manager owns "@survey"), HR/admin all.
    "surveys.index": (SURVEY_BUILDERS, {}),
    "surveys.new": (SURVEY_BUILDERS, {}),
    "surveys.edit": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "surveys.add_question": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "surveys.edit_question": (
        SURVEY_OWNER,
        {"survey_id": "@survey", "question_id": "@survey_question"},
    ),
    "surveys.delete_question": (
        SURVEY_OWNER,
        {"survey_id": "@survey", "question_id": "@survey_question"},
    ),
    "surveys.move_question": (
        SURVEY_OWNER,
        {"survey_id": "@survey", "question_id": "@survey_question"},
    ),
    "surveys.texts": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "surveys.settings": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "surveys.activate": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "surveys.close": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "surveys.preview": (SURVEY_OWNER, {"survey_id": "@survey"}),
    # Sending a survey: the same people as its builder (an empty confirm or resend redirects).
    "survey_sending.send": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "survey_sending.confirm": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "survey_sending.invitations": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "survey_sending.invitations_progress": (SURVEY_OWNER, {"survey_id": "@survey"}),
    "survey_sending.resend": (SURVEY_OWNER, {"survey_id": "@survey"}),
    # A manager's send to pasted addresses, held for approval: HR and admin decide.
    "survey_sending.approvals": (APPROVERS, {}),
    "survey_sending.approve": (APPROVERS, {"send_id": "@adhoc_send"}),
    "survey_sending.reject": (APPROVERS, {"send_id": "@adhoc_send"}),
    # Survey results: everyone signed in; the figures inside are scoped to visible_sellers(user).
    "survey_results.overview": (SIGNED_IN, {}),
    "survey_results.survey": (SIGNED_IN, {"survey_id": "@results_survey"}),
    "survey_results.export": (SIGNED_IN, {"survey_id": "@results_survey"}),
    "contact_privacy.index": (ADMIN_ONLY, {}),
    "contact_privacy.export": (ADMIN_ONLY, {}),
    "contact_privacy.erase": (ADMIN_ONLY, {}),
    "contact_privacy.suppressions": (ADMIN_ONLY, {}),
    "api.openapi": (PUBLIC, {}),
    # The REST API: bearer tokens only; test_api_*.py check what each token may do.
    "api.list_accounts": (BEARER_ONLY, {}),
    "api.get_account": (BEARER_ONLY, {"external_id": "A1"}),
    "api.put_account": (BEARER_ONLY, {"external_id": "A1"}),
    "api.batch_accounts": (BEARER_ONLY, {}),
    "api.list_contacts": (BEARER_ONLY, {}),
    "api.get_contact": (BEARER_ONLY, {"external_id": "C1"}),
    "api.put_contact": (BEARER_ONLY, {"external_id": "C1"}),
    "api.batch_contacts": (BEARER_ONLY, {}),
    "api.list_deals": (BEARER_ONLY, {}),
    "api.get_deal": (BEARER_ONLY, {"external_id": "D1"}),
    "api.put_deal": (BEARER_ONLY, {"external_id": "D1"}),
    "api.batch_deals": (BEARER_ONLY, {}),
    "api.list_quotas": (BEARER_ONLY, {}),
    "api.create_quota": (BEARER_ONLY, {}),
    "api.get_quota": (BEARER_ONLY, {"quota_id": "1"}),
    "api.put_quota": (BEARER_ONLY, {"quota_id": "1"}),
    "api.batch_quotas": (BEARER_ONLY, {}),
    "api.list_surveys": (BEARER_ONLY, {}),
    "api.create_invitations": (BEARER_ONLY, {"survey_id": "@survey"}),
    "sales_imports.index": (ADMIN_ONLY, {}),
    # Sales: everyone signed in has a sales page (a rep is sent on to their own); a rep's page
    # and their account's page are for them, their manager, HR and admin.
    "sales.overview": (SIGNED_IN, {}),
    "sales.rep": ("LANANAA", {"rep_id": "rep"}),
    "sales.account": ("LANANAA", {"account_id": "@rep_account"}),
    "sales_imports.new": (ADMIN_ONLY, {}),
    "sales_imports.columns": (ADMIN_ONLY, {"run_id": "@import_run"}),
    "sales_imports.show": (ADMIN_ONLY, {"run_id": "@import_run"}),
    "sales_imports.start": (ADMIN_ONLY, {"run_id": "@import_run"}),
    "sales_imports.progress_json": (ADMIN_ONLY, {"run_id": "@import_run"}),
    "sales_imports.delete": (ADMIN_ONLY, {"run_id": "@import_run"}),
}


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
        if source == "@reset_token":
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
        elif source == "@survey_token":
            resolved[name] = _survey_token(app, org)
        elif source in ("@results_survey", "@survey"):  # a survey owned by the org's manager
            with app.app_context():
                from tests.survey_factories import make_survey

                resolved[name] = make_survey(owner_id=org.manager).id
                db.session.commit()
        elif source == "@survey_question":  # the first question of the "@survey" just made
            with app.app_context():
                from coachflow.surveys.models import Question, SurveyVersion

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
