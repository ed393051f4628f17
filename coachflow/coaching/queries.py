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
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app
from flask_babel import get_locale
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from coachflow.accounts.models import Role, Team, User
from coachflow.accounts.policy import visible_sellers
from coachflow.coaching import metrics, policy
from coachflow.coaching.models import (
    ActionItem,
    Assessment,
    AssessmentKind,
    CoachingCycle,
    CoachingSession,
    Competency,
    CycleState,
    Goal,
    Metric,
    Rating,
    SessionKind,
    SessionState,
)
from coachflow.lib.money import exponent
from coachflow.lib.pace import Pace, pace
from coachflow.lib.periods import Period
from coachflow.platform.extensions import db
from coachflow.platform.paging import Page, paginate
from coachflow.platform.time import utcnow
from coachflow.sales.models import CustomerAccount, Deal, DealStage

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
    ``[start, end)`` that has a submitted assessment, from the latest submitted version of each
    assessment (two queries: the ratings, then the competencies' names)."""
    submitted = Assessment.submitted_at.is_not(None)
    later = aliased(CoachingCycle)
    later_assessment = aliased(Assessment)
    newer = aliased(Assessment)
    overlapping = and_(CoachingCycle.period_start < end, CoachingCycle.period_end > start)
    # No later overlapping cycle of the same rep with a submitted assessment …
    no_later_cycle = ~(
        select(later.id)
        .join(later_assessment, later_assessment.cycle_id == later.id)
        .where(
            later.rep_id == CoachingCycle.rep_id,
            later.period_start < end,
            later.period_end > start,
            later_assessment.submitted_at.is_not(None),
            (later.period_start > CoachingCycle.period_start)
            | ((later.period_start == CoachingCycle.period_start) & (later.id > CoachingCycle.id)),
        )
        .exists()
    )
    # … and no later submitted version of the same assessment.
    no_newer_version = ~(
        select(newer.id)
        .where(
            newer.cycle_id == Assessment.cycle_id,
            newer.kind == Assessment.kind,
            newer.submitted_at.is_not(None),
            newer.version > Assessment.version,
        )
        .exists()
    )
    query = (
        select(CoachingCycle.rep_id, Assessment.kind, Rating.competency_id, Rating.rating)
        .join(Assessment, Assessment.cycle_id == CoachingCycle.id)
        .join(Rating, Rating.assessment_id == Assessment.id)
        .where(overlapping, submitted, no_later_cycle, no_newer_version)
        .where(*_reps(CoachingCycle.rep_id, rep_ids))
    )
    ratings: dict[int, dict[int, dict[AssessmentKind, int]]] = defaultdict(dict)
    for rep_id, kind, competency_id, rating in db.session.execute(query):
        ratings[rep_id].setdefault(competency_id, {})[kind] = rating
    used = {cid for found in ratings.values() for cid in found}
    if not used:
        return {}
    lang = _language(language)
    names = {
        cid: (position, (found or {}).get(lang) or (found or {}).get("en") or key)
        for cid, position, key, found in db.session.execute(
            select(Competency.id, Competency.position, Competency.key, Competency.names).where(
                Competency.id.in_(used)
            )
        )
    }
    return {
        rep: [
            CompetencyPair(
                names[cid][1],
                found[cid].get(AssessmentKind.SELF),
                found[cid].get(AssessmentKind.MANAGER),
            )
            for cid in sorted(found, key=lambda cid: (names[cid][0], cid))
        ]
        for rep, found in ratings.items()
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


# Pages -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CycleRow:
    id: int
    rep_id: int
    rep_name: str
    manager_name: str
    team_name: str
    period_start: datetime.date
    period_end: datetime.date
    state: CycleState
    rep_email: str

    @property
    def last_day(self) -> datetime.date:
        return self.period_end - datetime.timedelta(days=1)


@dataclass(frozen=True)
class CycleFilters:
    rep_id: int | None = None
    team_id: int | None = None
    period: Period | None = None  # cycles overlapping it
    state: CycleState | None = None
    rep_email: str | None = None  # the API names people and teams as the CRM does
    team_name: str | None = None


def cycles_query(user: Any, filters: CycleFilters) -> Select:
    """SQL: the cycles ``user`` may see, filtered, newest period first (pages and API)."""
    rep = aliased(User)
    manager = aliased(User)
    query = (
        select(
            CoachingCycle.id,
            CoachingCycle.rep_id,
            rep.name.label("rep_name"),
            func.coalesce(manager.name, "").label("manager_name"),
            func.coalesce(Team.name, "").label("team_name"),
            CoachingCycle.period_start,
            CoachingCycle.period_end,
            CoachingCycle.state,
            rep.email.label("rep_email"),
        )
        .join(rep, rep.id == CoachingCycle.rep_id)
        .outerjoin(manager, manager.id == CoachingCycle.manager_id)
        .outerjoin(Team, Team.id == rep.team_id)
        .where(policy.visible_cycles(user, CoachingCycle.rep_id))
        .order_by(CoachingCycle.period_start.desc(), rep.name, CoachingCycle.id)
    )
    if filters.rep_id is not None:
        query = query.where(CoachingCycle.rep_id == filters.rep_id)
    if filters.team_id is not None:
        query = query.where(rep.team_id == filters.team_id)
    if filters.period is not None:
        query = query.where(
            CoachingCycle.period_start < filters.period.end,
            CoachingCycle.period_end > filters.period.start,
        )
    if filters.state is not None:
        query = query.where(CoachingCycle.state == filters.state)
    if filters.rep_email is not None:
        query = query.where(rep.email == filters.rep_email.strip().lower())
    if filters.team_name is not None:
        query = query.where(Team.name == filters.team_name)
    return query


def cycle_list(user: Any, filters: CycleFilters, *, page: int = 1, per_page: int = 25) -> Page:
    """A page of the cycles ``user`` may see (two queries)."""
    found = paginate(cycles_query(user, filters), page, per_page)
    return replace(found, items=[CycleRow(*row) for row in found.items])


def reps_to_coach(user: Any) -> list[tuple[int, str]]:
    """The reps ``user`` may open a cycle for: their teams' reps (HR and admin: all reps)."""
    query = (
        select(User.id, User.name)
        .where(User.role == Role.REP, User.active, User.id.in_(visible_sellers(user)))
        .order_by(User.name, User.id)
    )
    return [(rep_id, name) for rep_id, name in db.session.execute(query)]


@dataclass(frozen=True)
class KeyAccountRow:
    account_id: int
    name: str
    strategy: str
    last_year_revenue: float  # won in the twelve months before the cycle, major units


@dataclass(frozen=True)
class AssessmentView:
    self_submitted: bool
    manager_submitted: bool
    pairs: list[CompetencyPair]  # shown once both are in
    mine: Assessment | None  # the viewer's own latest version (a draft to go on with)


@dataclass(frozen=True)
class CyclePage:
    cycle: CoachingCycle
    key_accounts: list[KeyAccountRow]
    goals: list[GoalProgress]
    sessions: list[CoachingSession]
    action_items: list[ActionItem]
    assessment: AssessmentView
    accounts: list[tuple[int, str]]  # the rep's own accounts, for the plan and preparations


def _last_year_revenue(account_ids: Sequence[int], before: datetime.date) -> dict[int, float]:
    """Won revenue per account in the year before ``before`` (the twelve months up to the
    cycle's start), in major units of the sales currency."""
    if not account_ids:
        return {}
    currency = current_app.config["SALES_CURRENCY"]
    query = (
        select(Deal.account_id, func.coalesce(func.sum(Deal.amount_minor), 0))
        .where(
            Deal.account_id.in_(account_ids),
            Deal.stage == DealStage.WON,
            Deal.currency == currency,
            Deal.closed_on >= _year_before(before),
            Deal.closed_on < before,
        )
        .group_by(Deal.account_id)
    )
    scale = 10 ** exponent(currency)
    return {account: int(total) / scale for account, total in db.session.execute(query)}


def _year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def assessment_view(cycle: CoachingCycle, viewer: Any, *, language: str | None = None):
    """Both assessments side by side once both are submitted; until then each person sees only
    their own (the manager writes theirs without seeing the rep's)."""
    versions = db.session.scalars(
        select(Assessment)
        .where(Assessment.cycle_id == cycle.id)
        .options(selectinload(Assessment.ratings))
        .order_by(Assessment.kind, Assessment.version)
    ).all()
    latest: dict[AssessmentKind, Assessment] = {}
    submitted: dict[AssessmentKind, Assessment] = {}
    for assessment in versions:
        latest[assessment.kind] = assessment
        if assessment.submitted_at is not None:
            submitted[assessment.kind] = assessment
    both = AssessmentKind.SELF in submitted and AssessmentKind.MANAGER in submitted
    pairs: list[CompetencyPair] = []
    if both:
        lang = _language(language)
        own = submitted[AssessmentKind.SELF]
        theirs = {r.competency_id: r.rating for r in submitted[AssessmentKind.MANAGER].ratings}
        mine_by = {r.competency_id: r.rating for r in own.ratings}
        for competency in own.competency_list.competencies:
            pairs.append(
                CompetencyPair(
                    competency.name_in(lang),
                    mine_by.get(competency.id),
                    theirs.get(competency.id),
                )
            )
    kind = (
        AssessmentKind.SELF
        if viewer.id == cycle.rep_id
        else AssessmentKind.MANAGER
        if viewer.id == cycle.manager_id or viewer.role in (Role.HR, Role.ADMIN, Role.MANAGER)
        else None
    )
    return AssessmentView(
        AssessmentKind.SELF in submitted,
        AssessmentKind.MANAGER in submitted,
        pairs,
        latest.get(kind) if kind is not None else None,
    )


def cycle_page(cycle: CoachingCycle, viewer: Any, today: datetime.date) -> CyclePage:
    """Everything the cycle page tells, in a fixed number of queries."""
    plan = cycle.plan
    rows = []
    if plan is not None:
        revenue = _last_year_revenue([k.account_id for k in plan.key_accounts], cycle.period_start)
        rows = [
            KeyAccountRow(k.account_id, k.account.name, k.strategy, revenue.get(k.account_id, 0.0))
            for k in plan.key_accounts
        ]
    sessions = db.session.scalars(
        select(CoachingSession)
        .where(CoachingSession.cycle_id == cycle.id)
        .options(
            selectinload(CoachingSession.agenda),
            selectinload(CoachingSession.debrief),
            joinedload(CoachingSession.account),
        )
        .order_by(CoachingSession.starts_at, CoachingSession.id)
    ).all()
    items = db.session.scalars(
        select(ActionItem)
        .where(ActionItem.cycle_id == cycle.id)
        .options(joinedload(ActionItem.owner))
        .order_by(ActionItem.due_on, ActionItem.id)
    ).all()
    accounts = cycle_accounts(cycle)
    return CyclePage(
        cycle=cycle,
        key_accounts=rows,
        goals=progress_of(goal_rows(Goal.cycle_id == cycle.id), today),
        sessions=list(sessions),
        action_items=list(items),
        assessment=assessment_view(cycle, viewer),
        accounts=accounts,
    )


def cycle_accounts(cycle: CoachingCycle) -> list[tuple[int, str]]:
    """The rep's own accounts (for key accounts and call preparations), by name."""
    query = (
        select(CustomerAccount.id, CustomerAccount.name)
        .where(CustomerAccount.owner_id == cycle.rep_id)
        .order_by(CustomerAccount.name, CustomerAccount.id)
        .limit(500)
    )
    return [(account_id, name) for account_id, name in db.session.execute(query)]


def cycle_people(cycle: CoachingCycle) -> list[tuple[int, str]]:
    """The two people of the cycle, who may own its action items."""
    people = [(cycle.rep_id, cycle.rep.name)]
    if cycle.manager is not None:
        people.append((cycle.manager_id, cycle.manager.name))
    return people
