"""Who is asking, on pages: the organisation's logo served from our own host, and the
``organisation_branding()`` template global the respondent's pages and mails draw on."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, abort, g, request, url_for

from coachflow.accounts import organisation
from coachflow.accounts.organisation import Branding
from coachflow.platform.permissions import PUBLIC, requires

bp = Blueprint("branding", __name__)

# The logo's URL names its content, so a browser keeps it for a year; a URL of an earlier logo
# (an old mail) still gets the current one, but only for a short while.
CACHE_FOREVER = "public, max-age=31536000, immutable"
CACHE_BRIEFLY = "public, max-age=300"
# Opened directly, an SVG is a document: it may draw, and run or load nothing.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@bp.route("/branding/<filename>")
@requires(PUBLIC)
def logo(filename: str):
    found = organisation.logo()
    if found is None:
        abort(404)
    data, media_type, digest = found
    response = Response(data, mimetype=media_type)
    current = filename == organisation.logo_file(digest, media_type)
    response.headers["Cache-Control"] = CACHE_FOREVER if current else CACHE_BRIEFLY
    response.set_etag(digest)
    if media_type == "image/svg+xml":
        response.headers["Content-Security-Policy"] = SVG_POLICY
        response.headers["Content-Disposition"] = 'inline; filename="logo.svg"'
    return response.make_conditional(request)


def page_branding() -> Branding:
    """The organisation's branding with the logo's URL on this host, read once per request."""
    if "page_branding" not in g:
        found = organisation.branding()
        if found.logo_file:
            found = replace(found, logo_url=url_for("branding.logo", filename=found.logo_file))
        g.page_branding = found
    return g.page_branding
