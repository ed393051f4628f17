"""Helpers the API tests share: tokens for the org's people, a bearer client, sample records.

No tests here; pytest collects the module and finds none.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from coachflow.accounts import tokens
from coachflow.accounts.models import User
from coachflow.platform.extensions import db


def issue_token(app: Flask, user_id: int, scopes: str = "read", name: str = "test") -> str:
    """A fresh token for ``user_id``, as the admin page would issue it."""
    with app.app_context():
        user = db.session.get(User, user_id)
        return tokens.create_token(user, name=name, scopes=scopes, by=None).token


class ApiClient:
    """The test client with a bearer token, speaking JSON to ``/api/v1``."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def open(self, method: str, path: str, **kwargs: Any) -> TestResponse:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.open("/api/v1" + path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("GET", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("PUT", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("POST", path, **kwargs)


def account(ext: str = "A1", owner: str | None = "rep@example.com", **over: Any) -> dict:
    return {
        "external_id": ext,
        "name": f"Company {ext}",
        "owner_email": owner,
        "territory": "North",
        **over,
    }


def contact(ext: str = "C1", account_ext: str = "A1", **over: Any) -> dict:
    return {
        "external_id": ext,
        "account_external_id": account_ext,
        "name": f"Person {ext}",
        "email": f"{ext.lower()}@customer.example",
        "language": "de",
        **over,
    }


def deal(
    ext: str = "D1", account_ext: str = "A1", rep: str = "rep@example.com", **over: Any
) -> dict:
    return {
        "external_id": ext,
        "account_external_id": account_ext,
        "rep_email": rep,
        "product_line": "HW",
        "amount": "1200.50",
        "currency": "EUR",
        "margin": "300",
        "stage": "won",
        "closed_on": "2026-03-07",
        **over,
    }


def quota(rep: str = "rep@example.com", period: str = "2026-Q1", **over: Any) -> dict:
    return {
        "rep_email": rep,
        "period": period,
        "product_line": "HW",
        "currency": "EUR",
        "revenue_target": "50000",
        "bookings_target": 4,
        **over,
    }


def without(record: dict, *names: str) -> dict:
    return {k: v for k, v in record.items() if k not in names}


def assert_problem(response: TestResponse, status: int) -> dict:
    """The response is RFC 9457 problem details with ``status``; its body."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body
