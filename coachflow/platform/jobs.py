"""Background jobs: Celery bound to the Flask app, and starting a job by its name.

Domains define their tasks (thin: they call a service) in their own ``tasks.py``, named
``coachflow.<what>``, and register periodic ones with :func:`add_periodic`. A service starts a
job with :func:`start` by name, so no package imports another's tasks.

Without ``REDIS_URL`` tasks run in-process (the embedded default): long ones on a thread of the
web process so pages can show progress, or inline when the app is told to (``JOBS_INLINE``, as
in the tests), and the app runs the periodic ones itself (``coachflow.platform.scheduler``). With
it they go to Redis, a worker started with ``celery -A wsgi.celery worker`` runs them, and
``celery -A wsgi.celery beat`` the periodic ones.

A job survives what kills its worker: a message is acknowledged only when its task finished, so
one whose worker died is delivered again once the broker's visibility timeout has passed. That
timeout is longer than any job runs (``JOBS_REDELIVERY_SECONDS``; Redis would otherwise hand a
running job to a second worker) and than the longest lease a domain declared
(:func:`add_lease`), so the work the dead worker held is free again when the job comes back.
A job that meets a database error that may pass (a dropped connection, a deadlock) is tried
again with growing waits; on any other error, or after the last try, it fails, logged.
"""

from __future__ import annotations

import logging
import math
import random
import threading
from typing import Any

import psycopg
from celery import Celery, Task
from flask import Flask, current_app
from sqlalchemy import exc as sa_exc

log = logging.getLogger(__name__)

# Tries after the first on a database error that may pass, and the longest wait between two.
RETRIES = 8
RETRY_WAIT_MAX = 120.0
# Seconds of the broker's visibility timeout when no domain declared a lease.
DEFAULT_REDELIVERY = 3600


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` is a database failure that trying again may get past: a lost, refused
    or timed-out connection, a deadlock or serialization failure, a pool without a free
    connection. Integrity, programming and data errors are permanent."""
    if isinstance(error, sa_exc.DBAPIError):
        return isinstance(error, sa_exc.OperationalError) or bool(error.connection_invalidated)
    return isinstance(error, sa_exc.TimeoutError | psycopg.OperationalError)


def retry_wait(retries: int) -> float:
    """Seconds before the next try after ``retries`` retries: 1, 2, 4 … up to two minutes,
    each drawn between half and all of that, so that jobs failing together do not come back
    together."""
    return min(RETRY_WAIT_MAX, 2.0**retries) * random.uniform(0.5, 1.0)


def init_celery(app: Flask) -> Celery:
    """Create the Celery app for ``app``: tasks run inside an application context."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            try:
                with app.app_context():
                    return self.run(*args, **kwargs)
            except Exception as error:
                if not is_transient(error) or self.request.called_directly:
                    raise
                retries = self.request.retries or 0
                if retries >= RETRIES:
                    log.error("job %s gave up after %d tries: %s", self.name, retries + 1, error)
                    raise
                # Eagerly run jobs (no broker) try again at once: the pool has dropped the dead
                # connection, and the periodic tick picks up whatever is still left.
                wait = 0.0 if self.request.is_eager else retry_wait(retries)
                log.warning(
                    "job %s met a database error that may pass (%s); trying again in %.0f s",
                    self.name,
                    error,
                    wait,
                )
                raise self.retry(exc=error, countdown=wait, max_retries=RETRIES) from error

        def retry(self, *args: Any, countdown: float | None = None, **options: Any) -> Any:
            # Redis hands a message that waits longer than its visibility timeout to a worker
            # again, so a longer wait (``send_mail`` backs off up to an hour) would run it twice.
            if countdown is not None:
                countdown = min(countdown, longest_wait(app))
            return super().retry(*args, countdown=countdown, **options)

    broker = app.config["REDIS_URL"]
    celery_app = Celery(app.import_name, task_cls=FlaskTask)
    celery_app.conf.update(
        broker_url=broker or "memory://",
        result_backend=None,
        task_ignore_result=True,
        task_always_eager=broker is None,
        task_eager_propagates=False,
        # Acknowledged when done, so a job whose worker died is delivered again.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_transport_options=_redelivery_options(_least_redelivery(app)),
        timezone="UTC",
        beat_schedule={},
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    app.extensions["coachflow.periodic"] = {}
    app.extensions["coachflow.leases"] = []
    return celery_app


def _redelivery_options(seconds: int) -> dict[str, int]:
    """Redis transport options: deliver an unacknowledged job again after ``seconds``, and look
    for such jobs often enough for that (every tenth of it, at most every minute)."""
    return {
        "visibility_timeout": seconds,
        "unacked_restore_interval": max(1, min(60, seconds // 10)),
        "unacked_restore_throttle": 1,
    }


def longest_wait(app: Flask) -> float:
    """The longest a job may wait before its next try: nine tenths of the visibility timeout."""
    options = app.extensions["celery"].conf.broker_transport_options or {}
    return 0.9 * options.get("visibility_timeout", DEFAULT_REDELIVERY)


def _least_redelivery(app: Flask) -> int:
    """``JOBS_REDELIVERY_SECONDS``: longer than any job runs (an hour by default)."""
    return int(app.config.get("JOBS_REDELIVERY_SECONDS") or DEFAULT_REDELIVERY)


def add_lease(app: Flask, seconds: float) -> None:
    """Declare that a domain's jobs hold claimed work for ``seconds`` (a lease): a job whose
    worker died is delivered again a quarter of the longest lease after that lease ends, when
    the work it held is free to be claimed again."""
    leases: list[float] = app.extensions["coachflow.leases"]
    leases.append(seconds)
    # Never sooner than the longest job may run: Redis hands a job that is still running (it is
    # acknowledged at its end) to a second worker once the timeout passes.
    redelivery = max(_least_redelivery(app), math.ceil(max(leases) * 1.25))
    app.extensions["celery"].conf.broker_transport_options = _redelivery_options(redelivery)


def add_periodic(app: Flask, name: str, every_seconds: float) -> None:
    """Run the task ``name`` every ``every_seconds``: under ``celery beat`` with a broker, else
    by the app's own scheduler. ``JOBS_PERIODIC_SECONDS``, when set, replaces every interval."""
    every = float(app.config.get("JOBS_PERIODIC_SECONDS") or every_seconds)
    app.extensions["coachflow.periodic"][name] = every
    if app.config["REDIS_URL"]:
        celery_app: Celery = app.extensions["celery"]
        celery_app.conf.beat_schedule[name] = {"task": name, "schedule": every}


def periodic(app: Flask) -> dict[str, float]:
    """The periodic tasks by name, with their interval in seconds."""
    return dict(app.extensions["coachflow.periodic"])


def _task(name: str) -> Task:
    return current_app.extensions["celery"].tasks[name]


def enqueue(name: str, *args: Any) -> None:
    """Hand short work to the task called ``name``: a worker with a broker, else now."""
    _task(name).delay(*args)


def start(name: str, *args: Any) -> None:
    """Start long work without holding the request: on a worker when a broker is configured,
    else on a thread of this process (the embedded mode), or inline with ``JOBS_INLINE``."""
    task = _task(name)
    if current_app.config["REDIS_URL"]:
        task.delay(*args)
    elif current_app.config["JOBS_INLINE"]:
        run_here(task, *args)
    else:
        threading.Thread(target=run_here, args=(task, *args), daemon=True).start()


def run_here(task: Task, *args: Any) -> bool:
    """Run ``task`` in this thread (no broker); log its error if it failed. True if it ran
    through."""
    result = task.apply(args=args)
    if result.failed():
        log.error("job %s failed: %r\n%s", task.name, result.result, result.traceback or "")
        return False
    return True
