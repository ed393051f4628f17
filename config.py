"""CoachFlow configuration: one object, read from the environment.

Every setting has an embedded default (SQLite under ``instance/``, no broker, mail printed to the
console), so ``make run`` needs nothing installed; production sets the variables listed in the
README.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.pool import NullPool

from coachflow.platform.i18n import LANGUAGES

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("COACHFLOW_INSTANCE_DIR", BASE_DIR / "instance"))


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def make_private_dir(path: Path) -> None:
    """Create ``path`` so that only the service user can list or read it (0700)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def create_private_sqlite_file(database_url: str) -> None:
    """Create the file of a SQLite database URL with mode 0600 before SQLAlchemy opens it (SQLite
    would create it world-readable; its journal files take the database file's mode)."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    path = url.database
    if url.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return
    if path.startswith("file:") or url.query.get("uri"):
        return
    make_private_dir(Path(path).parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return


def load_or_create_secret_key(instance_dir: Path) -> str:
    """Return ``instance/secret_key``, creating it with 256 random bits on first run."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    make_private_dir(instance_dir)
    key = secrets.token_hex(32)
    # Create with 0600 so that only the service user can read it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def normalise_database_url(url: str) -> str:
    """Map ``postgres://`` and ``postgresql://`` to the psycopg 3 driver SQLAlchemy should use."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def default_trusted_hosts(public_base_url: str) -> list[str]:
    """The host of the public base URL, and the local names a developer or a health check uses."""
    hosts = [urlsplit(public_base_url).hostname or "localhost", "localhost", "127.0.0.1"]
    return list(dict.fromkeys(hosts))


class Config:
    """Settings read from the environment when the object is created."""

    def __init__(self) -> None:
        env = os.environ
        self.INSTANCE_DIR = str(INSTANCE_DIR)
        self.SECRET_KEY = env.get("SECRET_KEY") or load_or_create_secret_key(INSTANCE_DIR)
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(
            env.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'coachflow.sqlite'}"
        )
        # Connections each process keeps open: at least gunicorn's --threads, or connections
        # beyond the pool are opened and closed for every request.
        # A connection is checked before use (one a proxy or a restart dropped is replaced) and
        # replaced after DATABASE_POOL_RECYCLE seconds, before a proxy's idle timeout (often 5
        # minutes or more) closes it.
        self.SQLALCHEMY_ENGINE_OPTIONS = {
            "pool_pre_ping": True,
            "pool_size": _int("DATABASE_POOL_SIZE", 5),
            "pool_recycle": _int("DATABASE_POOL_RECYCLE", 240),
        }
        self.REDIS_URL = env.get("REDIS_URL") or None

        # Mail: without MAIL_SERVER, messages are printed to the console instead of sent.
        self.MAIL_SERVER = env.get("MAIL_SERVER") or None
        self.MAIL_PORT = _int("MAIL_PORT", 25)
        self.MAIL_USE_TLS = _flag("MAIL_USE_TLS")
        self.MAIL_USE_SSL = _flag("MAIL_USE_SSL")
        self.MAIL_USERNAME = env.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD") or None
        self.MAIL_DEFAULT_SENDER = env.get("MAIL_DEFAULT_SENDER", "CoachFlow <no-reply@localhost>")
        self.MAIL_SUPPRESS_SEND = self.MAIL_SERVER is None

        self.BABEL_DEFAULT_LOCALE = env.get("BABEL_DEFAULT_LOCALE", "en")
        self.BABEL_DEFAULT_TIMEZONE = "UTC"
        self.LANGUAGES = LANGUAGES

        # Served over HTTPS behind a proxy: trust this many X-Forwarded-* hops.
        self.PROXY_HOPS = _int("PROXY_HOPS", 0)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        # True forces the Secure flag; otherwise it is set whenever the request came over HTTPS.
        self.SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE")
        self.PERMANENT_SESSION_LIFETIME = _int("SESSION_LIFETIME_SECONDS", 12 * 3600)
        self.PREFERRED_URL_SCHEME = env.get("PREFERRED_URL_SCHEME", "http")
        self.SERVER_NAME = env.get("SERVER_NAME") or None
        # Where every emailed link points (https://coachflow.example.com): never the request's
        # Host, which anyone can forge. Requests for any other host are refused with a 400.
        self.PUBLIC_BASE_URL = (env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
        self.TRUSTED_HOSTS = _list("TRUSTED_HOSTS") or default_trusted_hosts(self.PUBLIC_BASE_URL)

        self.MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
        # A form (not a file in it) may have this many fields and bytes; beyond: a 413.
        self.MAX_FORM_PARTS = _int("MAX_FORM_PARTS", 1000)
        self.MAX_FORM_MEMORY_SIZE = _int("MAX_FORM_MEMORY_SIZE", 2 * 1024 * 1024)
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

        self.PASSWORD_HASH_METHOD = env.get("PASSWORD_HASH_METHOD", "scrypt")
        self.PASSWORD_RESET_TTL_SECONDS = _int("PASSWORD_RESET_TTL_SECONDS", 3600)
        # A reset request lasts at least this long, known address or not (timing tells nothing).
        self.PASSWORD_RESET_MIN_SECONDS = float(env.get("PASSWORD_RESET_MIN_SECONDS", "0.5"))
        self.PASSWORD_RESET_MAILS_PER_HOUR = _int("PASSWORD_RESET_MAILS_PER_HOUR", 3)
        # Failed sign-ins per account from one address, and from one address for any account.
        self.LOGIN_LIMIT_PER_ACCOUNT = env.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
        self.LOGIN_LIMIT_PER_ADDRESS = env.get("LOGIN_LIMIT_PER_ADDRESS", "30 per 15 minutes")
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_HEADERS_ENABLED = True

        self.PAGE_SIZE = _int("PAGE_SIZE", 25)
        # Sales figures are summed in one currency; imports refuse rows in another.
        self.SALES_CURRENCY = env.get("SALES_CURRENCY", "EUR").upper()
        self.IMPORT_MAX_BYTES = _int("IMPORT_MAX_BYTES", 100 * 1024 * 1024)
        # Without a broker, long jobs run on a thread of the web process; inline when set.
        self.JOBS_INLINE = _flag("JOBS_INLINE")
        # Without a broker, the app runs the periodic work (reminders, retries, expiry) itself;
        # turn it off when cron or another process does it. The interval of every periodic
        # task can be replaced (seconds; the tests run them every second).
        self.EMBEDDED_SCHEDULER = _flag("EMBEDDED_SCHEDULER", True)
        self.JOBS_PERIODIC_SECONDS = _int("JOBS_PERIODIC_SECONDS", 0) or None
        # Survey mail-out: how long to wait on the SMTP server, and the days a contact is left
        # alone after any invitation.
        self.MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 30)
        # How long a claimed batch of the mail-out is held before another worker may take it
        # (longer than a batch takes to send); a lost job is delivered again just after it.
        self.MAIL_LEASE_SECONDS = _int("MAIL_LEASE_SECONDS", 2 * 60)
        # A job lost with its worker is delivered again after this long; it must be longer than
        # any job runs, or a long import would start a second time while the first still runs.
        # (A mail-out does not wait for it: the periodic tick resumes it after its lease.)
        self.JOBS_REDELIVERY_SECONDS = _int("JOBS_REDELIVERY_SECONDS", 3600)
        self.SURVEY_THROTTLE_DAYS = _int("SURVEY_THROTTLE_DAYS", 90)


class TestConfig(Config):
    """The suite's settings: a throwaway database, cheap hashing, mail to the test's SMTP server."""

    def __init__(self, database_url: str, **overrides: object) -> None:
        super().__init__()
        self.TESTING = True
        self.SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(database_url)
        # Each test builds its own app: no pool, so no connection outlives the app that opened it.
        self.SQLALCHEMY_ENGINE_OPTIONS = {"poolclass": NullPool}
        self.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 (cheap hashing in tests)
        self.PASSWORD_RESET_MIN_SECONDS = 0.0  # the timing test sets its own
        self.REDIS_URL = None
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.MAIL_SERVER = None
        self.MAIL_SUPPRESS_SEND = True
        self.JOBS_INLINE = True
        self.PUBLIC_BASE_URL = "http://localhost"
        self.TRUSTED_HOSTS = ["localhost", "127.0.0.1"]
        for key, value in overrides.items():
            setattr(self, key, value)
        if "PUBLIC_BASE_URL" in overrides and "TRUSTED_HOSTS" not in overrides:
            self.TRUSTED_HOSTS = default_trusted_hosts(self.PUBLIC_BASE_URL)
