"""Surveys, their versioned questions, invitations (one per recipient) and responses.

A survey's questions live in a version; a survey that has answers is never edited in place:
editing makes a new version, so old answers keep the wording they were given to. An invitation
carries a single-use token (only its SHA-256 is stored) and the rep the answer is about. A
response belongs to one invitation (unique), so a second submission cannot add a second answer.
"""

from __future__ import annotations

import datetime
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Enum,
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
from coachflow.platform.extensions import db
from coachflow.platform.time import UTCDateTime, utcnow
from coachflow.sales.models import Contact, Deal


def _enum(cls: type[enum.Enum], name: str, length: int = 24) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class SurveyKind(enum.StrEnum):
    CUSTOMER_CSAT = "customer_csat"
    CUSTOMER_NPS = "customer_nps"
    EMPLOYEE_PULSE = "employee_pulse"
    SELF_ASSESSMENT = "self_assessment"
    MANAGER_ASSESSMENT = "manager_assessment"

    @property
    def is_customer(self) -> bool:
        return self in (SurveyKind.CUSTOMER_CSAT, SurveyKind.CUSTOMER_NPS)


class SurveyStatus(enum.StrEnum):
    DRAFT = "draft"  # being built; nothing sent
    ACTIVE = "active"  # invitations go out and answers are accepted
    CLOSED = "closed"  # no more answers; results stay


class QuestionType(enum.StrEnum):
    NPS = "nps"  # 0–10, "how likely are you to recommend…"
    RATING = "rating"  # 1–5 satisfaction (CSAT)
    AGREEMENT = "agreement"  # 1–5, strongly disagree … strongly agree
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TEXT = "text"


SCALES: dict[QuestionType, tuple[int, int]] = {
    QuestionType.NPS: (0, 10),
    QuestionType.RATING: (1, 5),
    QuestionType.AGREEMENT: (1, 5),
}


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


class Survey(db.Model):
    """A questionnaire of one kind, sent as invitations; its questions live in versions."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SurveyKind] = mapped_column(_enum(SurveyKind, "survey_kind"), index=True)
    status: Mapped[SurveyStatus] = mapped_column(
        _enum(SurveyStatus, "survey_status"), default=SurveyStatus.DRAFT
    )
    default_language: Mapped[str] = mapped_column(String(5), default="en")
    # The manager who built it (a manager sees and sends their own surveys; HR and admin all).
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    invitation_days: Mapped[int] = mapped_column(Integer, default=30)  # how long a link works
    reminder_days: Mapped[int] = mapped_column(Integer, default=4)
    max_reminders: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User | None] = relationship()
    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey", order_by="SurveyVersion.number"
    )

    @property
    def current_version(self) -> SurveyVersion | None:
        return self.versions[-1] if self.versions else None


class SurveyVersion(db.Model):
    """The questions of a survey as they were asked from a moment on."""

    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_id", "number", name="uq_survey_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    # Texts per language: {"en": {"title": …, "intro": …, "thanks": …}, "de": {…}, "fr": {…}}
    texts: Mapped[dict] = mapped_column(db.JSON, default=dict)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    survey: Mapped[Survey] = relationship(back_populates="versions")
    questions: Mapped[list[Question]] = relationship(
        back_populates="version", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(db.Model):
    """One question of a survey version; its wording per language in ``texts``."""

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("version_id", "position", name="uq_questions_position"),
        CheckConstraint("position >= 0", name="position_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[QuestionType] = mapped_column(_enum(QuestionType, "question_type"))
    required: Mapped[bool] = mapped_column(default=True)
    texts: Mapped[dict] = mapped_column(db.JSON, default=dict)  # {"en": "How likely…", …}
    # Choices of single/multiple choice: [{"value": "price", "labels": {"en": …, "de": …}}]
    options: Mapped[list] = mapped_column(db.JSON, default=list)

    version: Mapped[SurveyVersion] = relationship(back_populates="questions")


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
        _enum(InvitationStatus, "invitation_status"), default=InvitationStatus.QUEUED
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
        _enum(AdhocSendStatus, "adhoc_send_status"), default=AdhocSendStatus.PENDING
    )
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    invited: Mapped[int] = mapped_column(Integer, default=0)  # invitations made on approval

    survey: Mapped[Survey] = relationship()
    rep: Mapped[User | None] = relationship(foreign_keys=[rep_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
