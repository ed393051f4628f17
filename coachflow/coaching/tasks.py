"""The coaching domain's jobs: thin entry points that call its services."""

from __future__ import annotations

from celery import shared_task

from coachflow.coaching.services import REMIND_ACTION_ITEMS, remind_action_items


@shared_task(name=REMIND_ACTION_ITEMS)
def remind_action_items_task() -> None:
    """Mail the owners of the action items that fell due."""
    remind_action_items()
