"""Pulse: recurring anonymous employee surveys on a questionnaire of the employee-pulse kind.

Anonymity is structural (see ``docs/pulse-anonymity.md``). An invitation knows its person but
only whether it was used, never what was answered. An answer first waits in the pool (round,
team, answers, a random sort key), written in the transaction that spends the invitation; later
a different transaction moves pool entries in shuffled batches into ``pulse_responses`` and
``pulse_answers``, whose keys are random and which carry no person, no invitation, no token and
no time finer than the round.
"""

from __future__ import annotations

import datetime
import enum
import secrets
import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachflow.accounts.models import Team
from coachflow.platform.extensions import db, enum_column
from coachflow.platform.time import UTCDateTime, utcnow
from coachflow.questionnaires.models import Survey, SurveyVersion

DEFAULT_MINIMUM = 5
DEFAULT_COMMENT_MINIMUM = 10


def random_id() -> str:
    """A random key that says nothing about when or in which order a row was written."""
    return uuid.uuid4().hex


def random_sort_key() -> int:
    return secrets.randbelow(2**62)


class Schedule(enum.StrEnum):
    ONCE = "once"
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class RoundStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


pulse_teams = db.Table(
    "pulse_teams",
    db.Column("pulse_id", ForeignKey("pulses.id", ondelete="CASCADE"), primary_key=True),
    db.Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
)


class Pulse(db.Model):
    """A pulse survey sent to some teams (or everyone) once or on a schedule."""

    __tablename__ = "pulses"
    __table_args__ = (CheckConstraint("days_open BETWEEN 1 AND 60", name="days_open_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    schedule: Mapped[Schedule] = mapped_column(enum_column(Schedule, "pulse_schedule"))
    everyone: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_on: Mapped[datetime.date] = mapped_column(Date)
    days_open: Mapped[int] = mapped_column(Integer, default=7)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    survey: Mapped[Survey] = relationship()
    teams: Mapped[list[Team]] = relationship(secondary=pulse_teams, order_by="Team.name")
    rounds: Mapped[list[PulseRound]] = relationship(
        back_populates="pulse", order_by="PulseRound.number"
    )


class PulseRound(db.Model):
    """One occurrence of a pulse: open from ``opens_on`` to ``closes_on`` (inclusive)."""

    __tablename__ = "pulse_rounds"
    __table_args__ = (
        UniqueConstraint("pulse_id", "number", name="uq_pulse_rounds_number"),
        CheckConstraint("closes_on >= opens_on", name="closes_after_opening"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pulse_id: Mapped[int] = mapped_column(ForeignKey("pulses.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"), index=True)
    opens_on: Mapped[datetime.date] = mapped_column(Date)
    closes_on: Mapped[datetime.date] = mapped_column(Date, index=True)
    status: Mapped[RoundStatus] = mapped_column(
        enum_column(RoundStatus, "pulse_round_status"), default=RoundStatus.OPEN, index=True
    )
    reminded: Mapped[bool] = mapped_column(Boolean, default=False)

    pulse: Mapped[Pulse] = relationship(back_populates="rounds")
    version: Mapped[SurveyVersion] = relationship()


class PulseInvitation(db.Model):
    """A person's link to one round. It records that it was used, never what was answered."""

    __tablename__ = "pulse_invitations"
    __table_args__ = (UniqueConstraint("round_id", "user_id", name="uq_pulse_invitations_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pulse_rounds.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The team the person belonged to when invited: response rates per team, and the team the
    # answer is counted for.
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    salt: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)


class PulseAnswerPool(db.Model):
    """An answer waiting to be moved into the results (never shown, exported or served)."""

    __tablename__ = "pulse_answer_pool"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("pulse_rounds.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    sort_key: Mapped[int] = mapped_column(BigInteger, default=random_sort_key)
    answers: Mapped[list] = mapped_column(db.JSON)


class PulseResponse(db.Model):
    """One anonymous answer to a round: its round and team, nothing else."""

    __tablename__ = "pulse_responses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("pulse_rounds.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )


class PulseAnswer(db.Model):
    """One question's answer within an anonymous pulse response."""

    __tablename__ = "pulse_answers"
    __table_args__ = (
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 10", name="score_range"),
    )

    response_id: Mapped[str] = mapped_column(
        ForeignKey("pulse_responses.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    score: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)


class PulseSettings(db.Model):
    """The thresholds, one row (id 1); read through ``queries.thresholds()``."""

    __tablename__ = "pulse_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("minimum >= 3", name="minimum_at_least_three"),
        CheckConstraint("comment_minimum >= minimum", name="comments_not_below_scores"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    minimum: Mapped[int] = mapped_column(Integer, default=DEFAULT_MINIMUM)
    comment_minimum: Mapped[int] = mapped_column(Integer, default=DEFAULT_COMMENT_MINIMUM)
