"""Jobs come back by themselves: the embedded scheduler runs the periodic work once across
processes, jobs retry database errors that may pass, and a job lost with its worker is delivered
again soon after the mail-out's lease."""

from __future__ import annotations

import datetime
import logging

import celery
import click
import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from coachflow.platform import jobs
from coachflow.platform.extensions import db
from coachflow.platform.scheduler import Scheduler, SchedulerLease, should_start
from coachflow.platform.time import utcnow
from tests.conftest import make_app

COUNTED = "tests.counted"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


@pytest.fixture
def counted(app):
    """A periodic task every 300 s that records each run (and may run a step inside it)."""
    runs: list[str] = []
    inside: list = []

    @app.extensions["celery"].task(name=COUNTED, shared=False)
    def count() -> None:
        runs.append("run")
        for step in inside:
            step()

    jobs.add_periodic(app, COUNTED, 300)
    return runs, inside


def test_two_processes_never_run_the_same_periodic_task_at_once(app, counted):
    runs, inside = counted
    clock = Clock()
    first = Scheduler(app, clock=clock, holder="first")
    second = Scheduler(app, clock=clock, holder="second")
    seen_by_second: list[list[str]] = []
    inside.append(lambda: seen_by_second.append(second.run_due()))

    assert COUNTED in first.run_due()

    assert runs == ["run"]
    assert seen_by_second == [[]]  # while the first ran it, the second ran nothing
    assert second.run_due() == []  # nor afterwards, before it is due again


def test_a_periodic_task_runs_again_once_its_interval_has_passed(app, counted):
    runs, _inside = counted
    clock = Clock()
    first = Scheduler(app, clock=clock, holder="first")
    second = Scheduler(app, clock=clock, holder="second")

    first.run_due()
    clock.advance(299)
    assert COUNTED not in second.run_due()
    clock.advance(1)
    assert COUNTED in second.run_due()
    assert runs == ["run", "run"]


def test_a_task_whose_process_died_while_running_it_is_taken_over_within_a_minute(app, counted):
    runs, _inside = counted
    clock = Clock()
    with app.app_context():
        # A process took the task a minute's lease ago and never renewed it: it died.
        db.session.execute(
            insert(SchedulerLease).values(
                name=COUNTED, holder="dead", expires_at=clock() + datetime.timedelta(seconds=60)
            )
        )
        db.session.commit()
    survivor = Scheduler(app, clock=clock, holder="survivor")

    clock.advance(30)
    assert COUNTED not in survivor.run_due()
    clock.advance(31)
    assert COUNTED in survivor.run_due()
    assert runs == ["run"]
    with app.app_context():
        lease = db.session.scalar(select(SchedulerLease).where(SchedulerLease.name == COUNTED))
        assert lease.holder == "survivor"
        assert lease.expires_at == clock() + datetime.timedelta(seconds=300)  # next due


def test_the_surveys_tick_is_a_periodic_task_of_the_embedded_scheduler(app):
    assert jobs.periodic(app)["coachflow.surveys_tick"] == 300
    with app.app_context():
        assert "coachflow.surveys_tick" in Scheduler(app, holder="one").run_due()


def test_the_app_runs_the_scheduler_only_when_it_serves_pages_without_a_broker(database_url):
    app = make_app(database_url)
    assert not should_start(app)  # the tests run nothing behind their back
    app.testing = False
    with click.Context(click.Command("run")):
        assert should_start(app)
    with click.Context(click.Command("upgrade")), app.app_context():
        assert not should_start(app)  # flask db upgrade, flask surveys tick, …
    app.config["EMBEDDED_SCHEDULER"] = False
    with click.Context(click.Command("run")):
        assert not should_start(app)
    brokered = make_app(database_url, REDIS_URL="redis://127.0.0.1:6379/11")
    brokered.testing = False
    with click.Context(click.Command("run")):
        assert not should_start(brokered)  # celery beat runs the periodic tasks


def test_a_job_lost_with_its_worker_comes_back_after_its_lease_but_not_while_jobs_may_run(
    database_url,
):
    app = make_app(database_url, REDIS_URL="redis://127.0.0.1:6379/11")
    options = app.extensions["celery"].conf.broker_transport_options
    lease = app.config["MAIL_LEASE_SECONDS"]
    # A running import is never handed to a second worker; a lost one comes back in an hour.
    assert options["visibility_timeout"] == app.config["JOBS_REDELIVERY_SECONDS"] == 3600
    assert options["visibility_timeout"] > 1.25 * lease
    assert options["unacked_restore_interval"] <= 60

    quick = make_app(
        database_url,
        REDIS_URL="redis://127.0.0.1:6379/11",
        MAIL_LEASE_SECONDS=4,
        JOBS_REDELIVERY_SECONDS=1,
    )
    assert quick.extensions["celery"].conf.broker_transport_options["visibility_timeout"] == 5


def _lost_connection() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("server closed the connection"))


def test_a_job_whose_database_connection_dropped_is_tried_again(app, caplog):
    tries: list[int] = []

    @app.extensions["celery"].task(name="tests.flaky", shared=False)
    def flaky() -> None:
        tries.append(1)
        if len(tries) < 3:
            raise _lost_connection()

    with app.app_context():
        jobs.start("tests.flaky")
    assert len(tries) == 3
    assert "trying again" in caplog.text
    assert "failed" not in caplog.text


def test_a_job_with_a_permanent_database_error_fails_at_once_and_says_so(app, caplog):
    tries: list[int] = []

    @app.extensions["celery"].task(name="tests.broken", shared=False)
    def broken() -> None:
        tries.append(1)
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    with app.app_context(), caplog.at_level(logging.ERROR):
        jobs.start("tests.broken")
    assert tries == [1]
    assert "job tests.broken failed" in caplog.text


def test_a_job_gives_up_loudly_when_the_database_stays_away(app, caplog):
    tries: list[int] = []

    @app.extensions["celery"].task(name="tests.down", shared=False)
    def down() -> None:
        tries.append(1)
        raise _lost_connection()

    with app.app_context():
        jobs.start("tests.down")
    assert len(tries) == jobs.RETRIES + 1
    assert "gave up after 9 tries" in caplog.text
    assert "job tests.down failed" in caplog.text


def test_no_retry_waits_so_long_that_redis_would_deliver_the_job_twice(database_url, monkeypatch):
    app = make_app(database_url, REDIS_URL="redis://127.0.0.1:6379/11")
    timeout = app.extensions["celery"].conf.broker_transport_options["visibility_timeout"]
    assert jobs.longest_wait(app) < timeout
    scheduled: list[float] = []
    monkeypatch.setattr(
        celery.Task, "retry", lambda self, *args, countdown=None, **kw: scheduled.append(countdown)
    )

    # The mail job backs off up to an hour after SMTP errors.
    app.extensions["celery"].tasks["coachflow.send_mail"].retry(exc=OSError(), countdown=3600)

    assert scheduled == [jobs.longest_wait(app)]


def test_retry_waits_grow_and_stop_at_two_minutes():
    assert 0.5 <= jobs.retry_wait(0) <= 1
    assert 4 <= jobs.retry_wait(3) <= 8
    assert 60 <= jobs.retry_wait(20) <= 120
