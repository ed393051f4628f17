"""Follow-up cases: an unhappy customer's answer becomes a case for the rep it is about, worked
through a timeline of contacts to a resolution with a root cause; and won deals that trigger a
CSAT invitation after a delay.

A case belongs to one response (unique), so the same answer processed twice opens one case.
Every response the evaluation has looked at is recorded (``FollowUpEvaluation``), so the
periodic tick can find the ones a lost job never reached.
"""

from __future__ import annotations

import datetime
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachflow.accounts.models import Team, User
from coachflow.platform.extensions import db, enum_column
from coachflow.platform.time import UTCDateTime, utcnow
from coachflow.questionnaires.models import Survey
from coachflow.sales.models import Contact, CustomerAccount, Deal
from coachflow.surveys.models import Invitation, Response


class CaseState(enum.StrEnum):
    OPEN = "open"
    CONTACTED = "contacted"
    RESOLVED = "resolved"
    COULD_NOT_RESOLVE = "could_not_resolve"

    @property
    def is_closed(self) -> bool:
        return self in (CaseState.RESOLVED, CaseState.COULD_NOT_RESOLVE)


ACTIVE_STATES = (CaseState.OPEN, CaseState.CONTACTED)
CLOSED_STATES = (CaseState.RESOLVED, CaseState.COULD_NOT_RESOLVE)


class CaseReason(enum.StrEnum):
    NPS = "nps"  # a detractor's score
    CSAT = "csat"  # a low satisfaction rating
    KEYWORD = "keyword"  # a comment with one of the rule's words


class EventKind(enum.StrEnum):
    NOTE = "note"
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    STATE_CHANGE = "state_change"
    REASSIGNMENT = "reassignment"
    RESURVEY = "resurvey"  # the customer was asked again, or why not


CONTACT_KINDS = (EventKind.CALL, EventKind.EMAIL, EventKind.MEETING)


class TriggerOutcome(enum.StrEnum):
    INVITED = "invited"  # an invitation was queued for the deal's contact
    NO_CONTACT = "no_contact"  # the deal's account has no contact with an address
    EXCLUDED = "excluded"  # the mail-out's rules left it out (opted out, throttled, erased)


class RootCause(db.Model):
    """Where a customer's problem came from; seeded ones carry a code and a translated name,
    an admin's own carry their name."""

    __tablename__ = "followup_root_causes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)


class FollowUpRule(db.Model):
    """Which answers open a case: scores at or below a threshold, or comments with words."""

    __tablename__ = "followup_rules"
    __table_args__ = (
        CheckConstraint("nps_max IS NULL OR (nps_max >= 0 AND nps_max <= 9)", name="nps_in_scale"),
        CheckConstraint(
            "csat_max IS NULL OR (csat_max >= 1 AND csat_max <= 4)", name="csat_in_scale"
        ),
        CheckConstraint("due_workdays >= 1 AND due_workdays <= 30", name="due_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # None: every team (an admin's rule); else one team's (its manager's rule).
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True
    )
    nps_max: Mapped[int | None] = mapped_column(Integer, default=6)
    csat_max: Mapped[int | None] = mapped_column(Integer, default=2)
    keywords: Mapped[dict] = mapped_column(db.JSON, default=dict)  # {"en": ["cancel", …], …}
    due_workdays: Mapped[int] = mapped_column(Integer, default=2)
    # Ask the customer "Has your concern been resolved?" when a case is resolved.
    resurvey: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team | None] = relationship()


class FollowUpCase(db.Model):
    """One unhappy answer to settle: who works it, by when, what happened, and why."""

    __tablename__ = "followup_cases"
    __table_args__ = (
        UniqueConstraint("response_id", name="uq_followup_cases_response"),
        Index("ix_followup_cases_rep_opened", "rep_id", "opened_at"),
        Index("ix_followup_cases_team_opened", "team_id", "opened_at"),
        Index("ix_followup_cases_state_due", "state", "due_at"),
        Index("ix_followup_cases_opened", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("followup_rules.id", ondelete="SET NULL")
    )
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer_accounts.id", ondelete="SET NULL"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    reason: Mapped[CaseReason] = mapped_column(enum_column(CaseReason, "case_reason", length=16))
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[CaseState] = mapped_column(
        enum_column(CaseState, "case_state"), default=CaseState.OPEN
    )
    opened_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    first_contact_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    root_cause_id: Mapped[int | None] = mapped_column(
        ForeignKey("followup_root_causes.id", ondelete="SET NULL")
    )
    overdue_notified_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    # The invitation asking the customer whether their concern was resolved (see the rule).
    resurvey_invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL")
    )

    response: Mapped[Response] = relationship()
    rep: Mapped[User | None] = relationship(foreign_keys=[rep_id])
    team: Mapped[Team | None] = relationship()
    account: Mapped[CustomerAccount | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    deal: Mapped[Deal | None] = relationship()
    root_cause: Mapped[RootCause | None] = relationship()
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    rule: Mapped[FollowUpRule | None] = relationship()
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan"
    )


class CaseEvent(db.Model):
    """One line of a case's timeline: a note, a contact, a change of state or of owner."""

    __tablename__ = "followup_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("followup_cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "case_event_kind"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text, default="")
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str | None] = mapped_column(String(24))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    case: Mapped[FollowUpCase] = relationship(back_populates="events")
    by: Mapped[User | None] = relationship(foreign_keys=[by_id])
    to_user: Mapped[User | None] = relationship(foreign_keys=[to_user_id])


class FollowUpEvaluation(db.Model):
    """A response the rules have been applied to (whether or not it opened a case)."""

    __tablename__ = "followup_evaluations"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    evaluated_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DealTrigger(db.Model):
    """Send a CSAT survey to a won deal's contact, ``delay_days`` after it closed."""

    __tablename__ = "followup_deal_triggers"
    __table_args__ = (
        CheckConstraint("delay_days >= 0 AND delay_days <= 90", name="delay_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    delay_days: Mapped[int] = mapped_column(Integer, default=3)
    # Deals closed before this day are not surveyed: a new trigger does not mail the past.
    starts_on: Mapped[datetime.date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    survey: Mapped[Survey] = relationship()


class TriggeredDeal(db.Model):
    """A won deal a trigger has handled, and how: invited, or why not."""

    __tablename__ = "followup_triggered_deals"
    __table_args__ = (
        UniqueConstraint("trigger_id", "deal_id", name="uq_followup_triggered_deals_deal"),
        Index("ix_followup_triggered_deals_outcome", "trigger_id", "outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trigger_id: Mapped[int] = mapped_column(
        ForeignKey("followup_deal_triggers.id", ondelete="CASCADE")
    )
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[TriggerOutcome] = mapped_column(
        enum_column(TriggerOutcome, "trigger_outcome", length=16)
    )
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    trigger: Mapped[DealTrigger] = relationship()
    deal: Mapped[Deal] = relationship()
    invitation: Mapped[Invitation | None] = relationship()
