"""The OpenAPI document: public, complete, exact, and the API keeps to it under a fuzzer.

The fuzzer is schemathesis, driven by ``/api/v1/openapi.json`` against the WSGI app with an
admin's read-and-write token: for every operation it sends requests that fit the document and
requests that do not, and fails on any 5xx and on any answer whose status code, content type,
headers or body the document does not declare.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Every domain's endpoints, so that the document is whole.
import coachflow.accounts.api
import coachflow.scorecards.api
import coachflow.surveys.api  # noqa: F401
from coachflow.accounts.models import Role
from coachflow.platform.api import openapi_document
from coachflow.platform.extensions import db
from coachflow.sales.api import EXAMPLES
from tests.conftest import empty_tables, make_app
from tests.factories import ProductLineFactory, TeamFactory, UserFactory
from tests.integration.test_api_support import ApiClient, issue_token

METHODS = {"get", "put", "post", "delete", "patch"}


def _template(rule: str) -> str:
    """``/api/v1/quotas/<int(max=…):quota_id>`` → ``/api/v1/quotas/{quota_id}``."""
    return re.sub(r"<(?:[^<>:]+:)?([^<>:]+)>", r"{\1}", rule)


def test_every_api_route_is_documented_and_every_documented_operation_exists(app):
    routed = {
        (_template(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {
        (path, method)
        for path, item in openapi_document()["paths"].items()
        for method in item
        if method in METHODS
    }
    assert routed - documented == set(), "declare these routes with coachflow.platform.api.endpoint"
    assert documented - routed == set(), "the document names operations that do not exist"


def test_the_document_is_public_openapi_3_1_with_bearer_security(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["security"] == [{"bearerAuth": []}]
    assert document["paths"]["/api/v1/openapi.json"]["get"]["security"] == []


def test_every_error_is_documented_as_problem_details():
    for path, item in openapi_document()["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            for status, response in operation["responses"].items():
                media = set(response.get("content", {}))
                success = {"application/pdf"} if path.endswith(".pdf") else {"application/json"}
                expected = success if status < "300" else {"application/problem+json"}
                assert media == expected, (method, path, status)


def test_batch_schemas_allow_at_most_1000_records():
    schemas = openapi_document()["components"]["schemas"]
    for name in ("Account", "Contact", "Deal", "Quota"):
        assert schemas[f"{name}Batch"]["properties"]["records"]["maxItems"] == 1000


# The fuzzer ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FuzzTarget:
    app: Flask
    token: str


@pytest.fixture(scope="module")
def fuzz_target(database_url, _schema) -> Iterator[FuzzTarget]:
    """One app and one data set for every operation: building and emptying them per operation
    would cost more than the fuzzing itself on PostgreSQL."""
    app = make_app(database_url)
    with app.app_context():
        admin = UserFactory(role=Role.ADMIN, email="admin@example.com")
        manager = UserFactory(role=Role.MANAGER, email="manager@example.com")
        UserFactory(
            role=Role.REP, email="rep@example.com", team=TeamFactory(name="North", manager=manager)
        )
        ProductLineFactory(code="HW", name="Hardware")
        db.session.commit()
        admin_id = admin.id
    token = issue_token(app, admin_id, "read,write")
    api = ApiClient(app.test_client(), token)
    # The records the document's examples name, so that the fuzz reaches successful writes.
    for kind in ("accounts", "contacts", "deals"):
        response = api.post(f"/{kind}/batch", json={"records": [EXAMPLES[kind]]})
        assert response.status_code == 200, response.get_json()
    assert api.post("/quotas", json=EXAMPLES["quotas"]).get_json()["id"] == 1
    yield FuzzTarget(app, token)
    empty_tables(app)


# Loaded from the dict at import: schemathesis' lazy ``from_fixture`` loader reads a private
# attribute that pytest 9.2 renamed, while the eager ``parametrize`` works; the app is passed
# to each call instead.
schema = schemathesis.openapi.from_dict(openapi_document())
# Few examples per operation keep the fuzz well under a minute on either database; raise
# COACHFLOW_FUZZ_EXAMPLES (and set COACHFLOW_FUZZ_RANDOM=1) to explore further by hand.
FUZZ_EXAMPLES = int(os.environ.get("COACHFLOW_FUZZ_EXAMPLES", "12"))
schema.config.generation.update(max_examples=FUZZ_EXAMPLES)


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,  # leave no .hypothesis directory in the work tree
    # The same examples on every run, so that a failure here is reproducible.
    derandomize=not os.environ.get("COACHFLOW_FUZZ_RANDOM"),
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_generated_request_as_documented(case, fuzz_target):
    case.call_and_validate(
        app=fuzz_target.app,
        # Schemathesis asks for gzip by default but its WSGI transport does not decode it.
        headers={"Authorization": f"Bearer {fuzz_target.token}", "Accept-Encoding": "identity"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ],
    )
