"""A mail-out finishes by itself whatever fails under it: a worker killed mid-batch, an SMTP
server that refuses and then goes down, database connections terminated during the claim, the
embedded app killed and started again. Each case counts the messages that arrived against the
invitations: none lost, at most one extra per invitation for each crash, and nobody had to step
in (no ``surveys tick``, no *Send again*).

The mail-out here records a batch's outcome once the batch is sent, so a crash mid-batch sends
the batch's earlier messages again (one duplicate each); recorded per message, there would be at
most one duplicate per crash in all. The counting holds either way.
"""

from __future__ import annotations

import datetime

import psycopg
import pytest
from sqlalchemy.engine import make_url

from coachflow.platform import jobs
from coachflow.platform.scheduler import Scheduler
from coachflow.platform.time import utcnow
from coachflow.surveys.models import InvitationStatus
from coachflow.surveys.services import sending
from tests.conftest import free_port, make_app
from tests.faults.conftest import (
    BIN,
    all_sent,
    assert_none_lost,
    deliveries,
    process_env,
    queued_invitations,
    statuses,
    terminate,
    wait_for,
    with_application_name,
    worker_args,
)


def start_mail_out_through(broker: str, database_url: str) -> None:
    """What *Send* does in a web process with a broker: the mail-out job goes to Redis."""
    web = make_app(database_url, REDIS_URL=broker, JOBS_INLINE=False)
    with web.app_context():
        jobs.start(sending.MAIL_OUT)


def test_a_mail_out_whose_worker_was_killed_mid_batch_is_finished_by_the_next_worker(
    app, org, database_url, broker, smtp, processes, tmp_path
):
    ids = queued_invitations(app, org, 40)
    smtp.delay = 0.05
    # A lease of 4 s: the job comes back 5 s after it was first delivered.
    env = process_env(
        database_url,
        smtp.port,
        tmp_path,
        REDIS_URL=broker,
        MAIL_LEASE_SECONDS="4",
        JOBS_REDELIVERY_SECONDS="1",
    )
    first = processes(worker_args(), env, tmp_path / "first.log")
    start_mail_out_through(broker, database_url)
    wait_for(lambda: smtp.count() >= 10, 60, "the first messages", log=first.log)

    first.kill()
    second = processes(worker_args(), env, tmp_path / "second.log")

    wait_for(all_sent(app, ids), 60, "the rest of the mail-out", log=second.log)
    assert_none_lost(deliveries(app, smtp, ids), ids, crashes=1)
    assert "coachflow.mail_out" in second.text()


def test_a_mail_out_refused_and_then_cut_off_by_the_smtp_server_is_finished_by_the_scheduler(
    app, org, smtp, monkeypatch
):
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_SUPPRESS_SEND=False, MAIL_TIMEOUT=5
    )
    now = [utcnow()]
    monkeypatch.setattr(sending, "utcnow", lambda: now[0])
    scheduler = Scheduler(app, clock=lambda: now[0], holder="the app")
    ids = queued_invitations(app, org, 20)

    def later(minutes: int) -> None:
        now[0] += datetime.timedelta(minutes=minutes)
        assert sending.TICK in scheduler.run_due()

    smtp.refusing = True
    assert sending.TICK in scheduler.run_due()
    assert statuses(app, ids)[InvitationStatus.FAILED] == 20
    assert smtp.refused == 20

    smtp.stop()  # the server goes down before the first retry
    later(5)
    assert statuses(app, ids)[InvitationStatus.FAILED] == 20

    smtp.refusing = False
    smtp.start()
    later(5)
    assert all_sent(app, ids)()
    counted = deliveries(app, smtp, ids)
    assert_none_lost(counted, ids, crashes=0)
    assert set(counted.values()) == {1}


def test_a_mail_out_whose_database_connection_is_terminated_during_its_claim_is_retried(
    app, org, postgres, broker, smtp, processes, tmp_path
):
    ids = queued_invitations(app, org, 30)
    name = "coachflow-faults-worker"
    env = process_env(with_application_name(postgres, name), smtp.port, tmp_path, REDIS_URL=broker)
    worker = processes(worker_args(), env, tmp_path / "worker.log")
    dsn = make_url(postgres).set(drivername="postgresql").render_as_string(hide_password=False)
    terminated = 0
    with psycopg.connect(dsn) as blocker:
        # The claim waits on this lock; meanwhile its connection is terminated, twice.
        blocker.execute("LOCK TABLE invitations IN ACCESS EXCLUSIVE MODE")
        start_mail_out_through(broker, postgres)
        for _ in range(2):
            wait_for(
                lambda: terminate(postgres, name, waiting_on_lock=True) > 0,
                60,
                "a claim waiting on the lock",
                log=worker.log,
            )
            terminated += 1
        blocker.rollback()

    wait_for(all_sent(app, ids), 60, "the mail-out after its retries", log=worker.log)
    counted = deliveries(app, smtp, ids)
    assert_none_lost(counted, ids, crashes=0)  # the claim died before anything was sent
    assert set(counted.values()) == {1}
    assert worker.text().count("trying again") >= terminated


@pytest.fixture
def flask_run(database_url, smtp, processes, tmp_path):
    """Start ``flask run`` as ``make run`` does: no broker, no cron; ticks every second."""
    port = free_port()
    env = process_env(
        database_url, smtp.port, tmp_path, MAIL_LEASE_SECONDS="3", JOBS_PERIODIC_SECONDS="1"
    )
    args = [str(BIN / "flask"), "--app", "wsgi", "run", "--port", str(port)]
    return lambda log_name: processes(args, env, tmp_path / log_name)


def test_the_embedded_app_killed_mid_mail_out_finishes_it_after_a_restart_without_cron(
    app, org, smtp, flask_run
):
    ids = queued_invitations(app, org, 40)
    smtp.delay = 0.05
    first = flask_run("first.log")
    wait_for(lambda: smtp.count() >= 10, 60, "the first messages", log=first.log)

    first.kill()
    second = flask_run("second.log")

    wait_for(all_sent(app, ids), 60, "the rest of the mail-out", log=second.log)
    assert_none_lost(deliveries(app, smtp, ids), ids, crashes=1)
    assert "embedded scheduler" in second.text()
