"""Scorecard figures per rep, team and company for a period: a fixed handful of queries.

Nothing is counted a second time here: won revenue, margin, repeat business and quota targets
come from ``coachflow.sales.queries`` (``figures_by_rep_and_line``), estimates from
``estimates_by_rep``, survey answers from ``coachflow.surveys.queries.results.counts_by_rep``.
This module groups them per rep, team and company and hands the numbers to the pure scoring in
``coachflow.lib.scoring`` (index, shrinkage toward the team, ranks).

``period_figures`` costs twelve queries whatever the number of reps: settings, people (the reps
asked for and their team-mates, whom the shrinkage needs), won figures, quota targets,
estimates, survey answers, follow-up cases (two: ``coachflow.followups.queries.figures_by_rep``),
coaching (two: ``coachflow.coaching.queries.figures_by_rep``, plus one per goal metric in use),
the period's state and the product lines.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Select, or_, select

from coachflow.accounts.models import Role, Team, User
from coachflow.coaching.queries import CompetencyPair, competencies_by_rep
from coachflow.coaching.queries import figures_by_rep as coaching_by_rep
from coachflow.followups.queries import figures_by_rep as cases_by_rep
from coachflow.lib.figures import EMPTY, Figures, ratio, shifted, total
from coachflow.lib.periods import Period
from coachflow.lib.scoring.index import Caps, Index, Inputs, Weights, quality_index
from coachflow.lib.scoring.ranking import standings
from coachflow.lib.scoring.shrinkage import few_answers, shrink_team_csat, shrink_team_nps
from coachflow.lib.stats.csat import CsatEstimate, csat
from coachflow.lib.stats.nps import Estimate, nps
from coachflow.platform.extensions import db
from coachflow.sales.queries import (
    SELLER_ROLES,
    LineRef,
    estimates_by_rep,
    figures_by_rep_and_line,
    product_lines,
)
from coachflow.scorecards.models import ClosedPeriod, ScorecardSettings, Snapshot
from coachflow.surveys.queries.results import Counts, counts_by_rep

OPEN = "open"


# Settings --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """The index settings in force (defaults until an admin saves them)."""

    weights: Weights = field(default_factory=Weights)
    caps: Caps = field(default_factory=Caps)
    few_answers: int = 10
    estimates_multiple: int = 3


def settings() -> Settings:
    """The settings row, or the defaults (one query)."""
    row = db.session.get(ScorecardSettings, 1)
    if row is None:
        return Settings()
    return Settings(row.weights, row.caps, row.few_answers, row.estimates_multiple)


# Figures ---------------------------------------------------------------------------------------


@dataclass
class RepFigures:
    """One rep's scorecard figures for a period. Amounts in integer minor units; shares 0…1;
    NPS −100…100. ``None`` wherever there is nothing to compute from."""

    rep_id: int
    name: str
    team_id: int | None
    team_name: str
    by_line: dict[int, Figures]
    counts: Counts
    estimates_given: int = 0
    estimates_target: int | None = None
    nps_shrunk: float | None = None
    csat_shrunk: float | None = None
    few_answers: bool = True
    followup_resolution_rate: float | None = None
    followups_opened: int = 0
    followups_resolved: int = 0
    followups_not_resolved: int = 0
    followups_overdue: int = 0
    followup_hours_to_contact: float | None = None
    followup_hours_to_resolve: float | None = None
    coaching_sessions: int = 0
    goals_total: int = 0
    goals_met: int = 0
    last_session_on: str | None = None  # ISO date
    index: float | None = None
    index_parts: dict[str, float] = field(default_factory=dict)  # part → score 0…1
    index_weights: dict[str, float] = field(default_factory=dict)  # part → weight it counted
    rank: int | None = None
    percentile: float | None = None

    @property
    def figures(self) -> Figures:
        """Blended over every product line."""
        return total(self.by_line.values())

    @property
    def revenue(self) -> int:
        return self.figures.revenue_minor

    @property
    def quota(self) -> int | None:
        return self.figures.revenue_target_minor

    @property
    def attainment(self) -> float | None:
        return self.figures.attainment

    @property
    def margin_pct(self) -> float | None:
        """Margin ÷ revenue (0…1) over the won deals whose margin is known."""
        return self.figures.margin_rate

    @property
    def margin_attainment(self) -> float | None:
        return self.figures.margin_attainment

    @property
    def repeat_share(self) -> float | None:
        return self.figures.repeat_share

    @property
    def nps(self) -> Estimate:
        c = self.counts
        return nps(c.promoters, c.passives, c.detractors)

    @property
    def csat(self) -> CsatEstimate:
        c = self.counts
        return csat(c.satisfied, c.rated, c.rating_sum)

    @property
    def estimates_attainment(self) -> float | None:
        if not self.estimates_target:
            return None
        return self.estimates_given / self.estimates_target

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able values (a closed period's snapshot)."""
        data = asdict(self)
        data["by_line"] = {str(line): asdict(values) for line, values in self.by_line.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RepFigures:
        values = dict(data)
        values["by_line"] = {int(k): Figures(**v) for k, v in data["by_line"].items()}
        values["counts"] = Counts(**data["counts"])
        return cls(**values)


@dataclass
class TeamFigures:
    """A team's (or the company's) figures: its reps' sums, and the index of those sums."""

    team_id: int | None
    name: str
    members: int
    by_line: dict[int, Figures]
    counts: Counts
    estimates_given: int = 0
    estimates_target: int | None = None
    index: float | None = None
    followups_opened: int = 0
    followups_resolved: int = 0
    followups_not_resolved: int = 0
    followups_overdue: int = 0
    coaching_sessions: int = 0
    goals_total: int = 0
    goals_met: int = 0

    @property
    def followup_resolution_rate(self) -> float | None:
        """Resolved ÷ closed cases of the team's reps (the follow-ups' own rule, summed)."""
        return ratio(self.followups_resolved, self.followups_resolved + self.followups_not_resolved)

    figures = RepFigures.figures
    revenue = RepFigures.revenue
    quota = RepFigures.quota
    attainment = RepFigures.attainment
    margin_pct = RepFigures.margin_pct
    margin_attainment = RepFigures.margin_attainment
    repeat_share = RepFigures.repeat_share
    nps = RepFigures.nps
    csat = RepFigures.csat
    estimates_attainment = RepFigures.estimates_attainment


@dataclass
class ScorecardSet:
    """The scorecards of a period: per rep, per team (of the reps asked for) and company."""

    period: Period
    state: str
    settings: Settings
    lines: list[LineRef]
    reps: dict[int, RepFigures]
    teams: dict[int, TeamFigures]
    company: TeamFigures

    @property
    def empty(self) -> bool:
        """Whether nothing at all happened in the period (no revenue, quota or answers)."""
        company = self.company
        return not company.by_line and not company.counts.rated and not company.nps.n


def _ids(rep_ids: Select | Sequence[int] | None) -> Select:
    if rep_ids is None:
        return select(User.id).where(User.role.in_(SELLER_ROLES))
    if isinstance(rep_ids, Select):
        return rep_ids
    return select(User.id).where(User.id.in_(list(rep_ids)))


def _inputs(
    values: RepFigures | TeamFigures,
    nps_value: float | None,
    csat_value: float | None,
    followups: float | None,
) -> Inputs:
    figures = values.figures  # blended once (each property would add the lines up again)
    return Inputs(
        attainment=figures.attainment,
        margin=figures.margin_attainment,
        repeat=figures.repeat_share,
        nps=nps_value,
        csat=csat_value,
        followups=followups,
    )


def _estimates_target(by_line: dict[int, Figures], multiple: int) -> int | None:
    """The quotas' estimates target, or ``multiple`` × the bookings target where a quota left
    it at 0."""
    targets = [f for f in by_line.values() if f.has_quota]
    if not targets:
        return None
    return sum(f.estimates_target or multiple * (f.bookings_target or 0) for f in targets)


def _apply_index(values: RepFigures, result: Index) -> None:
    values.index = result.value
    values.index_parts = {part.name: part.score for part in result.parts}
    values.index_weights = {part.name: part.weight for part in result.parts}


def period_figures(period: Period, rep_ids: Select | Sequence[int] | None = None) -> ScorecardSet:
    """Scorecard figures of ``rep_ids`` (ids of reps; None: every rep and manager) for
    ``period``, with their teams and the company (all of them together): twelve queries.

    Listed are the reps among ``rep_ids`` and any manager among them with figures. NPS and CSAT
    are shrunk toward each rep's current team, fitted over all the team's sellers (asked for or
    not); ranks and percentiles are among the listed reps, on the index.
    """
    config, reps = _rep_figures(period, rep_ids)
    teams: dict[int, TeamFigures] = {}
    for values in reps.values():
        if values.team_id is not None:
            team = teams.setdefault(
                values.team_id, TeamFigures(values.team_id, values.team_name, 0, {}, Counts())
            )
            _add(team, values)
    company = TeamFigures(None, "", 0, {}, Counts())
    for values in reps.values():
        _add(company, values)
    for group in (*teams.values(), company):
        group.estimates_target = _estimates_target(group.by_line, config.estimates_multiple)
        group.index = quality_index(
            _inputs(group, group.nps.value, group.csat.share, group.followup_resolution_rate),
            config.weights,
            config.caps,
        ).value
    return ScorecardSet(
        period=period,
        state=period_state(period),
        settings=config,
        lines=product_lines(),
        reps=reps,
        teams=teams,
        company=company,
    )


def rep_figures(
    period: Period, rep_ids: Select | Sequence[int] | None = None
) -> dict[int, RepFigures]:
    """The reps' part of ``period_figures`` (the same values, ranks and percentiles) without the
    team and company sums, the period's state or the product lines: ten queries. For a page
    that lists or ranks reps (a company's performers, the spread of the index) and has no use
    for the rest."""
    return _rep_figures(period, rep_ids)[1]


def _rep_figures(
    period: Period, rep_ids: Select | Sequence[int] | None
) -> tuple[Settings, dict[int, RepFigures]]:
    config = settings()
    asked = _ids(rep_ids)
    teams_asked = select(User.team_id).where(User.id.in_(asked), User.team_id.is_not(None))
    if rep_ids is None:  # every seller: the team-mates are among them already
        people_ids = asked
    else:
        people_ids = select(User.id).where(
            User.role.in_(SELLER_ROLES), or_(User.id.in_(asked), User.team_id.in_(teams_asked))
        )
    people = db.session.execute(
        select(User.id, User.name, User.role, User.team_id, Team.name, User.id.in_(asked))
        .outerjoin(Team, Team.id == User.team_id)
        .where(User.id.in_(people_ids))
        .order_by(User.name, User.id)
    ).all()
    sales = figures_by_rep_and_line(period, asked)
    estimates = estimates_by_rep(period, asked)
    answers = counts_by_rep(people_ids, period.start, period.end)
    cases = cases_by_rep(period.start, period.end, asked)
    coaching = coaching_by_rep(period.start, period.end, asked)

    by_rep: dict[int, dict[int, Figures]] = {}
    for (rep, line), values in sales.items():
        by_rep.setdefault(rep, {})[line] = values

    # Shrinkage per team, over every seller of the team.
    team_nps: dict[int | None, dict[int, tuple[int, int, int]]] = {}
    team_csat: dict[int | None, dict[int, tuple[int, int]]] = {}
    for rep_id, _name, _role, team_id, _team, _asked in people:
        c = answers.get(rep_id, Counts())
        key = team_id if team_id is not None else -rep_id  # no team: no one to shrink toward
        team_nps.setdefault(key, {})[rep_id] = (c.promoters, c.passives, c.detractors)
        team_csat.setdefault(key, {})[rep_id] = (c.satisfied, c.rated)
    nps_shrunk: dict[int, float | None] = {}
    csat_shrunk: dict[int, float | None] = {}
    for key in team_nps:
        nps_shrunk.update(shrink_team_nps(team_nps[key]))
        csat_shrunk.update(shrink_team_csat(team_csat[key]))

    reps: dict[int, RepFigures] = {}
    for rep_id, name, role, team_id, team_name, is_asked in people:
        if not is_asked:
            continue
        counts = answers.get(rep_id, Counts())
        lines = by_rep.get(rep_id, {})
        if (
            role is not Role.REP
            and not lines
            and not counts.rated
            and not counts.promoters + counts.passives + counts.detractors
        ):
            continue
        values = RepFigures(
            rep_id=rep_id,
            name=name,
            team_id=team_id,
            team_name=team_name or "",
            by_line=lines,
            counts=counts,
            estimates_given=estimates.get(rep_id, 0),
            estimates_target=_estimates_target(lines, config.estimates_multiple),
            nps_shrunk=nps_shrunk.get(rep_id),
            csat_shrunk=csat_shrunk.get(rep_id),
            few_answers=_few(counts, config.few_answers),
        )
        _add_activity(values, cases.get(rep_id), coaching.get(rep_id))
        _apply_index(
            values,
            quality_index(
                _inputs(
                    values, values.nps_shrunk, values.csat_shrunk, values.followup_resolution_rate
                ),
                config.weights,
                config.caps,
            ),
        )
        reps[rep_id] = values
    for rep_id, standing in standings({r: v.index for r, v in reps.items()}).items():
        reps[rep_id].rank = standing.rank
        reps[rep_id].percentile = standing.percentile
    return config, reps


def _few(counts: Counts, threshold: int) -> bool:
    """Whether the rep's NPS or CSAT rests on fewer than ``threshold`` answers (or none)."""
    sizes = [n for n in (counts.promoters + counts.passives + counts.detractors, counts.rated) if n]
    return not sizes or few_answers(min(sizes), threshold)


def _add_activity(values: RepFigures, case: Any, coached: Any) -> None:
    """Copy a rep's follow-up and coaching figures (their packages' own) in plain values."""
    if case is not None:
        values.followup_resolution_rate = case.resolution_rate
        values.followups_opened = case.opened
        values.followups_resolved = case.resolved
        values.followups_not_resolved = case.not_resolved
        values.followups_overdue = case.overdue
        values.followup_hours_to_contact = case.median_hours_to_contact
        values.followup_hours_to_resolve = case.median_hours_to_resolve
    if coached is not None:
        values.coaching_sessions = coached.sessions_held
        values.goals_total = coached.goals_total
        values.goals_met = coached.goals_met
        last = coached.last_session_on
        values.last_session_on = last.isoformat() if last is not None else None


def _add(group: TeamFigures, values: RepFigures) -> None:
    group.members += 1
    for name in (
        "followups_opened",
        "followups_resolved",
        "followups_not_resolved",
        "followups_overdue",
        "coaching_sessions",
        "goals_total",
        "goals_met",
    ):
        setattr(group, name, getattr(group, name) + getattr(values, name))
    for line, figures in values.by_line.items():
        group.by_line[line] = group.by_line.get(line, EMPTY) + figures
    group.counts = group.counts + values.counts
    group.estimates_given += values.estimates_given


# Closed periods --------------------------------------------------------------------------------


def closed_period(period: Period) -> ClosedPeriod | None:
    return db.session.scalar(
        select(ClosedPeriod).where(
            ClosedPeriod.period_kind == period.kind, ClosedPeriod.period_start == period.start
        )
    )


def period_state(period: Period) -> str:
    """``"open"``, ``"closed"`` (scorecards frozen) or ``"reopened"`` (closed once, open again:
    every page says so). One query."""
    state = db.session.scalar(
        select(ClosedPeriod.state).where(
            ClosedPeriod.period_kind == period.kind, ClosedPeriod.period_start == period.start
        )
    )
    return OPEN if state is None else str(state)


def snapshot_of(period: Period, rep_id: int) -> Snapshot | None:
    """A closed period's frozen scorecard of ``rep_id`` (PDF deferred)."""
    return db.session.scalar(
        select(Snapshot)
        .join(ClosedPeriod, ClosedPeriod.id == Snapshot.period_id)
        .where(
            ClosedPeriod.period_kind == period.kind,
            ClosedPeriod.period_start == period.start,
            Snapshot.rep_id == rep_id,
        )
    )


def utc_today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


# A scorecard with its history ------------------------------------------------------------------

TREND_PERIODS = 4


@dataclass
class Bundle:
    """What a scorecard page or PDF shows: the period's figures, the previous period's (for the
    change), each rep's NPS over the last four periods and their self- versus manager
    assessment. Fixed query count, whatever the number of reps."""

    current: ScorecardSet
    previous: ScorecardSet
    trend: dict[int, list[tuple[Period, Counts]]]  # rep → oldest first, the period last
    competencies: dict[int, list[CompetencyPair]] = field(default_factory=dict)

    def rep_trend(self, rep_id: int) -> list[tuple[Period, Estimate]]:
        return [
            (period, nps(c.promoters, c.passives, c.detractors))
            for period, c in self.trend.get(rep_id, [])
        ]

    def group_trend(self, rep_ids: Sequence[int]) -> list[tuple[Period, Estimate]]:
        """The NPS trend of a group of reps (their answers added up)."""
        periods = [
            shifted(self.current.period, n - TREND_PERIODS + 1) for n in range(TREND_PERIODS)
        ]
        result = []
        for index, period in enumerate(periods):
            total_counts = Counts()
            for rep_id in rep_ids:
                series = self.trend.get(rep_id)
                if series:
                    total_counts = total_counts + series[index][1]
            c = total_counts
            result.append((period, nps(c.promoters, c.passives, c.detractors)))
        return result


def bundle(period: Period, rep_ids: Select | Sequence[int] | None = None) -> Bundle:
    """``period_figures`` of ``period`` and the one before, and the reps' NPS trend."""
    current = period_figures(period, rep_ids)
    previous = period_figures(shifted(period, -1), rep_ids)
    ids = _ids(rep_ids)
    trend: dict[int, list[tuple[Period, Counts]]] = {rep: [] for rep in current.reps}
    for n in range(TREND_PERIODS):
        earlier = shifted(period, n - TREND_PERIODS + 1)
        if earlier == period:
            counts = {rep: values.counts for rep, values in current.reps.items()}
        elif earlier == previous.period:
            counts = {rep: values.counts for rep, values in previous.reps.items()}
        else:
            counts = counts_by_rep(ids, earlier.start, earlier.end)
        for rep in trend:
            trend[rep].append((earlier, counts.get(rep, Counts())))
    competencies = competencies_by_rep(period.start, period.end, ids)
    return Bundle(current, previous, trend, competencies)
