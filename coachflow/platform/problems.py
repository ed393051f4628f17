"""Every API error in one shape: RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask_babel import gettext as _

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Problem types of our own; everything else is "about:blank" (the status code says it all).
VALIDATION = "urn:coachflow:problem:validation"
INVALID_PARAMETER = "urn:coachflow:problem:invalid-parameter"
MALFORMED_BODY = "urn:coachflow:problem:malformed-body"


def titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Bearer token required"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("Request too large"),
        415: _("Unsupported media type"),
        422: _("Invalid records"),
        429: _("Too many requests"),
        500: _("Internal error"),
    }


def problem(
    status: int,
    detail: str,
    *,
    type_: str = "about:blank",
    title: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: list[tuple[str, str]] | None = None,
    **extra: Any,
) -> Response:
    """A problem details response; ``errors`` lists ``{pointer | parameter, detail}`` items."""
    known = titles()
    body: dict[str, Any] = {
        "type": type_,
        "title": title or known.get(status) or known[500 if status >= 500 else 400],
        "status": status,
        "detail": detail,
        **extra,
    }
    if errors is not None:
        body["errors"] = errors
    response = current_app.json.response(body)
    response.status_code = status
    response.mimetype = PROBLEM_MEDIA_TYPE
    for name, value in headers or []:
        response.headers[name] = value
    return response
