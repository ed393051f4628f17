"""Test data for pulse: an active pulse questionnaire, a started pulse, links to its round."""

from __future__ import annotations

import datetime

from coachflow.accounts.models import User
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.pulse import services
from coachflow.pulse.models import PulseInvitation, PulseRound, Schedule
from coachflow.questionnaires.models import QuestionType, SurveyKind
from tests.survey_factories import make_survey

ENPS = {"en": "How likely are you to recommend working here?"}
SUPPORT = {"en": "My manager supports me."}
COMMENT = {"en": "Anything else?"}


def make_pulse_survey(owner_id: int | None):
    """An active employee-pulse questionnaire: eNPS, one agreement item, an optional comment."""
    return make_survey(
        kind=SurveyKind.EMPLOYEE_PULSE,
        owner_id=owner_id,
        name="Team pulse",
        questions=[
            (QuestionType.NPS, ENPS, True),
            (QuestionType.AGREEMENT, SUPPORT, True),
            (QuestionType.TEXT, COMMENT, False),
        ],
    )


def start(by_id: int, team_ids: list[int], *, everyone: bool = False, days_open: int = 7):
    """Start a pulse today as ``by_id`` (mails go out); returns its first round."""
    survey = make_pulse_survey(by_id)
    db.session.commit()
    pulse = services.start_pulse(
        services.PulseInput(
            survey_id=survey.id,
            name="Team pulse",
            team_ids=team_ids,
            everyone=everyone,
            schedule=Schedule.MONTHLY,
            starts_on=utcnow().date(),
            days_open=days_open,
        ),
        by=db.session.get(User, by_id),
    )
    return db.session.scalars(db.select(PulseRound).where(PulseRound.pulse_id == pulse.id)).one()


def token_for(round_id: int, user_id: int) -> str:
    invitation = db.session.scalars(
        db.select(PulseInvitation).where(
            PulseInvitation.round_id == round_id, PulseInvitation.user_id == user_id
        )
    ).one()
    return services.link_token(invitation)


def form(round_: PulseRound, score: int, agree: int = 4, comment: str = "") -> dict[str, str]:
    """The answer form's fields for the round's three questions."""
    nps_q, item_q, text_q = round_.version.questions
    return {f"q{nps_q.id}": str(score), f"q{item_q.id}": str(agree), f"q{text_q.id}": comment}


def yesterday() -> datetime.date:
    return utcnow().date() - datetime.timedelta(days=1)
