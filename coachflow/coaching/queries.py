"""Set-based reads of coaching: for the pages, the API and other domains' figures.

The figures other domains read (scorecards, dashboards) take a period ``[start, end)`` and a
set of reps, and cost a fixed number of queries whatever the number of reps:

- ``figures_by_rep``: sessions held (scheduled, not cancelled, started before now), goals due
  in the period and how many are met (a bound goal's value is computed from the data between
  its cycle's start and its due date; a manual goal's value is the one last set by hand), and
  the day of the last session held;
- ``competencies_by_rep``: the self and manager ratings of each competency, from the latest
  submitted version of each assessment of the rep's latest cycle overlapping the period.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from coachflow.accounts.models import User
from coachflow.coaching import metrics
from coachflow.coaching.models import (
    ActionItem,
    Assessment,
    AssessmentKind,
    CoachingCycle,
    CoachingSession,
    Competency,
    Goal,
    Metric,
    Rating,
    SessionKind,
    SessionState,
)
from coachflow.lib.pace import Pace, pace
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow

RepIds = Select | Sequence[int] | None


def _reps(column: Any, rep_ids: RepIds) -> list[Any]:
    return [] if rep_ids is None else [column.in_(rep_ids)]


def _language(language: str | None) -> str:
    if language:
        return language
    locale = get_locale()
    return locale.language if locale is not None else "en"


# Goals and their progress ----------------------------------------------------------------------


@dataclass(frozen=True)
class GoalRow:
    id: int
    cycle_id: int
    rep_id: int
    title: str
    metric: Metric
    target: float
    start: datetime.date
    due_on: datetime.date
    manual_value: float | None


def goal_rows(*conditions: Any) -> list[GoalRow]:
    """The goals matching ``conditions`` with their cycle's rep and start (one query)."""
    query = (
        select(
            Goal.id,
            Goal.cycle_id,
            CoachingCycle.rep_id,
            Goal.title,
            Goal.metric,
            Goal.target,
            CoachingCycle.period_start,
            Goal.due_on,
            Goal.manual_value,
        )
        .join(CoachingCycle, CoachingCycle.id == Goal.cycle_id)
        .where(*conditions)
        .order_by(Goal.due_on, Goal.id)
    )
    return [GoalRow(*row) for row in db.session.execute(query)]


def goal_values(goals: Sequence[GoalRow]) -> dict[int, float | None]:
    """The current value of each goal: computed for bound metrics (one query per metric in
    use, each over all the goals of that metric), set by hand for manual ones."""
    values: dict[int, float | None] = {g.id: g.manual_value for g in goals if not g.metric.is_bound}
    by_metric: dict[Metric, list[GoalRow]] = defaultdict(list)
    for goal in goals:
        if goal.metric in metrics.BOUND:
            by_metric[goal.metric].append(goal)
    for metric, bound in by_metric.items():
        ids = [g.id for g in bound]
        windows = (
            select(
                Goal.id.label("key"),
                CoachingCycle.rep_id.label("rep_id"),
                CoachingCycle.period_start.label("first_day"),
                Goal.due_on.label("last_day"),
            )
            .join(CoachingCycle, CoachingCycle.id == Goal.cycle_id)
            .where(Goal.id.in_(ids))
            .subquery()
        )
        found: dict[Hashable, float | None] = metrics.BOUND[metric](windows)
        values.update({goal_id: found.get(goal_id) for goal_id in ids})
    return values


@dataclass(frozen=True)
class GoalProgress:
    goal: GoalRow
    pace: Pace
    # A metric whose data this installation cannot compute yet: shown, not judged.
    computed: bool = True


def progress_of(goals: Sequence[GoalRow], today: datetime.date) -> list[GoalProgress]:
    """Each goal's value, expected pace on ``today`` and whether it is behind."""
    values = goal_values(goals)
    shown = []
    for goal in goals:
        computed = not goal.metric.is_bound or goal.metric in metrics.BOUND
        judged = pace(
            values.get(goal.id),
            goal.target,
            goal.start,
            goal.due_on,
            today,
            cumulative=goal.metric in metrics.CUMULATIVE,
        )
        if not computed:
            judged = Pace(None, goal.target, goal.target, judged.share_of_time, False, False)
        shown.append(GoalProgress(goal, judged, computed))
    return shown


# Figures for other domains ---------------------------------------------------------------------


@dataclass(frozen=True)
class CoachingFigures:
    sessions_held: int  # sessions in [start, end) that took place
    goals_total: int  # goals due in [start, end)
    goals_met: int
    last_session_on: datetime.date | None


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def figures_by_rep(
    start: datetime.date, end: datetime.date, rep_ids: RepIds = None
) -> dict[int, CoachingFigures]:
    """Coaching activity and goal completion per rep over ``[start, end)`` (end exclusive).

    Reps without a session or a goal in the period are left out. At most two queries plus one
    per bound metric in use, whatever the number of reps.
    """
    now = utcnow()
    until = min(_day_start(end), now)
    held = and_(
        CoachingSession.state == SessionState.SCHEDULED,
        CoachingSession.starts_at >= _day_start(start),
        CoachingSession.starts_at < until,
    )
    sessions = (
        select(
            CoachingCycle.rep_id,
            func.count(CoachingSession.id),
            func.max(CoachingSession.starts_at),
        )
        .join(CoachingCycle, CoachingCycle.id == CoachingSession.cycle_id)
        .where(held, *_reps(CoachingCycle.rep_id, rep_ids))
        .group_by(CoachingCycle.rep_id)
    )
    held_by_rep = {rep: (int(count), last) for rep, count, last in db.session.execute(sessions)}
    goals = goal_rows(
        Goal.due_on >= start, Goal.due_on < end, *_reps(CoachingCycle.rep_id, rep_ids)
    )
    today = now.date()
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for shown in progress_of(goals, today):
        counts = totals[shown.goal.rep_id]
        counts[0] += 1
        counts[1] += int(shown.pace.met)
    figures = {}
    for rep in held_by_rep.keys() | totals.keys():
        count, last = held_by_rep.get(rep, (0, None))
        goals_total, goals_met = totals.get(rep, (0, 0))
        figures[rep] = CoachingFigures(
            sessions_held=count,
            goals_total=goals_total,
            goals_met=goals_met,
            last_session_on=_as_datetime(last).date() if last is not None else None,
        )
    return figures


def _as_datetime(value: Any) -> datetime.datetime:
    # SQLite hands back MAX() of a timestamp as text.
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value.astimezone(datetime.UTC)


@dataclass(frozen=True)
class CompetencyPair:
    name: str
    self_rating: int | None
    manager_rating: int | None

    @property
    def gap(self) -> int | None:
        """Manager minus self; None unless both rated."""
        if self.self_rating is None or self.manager_rating is None:
            return None
        return self.manager_rating - self.self_rating

    @property
    def marked(self) -> bool:
        """A gap of two points or more either way: worth talking about."""
        return self.gap is not None and abs(self.gap) >= 2


def competencies_by_rep(
    start: datetime.date,
    end: datetime.date,
    rep_ids: RepIds = None,
    *,
    language: str | None = None,
) -> dict[int, list[CompetencyPair]]:
    """Self and manager rating per competency of each rep's latest cycle overlapping
    ``[start, end)``, from the latest submitted version of each assessment (one query)."""
    query = (
        select(
            CoachingCycle.rep_id,
            CoachingCycle.period_start,
            CoachingCycle.id,
            Assessment.kind,
            Assessment.version,
            Competency.position,
            Competency.key,
            Competency.names,
            Rating.rating,
        )
        .join(Assessment, Assessment.cycle_id == CoachingCycle.id)
        .join(Rating, Rating.assessment_id == Assessment.id)
        .join(Competency, Competency.id == Rating.competency_id)
        .where(
            CoachingCycle.period_start < end,
            CoachingCycle.period_end > start,
            Assessment.submitted_at.is_not(None),
            *_reps(CoachingCycle.rep_id, rep_ids),
        )
    )
    rows = list(db.session.execute(query))
    latest_cycle: dict[int, tuple[datetime.date, int]] = {}
    for row in rows:
        key = (row.period_start, row.id)
        if row.rep_id not in latest_cycle or key > latest_cycle[row.rep_id]:
            latest_cycle[row.rep_id] = key
    latest_version: dict[tuple[int, AssessmentKind], int] = {}
    for row in rows:
        if (row.period_start, row.id) == latest_cycle[row.rep_id]:
            slot = (row.rep_id, row.kind)
            latest_version[slot] = max(latest_version.get(slot, 0), row.version)
    lang = _language(language)
    pairs: dict[int, dict[tuple[int, str], dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        if (row.period_start, row.id) != latest_cycle[row.rep_id]:
            continue
        if latest_version[(row.rep_id, row.kind)] != row.version:
            continue
        names = row.names or {}
        entry = pairs[row.rep_id].setdefault(
            (row.position, row.key), {"name": names.get(lang) or names.get("en") or row.key}
        )
        entry[row.kind.value] = row.rating
    return {
        rep: [
            CompetencyPair(entry["name"], entry.get("self"), entry.get("manager"))
            for _key, entry in sorted(found.items())
        ]
        for rep, found in pairs.items()
    }


# Home page -------------------------------------------------------------------------------------


def _own_cycles(user: Any) -> Any:
    return or_(CoachingCycle.rep_id == user.id, CoachingCycle.manager_id == user.id)


@dataclass(frozen=True)
class UpcomingSession:
    id: int
    cycle_id: int
    kind: SessionKind
    starts_at: datetime.datetime
    duration_minutes: int
    place: str
    rep_name: str
    manager_name: str


def upcoming_sessions(user: Any, limit: int = 5) -> list[UpcomingSession]:
    """The next sessions (not cancelled, not yet started) of the cycles ``user`` is the rep or
    the manager of, soonest first (one query)."""
    manager = aliased(User)
    rep = aliased(User)
    query = (
        select(
            CoachingSession.id,
            CoachingSession.cycle_id,
            CoachingSession.kind,
            CoachingSession.starts_at,
            CoachingSession.duration_minutes,
            CoachingSession.place,
            rep.name,
            func.coalesce(manager.name, ""),
        )
        .join(CoachingCycle, CoachingCycle.id == CoachingSession.cycle_id)
        .join(rep, rep.id == CoachingCycle.rep_id)
        .outerjoin(manager, manager.id == CoachingCycle.manager_id)
        .where(
            _own_cycles(user),
            CoachingSession.state == SessionState.SCHEDULED,
            CoachingSession.starts_at >= utcnow(),
        )
        .order_by(CoachingSession.starts_at, CoachingSession.id)
        .limit(limit)
    )
    return [UpcomingSession(*row) for row in db.session.execute(query)]


@dataclass(frozen=True)
class DueItem:
    id: int
    cycle_id: int
    text: str
    owner_id: int
    owner_name: str
    due_on: datetime.date
    overdue: bool


def action_items_due(user: Any, limit: int = 20) -> list[DueItem]:
    """The open action items of the cycles ``user`` is the rep or the manager of (whoever owns
    them, so both people see what was agreed), earliest due first (one query)."""
    today = utcnow().date()
    query = (
        select(
            ActionItem.id,
            ActionItem.cycle_id,
            ActionItem.text,
            ActionItem.owner_id,
            User.name,
            ActionItem.due_on,
            case((ActionItem.due_on < today, True), else_=False),
        )
        .join(CoachingCycle, CoachingCycle.id == ActionItem.cycle_id)
        .join(User, User.id == ActionItem.owner_id)
        .where(_own_cycles(user), ActionItem.done_at.is_(None))
        .order_by(ActionItem.due_on, ActionItem.id)
        .limit(limit)
    )
    return [DueItem(*row[:6], bool(row[6])) for row in db.session.execute(query)]
