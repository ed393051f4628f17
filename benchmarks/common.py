"""Shared set-up for benchmarks: an app on a fresh database of either kind."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager

import psycopg
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, text

from coachflow.app import create_app
from coachflow.platform.extensions import db
from config import TestConfig

POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def postgres_available() -> bool:
    try:
        psycopg.connect(f"{POSTGRES_SERVER}/postgres", connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


@contextmanager
def fresh_app(kind: str, name: str):
    """An app on an empty, migrated database: ``kind`` is ``sqlite`` or ``postgresql``."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield _migrated(f"sqlite:///{folder}/{name}.sqlite")
        return
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _migrated(f"{POSTGRES_SERVER}/{name}")
    finally:
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrated(url: str) -> Flask:
    app = create_app(TestConfig(url, SQLALCHEMY_ENGINE_OPTIONS={}))
    with app.app_context():
        upgrade()
        db.session.execute(text("SELECT 1"))
    return app


def kinds() -> list[str]:
    return ["sqlite", "postgresql"] if postgres_available() else ["sqlite"]


@contextmanager
def counted(app):
    """The SQL statements run while the block runs, for a benchmark's query count."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
