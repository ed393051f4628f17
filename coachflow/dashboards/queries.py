"""Set-based reads behind the home pages: a fixed number of queries whatever the team's size.

The forecast of a period for a set of reps takes four queries: the reps, their deals summed in
one GROUP BY (won so far, open pipeline, won and closed value of the year before), their quota
targets (``coachflow.sales.queries.quota_targets``), and the seasonality of the earlier periods
over the whole organisation. The arithmetic is ``coachflow.lib.forecast``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, case, func, literal, or_, select

from coachflow.accounts.models import Role, Team, User
from coachflow.accounts.queries import HomeOverview, home_overview
from coachflow.coaching.models import CoachingCycle, CoachingSession, SessionKind, SessionState
from coachflow.coaching.queries import figures_by_rep as coaching_figures
from coachflow.dashboards.models import DigestSetting, Recognition, TeamBoard
from coachflow.followups.queries import figures_by_rep as followup_figures
from coachflow.lib.figures import shifted
from coachflow.lib.forecast import (
    Forecast,
    ForecastInput,
    elapsed_fraction,
    expected_share,
    forecast,
    share_by,
)
from coachflow.lib.periods import Period, PeriodKind
from coachflow.lib.stats.nps_change import Change, nps_change
from coachflow.platform.extensions import db
from coachflow.pulse.queries import TeamPulse, latest_team_pulse
from coachflow.sales.models import Deal, DealStage
from coachflow.sales.queries import quota_targets
from coachflow.scorecards.models import Download, DownloadKind
from coachflow.scorecards.queries import RepFigures, period_state, rep_figures
from coachflow.surveys.queries.results import (
    Comment,
    Counts,
    Filters,
    Scope,
    comment_page,
    counts_by_rep,
)

SEASON_PERIODS = 4  # earlier periods whose seasonality the forecast reads
FIRST_DAYS = 7  # an earlier period counts when the data reaches back to its first week
LEADERBOARD_MIN_TEAM = 5  # a smaller team gets no leaderboard: it would single people out
BEHIND_PACE = 0.9  # below 90 % of what the quota asks by now: the rep needs attention
LEADERBOARD_METRICS = ("revenue", "attainment", "deals")


def _int(value: Any) -> int:
    return int(value or 0)  # PostgreSQL sums bigints as numeric


def current_period(today: datetime.date) -> Period:
    """The period the home pages look at: the quarter of ``today``."""
    return Period.containing(today, PeriodKind.QUARTER)


# The forecast ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One rep's (or a team's, or the company's) standing in a period."""

    id: int | None
    name: str
    team_id: int | None
    team_name: str
    won_minor: int
    won_deals: int
    open_minor: int
    target_minor: int | None
    win_rate: float | None
    forecast: Forecast
    share_expected: float

    @property
    def attainment(self) -> float | None:
        return self.won_minor / self.target_minor if self.target_minor else None

    @property
    def pace(self) -> float | None:
        """Won so far ÷ what the quota asks by now (the quota × the share expected by now)."""
        if not self.target_minor:
            return None
        return self.won_minor / (self.target_minor * self.share_expected)

    @property
    def behind_pace(self) -> bool:
        return self.pace is not None and self.pace < BEHIND_PACE


@dataclass(frozen=True)
class ForecastSet:
    """A period's forecast for some reps, their teams and all of them together."""

    period: Period
    as_of: datetime.date  # deals closed before this day are counted
    elapsed: float
    share_expected: float
    season_periods: list[Period]  # the earlier periods whose seasonality was read
    reps: list[Line]
    teams: list[Line]
    total: Line

    @property
    def has_data(self) -> bool:
        return self.total.target_minor is not None or bool(
            self.total.won_minor or self.total.open_minor
        )

    @property
    def attention(self) -> list[Line]:
        """Reps behind pace, furthest behind first."""
        return sorted((r for r in self.reps if r.behind_pace), key=lambda r: r.pace or 0.0)


def _season_shares(period: Period, as_of: datetime.date) -> tuple[list[float], list[Period]]:
    """For each earlier period of the same kind with revenue: the share of it won by the same
    day of the period as ``as_of`` (one query over the whole organisation)."""
    days_in = (as_of - period.start).days
    earlier = [shifted(period, -n) for n in range(1, SEASON_PERIODS + 1)]
    # Won revenue per day over the earlier periods (at most a few hundred rows); the periods'
    # shares are summed from it here, which is cheaper than a conditional sum per period in SQL.
    by_day = db.session.execute(
        select(Deal.closed_on, func.sum(Deal.amount_minor))
        .where(
            Deal.stage == DealStage.WON,
            Deal.currency == current_app.config["SALES_CURRENCY"],
            Deal.closed_on >= earlier[-1].start,
            Deal.closed_on < period.start,
        )
        .group_by(Deal.closed_on)
    ).all()
    # A period the data begins in the middle of (the first import) has no seasonality to read.
    first_day = min((day for day, _amount in by_day), default=None)
    shares, used = [], []
    for p in earlier:
        if first_day is None or first_day > p.start + datetime.timedelta(days=FIRST_DAYS):
            continue
        cutoff = min(p.end, p.start + datetime.timedelta(days=days_in))
        in_period = [(day, _int(amount)) for day, amount in by_day if p.start <= day < p.end]
        share = share_by(
            sum(amount for day, amount in in_period if day < cutoff),
            sum(amount for _day, amount in in_period),
        )
        if share is not None:
            shares.append(share)
            used.append(p)
    return shares, used


@dataclass(frozen=True)
class _Person:
    id: int
    name: str
    team_id: int | None
    team_name: str


def _rep_ids(rep_ids: Select) -> Select:
    """The active reps among ``rep_ids``, as a subquery (never a list of ids: it may be long)."""
    return select(User.id).where(User.id.in_(rep_ids), User.role == Role.REP, User.active.is_(True))


def _people(rep_ids: Select) -> list[_Person]:
    query = (
        select(User.id, User.name, User.team_id, Team.name)
        .outerjoin(Team, Team.id == User.team_id)
        .where(User.id.in_(_rep_ids(rep_ids)))
        .order_by(User.name, User.id)
    )
    return [
        _Person(id_, name, team, team_name or "")
        for id_, name, team, team_name in db.session.execute(query)
    ]


def _deal_sums(
    period: Period, as_of: datetime.date, rep_ids: Select, *, pipeline: bool
) -> dict[int, tuple[int, int, int, int, int]]:
    """Per rep: won so far, won deals so far, open pipeline, won and closed value of the year
    before the period (the win rate's base), in one GROUP BY."""
    history_start = period.start - datetime.timedelta(days=365)
    won_now = and_(
        Deal.stage == DealStage.WON, Deal.closed_on >= period.start, Deal.closed_on < as_of
    )
    history = and_(Deal.closed_on >= history_start, Deal.closed_on < period.start)
    # A back-test leaves open deals out: which deals were open on a past day is not kept.
    open_deals = [Deal.stage == DealStage.OPEN] if pipeline else []
    query = (
        select(
            Deal.rep_id,
            func.sum(case((won_now, Deal.amount_minor), else_=0)),
            func.sum(case((won_now, 1), else_=0)),
            func.sum(case((open_deals[0], Deal.amount_minor), else_=0)) if pipeline else literal(0),
            func.sum(
                case((and_(history, Deal.stage == DealStage.WON), Deal.amount_minor), else_=0)
            ),
            func.sum(
                case((and_(history, Deal.stage != DealStage.OPEN), Deal.amount_minor), else_=0)
            ),
        )
        .where(
            Deal.rep_id.in_(rep_ids),
            Deal.currency == current_app.config["SALES_CURRENCY"],
            or_(*open_deals, and_(Deal.closed_on >= history_start, Deal.closed_on < as_of)),
        )
        .group_by(Deal.rep_id)
    )
    return {rep: tuple(_int(v) for v in values) for rep, *values in db.session.execute(query)}


def _line(
    ident: int | None,
    name: str,
    team_id: int | None,
    team_name: str,
    sums: Iterable[tuple[int, int, int, int, int]],
    target: int | None,
    elapsed: float,
    shares: list[float],
) -> Line:
    won = deals = open_ = history_won = history_closed = 0
    for w, d, o, hw, hc in sums:
        won, deals, open_ = won + w, deals + d, open_ + o
        history_won, history_closed = history_won + hw, history_closed + hc
    win_rate = history_won / history_closed if history_closed else None
    result = forecast(
        ForecastInput(
            won_minor=won,
            won_deals=deals,
            elapsed=elapsed,
            open_minor=open_,
            win_rate=win_rate,
            season_shares=shares,
            target_minor=target,
        )
    )
    return Line(
        ident,
        name,
        team_id,
        team_name,
        won,
        deals,
        open_,
        target,
        win_rate,
        result,
        result.share_expected,
    )


def _add_targets(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    return a if b is None else a + b


def forecast_set(
    period: Period,
    rep_ids: Select,
    *,
    as_of: datetime.date,
    pipeline: bool = True,
    total_name: str = "",
) -> ForecastSet:
    """The period's forecast for the reps of ``rep_ids`` as known before ``as_of``: per rep, per
    team and in total, in four queries. ``pipeline=False`` leaves open deals out (a back-test
    cannot know which deals were open on a past day)."""
    as_of = min(max(as_of, period.start), period.end)
    elapsed = elapsed_fraction((as_of - period.start).days, (period.end - period.start).days)
    people = _people(rep_ids)
    ids = _rep_ids(rep_ids)
    sums = _deal_sums(period, as_of, ids, pipeline=pipeline) if people else {}
    targets: dict[int, int] = {}
    for (rep, _line_id), figures in (quota_targets(period, ids) if people else {}).items():
        targets[rep] = _add_targets(targets.get(rep), figures.revenue_target_minor)
    shares, used = _season_shares(period, as_of) if elapsed < 1 else ([], [])
    empty = (0, 0, 0, 0, 0)
    reps = [
        _line(
            p.id,
            p.name,
            p.team_id,
            p.team_name,
            [sums.get(p.id, empty)],
            targets.get(p.id),
            elapsed,
            shares,
        )
        for p in people
    ]
    by_team: dict[int | None, list[_Person]] = {}
    for p in people:
        by_team.setdefault(p.team_id, []).append(p)
    teams = []
    for team_id, members in by_team.items():
        if team_id is None:
            continue
        target = None
        for p in members:
            target = _add_targets(target, targets.get(p.id))
        teams.append(
            _line(
                team_id,
                members[0].team_name,
                team_id,
                members[0].team_name,
                [sums.get(p.id, empty) for p in members],
                target,
                elapsed,
                shares,
            )
        )
    teams.sort(key=lambda t: t.name)
    total_target = None
    for target in targets.values():
        total_target = _add_targets(total_target, target)
    total = _line(
        None,
        total_name,
        None,
        "",
        [sums.get(p.id, empty) for p in people],
        total_target,
        elapsed,
        shares,
    )
    return ForecastSet(
        period,
        as_of,
        elapsed,
        expected_share(elapsed, shares) if elapsed < 1 else 1.0,
        used,
        reps,
        teams,
        total,
    )


# Who needs attention ---------------------------------------------------------------------------

FOLLOWUP_WINDOW = datetime.timedelta(days=365)  # overdue cases opened within the last year
COACHING_WEEKS = 6  # a rep without a coaching session for longer needs the manager


@dataclass(frozen=True)
class Attention:
    """A rep who needs the manager, with every reason that applies."""

    line: Line
    behind_pace: bool
    overdue_followups: int = 0
    no_recent_coaching: bool = False
    last_session_on: datetime.date | None = None
    nps_change: Change | None = None  # customer NPS fell by more than noise since last period


def overdue_followups(rep_ids: Select, today: datetime.date) -> dict[int, int]:
    """Overdue follow-up cases per rep (the follow-ups domain's figures, a fixed few queries)."""
    found = followup_figures(today - FOLLOWUP_WINDOW, today + datetime.timedelta(days=1), rep_ids)
    return {rep: figures.overdue for rep, figures in found.items() if figures.overdue}


def last_sessions(rep_ids: Select, today: datetime.date) -> dict[int, datetime.date]:
    """The day of each rep's last coaching session within the last year (the coaching domain's
    figures, a fixed few queries)."""
    found = coaching_figures(
        today - datetime.timedelta(days=365), today + datetime.timedelta(days=1), rep_ids
    )
    return {rep: f.last_session_on for rep, f in found.items() if f.last_session_on is not None}


def _bands(counts: Counts) -> tuple[int, int, int]:
    return (counts.promoters, counts.passives, counts.detractors)


def nps_falls(rep_ids: Select, period: Period, current: dict[int, RepFigures]) -> dict[int, Change]:
    """The reps whose customer NPS this period fell below the previous period's by more than
    noise (``coachflow.lib.stats.nps_change``, 95 %). ``current`` holds this period's figures
    (the page reads them anyway); the previous period's answers are one GROUP BY query."""
    previous = shifted(period, -1)
    before = counts_by_rep(rep_ids, previous.start, previous.end)
    falls = {}
    for rep, figures in current.items():
        if rep not in before:
            continue
        change = nps_change(_bands(before[rep]), _bands(figures.counts))
        if change.significant and change.delta is not None and change.delta < 0:
            falls[rep] = change
    return falls


def attention_list(
    figures: ForecastSet,
    overdue: dict[int, int],
    last_session: dict[int, datetime.date],
    today: datetime.date,
    nps_falling: dict[int, Change] | None = None,
) -> list[Attention]:
    """Reps behind pace, with overdue follow-ups, without a coaching session for more than
    ``COACHING_WEEKS`` weeks or whose customer NPS fell by more than noise (``nps_falls``):
    those behind pace first, furthest behind first."""
    since = today - datetime.timedelta(weeks=COACHING_WEEKS)
    falling = nps_falling or {}
    items = []
    for line in figures.reps:
        rep = line.id or 0
        last = last_session.get(rep)
        stale = last is None or last < since
        if line.behind_pace or overdue.get(rep) or stale or rep in falling:
            items.append(
                Attention(
                    line, line.behind_pace, overdue.get(rep, 0), stale, last, falling.get(rep)
                )
            )
    return sorted(
        items, key=lambda a: (not a.behind_pace, a.line.pace or 0.0, -a.overdue_followups)
    )


# Scorecards ------------------------------------------------------------------------------------

PERFORMERS = 3  # named at each end


@dataclass(frozen=True)
class Performers:
    """The highest and lowest index of a closed period (figures from few answers are shrunk
    toward the team, so one lucky month crowns nobody)."""

    period: Period
    high: list[RepFigures]
    low: list[RepFigures]


def scores_by_rep(period: Period, rep_ids: Select) -> dict[int, RepFigures]:
    """The scorecard figures of the reps, from the scorecards domain (computed once, there)."""
    return rep_figures(period, rep_ids)


def performers(period: Period, rep_ids: Select) -> Performers | None:
    """High and low performers of the quarter before ``period``: None when fewer than six reps
    have an index (a top three and a bottom three would overlap)."""
    previous = shifted(period, -1)
    return performers_of(previous, scores_by_rep(previous, rep_ids))


def performers_of(period: Period, scores: dict[int, RepFigures]) -> Performers | None:
    """``performers`` from the scorecard figures of ``period`` already read."""
    ranked = sorted(
        (r for r in scores.values() if r.index is not None),
        key=lambda r: (-(r.index or 0.0), r.name),
    )
    if len(ranked) < 2 * PERFORMERS:
        return None
    return Performers(period, ranked[:PERFORMERS], ranked[-PERFORMERS:][::-1])


@dataclass(frozen=True)
class DownloadRow:
    by: str
    kind: DownloadKind
    period_label: str
    rep_name: str | None
    at: datetime.datetime


def recent_downloads(limit: int = 5) -> list[DownloadRow]:
    """The latest scorecard downloads, who and which (one query)."""
    by, rep = db.aliased(User), db.aliased(User)
    rows = db.session.execute(
        select(by.name, Download.kind, Download.period_label, rep.name, Download.created_at)
        .outerjoin(by, by.id == Download.user_id)
        .outerjoin(rep, rep.id == Download.rep_id)
        .order_by(Download.created_at.desc(), Download.id.desc())
        .limit(limit)
    )
    return [
        DownloadRow(name or "—", kind, label, rep_name, at)
        for name, kind, label, rep_name, at in rows
    ]


# Sorting and leaderboards ----------------------------------------------------------------------

SORTS = {
    "name": lambda line: (line.name.lower(),),
    "revenue": lambda line: (line.won_minor,),
    "attainment": lambda line: (line.attainment is not None, line.attainment or 0.0),
    "pace": lambda line: (line.pace is not None, line.pace or 0.0),
    "forecast": lambda line: (line.forecast.expected_minor,),
}


def sorted_lines(
    lines: list[Line], sort: str, descending: bool, scores: dict[int, RepFigures] | None = None
) -> list[Line]:
    """``lines`` sorted by a known column (names otherwise); ``index`` reads ``scores``."""
    if sort == "index" and scores is not None:

        def by_index(line: Line) -> tuple:
            index = scores[line.id].index if line.id in scores else None
            return (index is not None, index or 0.0)

        return sorted(lines, key=by_index, reverse=descending)
    key = SORTS.get(sort, SORTS["name"])
    return sorted(lines, key=key, reverse=descending)


@dataclass(frozen=True)
class Leaderboard:
    team_id: int
    metric: str
    rows: list[tuple[int, Line]]  # (rank, rep)


def leaderboard(lines: list[Line], team_id: int, metric: str) -> Leaderboard | None:
    """The team's reps ranked by ``metric``; None for a team smaller than five."""
    members = [line for line in lines if line.team_id == team_id]
    if len(members) < LEADERBOARD_MIN_TEAM:
        return None
    metric = metric if metric in LEADERBOARD_METRICS else LEADERBOARD_METRICS[0]
    key = {
        "revenue": lambda line: line.won_minor,
        "attainment": lambda line: line.attainment or 0.0,
        "deals": lambda line: line.won_deals,
    }[metric]
    ranked = sorted(members, key=lambda line: (-key(line), line.name))
    return Leaderboard(team_id, metric, list(enumerate(ranked, start=1)))


def boards_switched_off(team_ids: list[int]) -> set[int]:
    """Which of the teams have their leaderboard switched off (one query)."""
    if not team_ids:
        return set()
    return set(
        db.session.scalars(
            select(TeamBoard.team_id).where(
                TeamBoard.team_id.in_(team_ids), TeamBoard.leaderboard.is_(False)
            )
        )
    )


# Recognition -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecognitionRow:
    id: int
    giver_name: str
    recipient_id: int
    recipient_name: str
    reason: str
    created_at: datetime.datetime


def recognitions(
    *,
    recipient_id: int | None = None,
    team_ids: list[int] | None = None,
    limit: int = 5,
    period: Period | None = None,
) -> list[RecognitionRow]:
    """The latest recognitions received by one person or within some teams, given within
    ``period`` if one is given (one query)."""
    giver = db.aliased(User)
    recipient = db.aliased(User)
    query = (
        select(
            Recognition.id,
            giver.name,
            Recognition.recipient_id,
            recipient.name,
            Recognition.reason,
            Recognition.created_at,
        )
        .join(giver, giver.id == Recognition.giver_id)
        .join(recipient, recipient.id == Recognition.recipient_id)
        .order_by(Recognition.created_at.desc(), Recognition.id.desc())
        .limit(limit)
    )
    if recipient_id is not None:
        query = query.where(Recognition.recipient_id == recipient_id)
    if team_ids is not None:
        query = query.where(Recognition.team_id.in_(team_ids))
    if period is not None:
        start = datetime.datetime.combine(period.start, datetime.time(), datetime.UTC)
        end = datetime.datetime.combine(period.end, datetime.time(), datetime.UTC)
        query = query.where(Recognition.created_at >= start, Recognition.created_at < end)
    return [RecognitionRow(*row) for row in db.session.execute(query)]


def scorecard_recognitions(rep_id: int, period: Period) -> dict[str, Any] | None:
    """The recognition section of a rep's scorecard (``coachflow.scorecards.sections``): the
    latest recognitions the rep received in the period, or None when there are none (one
    query)."""
    found = recognitions(recipient_id=rep_id, period=period)
    return {"recognitions": found, "period": period} if found else None


def next_sales_meeting(team_id: int | None, now: datetime.datetime) -> int | None:
    """The id of the team's next scheduled sales meeting (a coaching session of that kind in a
    cycle of one of its reps), or None."""
    if team_id is None:
        return None
    return db.session.scalar(
        select(CoachingSession.id)
        .join(CoachingCycle, CoachingCycle.id == CoachingSession.cycle_id)
        .join(User, User.id == CoachingCycle.rep_id)
        .where(
            User.team_id == team_id,
            CoachingSession.kind == SessionKind.SALES_MEETING,
            CoachingSession.state == SessionState.SCHEDULED,
            CoachingSession.starts_at > now,
        )
        .order_by(CoachingSession.starts_at, CoachingSession.id)
        .limit(1)
    )


COMMENTS_ON_HOME = 3


def latest_comments(rep_id: int, limit: int = COMMENTS_ON_HOME) -> list[Comment]:
    """The newest free-text answers of customers about ``rep_id`` (the surveys' comment query,
    scoped to the rep: two queries)."""
    scope = Scope(select(User.id).where(User.id == rep_id), everyone=False)
    return list(comment_page(scope, Filters(), page=1, per_page=limit).items)


# Home pages ------------------------------------------------------------------------------------


@dataclass
class Home:
    """What one person's home page shows; which parts are filled depends on the role."""

    role: Role
    period: Period
    figures: ForecastSet
    me: Line | None = None  # a rep's own line
    team_ids: list[int] = field(default_factory=list)
    boards: dict[int, Leaderboard | None] = field(default_factory=dict)
    boards_off: set[int] = field(default_factory=set)
    recognitions: list[RecognitionRow] = field(default_factory=list)
    peers: list[Line] = field(default_factory=list)  # whom a rep may recognise
    attention: list[Attention] = field(default_factory=list)
    pulse: list[TeamPulse] = field(default_factory=list)  # above the anonymity threshold only
    # The scorecard figures per rep (NPS, CSAT shrunk toward the team, the index), this period.
    scores: dict[int, RepFigures] = field(default_factory=dict)
    # High and low performers of the last closed quarter, by the index of shrunk values.
    performers: Performers | None = None
    period_status: str = ""
    downloads: list[DownloadRow] = field(default_factory=list)
    # The rep's team card and the admin's organisation tiles (accounts' overview).
    overview: HomeOverview | None = None
    distribution: list[tuple[str, int]] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)  # a rep's latest customer comments
    # HR and admin: how many reps' quality-of-revenue index falls in each band, in the quarter
    # the performers come from (the last closed one).
    index_distribution: list[tuple[tuple[int, int], int]] = field(default_factory=list)
    index_period: Period | None = None


DISTRIBUTION_BANDS = [
    (None, 0.7),
    (0.7, 0.9),
    (0.9, 1.0),
    (1.0, 1.1),
    (1.1, 1.3),
    (1.3, None),
]


def distribution(lines: list[Line]) -> list[tuple[tuple[float | None, float | None], int]]:
    """How many reps' projected attainment falls in each band (reps without quota left out)."""
    counts = []
    for low, high in DISTRIBUTION_BANDS:
        n = sum(
            1
            for line in lines
            if line.forecast.attainment is not None
            and (low is None or line.forecast.attainment >= low)
            and (high is None or line.forecast.attainment < high)
        )
        counts.append(((low, high), n))
    return counts


INDEX_BANDS = [(0, 20), (20, 40), (40, 60), (60, 80), (80, 100)]  # the last includes 100


def index_distribution(
    scores: Iterable[RepFigures],
) -> list[tuple[tuple[int, int], int]]:
    """How many reps' index (0…100) falls in each band of ``INDEX_BANDS`` (reps without an
    index left out)."""
    counts = [0] * len(INDEX_BANDS)
    for rep in scores:
        if rep.index is not None:
            counts[min(len(INDEX_BANDS) - 1, max(0, int(rep.index // 20)))] += 1
    return list(zip(INDEX_BANDS, counts, strict=True))


def home(user: User, today: datetime.date, *, metric: str = "revenue") -> Home:
    """The figures of ``user``'s home page for the current quarter, in a fixed number of
    queries: the rep's team, the manager's teams, or everyone for HR and admin."""
    period = current_period(today)
    as_of = today + datetime.timedelta(days=1)
    if user.role in (Role.HR, Role.ADMIN):
        scope = select(User.id)
    elif user.role is Role.MANAGER:
        led = select(Team.id).where(Team.manager_id == user.id)
        scope = select(User.id).where(User.team_id.in_(led))
    elif user.team_id is not None:
        scope = select(User.id).where(User.team_id == user.team_id)
    else:
        scope = select(User.id).where(User.id == user.id)
    figures = forecast_set(period, scope, as_of=as_of)
    # A manager's teams are those of the reps read (a team without reps has nothing to show).
    team_ids = (
        sorted({line.team_id for line in figures.reps if line.team_id is not None})
        if user.role in (Role.MANAGER, Role.REP)
        else []
    )
    page = Home(user.role, period, figures, team_ids=team_ids)
    if user.role is Role.REP:
        page.me = next((line for line in figures.reps if line.id == user.id), None)
        page.peers = [line for line in figures.reps if line.id != user.id]
        page.recognitions = recognitions(recipient_id=user.id)
        page.comments = latest_comments(user.id)
    elif user.role is Role.MANAGER:
        page.recognitions = recognitions(team_ids=team_ids or [-1])
        page.scores = scores_by_rep(period, scope)
        page.attention = attention_list(
            figures,
            overdue_followups(scope, today),
            last_sessions(scope, today),
            today,
            nps_falls(scope, period, page.scores),
        )
        page.pulse = latest_team_pulse(user, team_ids) if team_ids else []
    if team_ids:
        page.boards_off = boards_switched_off(team_ids)
        page.boards = {
            team_id: leaderboard(figures.reps, team_id, metric)
            for team_id in team_ids
            if user.role is Role.MANAGER or team_id not in page.boards_off
        }
    if user.role in (Role.HR, Role.ADMIN):
        page.distribution = distribution(figures.reps)
        page.index_period = shifted(period, -1)
        scores = scores_by_rep(page.index_period, scope)
        page.performers = performers_of(page.index_period, scores)
        page.index_distribution = index_distribution(scores.values())
        page.period_status = period_state(period)
        page.downloads = recent_downloads() if user.role is Role.HR else []
    if user.role in (Role.REP, Role.ADMIN):
        page.overview = home_overview(user)
    return page


def team_dashboard(
    team: Team, viewer: User, today: datetime.date, *, metric: str = "revenue"
) -> Home:
    """One team's figures, as its manager's home shows them (the pulse as ``viewer`` may see
    it)."""
    period = current_period(today)
    scope = select(User.id).where(User.team_id == team.id)
    figures = forecast_set(period, scope, as_of=today + datetime.timedelta(days=1))
    page = Home(Role.MANAGER, period, figures, team_ids=[team.id])
    page.scores = scores_by_rep(period, scope)
    page.attention = attention_list(
        figures,
        overdue_followups(scope, today),
        last_sessions(scope, today),
        today,
        nps_falls(scope, period, page.scores),
    )
    page.recognitions = recognitions(team_ids=[team.id])
    page.pulse = latest_team_pulse(viewer, [team.id])
    page.performers = performers(period, scope)
    page.boards_off = boards_switched_off([team.id])
    page.boards = {team.id: leaderboard(figures.reps, team.id, metric)}
    return page


def forecast_page(user_scope: Select, period: Period, today: datetime.date) -> ForecastSet:
    """The forecast of ``period`` for the people of ``user_scope``, as known today."""
    return forecast_set(period, user_scope, as_of=today + datetime.timedelta(days=1))


# The weekly digest -----------------------------------------------------------------------------


def digest_enabled(user_id: int) -> bool:
    """Whether ``user_id`` gets the weekly digest (the default is yes)."""
    enabled = db.session.scalar(
        select(DigestSetting.enabled).where(DigestSetting.user_id == user_id)
    )
    return True if enabled is None else bool(enabled)


def digest_recipients(monday: datetime.date, limit: int) -> list[User]:
    """Active people who have not switched the digest off and have not had this Monday's."""
    query = (
        select(User)
        .outerjoin(DigestSetting, DigestSetting.user_id == User.id)
        .where(
            User.active.is_(True),
            User.password_hash.is_not(None),
            (DigestSetting.user_id.is_(None))
            | and_(
                DigestSetting.enabled.is_(True),
                (DigestSetting.last_sent_on.is_(None)) | (DigestSetting.last_sent_on < monday),
            ),
        )
        .order_by(User.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))
