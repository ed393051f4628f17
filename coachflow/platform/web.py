"""Small helpers that views share: form errors from domain errors, safe redirects, paging, and
the absolute links that mail carries."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter
from wtforms import Field, ValidationError

from coachflow.lib import emails
from coachflow.platform.errors import DomainError

# The largest id or number a query compares with an INTEGER column (32 bits on PostgreSQL): a
# larger one makes the database driver raise instead of finding nothing.
DATABASE_INT_MAX = 2**31 - 1


def apply_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal beside the field it names, or as a message above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


class EmailAddress:
    """WTForms validator: the one address check every entry point uses (``lib.emails``),
    refusing with its reason."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data:
            try:
                emails.check(field.data)
            except emails.InvalidAddress as error:
                raise ValidationError(_(error.reason, value=error.value[:60])) from None


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


def external_url(endpoint: str, **values: object) -> str:
    """An absolute URL for ``endpoint`` on ``PUBLIC_BASE_URL``, whatever request is being served:
    every link in a mail is built here, so a forged ``Host`` header never gets into one."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


class DatabaseIntConverter(IntegerConverter):
    """``<int:…>`` in URL rules, bounded to what the database holds: a larger id is a 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=DATABASE_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def int_arg(
    name: str, default: int | None = None, *, source: MultiDict | None = None
) -> int | None:
    """A whole-number query (or ``source``) argument: ``default`` when absent or not a number, a
    400 page when it is beyond what the database can compare with."""
    value = (request.args if source is None else source).get(name, type=int)
    if value is None:
        return default
    if not -DATABASE_INT_MAX - 1 <= value <= DATABASE_INT_MAX:
        abort(400)
    return value


def page_arg(name: str = "page") -> int:
    """A page number from 1 (absent or not a number: 1); one beyond what the database can skip
    to is past the last page, as any too large page number is."""
    return min(max(1, request.args.get(name, 1, type=int)), DATABASE_INT_MAX)
