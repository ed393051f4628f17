"""Small helpers that views share: form errors from domain errors, safe redirects, paging, and
the absolute links that mail carries."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash
from flask_wtf import FlaskForm

from coachflow.errors import DomainError


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


def external_url(endpoint: str, **values: object) -> str:
    """An absolute URL for ``endpoint`` on ``PUBLIC_BASE_URL``, whatever request is being served:
    every link in a mail is built here, so a forged ``Host`` header never gets into one."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)
