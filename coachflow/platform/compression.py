"""Compressed responses: text (pages, styles, scripts, JSON, SVG) goes out as zstd, Brotli or
gzip, whichever the client prefers, through Flask-Compress.

A page that embeds a CSRF token is sent as it is: compressing a secret beside text an attacker
can put on the same page lets them guess it from the sizes (BREACH). The respondent's pages, the
stylesheets and the API carry none.
"""

from __future__ import annotations

from flask import Flask, Response, g, request
from flask_compress import Compress

compress = Compress()


def init_compression(app: Flask) -> None:
    """Compress every text response except those that carry a CSRF token."""
    app.config.setdefault("COMPRESS_REGISTER", False)  # registered below, with the exception
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    # A streamed body (an export, a generator) goes out as it comes; static files are read
    # whole below, so that the file is closed with the response.
    app.config.setdefault("COMPRESS_STREAMS", False)
    compress.init_app(app)

    @app.after_request
    def compress_response(response: Response) -> Response:
        if g.get(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")):
            return response
        if response.status_code == 206:  # a range of a file: its Content-Range counts bytes
            return response
        if request.endpoint == "static" and response.mimetype in compress.compress_mimetypes_set:
            response.direct_passthrough = False
            response.make_sequence()  # the stylesheet, script or icon: a few KB
        return compress.after_request(response)
