"""From a stored answer to a case: the rules applied after the answer's commit, by a job.

The answer path only sends ``surveys.signals.response_stored``; the receiver starts the
``EVALUATE`` job. Every response looked at is recorded (``FollowUpEvaluation``) in the same
transaction as its case, so the periodic tick finds the ones a lost job never reached, and
``UNIQUE(response_id)`` on cases keeps a retried job from opening a second case.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from coachflow.accounts.models import User
from coachflow.followups.models import (
    CaseReason,
    FollowUpCase,
    FollowUpEvaluation,
    FollowUpRule,
)
from coachflow.followups.services import notices
from coachflow.lib.workdays import add_workdays
from coachflow.platform import jobs
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.models import Question, QuestionType, Survey
from coachflow.sales.models import Contact, Deal
from coachflow.surveys.models import Answer, Invitation, Response

log = logging.getLogger(__name__)

EVALUATE = "coachflow.followups_evaluate"
# How far back the tick looks for answers no job evaluated, and how many it takes per run.
CATCH_UP_WINDOW = datetime.timedelta(days=14)
CATCH_UP_BATCH = 200
# And at most this many of the latest responses (a range of the primary key): the tick's scan
# stays bounded however many answers a year brings (about a week's at the largest customer).
CATCH_UP_IDS = 50_000


def on_response_stored(_sender: Any, *, response_id: int, **_extra: Any) -> None:
    """The surveys' signal: evaluate the answer on a job, off the answer's request."""
    jobs.start(EVALUATE, response_id)


@dataclass(frozen=True)
class Match:
    rule: FollowUpRule
    reason: CaseReason
    score: int | None


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def matches(
    rule: FollowUpRule, scores: dict[QuestionType, int], comment: str, language: str
) -> Match | None:
    """Whether ``rule`` opens a case for an answer with these scores and comment (pure)."""
    nps = scores.get(QuestionType.NPS)
    if rule.nps_max is not None and nps is not None and nps <= rule.nps_max:
        return Match(rule, CaseReason.NPS, nps)
    rating = scores.get(QuestionType.RATING)
    if rule.csat_max is not None and rating is not None and rating <= rule.csat_max:
        return Match(rule, CaseReason.CSAT, rating)
    watched = (rule.keywords or {}).get(language) or []
    if comment and watched:
        found = _words(comment)
        text = comment.casefold()
        for word in watched:
            word = word.casefold().strip()
            if word and (word in found or (" " in word and word in text)):
                return Match(rule, CaseReason.KEYWORD, nps if nps is not None else rating)
    return None


def evaluate_response(response_id: int) -> int | None:
    """Apply the rules to one stored response: the id of its case (opened now or before), or
    None when no rule matched. Safe to run twice for the same response."""
    existing = _case_of(response_id)
    if existing is not None:
        return existing
    if db.session.get(FollowUpEvaluation, response_id) is not None:
        return None
    row = db.session.execute(
        select(Response, Invitation, Survey.kind)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(Survey, Survey.id == Response.survey_id)
        .where(Response.id == response_id)
    ).first()
    if row is None:
        return None
    response, invitation, kind = row
    match = None
    if kind.is_customer:
        match = _first_match(response)
    db.session.add(FollowUpEvaluation(response_id=response_id))
    case = None
    if match is not None:
        case = _open_case(response, invitation, match)
    try:
        db.session.commit()
    except IntegrityError:
        # Another run of the same job got there first: its case stands.
        db.session.rollback()
        return _case_of(response_id)
    if case is not None:
        notices.case_opened(case)
        return case.id
    return None


def _case_of(response_id: int) -> int | None:
    return db.session.scalar(select(FollowUpCase.id).where(FollowUpCase.response_id == response_id))


def _first_match(response: Response) -> tuple[Match, str] | None:
    """The first rule the answer meets (a team's own before the organisation's) and the
    answer's comment."""
    answers = db.session.execute(
        select(Answer.score, Answer.text, Answer.question_id)
        .where(Answer.response_id == response.id)
        .order_by(Answer.question_id)
    ).all()
    types = dict(
        db.session.execute(
            select(Question.id, Question.type).where(
                Question.id.in_([a.question_id for a in answers])
            )
        ).all()
    )
    scores: dict[QuestionType, int] = {}
    comments = []
    for answer in answers:
        kind = types.get(answer.question_id)
        if kind in (QuestionType.NPS, QuestionType.RATING) and answer.score is not None:
            scores.setdefault(kind, answer.score)
        if answer.text:
            comments.append(answer.text)
    comment = "\n".join(comments)
    team_id = response.team_id or _team_of(response.rep_id)
    rules = db.session.scalars(
        select(FollowUpRule)
        .where(
            FollowUpRule.active,
            or_(FollowUpRule.team_id.is_(None), FollowUpRule.team_id == team_id),
        )
        # A team's own rules first, then the organisation's.
        .order_by(FollowUpRule.team_id.is_(None), FollowUpRule.id)
    ).all()
    for rule in rules:
        found = matches(rule, scores, comment, response.language)
        if found is not None:
            return found, comment
    return None


def _team_of(rep_id: int | None) -> int | None:
    if rep_id is None:
        return None
    return db.session.scalar(select(User.team_id).where(User.id == rep_id))


def _open_case(
    response: Response, invitation: Invitation, found: tuple[Match, str]
) -> FollowUpCase:
    match, comment = found
    account_id = None
    if invitation.contact_id is not None:
        account_id = db.session.scalar(
            select(Contact.account_id).where(Contact.id == invitation.contact_id)
        )
    if account_id is None and invitation.deal_id is not None:
        account_id = db.session.scalar(select(Deal.account_id).where(Deal.id == invitation.deal_id))
    now = utcnow()
    case = FollowUpCase(
        response_id=response.id,
        rule_id=match.rule.id,
        rep_id=response.rep_id,
        team_id=response.team_id or _team_of(response.rep_id),
        account_id=account_id,
        contact_id=invitation.contact_id,
        deal_id=invitation.deal_id,
        reason=match.reason,
        score=match.score,
        comment=comment[:4000],
        opened_at=now,
        due_at=add_workdays(now, match.rule.due_workdays),
    )
    db.session.add(case)
    return case


def catch_up(limit: int = CATCH_UP_BATCH) -> int:
    """Evaluate recent responses no job reached (a lost job, a crash); how many were looked at."""
    since = utcnow() - CATCH_UP_WINDOW
    newest = db.session.scalar(select(func.max(Response.id))) or 0
    missed = db.session.scalars(
        select(Response.id)
        .outerjoin(FollowUpEvaluation, FollowUpEvaluation.response_id == Response.id)
        .where(
            Response.id > newest - CATCH_UP_IDS,
            Response.submitted_at >= since,
            FollowUpEvaluation.response_id.is_(None),
        )
        .order_by(Response.id)
        .limit(limit)
    ).all()
    for response_id in missed:
        try:
            evaluate_response(response_id)
        except Exception:
            db.session.rollback()
            log.exception("follow-up evaluation of response %s failed", response_id)
            if current_app.config.get("TESTING"):
                raise
    return len(missed)
