"""The follow-ups' jobs: thin entry points that call its services."""

from __future__ import annotations

from celery import shared_task

from coachflow.followups.services.evaluation import EVALUATE, evaluate_response
from coachflow.followups.services.resurvey import RESURVEY, send_resurvey
from coachflow.followups.services.tick import TICK, tick


@shared_task(name=EVALUATE)
def followups_evaluate(response_id: int) -> None:
    """Apply the follow-up rules to one stored answer; open a case when one matches."""
    evaluate_response(response_id)


@shared_task(name=TICK)
def followups_tick() -> None:
    """The periodic follow-up work: missed answers, overdue cases, deal triggers."""
    tick()


@shared_task(name=RESURVEY)
def followups_resurvey(case_id: int) -> None:
    """Ask the customer of a resolved case whether their concern is resolved."""
    send_resurvey(case_id)
