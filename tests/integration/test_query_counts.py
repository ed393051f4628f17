"""Pages answer in a fixed number of queries, however many teams and people there are."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from coachflow.platform.extensions import db
from tests.factories import TeamFactory, UserFactory


@contextmanager
def counting_queries(app):
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


def add_teams(app, n: int) -> None:
    from coachflow.accounts.models import Role

    with app.app_context():
        for _ in range(n):
            manager = UserFactory(role=Role.MANAGER)
            team = TeamFactory(manager=manager)
            UserFactory.create_batch(3, role=Role.REP, team=team)
        db.session.commit()


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("admin", "/"),
        ("hr", "/"),
        ("manager", "/"),
        ("rep", "/"),
        ("hr", "/teams"),
        ("admin", "/admin/users?status=all"),
        ("admin", "/admin/audit"),
    ],
)
def test_page_query_count_does_not_grow_with_the_data(app, as_role, role, path):
    client = as_role(role)
    with counting_queries(app) as small:
        assert client.get(path).status_code == 200
    add_teams(app, 12)
    with counting_queries(app) as large:
        assert client.get(path).status_code == 200
    assert len(large) == len(small), large
    # The home page gathers every domain's panels and the forecast: more reads, still fixed.
    assert len(small) <= (32 if path == "/" else 8)
