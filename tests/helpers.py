"""Small helpers shared by tests."""

from __future__ import annotations

import re
from email.message import EmailMessage

from flask.testing import FlaskClient


def text_of(message: EmailMessage) -> str:
    """The plain-text part of a multipart message."""
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link_in(message: EmailMessage) -> str:
    """The path of the first CoachFlow link in a message's text."""
    match = re.search(r"https?://[^/\s]+(/password/reset/[\w-]+)", text_of(message))
    assert match, text_of(message)
    return match.group(1)


def sign_in(client: FlaskClient, email: str, password: str, **kwargs):
    """Submit the sign-in form as a person would (CSRF token included)."""
    page = client.get("/login")
    return client.post(
        "/login" + kwargs.pop("query", ""),
        data={"email": email, "password": password, "csrf_token": _token_in(page.data)},
        **kwargs,
    )


def csrf_token(client: FlaskClient, path: str) -> str:
    return _token_in(client.get(path).data)


def _token_in(html: bytes) -> str:
    token = re.search(rb'name="[\w-]*csrf_token"[^>]*value="([^"]+)"', html)
    assert token, html[:500]
    return token.group(1).decode()
