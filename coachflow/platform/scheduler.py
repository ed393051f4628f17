"""The embedded scheduler: without a broker, the app runs its periodic tasks itself.

With ``REDIS_URL`` unset there is no ``celery beat``, so every process that serves the app (``flask
run``, each gunicorn worker) starts one daemon thread that runs the periodic tasks
(:func:`coachflow.platform.jobs.add_periodic`) when they are due: reminders, retries, expiry and
mail-outs whose process died happen without cron. Processes share one schedule in the database:
a row per task in ``scheduler_leases`` says who holds it and until when. A process runs a task
only after taking its row with a conditional UPDATE (or the first INSERT), so two processes never
run the same task at once. While the task runs its holder renews the lease, a minute at a time;
when it is done the row stays held until the task is next due. A process that dies mid-run
leaves a lease that runs out within a minute, and another process (or itself, restarted) takes
over.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import sys
import threading
import uuid
from collections.abc import Callable

import click
from flask import Flask
from sqlalchemy import String, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from coachflow.platform import jobs
from coachflow.platform.extensions import db
from coachflow.platform.time import UTCDateTime, utcnow

log = logging.getLogger(__name__)

# How long a running task's lease lasts before its holder must renew it, at most.
RUN_LEASE_SECONDS = 60.0
# How often the thread looks for due tasks, at most.
POLL_SECONDS = 30.0


class SchedulerLease(db.Model):
    """Who runs a periodic task, or ran it last, and until when no one else may."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


leases = SchedulerLease.__table__


class Scheduler:
    """Runs the app's due periodic tasks, one ``run_due()`` step at a time; ``clock`` and
    ``holder`` can be given (tests step through time without sleeping)."""

    def __init__(
        self,
        app: Flask,
        *,
        clock: Callable[[], datetime.datetime] = utcnow,
        holder: str | None = None,
    ) -> None:
        self.app = app
        self.clock = clock
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_due(self) -> list[str]:
        """Run each periodic task that is due and that no other process holds; return the names
        of those run."""
        ran = []
        for name, every in jobs.periodic(self.app).items():
            with self.app.app_context():
                taken = self._take(name, every)
            if taken:
                self._run(name, every)
                ran.append(name)
        return ran

    def start(self) -> None:
        """Run due tasks on a daemon thread until the process ends (or ``stop()``)."""
        intervals = jobs.periodic(self.app).values()
        poll = min([POLL_SECONDS, *intervals])
        self._thread = threading.Thread(
            target=self._loop, args=(poll,), name="coachflow-scheduler", daemon=True
        )
        self._thread.start()
        log.info("embedded scheduler %s started", self.holder)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _loop(self, poll: float) -> None:
        while not self._stop.is_set():
            try:
                self.run_due()
            except Exception:
                # The database may be down or not migrated yet: try again on the next round.
                log.exception("the embedded scheduler could not run the periodic tasks")
            self._stop.wait(poll)

    @staticmethod
    def _run_lease(every: float) -> datetime.timedelta:
        return datetime.timedelta(seconds=min(RUN_LEASE_SECONDS, every))

    def _take(self, name: str, every: float) -> bool:
        """Take the task's lease if it is free (never taken, or run out); True if taken."""
        now = self.clock()
        values = {"holder": self.holder, "expires_at": now + self._run_lease(every)}
        with db.engine.begin() as connection:
            taken = connection.execute(
                update(leases)
                .where(leases.c.name == name, leases.c.expires_at <= now)
                .values(**values)
            ).rowcount
            if taken:
                return True
            exists = connection.scalar(
                select(func.count()).select_from(leases).where(leases.c.name == name)
            )
        if exists:
            return False
        try:
            with db.engine.begin() as connection:
                connection.execute(insert(leases).values(name=name, **values))
        except IntegrityError:
            return False  # another process inserted it first
        return True

    def _hold(self, name: str, until: datetime.datetime) -> bool:
        """Move this holder's lease on ``name`` to ``until``; False if it is no longer ours."""
        with self.app.app_context(), db.engine.begin() as connection:
            return bool(
                connection.execute(
                    update(leases)
                    .where(leases.c.name == name, leases.c.holder == self.holder)
                    .values(expires_at=until)
                ).rowcount
            )

    def _run(self, name: str, every: float) -> None:
        """Run the task on a thread of its own, renewing the lease while it runs; then keep the
        lease until the task is next due."""
        started = self.clock()
        lease = self._run_lease(every)
        task = self.app.extensions["celery"].tasks[name]
        runner = threading.Thread(
            target=self._apply, args=(task,), name=f"coachflow-{name}", daemon=True
        )
        runner.start()
        while runner.is_alive():
            runner.join(lease.total_seconds() / 3)
            if runner.is_alive() and not self._renew(name, lease):
                log.warning("the lease on %s was lost while it ran", name)
        self._renew(name, None, until=started + datetime.timedelta(seconds=every))

    def _renew(
        self,
        name: str,
        lease: datetime.timedelta | None,
        *,
        until: datetime.datetime | None = None,
    ) -> bool:
        try:
            return self._hold(name, until or self.clock() + lease)
        except Exception:
            log.exception("could not renew the lease on %s", name)
            return False

    def _apply(self, task) -> None:
        with self.app.app_context():
            jobs.run_here(task)


def should_start(app: Flask) -> bool:
    """Whether this process runs the periodic tasks itself: no broker (else ``celery beat``
    does), not turned off (``EMBEDDED_SCHEDULER``), not under tests, and serving the app rather
    than running another command (``flask db upgrade``, ``flask surveys tick``, celery's)."""
    if app.config["REDIS_URL"] or not app.config.get("EMBEDDED_SCHEDULER", True) or app.testing:
        return False
    context = click.get_current_context(silent=True)
    if context is None:
        # gunicorn or a script; ``flask`` loads the app outside a command's context when it
        # looks for the app's own commands.
        return not _is_flask_command_line()
    return context.command.name == "run"


def _is_flask_command_line() -> bool:
    return os.path.basename(sys.argv[0] if sys.argv else "") in {"flask", "celery"}


def init_scheduler(app: Flask) -> Scheduler | None:
    """Start the embedded scheduler when this process should run the periodic tasks."""
    if not should_start(app):
        return None
    scheduler = Scheduler(app)
    app.extensions["coachflow.scheduler"] = scheduler
    scheduler.start()
    return scheduler
