"""Fixtures: an app per configuration, a clean database per test, a real SMTP server.

``COACHFLOW_TEST_DB`` picks the database: ``sqlite`` (a file per run) or a PostgreSQL URL.
Services own their transactions and commit, so a test sees real commits; each test starts from
empty tables instead of a rolled-back transaction.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from coachflow.app import create_app
from coachflow.platform.extensions import db
from config import TestConfig

TEST_DB = os.environ.get("COACHFLOW_TEST_DB", "sqlite")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Real mail: an aiosmtpd server the app sends to; tests read what arrived. -----------------


@dataclass
class Mailbox:
    """Every message the test SMTP server received, parsed."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in m["To"]]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    box, _port = smtp_server
    box.clear()
    return box


# Database and app --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DB == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    return TEST_DB


def make_app(database_url: str, smtp_port: int | None = None, **overrides: object) -> Flask:
    """An app on the test database; mail goes to the test SMTP server when a port is given."""
    if smtp_port is not None:
        overrides.setdefault("MAIL_SERVER", "127.0.0.1")
        overrides.setdefault("MAIL_PORT", smtp_port)
        overrides.setdefault("MAIL_SUPPRESS_SEND", False)
    return create_app(TestConfig(database_url, **overrides))


def reset_schema(app: Flask) -> None:
    """Drop whatever is there and build the schema through the migrations."""
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()


def empty_tables(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                _empty_postgresql(conn, tables)
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))  # noqa: S608 (table names from metadata)


def _empty_postgresql(conn, tables: list[str]) -> None:
    """Empty only the tables a test wrote to and restart only the sequences it used: one TRUNCATE
    of all sixty-odd tables costs ~130 ms a test on PostgreSQL, this a few milliseconds. Foreign
    keys are not checked while deleting (the replication role), so the order does not matter."""
    probe = " UNION ALL ".join(
        f"SELECT '{name}' FROM (SELECT 1 FROM {name} LIMIT 1) AS x{i}"  # noqa: S608 (metadata names)
        for i, name in enumerate(tables)
    )
    written = [row[0] for row in conn.execute(text(probe))]
    if written:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for name in written:
            conn.execute(text(f"DELETE FROM {name}"))  # noqa: S608 (table names from metadata)
    used = conn.execute(
        text("SELECT schemaname, sequencename FROM pg_sequences WHERE last_value IS NOT NULL")
    ).all()
    for schema, sequence in used:
        conn.execute(text(f'ALTER SEQUENCE "{schema}"."{sequence}" RESTART'))


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory) -> None:
    reset_schema(make_app(database_url))


@pytest.fixture
def app(database_url, _schema, smtp_server) -> Iterator[Flask]:
    _box, port = smtp_server
    app = make_app(database_url, port)
    yield app
    empty_tables(app)


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


# People ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Org:
    """Ids of a small organisation: two teams, each with a manager and a rep, plus HR and admin."""

    admin: int
    hr: int
    manager: int
    other_manager: int
    rep: int
    other_rep: int
    team: int
    other_team: int
    product_line: int

    def user(self, role: str) -> int | None:
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def org(app) -> Org:
    from coachflow.accounts.models import Role
    from tests.factories import ProductLineFactory, TeamFactory, UserFactory

    with app.app_context():
        admin = UserFactory(role=Role.ADMIN, email="admin@example.com")
        hr = UserFactory(role=Role.HR, email="hr@example.com")
        manager = UserFactory(role=Role.MANAGER, email="manager@example.com")
        other_manager = UserFactory(role=Role.MANAGER, email="other.manager@example.com")
        team = TeamFactory(name="North", manager=manager)
        other_team = TeamFactory(name="South", manager=other_manager)
        rep = UserFactory(role=Role.REP, email="rep@example.com", team=team)
        other_rep = UserFactory(role=Role.REP, email="other.rep@example.com", team=other_team)
        line = ProductLineFactory(code="HW", name="Hardware")
        db.session.commit()
        return Org(
            admin.id,
            hr.id,
            manager.id,
            other_manager.id,
            rep.id,
            other_rep.id,
            team.id,
            other_team.id,
            line.id,
        )


def login(client: FlaskClient, app: Flask, user_id: int) -> None:
    """Sign ``user_id`` in on ``client`` with a real server-side session, without going
    through the rate-limited form."""
    from coachflow.accounts.models import User
    from coachflow.accounts.services import start_session

    with app.app_context():
        session_key = start_session(db.session.get(User, user_id)).session_key
    with client.session_transaction() as session:
        session["_user_id"] = session_key
        session["_fresh"] = True


@pytest.fixture
def as_role(app, org):
    """``as_role("manager")`` → a client signed in as the org's manager."""

    def make(role: str) -> FlaskClient:
        client = app.test_client()
        if role != "anonymous":
            login(client, app, org.user(role))
        return client

    return make
