"""Customer surveys' invitations (one per recipient), their responses and held ad-hoc sends.

An invitation carries a single-use token (only its SHA-256 is stored) and the rep the answer is
about. A response belongs to one invitation (unique), so a second submission cannot add a second
answer. The surveys and their versioned questions are the questionnaires package's.
"""

from __future__ import annotations

import datetime
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
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
from coachflow.questionnaires.models import Question, Survey, SurveyVersion
from coachflow.sales.models import Contact, Deal


class InvitationStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # the last attempt failed; retried with backoff or resent by hand
    OPENED = "opened"
    ANSWERED = "answered"
    EXPIRED = "expired"
    UNSUBSCRIBED = "unsubscribed"


class AdhocSendStatus(enum.StrEnum):
    PENDING = "pending"  # waits for HR; nothing is mailed
    APPROVED = "approved"  # its invitations were created and mailed
    REJECTED = "rejected"  # never mailed


class Invitation(db.Model):
    """One recipient's single-use link to a survey, and what became of it."""

    __tablename__ = "invitations"
    __table_args__ = (
        Index("ix_invitations_survey_status", "survey_id", "status"),
        Index("ix_invitations_contact_created", "contact_id", "created_at"),
        Index("ix_invitations_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    # The address written to; cleared when the contact asks to be erased.
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="en")
    rep_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    # The link's token is HMAC(SECRET_KEY, id + salt): re-derivable for reminders, never stored;
    # the database holds only its SHA-256, so a copy of the database alone opens no survey.
    token_salt: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[InvitationStatus] = mapped_column(
        enum_column(InvitationStatus, "invitation_status"), default=InvitationStatus.QUEUED
    )
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    # Written to a pasted address that is no contact: its answers are marked in the results,
    # since nothing proves a customer holds the address.
    adhoc: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    survey: Mapped[Survey] = relationship()
    version: Mapped[SurveyVersion] = relationship()
    contact: Mapped[Contact | None] = relationship()
    rep: Mapped[User | None] = relationship()
    team: Mapped[Team | None] = relationship()
    deal: Mapped[Deal | None] = relationship()


class Response(db.Model):
    """The one answer to an invitation (unique): who it is about, never who gave it once erased."""

    __tablename__ = "responses"
    __table_args__ = (Index("ix_responses_survey_submitted", "survey_id", "submitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), unique=True
    )
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id", ondelete="CASCADE"))
    rep_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str] = mapped_column(String(5), default="en")
    submitted_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    invitation: Mapped[Invitation] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class Answer(db.Model):
    """One question's answer: a score on the question's scale, chosen options, or text."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id", name="uq_answers_question"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 10)", name="score_in_scale"),
        Index("ix_answers_question_score", "question_id", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    score: Mapped[int | None] = mapped_column(Integer)
    choices: Mapped[list | None] = mapped_column(db.JSON)
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class AdhocSend(db.Model):
    """Pasted addresses a manager asked to invite, held until HR approves or rejects them
    (when the organisation's settings ask for it); only then are invitations created."""

    __tablename__ = "adhoc_sends"
    __table_args__ = (Index("ix_adhoc_sends_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    addresses: Mapped[list] = mapped_column(db.JSON, default=list)  # normalised, in order
    status: Mapped[AdhocSendStatus] = mapped_column(
        enum_column(AdhocSendStatus, "adhoc_send_status"), default=AdhocSendStatus.PENDING
    )
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    invited: Mapped[int] = mapped_column(Integer, default=0)  # invitations made on approval

    survey: Mapped[Survey] = relationship()
    rep: Mapped[User | None] = relationship(foreign_keys=[rep_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
