"""Small helpers that views share: form errors from domain errors, safe redirects, paging, and
the absolute links that mail carries."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

from flask import Flask, abort, current_app, flash, g, request
from flask import Request as FlaskRequest
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
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


class FormNotUtf8(BadRequest):
    """A form body with bytes that are not UTF-8 text: refused, rather than read as empty."""


class _FormParser(FormDataParser):
    """Werkzeug's form parser, but a URL-encoded body that is not UTF-8 is a 400 (Werkzeug reads
    it as an empty form, so an answer given would be reported missing), and one with more fields
    or bytes than the limits for ``multipart/form-data`` (``MAX_FORM_PARTS``,
    ``MAX_FORM_MEMORY_SIZE``) is a 413 before it is parsed. Multipart text fields that are not
    UTF-8 are refused the same way."""

    def _parse_urlencoded(
        self, stream: IO[bytes], mimetype: str, content_length: int | None, options: Any
    ) -> Any:
        body = stream.read()
        if self.max_form_memory_size is not None and len(body) > self.max_form_memory_size:
            raise RequestEntityTooLarge()
        if self.max_form_parts is not None and body.count(b"&") >= self.max_form_parts:
            raise RequestEntityTooLarge()
        try:
            items = parse_qsl(body.decode(), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise FormNotUtf8() from None
        return stream, self.cls(items), self.cls()

    def _parse_multipart(
        self, stream: IO[bytes], mimetype: str, content_length: int | None, options: Any
    ) -> Any:
        stream, form, files = super()._parse_multipart(stream, mimetype, content_length, options)
        if any("\ufffd" in value for _name, value in form.items(multi=True)):
            raise FormNotUtf8()
        return stream, form, files


class Request(FlaskRequest):
    """The app's request: forms are read by :class:`_FormParser`."""

    form_data_parser_class = _FormParser


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


def inline_style(css: str) -> Markup:
    """A ``<style>`` element that the page's Content-Security-Policy admits by its SHA-256 (see
    ``style_sources``). ``css`` must be the application's own text, never a person's input."""
    if "<" in css:
        raise ValueError("an inline style holds no markup")
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    g.setdefault("inline_style_hashes", []).append(f"'sha256-{digest}'")
    return Markup("<style>%s</style>") % Markup(css)  # noqa: S704 (the app's own CSS, no markup)


def style_sources(policy: str) -> str:
    """``policy`` with the hashes of this response's inline styles added to its ``style-src``."""
    hashes = g.get("inline_style_hashes")
    if not hashes:
        return policy
    return policy.replace("style-src 'self'", f"style-src 'self' {' '.join(hashes)}", 1)
