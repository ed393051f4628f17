"""Every route, as every role: who gets in, who is refused, who is sent to sign in.

A route added without an entry here fails ``test_every_route_is_in_the_matrix``, so nobody ships a
page whose access was never decided.
"""

from __future__ import annotations

import pytest

from coachflow import create_app
from coachflow.accounts import services
from coachflow.accounts.models import User
from coachflow.extensions import db
from tests.conftest import TEST_DB, Org

ROLES = ("anonymous", "rep", "other_rep", "manager", "other_manager", "hr", "admin")

# Outcome letters, in ROLES order: A = allowed, D = 403 refused, L = sent to sign in.
PUBLIC = "AAAAAAA"
SIGNED_IN = "LAAAAAA"
ADMIN_ONLY = "LDDDDDA"

MATRIX: dict[str, tuple[str, dict[str, str]]] = {
    # endpoint: (outcomes, URL arguments by name of an Org attribute or a literal)
    "static": (PUBLIC, {"filename": "css/app.css"}),
    "core.home": (SIGNED_IN, {}),
    "core.healthz": (PUBLIC, {}),
    "auth.login": (PUBLIC, {}),
    "auth.logout": (PUBLIC, {}),
    "auth.forgot_password": (PUBLIC, {}),
    "auth.reset_link": (PUBLIC, {"token": "@reset_token"}),
    "auth.reset_password": (PUBLIC, {}),
    "accounts.account": (SIGNED_IN, {}),
    "accounts.teams": (SIGNED_IN, {}),
    # team "North": its manager and rep, HR and admin see it; the other team's people do not.
    "accounts.team": ("LADADAA", {"team_id": "team"}),
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
    "sales_imports.index": (ADMIN_ONLY, {}),
    "sales_imports.new": (ADMIN_ONLY, {}),
    "sales_imports.columns": (ADMIN_ONLY, {"run_id": "@import_run"}),
    "sales_imports.show": (ADMIN_ONLY, {"run_id": "@import_run"}),
    "sales_imports.start": (ADMIN_ONLY, {"run_id": "@import_run"}),
    "sales_imports.progress_json": (ADMIN_ONLY, {"run_id": "@import_run"}),
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
        run = ImportRun(kind=ImportKind.ACCOUNTS, status=ImportStatus.UPLOADED,
                        filename="a.csv", header=["external_id", "name"],
                        columns={"external_id": "external_id", "name": "name"})
        db.session.add(run)
        db.session.commit()
        return run.id


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
    elif outcome == "D":
        assert response.status_code == 403, f"{method} {rule} as {role}: {response.status_code}"
    else:
        assert not sent_to_login and response.status_code not in (401, 403, 404, 405), (
            f"{method} {rule} as {role}: {response.status_code}"
        )
        assert response.status_code < 500


def test_matrix_runs_against_the_configured_database(database_url):
    assert database_url.startswith("sqlite") == (TEST_DB == "sqlite")
