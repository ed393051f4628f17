"""The survey domain's jobs: thin entry points that call its services."""

from __future__ import annotations

from celery import shared_task

from coachflow.surveys.services.sending import MAIL_OUT, TICK, send_due, tick


@shared_task(name=MAIL_OUT)
def mail_out() -> None:
    """Send the queued survey invitations, in batches over one SMTP connection each."""
    send_due()


@shared_task(name=TICK)
def surveys_tick() -> None:
    """The periodic survey work: expiries, due sends and retries, reminders."""
    tick()
