"""Test data for surveys: a survey with one version and its questions, invitations, answers."""

from __future__ import annotations

from datetime import timedelta

from coachflow.lib import tokens
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.models import (
    Question,
    QuestionType,
    Survey,
    SurveyKind,
    SurveyStatus,
    SurveyVersion,
)
from coachflow.surveys.models import Invitation, InvitationStatus

NPS_QUESTION = {
    "en": "How likely are you to recommend us to a colleague?",
    "de": "Wie wahrscheinlich ist es, dass Sie uns einem Kollegen empfehlen?",
    "fr": "Quelle est la probabilité que vous nous recommandiez à un collègue ?",
}
COMMENT_QUESTION = {
    "en": "What is the main reason for your score?",
    "de": "Was ist der wichtigste Grund für Ihre Bewertung?",
    "fr": "Quelle est la principale raison de votre note ?",
}


def make_survey(
    *,
    kind: SurveyKind = SurveyKind.CUSTOMER_NPS,
    owner_id: int | None = None,
    questions: list[tuple[QuestionType, dict, bool]] | None = None,
    status: SurveyStatus = SurveyStatus.ACTIVE,
    name: str = "Relationship NPS",
) -> Survey:
    """A survey with one version; by default an NPS question and an optional comment."""
    survey = Survey(name=name, kind=kind, status=status, owner_id=owner_id, default_language="en")
    version = SurveyVersion(
        survey=survey,
        number=1,
        texts={"en": {"title": name, "intro": "Two quick questions.", "thanks": "Thank you!"}},
    )
    for position, (qtype, texts, required) in enumerate(
        questions
        or [
            (QuestionType.NPS, NPS_QUESTION, True),
            (QuestionType.TEXT, COMMENT_QUESTION, False),
        ]
    ):
        version.questions.append(
            Question(position=position, type=qtype, required=required, texts=texts)
        )
    db.session.add(survey)
    db.session.flush()
    return survey


def make_invitation(
    app,
    survey: Survey,
    *,
    email: str,
    rep_id: int | None,
    contact_id: int | None = None,
    team_id: int | None = None,
    status: InvitationStatus = InvitationStatus.SENT,
    expires_in: timedelta = timedelta(days=30),
) -> tuple[Invitation, str]:
    """An invitation and its plain link token."""
    salt = tokens.new_salt()
    invitation = Invitation(
        survey_id=survey.id,
        version_id=survey.current_version.id,
        contact_id=contact_id,
        email=email,
        rep_id=rep_id,
        team_id=team_id,
        status=status,
        token_salt=salt,
        token_hash="pending",
        expires_at=utcnow() + expires_in,
    )
    db.session.add(invitation)
    db.session.flush()
    token = tokens.derive(app.config["SECRET_KEY"], invitation.id, salt)
    invitation.token_hash = tokens.hash_token(token)
    db.session.flush()
    return invitation, token
