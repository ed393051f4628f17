"""Small coaching data for the coaching tests: a cycle of the org's rep, deals, sessions."""

from __future__ import annotations

import datetime
import itertools

from coachflow.accounts.models import User
from coachflow.coaching.models import (
    ActionItem,
    CoachingCycle,
    CoachingSession,
    Goal,
    Metric,
    SessionKind,
    TerritoryPlan,
)
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.sales.models import CustomerAccount, Deal, DealStage

_numbers = itertools.count(1)


def user(user_id: int) -> User:
    return db.session.get(User, user_id)


def cycle_of(org, *, rep=None, start=None, end=None) -> CoachingCycle:
    """A cycle of the org's rep (or ``rep``) run by the org's manager, this quarter by default."""
    today = utcnow().date()
    start = start or datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    end = end or (start + datetime.timedelta(days=92)).replace(day=1)
    cycle = CoachingCycle(
        rep_id=rep or org.rep, manager_id=org.manager, period_start=start, period_end=end
    )
    cycle.plan = TerritoryPlan()
    db.session.add(cycle)
    db.session.flush()
    return cycle


def account_of(rep_id: int, name: str = "Acme") -> CustomerAccount:
    account = CustomerAccount(external_id=f"A{next(_numbers)}", name=name, owner_id=rep_id)
    db.session.add(account)
    db.session.flush()
    return account


def won_deal(org, rep_id: int, amount_eur: int, closed_on: datetime.date, **extra) -> Deal:
    account = extra.pop("account", None) or account_of(rep_id)
    deal = Deal(
        external_id=f"D{next(_numbers)}",
        account_id=account.id,
        rep_id=rep_id,
        product_line_id=org.product_line,
        amount_minor=amount_eur * 100,
        margin_minor=extra.pop("margin_eur", amount_eur // 4) * 100,
        currency="EUR",
        stage=extra.pop("stage", DealStage.WON),
        closed_on=closed_on,
    )
    db.session.add(deal)
    db.session.flush()
    return deal


def session_at(cycle: CoachingCycle, starts_at: datetime.datetime, **extra) -> CoachingSession:
    session = CoachingSession(
        cycle=cycle,
        kind=extra.pop("kind", SessionKind.ONE_ON_ONE),
        starts_at=starts_at,
        duration_minutes=60,
        **extra,
    )
    db.session.add(session)
    db.session.flush()
    return session


def goal_of(cycle: CoachingCycle, metric: Metric, target: float, due_on: datetime.date, **extra):
    goal = Goal(cycle=cycle, title=f"{metric} goal", metric=metric, target=target, due_on=due_on)
    for key, value in extra.items():
        setattr(goal, key, value)
    db.session.add(goal)
    db.session.flush()
    return goal


def action_item(cycle: CoachingCycle, owner_id: int, due_on: datetime.date, text: str):
    item = ActionItem(cycle_id=cycle.id, owner_id=owner_id, due_on=due_on, text=text)
    db.session.add(item)
    db.session.flush()
    return item
