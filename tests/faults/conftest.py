"""The fault suite's parts: an SMTP server that can be slow, refuse or go down; real Celery
workers and a real ``flask run`` process to kill; PostgreSQL backends to terminate; and counting
the messages that arrived against the invitations they were for.

Cases that need Redis or PostgreSQL are skipped, saying which, where those are not running.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
import redis
from aiosmtpd.controller import Controller
from sqlalchemy import select, update
from sqlalchemy.engine import make_url

import config
from coachflow.lib import tokens
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.surveys.models import Invitation, InvitationStatus
from tests.conftest import free_port
from tests.integration.test_surveys_distribution_support import survey_in
from tests.survey_factories import make_invitation

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URL = "redis://127.0.0.1:6379/12"
PUBLIC_BASE_URL = "https://feedback.example"
SECRET_KEY = config.TestConfig("sqlite://").SECRET_KEY
LINK = re.compile(r"/s/([\w-]{20,128})(?:\s|$)")


# Services -------------------------------------------------------------------------------------


@pytest.fixture
def postgres(database_url) -> str:
    """The suite's database, which must be PostgreSQL (its backends are terminated)."""
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip(
            "terminating database connections needs PostgreSQL: run with "
            "COACHFLOW_TEST_DB=postgresql+psycopg://…"
        )
    return database_url


@pytest.fixture
def broker() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        client.close()
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


def with_application_name(database_url: str, name: str) -> str:
    """``database_url`` whose connections show ``name`` in ``pg_stat_activity``."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return database_url
    return url.update_query_dict({"application_name": name}).render_as_string(hide_password=False)


def terminate(database_url: str, application_name: str, *, waiting_on_lock: bool = False) -> int:
    """Terminate this database's backends of ``application_name`` (only those waiting on a
    lock, when asked); returns how many."""
    url = make_url(database_url)
    dsn = url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s "
            "AND pid <> pg_backend_pid() AND (NOT %s OR wait_event_type = 'Lock')",
            (application_name, waiting_on_lock),
        ).fetchall()
    return sum(1 for (done,) in rows if done)


def wait_for(condition: Callable[[], bool], seconds: float, what: str, *, log: Path | None = None):
    """Poll ``condition`` until it holds; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            tail = log.read_text()[-4000:] if log is not None and log.exists() else ""
            pytest.fail(f"{what} did not happen within {seconds:.0f} s\n{tail}")
        time.sleep(0.1)


# An SMTP server that can be slow, refuse and go down ------------------------------------------


@dataclass
class FaultySmtp:
    """A local SMTP server: ``delay`` seconds per message, ``refusing`` answers 451 to every
    recipient, ``stop()`` and ``start()`` take it down and bring it back on the same port."""

    port: int = field(default_factory=free_port)
    delay: float = 0.0
    refusing: bool = False
    refused: int = 0
    messages: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing:
            with self.lock:
                self.refused += 1
            return "451 4.7.1 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append(envelope.content)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def tokens(self) -> list[str]:
        with self.lock:
            found = [LINK.search(data.decode("ascii", "replace")) for data in self.messages]
        return [match.group(1) for match in found if match]


@pytest.fixture
def smtp() -> Iterator[FaultySmtp]:
    server = FaultySmtp()
    server.start()
    yield server
    server.stop()


# Invitations and what arrived for them ---------------------------------------------------------


def queued_invitations(app, org, count: int) -> list[int]:
    """``count`` invitations of one survey, queued and due, that nothing has started to send."""
    with app.app_context():
        survey = survey_in(org.manager)
        ids = []
        for n in range(count):
            invitation, _token = make_invitation(
                app,
                survey,
                email=f"customer{n}@example.com",
                rep_id=org.rep,
                team_id=org.team,
                status=InvitationStatus.QUEUED,
            )
            ids.append(invitation.id)
        db.session.execute(
            update(Invitation)
            .where(Invitation.id.in_(ids))
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        return ids


def statuses(app, ids: list[int]) -> Counter:
    with app.app_context():
        db.session.remove()
        return Counter(db.session.scalars(select(Invitation.status).where(Invitation.id.in_(ids))))


def all_sent(app, ids: list[int]) -> Callable[[], bool]:
    return lambda: statuses(app, ids) == Counter({InvitationStatus.SENT: len(ids)})


def deliveries(app, server: FaultySmtp, ids: list[int]) -> Counter:
    """Messages that arrived per invitation, by the token in each message's link; a message
    whose link matches none of ``ids`` fails the test."""
    with app.app_context():
        by_hash = dict(
            db.session.execute(
                select(Invitation.token_hash, Invitation.id).where(Invitation.id.in_(ids))
            ).all()
        )
    counted: Counter = Counter()
    for token in server.tokens():
        invitation_id = by_hash.get(tokens.hash_token(token))
        assert invitation_id is not None, f"a message with a link to no invitation: {token}"
        counted[invitation_id] += 1
    return counted


def assert_none_lost(counted: Counter, ids: list[int], *, crashes: int) -> None:
    """Every invitation got its message; none got more than one extra per crash."""
    lost = [i for i in ids if counted[i] == 0]
    assert lost == [], f"{len(lost)} invitation(s) never sent"
    over = {i: n for i, n in counted.items() if n > 1 + crashes}
    assert over == {}, f"more than {crashes} duplicate(s) per invitation: {over}"


# Processes -------------------------------------------------------------------------------------


def process_env(database_url: str, smtp_port: int, tmp_path: Path, **settings: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "MAIL_SERVER", "DATABASE_URL", "EMBEDDED_SCHEDULER")
    }
    return {
        **env,
        "DATABASE_URL": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "MAIL_TIMEOUT": "5",
        "SECRET_KEY": SECRET_KEY,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "COACHFLOW_INSTANCE_DIR": str(tmp_path / "instance"),
        **settings,
    }


@dataclass
class Running:
    """A process the test started, with its log."""

    process: subprocess.Popen
    log: Path

    def kill(self) -> None:
        """As an out-of-memory kill or a pulled plug: no chance to clean up."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""


@pytest.fixture
def processes() -> Iterator[Callable[..., Running]]:
    """Start processes (``start(args, env, log_name)``); every one is stopped at the end."""
    started: list[tuple[Running, object]] = []

    def start(args: list[str], env: dict, log_path: Path) -> Running:
        handle = log_path.open("w")
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
        running = Running(process, log_path)
        started.append((running, handle))
        return running

    yield start
    for running, handle in started:
        running.stop()
        handle.close()


def worker_args(*, beat_schedule: Path | None = None) -> list[str]:
    """A Celery worker on the default queue of the suite's own Redis database."""
    args = [
        str(BIN / "celery"),
        "-A",
        "wsgi.celery",
        "worker",
        "--pool",
        "solo",
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if beat_schedule is not None:
        args += ["--beat", "--schedule", str(beat_schedule)]
    return args
