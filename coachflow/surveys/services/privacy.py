"""A customer contact's data on request: find it, export it as JSON, erase it.

A person is found by email address: their contact record and every invitation written to them
(also invitations to a pasted address that has no contact record). Erasure removes their name and
email everywhere but keeps their scores as unattributed numbers, so NPS, CSAT and every other
aggregate stay as they were:

- ``Contact.name`` becomes "erased", its email ``erased-<id>@invalid`` (the column is NOT NULL
  and unique; ``.invalid`` is a reserved top-level domain, so no mail can ever go there), its
  CRM ``external_id`` is cleared (a re-import creates a new contact rather than refilling this
  one) and it is opted out.
- Their invitations lose ``email`` and ``contact_id`` (and the address in a stored SMTP error);
  responses and their scores and choices stay, still counted for the rep and team they were
  about.
- Their free-text answers are deleted: what a person wrote may name them.
- Audit-log lines that quote the address get the placeholder instead.
- The address goes on the suppression list (as a keyed hash, never the address), so that no
  import, API write or survey brings it back until an admin lifts the suppression, and uploaded
  files not imported yet that hold it are deleted.

Later domains keep copies of a person's answers (a follow-up case keeps the comment): they learn
of an erasure by ``signals.contact_erased``, sent inside the erasure's transaction, and add their
records to an export through ``signals.contact_exported``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from coachflow.accounts.models import User
from coachflow.lib import emails
from coachflow.platform import audit
from coachflow.platform.audit import AuditEvent
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.questionnaires.answers import localized
from coachflow.sales import services as sales_services
from coachflow.sales.models import Contact, SuppressionReason
from coachflow.sales.services import suppression
from coachflow.surveys.models import AdhocSend, AdhocSendStatus, Answer, Invitation, Response
from coachflow.surveys.signals import contact_erased, contact_exported

ERASED_NAME = "erased"


@dataclass(frozen=True)
class Person:
    """Whom a privacy request is about: a contact record, invitations to the address, or both."""

    email: str
    contact: Contact | None
    invitations: int
    responses: int


@dataclass(frozen=True)
class Erasure:
    contact_id: int | None
    invitations: int
    responses_kept: int
    comments_removed: int
    uploads_deleted: int = 0


def placeholder_email(contact_id: int) -> str:
    """The unique, undeliverable address an erased contact keeps."""
    return f"erased-{contact_id}@invalid"


def find_person(email: str) -> Person:
    """The contact and the counts of invitations and responses for ``email``, or DomainError."""
    email = emails.normalise(email)
    contact = db.session.scalar(
        select(Contact).options(joinedload(Contact.account)).where(Contact.email == email)
    )
    invitations, responses = db.session.execute(
        select(func.count(Invitation.id), func.count(Response.id))
        .select_from(Invitation)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(_invitations_of(email, contact))
    ).one()
    if contact is None and not invitations:
        raise DomainError(
            _l("No contact and no survey invitation has this email address."), field="email"
        )
    return Person(email, contact, invitations, responses)


def export_person(email: str, *, by: User | None) -> dict[str, Any]:
    """Everything stored about the person, as JSON-ready values; the export is audited."""
    person = find_person(email)
    contact = person.contact
    invitations = db.session.scalars(
        select(Invitation)
        .options(joinedload(Invitation.survey), joinedload(Invitation.rep))
        .where(_invitations_of(person.email, contact))
        .order_by(Invitation.created_at, Invitation.id)
    ).all()
    responses = {
        r.invitation_id: r
        for r in db.session.scalars(
            select(Response)
            .options(selectinload(Response.answers).joinedload(Answer.question))
            .where(Response.invitation_id.in_([i.id for i in invitations]))
        )
    }
    data = {
        "exported_at": _iso(utcnow()),
        "email": person.email,
        "contact": _contact_data(contact) if contact is not None else None,
        "invitations": [_invitation_data(i, responses.get(i.id)) for i in invitations],
    }
    # Later domains' records of the person (follow-up cases), each under its own name.
    for receiver, sections in contact_exported.send(
        None,
        email=person.email,
        contact_id=contact.id if contact is not None else None,
        response_ids=sorted(r.id for r in responses.values()),
    ):
        for name, value in (sections or {}).items():
            if name in data:
                raise ValueError(f"export section {name!r} of {receiver!r} is taken")
            data[name] = value
    audit.record(by, "contact.exported", _subject(contact), f"invitations={len(invitations)}")
    db.session.commit()
    return data


def erase_person(email: str, *, by: User | None) -> Erasure:
    """Remove the person's name and email everywhere, keep their scores unattributed (one
    transaction, audited). Aggregates over scores do not change."""
    person = find_person(email)
    contact = person.contact
    invitation_ids = select(Invitation.id).where(_invitations_of(person.email, contact))
    response_ids = select(Response.id).where(Response.invitation_id.in_(invitation_ids))
    # Listed now: once the invitations are detached, nothing leads from the person to them.
    responded = list(db.session.scalars(response_ids.order_by(Response.id)))
    comments = db.session.execute(
        delete(Answer)
        .where(Answer.response_id.in_(response_ids), Answer.text.is_not(None))
        .execution_options(synchronize_session=False)
    ).rowcount
    placeholder = placeholder_email(contact.id) if contact is not None else "erased@invalid"
    db.session.execute(
        update(AuditEvent)
        .where(
            or_(
                AuditEvent.subject.contains(person.email, autoescape=True),
                AuditEvent.details.contains(person.email, autoescape=True),
            )
        )
        .values(
            subject=func.replace(AuditEvent.subject, person.email, placeholder),
            details=func.replace(AuditEvent.details, person.email, placeholder),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Invitation)
        .where(Invitation.id.in_(invitation_ids))
        .values(
            email=None,
            contact_id=None,
            next_attempt_at=None,
            # An SMTP refusal often quotes the recipient ("550 <erika@…>: no such user").
            last_error=func.replace(Invitation.last_error, person.email, placeholder),
        )
        .execution_options(synchronize_session=False)
    )
    if contact is not None:
        contact.name = ERASED_NAME
        contact.email = placeholder
        contact.external_id = None
        contact.opted_out_at = contact.opted_out_at or utcnow()
    suppression.suppress(person.email, reason=SuppressionReason.ERASURE, by=by)
    uploads = sales_services.delete_uploads_holding(person.email, by=by)
    _strip_from_held_sends(person.email)
    try:
        # Later domains erase their copies in this transaction (they never commit).
        contact_erased.send(
            None,
            email=person.email,
            contact_id=contact.id if contact is not None else None,
            response_ids=responded,
            by=by,
        )
    except Exception:
        db.session.rollback()
        raise
    erasure = Erasure(
        contact.id if contact is not None else None,
        person.invitations,
        person.responses,
        comments,
        len(uploads),
    )
    audit.record(
        by,
        "contact.erased",
        _subject(contact),
        f"invitations={erasure.invitations} responses_kept={erasure.responses_kept} "
        f"comments_removed={erasure.comments_removed}",
    )
    db.session.commit()
    return erasure


# Helpers ---------------------------------------------------------------------------------------


def _strip_from_held_sends(email: str) -> None:
    """Take the address out of ad-hoc sends still waiting for approval, so that approving one
    later cannot invite it (the suppression list refuses it too)."""
    wanted = emails.normalise(email)
    for send in db.session.scalars(
        select(AdhocSend).where(AdhocSend.status == AdhocSendStatus.PENDING)
    ):
        kept = [address for address in send.addresses if emails.normalise(address) != wanted]
        if len(kept) != len(send.addresses):
            send.addresses = kept


def _invitations_of(email: str, contact: Contact | None):
    if contact is None:
        return Invitation.email == email
    return or_(Invitation.contact_id == contact.id, Invitation.email == email)


def _subject(contact: Contact | None) -> str:
    # Never the address itself: the audit log must not undo the erasure.
    return f"contact {contact.id}" if contact is not None else "invitations without a contact"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _contact_data(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "external_id": contact.external_id,
        "name": contact.name,
        "email": contact.email,
        "language": contact.language,
        "opted_out_at": _iso(contact.opted_out_at),
        "created_at": _iso(contact.created_at),
        "updated_at": _iso(contact.updated_at),
        "account": {
            "id": contact.account.id,
            "external_id": contact.account.external_id,
            "name": contact.account.name,
        },
    }


def _invitation_data(invitation: Invitation, response: Response | None) -> dict[str, Any]:
    return {
        "id": invitation.id,
        "survey": {"id": invitation.survey.id, "name": invitation.survey.name},
        "email": invitation.email,
        "language": invitation.language,
        "about_rep": invitation.rep.name if invitation.rep is not None else None,
        "status": invitation.status.value,
        "created_at": _iso(invitation.created_at),
        "sent_at": _iso(invitation.sent_at),
        "opened_at": _iso(invitation.opened_at),
        "answered_at": _iso(invitation.answered_at),
        "expires_at": _iso(invitation.expires_at),
        "reminders_sent": invitation.reminders_sent,
        "response": _response_data(response, invitation) if response is not None else None,
    }


def _response_data(response: Response, invitation: Invitation) -> dict[str, Any]:
    fallback = invitation.survey.default_language
    return {
        "submitted_at": _iso(response.submitted_at),
        "language": response.language,
        "answers": [
            {
                "question": localized(a.question.texts, response.language, fallback) or "",
                "type": a.question.type.value,
                "score": a.score,
                "choices": a.choices,
                "text": a.text,
            }
            for a in sorted(response.answers, key=lambda a: a.question.position)
        ],
    }
