"""The sales domain's jobs: thin entry points that call its services."""

from __future__ import annotations

from celery import shared_task

from coachflow.sales.services import (
    CHECK_IMPORT,
    EXECUTE_IMPORT,
    PURGE_UPLOADS,
    check_run,
    execute_run,
    purge_stale_uploads,
)


@shared_task(name=CHECK_IMPORT)
def check_import(run_id: int) -> None:
    """Dry-run an uploaded file: count its rows and list every problem, writing nothing."""
    check_run(run_id)


@shared_task(name=EXECUTE_IMPORT)
def execute_import(run_id: int) -> None:
    """Import an uploaded, checked file, all or nothing."""
    execute_run(run_id)


@shared_task(name=PURGE_UPLOADS)
def purge_uploads() -> None:
    """Delete the uploads not imported within a week, with their stored files."""
    purge_stale_uploads()
