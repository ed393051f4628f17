"""Working a case: notes and contacts on its timeline, closing it with a root cause,
reassigning it within the team. Each change is dated and by whom (a ``CaseEvent``)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from coachflow.accounts.models import Role, Team, User
from coachflow.followups.models import (
    ACTIVE_STATES,
    CONTACT_KINDS,
    CaseEvent,
    CaseState,
    EventKind,
    FollowUpCase,
    RootCause,
)
from coachflow.followups.services.resurvey import RESURVEY
from coachflow.platform import audit, jobs
from coachflow.platform.errors import Conflict, DomainError
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow

MAX_TEXT = 4000
LOGGABLE = (EventKind.NOTE, *CONTACT_KINDS)


class CaseClosed(Conflict):
    """The case is closed already: nothing was changed."""


def _actor(by: Any) -> User | None:
    return getattr(by, "user", by) if by is not None else None


def _event(case: FollowUpCase, kind: EventKind, by: Any, **values: Any) -> CaseEvent:
    actor = _actor(by)
    event = CaseEvent(
        case_id=case.id, kind=kind, by_id=actor.id if actor else None, at=utcnow(), **values
    )
    db.session.add(event)
    return event


def log_event(case: FollowUpCase, kind: EventKind | str, text: str, by: Any) -> CaseEvent:
    """Add a note, or a call, email or meeting with the customer, to the case's timeline.

    The first contact dates the case's first contact and moves an open case to contacted.
    A contact on a closed case is refused (notes are still welcome)."""
    try:
        kind = EventKind(kind)
    except ValueError:
        raise DomainError(_("Choose what happened."), field="kind") from None
    if kind not in LOGGABLE:
        raise DomainError(_("Choose what happened."), field="kind")
    text = (text or "").strip()
    if kind is EventKind.NOTE and not text:
        raise DomainError(_("Write the note."), field="text")
    if len(text) > MAX_TEXT:
        raise DomainError(_("Keep it under %(num)d characters.", num=MAX_TEXT), field="text")
    if kind in CONTACT_KINDS and case.state.is_closed:
        raise CaseClosed(_("This case is closed: a contact can no longer be logged."))
    event = _event(case, kind, by, text=text)
    if kind in CONTACT_KINDS:
        now = event.at
        if case.first_contact_at is None:
            case.first_contact_at = now
        if case.state is CaseState.OPEN:
            _event(
                case,
                EventKind.STATE_CHANGE,
                by,
                from_state=CaseState.OPEN.value,
                to_state=CaseState.CONTACTED.value,
            )
            case.state = CaseState.CONTACTED
    db.session.commit()
    return event


def close_case(
    case: FollowUpCase,
    outcome: CaseState | str,
    root_cause_id: int | None,
    note: str,
    by: Any,
) -> None:
    """Close the case as resolved or could-not-resolve, with its root cause.

    Closing a closed case is refused and changes nothing, even when two people close it at
    once: only the first conditional update finds it still active."""
    try:
        outcome = CaseState(outcome)
    except ValueError:
        raise DomainError(_("Choose how the case ended."), field="outcome") from None
    if not outcome.is_closed:
        raise DomainError(_("Choose how the case ended."), field="outcome")
    cause = db.session.get(RootCause, root_cause_id) if root_cause_id else None
    if cause is None or not cause.active:
        raise DomainError(_("Choose the root cause."), field="root_cause")
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise DomainError(_("Keep it under %(num)d characters.", num=MAX_TEXT), field="note")
    actor = _actor(by)
    now = utcnow()
    before = case.state
    done = db.session.execute(
        update(FollowUpCase)
        .where(FollowUpCase.id == case.id, FollowUpCase.state.in_(ACTIVE_STATES))
        .values(
            state=outcome,
            closed_at=now,
            closed_by_id=actor.id if actor else None,
            root_cause_id=cause.id,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        db.session.rollback()
        raise CaseClosed(_("This case is already closed; nothing was changed."))
    _event(
        case,
        EventKind.STATE_CHANGE,
        by,
        from_state=before.value,
        to_state=outcome.value,
        text=note,
    )
    audit.record(actor, "followup.closed", f"case {case.id}", f"outcome={outcome.value}")
    db.session.commit()
    db.session.refresh(case)
    rule = case.rule
    if outcome is CaseState.RESOLVED and rule is not None and rule.resurvey and case.contact_id:
        jobs.start(RESURVEY, case.id)


def assignable_people(case: FollowUpCase) -> list[User]:
    """Who a case may go to: the active reps and the manager of its team."""
    if case.team_id is None:
        return []
    team = db.session.get(Team, case.team_id)
    people = list(
        db.session.scalars(
            select(User)
            .where(User.team_id == team.id, User.active, User.role == Role.REP)
            .order_by(User.name)
        )
    )
    if team.manager is not None and team.manager.active:
        people.append(team.manager)
    return people


def reassign_case(case: FollowUpCase, to_user_id: int | None, by: Any) -> None:
    """Give the case to another person of its team (a rep or the team's manager)."""
    if case.state.is_closed:
        raise CaseClosed(_("This case is closed: it can no longer be reassigned."))
    choices = {person.id: person for person in assignable_people(case)}
    if to_user_id not in choices:
        raise DomainError(_("Choose someone in the case's team."), field="rep")
    if to_user_id == case.rep_id:
        raise DomainError(_("The case is already theirs."), field="rep")
    _event(case, EventKind.REASSIGNMENT, by, to_user_id=to_user_id)
    case.rep_id = to_user_id
    audit.record(_actor(by), "followup.reassigned", f"case {case.id}", f"to={to_user_id}")
    db.session.commit()
