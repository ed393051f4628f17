"""Small helpers that views share: form errors from domain errors, safe redirects, paging."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask, flash, request
from flask_wtf import FlaskForm

from coachflow.platform.errors import DomainError


def apply_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal beside the field it names, or as a message above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def is_safe_next(url: str) -> bool:
    """Only same-site paths may be redirected to after sign-in (no open redirect)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def allow_large_uploads(app: Flask, endpoints: Iterable[str], max_bytes: int) -> None:
    """Let requests to ``endpoints`` carry up to ``max_bytes`` (file uploads)."""
    app.extensions.setdefault("coachflow.upload_limits", {}).update(
        dict.fromkeys(endpoints, max_bytes)
    )


def init_upload_limits(app: Flask) -> None:
    """Apply the upload limits that domains declared; install before CSRFProtect."""

    @app.before_request
    def upload_limit() -> None:
        limits = app.extensions.get("coachflow.upload_limits", {})
        if request.endpoint in limits:
            request.max_content_length = limits[request.endpoint]
