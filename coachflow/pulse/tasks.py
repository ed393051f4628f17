"""The pulse domain's jobs: thin entry points that call its services."""

from __future__ import annotations

from celery import shared_task

from coachflow.pulse.services import SEND_ROUND, TICK, send_invitations, tick


@shared_task(name=TICK)
def pulse_tick() -> None:
    """Close ended rounds, open due ones, remind, and move waiting answers into the results."""
    tick()


@shared_task(name=SEND_ROUND)
def send_round(round_id: int) -> None:
    """Mail a new round's invitations over one connection."""
    send_invitations(round_id)
