"""Celery, bound to the Flask app, and the task entry points (thin: they call services).

Without ``REDIS_URL`` tasks run in-process as they are enqueued (the embedded default); with it
they go to Redis and a worker started with ``celery -A wsgi.celery worker`` runs them.
"""

from __future__ import annotations

import smtplib
import threading

from celery import Celery, Task, shared_task
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
    )
    if broker:
        # Periodic survey work (due sends and retries, reminders, expiries): `celery beat`.
        celery_app.conf.beat_schedule = {
            "surveys-tick": {"task": "coachflow.surveys_tick", "schedule": 300.0},
        }
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


@shared_task(
    name="coachflow.send_mail",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=10,
)
def send_mail(message: dict) -> None:
    """Deliver one prepared message (see ``coachflow.mailing.prepare``); retried on SMTP errors."""
    from coachflow.mailing import deliver

    deliver(message)


def run_in_background(task: Task, *args: object) -> None:
    """Start long work without holding the request: on a worker when a broker is configured,
    else on a thread of this process (the embedded mode), or inline when the app is told to
    (``JOBS_INLINE``, which the tests use)."""
    if current_app.config["REDIS_URL"]:
        task.delay(*args)
    elif current_app.config["JOBS_INLINE"]:
        task.apply(args=args)
    else:
        threading.Thread(target=task.apply, kwargs={"args": args}, daemon=True).start()


@shared_task(name="coachflow.check_import")
def check_import(run_id: int) -> None:
    """Dry-run an uploaded file: count its rows and list every problem, writing nothing."""
    from coachflow.sales.services import check_run

    check_run(run_id)


@shared_task(name="coachflow.execute_import")
def execute_import(run_id: int) -> None:
    """Import an uploaded, checked file, all or nothing."""
    from coachflow.sales.services import execute_run

    execute_run(run_id)


@shared_task(name="coachflow.mail_out")
def mail_out() -> None:
    """Send the queued survey invitations, in batches over one SMTP connection each."""
    from coachflow.surveys.sending import send_due

    send_due()


@shared_task(name="coachflow.surveys_tick")
def surveys_tick() -> None:
    """The periodic survey work: expiries, due sends and retries, reminders."""
    from coachflow.surveys.sending import tick

    tick()
