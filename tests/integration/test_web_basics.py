"""Security headers, error pages, limits and the health check."""

from __future__ import annotations

import pytest
from flask import Flask, abort

from coachflow.platform.permissions import PUBLIC, check_every_view_declares_an_action, requires
from tests.conftest import make_app


def test_every_page_carries_the_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(as_role):
    page = as_role("admin").get("/").data.decode()
    assert "<script>" not in page
    assert " style=" not in page
    assert " onclick=" not in page


def test_unknown_route_gets_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"There is no page at this address." in response.data


def test_wrong_method_gets_405_page(client):
    response = client.get("/logout")
    assert response.status_code == 405


def test_form_without_csrf_token_is_refused_with_an_explanation(client, org):
    response = client.post("/login", data={"email": "hr@example.com", "password": "x"})
    assert response.status_code == 400
    assert b"This form has expired or was sent from another site." in response.data


def test_oversized_post_is_refused_with_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "x" * 4096, "password": "y"})
    assert response.status_code == 413
    assert b"larger than this server accepts" in response.data


def test_server_error_page_hides_the_internals(database_url):
    app = make_app(database_url)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @requires(PUBLIC)
    def broken():
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/broken", "broken", broken)
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data
    assert b"secret internal detail" not in response.data
    assert b"Traceback" not in response.data


def test_forbidden_page_says_so(as_role):
    response = as_role("rep").get("/admin/users")
    assert response.status_code == 403
    assert b"Your account does not have access to this page." in response.data


def test_a_view_without_a_declared_permission_stops_the_app_from_starting():
    app = Flask("rogue")
    app.add_url_rule("/declared", "declared", requires(PUBLIC)(lambda: "fine"))
    app.add_url_rule("/rogue", "rogue", lambda: "open to all")
    with pytest.raises(RuntimeError, match=r"without @requires\(\.\.\.\): rogue$"):
        check_every_view_declares_an_action(app)


def test_healthz_fails_when_the_database_is_unreachable():
    app = make_app("postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_abort_inside_a_view_renders_the_error_page(database_url):
    app = make_app(database_url)

    @requires(PUBLIC)
    def gone():
        abort(410)

    app.add_url_rule("/gone", "gone", gone)
    response = app.test_client().get("/gone")
    assert response.status_code == 410
    assert b"Link no longer valid" in response.data
