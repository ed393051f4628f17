"""The re-survey: when a case is resolved under a rule that asks for it, the customer gets one
question, "Has your concern been resolved?" (yes or no, and a comment), through the surveys'
own mail-out (throttle, opt-outs, erasures apply). The question is a small built-in survey of
the questionnaire package, made the first time it is needed; its answer shows on the case.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import select

from coachflow.accounts.models import User
from coachflow.followups.models import CaseEvent, EventKind, FollowUpCase
from coachflow.followups.services import ORGANISATION
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
from coachflow.sales.models import Contact, Deal
from coachflow.surveys.services.distribution import (
    InvitationRequest,
    Reason,
    RecipientsRejected,
    describe,
    invite_requested,
    throttle_days,
)

log = logging.getLogger(__name__)

RESURVEY = "coachflow.followups_resurvey"
SURVEY_NAME = "Follow-up: has your concern been resolved?"
TEXTS = {
    "en": {
        "title": "Your concern",
        "intro": "You told us recently about a problem. We would like to know where it stands.",
        "thanks": "Thank you. Your answer goes straight to the person who looked after you.",
    },
    "de": {
        "title": "Ihr Anliegen",
        "intro": "Sie haben uns kürzlich von einem Problem berichtet. Wir möchten wissen, wie "
        "es darum steht.",
        "thanks": "Vielen Dank. Ihre Antwort geht direkt an die Person, die sich um Sie "
        "gekümmert hat.",
    },
    "fr": {
        "title": "Votre demande",
        "intro": "Vous nous avez récemment signalé un problème. Nous aimerions savoir où il en "
        "est.",
        "thanks": "Merci. Votre réponse parvient directement à la personne qui s’est occupée "
        "de vous.",
    },
}
RESOLVED_QUESTION = {
    "en": "Has your concern been resolved?",
    "de": "Wurde Ihr Anliegen gelöst?",
    "fr": "Votre problème a-t-il été résolu ?",
}
OPTIONS = [
    {"value": "yes", "labels": {"en": "Yes", "de": "Ja", "fr": "Oui"}},
    {"value": "no", "labels": {"en": "No", "de": "Nein", "fr": "Non"}},
]
COMMENT_QUESTION = {
    "en": "Anything you would like to add?",
    "de": "Möchten Sie noch etwas ergänzen?",
    "fr": "Souhaitez-vous ajouter quelque chose ?",
}


def resurvey_survey() -> Survey:
    """The built-in one-question survey, made (active) the first time it is asked for."""
    survey = db.session.scalar(
        select(Survey)
        .where(Survey.name == SURVEY_NAME, Survey.kind == SurveyKind.CUSTOMER_CSAT)
        .order_by(Survey.id)
    )
    if survey is not None:
        return survey
    survey = Survey(
        name=SURVEY_NAME,
        kind=SurveyKind.CUSTOMER_CSAT,
        status=SurveyStatus.ACTIVE,
        default_language="en",
        invitation_days=30,
        reminder_days=4,
        max_reminders=1,
    )
    version = SurveyVersion(survey=survey, number=1, texts=TEXTS)
    version.questions.append(
        Question(
            position=0,
            type=QuestionType.SINGLE_CHOICE,
            required=True,
            texts=RESOLVED_QUESTION,
            options=OPTIONS,
        )
    )
    version.questions.append(
        Question(position=1, type=QuestionType.TEXT, required=False, texts=COMMENT_QUESTION)
    )
    db.session.add(survey)
    db.session.flush()
    return survey


def why_not(code: str) -> str:
    """A re-survey's reason for not asking, in the reader's language."""
    try:
        return describe(Reason(code), throttle_days())
    except ValueError:
        return _("The survey could not be sent.")


def send_resurvey(case_id: int) -> int | None:
    """Ask the customer of a resolved case whether their concern is resolved; the invitation's
    id, or None when the mail-out's rules left them out (the timeline says why). Once per case."""
    case = db.session.get(FollowUpCase, case_id)
    if case is None or case.resurvey_invitation_id is not None or case.contact_id is None:
        return None
    contact = db.session.get(Contact, case.contact_id)
    request = InvitationRequest(
        index=0,
        email=contact.email,
        rep_email=db.session.scalar(select(User.email).where(User.id == case.rep_id))
        if case.rep_id
        else None,
        deal_external_id=db.session.scalar(select(Deal.external_id).where(Deal.id == case.deal_id))
        if case.deal_id
        else None,
    )
    survey = resurvey_survey()
    db.session.commit()
    try:
        selection, ids = invite_requested(survey, [request], ORGANISATION)
    except RecipientsRejected as error:
        log.warning("re-survey of case %s refused: %s", case_id, error.problems)
        selection, ids = None, []
    # The timeline keeps why not as the mail-out's reason code, shown in the reader's language.
    text = ""
    if ids:
        case.resurvey_invitation_id = ids[0]
    elif selection is not None and selection.excluded:
        text = selection.excluded[0].reason.value
    else:
        text = "refused"
    db.session.add(CaseEvent(case_id=case.id, kind=EventKind.RESURVEY, at=utcnow(), text=text))
    db.session.commit()
    return ids[0] if ids else None
