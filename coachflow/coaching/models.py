"""Coaching cycles: a rep's period with their manager, its territory plan, goals, sessions,
debriefs, action items and the two assessments against the sales performance standard.

Sessions are stored in UTC; pages show and take them in the organisation's time zone. A
submitted assessment is never edited: a correction is a new version, the old one is kept.
"""

from __future__ import annotations

import datetime
import enum
import uuid

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachflow.accounts.models import User
from coachflow.platform.extensions import db, enum_column
from coachflow.platform.time import UTCDateTime, utcnow
from coachflow.sales.models import CustomerAccount


class CycleState(enum.StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    CLOSED = "closed"


class Metric(enum.StrEnum):
    """What a goal measures: bound to data (computed, never typed) or manual."""

    REVENUE = "revenue"
    MARGIN_RATE = "margin_rate"
    BOOKINGS = "bookings"
    ESTIMATES = "estimates"
    NPS = "nps"
    CSAT = "csat"
    RESOLUTION_RATE = "resolution_rate"
    MANUAL = "manual"

    @property
    def is_bound(self) -> bool:
        return self is not Metric.MANUAL


class SessionKind(enum.StrEnum):
    ONE_ON_ONE = "one_on_one"
    FIELD_VISIT = "field_visit"
    CALL_PREPARATION = "call_preparation"
    CALL_DEBRIEF = "call_debrief"
    SALES_MEETING = "sales_meeting"
    TRAINING = "training"


class SessionState(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class AssessmentKind(enum.StrEnum):
    SELF = "self"
    MANAGER = "manager"


class CoachingCycle(db.Model):
    """One rep and their manager over a period (end exclusive): planned → active → closed."""

    __tablename__ = "coaching_cycles"
    __table_args__ = (
        CheckConstraint("period_end > period_start", name="period_ordered"),
        Index("ix_coaching_cycles_rep_period", "rep_id", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    period_start: Mapped[datetime.date] = mapped_column(Date)
    period_end: Mapped[datetime.date] = mapped_column(Date)
    state: Mapped[CycleState] = mapped_column(
        enum_column(CycleState, "cycle_state", length=16), default=CycleState.PLANNED, index=True
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    rep: Mapped[User] = relationship(foreign_keys=[rep_id])
    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id])
    plan: Mapped[TerritoryPlan | None] = relationship(back_populates="cycle", uselist=False)
    goals: Mapped[list[Goal]] = relationship(
        back_populates="cycle", order_by="Goal.due_on, Goal.id"
    )
    sessions: Mapped[list[CoachingSession]] = relationship(
        back_populates="cycle", order_by="CoachingSession.starts_at"
    )
    action_items: Mapped[list[ActionItem]] = relationship(
        back_populates="cycle", order_by="ActionItem.due_on, ActionItem.id"
    )

    @property
    def last_day(self) -> datetime.date:
        """The period's last day (``period_end`` is the first day after it)."""
        return self.period_end - datetime.timedelta(days=1)


class TerritoryPlan(db.Model):
    """The rep's one-page plan for the cycle: the rep fills it, the manager comments, approves."""

    __tablename__ = "coaching_plans"
    __table_args__ = (
        CheckConstraint("new_business_percent BETWEEN 0 AND 100", name="split_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_cycles.id", ondelete="CASCADE"), unique=True
    )
    # The share of effort on new business; the rest is account management.
    new_business_percent: Mapped[int] = mapped_column(Integer, default=30)
    channel_partners: Mapped[str] = mapped_column(Text, default="")
    targets: Mapped[str] = mapped_column(Text, default="")
    manager_comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    cycle: Mapped[CoachingCycle] = relationship(back_populates="plan")
    key_accounts: Mapped[list[KeyAccount]] = relationship(
        back_populates="plan", order_by="KeyAccount.id", cascade="all, delete-orphan"
    )


class KeyAccount(db.Model):
    """A key account of a territory plan and the strategy for it."""

    __tablename__ = "coaching_key_accounts"
    __table_args__ = (
        UniqueConstraint("plan_id", "account_id", name="uq_coaching_key_accounts_account"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("coaching_plans.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("customer_accounts.id", ondelete="CASCADE"), index=True
    )
    strategy: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[TerritoryPlan] = relationship(back_populates="key_accounts")
    account: Mapped[CustomerAccount] = relationship()


class Goal(db.Model):
    """A goal of a cycle. A bound goal's progress is computed from the data; a manual goal's
    value is set by hand with a comment (``GoalUpdate``)."""

    __tablename__ = "coaching_goals"
    __table_args__ = (Index("ix_coaching_goals_cycle_due", "cycle_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("coaching_cycles.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    metric: Mapped[Metric] = mapped_column(enum_column(Metric, "goal_metric"))
    target: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False))
    due_on: Mapped[datetime.date] = mapped_column(Date, index=True)
    manual_value: Mapped[float | None] = mapped_column(Numeric(14, 2, asdecimal=False))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    cycle: Mapped[CoachingCycle] = relationship(back_populates="goals")
    updates: Mapped[list[GoalUpdate]] = relationship(
        back_populates="goal", order_by="GoalUpdate.id", cascade="all, delete-orphan"
    )


class GoalUpdate(db.Model):
    """A manual goal's value set by hand, with why."""

    __tablename__ = "coaching_goal_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_goals.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False))
    comment: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="updates")
    by: Mapped[User | None] = relationship()


def new_uid() -> str:
    return f"{uuid.uuid4()}@coachflow"


class CoachingSession(db.Model):
    """A meeting of the cycle's rep and manager; ``uid`` and ``sequence`` make its invitation
    (RFC 5545): the UID never changes, the sequence rises on each move."""

    __tablename__ = "coaching_sessions"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_cycles.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind, "session_kind"))
    state: Mapped[SessionState] = mapped_column(
        enum_column(SessionState, "session_state", length=16), default=SessionState.SCHEDULED
    )
    starts_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    place: Mapped[str] = mapped_column(String(200), default="")
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=new_uid)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Call preparation: the account, objective, likely needs and objections, questions to ask.
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer_accounts.id", ondelete="SET NULL")
    )
    objective: Mapped[str] = mapped_column(Text, default="")
    customer_needs: Mapped[str] = mapped_column(Text, default="")
    objections: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    cycle: Mapped[CoachingCycle] = relationship(back_populates="sessions")
    account: Mapped[CustomerAccount | None] = relationship()
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="session", order_by="AgendaItem.id", cascade="all, delete-orphan"
    )
    debrief: Mapped[Debrief | None] = relationship(back_populates="session", uselist=False)

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)


class AgendaItem(db.Model):
    """One point of a session's agenda."""

    __tablename__ = "coaching_agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(500))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[CoachingSession] = relationship(back_populates="agenda")


class Debrief(db.Model):
    """What came of a session: what happened, what went well, what to do differently; its next
    steps are action items."""

    __tablename__ = "coaching_debriefs"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), unique=True
    )
    what_happened: Mapped[str] = mapped_column(Text, default="")
    went_well: Mapped[str] = mapped_column(Text, default="")
    do_differently: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[CoachingSession] = relationship(back_populates="debrief")
    author: Mapped[User | None] = relationship()


class ActionItem(db.Model):
    """Something one of the two agreed to do by a date; a reminder goes out when it is due."""

    __tablename__ = "coaching_action_items"
    __table_args__ = (Index("ix_coaching_action_items_owner_due", "owner_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_cycles.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    due_on: Mapped[datetime.date] = mapped_column(Date)
    done_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    cycle: Mapped[CoachingCycle] = relationship(back_populates="action_items")
    session: Mapped[CoachingSession | None] = relationship()
    owner: Mapped[User] = relationship()


class CompetencyList(db.Model):
    """A version of the competencies assessed; a new version keeps the old for old cycles."""

    __tablename__ = "coaching_competency_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    competencies: Mapped[list[Competency]] = relationship(
        back_populates="list", order_by="Competency.position", cascade="all, delete-orphan"
    )


class Competency(db.Model):
    """One competency of a list; its name per language (``{"en": …, "de": …, "fr": …}``)."""

    __tablename__ = "coaching_competencies"
    __table_args__ = (
        UniqueConstraint("list_id", "position", name="uq_coaching_competencies_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_competency_lists.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))
    names: Mapped[dict] = mapped_column(db.JSON, default=dict)

    list: Mapped[CompetencyList] = relationship(back_populates="competencies")

    def name_in(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.key


class Assessment(db.Model):
    """A rep's self-assessment or the manager's assessment of them in one cycle; submitted is
    final, a correction is the next version."""

    __tablename__ = "coaching_assessments"
    __table_args__ = (
        UniqueConstraint("cycle_id", "kind", "version", name="uq_coaching_assessments_version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_cycles.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AssessmentKind] = mapped_column(
        enum_column(AssessmentKind, "assessment_kind", length=16)
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    list_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_competency_lists.id", ondelete="RESTRICT")
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    cycle: Mapped[CoachingCycle] = relationship()
    ratings: Mapped[list[Rating]] = relationship(
        back_populates="assessment", order_by="Rating.id", cascade="all, delete-orphan"
    )
    competency_list: Mapped[CompetencyList] = relationship()


class Rating(db.Model):
    """One competency rated 1–5, with a comment."""

    __tablename__ = "coaching_ratings"
    __table_args__ = (
        UniqueConstraint("assessment_id", "competency_id", name="uq_coaching_ratings_competency"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_scale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_assessments.id", ondelete="CASCADE")
    )
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_competencies.id", ondelete="RESTRICT"), index=True
    )
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    assessment: Mapped[Assessment] = relationship(back_populates="ratings")
    competency: Mapped[Competency] = relationship()
