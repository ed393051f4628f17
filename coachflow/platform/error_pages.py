"""Error pages: a clear message and the right status, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.web import FormNotUtf8

log = logging.getLogger(__name__)


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Go back and try again.")),
        403: (_("Not allowed"), _("Your account does not have access to this page.")),
        404: (_("Page not found"), _("There is no page at this address.")),
        405: (_("Not allowed"), _("This page cannot be used this way.")),
        410: (_("Link no longer valid"), _("This link has expired or was already used.")),
        413: (
            _("Upload too large"),
            _("The file or form is larger than this server accepts. Send something smaller."),
        ),
        429: (
            _("Too many attempts"),
            _("There were too many attempts in a short time. Wait a few minutes and try again."),
        ),
        500: (
            _("Something went wrong"),
            _("We could not complete this request. Nothing was changed; please try again."),
        ),
    }


def render_error(status: int, message: str | None = None):
    """The error page for ``status``, with ``message`` in place of the generic text."""
    titles = _messages()
    title, default = titles.get(status, titles[400] if status < 500 else titles[500])
    return render_template(
        "errors/error.html", status=status, title=title, message=message or default
    ), status


def register(app: Flask) -> None:
    """Install the handlers on ``app``."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400,
            _(
                "This form has expired or was sent from another site. Reload the page and send "
                "it again."
            ),
        )

    @app.errorhandler(FormNotUtf8)
    def form_not_utf8(error: FormNotUtf8):
        return render_error(
            400,
            _(
                "The form contained characters that are not valid UTF-8 text, so it was not "
                "read. Reload the page and send it again."
            ),
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return render_error(error.status_code, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        db.session.rollback()
        log.exception("unhandled error", exc_info=error.original_exception)
        return render_error(500)
