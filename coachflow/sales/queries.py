"""Set-based reads behind the sales pages: a fixed number of queries, whatever the data's size.

Won revenue, margin, bookings and repeat business are summed in SQL per rep × product line;
quota targets likewise. The rules, stated once:

- **Won revenue** of a period: the amounts of deals with stage ``won`` and ``closed_on`` in
  ``[period.start, period.end)``, in the configured ``SALES_CURRENCY``.
- **Repeat business**: a won deal whose account had another won deal closed on an *earlier*
  day (by any rep). Two first deals on the same day are both new business.
- **Quota targets** of a period: the quotas whose own period lies inside it, each month counted
  once, at the coarsest granularity that has a quota for that rep × product line. A quarter view
  takes the quarterly quota when there is one, else the sum of the three monthly quotas; a year
  view takes the yearly quota when there is one, else quarter by quarter as before. A quota of a
  longer period than the one viewed (a yearly quota seen from a quarter) is not counted: it is
  not spread over months, so such a period shows "no quota" rather than an invented target.
- **Attainment**: won revenue ÷ revenue target; blended over all product lines, total revenue ÷
  total target (revenue of a line without a quota still counts towards the blended figure).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import ColumnElement, Date, Select, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased, joinedload

from coachflow.accounts.models import ProductLine, Role, Team, User
from coachflow.lib.figures import (
    DEFAULT_SORT,
    EMPTY,
    Figures,
    SalesRow,
    roll_up,
    sort_keys,
    sort_rows,
)
from coachflow.lib.periods import Period, PeriodKind, parse_period
from coachflow.platform.extensions import db
from coachflow.platform.paging import Page, page_of, paginate
from coachflow.sales.models import Contact, CustomerAccount, Deal, DealStage, Quota
from coachflow.sales.policy import visible_sales

T = TypeVar("T")
SELLER_ROLES = (Role.REP, Role.MANAGER)


# Paging ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paging:
    """Which page of each of a page's lists to show."""

    reps: int = 1
    teams: int = 1
    accounts: int = 1
    deals: int = 1
    per_page: int = 25


# Building blocks -------------------------------------------------------------------------------


def _currency() -> str:
    return current_app.config["SALES_CURRENCY"]


def is_repeat(deal: type[Deal] | Any) -> Any:
    """SQL: ``deal`` is won and its account won another deal on an earlier day."""
    earlier = aliased(Deal)
    return and_(
        deal.stage == DealStage.WON,
        exists().where(
            earlier.account_id == deal.account_id,
            earlier.stage == DealStage.WON,
            earlier.closed_on < deal.closed_on,
        ),
    )


def _in_period(period: Period) -> Any:
    return and_(Deal.closed_on >= period.start, Deal.closed_on < period.end)


def _int(value: Any) -> int:
    return int(value or 0)  # PostgreSQL sums bigints as numeric


@dataclass(frozen=True)
class LineRef:
    id: int
    code: str
    name: str
    active: bool


def product_lines() -> list[LineRef]:
    """Every product line, active first, then by name."""
    rows = db.session.execute(
        select(ProductLine.id, ProductLine.code, ProductLine.name, ProductLine.active).order_by(
            ProductLine.active.desc(), ProductLine.name
        )
    )
    return [LineRef(*row) for row in rows]


@dataclass(frozen=True)
class Seller:
    id: int
    name: str
    role: Role
    active: bool
    team_id: int | None
    team_name: str


def sellers(scope: Select, *, team_id: int | None = None) -> list[Seller]:
    """Reps and managers among the ids of ``scope`` (optionally of one team), by name."""
    query = (
        select(User.id, User.name, User.role, User.active, User.team_id, Team.name)
        .outerjoin(Team, Team.id == User.team_id)
        .where(User.id.in_(scope), User.role.in_(SELLER_ROLES))
        .order_by(User.name, User.id)
    )
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    return [
        Seller(id_, name, role, active, team, team_name or "")
        for id_, name, role, active, team, team_name in db.session.execute(query)
    ]


def seller_ids(scope: Select, *, team_id: int | None = None, rep_id: int | None = None) -> Select:
    """The ids of the reps and managers in ``scope``, narrowed to a team and to one person."""
    ids = select(User.id).where(User.id.in_(scope), User.role.in_(SELLER_ROLES))
    if team_id is not None:
        ids = ids.where(User.team_id == team_id)
    if rep_id is not None:
        ids = ids.where(User.id == rep_id)
    return ids


# Figures per rep × product line -----------------------------------------------------------------

Key = tuple[int, int]  # (rep id, product line id)


def won_figures(period: Period, rep_ids: Select, line_id: int | None = None) -> dict[Key, Figures]:
    """Won revenue, margin, bookings and repeat business per rep × line, in one query."""
    won = select(
        Deal.rep_id,
        Deal.product_line_id,
        Deal.amount_minor,
        Deal.margin_minor,
        case((is_repeat(Deal), Deal.amount_minor)).label("repeat_amount"),
    ).where(
        Deal.stage == DealStage.WON,
        _in_period(period),
        Deal.currency == _currency(),
        Deal.rep_id.in_(rep_ids),
    )
    if line_id is not None:
        won = won.where(Deal.product_line_id == line_id)
    # OFFSET 0 keeps PostgreSQL from inlining the subquery, which would run the EXISTS once
    # for each aggregate that reads repeat_amount instead of once per deal.
    deal = won.offset(0).subquery()
    query = select(
        deal.c.rep_id,
        deal.c.product_line_id,
        func.sum(deal.c.amount_minor),
        func.sum(deal.c.margin_minor),
        func.sum(case((deal.c.margin_minor.is_not(None), deal.c.amount_minor), else_=0)),
        func.count(),
        func.sum(deal.c.repeat_amount),
        func.count(deal.c.repeat_amount),
    ).group_by(deal.c.rep_id, deal.c.product_line_id)
    return {
        (rep, line): Figures(
            revenue_minor=_int(revenue),
            margin_minor=_int(margin),
            margin_basis_minor=_int(basis),
            bookings=_int(bookings),
            repeat_revenue_minor=_int(repeat_revenue),
            repeat_bookings=_int(repeat_bookings),
        )
        for rep, line, revenue, margin, basis, bookings, repeat_revenue, repeat_bookings in (
            db.session.execute(query)
        )
    }


def _quarter_start(period: Period, day: Any) -> Any:
    """SQL: the first day of the quarter of ``day``, for a day inside ``period``."""
    if period.kind is PeriodKind.QUARTER:
        return literal(period.start, Date())
    starts = [datetime.date(period.start.year, month, 1) for month in (1, 4, 7, 10)]
    return case(
        *(
            (day < literal(next_start, Date()), literal(start, Date()))
            for start, next_start in itertools.pairwise(starts)
        ),
        else_=literal(starts[-1], Date()),
    )


def quota_targets(
    period: Period, rep_ids: Select, line_id: int | None = None
) -> dict[Key, Figures]:
    """Quota targets per rep × line, each month counted once at its coarsest granularity."""
    quota, coarser = Quota, aliased(Quota)
    kinds = {
        PeriodKind.MONTH: [PeriodKind.MONTH],
        PeriodKind.QUARTER: [PeriodKind.MONTH, PeriodKind.QUARTER],
        PeriodKind.YEAR: list(PeriodKind),
    }[period.kind]

    def coarser_exists(kind: PeriodKind, start: Any) -> Any:
        return exists().where(
            coarser.rep_id == quota.rep_id,
            coarser.product_line_id == quota.product_line_id,
            coarser.period_kind == kind,
            coarser.period_start == start,
            coarser.currency == quota.currency,
        )

    conditions = [
        quota.period_kind.in_(kinds),
        quota.period_start >= period.start,
        quota.period_start < period.end,
        quota.currency == _currency(),
        quota.rep_id.in_(rep_ids),
    ]
    if line_id is not None:
        conditions.append(quota.product_line_id == line_id)
    if period.kind is PeriodKind.YEAR:
        conditions.append(
            or_(
                quota.period_kind == PeriodKind.YEAR,
                ~coarser_exists(PeriodKind.YEAR, literal(period.start, Date())),
            )
        )
    if period.kind is not PeriodKind.MONTH:
        conditions.append(
            or_(
                quota.period_kind != PeriodKind.MONTH,
                ~coarser_exists(PeriodKind.QUARTER, _quarter_start(period, quota.period_start)),
            )
        )
    query = (
        select(
            quota.rep_id,
            quota.product_line_id,
            func.sum(quota.revenue_target_minor),
            func.sum(quota.margin_target_minor),
            func.sum(quota.bookings_target),
            func.sum(quota.estimates_target),
        )
        .where(*conditions)
        .group_by(quota.rep_id, quota.product_line_id)
    )
    return {
        (rep, line): Figures(
            revenue_target_minor=_int(revenue),
            margin_target_minor=_int(margin),
            bookings_target=_int(bookings),
            estimates_target=_int(estimates),
        )
        for rep, line, revenue, margin, bookings, estimates in db.session.execute(query)
    }


def figures_by_rep_and_line(
    period: Period, rep_ids: Select, line_id: int | None = None
) -> dict[Key, Figures]:
    """Won figures and quota targets together, per rep × product line (two queries)."""
    won = won_figures(period, rep_ids, line_id)
    targets = quota_targets(period, rep_ids, line_id)
    return {
        key: won.get(key, EMPTY) + targets.get(key, EMPTY) for key in won.keys() | targets.keys()
    }


# The sales overview ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SalesReport:
    """A period's figures for the reps in scope: per rep, per team and in total."""

    period: Period
    lines: list[LineRef]  # the product-line columns: active ones and any with figures
    reps: list[SalesRow]
    teams: list[SalesRow]
    sellers: list[Seller] = field(default_factory=list)  # everyone in scope, for the filter

    @property
    def rep_choices(self) -> list[Seller]:
        """The reps one may narrow the report to."""
        return [person for person in self.sellers if person.role is Role.REP]

    @property
    def total(self) -> SalesRow:
        by_line: dict[int, Figures] = {}
        for row in self.teams:
            for line_id, figures in row.by_line.items():
                by_line[line_id] = by_line.get(line_id, EMPTY) + figures
        return SalesRow(id=None, name="", by_line=by_line, members=len(self.reps))


def sales_report(
    period: Period,
    scope: Select,
    *,
    team_id: int | None = None,
    rep_id: int | None = None,
    line_id: int | None = None,
    no_team: str = "—",
    lines: list[LineRef] | None = None,
) -> SalesReport:
    """Figures of the sellers in ``scope`` (ids), narrowed by team, rep and product line.

    Active reps are always listed; anyone else (a manager who sells, a rep who left) only
    when they have won deals or quotas in the period. Four queries (three given ``lines``).
    """
    lines = product_lines() if lines is None else lines
    people = sellers(scope, team_id=team_id)
    chosen = [p for p in people if rep_id is None or p.id == rep_id]
    ids = seller_ids(scope, team_id=team_id, rep_id=rep_id)
    figures = figures_by_rep_and_line(period, ids, line_id) if chosen else {}
    by_rep: dict[int, dict[int, Figures]] = {}
    for (rep, line), values in figures.items():
        by_rep.setdefault(rep, {})[line] = values
    rows = [
        SalesRow(
            id=p.id,
            name=p.name,
            team_id=p.team_id,
            team_name=p.team_name,
            by_line=by_rep.get(p.id, {}),
        )
        for p in chosen
        if (p.role is Role.REP and p.active) or p.id in by_rep
    ]
    with_figures = {line for _rep, line in figures}
    shown = [
        line
        for line in lines
        if (line_id is None or line.id == line_id) and (line.active or line.id in with_figures)
    ]
    return SalesReport(period, shown, rows, roll_up(rows, no_team), people)


@dataclass(frozen=True)
class RepPage:
    """Everything a rep's page shows: figures per product line, accounts, deals."""

    row: SalesRow  # blended over the product lines
    lines: list[SalesRow]  # one per product line shown
    accounts: Page[AccountRow]
    deals: Page[Any]


def rep_page(
    period: Period,
    person: User,
    *,
    today: datetime.date,
    line_id: int | None = None,
    stage: DealStage | None = None,
    paging: Paging = Paging(),  # frozen: one shared default is safe
    lines: list[LineRef] | None = None,
) -> RepPage:
    """One person's figures per product line (whatever their role or status), their accounts
    and their deals; ``line_id`` and ``stage`` narrow the deals only."""
    lines = product_lines() if lines is None else lines
    ids = select(User.id).where(User.id == person.id)
    by_line = {
        line: values for (_rep, line), values in figures_by_rep_and_line(period, ids).items()
    }
    row = SalesRow(
        id=person.id,
        name=person.name,
        team_id=person.team_id,
        team_name=person.team.name if person.team else "",
        by_line=by_line,
    )
    return RepPage(
        row=row,
        lines=[
            SalesRow(id=line.id, name=line.name, by_line={line.id: row.line(line.id)})
            for line in lines
            if line.active or line.id in by_line
        ],
        accounts=account_page(period, person.id, page=paging.accounts, per_page=paging.per_page),
        deals=deal_page(
            period,
            ids,
            today=today,
            line_id=line_id,
            stage=stage,
            page=paging.deals,
            per_page=paging.per_page,
        ),
    )


@dataclass(frozen=True)
class Overview:
    """Everything the sales overview shows, each list sorted and paginated."""

    report: SalesReport
    reps: Page[SalesRow]
    teams: Page[SalesRow]
    deals: Page[Any]
    any_deals: bool  # whether the scope has any deal at all, in any period
    sort: str  # the column actually sorted by (an unknown one falls back to names)
    descending: bool


def overview(
    period: Period,
    scope: Select,
    *,
    today: datetime.date,
    team_id: int | None = None,
    rep_id: int | None = None,
    line_id: int | None = None,
    stage: DealStage | None = None,
    sort: str = DEFAULT_SORT,
    descending: bool = False,
    paging: Paging = Paging(),  # frozen: one shared default is safe
    lines: list[LineRef] | None = None,
    no_team: str = "—",
) -> Overview:
    """The sales overview of the sellers in ``scope``: figures, team roll-up and deals."""
    report = sales_report(
        period, scope, team_id=team_id, rep_id=rep_id, line_id=line_id, no_team=no_team, lines=lines
    )
    if sort not in sort_keys(line.id for line in report.lines):
        sort, descending = DEFAULT_SORT, False
    team_sort = "name" if sort == "team" else sort
    deals = deal_page(
        period,
        seller_ids(scope, team_id=team_id, rep_id=rep_id),
        today=today,
        line_id=line_id,
        stage=stage,
        page=paging.deals,
        per_page=paging.per_page,
    )
    return Overview(
        report=report,
        reps=page_of(sort_rows(report.reps, sort, descending), paging.reps, paging.per_page),
        teams=page_of(
            sort_rows(report.teams, team_sort, descending), paging.teams, paging.per_page
        ),
        deals=deals,
        any_deals=bool(deals.total) or has_deals(scope),
        sort=sort,
        descending=descending,
    )


# Deals -----------------------------------------------------------------------------------------


def deal_page(
    period: Period,
    rep_ids: Select,
    *,
    today: datetime.date,
    line_id: int | None = None,
    stage: DealStage | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Page[Any]:
    """Deals of ``rep_ids`` closed in ``period``, newest first, with a repeat-business flag.

    Open deals without a close date belong to no period; they are listed, last, with the
    period that is running now. Rows are ``(deal, repeat)``.
    """
    in_period = _in_period(period)
    if period.contains(today):
        in_period = or_(in_period, Deal.closed_on.is_(None))
    conditions = [Deal.rep_id.in_(rep_ids), in_period]
    if line_id is not None:
        conditions.append(Deal.product_line_id == line_id)
    if stage is not None:
        conditions.append(Deal.stage == stage)
    order = (Deal.closed_on.is_(None), Deal.closed_on.desc(), Deal.id.desc())
    return _deal_page(conditions, order, page, per_page, with_account=True)


def has_deals(rep_ids: Select) -> bool:
    """Whether any deal at all belongs to ``rep_ids`` (to tell "none yet" from "none here")."""
    return db.session.scalar(select(exists().where(Deal.rep_id.in_(rep_ids)))) or False


# A rep's accounts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountRow:
    id: int
    name: str
    territory: str
    revenue_minor: int  # won in the period
    won_deals: int  # in the period
    last_won_on: datetime.date | None  # ever


def account_page(period: Period, owner_id: int, *, page: int = 1, per_page: int = 25) -> Page:
    """The accounts ``owner_id`` owns, with what they won in the period; biggest first."""
    won_here = and_(Deal.stage == DealStage.WON, _in_period(period), Deal.currency == _currency())
    revenue = func.coalesce(func.sum(case((won_here, Deal.amount_minor), else_=0)), 0)
    rows = (
        select(
            CustomerAccount.id,
            CustomerAccount.name,
            CustomerAccount.territory,
            revenue.label("revenue"),
            func.coalesce(func.sum(case((won_here, 1), else_=0)), 0),
            func.max(case((Deal.stage == DealStage.WON, Deal.closed_on))),
        )
        .outerjoin(Deal, Deal.account_id == CustomerAccount.id)
        .where(CustomerAccount.owner_id == owner_id)
        .group_by(CustomerAccount.id, CustomerAccount.name, CustomerAccount.territory)
        .order_by(revenue.desc(), CustomerAccount.name, CustomerAccount.id)
    )
    count = (
        select(func.count())
        .select_from(CustomerAccount)
        .where(CustomerAccount.owner_id == owner_id)
    )
    result = paginate(rows, page, per_page, count=count)
    items = [
        AccountRow(id_, name, territory, _int(rev), _int(won), last)
        for id_, name, territory, rev, won, last in result.items
    ]
    return Page(items, result.page, result.per_page, result.total)


# One account's history --------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountTotals:
    """An account's whole history in numbers."""

    won: Figures
    lost_deals: int
    open_deals: int
    pipeline_minor: int  # amount of the open deals
    first_won_on: datetime.date | None
    last_won_on: datetime.date | None


def account_totals(account_id: int) -> AccountTotals:
    """Totals over every deal of the account, in one query."""
    won = Deal.stage == DealStage.WON
    repeat = is_repeat(Deal)
    in_currency = Deal.currency == _currency()
    query = select(
        func.sum(case((and_(won, in_currency), Deal.amount_minor), else_=0)),
        func.sum(case((and_(won, in_currency), Deal.margin_minor), else_=0)),
        func.sum(
            case(
                (and_(won, in_currency, Deal.margin_minor.is_not(None)), Deal.amount_minor), else_=0
            )
        ),
        func.sum(case((won, 1), else_=0)),
        func.sum(case((and_(repeat, in_currency), Deal.amount_minor), else_=0)),
        func.sum(case((repeat, 1), else_=0)),
        func.sum(case((Deal.stage == DealStage.LOST, 1), else_=0)),
        func.sum(case((Deal.stage == DealStage.OPEN, 1), else_=0)),
        func.sum(
            case((and_(Deal.stage == DealStage.OPEN, in_currency), Deal.amount_minor), else_=0)
        ),
        func.min(case((won, Deal.closed_on))),
        func.max(case((won, Deal.closed_on))),
    ).where(Deal.account_id == account_id)
    (
        revenue,
        margin,
        basis,
        bookings,
        repeat_revenue,
        repeat_bookings,
        lost,
        open_,
        pipeline,
        first,
        last,
    ) = db.session.execute(query).one()
    return AccountTotals(
        won=Figures(
            revenue_minor=_int(revenue),
            margin_minor=_int(margin),
            margin_basis_minor=_int(basis),
            bookings=_int(bookings),
            repeat_revenue_minor=_int(repeat_revenue),
            repeat_bookings=_int(repeat_bookings),
        ),
        lost_deals=_int(lost),
        open_deals=_int(open_),
        pipeline_minor=_int(pipeline),
        first_won_on=first,
        last_won_on=last,
    )


def account_deals(account_id: int, *, page: int = 1, per_page: int = 50) -> Page[Any]:
    """Every deal of the account in time order (open ones without a date last), with the
    repeat-business flag. Rows are ``(deal, repeat)``."""
    order = (Deal.closed_on.is_(None), Deal.closed_on, Deal.id)
    return _deal_page([Deal.account_id == account_id], order, page, per_page, with_account=False)


def _deal_page(
    conditions: list[Any],
    order: tuple[Any, ...],
    page: int,
    per_page: int,
    *,
    with_account: bool,
) -> Page[Any]:
    """One page of deals as ``(deal, repeat)`` rows, with rep, team, product line (and account
    and its owner) loaded alongside, in two queries. The page's ids are chosen first, so the
    joins and the repeat-business check run for its rows only, not for every match."""
    total = db.session.scalar(select(func.count()).select_from(Deal).where(*conditions)) or 0
    page = min(max(1, page), max(1, -(-total // per_page)))
    chosen = (
        select(Deal.id, is_repeat(Deal).label("repeat"))
        .where(*conditions)
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .subquery()
    )
    options = [joinedload(Deal.rep).joinedload(User.team), joinedload(Deal.product_line)]
    if with_account:
        options.append(
            joinedload(Deal.account).joinedload(CustomerAccount.owner).joinedload(User.team)
        )
    rows = (
        select(Deal, chosen.c.repeat)
        .join(chosen, chosen.c.id == Deal.id)
        .options(*options)
        .order_by(*order)
    )
    return Page(db.session.execute(rows).all(), page, per_page, total)


def contacts_of(account_id: int) -> list[Contact]:
    """The account's contacts by name."""
    return list(
        db.session.scalars(
            select(Contact).where(Contact.account_id == account_id).order_by(Contact.name)
        )
    )


# The REST API's reads: one query per list, scoped by ``visible_sales``, ordered by primary key
# for stable pages; each row is the record with the account, rep and product line it names.


@dataclass(frozen=True)
class ApiFilters:
    """What a list request narrows to; None means no filter."""

    rep: str | None = None
    account: str | None = None
    updated_since: datetime.datetime | None = None
    closed_from: datetime.date | None = None
    closed_to: datetime.date | None = None
    period: Period | None = None


def _account_base() -> Select[Any]:
    return select(CustomerAccount, User.email).outerjoin(User, CustomerAccount.owner_id == User.id)


def _contact_base() -> Select[Any]:
    return select(Contact, CustomerAccount.external_id).join(
        CustomerAccount, Contact.account_id == CustomerAccount.id
    )


def _deal_base() -> Select[Any]:
    return (
        select(Deal, CustomerAccount.external_id, User.email, ProductLine.code)
        .join(CustomerAccount, Deal.account_id == CustomerAccount.id)
        .join(User, Deal.rep_id == User.id)
        .join(ProductLine, Deal.product_line_id == ProductLine.id)
    )


def _quota_base() -> Select[Any]:
    return (
        select(Quota, User.email, ProductLine.code)
        .join(User, Quota.rep_id == User.id)
        .join(ProductLine, Quota.product_line_id == ProductLine.id)
    )


@dataclass(frozen=True)
class ApiList:
    """One kind of sales record as the API lists it."""

    model: Any
    seller: Any  # the column naming whose sales a record is (rep or account owner)
    base: Callable[[], Select[Any]]


API_LISTS: dict[str, ApiList] = {
    "accounts": ApiList(CustomerAccount, CustomerAccount.owner_id, _account_base),
    "contacts": ApiList(Contact, CustomerAccount.owner_id, _contact_base),
    "deals": ApiList(Deal, Deal.rep_id, _deal_base),
    "quotas": ApiList(Quota, Quota.rep_id, _quota_base),
}


def api_list(kind: str, caller: Any, filters: ApiFilters) -> Select[Any]:
    """The records of ``kind`` that ``caller`` may see, narrowed by ``filters``, by id."""
    resource = API_LISTS[kind]
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


def api_record(kind: str, key: str | int) -> Select[Any]:
    """The record of ``kind`` with this external id (a quota: this id)."""
    resource = API_LISTS[kind]
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


def estimates_by_rep(period: Period, rep_ids: Select) -> dict[int, int]:
    """Estimates given per rep: deals decided (won or lost) in ``period`` (one GROUP BY query).
    A deal is the estimate a customer said yes or no to; open ones are not counted yet."""
    query = (
        select(Deal.rep_id, func.count())
        .where(
            Deal.stage.in_((DealStage.WON, DealStage.LOST)),
            _in_period(period),
            Deal.rep_id.in_(rep_ids),
        )
        .group_by(Deal.rep_id)
    )
    return {rep: _int(count) for rep, count in db.session.execute(query)}
