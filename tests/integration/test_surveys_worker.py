"""A real mail-out through Redis: invitations are created here, the mail-out job goes to Redis,
and a real Celery worker process (``celery -A wsgi.celery worker``) sends the messages to the
test SMTP server over the test database.

Skipped, saying why, only when Redis is not reachable at ``redis://127.0.0.1:6379/15``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

import config
from coachflow.accounts.models import User
from coachflow.lib import tokens
from coachflow.platform.extensions import db
from coachflow.questionnaires.models import Survey
from coachflow.surveys.models import Invitation, InvitationStatus
from coachflow.surveys.services import distribution
from coachflow.surveys.services.distribution import Criteria
from tests.conftest import make_app
from tests.helpers import text_of
from tests.integration.test_surveys_distribution_support import customer, person, survey_in

REDIS_URL = "redis://127.0.0.1:6379/15"
PUBLIC_BASE_URL = "https://feedback.example"
ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60


@pytest.fixture
def broker():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        client.close()
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def worker(broker, database_url, smtp_server, tmp_path):
    """A Celery worker process on its own queue, with this test's database and SMTP server."""
    _mailbox, port = smtp_server
    queue = f"test-mail-out-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "SECRET_KEY": config.TestConfig("sqlite://").SECRET_KEY,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "COACHFLOW_INSTANCE_DIR": str(tmp_path / "instance"),
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "wsgi.celery",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process, queue, tmp_path / "worker.log"
    process.terminate()  # a warm shutdown: the current task finishes first
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def test_a_mail_out_goes_through_redis_to_a_real_worker(
    app, org, database_url, smtp_server, mailbox, worker
):
    process, queue, log_path = worker
    _mailbox, port = smtp_server
    with app.app_context():
        account = customer(org.rep, "A1", "Acme")
        for n in range(5):
            person(account, f"c{n}@acme.example", language="de" if n % 2 else "en")
        survey_id = survey_in(org.manager).id
        db.session.commit()

    # The web process's side: a broker configured, so the job goes to Redis, not in-process.
    web = make_app(database_url, port, REDIS_URL=REDIS_URL, JOBS_INLINE=False)
    web.extensions["celery"].conf.task_default_queue = queue
    with web.app_context():
        survey = db.session.get(Survey, survey_id)
        manager = db.session.get(User, org.manager)
        selection = distribution.select_recipients(survey, Criteria(team_id=org.team), manager)
        ids = distribution.create_invitations(survey, selection.recipients, manager)
        assert {i.status for i in db.session.scalars(select(Invitation))} == {
            InvitationStatus.QUEUED
        }  # nothing was sent by this process

    deadline = time.monotonic() + WAIT_SECONDS
    while len(mailbox.messages) < len(ids) and time.monotonic() < deadline:
        assert process.poll() is None, log_path.read_text()
        time.sleep(0.2)
    assert len(mailbox.messages) == len(ids) == 5, log_path.read_text()[-3000:]

    with app.app_context():
        db.session.expire_all()
        invitations = {i.email: i for i in db.session.scalars(select(Invitation))}
        assert {i.status for i in invitations.values()} == {InvitationStatus.SENT}
        for message in mailbox.messages:
            invitation = invitations[message["To"]]
            match = re.search(r"(https://\S+)/s/([\w-]+)\s", text_of(message))
            assert match, text_of(message)
            assert match.group(1) == PUBLIC_BASE_URL
            assert tokens.hash_token(match.group(2)) == invitation.token_hash
            assert message["List-Unsubscribe"] == (
                f"<{PUBLIC_BASE_URL}/s/{match.group(2)}/unsubscribe>"
            )
    assert "coachflow.mail_out" in log_path.read_text()
