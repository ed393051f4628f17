"""Questionnaires: a survey, its versions and their ordered questions.

A survey's questions live in a version; a survey that has answers is never edited in place:
editing makes a new version, so old answers keep the wording they were given to. Who answers
and how the answers are stored is the collecting domain's business (customer surveys keep one
response per invitation; pulse answers belong to no invitation), so nothing here refers to them.
"""

from __future__ import annotations

import datetime
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachflow.accounts.models import User
from coachflow.platform.extensions import db, enum_column
from coachflow.platform.time import UTCDateTime, utcnow


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


class Survey(db.Model):
    """A questionnaire of one kind; its questions live in versions, its answers with the domain
    that collects them (customer surveys: invitations and responses)."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SurveyKind] = mapped_column(enum_column(SurveyKind, "survey_kind"), index=True)
    status: Mapped[SurveyStatus] = mapped_column(
        enum_column(SurveyStatus, "survey_status"), default=SurveyStatus.DRAFT
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
    type: Mapped[QuestionType] = mapped_column(enum_column(QuestionType, "question_type"))
    required: Mapped[bool] = mapped_column(default=True)
    texts: Mapped[dict] = mapped_column(db.JSON, default=dict)  # {"en": "How likely…", …}
    # Choices of single/multiple choice: [{"value": "price", "labels": {"en": …, "de": …}}]
    options: Mapped[list] = mapped_column(db.JSON, default=list)

    version: Mapped[SurveyVersion] = relationship(back_populates="questions")
