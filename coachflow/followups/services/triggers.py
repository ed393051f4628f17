"""Deal triggers: a won deal's contact gets a CSAT survey a set number of days after it closed.

The periodic tick scans, set-based, for won deals closed at least ``delay_days`` ago (and not
before the trigger started, nor more than ``LOOKBACK`` before they were due) that the trigger has
not handled, and invites their account's first contact through the surveys' own distribution
(``invite_requested``: the same mail-out, throttle, opt-outs and erasures), about that deal and
its rep. However a deal became won (CSV
import, API, page), the scan finds it. A deal whose account has no contact is recorded as such
and listed on the trigger's page; one the mail-out's rules leave out is recorded as excluded.

Invitations are committed before the deals are recorded: should the process die between the
two, the next scan asks again and the throttle (a contact invited moments ago) leaves it out.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from coachflow.followups.models import DealTrigger, TriggeredDeal, TriggerOutcome
from coachflow.followups.services import ORGANISATION
from coachflow.followups.services.resurvey import SURVEY_NAME
from coachflow.platform import audit
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.models import Survey, SurveyKind, SurveyStatus
from coachflow.sales.models import Contact, CustomerAccount, Deal, DealStage
from coachflow.surveys.services.distribution import (
    InvitationRequest,
    RecipientsRejected,
    invite_requested,
)

log = logging.getLogger(__name__)

BATCH = 500  # deals per trigger per tick
# Deals closed longer ago than the delay plus this are not looked at again: the scan stays a
# short range of the (closed_on, stage) index however many deals a year brings.
LOOKBACK = datetime.timedelta(days=60)
DELAY_RANGE = (0, 90)


def triggers() -> list[DealTrigger]:
    return list(db.session.scalars(select(DealTrigger).order_by(DealTrigger.id)))


def csat_surveys() -> list[Survey]:
    """The surveys a trigger may send: active customer CSAT surveys (not the re-survey's)."""
    return list(
        db.session.scalars(
            select(Survey)
            .where(
                Survey.kind == SurveyKind.CUSTOMER_CSAT,
                Survey.status == SurveyStatus.ACTIVE,
                Survey.name != SURVEY_NAME,
            )
            .order_by(Survey.name)
        )
    )


def create_trigger(survey_id: int | None, delay_days: int | None, by: Any) -> DealTrigger:
    """Start sending ``survey_id`` to won deals' contacts ``delay_days`` after closing; deals
    closed before today are not surveyed."""
    survey = db.session.get(Survey, survey_id) if survey_id else None
    if survey is None or survey.id not in {s.id for s in csat_surveys()}:
        raise DomainError(_("Choose an active CSAT survey."), field="survey")
    low, high = DELAY_RANGE
    if delay_days is None or not low <= delay_days <= high:
        raise DomainError(
            _("Give from %(low)d to %(high)d days.", low=low, high=high), field="delay_days"
        )
    trigger = DealTrigger(
        survey_id=survey.id,
        delay_days=delay_days,
        starts_on=utcnow().date(),
        created_by_id=by.id,
    )
    db.session.add(trigger)
    db.session.flush()
    audit.record(by, "followup.trigger_created", survey.name, f"delay_days={delay_days}")
    db.session.commit()
    return trigger


def set_trigger_active(trigger: DealTrigger, active: bool, by: Any) -> None:
    trigger.active = active
    audit.record(by, "followup.trigger_changed", f"trigger {trigger.id}", f"active={active}")
    db.session.commit()


@dataclass
class TriggerReport:
    invited: int = 0
    no_contact: int = 0
    excluded: int = 0


def _first_contact() -> Any:
    """The account's first contact (by id): whom a deal's survey goes to."""
    return (
        select(func.min(Contact.id))
        .where(Contact.account_id == Deal.account_id)
        .correlate(Deal)
        .scalar_subquery()
    )


def run_trigger(trigger: DealTrigger, today: datetime.date | None = None) -> TriggerReport:
    """Handle the won deals now due for ``trigger`` (at most ``BATCH``)."""
    today = today or utcnow().date()
    latest = today - datetime.timedelta(days=trigger.delay_days)
    earliest = max(trigger.starts_on, latest - LOOKBACK)
    handled = select(TriggeredDeal.deal_id).where(TriggeredDeal.trigger_id == trigger.id)
    contact_id = _first_contact().label("contact_id")
    rows = db.session.execute(
        select(Deal.id, Deal.external_id, contact_id)
        .where(
            Deal.stage == DealStage.WON,
            Deal.closed_on >= earliest,
            Deal.closed_on <= latest,
            Deal.id.not_in(handled),
        )
        .order_by(Deal.closed_on, Deal.id)
        .limit(BATCH)
    ).all()
    report = TriggerReport()
    if not rows:
        return report
    outcomes: dict[int, tuple[TriggerOutcome, int | None]] = {}
    with_contact = [row for row in rows if row.contact_id is not None]
    for row in rows:
        if row.contact_id is None:
            outcomes[row.id] = (TriggerOutcome.NO_CONTACT, None)
    if with_contact:
        emails = dict(
            db.session.execute(
                select(Contact.id, Contact.email).where(
                    Contact.id.in_([row.contact_id for row in with_contact])
                )
            ).all()
        )
        requests = [
            InvitationRequest(
                index=index, email=emails[row.contact_id], deal_external_id=row.external_id
            )
            for index, row in enumerate(with_contact)
        ]
        try:
            selection, ids = invite_requested(trigger.survey, requests, ORGANISATION)
        except RecipientsRejected as error:
            log.warning("deal trigger %s: requests refused: %s", trigger.id, error.problems)
            selection, ids = None, []
        invited = {}
        if selection is not None:
            invited = {
                recipient.index: invitation_id
                for recipient, invitation_id in zip(selection.recipients, ids, strict=False)
            }
        for index, row in enumerate(with_contact):
            if index in invited:
                outcomes[row.id] = (TriggerOutcome.INVITED, invited[index])
            else:
                outcomes[row.id] = (TriggerOutcome.EXCLUDED, None)
    now = utcnow()
    for deal_id, (outcome, invitation_id) in outcomes.items():
        db.session.add(
            TriggeredDeal(
                trigger_id=trigger.id,
                deal_id=deal_id,
                outcome=outcome,
                invitation_id=invitation_id,
                recorded_at=now,
            )
        )
        if outcome is TriggerOutcome.INVITED:
            report.invited += 1
        elif outcome is TriggerOutcome.NO_CONTACT:
            report.no_contact += 1
        else:
            report.excluded += 1
    db.session.commit()
    return report


def run_triggers(today: datetime.date | None = None) -> TriggerReport:
    """Run every active trigger whose survey can be sent; the totals."""
    total = TriggerReport()
    for trigger in db.session.scalars(select(DealTrigger).where(DealTrigger.active)).all():
        if trigger.survey.status is not SurveyStatus.ACTIVE:
            continue
        report = run_trigger(trigger, today)
        total.invited += report.invited
        total.no_contact += report.no_contact
        total.excluded += report.excluded
    return total


def handled_deals(trigger: DealTrigger, outcome: TriggerOutcome, limit: int = 200) -> list[Any]:
    """The deals a trigger handled with ``outcome``, latest first (for its page)."""
    return db.session.execute(
        select(
            Deal.id,
            Deal.external_id,
            Deal.closed_on,
            CustomerAccount.name.label("account"),
            TriggeredDeal.recorded_at,
        )
        .join(TriggeredDeal, TriggeredDeal.deal_id == Deal.id)
        .join(CustomerAccount, CustomerAccount.id == Deal.account_id)
        .where(TriggeredDeal.trigger_id == trigger.id, TriggeredDeal.outcome == outcome)
        .order_by(TriggeredDeal.recorded_at.desc(), Deal.id.desc())
        .limit(limit)
    ).all()


def outcome_counts(trigger_ids: list[int]) -> dict[int, dict[TriggerOutcome, int]]:
    """How many deals each trigger handled, by outcome (one GROUP BY)."""
    counts: dict[int, dict[TriggerOutcome, int]] = {t: {} for t in trigger_ids}
    if not trigger_ids:
        return counts
    for trigger_id, outcome, n in db.session.execute(
        select(TriggeredDeal.trigger_id, TriggeredDeal.outcome, func.count())
        .where(TriggeredDeal.trigger_id.in_(trigger_ids))
        .group_by(TriggeredDeal.trigger_id, TriggeredDeal.outcome)
    ):
        counts[trigger_id][outcome] = n
    return counts
