"""A customer's erasure and export reach the follow-up cases: a case keeps a copy of the
answer's comment, links the contact, and its timeline's notes may name the person.

The surveys domain sends ``contact_erased`` inside the erasure's transaction and
``contact_exported`` from the export (``coachflow.surveys.signals``); these receivers find the
person's cases by their responses (and contact) and never commit.

An erased person's case keeps what the figures count (its state, reason, score, dates, rep,
team, account and root cause) and loses the comment, the contact link and the written text of
its timeline (notes, contacts, closing notes). A re-survey's entry keeps its reason code: it
names no one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import selectinload

from coachflow.followups.labels import root_cause_label
from coachflow.followups.models import EventKind, FollowUpCase, RootCause
from coachflow.platform import audit
from coachflow.platform.extensions import db

# Timeline entries whose text is a machine code, not what someone wrote.
CODED_EVENTS = (EventKind.RESURVEY,)


def _cases_of(contact_id: int | None, response_ids: Sequence[int]) -> ColumnElement[bool]:
    found = [FollowUpCase.response_id.in_(list(response_ids))] if response_ids else []
    if contact_id is not None:
        found.append(FollowUpCase.contact_id == contact_id)
    return or_(*found) if found else false()


def erase_cases(contact_id: int | None, response_ids: Sequence[int], *, by: Any = None) -> int:
    """Blank the comment, contact link and timeline text of the person's cases in the caller's
    transaction (the caller commits), audited; how many cases were touched (two queries)."""
    cases = db.session.scalars(
        select(FollowUpCase)
        .options(selectinload(FollowUpCase.events))
        .where(_cases_of(contact_id, response_ids))
        .order_by(FollowUpCase.id)
    ).all()
    if not cases:
        return 0
    texts = 0
    for case in cases:
        case.comment = ""
        case.contact_id = None
        for event in case.events:
            if event.text and event.kind not in CODED_EVENTS:
                event.text = ""
                texts += 1
    audit.record(
        by,
        "followup.erased",
        f"contact {contact_id}" if contact_id is not None else "cases without a contact",
        f"cases={','.join(str(case.id) for case in cases)} texts_removed={texts}",
    )
    return len(cases)


def export_cases(contact_id: int | None, response_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The person's cases as JSON-ready values, each with its timeline (two queries)."""
    rows = db.session.execute(
        select(FollowUpCase, RootCause.code, RootCause.name)
        .outerjoin(RootCause, RootCause.id == FollowUpCase.root_cause_id)
        .options(selectinload(FollowUpCase.events))
        .where(_cases_of(contact_id, response_ids))
        .order_by(FollowUpCase.opened_at, FollowUpCase.id)
    ).all()
    return [
        {
            "id": case.id,
            "opened_at": _iso(case.opened_at),
            "state": case.state.value,
            "reason": case.reason.value,
            "score": case.score,
            "comment": case.comment,
            "closed_at": _iso(case.closed_at),
            "root_cause": None if code is None else root_cause_label(code, name),
            "timeline": [
                {"at": _iso(event.at), "kind": event.kind.value, "text": event.text}
                for event in case.events
            ],
        }
        for case, code, name in rows
    ]


def on_contact_erased(
    _sender: Any,
    *,
    contact_id: int | None,
    response_ids: Sequence[int],
    by: Any = None,
    **_extra: Any,
) -> None:
    """The surveys' erasure signal (inside its transaction)."""
    erase_cases(contact_id, response_ids, by=by)


def on_contact_exported(
    _sender: Any, *, contact_id: int | None, response_ids: Sequence[int], **_extra: Any
) -> dict[str, Any]:
    """The surveys' export signal: the person's cases, as the export's ``followup_cases``."""
    return {"followup_cases": export_cases(contact_id, response_ids)}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
