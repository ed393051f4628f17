"""Background jobs: Celery bound to the Flask app, and starting a job by its name.

Domains define their tasks (thin: they call a service) in their own ``tasks.py``, named
``coachflow.<what>``, and register periodic ones with :func:`add_periodic`. A service starts a
job with :func:`start` by name, so no package imports another's tasks.

Without ``REDIS_URL`` tasks run in-process (the embedded default): long ones on a thread of the
web process so pages can show progress, or inline when the app is told to (``JOBS_INLINE``, as
in the tests). With it they go to Redis, a worker started with ``celery -A wsgi.celery worker``
runs them, and ``celery -A wsgi.celery beat`` the periodic ones.
"""

from __future__ import annotations

import threading
from typing import Any

from celery import Celery, Task
from flask import Flask, current_app


def init_celery(app: Flask) -> Celery:
    """Create the Celery app for ``app``: tasks run inside an application context."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    broker = app.config["REDIS_URL"]
    celery_app = Celery(app.import_name, task_cls=FlaskTask)
    celery_app.conf.update(
        broker_url=broker or "memory://",
        result_backend=None,
        task_ignore_result=True,
        task_always_eager=broker is None,
        task_eager_propagates=False,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        timezone="UTC",
        beat_schedule={},
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def add_periodic(app: Flask, name: str, every_seconds: float) -> None:
    """Run the task ``name`` every ``every_seconds`` under ``celery beat`` (with a broker)."""
    if app.config["REDIS_URL"]:
        celery_app: Celery = app.extensions["celery"]
        celery_app.conf.beat_schedule[name] = {"task": name, "schedule": every_seconds}


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
        task.apply(args=args)
    else:
        threading.Thread(target=task.apply, kwargs={"args": args}, daemon=True).start()
