"""The scorecards' jobs: thin entry points that call its services."""

from __future__ import annotations

from celery import shared_task

from coachflow.scorecards.services import FREEZE, RENDER_CHUNK, freeze, render_chunk


@shared_task(name=FREEZE)
def freeze_period(period_id: int) -> None:
    """Snapshot the figures and PDFs of a period HR closed."""
    freeze(period_id)


@shared_task(name=RENDER_CHUNK)
def render_scorecards(export_id: int, rep_ids: list[int]) -> None:
    """Render a chunk of a bulk export's scorecards."""
    render_chunk(export_id, rep_ids)
