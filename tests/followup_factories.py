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
        token_hash=f"hash-{number}-{survey_id}",
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
        customer = CustomerAccount(external_id=f"ACC-{next(_numbers)}", name=account)
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
