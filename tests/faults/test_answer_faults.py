"""Answers go through while the database drops connections: a submission whose connection is
terminated under it is stored on a fresh one, and with backends terminated every 0.2–0.5 s no
respondent sees an error page. Needs PostgreSQL (``pg_terminate_backend``)."""

from __future__ import annotations

import http.client
import random
import threading
from collections import Counter
from urllib.parse import urlencode

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from coachflow.platform.extensions import db
from coachflow.questionnaires.models import Question, QuestionType
from coachflow.surveys.models import Response
from tests.conftest import make_app
from tests.faults.conftest import terminate, wait_for, with_application_name
from tests.integration.test_surveys_distribution_support import survey_in
from tests.survey_factories import make_invitation

NAME = "coachflow-faults-answers"


@pytest.fixture
def served(postgres):
    """The app as production runs it (a pool of checked, recycled connections), served on a
    local port; its connections are named so that only they are terminated."""
    app = make_app(
        with_application_name(postgres, NAME),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": 5, "pool_recycle": 240},
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()
    thread.join()
    with app.app_context():
        db.engine.dispose()


def links(app, org, count: int) -> tuple[list[str], str]:
    """``count`` answer links' tokens and the form field of the survey's NPS question."""
    with app.app_context():
        survey = survey_in(org.manager)
        found = [
            make_invitation(app, survey, email=f"c{n}@example.com", rep_id=org.rep)[1]
            for n in range(count)
        ]
        db.session.commit()
        nps = db.session.scalar(select(Question.id).where(Question.type == QuestionType.NPS))
        return found, f"q{nps}"


def answer(port: int, token: str, field: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            f"/s/{token}",
            body=urlencode({field: "9"}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        return connection.getresponse().status
    finally:
        connection.close()


def stored(app) -> int:
    with app.app_context():
        db.session.remove()
        return db.session.scalar(select(func.count()).select_from(Response))


def test_an_answer_whose_connection_is_terminated_while_it_is_stored_is_kept_on_a_fresh_one(
    app, org, postgres, served
):
    (token,), field = links(app, org, 1)
    dsn = make_url(postgres).set(drivername="postgresql").render_as_string(hide_password=False)
    status: list[int] = []
    with psycopg.connect(dsn) as blocker:
        # Storing the answer waits on this lock; meanwhile its connection is terminated.
        blocker.execute("LOCK TABLE responses IN ACCESS EXCLUSIVE MODE")
        submission = threading.Thread(target=lambda: status.append(answer(served, token, field)))
        submission.start()
        wait_for(
            lambda: terminate(postgres, NAME, waiting_on_lock=True) > 0,
            30,
            "an answer waiting on the lock",
        )
        blocker.rollback()
    submission.join(timeout=30)

    assert status == [303]
    assert stored(app) == 1


def test_no_respondent_sees_an_error_while_connections_are_terminated_every_few_tenths(
    app, org, postgres, served
):
    tokens, field = links(app, org, 200)
    done = threading.Event()
    terminations: list[int] = []

    def terminator() -> None:
        pace = random.Random(7)
        while not done.wait(pace.uniform(0.2, 0.5)):
            terminations.append(terminate(postgres, NAME))

    killer = threading.Thread(target=terminator)
    killer.start()
    try:
        statuses = Counter(answer(served, token, field) for token in tokens)
    finally:
        done.set()
        killer.join()

    assert statuses == Counter({303: 200})
    assert stored(app) == 200
    assert sum(terminations) > 0  # connections were in fact terminated under the answers
