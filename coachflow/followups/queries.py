"""Set-based reads of follow-up cases: the figures per rep and team that pages, the API and
later domains (coaching, scorecards, dashboards) use, the root-cause breakdown, and the lists.

The rules, stated once. A period is ``[start, end)`` over the day a case was **opened** (UTC).
Of the cases opened in it: ``open`` are still open or contacted now, ``overdue`` those of them
past their due time now, ``resolved`` / ``not_resolved`` closed either way. The resolution rate
is resolved ÷ (resolved + not resolved), None when none is closed. Median hours to first
contact and to resolution (closing as resolved) are over the cases that reached that point.

Counts are one GROUP BY; medians are PostgreSQL's ``percentile_cont`` in the same query, and on
SQLite one more query reads the durations, whose medians Python takes per group. So the query
count is fixed whatever the number of reps, teams or cases.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, select, union_all
from sqlalchemy.orm import joinedload

from coachflow.accounts.models import Team, User
from coachflow.accounts.policy import visible_sellers, visible_teams
from coachflow.followups.models import (
    ACTIVE_STATES,
    CLOSED_STATES,
    CaseEvent,
    CaseState,
    FollowUpCase,
    RootCause,
)
from coachflow.followups.policy import visible_cases
from coachflow.platform.extensions import db
from coachflow.platform.paging import Page, paginate
from coachflow.platform.time import utcnow
from coachflow.questionnaires.models import Question
from coachflow.sales.models import Contact, CustomerAccount, Deal
from coachflow.surveys.models import Answer, Response


@dataclass(frozen=True)
class CaseFigures:
    """Follow-up figures of one rep or team for a period (see the module's rules)."""

    opened: int  # cases opened in the period
    open: int  # of those, still open or contacted now
    overdue: int  # of those, open/contacted and past due now
    resolved: int
    not_resolved: int  # closed as could-not-resolve
    resolution_rate: float | None  # resolved / (resolved + not_resolved), None if 0
    median_hours_to_contact: float | None
    median_hours_to_resolve: float | None


NO_CASES = CaseFigures(0, 0, 0, 0, 0, None, None, None)


@dataclass(frozen=True)
class CaseSummary:
    """An open (or contacted) case as lists show it."""

    id: int
    state: CaseState
    opened_at: datetime.datetime
    due_at: datetime.datetime
    overdue: bool
    customer: str  # the account's name, else the contact's, else ""
    score: int | None
    rep_id: int | None


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    def moment(day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)

    return moment(start), moment(end)


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _hours(later: Any, earlier: Any) -> ColumnElement[float]:
    """Hours from ``earlier`` to ``later``, on PostgreSQL and on SQLite."""
    if _is_postgresql():
        return func.extract("epoch", later - earlier) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


def _to_contact() -> ColumnElement[float]:
    return _hours(FollowUpCase.first_contact_at, FollowUpCase.opened_at)


def _to_resolve() -> ColumnElement[float]:
    return case(
        (
            FollowUpCase.state == CaseState.RESOLVED,
            _hours(FollowUpCase.closed_at, FollowUpCase.opened_at),
        ),
        else_=None,
    )


def _figures(
    group: Any, start: datetime.date, end: datetime.date, where: list[ColumnElement[bool]]
) -> dict[int, CaseFigures]:
    """The figures of each value of ``group`` (a case column) over cases opened in the period."""
    since, until = _bounds(start, end)
    now = utcnow()
    active = FollowUpCase.state.in_(ACTIVE_STATES)
    conditions = [
        FollowUpCase.opened_at >= since,
        FollowUpCase.opened_at < until,
        group.is_not(None),
        *where,
    ]
    columns: list[Any] = [
        group.label("key"),
        func.count().label("opened"),
        func.count(case((active, 1))).label("open"),
        func.count(case((active & (FollowUpCase.due_at < now), 1))).label("overdue"),
        func.count(case((FollowUpCase.state == CaseState.RESOLVED, 1))).label("resolved"),
        func.count(case((FollowUpCase.state == CaseState.COULD_NOT_RESOLVE, 1))).label("failed"),
    ]
    postgresql = _is_postgresql()
    if postgresql:
        columns += [
            func.percentile_cont(0.5).within_group(_to_contact()).label("contact"),
            func.percentile_cont(0.5).within_group(_to_resolve()).label("resolve"),
        ]
    rows = db.session.execute(select(*columns).where(*conditions).group_by(group)).all()
    if postgresql:
        medians = {row.key: (row.contact, row.resolve) for row in rows}
    else:
        medians = _medians_in_order(group, conditions)
    figures = {}
    for row in rows:
        contact, resolve = medians.get(row.key, (None, None))
        closed = row.resolved + row.failed
        figures[row.key] = CaseFigures(
            opened=row.opened,
            open=row.open,
            overdue=row.overdue,
            resolved=row.resolved,
            not_resolved=row.failed,
            resolution_rate=row.resolved / closed if closed else None,
            median_hours_to_contact=None if contact is None else float(contact),
            median_hours_to_resolve=None if resolve is None else float(resolve),
        )
    return figures


def _medians_in_order(
    group: Any, conditions: list[ColumnElement[bool]]
) -> dict[int, tuple[float | None, float | None]]:
    """Both medians per group from one query of the durations (SQLite's path)."""
    contact = _to_contact()
    resolve = _to_resolve()
    durations = union_all(
        select(group.label("key"), literal(0).label("which"), contact.label("hours")).where(
            *conditions, FollowUpCase.first_contact_at.is_not(None)
        ),
        select(group.label("key"), literal(1).label("which"), resolve.label("hours")).where(
            *conditions, FollowUpCase.state == CaseState.RESOLVED
        ),
    ).subquery()
    values: dict[int, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    # statistics.median sorts each group's list itself: no ORDER BY (a temporary B-tree) here.
    for key, which, hours in db.session.execute(
        select(durations.c.key, durations.c.which, durations.c.hours)
    ).tuples():
        if hours is not None:
            values[key][which].append(hours)
    return {
        key: tuple(statistics.median(hours) if hours else None for hours in pair)  # type: ignore[misc]
        for key, pair in values.items()
    }


def _in(column: Any, ids: Select | Sequence[int] | None) -> list[ColumnElement[bool]]:
    if ids is None:
        return []
    if isinstance(ids, Select):
        return [column.in_(ids)]
    return [column.in_(list(ids))]


def figures_by_rep(
    start: datetime.date,
    end: datetime.date,
    rep_ids: Select | Sequence[int] | None = None,
) -> dict[int, CaseFigures]:
    """Figures per rep (the case's current owner) for cases opened in ``[start, end)``.

    ``rep_ids`` limits the reps (a list, or a select of ids such as ``visible_sellers(user)``).
    Reps without a case in the period are absent: read them with ``.get(rep_id, NO_CASES)``.
    """
    if rep_ids is not None and not isinstance(rep_ids, Select) and not rep_ids:
        return {}
    return _figures(FollowUpCase.rep_id, start, end, _in(FollowUpCase.rep_id, rep_ids))


def figures_by_team(
    start: datetime.date, end: datetime.date, team_ids: Sequence[int] | None = None
) -> dict[int, CaseFigures]:
    """Figures per team (the team the case belongs to) for cases opened in ``[start, end)``;
    teams without a case are absent (``.get(team_id, NO_CASES)``)."""
    if team_ids is not None and not team_ids:
        return {}
    return _figures(FollowUpCase.team_id, start, end, _in(FollowUpCase.team_id, team_ids))


def root_causes_by_team(
    start: datetime.date, end: datetime.date, team_ids: Sequence[int] | None = None
) -> dict[int, dict[str, int]]:
    """Closed cases per team and root cause code (``"delivery"``, ``"price"``, …; see
    ``root_cause_label``) among cases opened in ``[start, end)``; one GROUP BY query. Closed
    cases without a root cause are left out."""
    if team_ids is not None and not team_ids:
        return {}
    since, until = _bounds(start, end)
    rows = db.session.execute(
        select(FollowUpCase.team_id, RootCause.code, func.count())
        .join(RootCause, RootCause.id == FollowUpCase.root_cause_id)
        .where(
            FollowUpCase.opened_at >= since,
            FollowUpCase.opened_at < until,
            FollowUpCase.state.in_(CLOSED_STATES),
            FollowUpCase.team_id.is_not(None),
            *_in(FollowUpCase.team_id, team_ids),
        )
        .group_by(FollowUpCase.team_id, RootCause.code)
    ).all()
    breakdown: dict[int, dict[str, int]] = defaultdict(dict)
    for team_id, code, count in rows:
        breakdown[team_id][code] = count
    return dict(breakdown)


def _customer() -> ColumnElement[str]:
    return func.coalesce(CustomerAccount.name, Contact.name, "")


def open_cases_of(rep_id: int) -> list[CaseSummary]:
    """The rep's open and contacted cases, soonest due first (one query)."""
    now = utcnow()
    rows = db.session.execute(
        select(
            FollowUpCase.id,
            FollowUpCase.state,
            FollowUpCase.opened_at,
            FollowUpCase.due_at,
            _customer().label("customer"),
            FollowUpCase.score,
            FollowUpCase.rep_id,
        )
        .outerjoin(CustomerAccount, CustomerAccount.id == FollowUpCase.account_id)
        .outerjoin(Contact, Contact.id == FollowUpCase.contact_id)
        .where(FollowUpCase.rep_id == rep_id, FollowUpCase.state.in_(ACTIVE_STATES))
        .order_by(FollowUpCase.due_at, FollowUpCase.id)
    ).all()
    return [
        CaseSummary(
            id=row.id,
            state=row.state,
            opened_at=row.opened_at,
            due_at=row.due_at,
            overdue=row.due_at < now,
            customer=row.customer,
            score=row.score,
            rep_id=row.rep_id,
        )
        for row in rows
    ]


def rep_names(ids: Sequence[int]) -> dict[int, str]:
    """Names of the given people (one query)."""
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


# Pages ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    state: CaseState | None = None
    rep_id: int | None = None
    team_id: int | None = None
    opened_from: datetime.date | None = None
    opened_to: datetime.date | None = None  # inclusive, as people read a date range
    overdue: bool = False


def _filtered(user: Any, filters: CaseFilters) -> Select:
    query = select(FollowUpCase).where(visible_cases(user))
    if filters.state is not None:
        query = query.where(FollowUpCase.state == filters.state)
    if filters.rep_id is not None:
        query = query.where(FollowUpCase.rep_id == filters.rep_id)
    if filters.team_id is not None:
        query = query.where(FollowUpCase.team_id == filters.team_id)
    if filters.opened_from is not None:
        query = query.where(FollowUpCase.opened_at >= _bounds(filters.opened_from, END_OF_TIME)[0])
    if filters.opened_to is not None:
        day_after = filters.opened_to + datetime.timedelta(days=1)
        query = query.where(FollowUpCase.opened_at < _bounds(day_after, END_OF_TIME)[0])
    if filters.overdue:
        query = query.where(FollowUpCase.state.in_(ACTIVE_STATES), FollowUpCase.due_at < utcnow())
    return query


END_OF_TIME = datetime.date(2999, 12, 31)


def cases_page(user: Any, filters: CaseFilters, page: int, per_page: int) -> Page:
    """The cases ``user`` may see, filtered, active ones soonest due first, then the latest
    closed; with their rep, account and root cause loaded (three queries)."""
    query = (
        _filtered(user, filters)
        .options(
            joinedload(FollowUpCase.rep),
            joinedload(FollowUpCase.account),
            joinedload(FollowUpCase.root_cause),
        )
        .order_by(
            FollowUpCase.state.in_(ACTIVE_STATES).desc(),
            case(
                (FollowUpCase.state.in_(ACTIVE_STATES), FollowUpCase.due_at),
                else_=None,
            ),
            FollowUpCase.closed_at.desc(),
            FollowUpCase.id.desc(),
        )
    )
    return paginate(query, page, per_page)


def case_ids_for_api(user: Any, filters: CaseFilters) -> Select:
    """The API's list: the same scope and filters, newest first."""
    return _filtered(user, filters).order_by(FollowUpCase.opened_at.desc(), FollowUpCase.id.desc())


@dataclass(frozen=True)
class AnswerLine:
    question: str
    score: int | None
    text: str


@dataclass(frozen=True)
class CaseDetail:
    case: FollowUpCase
    events: list[Any]
    answers: list[AnswerLine]
    recent_deals: list[Any]
    resurvey: list[AnswerLine] | None = None  # the customer's answer when asked again


def _answer_lines(response_id: Any, language: str) -> list[AnswerLine]:
    """The answers of one response (``response_id`` a value or a scalar subquery), question by
    question in the reader's language; chosen options by their labels."""
    rows = db.session.execute(
        select(Question.texts, Question.options, Answer.score, Answer.text, Answer.choices)
        .join(Answer, Answer.question_id == Question.id)
        .where(Answer.response_id == response_id)
        .order_by(Question.position)
    ).all()
    lines = []
    for texts, options, score, text, choices in rows:
        labels = {
            option["value"]: option["labels"].get(language) or option["labels"].get("en", "")
            for option in options or []
        }
        chosen = ", ".join(labels.get(value, value) for value in choices or [])
        lines.append(
            AnswerLine(
                question=texts.get(language) or next(iter(texts.values()), ""),
                score=score,
                text=text or chosen,
            )
        )
    return lines


RECENT_DEALS = 5


def case_detail(case: FollowUpCase, language: str) -> CaseDetail:
    """What a case's page shows: timeline with who did it, the answer question by question,
    the customer's latest deals (a fixed number of queries)."""
    events = list(
        db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id)
            .options(joinedload(CaseEvent.by), joinedload(CaseEvent.to_user))
            .order_by(CaseEvent.at, CaseEvent.id)
        )
    )
    answers = _answer_lines(case.response_id, language)
    resurvey = None
    if case.resurvey_invitation_id is not None:
        resurvey = _answer_lines(
            select(Response.id)
            .where(Response.invitation_id == case.resurvey_invitation_id)
            .scalar_subquery(),
            language,
        )
    deals: list[Any] = []
    if case.account_id is not None:
        deals = list(
            db.session.execute(
                select(Deal.id, Deal.external_id, Deal.stage, Deal.closed_on, Deal.amount_minor)
                .where(Deal.account_id == case.account_id)
                .order_by(Deal.closed_on.desc().nulls_first(), Deal.id.desc())
                .limit(RECENT_DEALS)
            ).all()
        )
    return CaseDetail(case, events, answers, deals, resurvey)


@dataclass(frozen=True)
class FiguresRow:
    id: int
    name: str
    figures: CaseFigures


@dataclass(frozen=True)
class FiguresPage:
    teams: list[FiguresRow]
    reps: list[FiguresRow]
    root_causes: dict[int, dict[str, int]]
    codes: list[tuple[str, str]]  # root cause code and name, in the list's order


def figures_page(user: Any, start: datetime.date, end: datetime.date) -> FiguresPage:
    """Figures of the teams and people ``user`` may see for ``[start, end)``, and each team's
    root causes (a fixed number of queries)."""
    teams = db.session.execute(
        visible_teams(user).with_only_columns(Team.id, Team.name).order_by(Team.name)
    ).all()
    team_ids = [team.id for team in teams]
    by_team = figures_by_team(start, end, team_ids)
    by_rep = figures_by_rep(start, end, visible_sellers(user))
    names = rep_names(list(by_rep))
    causes = root_causes_by_team(start, end, team_ids)
    codes = [
        (code, name)
        for code, name in db.session.execute(
            select(RootCause.code, RootCause.name).order_by(RootCause.position, RootCause.id)
        )
    ]
    return FiguresPage(
        teams=[FiguresRow(t.id, t.name, by_team[t.id]) for t in teams if t.id in by_team],
        reps=sorted(
            (FiguresRow(rid, names.get(rid, ""), f) for rid, f in by_rep.items()),
            key=lambda row: (-row.figures.overdue, row.name),
        ),
        root_causes=causes,
        codes=codes,
    )


def customer_of(case: FollowUpCase) -> str:
    """The customer's name on one case: the account's, else the contact's."""
    if case.account is not None:
        return case.account.name
    return case.contact.name if case.contact is not None else ""
