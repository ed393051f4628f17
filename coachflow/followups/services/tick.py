"""The follow-ups' periodic work: answers no job evaluated, overdue cases, deal triggers."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select, update

from coachflow.followups.models import ACTIVE_STATES, FollowUpCase
from coachflow.followups.services import notices
from coachflow.followups.services.evaluation import catch_up
from coachflow.followups.services.triggers import run_triggers
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow

log = logging.getLogger(__name__)

TICK = "coachflow.followups_tick"
OVERDUE_BATCH = 200


@dataclass(frozen=True)
class TickReport:
    evaluated: int
    overdue: int
    invited: int
    no_contact: int


def notify_overdue(limit: int = OVERDUE_BATCH) -> int:
    """Mail the rep and manager of each case that became overdue, once per case."""
    now = utcnow()
    due = db.session.scalars(
        select(FollowUpCase)
        .where(
            FollowUpCase.state.in_(ACTIVE_STATES),
            FollowUpCase.due_at < now,
            FollowUpCase.overdue_notified_at.is_(None),
        )
        .order_by(FollowUpCase.due_at, FollowUpCase.id)
        .limit(limit)
    ).all()
    told = 0
    for case in due:
        # Claim it first: of two ticks at once, only one mails.
        claimed = db.session.execute(
            update(FollowUpCase)
            .where(FollowUpCase.id == case.id, FollowUpCase.overdue_notified_at.is_(None))
            .values(overdue_notified_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if claimed == 1:
            notices.case_overdue(case)
            told += 1
    return told


def tick() -> TickReport:
    """One round of the periodic work."""
    evaluated = catch_up()
    overdue = notify_overdue()
    triggered = run_triggers()
    report = TickReport(evaluated, overdue, triggered.invited, triggered.no_contact)
    if any((evaluated, overdue, triggered.invited, triggered.no_contact)):
        log.info("follow-ups tick: %s", report)
    return report
