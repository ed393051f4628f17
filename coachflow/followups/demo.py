"""Demo follow-ups: the organisation's rule, and a year of cases from the demo answers.

Runs after the surveys' demo. Every detractor (NPS 0–6) and low rating (1–2) of the last year
became a case for the rep the answer is about, due two working days later. Old cases are mostly
closed (resolved more often than not), recent ones still open or contacted, a few overdue; every
state appears. Root causes differ by team: the first team's misses are mostly delivery, the
second's price, the others a mix with the sales conversation more common where a rep scores
low. Every demo answer is marked as evaluated, so the tick opens no case twice nor mails about
the past. A deal trigger sends the CSAT survey three days after each deal won from today.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from sqlalchemy import and_, exists, insert, or_, select

from coachflow.accounts.demo import DemoOrg
from coachflow.followups.labels import SEEDED_ROOT_CAUSES
from coachflow.followups.models import (
    CaseEvent,
    CaseReason,
    CaseState,
    DealTrigger,
    EventKind,
    FollowUpCase,
    FollowUpEvaluation,
    FollowUpRule,
    RootCause,
)
from coachflow.followups.services.root_causes import seed_root_causes
from coachflow.lib.workdays import add_workdays
from coachflow.platform.extensions import db
from coachflow.questionnaires.models import Question, QuestionType, Survey, SurveyKind
from coachflow.sales.models import Contact, Deal
from coachflow.surveys.models import Answer, Invitation, Response

CHUNK = 500
DUE_WORKDAYS = 2

# Root-cause weights per team profile, in SEEDED_ROOT_CAUSES order:
# product, price, delivery, service, marketing, training, sales conversation, other.
PROFILES = (
    (6, 6, 60, 10, 2, 4, 8, 4),  # a team whose misses are mostly delivery
    (10, 50, 8, 10, 6, 4, 8, 4),  # price
    (14, 14, 14, 18, 8, 10, 16, 6),  # a mix
    (12, 10, 12, 14, 6, 16, 24, 6),  # more training and the conversation
)
NOTES = {
    EventKind.CALL: "Called the customer; they explained the problem in detail.",
    EventKind.EMAIL: "Wrote to the customer with a proposal.",
    EventKind.MEETING: "Met the customer on site.",
}


@dataclass
class FollowUpDemo:
    cases: int = 0
    by_state: dict[CaseState, int] | None = None

    def summary(self) -> str:
        states = ", ".join(f"{n} {state.value}" for state, n in (self.by_state or {}).items())
        return f"Follow-ups: {self.cases} cases ({states})."


def _unhappy_answers(since: datetime.datetime) -> list:
    """Each customer response of the period with a detractor score or a low rating."""
    low = or_(
        and_(Question.type == QuestionType.NPS, Answer.score <= 6),
        and_(Question.type == QuestionType.RATING, Answer.score <= 2),
    )
    return db.session.execute(
        select(
            Response.id,
            Response.rep_id,
            Response.team_id,
            Response.submitted_at,
            Invitation.contact_id,
            Invitation.deal_id,
            Contact.account_id,
            Deal.account_id.label("deal_account_id"),
            Question.type,
            Answer.score,
        )
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(Survey, Survey.id == Response.survey_id)
        .outerjoin(Contact, Contact.id == Invitation.contact_id)
        .outerjoin(Deal, Deal.id == Invitation.deal_id)
        .where(
            Response.submitted_at >= since,
            Survey.kind.in_((SurveyKind.CUSTOMER_NPS, SurveyKind.CUSTOMER_CSAT)),
            low,
            # A database seeded before keeps its cases.
            ~exists().where(FollowUpCase.response_id == Response.id),
        )
        .order_by(Response.id, Question.position)
    ).all()


def _state(rng: random.Random, age_days: float) -> CaseState:
    if age_days < 3:
        return rng.choice((CaseState.OPEN, CaseState.OPEN, CaseState.CONTACTED))
    if age_days < 20:
        return rng.choices(
            (CaseState.OPEN, CaseState.CONTACTED, CaseState.RESOLVED, CaseState.COULD_NOT_RESOLVE),
            weights=(10, 25, 50, 15),
        )[0]
    return rng.choices(
        (CaseState.OPEN, CaseState.CONTACTED, CaseState.RESOLVED, CaseState.COULD_NOT_RESOLVE),
        weights=(2, 3, 75, 20),
    )[0]


def seed_followups(
    org: DemoOrg, rng: random.Random, *, now: datetime.datetime | None = None
) -> FollowUpDemo:
    """Add the rule, the cases of the last year and a deal trigger; the caller commits."""
    now = now or datetime.datetime.now(datetime.UTC)
    seed_root_causes()
    causes = dict(db.session.execute(select(RootCause.code, RootCause.id)).all())
    admin = org.admin
    rule = FollowUpRule(
        name="Detractors and low ratings",
        team_id=None,
        nps_max=6,
        csat_max=2,
        keywords={"en": ["cancel", "switch supplier"], "de": ["kündigen"], "fr": ["résilier"]},
        due_workdays=DUE_WORKDAYS,
        created_by_id=admin.id,
        created_at=now - datetime.timedelta(days=400),
    )
    db.session.add(rule)
    db.session.flush()
    profile_of = {team.id: PROFILES[index % len(PROFILES)] for index, team in enumerate(org.teams)}
    rows, seen = [], set()
    for answer in _unhappy_answers(now - datetime.timedelta(days=365)):
        if answer.id in seen:
            continue
        seen.add(answer.id)
        opened = answer.submitted_at + datetime.timedelta(minutes=rng.randint(1, 20))
        if opened > now:
            opened = now
        due = add_workdays(opened, DUE_WORKDAYS)
        state = _state(rng, (now - opened).total_seconds() / 86400)
        contact = None
        if state is not CaseState.OPEN:
            contact = opened + datetime.timedelta(hours=rng.choice((2, 4, 6, 20, 26, 30, 50, 75)))
            contact = min(contact, now)
        closed = None
        cause = None
        if state.is_closed:
            closed = min(contact + datetime.timedelta(hours=rng.randint(2, 240)), now)
            weights = profile_of.get(answer.team_id, PROFILES[2])
            cause = causes[rng.choices(SEEDED_ROOT_CAUSES, weights=weights)[0]]
        rows.append(
            {
                "response_id": answer.id,
                "rule_id": rule.id,
                "rep_id": answer.rep_id,
                "team_id": answer.team_id,
                "account_id": answer.account_id or answer.deal_account_id,
                "contact_id": answer.contact_id,
                "deal_id": answer.deal_id,
                "reason": CaseReason.NPS if answer.type is QuestionType.NPS else CaseReason.CSAT,
                "score": answer.score,
                "comment": "",
                "state": state,
                "opened_at": opened,
                "due_at": due,
                "first_contact_at": contact,
                "closed_at": closed,
                "closed_by_id": answer.rep_id if closed else None,
                "root_cause_id": cause,
                # The past is not mailed about: overdue cases count as told.
                "overdue_notified_at": due if due < now else None,
            }
        )
    by_state: dict[CaseState, int] = dict.fromkeys(CaseState, 0)
    for first in range(0, len(rows), CHUNK):
        chunk = rows[first : first + CHUNK]
        ids = db.session.scalars(
            insert(FollowUpCase).returning(FollowUpCase.id, sort_by_parameter_order=True), chunk
        ).all()
        events = []
        for case_id, row in zip(ids, chunk, strict=True):
            by_state[row["state"]] += 1
            if row["first_contact_at"] is not None:
                kind = rng.choice(
                    (EventKind.CALL, EventKind.CALL, EventKind.EMAIL, EventKind.MEETING)
                )
                events.append(
                    _event(case_id, kind, row["rep_id"], row["first_contact_at"], NOTES[kind])
                )
                events.append(
                    _event(
                        case_id,
                        EventKind.STATE_CHANGE,
                        row["rep_id"],
                        row["first_contact_at"],
                        "",
                        CaseState.OPEN.value,
                        CaseState.CONTACTED.value,
                    )
                )
            if row["closed_at"] is not None:
                events.append(
                    _event(
                        case_id,
                        EventKind.STATE_CHANGE,
                        row["rep_id"],
                        row["closed_at"],
                        "",
                        CaseState.CONTACTED.value,
                        row["state"].value,
                    )
                )
        if events:
            db.session.execute(insert(CaseEvent), events)
    # Every demo answer counts as evaluated: the tick neither opens a case twice nor mails.
    db.session.execute(
        insert(FollowUpEvaluation).from_select(
            ["response_id", "evaluated_at"],
            select(Response.id, Response.submitted_at).where(
                ~exists().where(FollowUpEvaluation.response_id == Response.id)
            ),
        )
    )
    csat = db.session.scalar(
        select(Survey.id).where(Survey.kind == SurveyKind.CUSTOMER_CSAT).order_by(Survey.id)
    )
    if csat is not None:
        db.session.add(
            DealTrigger(survey_id=csat, delay_days=3, starts_on=now.date(), created_by_id=admin.id)
        )
    db.session.flush()
    return FollowUpDemo(len(rows), {state: n for state, n in by_state.items() if n})


def _event(
    case_id: int,
    kind: EventKind,
    by_id: int | None,
    at: datetime.datetime,
    text: str,
    from_state: str | None = None,
    to_state: str | None = None,
) -> dict:
    return {
        "case_id": case_id,
        "kind": kind,
        "by_id": by_id,
        "at": at,
        "text": text,
        "from_state": from_state,
        "to_state": to_state,
        "to_user_id": None,
    }
