"""Test data for follow-ups: responses and cases in a chosen state, made directly."""

from __future__ import annotations

import datetime
import itertools

from sqlalchemy import select

from coachflow.followups.models import CaseReason, CaseState, FollowUpCase, RootCause
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.sales.models import CustomerAccount
from coachflow.surveys.models import Invitation, InvitationStatus, Response
from tests.survey_factories import make_survey

_numbers = itertools.count(1)


def make_response(rep_id: int | None, team_id: int | None, survey_id: int | None = None) -> int:
    """A stored response about ``rep_id`` (with its invitation); its id."""
    if survey_id is None:
        survey_id = make_survey().id
    from coachflow.questionnaires.models import Survey

    version_id = db.session.get(Survey, survey_id).current_version.id
    number = next(_numbers)
    invitation = Invitation(
        survey_id=survey_id,
        version_id=version_id,
        email=f"customer{number}@client.example",
        rep_id=rep_id,
        team_id=team_id,
        token_salt="s",
        token_hash=f"followup-{number}-{survey_id}",
        status=InvitationStatus.ANSWERED,
        expires_at=utcnow() + datetime.timedelta(days=30),
    )
    db.session.add(invitation)
    db.session.flush()
    response = Response(
        invitation_id=invitation.id,
        survey_id=survey_id,
        version_id=version_id,
        rep_id=rep_id,
        team_id=team_id,
    )
    db.session.add(response)
    db.session.flush()
    return response.id


def root_cause(code: str) -> RootCause:
    return db.session.execute(select(RootCause).where(RootCause.code == code)).scalar_one()


def make_case(
    rep_id: int | None,
    team_id: int | None,
    *,
    opened_at: datetime.datetime,
    state: CaseState = CaseState.OPEN,
    due_in: datetime.timedelta = datetime.timedelta(days=2),
    contact_after: datetime.timedelta | None = None,
    closed_after: datetime.timedelta | None = None,
    cause: str | None = None,
    survey_id: int | None = None,
    account: str | None = None,
) -> FollowUpCase:
    """A case opened at ``opened_at``; contact and closing times are hours after it."""
    account_id = None
    if account is not None:
        customer = CustomerAccount(external_id=f"FOLLOWUP-{next(_numbers)}", name=account)
        db.session.add(customer)
        db.session.flush()
        account_id = customer.id
    case = FollowUpCase(
        response_id=make_response(rep_id, team_id, survey_id),
        rep_id=rep_id,
        team_id=team_id,
        account_id=account_id,
        reason=CaseReason.NPS,
        score=3,
        comment="",
        state=state,
        opened_at=opened_at,
        due_at=opened_at + due_in,
        first_contact_at=None if contact_after is None else opened_at + contact_after,
        closed_at=None if closed_after is None else opened_at + closed_after,
        root_cause_id=None if cause is None else root_cause(cause).id,
    )
    db.session.add(case)
    db.session.flush()
    return case


def followup_pages(app, org) -> dict[str, dict[str, object]]:
    """Records for the follow-up pages of the accessibility crawl: a contacted case with a
    timeline, a closed one, a team rule, a deal trigger with a deal it could not ask about;
    returns the URL arguments by endpoint."""
    from coachflow.followups.models import (
        CaseEvent,
        DealTrigger,
        EventKind,
        FollowUpRule,
        TriggeredDeal,
        TriggerOutcome,
    )
    from coachflow.questionnaires.models import SurveyKind
    from coachflow.sales.models import Deal, DealStage

    with app.app_context():
        from coachflow.followups.services.root_causes import seed_root_causes

        seed_root_causes()
        now = utcnow()
        case = make_case(
            org.rep,
            org.team,
            opened_at=now - datetime.timedelta(days=3),
            state=CaseState.CONTACTED,
            contact_after=datetime.timedelta(hours=5),
            account="Kundenbetreuung Süd-Ost Maschinenbau GmbH",
        )
        db.session.add(
            CaseEvent(
                case_id=case.id,
                kind=EventKind.CALL,
                by_id=org.rep,
                at=now - datetime.timedelta(days=2),
                text="Called the buyer; the delivery slipped by a week.",
            )
        )
        make_case(
            org.rep,
            org.team,
            opened_at=now - datetime.timedelta(days=20),
            state=CaseState.RESOLVED,
            contact_after=datetime.timedelta(hours=2),
            closed_after=datetime.timedelta(hours=30),
            cause="delivery",
        )
        rule = FollowUpRule(
            name="North detractors",
            team_id=org.team,
            nps_max=6,
            csat_max=2,
            keywords={"en": ["cancel"], "de": ["kündigen"]},
        )
        survey = make_survey(kind=SurveyKind.CUSTOMER_CSAT, owner_id=org.manager, name="CSAT")
        trigger = DealTrigger(survey_id=survey.id, delay_days=3, starts_on=now.date())
        account = CustomerAccount(external_id="LONELY", name="Lonely AG", owner_id=org.rep)
        db.session.add_all([rule, trigger, account])
        db.session.flush()
        deal = Deal(
            external_id="D-LONELY",
            account_id=account.id,
            rep_id=org.rep,
            product_line_id=org.product_line,
            amount_minor=100_000,
            currency="EUR",
            stage=DealStage.WON,
            closed_on=now.date(),
        )
        db.session.add(deal)
        db.session.flush()
        db.session.add(
            TriggeredDeal(trigger_id=trigger.id, deal_id=deal.id, outcome=TriggerOutcome.NO_CONTACT)
        )
        db.session.commit()
        return {
            "followups.case": {"case_id": case.id},
            "followups.rule": {"rule_id": rule.id},
            "followups.trigger": {"trigger_id": trigger.id},
        }
