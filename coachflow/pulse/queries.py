"""Set-based reads of pulse results: one round per team, the trend across rounds, the latest
round per team for other domains, the home page's open pulse and the list of rounds.

Every figure goes through the one rule of ``coachflow.lib.anonymity``: a team is shown only with
at least the threshold of answers, and never so that a hidden team could be worked out by
subtracting the visible teams from the company. The rule is applied to all teams of a round
before the reader's scope is, so every reader, page, export and API sees the same groups hidden.
The answer pool is never read here.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Integer, and_, case, func, select
from sqlalchemy.sql import Select

from coachflow.accounts.models import Role, Team, User
from coachflow.accounts.policy import visible_teams
from coachflow.lib.anonymity import Suppression, suppress
from coachflow.lib.stats.nps import Estimate, nps
from coachflow.lib.stats.nps_change import Change, nps_change
from coachflow.platform.extensions import db
from coachflow.platform.paging import Page, paginate
from coachflow.pulse.models import (
    Pulse,
    PulseAnswer,
    PulseInvitation,
    PulseResponse,
    PulseRound,
    RoundStatus,
)
from coachflow.pulse.services import Thresholds, thresholds
from coachflow.questionnaires.answers import localized
from coachflow.questionnaires.models import Question, QuestionType

COMPANY = None  # the parent of every team: the key of the company row
NO_TEAM = -1  # answers of people without a team any more: part of the company, never shown


@dataclass(frozen=True)
class Item:
    question_id: int
    text: str
    favourable: float | None  # share of 4–5 answers


@dataclass
class Group:
    """One row: the company (``team_id`` None) or a team."""

    team_id: int | None
    name: str
    parent: str | None
    responses: int
    invited: int
    hidden: bool
    rate_hidden: bool
    enps: Estimate | None = None
    items: list[Item] = field(default_factory=list)
    comments: list[str] | None = None

    @property
    def rate(self) -> float | None:
        return None if self.rate_hidden or not self.invited else self.answered / self.invited

    answered: int = 0


@dataclass
class RoundResults:
    round: PulseRound
    company: Group
    teams: list[Group]
    thresholds: Thresholds
    change: Change | None  # the company's eNPS since the previous round
    team_changes: dict[int, Change]
    refused: bool = False  # a filter that would show a hidden team
    out_of_scope: bool = False  # a filter on a team the reader may not see (the view: 404)


@dataclass(frozen=True)
class _Counts:
    """Per team: responses, band counts, favourable and answered counts per item, comments."""

    responses: dict[int, int]
    bands: dict[int, tuple[int, int, int]]
    items: dict[tuple[int, int], tuple[int, int]]
    comments: dict[int, int]


def _key(team_id: int | None) -> int:
    return NO_TEAM if team_id is None else team_id


def _counts(round_id: int) -> _Counts:
    """One GROUP BY over the round's answers, one over its responses."""
    score = PulseAnswer.score
    rows = db.session.execute(
        select(
            PulseResponse.team_id,
            PulseAnswer.question_id,
            Question.type,
            func.count(score),
            func.sum(case((score >= 9, 1), else_=0)),
            func.sum(case((score.between(7, 8), 1), else_=0)),
            func.sum(case((score <= 6, 1), else_=0)),
            func.sum(case((score >= 4, 1), else_=0)),
            func.count(PulseAnswer.text),
        )
        .join(PulseResponse, PulseResponse.id == PulseAnswer.response_id)
        .join(Question, Question.id == PulseAnswer.question_id)
        .where(PulseResponse.round_id == round_id)
        .group_by(PulseResponse.team_id, PulseAnswer.question_id, Question.type)
    ).all()
    bands: dict[int, tuple[int, int, int]] = {}
    items: dict[tuple[int, int], tuple[int, int]] = {}
    comments: dict[int, int] = defaultdict(int)
    for team_id, question_id, qtype, n, plus, passive, minus, favourable, texts in rows:
        key = _key(team_id)
        if qtype is QuestionType.NPS and key not in bands:
            bands[key] = (int(plus or 0), int(passive or 0), int(minus or 0))
        elif qtype in (QuestionType.AGREEMENT, QuestionType.RATING):
            items[(key, question_id)] = (int(favourable or 0), int(n))
        if qtype is QuestionType.TEXT:
            comments[key] += int(texts)
    responses = {
        _key(team_id): n
        for team_id, n in db.session.execute(
            select(PulseResponse.team_id, func.count())
            .where(PulseResponse.round_id == round_id)
            .group_by(PulseResponse.team_id)
        )
    }
    return _Counts(responses, bands, items, dict(comments))


def _suppression(counts: dict[int, int], minimum: int) -> Suppression[int]:
    """The rule over all teams of a round; answers without a team are never shown on their own."""
    result = suppress(counts, minimum)
    if NO_TEAM in counts and NO_TEAM not in result.hidden:
        result = suppress({**counts, NO_TEAM: 0}, minimum)  # hidden, and a sibling hidden with it
    return result


def scope_team_ids(viewer: User, team_ids: Iterable[int]) -> dict[int, str]:
    """Names of those of ``team_ids`` whose rows ``viewer`` may see: HR and admin all, a manager
    their teams; a rep none (reps see the company figures)."""
    ids = [team_id for team_id in team_ids if team_id != NO_TEAM]
    if viewer.role is Role.REP or not ids:
        return {}
    query = visible_teams(viewer).where(Team.id.in_(ids)).with_only_columns(Team.id, Team.name)
    return dict(db.session.execute(query).all())


def _questions(version_id: int, language: str) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Question.id, Question.texts)
        .where(
            Question.version_id == version_id,
            Question.type.in_([QuestionType.AGREEMENT, QuestionType.RATING]),
        )
        .order_by(Question.position)
    ).all()
    return [(qid, localized(texts, language, "en") or "") for qid, texts in rows]


def round_results(
    viewer: User,
    round_: PulseRound,
    *,
    language: str = "en",
    team_filter: int | None = None,
    level: float = 0.95,
) -> RoundResults:
    """A round's figures for ``viewer``: the company, and the teams they may see, above the
    thresholds; a filter on a hidden team is refused (``refused``), never answered."""
    limits = thresholds()
    counts = _counts(round_.id)
    invited = {
        _key(team_id): (n, int(used or 0))
        for team_id, n, used in db.session.execute(
            select(
                PulseInvitation.team_id,
                func.count(),
                func.sum(func.cast(PulseInvitation.used, Integer)),
            )
            .where(PulseInvitation.round_id == round_.id)
            .group_by(PulseInvitation.team_id)
        )
    }
    hidden = _suppression(counts.responses, limits.minimum)
    rates = _suppression({key: n for key, (n, _used) in invited.items()}, limits.minimum)
    comment_rule = _suppression(
        {key: counts.comments.get(key, 0) for key in counts.responses}, limits.comment_minimum
    )
    questions = _questions(round_.version_id, language)
    comments = _comments(round_.id, comment_rule, hidden)
    total_invited = sum(n for n, _used in invited.values())
    total_used = sum(used for _n, used in invited.values())
    company = Group(
        team_id=None,
        name="",
        parent=None,
        responses=sum(counts.responses.values()),
        invited=total_invited,
        answered=total_used,
        hidden=hidden.parent_hidden,
        rate_hidden=rates.parent_hidden,
    )
    _fill(company, _sum(counts.bands.values()), _items(counts, questions, None), level)
    if not company.hidden and not comment_rule.parent_hidden:
        company.comments = comments.get(COMPANY, [])
    names = scope_team_ids(viewer, counts.responses.keys() | invited.keys())
    teams = []
    for team_id, name in sorted(names.items(), key=lambda pair: pair[1]):
        group = Group(
            team_id=team_id,
            name=name,
            parent="company",
            responses=counts.responses.get(team_id, 0),
            invited=invited.get(team_id, (0, 0))[0],
            answered=invited.get(team_id, (0, 0))[1],
            hidden=not hidden.shows(team_id) or team_id not in counts.responses,
            rate_hidden=not rates.shows(team_id),
        )
        if not group.hidden:
            team_items = _items(counts, questions, team_id)
            _fill(group, counts.bands.get(team_id, (0, 0, 0)), team_items, level)
            if comment_rule.shows(team_id) and team_id in comments:
                group.comments = comments[team_id]
        teams.append(group)
    refused = out_of_scope = False
    if team_filter is not None:
        chosen = [group for group in teams if group.team_id == team_filter]
        out_of_scope = not chosen
        refused = bool(chosen) and chosen[0].hidden
        teams = [] if refused or out_of_scope else chosen
    previous, team_changes = _changes(round_, counts, hidden, limits, [g.team_id for g in teams])
    return RoundResults(
        round_, company, teams, limits, previous, team_changes, refused, out_of_scope
    )


def _sum(bands: Iterable[tuple[int, int, int]]) -> tuple[int, int, int]:
    totals = [0, 0, 0]
    for plus, passive, minus in bands:
        totals[0] += plus
        totals[1] += passive
        totals[2] += minus
    return totals[0], totals[1], totals[2]


def _items(
    counts: _Counts, questions: Sequence[tuple[int, str]], team_id: int | None
) -> list[Item]:
    found = []
    for question_id, text in questions:
        if team_id is None:
            pairs = [v for (k, q), v in counts.items.items() if q == question_id]
        else:
            pairs = [counts.items.get((team_id, question_id), (0, 0))]
        favourable, n = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
        found.append(Item(question_id, text, favourable / n if n else None))
    return found


def _fill(group: Group, bands: tuple[int, int, int], items: list[Item], level: float) -> None:
    if group.hidden:
        return
    plus, passive, minus = bands
    group.enps = nps(plus, passive, minus, level=level)
    group.items = items


def _comments(
    round_id: int, rule: Suppression[int], hidden: Suppression[int]
) -> dict[int | None, list[str]]:
    """The comments of the round for the company and for teams the rules show (random order:
    the responses' random keys)."""
    rows = db.session.execute(
        select(PulseResponse.team_id, PulseAnswer.text)
        .join(PulseResponse, PulseResponse.id == PulseAnswer.response_id)
        .join(Question, Question.id == PulseAnswer.question_id)
        .where(
            PulseResponse.round_id == round_id,
            Question.type == QuestionType.TEXT,
            PulseAnswer.text.is_not(None),
        )
        .order_by(PulseResponse.id)
    ).all()
    found: dict[int | None, list[str]] = defaultdict(list)
    for team_id, text in rows:
        found[COMPANY].append(text)
        key = _key(team_id)
        if rule.shows(key) and hidden.shows(key):
            found[key].append(text)
    return dict(found)


def _changes(
    round_: PulseRound,
    counts: _Counts,
    hidden: Suppression[int],
    limits: Thresholds,
    team_ids: list[int | None],
) -> tuple[Change | None, dict[int, Change]]:
    """The eNPS change since the previous round of the pulse: the company's, and each shown team's
    that was shown in both rounds."""
    previous = db.session.scalar(
        select(PulseRound.id).where(
            PulseRound.pulse_id == round_.pulse_id, PulseRound.number == round_.number - 1
        )
    )
    if previous is None:
        return None, {}
    before = _counts(previous)
    shown_before = _suppression(before.responses, limits.minimum)
    company = None
    if not hidden.parent_hidden and not shown_before.parent_hidden:
        company = nps_change(_sum(before.bands.values()), _sum(counts.bands.values()))
    changes = {}
    for team_id in team_ids:
        if team_id is None or not hidden.shows(team_id) or team_id not in counts.bands:
            continue
        if shown_before.shows(team_id) and team_id in before.bands:
            changes[team_id] = nps_change(before.bands[team_id], counts.bands[team_id])
    return company, changes


# The trend ----------------------------------------------------------------------------------------


@dataclass
class TrendRow:
    team_id: int | None
    name: str
    cells: list[Estimate | None]  # one per round, None where hidden


@dataclass
class Trend:
    pulse: Pulse
    rounds: list[PulseRound]
    company: TrendRow
    teams: list[TrendRow]


def trend(viewer: User, pulse: Pulse, *, last: int = 12) -> Trend:
    """eNPS per team and round for the pulse's last ``last`` closed rounds, each round under the
    rule of its own: three queries."""
    limits = thresholds()
    rounds = list(
        db.session.scalars(
            select(PulseRound)
            .where(PulseRound.pulse_id == pulse.id, PulseRound.status == RoundStatus.CLOSED)
            .order_by(PulseRound.number.desc())
            .limit(last)
        )
    )[::-1]
    ids = [r.id for r in rounds]
    responses: dict[int, dict[int, int]] = defaultdict(dict)
    bands: dict[int, dict[int, tuple[int, int, int]]] = defaultdict(dict)
    if ids:
        for round_id, team_id, n, plus, passive, minus in _team_rows(ids):
            responses[round_id][_key(team_id)] = n
            bands[round_id][_key(team_id)] = (plus, passive, minus)
    all_teams = {key for per_round in responses.values() for key in per_round}
    names = scope_team_ids(viewer, all_teams)
    company = TrendRow(None, "", [])
    rows = {team_id: TrendRow(team_id, name, []) for team_id, name in names.items()}
    for round_ in rounds:
        rule = _suppression(responses[round_.id], limits.minimum)
        total = _sum(bands[round_.id].values())
        company.cells.append(None if rule.parent_hidden else nps(*total))
        for team_id, row in rows.items():
            shown = team_id in bands[round_.id] and rule.shows(team_id)
            row.cells.append(nps(*bands[round_.id][team_id]) if shown else None)
    teams = sorted(rows.values(), key=lambda row: row.name)
    return Trend(pulse, rounds, company, teams)


def _team_rows(round_ids: Sequence[int]) -> list[tuple[int, int | None, int, int, int, int]]:
    """Per round and team: responses and the eNPS bands, in one GROUP BY."""
    score = PulseAnswer.score
    nps_questions = select(Question.id).where(Question.type == QuestionType.NPS)
    return [
        (round_id, team_id, int(n), int(plus or 0), int(passive or 0), int(minus or 0))
        for round_id, team_id, n, plus, passive, minus in db.session.execute(
            select(
                PulseResponse.round_id,
                PulseResponse.team_id,
                func.count(func.distinct(PulseResponse.id)),
                func.sum(case((score >= 9, 1), else_=0)),
                func.sum(case((score.between(7, 8), 1), else_=0)),
                func.sum(case((score <= 6, 1), else_=0)),
            )
            .outerjoin(
                PulseAnswer,
                and_(
                    PulseAnswer.response_id == PulseResponse.id,
                    PulseAnswer.question_id.in_(nps_questions),
                ),
            )
            .where(PulseResponse.round_id.in_(round_ids))
            .group_by(PulseResponse.round_id, PulseResponse.team_id)
        )
    ]


# For other domains (dashboards) -------------------------------------------------------------------


@dataclass(frozen=True)
class TeamPulse:
    """A team's latest closed round: eNPS and interval (None when hidden), responses, hidden."""

    team_id: int
    round_id: int
    closes_on: datetime.date
    enps: float | None
    low: float | None
    high: float | None
    responses: int | None
    hidden: bool


def latest_team_pulse(viewer: User, team_ids: list[int]) -> list[TeamPulse]:
    """Per team of ``team_ids`` that ``viewer`` may see, its latest closed round's eNPS with its
    interval and responses, obeying the thresholds and the subtraction rule: two queries (plus
    the reader's scope and the thresholds)."""
    names = scope_team_ids(viewer, team_ids)
    if not names:
        return []
    newest = (
        select(PulseResponse.team_id, func.max(PulseRound.id).label("round_id"))
        .join(PulseRound, PulseRound.id == PulseResponse.round_id)
        .where(PulseRound.status == RoundStatus.CLOSED, PulseResponse.team_id.in_(list(names)))
        .group_by(PulseResponse.team_id)
        .subquery()
    )
    latest = {
        team_id: (round_id, closes_on)
        for team_id, round_id, closes_on in db.session.execute(
            select(newest.c.team_id, newest.c.round_id, PulseRound.closes_on).join(
                PulseRound, PulseRound.id == newest.c.round_id
            )
        )
    }
    if not latest:
        return []
    minimum = thresholds().minimum
    per_round: dict[int, dict[int, tuple[int, int, int]]] = defaultdict(dict)
    responses: dict[int, dict[int, int]] = defaultdict(dict)
    for round_id, team_id, n, plus, passive, minus in _team_rows(
        sorted({r for r, _c in latest.values()})
    ):
        per_round[round_id][_key(team_id)] = (plus, passive, minus)
        responses[round_id][_key(team_id)] = n
    found = []
    for team_id in sorted(latest, key=lambda t: names[t]):
        round_id, closes_on = latest[team_id]
        counts = responses[round_id]
        rule = _suppression(counts, minimum)
        shown = rule.shows(team_id) and team_id in per_round[round_id]
        estimate = nps(*per_round[round_id][team_id]) if shown else None
        found.append(
            TeamPulse(
                team_id,
                round_id,
                closes_on,
                estimate.value if estimate else None,
                estimate.low if estimate else None,
                estimate.high if estimate else None,
                counts.get(team_id) if shown else None,
                not shown,
            )
        )
    return found


# Lists and the home page -------------------------------------------------------------------


def rounds_page(viewer: User, page: int, per_page: int) -> Page:
    """Rounds, newest first (everyone reads the company figures of every round)."""
    query: Select = (
        select(PulseRound).join(Pulse).order_by(PulseRound.opens_on.desc(), PulseRound.id.desc())
    )
    return paginate(query, page, per_page)


@dataclass(frozen=True)
class OpenPulse:
    name: str
    closes_on: datetime.date
    invitation: PulseInvitation


def open_pulses_for(user: User, today: datetime.date) -> list[OpenPulse]:
    """The open rounds ``user`` was invited to and has not answered: one query."""
    rows = db.session.execute(
        select(Pulse.name, PulseRound.closes_on, PulseInvitation)
        .join(PulseRound, PulseRound.id == PulseInvitation.round_id)
        .join(Pulse, Pulse.id == PulseRound.pulse_id)
        .where(
            PulseInvitation.user_id == user.id,
            PulseInvitation.used.is_(False),
            PulseRound.status == RoundStatus.OPEN,
            PulseRound.closes_on >= today,
        )
        .order_by(PulseRound.closes_on)
    ).all()
    return [OpenPulse(name, closes_on, invitation) for name, closes_on, invitation in rows]


# The CSV export -------------------------------------------------------------------------------


def results_csv(results: RoundResults) -> str:
    """The round's rows as the page shows them: company first, then the reader's teams; a hidden
    group's figures are empty and ``hidden`` says why."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    items = results.company.items
    writer.writerow(
        [
            "team",
            "parent",
            "responses",
            "hidden",
            "enps",
            "low",
            "high",
            "promoters",
            "passives",
            "detractors",
            "response_rate",
            *(f"favourable: {item.text}" for item in items),
        ]
    )
    for group in [results.company, *results.teams]:
        estimate = group.enps
        shares = (
            [
                _number(estimate.promoter_share),
                _number(estimate.passive_share),
                _number(estimate.detractor_share),
            ]
            if estimate and estimate.known
            else ["", "", ""]
        )
        writer.writerow(
            [
                group.name or "company",
                group.parent or "",
                "" if group.hidden else group.responses,
                "not enough answers" if group.hidden else "",
                _number(estimate.value if estimate else None),
                _number(estimate.low if estimate else None),
                _number(estimate.high if estimate else None),
                *shares,
                _number(group.rate),
                *(
                    [_number(item.favourable) for item in group.items]
                    if group.items
                    else [""] * len(items)
                ),
            ]
        )
    return buffer.getvalue()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}".rstrip("0").rstrip(".")


# For the questionnaire builder ---------------------------------------------------------------


def responses_per_survey(survey_ids: Sequence[int]) -> dict[int, int]:
    """Pulse answers per questionnaire, counted by spent links (answers in the pool count too):
    one GROUP BY."""
    if not survey_ids:
        return {}
    return dict(
        db.session.execute(
            select(Pulse.survey_id, func.count())
            .join(PulseRound, PulseRound.pulse_id == Pulse.id)
            .join(PulseInvitation, PulseInvitation.round_id == PulseRound.id)
            .where(Pulse.survey_id.in_(list(survey_ids)), PulseInvitation.used.is_(True))
            .group_by(Pulse.survey_id)
        ).all()
    )


def answered_versions(version_ids: Sequence[int]) -> set[int]:
    """Those of ``version_ids`` that a round has collected an answer to: one query."""
    if not version_ids:
        return set()
    return set(
        db.session.scalars(
            select(PulseRound.version_id)
            .join(PulseInvitation, PulseInvitation.round_id == PulseRound.id)
            .where(PulseRound.version_id.in_(list(version_ids)), PulseInvitation.used.is_(True))
            .distinct()
        )
    )
