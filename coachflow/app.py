"""CoachFlow: surveys, coaching and quality-of-revenue scorecards for sales organisations."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, g, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wsgi import get_host

from coachflow.platform import api as platform_api
from coachflow.platform import health, web
from coachflow.platform.compression import init_compression
from coachflow.platform.extensions import csrf, db, limiter, login_manager, migrate
from coachflow.platform.formatting import init_formatting
from coachflow.platform.i18n import init_i18n
from coachflow.platform.jobs import init_celery
from coachflow.platform.mailing import init_mailing
from coachflow.platform.navigation import init_templates
from coachflow.platform.permissions import check_every_view_declares_an_action
from coachflow.platform.scheduler import init_scheduler

ROOT = Path(__file__).resolve().parent.parent

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


log = logging.getLogger(__name__)

UNTRUSTED_HOST = "coachflow.untrusted_host"


class TrustedHostCheck:
    """Lets through only requests for a host in ``TRUSTED_HOSTS`` (after ProxyFix applied any
    ``X-Forwarded-Host``). Any other host is swapped for the public base URL's and the request
    marked, so that the app answers its own 400 page: Flask would refuse it too, but without a
    URL adapter its error page could not be rendered (a 500)."""

    def __init__(self, wsgi_app: Callable, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        trusted = self.app.config["TRUSTED_HOSTS"]
        if trusted:
            try:
                get_host(environ, trusted)
            except SecurityError:
                public_host = urlsplit(self.app.config["PUBLIC_BASE_URL"]).netloc
                environ = {
                    **environ,
                    "HTTP_HOST": public_host,
                    UNTRUSTED_HOST: environ.get("HTTP_HOST", ""),
                }
        return self.wsgi_app(environ, start_response)


# The domains, in their order: a domain may import the ones before it, never one after it.
# Each package's ``register(app)`` adds its blueprints, commands, navigation, jobs and demo.
DOMAINS = (
    "accounts",
    "sales",
    "questionnaires",
    "surveys",
    "pulse",
    "followups",
    "coaching",
    "scorecards",
    "dashboards",
)


def create_app(config: object | None = None) -> Flask:
    """Build the application: configuration, extensions, domains, error pages, headers."""
    from config import Config, create_private_sqlite_file

    if config is None:
        config = Config()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=getattr(config, "INSTANCE_DIR", None) or str(ROOT / "instance"),
    )
    app.config.from_object(config)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent / "translations")
    logging.basicConfig(level=logging.INFO)
    create_private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])

    register_trusted_hosts(app)
    register_extensions(app)
    register_domains(app)
    register_errorhandlers(app)
    register_security_headers(app)
    # Last: the periodic tasks are known once every domain has registered.
    init_scheduler(app)
    return app


def register_trusted_hosts(app: Flask) -> None:
    """Refuse requests for an unknown host before any other hook runs (see TrustedHostCheck)."""
    trusted = app.config["TRUSTED_HOSTS"]
    public = urlsplit(app.config["PUBLIC_BASE_URL"]).hostname
    if trusted and public and public not in trusted:
        # The public address is the app's own: a refused request is answered as if sent to it.
        app.config["TRUSTED_HOSTS"] = [*trusted, public]
    app.wsgi_app = TrustedHostCheck(app.wsgi_app, app)

    @app.before_request
    def refuse_untrusted_host() -> None:
        if UNTRUSTED_HOST in request.environ:
            log.warning("refused a request for host %r", request.environ[UNTRUSTED_HOST])
            abort(400)


def register_extensions(app: Flask) -> None:
    # Before any rule is added: every <int:…> then refuses ids the database cannot hold.
    app.url_map.converters["int"] = web.DatabaseIntConverter
    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.session_interface = SessionInterface()
    app.request_class = web.Request
    # Before CSRFProtect parses the form, so that an upload's larger limit applies to it.
    web.init_upload_limits(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    init_mailing(app)
    init_i18n(app)
    init_celery(app)
    init_templates(app)
    init_formatting(app)
    init_compression(app)


def register_domains(app: Flask) -> None:
    """Let each domain register itself, in order, then the shared pages; refuse to start when a
    view skipped the permission layer."""
    for name in DOMAINS:
        importlib.import_module(f"coachflow.{name}").register(app)
    # The REST API's endpoints were added by the domains' api modules as they registered.
    app.register_blueprint(platform_api.bp)
    app.register_blueprint(health.bp)
    check_every_view_declares_an_action(app)


def register_errorhandlers(app: Flask) -> None:
    from coachflow.platform.error_pages import register

    register(app)


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", web.style_sources(CONTENT_SECURITY_POLICY))
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        # A page reached by a token link never tells another site where it came from.
        headers["Referrer-Policy"] = "no-referrer" if g.get("token_link") else "same-origin"
        if request.is_secure:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if "text/html" in response.mimetype and request.endpoint != "static":
            headers.setdefault("Cache-Control", "no-store")
        return response
