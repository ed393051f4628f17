"""The dashboards' jobs: thin entry points that call its services."""

from __future__ import annotations

from celery import shared_task

from coachflow.dashboards.services import SEND_DIGESTS, send_weekly_digests
from coachflow.platform.time import utcnow


@shared_task(name=SEND_DIGESTS)
def weekly_digests() -> None:
    """On Mondays, mail each person their weekly digest (runs hourly; sends once a week)."""
    send_weekly_digests(utcnow().date())
