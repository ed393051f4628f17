"""Anonymity by construction: no stored pulse answer can be tied to the person who gave it.

Checked on the schema (no column that could identify), on the stored rows (random keys, no
time, no user) and, on PostgreSQL, on ``xmin``: the results rows were written by another
transaction than the one that spent the invitation. Nothing is lost between pool and results.
"""

from __future__ import annotations

import re

from sqlalchemy import inspect, text

from coachflow.platform.extensions import db
from coachflow.pulse import services
from coachflow.pulse.models import (
    PulseAnswer,
    PulseAnswerPool,
    PulseInvitation,
    PulseResponse,
    PulseRound,
)
from coachflow.questionnaires.models import Question, QuestionType
from tests.factories import UserFactory
from tests.pulse_factories import form, start, token_for

ANONYMOUS_TABLES = {
    "pulse_responses": {"id", "round_id", "team_id"},
    "pulse_answers": {"response_id", "question_id", "score", "text"},
    "pulse_answer_pool": {"id", "round_id", "team_id", "sort_key", "answers"},
}
IDENTIFYING = re.compile(r"user|invitation|token|email|person|_at$|time|date|created|seq")


def _team_of(app, org, size: int) -> list[int]:
    """``size`` more reps in the org's team; their ids."""
    with app.app_context():
        from coachflow.accounts.models import Role, Team

        team = db.session.get(Team, org.team)
        ids = [UserFactory(role=Role.REP, team=team).id for _ in range(size)]
        db.session.commit()
        return ids


def _answer_all(app, client, round_id: int, people: list[int], first: int = 0) -> None:
    for index, person in enumerate(people, start=first):
        with app.app_context():
            round_ = db.session.get(PulseRound, round_id)
            token = token_for(round_id, person)
            fields = form(round_, score=index % 11, comment=f"note {index}")
        response = client.post(f"/p/{token}", data=fields)
        assert response.status_code == 303, response.get_data(as_text=True)


def test_the_answer_tables_have_no_column_that_could_identify_a_person(app):
    with app.app_context():
        inspector = inspect(db.engine)
        for table, allowed in ANONYMOUS_TABLES.items():
            columns = {column["name"] for column in inspector.get_columns(table)}
            assert columns == allowed, table
            assert not [c for c in columns if IDENTIFYING.search(c)], table
            foreign = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
            assert foreign <= {"pulse_rounds", "teams", "pulse_responses", "questions"}, table


def test_answers_wait_in_the_pool_and_move_in_another_transaction_with_random_keys(
    app, org, client, mailbox
):
    people = [org.rep, *_team_of(app, org, 5)]
    with app.app_context():
        round_id = start(org.manager, [org.team]).id
    _answer_all(app, client, round_id, people[:4])
    with app.app_context():
        # Fewer than the threshold wait: they stay in the pool, nothing reaches the results.
        assert db.session.scalar(db.select(db.func.count()).select_from(PulseAnswerPool)) == 4
        assert services.move_pool(round_id) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(PulseResponse)) == 0
        used = db.session.scalars(db.select(PulseInvitation.used)).all()
        assert sorted(used) == [False, False, True, True, True, True]
    _answer_all(app, client, round_id, people[4:], first=4)
    with app.app_context():
        assert services.move_pool(round_id) == 6
        assert db.session.scalar(db.select(db.func.count()).select_from(PulseAnswerPool)) == 0
        responses = db.session.scalars(db.select(PulseResponse)).all()
        assert len(responses) == 6
        assert all(re.fullmatch(r"[0-9a-f]{32}", r.id) for r in responses)
        assert {r.team_id for r in responses} == {org.team}
        scores = sorted(
            db.session.scalars(
                db.select(PulseAnswer.score)
                .join(Question, Question.id == PulseAnswer.question_id)
                .where(Question.type == QuestionType.NPS)
            )
        )
        assert scores == [0, 1, 2, 3, 4, 5]
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                spent = set(
                    conn.execute(text("SELECT xmin::text FROM pulse_invitations")).scalars()
                )
                stored = set(conn.execute(text("SELECT xmin::text FROM pulse_responses")).scalars())
                answers = set(conn.execute(text("SELECT xmin::text FROM pulse_answers")).scalars())
            assert stored.isdisjoint(spent)
            assert answers.isdisjoint(spent)
            assert len(stored) == 1  # one batch, one transaction for all six


def test_closing_the_round_moves_even_a_small_pool_and_loses_nothing(app, org, client):
    people = [org.rep, *_team_of(app, org, 1)]
    with app.app_context():
        round_id = start(org.manager, [org.team]).id
    _answer_all(app, client, round_id, people)
    with app.app_context():
        # As if the process died after the answers: a fresh session finds them in the pool.
        db.session.remove()
        services.close_round(round_id)
        assert db.session.scalar(db.select(db.func.count()).select_from(PulseAnswerPool)) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(PulseResponse)) == 2
        spent = db.session.scalar(db.select(db.func.count()).where(PulseInvitation.used.is_(True)))
        assert spent == 2


def test_the_pool_is_in_no_page_export_or_api(app, org, client, as_role):
    with app.app_context():
        round_id = start(org.manager, [org.team]).id
    _answer_all(app, client, round_id, [org.rep])
    hr = as_role("hr")
    for url in (f"/pulse/rounds/{round_id}", f"/pulse/rounds/{round_id}/results.csv"):
        body = hr.get(url).get_data(as_text=True)
        assert "note 0" not in body
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PulseAnswerPool)) == 1
