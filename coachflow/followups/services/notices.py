"""Mail about cases: to the rep and their manager when a case opens and when it is overdue."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from coachflow.accounts import organisation
from coachflow.accounts.models import Team, User
from coachflow.followups.models import FollowUpCase
from coachflow.platform import mailing
from coachflow.platform.extensions import db
from coachflow.platform.web import external_url
from coachflow.sales.models import Contact, CustomerAccount


def _recipients(case: FollowUpCase) -> list[User]:
    """The case's rep and their team's manager (once each, active ones only)."""
    people: list[User] = []
    if case.rep_id is not None:
        rep = db.session.get(User, case.rep_id)
        if rep is not None:
            people.append(rep)
    if case.team_id is not None:
        manager_id = db.session.scalar(select(Team.manager_id).where(Team.id == case.team_id))
        if manager_id is not None and manager_id != case.rep_id:
            manager = db.session.get(User, manager_id)
            if manager is not None:
                people.append(manager)
    return [person for person in people if person.active]


def customer_name(case: FollowUpCase) -> str:
    if case.account_id is not None:
        name = db.session.scalar(
            select(CustomerAccount.name).where(CustomerAccount.id == case.account_id)
        )
        if name:
            return name
    if case.contact_id is not None:
        return db.session.scalar(select(Contact.name).where(Contact.id == case.contact_id)) or ""
    return ""


def _send(case: FollowUpCase, subject: object, template: str) -> int:
    link = external_url("followups.case", case_id=case.id)
    customer = customer_name(case)
    rep_name = case.rep.name if case.rep is not None else ""
    sent = 0
    for person in _recipients(case):
        message = mailing.prepare(
            person.email,
            subject,
            template,
            language=person.language or current_app.config["BABEL_DEFAULT_LOCALE"],
            person=person,
            case=case,
            customer=customer,
            rep_name=rep_name,
            link=link,
            organisation=organisation.mail_branding(),
        )
        message["sender"] = organisation.sender_header()
        mailing.enqueue(message)
        sent += 1
    return sent


def case_opened(case: FollowUpCase) -> int:
    """Tell the rep and the manager of a new case; how many mails were handed to the job."""
    return _send(case, _l("A customer needs a follow-up"), "mail/followup_opened")


def case_overdue(case: FollowUpCase) -> int:
    """Tell the rep and the manager that a case is past its due time."""
    return _send(case, _l("A follow-up is overdue"), "mail/followup_overdue")
