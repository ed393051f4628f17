"""Who receives a customer survey: choosing recipients, the preview of who is left out and
why, and creating the invitations.

Recipients are contacts chosen by their account's owner (a team's reps, or one rep; for a
manager who chooses neither, all of their teams), narrowed by their account's last won deal (its
product line and closing date), or a pasted or uploaded list of addresses. Every candidate is
checked in the same SQL query that selects it: opted out, surveyed in the last
``SURVEY_THROTTLE_DAYS`` days (one throttle per contact across all surveys, from
``invitations.contact_id`` / ``created_at``), already holding an unanswered invitation to this
survey, or without a rep the answer could be about.

An address in a list that is no contact becomes an *ad-hoc* recipient only when the sender
names the rep those addresses are about; without one it is left out ("not a contact"). An
ad-hoc address has no contact to carry an opt-out, so earlier invitations to the same address
stand in for it: one that was unsubscribed excludes the address for good, one within the
throttle window excludes it for now. Nothing proves a customer holds an ad-hoc address, so the
organisation's own addresses (its users', its company domains') are refused, the invitations
are marked ``adhoc`` (their answers are marked in the results), and when the organisation's
settings ask for it a manager's ad-hoc send waits for HR's approval (an ``AdhocSend``).

A sender sees only the customers of the people they may see: contacts of others are counted,
never named, and invitations about others are neither listed nor resent.

Invitations are about the account's owner; when recipients come from their account's last won
deal (a product line or closing dates were chosen) or a deal is named, they are about that deal
and its rep. Each invitation's team is its rep's team when it is created.
"""

from __future__ import annotations

import datetime
import enum
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    insert,
    null,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import aliased, joinedload

from coachflow.accounts import policy as accounts_policy
from coachflow.accounts.models import Role, Team, User
from coachflow.accounts.organisation import in_domains, organisation_settings
from coachflow.accounts.policy import visible_sellers
from coachflow.lib import emails, tokens
from coachflow.lib.csvio import CsvFormatError, open_csv
from coachflow.platform import audit, jobs, progress
from coachflow.platform.errors import Conflict, DomainError
from coachflow.platform.extensions import db
from coachflow.platform.permissions import allowed
from coachflow.platform.time import utcnow
from coachflow.questionnaires.models import Survey, SurveyStatus
from coachflow.sales.models import Contact, CustomerAccount, Deal, DealStage
from coachflow.sales.policy import visible_sales
from coachflow.sales.records import N_
from coachflow.sales.services import suppression
from coachflow.surveys.models import AdhocSend, AdhocSendStatus, Invitation, InvitationStatus
from coachflow.surveys.services.sending import MAIL_OUT, MAIL_OUT_PROGRESS

DEFAULT_THROTTLE_DAYS = 90
MAX_LISTED = 20_000  # addresses in one pasted or uploaded list
LOOKUP_CHUNK = 1_000  # addresses per IN (...) lookup
INSERT_CHUNK = 1_000
SELLER_ROLES = (Role.REP, Role.MANAGER)
# An invitation that may still be answered: a second one to the same survey is a duplicate.
OPEN_STATUSES = (
    InvitationStatus.QUEUED,
    InvitationStatus.SENT,
    InvitationStatus.FAILED,
    InvitationStatus.OPENED,
)
EMAIL_COLUMNS = (
    "email",
    "e-mail",
    "email address",
    "e-mail address",
    "mail",
    "e-mail-adresse",
    "adresse e-mail",
    "adresse email",
    "courriel",
)


class Reason(enum.StrEnum):
    """Why a candidate receives no invitation."""

    MALFORMED = "malformed"
    DUPLICATE = "duplicate"
    NOT_A_CONTACT = "not_a_contact"
    NOT_YOURS = "not_yours"
    OPTED_OUT = "opted_out"
    ALREADY_INVITED = "already_invited"
    THROTTLED = "throttled"
    NO_REP = "no_rep"
    ERASED = "erased"
    INTERNAL = "internal"


REASON_TEXTS = {
    Reason.MALFORMED: N_("Not a valid email address."),
    Reason.DUPLICATE: N_("Listed more than once."),
    Reason.NOT_A_CONTACT: N_(
        "Not a contact; choose the rep these addresses are about to invite them anyway."
    ),
    Reason.NOT_YOURS: N_("A customer of someone outside your teams."),
    Reason.OPTED_OUT: N_("Opted out of surveys."),
    Reason.ALREADY_INVITED: N_("Already has an unanswered invitation to this survey."),
    Reason.THROTTLED: N_("Surveyed in the last %(days)d days."),
    Reason.NO_REP: N_("No active rep to ask about: the account has no owner."),
    Reason.ERASED: suppression.REFUSED,
    Reason.INTERNAL: N_(
        "An address of our own organisation (a user or a company domain): it cannot answer "
        "as a customer."
    ),
}


def describe(reason: Reason, throttle_days: int) -> str:
    """The reason in the reader's language."""
    return _(REASON_TEXTS[reason], days=throttle_days)


@dataclass(frozen=True, slots=True)
class Recipient:
    """Someone who will receive an invitation, and what it is about."""

    email: str
    name: str
    contact_id: int | None
    language: str | None
    rep_id: int
    deal_id: int | None = None
    index: int | None = None  # position in an API batch
    adhoc: bool = False  # a listed address that is no contact


@dataclass(frozen=True, slots=True)
class Excluded:
    """A candidate left out, and why."""

    email: str
    name: str
    reason: Reason
    index: int | None = None
    detail: str = ""  # what is wrong with a malformed address (a message taking ``value``)


@dataclass
class Selection:
    """The outcome of choosing recipients: who will be invited and who is left out."""

    recipients: list[Recipient] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    throttle_days: int = DEFAULT_THROTTLE_DAYS
    held: int = 0  # ad-hoc addresses sent to HR for approval instead of invited

    def listed(self) -> list[Excluded]:
        """The left-out candidates a preview may name: not the customers of others, which it
        only counts."""
        return [item for item in self.excluded if item.reason is not Reason.NOT_YOURS]

    def counts(self) -> dict[Reason, int]:
        """How many were left out for each reason, in the order of ``Reason``."""
        found: dict[Reason, int] = dict.fromkeys(Reason, 0)
        for item in self.excluded:
            found[item.reason] += 1
        return {reason: n for reason, n in found.items() if n}


@dataclass(frozen=True)
class Criteria:
    """What the sender chose: contacts by their account's owner and last won deal, or a list."""

    team_id: int | None = None
    rep_id: int | None = None
    product_line_id: int | None = None
    last_deal_from: datetime.date | None = None
    last_deal_to: datetime.date | None = None
    addresses: str = ""  # pasted or uploaded, separated by commas, semicolons or line breaks
    adhoc_rep_id: int | None = None  # the rep unknown addresses are about

    @property
    def by_list(self) -> bool:
        return bool(self.addresses.strip())

    @property
    def by_deal(self) -> bool:
        return bool(self.product_line_id or self.last_deal_from or self.last_deal_to)


@dataclass(frozen=True)
class InvitationRequest:
    """One recipient an API client asks for: a contact (by external id) or an address."""

    index: int
    contact_external_id: str | None = None
    email: str | None = None
    rep_email: str | None = None
    deal_external_id: str | None = None


@dataclass(frozen=True)
class RequestProblem:
    """What is wrong with one requested recipient: its position, field and message."""

    index: int
    field: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


class RecipientsRejected(DomainError):
    """Requested recipients had problems; no invitation was created."""

    status_code = 422

    def __init__(self, problems: list[RequestProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s); no invitation was created")
        self.problems = problems


# Addresses: pure parsing -------------------------------------------------------------------------


def split_addresses(text: str) -> list[str]:
    """The addresses in a pasted list: separated by commas, semicolons, spaces or line breaks;
    ``Anna Schmidt <anna@example.com>`` (as mail programs copy them) gives the address in the
    angle brackets."""
    found: list[str] = []
    text = re.sub(r'"[^"\r\n]*"', " ", text)  # quoted display names: "Müller, Bob" <bob@…>
    for piece in re.split(r"[,;\r\n\t]+", text):
        bracketed = re.findall(r"<([^<>]*)>", piece)
        found.extend(bracketed if bracketed else piece.split())
    return [address.strip() for address in found if address.strip()]


def addresses_from_csv(data: bytes) -> list[str]:
    """The addresses in an uploaded CSV file: its email column, or its only column.

    Raises ``DomainError`` when the file cannot be read or has no email column.
    """
    try:
        source = open_csv(io.BytesIO(data))
        names = {name.strip().lower(): name for name in source.header}
        column = next((names[alias] for alias in EMAIL_COLUMNS if alias in names), None)
        if column is None and len(source.header) == 1:
            column = source.header[0]
            found = [column] if "@" in column else []
        elif column is None:
            raise DomainError(
                _(
                    "The file has no column named “email”. Name the column of "
                    "addresses “email” and upload it again."
                ),
                field="file",
            )
        else:
            found = []
        for _line, values in source.rows():
            if isinstance(values, CsvFormatError):
                continue
            if values.get(column, "").strip():
                found.append(values[column].strip())
    except CsvFormatError as error:
        raise DomainError(
            _("The file cannot be read as CSV: %(reason)s", reason=str(error)), field="file"
        ) from error
    return found


# Choosing recipients -----------------------------------------------------------------------------


def throttle_days() -> int:
    """Days a contact is left alone after any invitation (``SURVEY_THROTTLE_DAYS``)."""
    return int(current_app.config.get("SURVEY_THROTTLE_DAYS", DEFAULT_THROTTLE_DAYS))


def check_sendable(survey: Survey) -> None:
    """Refuse a survey that cannot be sent: not active, not for customers, or without questions."""
    if survey.status is not SurveyStatus.ACTIVE:
        raise Conflict(_("Only an active survey can be sent. Activate it first."))
    if not survey.kind.is_customer:
        raise Conflict(_("Only customer surveys (CSAT and NPS) are sent to contacts."))
    if survey.current_version is None:
        raise Conflict(_("This survey has no questions yet."))


def select_recipients(survey: Survey, criteria: Criteria, by: Any) -> Selection:
    """Who would receive ``survey`` for ``criteria`` chosen by ``by``, and who is left out and why.

    Raises ``DomainError`` naming the field when the criteria are not allowed or incomplete.
    """
    check_sendable(survey)
    _check_criteria(criteria, by)
    if criteria.by_list:
        return _exclude_erased(_select_listed(survey, criteria, by))
    return _select_by_owner(survey, criteria, by)


def _check_criteria(criteria: Criteria, by: Any) -> None:
    if criteria.by_list:
        if criteria.adhoc_rep_id is not None and not _is_visible_seller(criteria.adhoc_rep_id, by):
            raise DomainError(_("Choose one of your teams' reps."), field="adhoc_rep")
        return
    if not (criteria.team_id or criteria.rep_id or criteria.by_deal) and not chooses_own_teams(by):
        raise DomainError(
            _("Choose a team, a rep, a product line or deal dates, or list the addresses.")
        )
    if criteria.team_id is not None:
        team = db.session.get(Team, criteria.team_id)
        if team is None or not allowed(by, accounts_policy.VIEW_TEAM, team):
            raise DomainError(_("Choose one of your teams."), field="team")
    if criteria.rep_id is not None and not _is_visible_seller(criteria.rep_id, by):
        raise DomainError(_("Choose one of your teams' reps."), field="rep")
    if (
        criteria.last_deal_from
        and criteria.last_deal_to
        and criteria.last_deal_from > criteria.last_deal_to
    ):
        raise DomainError(_("The first day comes after the last."), field="last_deal_to")


def chooses_own_teams(by: Any) -> bool:
    """Whether choosing no team means all of ``by``'s teams: a manager's customers are few and
    theirs; for HR and admin it would be the whole organisation, so they must choose."""
    user = _actor(by)
    return user is not None and user.role is Role.MANAGER


def _is_visible_seller(user_id: int, by: Any) -> bool:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.id == user_id, User.id.in_(visible_sellers(by)), active_seller(User))
        )
        == 1
    )


def _candidates(
    survey: Survey,
    by: Any,
    *,
    by_deal: bool = False,
    line_id: int | None = None,
    closed_from: datetime.date | None = None,
    closed_to: datetime.date | None = None,
) -> Select[Any]:
    """Contacts with every flag that could exclude them, computed in the same query; with
    ``by_deal``, only those whose account's last won deal (of the line) closed in the range."""
    cutoff = utcnow() - datetime.timedelta(days=throttle_days())
    recent = exists().where(Invitation.contact_id == Contact.id, Invitation.created_at >= cutoff)
    open_here = exists().where(
        Invitation.contact_id == Contact.id,
        Invitation.survey_id == survey.id,
        Invitation.status.in_(OPEN_STATUSES),
    )
    query = select(
        Contact.id,
        Contact.email,
        Contact.name,
        Contact.language,
        Contact.external_id,
        Contact.account_id,
        Contact.opted_out_at.is_not(None).label("opted_out"),
        recent.label("recent"),
        open_here.label("open_here"),
        visible_sales(by, CustomerAccount.owner_id).label("visible"),
    ).join(CustomerAccount, CustomerAccount.id == Contact.account_id)
    if not by_deal:
        owner = aliased(User)
        return query.outerjoin(
            owner, and_(owner.id == CustomerAccount.owner_id, active_seller(owner))
        ).add_columns(owner.id.label("rep_id"), null().label("deal_id"))
    # The account's last won deal (of the product line), found by the (account, closed) index.
    conditions = [Deal.account_id == Contact.account_id, Deal.stage == DealStage.WON]
    if line_id is not None:
        conditions.append(Deal.product_line_id == line_id)
    last = (
        select(Deal.id)
        .where(*conditions)
        .order_by(Deal.closed_on.desc(), Deal.id.desc())
        .limit(1)
        .correlate(Contact)
        .scalar_subquery()
    )
    deal = aliased(Deal)
    seller = aliased(User)
    query = (
        query.join(deal, deal.id == last)
        .outerjoin(seller, and_(seller.id == deal.rep_id, active_seller(seller)))
        .add_columns(seller.id.label("rep_id"), deal.id.label("deal_id"))
    )
    if closed_from is not None:
        query = query.where(deal.closed_on >= closed_from)
    if closed_to is not None:
        query = query.where(deal.closed_on <= closed_to)
    return query


def active_seller(user: Any) -> ColumnElement[bool]:
    """SQL: ``user`` (the model or an alias) is an active rep or manager, whom answers can be
    about."""
    return and_(user.active.is_(True), user.role.in_(SELLER_ROLES))


def _select_by_owner(survey: Survey, criteria: Criteria, by: Any) -> Selection:
    query = _candidates(
        survey,
        by,
        by_deal=criteria.by_deal,
        line_id=criteria.product_line_id,
        closed_from=criteria.last_deal_from,
        closed_to=criteria.last_deal_to,
    )
    conditions: list[ColumnElement[bool]] = [visible_sales(by, CustomerAccount.owner_id)]
    if criteria.team_id is not None:
        team = db.session.get(Team, criteria.team_id)
        members = select(User.id).where(User.team_id == team.id)
        conditions.append(
            or_(CustomerAccount.owner_id.in_(members), CustomerAccount.owner_id == team.manager_id)
        )
    if criteria.rep_id is not None:
        conditions.append(CustomerAccount.owner_id == criteria.rep_id)
    rows = db.session.execute(query.where(*conditions).order_by(Contact.name, Contact.id))
    selection = Selection(throttle_days=throttle_days())
    for row in rows:
        _classify(selection, row)
    return selection


def _classify(
    selection: Selection,
    row: Any,
    *,
    index: int | None = None,
    rep_id: int | None = None,
    deal_id: int | None = None,
) -> None:
    """Add one candidate contact to the recipients or to the excluded, with the first reason."""
    rep = rep_id if rep_id is not None else row.rep_id
    reason = (
        Reason.NOT_YOURS
        if not row.visible
        else Reason.OPTED_OUT
        if row.opted_out
        else Reason.ALREADY_INVITED
        if row.open_here
        else Reason.THROTTLED
        if row.recent
        else Reason.NO_REP
        if rep is None
        else None
    )
    if reason is Reason.NOT_YOURS:
        selection.excluded.append(Excluded("", "", reason, index))  # counted, never named
        return
    if reason is not None:
        selection.excluded.append(Excluded(row.email, row.name, reason, index))
        return
    selection.recipients.append(
        Recipient(
            email=row.email,
            name=row.name,
            contact_id=row.id,
            language=row.language,
            rep_id=rep,
            deal_id=deal_id if deal_id is not None else row.deal_id,
            index=index,
        )
    )


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _parse_list(raw: Iterable[str], selection: Selection) -> list[str]:
    """Valid, first-seen addresses in order; malformed and repeated ones go to the excluded."""
    valid: list[str] = []
    seen: set[str] = set()
    for address in raw:
        try:
            normal = emails.check(address).normalised
        except emails.InvalidAddress as error:
            shown = address[:254]
            selection.excluded.append(Excluded(shown, "", Reason.MALFORMED, detail=error.reason))
            continue
        if normal in seen:
            selection.excluded.append(Excluded(normal, "", Reason.DUPLICATE))
        else:
            seen.add(normal)
            valid.append(normal)
    return valid


def _select_listed(survey: Survey, criteria: Criteria, by: Any) -> Selection:
    raw = split_addresses(criteria.addresses)
    if len(raw) > MAX_LISTED:
        raise DomainError(
            _("List at most %(max)d addresses at once.", max=MAX_LISTED), field="addresses"
        )
    selection = Selection(throttle_days=throttle_days())
    valid = _parse_list(raw, selection)
    found: dict[str, Any] = {}
    query = _candidates(survey, by)
    for chunk in _chunks(valid, LOOKUP_CHUNK):
        for row in db.session.execute(query.where(Contact.email.in_(chunk))):
            found[row.email] = row
    unknown = [address for address in valid if address not in found]
    adhoc, internal = {}, set()
    if criteria.adhoc_rep_id is not None:
        adhoc, internal = _adhoc_flags(survey, unknown), internal_addresses(unknown)
    for address in valid:
        row = found.get(address)
        if row is not None:
            _classify(selection, row)
        elif criteria.adhoc_rep_id is None:
            selection.excluded.append(Excluded(address, "", Reason.NOT_A_CONTACT))
        elif address in internal:
            selection.excluded.append(Excluded(address, "", Reason.INTERNAL))
        else:
            _classify_adhoc(selection, address, adhoc.get(address), rep_id=criteria.adhoc_rep_id)
    return selection


def internal_addresses(addresses: Sequence[str]) -> set[str]:
    """Those of ``addresses`` (lower case) that belong to the organisation: a user's (in any
    case) or at one of the company's domains."""
    domains = organisation_settings().company_domains or []
    found = {address for address in addresses if in_domains(address, domains)}
    for chunk in _chunks(addresses, LOOKUP_CHUNK):
        found.update(
            db.session.scalars(
                select(func.lower(User.email)).where(func.lower(User.email).in_(chunk))
            )
        )
    return found


def _adhoc_flags(survey: Survey, addresses: Sequence[str]) -> dict[str, Any]:
    """Earlier invitations to addresses that are no contact: unsubscribed, recent, open here."""
    cutoff = utcnow() - datetime.timedelta(days=throttle_days())
    flags: dict[str, Any] = {}
    query = select(
        Invitation.email,
        func.max(case((Invitation.status == InvitationStatus.UNSUBSCRIBED, 1), else_=0)).label(
            "opted_out"
        ),
        func.max(case((Invitation.created_at >= cutoff, 1), else_=0)).label("recent"),
        func.max(
            case(
                (and_(Invitation.survey_id == survey.id, Invitation.status.in_(OPEN_STATUSES)), 1),
                else_=0,
            )
        ).label("open_here"),
    ).group_by(Invitation.email)
    for chunk in _chunks(addresses, LOOKUP_CHUNK):
        for row in db.session.execute(query.where(Invitation.email.in_(chunk))):
            flags[row.email] = row
    return flags


def _classify_adhoc(
    selection: Selection,
    address: str,
    flags: Any,
    *,
    rep_id: int,
    deal_id: int | None = None,
    index: int | None = None,
) -> None:
    reason = None
    if flags is not None:
        reason = (
            Reason.OPTED_OUT
            if flags.opted_out
            else Reason.ALREADY_INVITED
            if flags.open_here
            else Reason.THROTTLED
            if flags.recent
            else None
        )
    if reason is not None:
        selection.excluded.append(Excluded(address, "", reason, index))
        return
    selection.recipients.append(
        Recipient(
            email=address,
            name="",
            contact_id=None,
            language=None,
            rep_id=rep_id,
            deal_id=deal_id,
            index=index,
            adhoc=True,
        )
    )


def _exclude_erased(selection: Selection) -> Selection:
    """Leave out the addresses erased on request (on the suppression list): an erasure must
    not be undone by inviting the address again."""
    erased = suppression.suppressed_among(r.email for r in selection.recipients)
    if erased:
        kept = []
        for recipient in selection.recipients:
            if recipient.email in erased:
                selection.excluded.append(
                    Excluded(recipient.email, recipient.name, Reason.ERASED, recipient.index)
                )
            else:
                kept.append(recipient)
        selection.recipients = kept
    return selection


# Requests from the API: all or nothing -----------------------------------------------------------


def resolve_requests(survey: Survey, requests: Sequence[InvitationRequest], by: Any) -> Selection:
    """The recipients an API batch names, with the excluded ones and why.

    Raises ``RecipientsRejected`` naming every request that is wrong (an unknown contact, rep or
    deal, a malformed address, an address that is no contact and names no rep or deal).
    """
    check_sendable(survey)
    lookups = _Lookups.load(survey, requests, by)
    problems: list[RequestProblem] = []
    resolved: list[_Resolved] = []
    for request in requests:
        outcome = lookups.resolve(request)
        if isinstance(outcome, list):
            problems.extend(outcome)
        else:
            resolved.append(outcome)
    if problems:
        raise RecipientsRejected(sorted(problems, key=lambda p: (p.index, p.field)))

    selection = Selection(throttle_days=throttle_days())
    unknown = [r.email for r in resolved if r.contact is None]
    adhoc, internal = _adhoc_flags(survey, unknown), internal_addresses(unknown)
    seen: set[int | str] = set()
    for item in resolved:
        index, contact = item.request.index, item.contact
        key: int | str = contact.id if contact is not None else item.email
        if key in seen:
            name = contact.name if contact is not None else ""
            selection.excluded.append(Excluded(item.email, name, Reason.DUPLICATE, index))
            continue
        seen.add(key)
        if contact is not None:
            _classify(selection, contact, index=index, rep_id=item.rep_id, deal_id=item.deal_id)
        elif item.rep_id is None:
            selection.excluded.append(Excluded(item.email, "", Reason.NO_REP, index))
        elif item.email in internal:
            selection.excluded.append(Excluded(item.email, "", Reason.INTERNAL, index))
        else:
            _classify_adhoc(
                selection,
                item.email,
                adhoc.get(item.email),
                rep_id=item.rep_id,
                deal_id=item.deal_id,
                index=index,
            )
    return selection


@dataclass(frozen=True)
class _Resolved:
    request: InvitationRequest
    contact: Any  # a row of ``_candidates``, or None for an address that is no contact
    email: str
    rep_id: int | None  # the rep named or the deal's; None: the account owner's
    deal_id: int | None


def _checked(address: str) -> str | emails.InvalidAddress:
    try:
        return emails.check(address).normalised
    except emails.InvalidAddress as error:
        return error


@dataclass
class _Lookups:
    """What a batch refers to, each kind loaded in a few set-based queries."""

    addresses: dict[int, str | emails.InvalidAddress]  # request index → normalised address
    by_external: dict[str, Any]
    by_email: dict[str, Any]
    reps: dict[str, int]
    deals: dict[str, _Deal]

    @classmethod
    def load(cls, survey: Survey, requests: Sequence[InvitationRequest], by: Any) -> _Lookups:
        addresses = {r.index: _checked(r.email) for r in requests if r.email is not None}
        query = _candidates(survey, by)
        by_external: dict[str, Any] = {}
        by_email: dict[str, Any] = {}
        external_ids = sorted({r.contact_external_id for r in requests if r.contact_external_id})
        for chunk in _chunks(external_ids, LOOKUP_CHUNK):
            for row in db.session.execute(query.where(Contact.external_id.in_(chunk))):
                by_external[row.external_id] = row
        valid = {a for a in addresses.values() if isinstance(a, str)}
        for chunk in _chunks(sorted(valid), LOOKUP_CHUNK):
            for row in db.session.execute(query.where(Contact.email.in_(chunk))):
                by_email[row.email] = row
        reps = _sellers_by_email({r.rep_email.strip().lower() for r in requests if r.rep_email})
        deals = _deals_by_external_id({r.deal_external_id for r in requests if r.deal_external_id})
        return cls(addresses, by_external, by_email, reps, deals)

    def resolve(self, request: InvitationRequest) -> _Resolved | list[RequestProblem]:
        """The request's contact (or address), rep and deal, or what is wrong with it."""
        index = request.index
        problems: list[RequestProblem] = []
        contact, address = None, None
        if request.contact_external_id is not None:
            contact = self.by_external.get(request.contact_external_id)
            if contact is None:
                problems.append(
                    RequestProblem(
                        index,
                        "contact_external_id",
                        N_("No contact has the id “%(value)s”."),
                        {"value": request.contact_external_id},
                    )
                )
        if request.email is not None:
            checked = self.addresses[index]
            if isinstance(checked, emails.InvalidAddress):
                problems.append(
                    RequestProblem(index, "email", checked.reason, {"value": checked.value[:60]})
                )
            else:
                address = checked
                contact = self.by_email.get(address)
        rep_id = None
        if request.rep_email is not None:
            rep_id = self.reps.get(request.rep_email.strip().lower())
            if rep_id is None:
                problems.append(
                    RequestProblem(
                        index,
                        "rep_email",
                        N_("“%(value)s” is not an active rep or manager."),
                        {"value": request.rep_email},
                    )
                )
        deal = None
        if request.deal_external_id is not None:
            deal = self.deals.get(request.deal_external_id)
            if deal is None:
                problems.append(
                    RequestProblem(
                        index,
                        "deal_external_id",
                        N_("No deal has the id “%(value)s”."),
                        {"value": request.deal_external_id},
                    )
                )
            elif contact is not None and deal.account_id != contact.account_id:
                problems.append(
                    RequestProblem(
                        index, "deal_external_id", N_("This deal is with another customer account.")
                    )
                )
        if (
            address is not None
            and contact is None
            and request.rep_email is None
            and (request.deal_external_id is None)
        ):
            problems.append(
                RequestProblem(
                    index,
                    "email",
                    N_(
                        "No contact has this address; name the rep_email "
                        "or deal_external_id it is about to invite it "
                        "anyway."
                    ),
                )
            )
        if problems:
            return problems
        if rep_id is None and deal is not None and deal.rep_active:
            rep_id = deal.rep_id
        email = contact.email if contact is not None else address or ""
        return _Resolved(request, contact, email, rep_id, deal.id if deal is not None else None)


def _sellers_by_email(emails: set[str]) -> dict[str, int]:
    if not emails:
        return {}
    return dict(
        db.session.execute(
            select(User.email, User.id).where(User.email.in_(emails), active_seller(User))
        ).all()
    )


@dataclass(frozen=True)
class _Deal:
    id: int
    account_id: int
    rep_id: int
    rep_active: bool


def _deals_by_external_id(external_ids: set[str]) -> dict[str, _Deal]:
    if not external_ids:
        return {}
    rows = db.session.execute(
        select(
            Deal.external_id,
            Deal.id,
            Deal.account_id,
            Deal.rep_id,
            active_seller(User).label("rep_active"),
        )
        .join(User, User.id == Deal.rep_id)
        .where(Deal.external_id.in_(external_ids))
    )
    return {
        row.external_id: _Deal(row.id, row.account_id, row.rep_id, bool(row.rep_active))
        for row in rows
    }


# Creating the invitations ------------------------------------------------------------------------


def create_invitations(survey: Survey, recipients: Sequence[Recipient], by: Any) -> list[int]:
    """One queued invitation per recipient, in one transaction, then the mail-out job.

    Each gets a fresh token (only its hash is stored), an expiry ``survey.invitation_days``
    away, its rep and that rep's team, and the contact's language when the survey has texts in
    it (else the survey's default). Returns the invitations' ids in the recipients' order.
    """
    check_sendable(survey)
    if not recipients:
        raise DomainError(_("Nobody is left to invite."))
    version = survey.current_version
    languages = set(version.texts or {})
    teams = dict(
        db.session.execute(
            select(User.id, User.team_id).where(User.id.in_({r.rep_id for r in recipients}))
        ).all()
    )
    now = utcnow()
    expires = now + datetime.timedelta(days=survey.invitation_days)
    ids: list[int] = []
    try:
        for chunk in _chunks(recipients, INSERT_CHUNK):
            rows = [
                {
                    "survey_id": survey.id,
                    "version_id": version.id,
                    "contact_id": recipient.contact_id,
                    "email": recipient.email,
                    "language": recipient.language
                    if recipient.language in languages
                    else survey.default_language,
                    "rep_id": recipient.rep_id,
                    "team_id": teams.get(recipient.rep_id),
                    "deal_id": recipient.deal_id,
                    "adhoc": recipient.adhoc,
                    "token_salt": tokens.new_salt(),
                    "status": InvitationStatus.QUEUED,
                    "created_at": now,
                    "expires_at": expires,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "last_error": "",
                    "reminders_sent": 0,
                }
                for recipient in chunk
            ]
            ids.extend(_insert(rows))
        audit.record(
            _actor(by),
            "surveys.invitations.created",
            f"survey {survey.id}",
            f"{survey.name}: {len(ids)} invitation(s)",
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    jobs.start(MAIL_OUT)
    return ids


def _insert(rows: list[dict[str, Any]]) -> list[int]:
    """Insert invitations with their token hashes; their ids, in order.

    A token is derived from its invitation's id, so the ids come first: on PostgreSQL from the
    sequence, then the rows go in by COPY; elsewhere the rows go in with a placeholder hash
    and get the real one by primary key.
    """
    secret = current_app.config["SECRET_KEY"]
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        ids = list(
            db.session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence('invitations', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": len(rows)},
            )
        )
        for invitation_id, row in zip(ids, rows, strict=True):
            row["id"] = invitation_id
            row["token_hash"] = tokens.hash_token(
                tokens.derive(secret, invitation_id, row["token_salt"])
            )
        names = list(rows[0])
        raw = connection.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY invitations ({', '.join(names)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row([v.value if isinstance(v, enum.Enum) else v for v in row.values()])
        return ids
    for row in rows:
        row["token_hash"] = f"pending:{row['token_salt']}"  # unique until the real one is set
    created = db.session.execute(
        insert(Invitation).returning(
            Invitation.id, Invitation.token_salt, sort_by_parameter_order=True
        ),
        rows,
    ).all()
    db.session.execute(
        update(Invitation),
        [
            {
                "id": row.id,
                "token_hash": tokens.hash_token(tokens.derive(secret, row.id, row.token_salt)),
            }
            for row in created
        ],
    )
    return [row.id for row in created]


def send_survey(survey: Survey, criteria: Criteria, by: Any) -> tuple[Selection, list[int]]:
    """Choose the recipients for ``criteria`` again (the data may have changed since the preview)
    and invite them; ad-hoc addresses wait for HR instead when ``by`` needs approval for them
    (``selection.held`` says how many)."""
    selection = select_recipients(survey, criteria, by)
    recipients = selection.recipients
    if needs_approval(by) and any(r.adhoc for r in recipients):
        held = [r for r in recipients if r.adhoc]
        recipients = [r for r in recipients if not r.adhoc]
        _hold(survey, held, by)
        selection.held = len(held)
        if not recipients:
            return selection, []
    return selection, create_invitations(survey, recipients, by)


def invite_requested(
    survey: Survey, requests: Sequence[InvitationRequest], by: Any
) -> tuple[Selection, list[int]]:
    """Invite the recipients an API batch names, all or nothing; the excluded are reported."""
    selection = _exclude_erased(resolve_requests(survey, requests, by))
    if not selection.recipients:
        return selection, []
    return selection, create_invitations(survey, selection.recipients, by)


def _actor(by: Any) -> User | None:
    """The user behind a signed-in session or an API token."""
    return getattr(by, "user", by) if by is not None else None


# Reading invitations -----------------------------------------------------------------------------


def manageable_surveys(user: Any) -> Select[tuple[Survey]]:
    """The surveys ``user`` may send: HR and admin all, a manager their own, a rep none."""
    query = select(Survey)
    if user.role in (Role.ADMIN, Role.HR):
        return query
    if user.role is Role.MANAGER:
        return query.where(Survey.owner_id == user.id)
    return query.where(false())


def status_counts(survey: Survey, by: Any) -> dict[InvitationStatus, int]:
    """How many of the survey's invitations that ``by`` may see are in each state (one GROUP
    BY)."""
    counts = dict.fromkeys(InvitationStatus, 0)
    for status, count in db.session.execute(
        select(Invitation.status, func.count())
        .where(Invitation.survey_id == survey.id, visible_sales(by, Invitation.rep_id))
        .group_by(Invitation.status)
    ):
        counts[InvitationStatus(status)] = count
    return counts


@dataclass(frozen=True)
class MailOutProgress:
    """How far the mail-out of a survey's invitations has come, as ``by`` may see it."""

    counts: dict[InvitationStatus, int]
    running: bool  # a mail-out is sending at this moment
    active: bool  # the survey is active: its queued invitations will go out

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def queued(self) -> int:
        return self.counts[InvitationStatus.QUEUED]

    @property
    def busy(self) -> bool:
        """Whether invitations are still on their way (the page keeps following them)."""
        return self.active and self.queued > 0

    @property
    def percent(self) -> int:
        return 100 if not self.total else (self.total - self.queued) * 100 // self.total


def mail_out_progress(survey: Survey, by: Any) -> MailOutProgress:
    """The survey's invitations per state (one GROUP BY) and whether the mail-out runs."""
    return MailOutProgress(
        counts=status_counts(survey, by),
        running=bool(progress.read(MAIL_OUT_PROGRESS).get("running")),
        active=survey.status is SurveyStatus.ACTIVE,
    )


def invitations_query(survey: Survey, status: InvitationStatus | None, by: Any) -> Select[Any]:
    """The survey's invitations about the people ``by`` may see, newest first, with their
    contact's and rep's names in the same query."""
    query = (
        select(Invitation)
        .options(
            joinedload(Invitation.contact).load_only(Contact.name),
            joinedload(Invitation.rep).load_only(User.name),
        )
        .where(Invitation.survey_id == survey.id, visible_sales(by, Invitation.rep_id))
        .order_by(Invitation.id.desc())
    )
    if status is not None:
        query = query.where(Invitation.status == status)
    return query


# Ad-hoc sends awaiting HR's approval -------------------------------------------------------------


class AdhocSendNotFound(DomainError):
    """No ad-hoc send has this id."""

    status_code = 404


def needs_approval(by: Any) -> bool:
    """Whether ``by``'s sends to ad-hoc addresses wait for HR: a manager's do when the
    organisation's settings say so; HR's and admins' never."""
    user = _actor(by)
    return (
        user is not None
        and user.role is Role.MANAGER
        and organisation_settings().adhoc_needs_approval
    )


def _hold(survey: Survey, recipients: Sequence[Recipient], by: Any) -> None:
    """Record ad-hoc recipients (all about one rep) as a send awaiting approval."""
    try:
        send = AdhocSend(
            survey_id=survey.id,
            rep_id=recipients[0].rep_id,
            requested_by_id=getattr(_actor(by), "id", None),
            addresses=[r.email for r in recipients],
            status=AdhocSendStatus.PENDING,
            invited=0,
        )
        db.session.add(send)
        db.session.flush()
        audit.record(
            _actor(by),
            "surveys.adhoc_send.requested",
            f"survey {survey.id}",
            f"{survey.name}: {len(recipients)} ad-hoc address(es) await approval (send {send.id})",
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def pending_adhoc_sends() -> list[AdhocSend]:
    """The ad-hoc sends awaiting approval, oldest first, with survey and people loaded."""
    return list(
        db.session.scalars(
            select(AdhocSend)
            .options(
                joinedload(AdhocSend.survey).load_only(Survey.name),
                joinedload(AdhocSend.rep).load_only(User.name),
                joinedload(AdhocSend.requested_by).load_only(User.name, User.email),
            )
            .where(AdhocSend.status == AdhocSendStatus.PENDING)
            .order_by(AdhocSend.created_at, AdhocSend.id)
        )
    )


def _decide(send_id: int, decision: AdhocSendStatus, by: Any) -> AdhocSend:
    """Take the pending send ``send_id`` for ``decision`` in one conditional update, so that two
    decisions at once (a double click, two HR people) cannot both go through."""
    if db.session.get(AdhocSend, send_id) is None:
        raise AdhocSendNotFound(_("There is no such send."))
    taken = db.session.execute(
        update(AdhocSend)
        .where(AdhocSend.id == send_id, AdhocSend.status == AdhocSendStatus.PENDING)
        .values(status=decision, decided_by_id=getattr(_actor(by), "id", None), decided_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        db.session.rollback()
        raise Conflict(_("This send was already approved or rejected."))
    send = db.session.get(AdhocSend, send_id)
    db.session.refresh(send)
    return send


def approve_adhoc_send(send_id: int, by: Any) -> int:
    """Approve a held ad-hoc send: check its addresses again as its requester would see them
    (they may have been invited or become the organisation's since) and mail the invitations.
    Returns how many were created."""
    send = _decide(send_id, AdhocSendStatus.APPROVED, by)
    survey = send.survey
    requester = send.requested_by or _actor(by)
    criteria = Criteria(addresses="\n".join(send.addresses), adhoc_rep_id=send.rep_id)
    try:
        check_sendable(survey)
        # Erased since the hold: an erasure must not be undone by the approval.
        recipients = _exclude_erased(_select_listed(survey, criteria, requester)).recipients
    except BaseException:
        db.session.rollback()
        raise
    send.invited = len(recipients)
    audit.record(
        _actor(by),
        "surveys.adhoc_send.approved",
        f"survey {survey.id}",
        f"{survey.name}: send {send.id} of {len(send.addresses)} ad-hoc address(es), "
        f"{len(recipients)} invited",
    )
    if not recipients:
        db.session.commit()
        return 0
    return len(create_invitations(survey, recipients, by))


def reject_adhoc_send(send_id: int, by: Any) -> None:
    """Reject a held ad-hoc send: nothing is ever mailed for it."""
    send = _decide(send_id, AdhocSendStatus.REJECTED, by)
    try:
        audit.record(
            _actor(by),
            "surveys.adhoc_send.rejected",
            f"survey {send.survey_id}",
            f"send {send.id} of {len(send.addresses)} ad-hoc address(es)",
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
