"""Did coaching work? For the reps whose cycle of a quarter is closed: each bound metric's
change from the quarter before to the cycle's quarter, beside the change of the rest of their
team over the same quarters (difference in differences, ``coachflow.lib.stats.did``).

A fixed number of queries: the closed cycles, their teams' reps, then two per bound metric
(before and after, for every rep at once).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from coachflow.accounts.models import Role, User
from coachflow.coaching import metrics, policy
from coachflow.coaching.models import CoachingCycle, CycleState, Metric
from coachflow.lib.periods import Period, PeriodKind
from coachflow.lib.stats.did import DiD, difference_in_differences
from coachflow.platform.extensions import db

MAX_CYCLES = 200  # one quarter's closed cycles shown at once


@dataclass(frozen=True)
class EffectRow:
    cycle_id: int
    rep_name: str
    metric: Metric
    before: float
    after: float
    result: DiD


@dataclass(frozen=True)
class EffectPage:
    period: Period | None
    previous: Period | None
    rows: list[EffectRow]


def _previous(period: Period) -> Period:
    day = period.start - datetime.timedelta(days=1)
    return Period.containing(day, PeriodKind.QUARTER)


def _latest_quarter(user: Any) -> Period | None:
    latest = db.session.scalar(
        select(func.max(CoachingCycle.period_start)).where(
            CoachingCycle.state == CycleState.CLOSED,
            policy.visible_cycles(user, CoachingCycle.rep_id),
        )
    )
    if latest is None:
        return None
    if isinstance(latest, str):  # SQLite hands back MAX() of a date as text
        latest = datetime.date.fromisoformat(latest)
    return Period.containing(latest, PeriodKind.QUARTER)


def effect_page(user: Any, period: Period | None = None) -> EffectPage:
    """The difference in differences of each bound metric for the closed cycles starting in
    ``period`` (a quarter; the latest with a closed cycle by default)."""
    if period is not None:
        period = Period.containing(period.start, PeriodKind.QUARTER)
    period = period or _latest_quarter(user)
    if period is None:
        return EffectPage(None, None, [])
    previous = _previous(period)
    cycles = db.session.execute(
        select(CoachingCycle.id, CoachingCycle.rep_id, User.name, User.team_id)
        .join(User, User.id == CoachingCycle.rep_id)
        .where(
            CoachingCycle.state == CycleState.CLOSED,
            CoachingCycle.period_start >= period.start,
            CoachingCycle.period_start < period.end,
            policy.visible_cycles(user, CoachingCycle.rep_id),
        )
        .order_by(User.name, CoachingCycle.id)
        .limit(MAX_CYCLES)
    ).all()
    teams = {team for *_rest, team in cycles if team is not None}
    members: dict[int, list[int]] = {}
    for member_id, team_id in db.session.execute(
        select(User.id, User.team_id).where(User.team_id.in_(teams), User.role == Role.REP)
    ):
        members.setdefault(team_id, []).append(member_id)
    everyone = sorted({m for ids in members.values() for m in ids} | {c.rep_id for c in cycles})
    rows = []
    for metric in metrics.BOUND:
        before = metrics.metric(metric, everyone, previous.start, previous.end)
        after = metrics.metric(metric, everyone, period.start, period.end)
        rows += _rows(metric, cycles, members, before, after)
    rows.sort(key=lambda row: (row.rep_name, row.cycle_id, list(metrics.BOUND).index(row.metric)))
    return EffectPage(period, previous, rows)


def _value(found: dict[int, float | None], person: int, metric: Metric) -> float | None:
    value = found.get(person)
    if value is None and metric in metrics.CUMULATIVE:
        return 0.0  # no deals is a revenue of zero; no answers is no NPS
    return value


def _rows(metric, cycles, members, before, after) -> list[EffectRow]:
    rows = []
    for cycle_id, rep_id, rep_name, team_id in cycles:
        rep_before, rep_after = _value(before, rep_id, metric), _value(after, rep_id, metric)
        if rep_before is None or rep_after is None:
            continue
        controls = []
        for other in members.get(team_id, []):
            pair = (_value(before, other, metric), _value(after, other, metric))
            if other != rep_id and None not in pair:
                controls.append(pair)
        result = difference_in_differences(rep_before, rep_after, controls)
        rows.append(EffectRow(cycle_id, rep_name, metric, rep_before, rep_after, result))
    return rows
