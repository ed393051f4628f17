"""What the API shows of each sales record, and the set-based queries behind its lists.

Every list is one query (the record joined to the account, rep and product line it names),
scoped by ``visible_sales`` from the permission layer and ordered by primary key for stable pages.
Amounts leave as decimal strings beside their currency, dates as ISO 8601.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, or_, select

from coachflow.accounts.models import ProductLine, User
from coachflow.lib.money import from_minor
from coachflow.lib.periods import Period, parse_period
from coachflow.sales.models import Contact, CustomerAccount, Deal, Quota
from coachflow.sales.policy import visible_sales

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 500
MAX_PAGE = 1_000_000_000
MAX_QUOTA_ID = 2**31 - 1  # the column is a 32-bit integer; larger ids are simply not found


@dataclass(frozen=True)
class Filters:
    """What a list request narrows to; None means no filter."""

    rep: str | None = None
    account: str | None = None
    updated_since: datetime.datetime | None = None
    closed_from: datetime.date | None = None
    closed_to: datetime.date | None = None
    period: Period | None = None


@dataclass(frozen=True)
class Resource:
    """One kind of sales record as the API serves it."""

    kind: str
    model: Any
    seller: Any  # the column naming whose sales a record is (rep or account owner)
    base: Callable[[], Select[Any]]
    serialize: Callable[[Row[Any]], dict[str, Any]]
    filters: tuple[str, ...]  # query parameters beyond page, per_page, rep and updated_since


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _money(minor: int | None, currency: str) -> str | None:
    return None if minor is None else str(from_minor(minor, currency))


def _stamps(record: Any) -> dict[str, str | None]:
    return {"created_at": _iso(record.created_at), "updated_at": _iso(record.updated_at)}


def _account_base() -> Select[Any]:
    return select(CustomerAccount, User.email).outerjoin(User, CustomerAccount.owner_id == User.id)


def _account(row: Row[Any]) -> dict[str, Any]:
    account, owner_email = row
    return {
        "external_id": account.external_id,
        "name": account.name,
        "owner_email": owner_email,
        "territory": account.territory,
        **_stamps(account),
    }


def _contact_base() -> Select[Any]:
    return select(Contact, CustomerAccount.external_id).join(
        CustomerAccount, Contact.account_id == CustomerAccount.id
    )


def _contact(row: Row[Any]) -> dict[str, Any]:
    contact, account_external_id = row
    return {
        "external_id": contact.external_id,
        "account_external_id": account_external_id,
        "name": contact.name,
        "email": contact.email,
        "language": contact.language,
        "opted_out": contact.opted_out_at is not None,
        "opted_out_at": _iso(contact.opted_out_at),
        **_stamps(contact),
    }


def _deal_base() -> Select[Any]:
    return (
        select(Deal, CustomerAccount.external_id, User.email, ProductLine.code)
        .join(CustomerAccount, Deal.account_id == CustomerAccount.id)
        .join(User, Deal.rep_id == User.id)
        .join(ProductLine, Deal.product_line_id == ProductLine.id)
    )


def _deal(row: Row[Any]) -> dict[str, Any]:
    deal, account_external_id, rep_email, line_code = row
    return {
        "external_id": deal.external_id,
        "account_external_id": account_external_id,
        "rep_email": rep_email,
        "product_line": line_code,
        "amount": _money(deal.amount_minor, deal.currency),
        "currency": deal.currency,
        "margin": _money(deal.margin_minor, deal.currency),
        "stage": deal.stage.value,
        "closed_on": _iso(deal.closed_on),
        **_stamps(deal),
    }


def _quota_base() -> Select[Any]:
    return (
        select(Quota, User.email, ProductLine.code)
        .join(User, Quota.rep_id == User.id)
        .join(ProductLine, Quota.product_line_id == ProductLine.id)
    )


def _quota(row: Row[Any]) -> dict[str, Any]:
    quota, rep_email, line_code = row
    period = Period(quota.period_start, quota.period_kind)
    return {
        "id": quota.id,
        "rep_email": rep_email,
        "period": period.label,
        "period_kind": period.kind.value,
        "period_start": _iso(period.start),
        "product_line": line_code,
        "currency": quota.currency,
        "revenue_target": _money(quota.revenue_target_minor, quota.currency),
        "margin_target": _money(quota.margin_target_minor, quota.currency),
        "bookings_target": quota.bookings_target,
        "estimates_target": quota.estimates_target,
        **_stamps(quota),
    }


RESOURCES: dict[str, Resource] = {
    "accounts": Resource(
        "accounts", CustomerAccount, CustomerAccount.owner_id, _account_base, _account, ()
    ),
    "contacts": Resource(
        "contacts", Contact, CustomerAccount.owner_id, _contact_base, _contact, ("account",)
    ),
    "deals": Resource(
        "deals", Deal, Deal.rep_id, _deal_base, _deal, ("account", "closed_from", "closed_to")
    ),
    "quotas": Resource("quotas", Quota, Quota.rep_id, _quota_base, _quota, ("period",)),
}


def list_query(kind: str, caller: Any, filters: Filters) -> Select[Any]:
    """The records of ``kind`` that ``caller`` may see, narrowed by ``filters``, by id."""
    resource = RESOURCES[kind]
    model = resource.model
    conditions: list[ColumnElement[bool]] = [visible_sales(caller, resource.seller)]
    if filters.rep is not None:
        conditions.append(
            resource.seller.in_(select(User.id).where(User.email == filters.rep.strip().lower()))
        )
    if filters.updated_since is not None:
        conditions.append(model.updated_at >= filters.updated_since)
    if filters.account is not None:
        conditions.append(CustomerAccount.external_id == filters.account)
    if filters.closed_from is not None:
        conditions.append(Deal.closed_on >= filters.closed_from)
    if filters.closed_to is not None:
        conditions.append(Deal.closed_on <= filters.closed_to)
    if filters.period is not None:
        conditions.append(Quota.period_kind == filters.period.kind)
        conditions.append(Quota.period_start == filters.period.start)
    return resource.base().where(*conditions).order_by(model.id)


def one_query(kind: str, key: str | int) -> Select[Any]:
    """The record of ``kind`` with this external id (a quota: this id)."""
    resource = RESOURCES[kind]
    column = Quota.id if kind == "quotas" else resource.model.external_id
    return resource.base().where(column == key)


def quota_by_target(rep_email: str, period: str, product_line: str) -> Select[Any]:
    """The quota for a rep, period and product line (code or name), as an import names it."""
    target = parse_period(period)
    line = product_line.strip().lower()
    return _quota_base().where(
        User.email == rep_email.strip().lower(),
        Quota.period_kind == target.kind,
        Quota.period_start == target.start,
        or_(func.lower(ProductLine.code) == line, func.lower(ProductLine.name) == line),
        ProductLine.active.is_(True),
    )
