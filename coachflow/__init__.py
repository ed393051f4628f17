"""CoachFlow: surveys, coaching and quality-of-revenue scorecards for sales organisations."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, g, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wsgi import get_host

from coachflow.extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)
UNTRUSTED_HOST = "coachflow.untrusted_host"

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


def create_app(config: object | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, commands, error pages."""
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
    create_private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent / "translations")
    logging.basicConfig(level=logging.INFO)

    register_trusted_hosts(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_commands(app)
    return app


def register_trusted_hosts(app: Flask) -> None:
    """Refuse requests for an unknown host before any other hook runs (see TrustedHostCheck)."""
    app.wsgi_app = TrustedHostCheck(app.wsgi_app, app)

    @app.before_request
    def refuse_untrusted_host() -> None:
        if UNTRUSTED_HOST in request.environ:
            log.warning("refused a request for host %r", request.environ[UNTRUSTED_HOST])
            abort(400)


def register_extensions(app: Flask) -> None:
    import coachflow.sales.models
    import coachflow.surveys.models  # noqa: F401
    from coachflow.accounts.services import load_session_user
    from coachflow.core.navigation import init_templates
    from coachflow.i18n import init_i18n
    from coachflow.jobs import init_celery
    from coachflow.mailing import init_mailing

    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.session_interface = SessionInterface()

    from coachflow.sales.import_views import UPLOAD_ENDPOINTS

    @app.before_request
    def allow_large_uploads() -> None:
        # Registered before CSRFProtect parses the form, so the larger limit applies to it.
        if request.endpoint in UPLOAD_ENDPOINTS:
            request.max_content_length = app.config["IMPORT_MAX_BYTES"] + 1024 * 1024

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    init_mailing(app)
    init_i18n(app)
    init_celery(app)
    init_templates(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_session_user)


def register_blueprints(app: Flask) -> None:
    from coachflow.web import DatabaseIntConverter

    # Before any rule is added: every <int:…> then refuses ids the database cannot hold.
    app.url_map.converters["int"] = DatabaseIntConverter
    from coachflow.accounts.views import bp as accounts_bp
    from coachflow.api.admin import bp as api_tokens_bp
    from coachflow.api.v1 import bp as api_bp
    from coachflow.auth.permissions import check_every_view_declares_an_action
    from coachflow.auth.views import bp as auth_bp
    from coachflow.core.views import bp as core_bp
    from coachflow.sales.import_views import bp as sales_imports_bp
    from coachflow.sales.views import bp as sales_bp
    from coachflow.surveys.builder_views import bp as surveys_bp
    from coachflow.surveys.privacy_views import bp as contact_privacy_bp
    from coachflow.surveys.public_views import bp as public_bp
    from coachflow.surveys.results_views import bp as survey_results_bp
    from coachflow.surveys.send_views import bp as survey_sending_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(sales_imports_bp)
    app.register_blueprint(sales_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_tokens_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(survey_results_bp)
    app.register_blueprint(contact_privacy_bp)
    app.register_blueprint(survey_sending_bp)
    check_every_view_declares_an_action(app)


def register_errorhandlers(app: Flask) -> None:
    from coachflow.core.errors import register

    register(app)


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
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


def register_commands(app: Flask) -> None:
    from coachflow.accounts.cli import seed_demo, users_cli
    from coachflow.api.cli import api_token_cli
    from coachflow.sales.cli import import_cli
    from coachflow.surveys.cli import surveys_cli
    from coachflow.surveys.privacy_views import contacts_cli

    app.cli.add_command(seed_demo)
    app.cli.add_command(users_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(api_token_cli)
    app.cli.add_command(surveys_cli)
    app.cli.add_command(contacts_cli)
