"""The accounts domain's jobs: thin entry points that call its services."""

from __future__ import annotations

from celery import shared_task

from coachflow.accounts.services import PURGE_SESSIONS, purge_sessions


@shared_task(name=PURGE_SESSIONS)
def purge_stale_sessions() -> None:
    """Forget the sessions idle too long to be used again."""
    purge_sessions()
