"""The data a bound goal reads: set-based, one query per metric, whatever the number of reps.

Each metric is computed over *windows*: rows of (key, rep id, first day, last day), both days
included. The public form ``metric(rep_ids, start, end)`` (end exclusive, as the other domains'
queries take it) is one window per rep; a cycle page or ``figures_by_rep`` passes one window
per goal (from the cycle's start to the goal's due date), still in one query per metric.

The rules, stated once:

- **revenue**: won deals' amounts closed in the window, in the sales currency, in major units;
- **margin %**: margin ÷ revenue × 100, over the won deals whose margin is known;
- **bookings**: the number of won deals closed in the window;
- **estimates**: the number of deals of any stage (an estimate given to a customer) closed in
  the window, or for open deals created in it;
- **NPS**: % promoters − % detractors of the customers' NPS answers about the rep submitted in
  the window (customer surveys only); **CSAT**: the share of 4–5 ratings, in per cent;
- **resolution rate**: resolved ÷ closed follow-up cases opened in the window, in per cent
  (``coachflow.followups.queries.figures_by_rep``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from flask import current_app
from sqlalchemy import Date, Select, and_, case, func, literal, select

from coachflow.accounts.models import User
from coachflow.coaching.models import Metric
from coachflow.followups import queries as followup_queries
from coachflow.lib.money import exponent
from coachflow.platform.extensions import db
from coachflow.questionnaires.models import Question, QuestionType, Survey, SurveyKind
from coachflow.sales.models import Deal, DealStage
from coachflow.surveys.models import Answer, Response

RepIds = Select | Sequence[int] | None
# Sums rather than levels: their expected value grows over the cycle (see lib.pace).
CUMULATIVE = frozenset({Metric.REVENUE, Metric.BOOKINGS, Metric.ESTIMATES, Metric.MANUAL})


def _sum(expression: Any) -> Any:
    return func.coalesce(func.sum(expression), 0)


def _count_if(condition: Any) -> Any:
    return _sum(case((condition, 1), else_=0))


def _deal_rows(windows: Any, *columns: Any, won_only: bool = True) -> Select:
    day = Deal.closed_on if won_only else func.coalesce(Deal.closed_on, func.date(Deal.created_at))
    conditions = [
        Deal.rep_id == windows.c.rep_id,
        day >= windows.c.first_day,
        day <= windows.c.last_day,
    ]
    if won_only:
        conditions += [Deal.stage == DealStage.WON, Deal.currency == _currency()]
    return (
        select(windows.c.key, *columns)
        .select_from(windows)
        .join(Deal, and_(*conditions))
        .group_by(windows.c.key)
    )


def _answer_rows(windows: Any, *columns: Any) -> Select:
    customer = select(Survey.id).where(
        Survey.kind.in_((SurveyKind.CUSTOMER_CSAT, SurveyKind.CUSTOMER_NPS))
    )
    day = func.date(Response.submitted_at)
    return (
        select(windows.c.key, *columns)
        .select_from(windows)
        .join(
            Response,
            and_(
                Response.rep_id == windows.c.rep_id,
                Response.survey_id.in_(customer),
                day >= windows.c.first_day,
                day <= windows.c.last_day,
            ),
        )
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.score.is_not(None))
        .group_by(windows.c.key)
    )


def _currency() -> str:
    return current_app.config["SALES_CURRENCY"]


def revenue_rows(windows: Any) -> dict[Hashable, float | None]:
    scale = 10 ** exponent(_currency())
    rows = db.session.execute(_deal_rows(windows, _sum(Deal.amount_minor)))
    return {key: int(total) / scale for key, total in rows}


def margin_rate_rows(windows: Any) -> dict[Hashable, float | None]:
    basis = _sum(case((Deal.margin_minor.is_not(None), Deal.amount_minor), else_=0))
    rows = db.session.execute(_deal_rows(windows, _sum(Deal.margin_minor), basis))
    return {key: 100 * int(margin) / int(base) if base else None for key, margin, base in rows}


def bookings_rows(windows: Any) -> dict[Hashable, float | None]:
    rows = db.session.execute(_deal_rows(windows, func.count(Deal.id)))
    return {key: float(count) for key, count in rows}


def estimates_rows(windows: Any) -> dict[Hashable, float | None]:
    rows = db.session.execute(_deal_rows(windows, func.count(Deal.id), won_only=False))
    return {key: float(count) for key, count in rows}


def nps_rows(windows: Any) -> dict[Hashable, float | None]:
    nps_answer = and_(Question.type == QuestionType.NPS, Answer.score.between(0, 10))
    rows = db.session.execute(
        _answer_rows(
            windows,
            _count_if(and_(nps_answer, Answer.score >= 9)),
            _count_if(and_(nps_answer, Answer.score <= 6)),
            _count_if(nps_answer),
        )
    )
    return {
        key: 100 * (int(promoters) - int(detractors)) / int(n) if n else None
        for key, promoters, detractors, n in rows
    }


def csat_rows(windows: Any) -> dict[Hashable, float | None]:
    rating = and_(Question.type == QuestionType.RATING, Answer.score.between(1, 5))
    rows = db.session.execute(
        _answer_rows(windows, _count_if(and_(rating, Answer.score >= 4)), _count_if(rating))
    )
    return {key: 100 * int(satisfied) / int(n) if n else None for key, satisfied, n in rows}


def resolution_rate_rows(windows: Any) -> dict[Hashable, float | None]:
    """Follow-up resolution rate in per cent, from ``followups.queries.figures_by_rep`` (cases
    opened in the window): one query for the windows, then one per distinct window (goals of a
    quarter share theirs), whatever the number of reps."""
    rows = db.session.execute(select(windows)).all()
    by_window: dict[tuple[datetime.date, datetime.date], list[Any]] = {}
    for row in rows:
        first, last = _date(row.first_day), _date(row.last_day)
        by_window.setdefault((first, last), []).append(row)
    values: dict[Hashable, float | None] = {}
    for (first, last), members in by_window.items():
        reps = sorted({row.rep_id for row in members})
        found = followup_queries.figures_by_rep(first, last + datetime.timedelta(days=1), reps)
        for row in members:
            figures = found.get(row.rep_id)
            rate = figures.resolution_rate if figures is not None else None
            if rate is not None:
                values[row.key] = 100 * rate
    return values


def _date(value: Any) -> datetime.date:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


# The bound metrics and how to compute each over windows.
BOUND: dict[Metric, Callable[[Any], dict[Hashable, float | None]]] = {
    Metric.REVENUE: revenue_rows,
    Metric.MARGIN_RATE: margin_rate_rows,
    Metric.BOOKINGS: bookings_rows,
    Metric.ESTIMATES: estimates_rows,
    Metric.NPS: nps_rows,
    Metric.CSAT: csat_rows,
    Metric.RESOLUTION_RATE: resolution_rate_rows,
}


def rep_windows(rep_ids: RepIds, start: datetime.date, end: datetime.date) -> Any:
    """One window per rep of ``rep_ids`` (all users when None) over ``[start, end)``."""
    last = end - datetime.timedelta(days=1)
    query = select(
        User.id.label("key"),
        User.id.label("rep_id"),
        literal(start, Date()).label("first_day"),
        literal(last, Date()).label("last_day"),
    )
    if rep_ids is not None:
        query = query.where(User.id.in_(rep_ids))
    return query.subquery()


def metric(
    which: Metric, rep_ids: RepIds, start: datetime.date, end: datetime.date
) -> dict[int, float | None]:
    """``which`` per rep over ``[start, end)``: one query; reps without data are left out."""
    return BOUND[which](rep_windows(rep_ids, start, end))  # type: ignore[return-value]


def revenue(rep_ids: RepIds, start: datetime.date, end: datetime.date) -> dict[int, float | None]:
    """Won revenue per rep, in major units of the sales currency."""
    return metric(Metric.REVENUE, rep_ids, start, end)


def margin_rate(
    rep_ids: RepIds, start: datetime.date, end: datetime.date
) -> dict[int, float | None]:
    """Margin % per rep (None when no won deal has a known margin)."""
    return metric(Metric.MARGIN_RATE, rep_ids, start, end)


def bookings(rep_ids: RepIds, start: datetime.date, end: datetime.date) -> dict[int, float | None]:
    """Won deals per rep."""
    return metric(Metric.BOOKINGS, rep_ids, start, end)


def estimates(rep_ids: RepIds, start: datetime.date, end: datetime.date) -> dict[int, float | None]:
    """Estimates (deals of any stage) per rep."""
    return metric(Metric.ESTIMATES, rep_ids, start, end)


def nps(rep_ids: RepIds, start: datetime.date, end: datetime.date) -> dict[int, float | None]:
    """Customer NPS about each rep (None without NPS answers)."""
    return metric(Metric.NPS, rep_ids, start, end)


def csat(rep_ids: RepIds, start: datetime.date, end: datetime.date) -> dict[int, float | None]:
    """Customer CSAT (% of 4–5 ratings) about each rep (None without ratings)."""
    return metric(Metric.CSAT, rep_ids, start, end)


def resolution_rate(
    rep_ids: RepIds, start: datetime.date, end: datetime.date
) -> dict[int, float | None]:
    """Follow-up resolution rate in per cent per rep (cases opened in the period)."""
    return metric(Metric.RESOLUTION_RATE, rep_ids, start, end)
