"""Survey results in numbers: set-based reads over answers ⨝ questions ⨝ responses.

Every figure is counted in SQL (GROUP BY); Python only adds up the grouped rows (a rep's rows
into their team's) and hands the counts to the pure statistics in ``coachflow.lib.stats``. A page
costs a fixed number of queries, whatever the number of answers, reps or teams.

The rules, stated once (the results page repeats them to its readers):

- **Which surveys.** Customer surveys (CSAT and NPS kinds) only. Employee pulse surveys are
  anonymous and have their own pages with a minimum group size; they never show here.
- **Whose answers.** A response is about the rep and team copied from its invitation when it
  was answered (``Response.rep_id``/``team_id``), so a rep who changes teams takes their own
  history along while team figures keep the team of the day. A reader sees the answers about the
  people ``visible_sellers(user)`` names: a manager their teams' people and themselves, a rep
  themselves, HR and admin everyone, and also answers about nobody (an account without owner).
- **NPS** counts answers to NPS questions (0–10), **CSAT** answers to rating questions (1–5);
  agreement questions are neither.
- **Delivered** invitations are those whose email went out: status sent, opened, answered,
  expired or unsubscribed. Queued ones are not out yet and failed ones never arrived.
  **Response rate** = answered ÷ delivered, over the invitations sent in the period (by sending
  time, or creation time for one never stamped), whenever they were answered.
- **Product line.** A response counts for a product line when its invitation is about a deal of
  that line (``Invitation.deal → Deal.product_line_id``). Invitations without a deal (a
  relationship survey) are about the whole relationship and drop out when a product line is
  chosen: crediting them to every line the rep or the account sells would count one answer under
  several lines and move old figures whenever a new deal arrives.
- **Dates** are UTC days, both ends included: answers by submission time, invitations by
  sending time. The **trend** is by calendar month (UTC), at most ``MAX_TREND_MONTHS``.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal_column, select
from sqlalchemy.orm import aliased

from coachflow.accounts.models import Role, Team, User
from coachflow.accounts.policy import visible_sellers, visible_teams
from coachflow.lib.stats import LEVELS
from coachflow.lib.stats.csat import CsatEstimate, csat
from coachflow.lib.stats.nps import Estimate, nps
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.paging import Page, page_of
from coachflow.questionnaires.models import (
    Question,
    QuestionType,
    Survey,
    SurveyKind,
    SurveyVersion,
)
from coachflow.sales.models import Deal
from coachflow.sales.queries import LineRef, Seller, product_lines, sellers
from coachflow.surveys.models import Answer, Invitation, InvitationStatus, Response

CUSTOMER_KINDS = (SurveyKind.CUSTOMER_CSAT, SurveyKind.CUSTOMER_NPS)
DELIVERED = (
    InvitationStatus.SENT,
    InvitationStatus.OPENED,
    InvitationStatus.ANSWERED,
    InvitationStatus.EXPIRED,
    InvitationStatus.UNSUBSCRIBED,
)
SCORED = (QuestionType.NPS, QuestionType.RATING)
MAX_TREND_MONTHS = 24
TREND_MONTHS = 12  # shown when no start date is chosen
SORTS = ("name", "score")
CSV_CHUNK_ROWS = 500


class NotVisible(DomainError):
    """A filter names a team, person or survey the reader may not see (or that does not exist)."""

    status_code = 404


# What the reader asked for ----------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Narrowing of the results; ids are checked against what the reader may see."""

    survey_id: int | None = None
    team_id: int | None = None
    rep_id: int | None = None
    line_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None  # included
    level: float = 0.95

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            object.__setattr__(self, "level", 0.95)
        if self.date_from and self.date_to and self.date_from > self.date_to:
            start, end = self.date_to, self.date_from  # a reversed range means the same days
            object.__setattr__(self, "date_from", start)
            object.__setattr__(self, "date_to", end)

    @property
    def narrowed(self) -> bool:
        """Whether any filter besides the survey and the level is set."""
        return any((self.team_id, self.rep_id, self.line_id, self.date_from, self.date_to))

    def args(self, **changes: object) -> dict[str, object]:
        """The query string of these filters (with ``changes``), for links that keep them."""
        values: dict[str, object] = {
            "team": self.team_id,
            "rep": self.rep_id,
            "line": self.line_id,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "level": None if self.level == 0.95 else round(self.level * 100),
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value is not None}


@dataclass(frozen=True)
class Scope:
    """Whose answers a reader sees: ids of sellers, and whether answers about nobody too."""

    sellers: Select
    everyone: bool


def scope_of(user: User) -> Scope:
    """The reader's scope: ``visible_sellers(user)``; HR and admin also see unattributed answers."""
    return Scope(visible_sellers(user), user.role in (Role.ADMIN, Role.HR))


# Conditions ------------------------------------------------------------------------------------


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def _customer_surveys() -> Select:
    return select(Survey.id).where(Survey.kind.in_(CUSTOMER_KINDS))


def _about_line(deal_id: Any, line_id: int) -> ColumnElement[bool]:
    return exists().where(Deal.id == deal_id, Deal.product_line_id == line_id)


def _response_conditions(scope: Scope, filters: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Response.survey_id == filters.survey_id
        if filters.survey_id is not None
        else Response.survey_id.in_(_customer_surveys())
    ]
    if not scope.everyone:
        conditions.append(Response.rep_id.in_(scope.sellers))
    if filters.team_id is not None:
        conditions.append(Response.team_id == filters.team_id)
    if filters.rep_id is not None:
        conditions.append(Response.rep_id == filters.rep_id)
    if filters.line_id is not None:
        invitation = aliased(Invitation)
        conditions.append(
            exists().where(
                invitation.id == Response.invitation_id,
                _about_line(invitation.deal_id, filters.line_id),
            )
        )
    if filters.date_from is not None:
        conditions.append(Response.submitted_at >= _day_start(filters.date_from))
    if filters.date_to is not None:
        end = _day_start(filters.date_to + datetime.timedelta(days=1))
        conditions.append(Response.submitted_at < end)
    return conditions


def _sent_time() -> ColumnElement[Any]:
    return func.coalesce(Invitation.sent_at, Invitation.created_at)


def _invitation_conditions(scope: Scope, filters: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Invitation.survey_id == filters.survey_id
        if filters.survey_id is not None
        else Invitation.survey_id.in_(_customer_surveys()),
        Invitation.status.in_(DELIVERED),
    ]
    if not scope.everyone:
        conditions.append(Invitation.rep_id.in_(scope.sellers))
    if filters.team_id is not None:
        conditions.append(Invitation.team_id == filters.team_id)
    if filters.rep_id is not None:
        conditions.append(Invitation.rep_id == filters.rep_id)
    if filters.line_id is not None:
        conditions.append(_about_line(Invitation.deal_id, filters.line_id))
    if filters.date_from is not None:
        conditions.append(_sent_time() >= _day_start(filters.date_from))
    if filters.date_to is not None:
        conditions.append(_sent_time() < _day_start(filters.date_to + datetime.timedelta(days=1)))
    return conditions


def _month(column: Any) -> ColumnElement[str]:
    """SQL: ``YYYY-MM`` of a UTC timestamp (literal formats: the same text in SELECT and GROUP
    BY, which PostgreSQL needs to see they are one expression)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(
            func.timezone(literal_column("'UTC'"), column), literal_column("'YYYY-MM'")
        )
    return func.strftime(literal_column("'%Y-%m'"), column)


# Counting --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """What a group of answers and invitations adds up to; groups add up to larger groups."""

    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    satisfied: int = 0
    rated: int = 0
    rating_sum: int = 0
    delivered: int = 0
    answered: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self.values(), other.values(), strict=True)))

    def values(self) -> tuple[int, ...]:
        return (
            self.promoters,
            self.passives,
            self.detractors,
            self.satisfied,
            self.rated,
            self.rating_sum,
            self.delivered,
            self.answered,
        )

    @property
    def response_rate(self) -> float | None:
        """Answered ÷ delivered invitations; None before any was delivered."""
        return self.answered / self.delivered if self.delivered else None


def _score_columns() -> list[Any]:
    # On its question's scale only: the database allows 0–10 for any score.
    nps_score = and_(Question.type == QuestionType.NPS, Answer.score.between(0, 10))
    rating = and_(Question.type == QuestionType.RATING, Answer.score.between(1, 5))

    def count(condition: ColumnElement[bool], label: str) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(label)

    return [
        count(and_(nps_score, Answer.score >= 9), "promoters"),
        count(and_(nps_score, Answer.score.between(7, 8)), "passives"),
        count(and_(nps_score, Answer.score <= 6), "detractors"),
        count(and_(rating, Answer.score >= 4), "satisfied"),
        count(rating, "rated"),
        func.coalesce(func.sum(case((rating, Answer.score), else_=0)), 0).label("rating_sum"),
    ]


def _scores(scope: Scope, filters: Filters, *keys: Any) -> Select:
    """SQL: band counts and rating sums of the answers in scope, grouped by ``keys``."""
    return (
        select(*keys, *_score_columns())
        .select_from(Answer)
        .join(Question, Question.id == Answer.question_id)
        .join(Response, Response.id == Answer.response_id)
        .where(
            Question.type.in_(SCORED),
            Answer.score.is_not(None),
            *_response_conditions(scope, filters),
        )
        .group_by(*keys)
    )


def _deliveries(scope: Scope, filters: Filters, *keys: Any) -> Select:
    """SQL: delivered and answered invitations in scope, grouped by ``keys``."""
    answered = case((Invitation.status == InvitationStatus.ANSWERED, 1), else_=0)
    return (
        select(
            *keys,
            func.count().label("delivered"),
            func.coalesce(func.sum(answered), 0).label("answered"),
        )
        .where(*_invitation_conditions(scope, filters))
        .group_by(*keys)
    )


def _score_counts(row: Any) -> Counts:
    return Counts(
        int(row.promoters),
        int(row.passives),
        int(row.detractors),
        int(row.satisfied),
        int(row.rated),
        int(row.rating_sum),
    )


def _delivery_counts(row: Any) -> Counts:
    return Counts(delivered=int(row.delivered), answered=int(row.answered))


# Figures of a group ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """One row of a results table (a rep, a team, a survey, or everything) and its estimates."""

    id: int | None
    name: str
    counts: Counts
    level: float
    detail: str = ""  # a rep's team(s)
    nps: Estimate = field(init=False)
    csat: CsatEstimate = field(init=False)

    def __post_init__(self) -> None:
        c = self.counts
        object.__setattr__(
            self, "nps", nps(c.promoters, c.passives, c.detractors, level=self.level)
        )
        object.__setattr__(self, "csat", csat(c.satisfied, c.rated, c.rating_sum, level=self.level))

    def small(self, metric: str) -> bool:
        """Too few answers for ``metric`` ("nps" or "csat") to compare or rank."""
        return (self.nps if metric == "nps" else self.csat).small

    def value(self, metric: str) -> float | None:
        return self.nps.value if metric == "nps" else self.csat.share


def ordered(groups: Iterable[Group], metric: str, sort: str) -> list[Group]:
    """Groups for a table: those with enough answers first, then the small samples, by name.

    Sorting by score ranks only the groups with enough answers; small samples are never ranked,
    they follow in name order, marked.
    """
    by_name = sorted(groups, key=lambda g: (g.name.casefold(), g.id or 0))
    solid = [g for g in by_name if not g.small(metric)]
    small = [g for g in by_name if g.small(metric)]
    if sort == "score":
        solid.sort(key=lambda g: -(g.value(metric) or 0.0))
    return solid + small


@dataclass(frozen=True)
class MonthFigures:
    month: datetime.date
    group: Group


@dataclass(frozen=True)
class Results:
    """Everything the results page shows in numbers, for one scope and set of filters."""

    level: float
    metric: str  # the headline measure: "nps" or "csat"
    total: Group
    reps: list[Group]
    teams: list[Group]
    nps_histogram: list[int]  # answers per score 0…10
    rating_histogram: list[int]  # answers per rating 1…5
    trend: list[MonthFigures]
    trend_cut: bool  # the range was longer than MAX_TREND_MONTHS; the last ones are shown
    adhoc_answers: int = 0  # answers given through a pasted address that is no contact

    @property
    def has_answers(self) -> bool:
        return self.total.nps.n + self.total.csat.n > 0


def _headline(survey: Survey | None, total: Counts) -> str:
    if survey is not None:
        return "csat" if survey.kind is SurveyKind.CUSTOMER_CSAT else "nps"
    nps_n = total.promoters + total.passives + total.detractors
    return "csat" if total.rated > nps_n else "nps"


def _people(scope: Scope, filters: Filters) -> tuple[list[Group], list[Group], Counts]:
    """Per rep and per team (two queries: answers, invitations; names joined in SQL)."""
    keys = (Response.team_id.label("team_id"), Response.rep_id.label("rep_id"))
    scored = _scores(scope, filters, *keys).subquery()
    sent = _deliveries(
        scope, filters, Invitation.team_id.label("team_id"), Invitation.rep_id.label("rep_id")
    ).subquery()
    rows: dict[tuple[int | None, int | None], Counts] = {}
    names: dict[str, dict[int | None, str]] = {"rep": {}, "team": {}}
    for aggregate, to_counts in ((scored, _score_counts), (sent, _delivery_counts)):
        query = (
            select(aggregate, User.name.label("rep_name"), Team.name.label("team_name"))
            .outerjoin(User, User.id == aggregate.c.rep_id)
            .outerjoin(Team, Team.id == aggregate.c.team_id)
        )
        for row in db.session.execute(query):
            key = (row.team_id, row.rep_id)
            rows[key] = rows.get(key, Counts()) + to_counts(row)
            names["rep"][row.rep_id] = row.rep_name or ""
            names["team"][row.team_id] = row.team_name or ""
    by_rep: dict[int | None, Counts] = {}
    by_team: dict[int | None, Counts] = {}
    rep_teams: dict[int | None, list[str]] = {}
    no_rep, no_team = _("No rep"), _("No team")  # answers about nobody (HR and admin see them)
    total = Counts()
    for (team_id, rep_id), counts in rows.items():
        by_rep[rep_id] = by_rep.get(rep_id, Counts()) + counts
        by_team[team_id] = by_team.get(team_id, Counts()) + counts
        rep_teams.setdefault(rep_id, []).append(names["team"][team_id] or no_team)
        total += counts
    level = filters.level
    reps = [
        Group(
            rep_id,
            names["rep"][rep_id] or no_rep,
            counts,
            level,
            detail=", ".join(sorted(set(rep_teams[rep_id]))),
        )
        for rep_id, counts in by_rep.items()
    ]
    teams = [
        Group(team_id, names["team"][team_id] or no_team, counts, level)
        for team_id, counts in by_team.items()
    ]
    return reps, teams, total


def _histograms(scope: Scope, filters: Filters) -> tuple[list[int], list[int]]:
    query = (
        select(Question.type, Answer.score, func.count())
        .select_from(Answer)
        .join(Question, Question.id == Answer.question_id)
        .join(Response, Response.id == Answer.response_id)
        .where(
            Question.type.in_(SCORED),
            Answer.score.is_not(None),
            *_response_conditions(scope, filters),
        )
        .group_by(Question.type, Answer.score)
    )
    nps_counts, ratings = [0] * 11, [0] * 5
    for qtype, score, count in db.session.execute(query):
        if qtype is QuestionType.NPS and 0 <= score <= 10:
            nps_counts[score] = count
        elif qtype is QuestionType.RATING and 1 <= score <= 5:
            ratings[score - 1] = count
    return nps_counts, ratings


def trend_months(filters: Filters, today: datetime.date) -> tuple[list[datetime.date], bool]:
    """The first days of the months the trend shows, and whether the range was cut short."""
    end = filters.date_to or today
    last = end.replace(day=1)
    if filters.date_from is not None:
        first = filters.date_from.replace(day=1)
    else:
        first = _add_months(last, -(TREND_MONTHS - 1))
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    cut = count > MAX_TREND_MONTHS
    count = min(count, MAX_TREND_MONTHS)
    return [_add_months(last, n - count + 1) for n in range(count)], cut


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _trend(scope: Scope, filters: Filters, today: datetime.date) -> tuple[list[MonthFigures], bool]:
    months, cut = trend_months(filters, today)
    month_end = _add_months(months[-1], 1) - datetime.timedelta(days=1)
    window = replace(
        filters,
        date_from=max(months[0], filters.date_from or months[0]),
        date_to=min(month_end, filters.date_to or month_end),
    )
    counts: dict[str, Counts] = {}
    answered_month = _month(Response.submitted_at).label("month")
    for row in db.session.execute(_scores(scope, window, answered_month)):
        counts[row.month] = counts.get(row.month, Counts()) + _score_counts(row)
    sent_month = _month(_sent_time()).label("month")
    for row in db.session.execute(_deliveries(scope, window, sent_month)):
        counts[row.month] = counts.get(row.month, Counts()) + _delivery_counts(row)
    return [
        MonthFigures(
            month,
            Group(
                None,
                month.strftime("%Y-%m"),
                counts.get(month.strftime("%Y-%m"), Counts()),
                filters.level,
            ),
        )
        for month in months
    ], cut


def results(
    scope: Scope, filters: Filters, *, survey: Survey | None, today: datetime.date
) -> Results:
    """The figures of the results page (seven queries)."""
    reps, teams, total_counts = _people(scope, filters)
    nps_histogram, rating_histogram = _histograms(scope, filters)
    trend, cut = _trend(scope, filters, today)
    return Results(
        level=filters.level,
        metric=_headline(survey, total_counts),
        total=Group(None, "", total_counts, filters.level),
        reps=reps,
        teams=teams,
        nps_histogram=nps_histogram,
        rating_histogram=rating_histogram,
        trend=trend,
        trend_cut=cut,
        adhoc_answers=adhoc_answers(scope, filters),
    )


def adhoc_answers(scope: Scope, filters: Filters) -> int:
    """How many answers in scope came through an ad-hoc address (one COUNT)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Response)
            .join(Invitation, Invitation.id == Response.invitation_id)
            .where(Invitation.adhoc.is_(True), *_response_conditions(scope, filters))
        )
        or 0
    )


# Surveys at a glance ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveySummary:
    id: int
    name: str
    kind: SurveyKind
    group: Group


def survey_summaries(scope: Scope, filters: Filters) -> list[SurveySummary]:
    """Each customer survey with answers or delivered invitations in scope (two queries),
    newest first."""
    per_survey = Response.survey_id.label("survey_id")
    scored = _scores(scope, filters, per_survey).subquery()
    sent = _deliveries(scope, filters, Invitation.survey_id.label("survey_id")).subquery()
    found: dict[int, tuple[Survey, Counts]] = {}
    for aggregate, to_counts in ((scored, _score_counts), (sent, _delivery_counts)):
        query = select(aggregate, Survey).join(Survey, Survey.id == aggregate.c.survey_id)
        for row in db.session.execute(query):
            survey, counts = found.get(row.survey_id, (row.Survey, Counts()))
            found[row.survey_id] = (survey, counts + to_counts(row))
    return [
        SurveySummary(
            survey.id,
            survey.name,
            survey.kind,
            Group(survey.id, survey.name, counts, filters.level),
        )
        for survey, counts in sorted(found.values(), key=lambda sc: -sc[0].id)
    ]


# Comments --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comment:
    """A free-text answer with the scores given in the same response."""

    submitted_at: datetime.datetime
    text: str
    language: str
    survey_name: str
    rep_name: str
    team_name: str
    nps_score: int | None
    rating: int | None
    adhoc: bool = False  # given through a pasted address that is no contact


def _score_of(response_id: Any, qtype: QuestionType) -> Any:
    answer, question = aliased(Answer), aliased(Question)
    return (
        select(answer.score)
        .join(question, question.id == answer.question_id)
        .where(answer.response_id == response_id, question.type == qtype, answer.score.is_not(None))
        .order_by(question.position)
        .limit(1)
        .correlate(Response)
        .scalar_subquery()
    )


def comment_page(scope: Scope, filters: Filters, *, page: int, per_page: int) -> Page[Comment]:
    """Free-text answers in scope, newest first, with their scores (two queries)."""
    conditions = [
        Question.type == QuestionType.TEXT,
        Answer.text.is_not(None),
        func.length(func.trim(Answer.text)) > 0,
        *_response_conditions(scope, filters),
    ]
    base = (
        select(Answer.id)
        .select_from(Answer)
        .join(Question, Question.id == Answer.question_id)
        .join(Response, Response.id == Answer.response_id)
        .where(*conditions)
    )
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page = min(max(1, page), max(1, -(-total // per_page)))
    rows = db.session.execute(
        select(
            Response.submitted_at,
            Answer.text,
            Response.language,
            Survey.name,
            User.name,
            Team.name,
            _score_of(Response.id, QuestionType.NPS),
            _score_of(Response.id, QuestionType.RATING),
            Invitation.adhoc,
        )
        .select_from(Answer)
        .join(Question, Question.id == Answer.question_id)
        .join(Response, Response.id == Answer.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(Survey, Survey.id == Response.survey_id)
        .outerjoin(User, User.id == Response.rep_id)
        .outerjoin(Team, Team.id == Response.team_id)
        .where(*conditions)
        .order_by(Response.submitted_at.desc(), Answer.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = [
        Comment(
            submitted,
            text,
            language,
            survey_name,
            rep_name or "",
            team_name or "",
            nps_score,
            rating,
            bool(adhoc),
        )
        for (
            submitted,
            text,
            language,
            survey_name,
            rep_name,
            team_name,
            nps_score,
            rating,
            adhoc,
        ) in rows
    ]
    return Page(items, page, per_page, total)


# The raw answers as CSV --------------------------------------------------------------------------

CSV_HEADER = (
    "survey",
    "version",
    "question",
    "question_type",
    "score",
    "choices",
    "text",
    "rep",
    "team",
    "submitted_at",
    "adhoc_address",  # "yes": answered through a pasted address that is no contact
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP's CSV injection advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _english(texts: dict | None) -> str:
    texts = texts or {}
    return texts.get("en") or next(iter(texts.values()), "")


def _choice_labels(choices: list | None, options: list | None) -> str:
    if not choices:
        return ""
    labels = {
        o.get("value"): _english(o.get("labels")) for o in options or [] if isinstance(o, dict)
    }
    return "; ".join(str(labels.get(choice) or choice) for choice in choices)


def answer_rows(scope: Scope, filters: Filters) -> Iterator[tuple[object, ...]]:
    """One row per answer in scope (``CSV_HEADER`` order), oldest first, fetched in chunks.

    Nothing identifies the customer: no contact, name, email or account.
    """
    query = (
        select(
            Survey.name,
            SurveyVersion.number,
            Question.texts,
            Question.type,
            Question.options,
            Answer.score,
            Answer.choices,
            Answer.text,
            User.name,
            Team.name,
            Response.submitted_at,
            Invitation.adhoc,
        )
        .select_from(Answer)
        .join(Question, Question.id == Answer.question_id)
        .join(Response, Response.id == Answer.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(Survey, Survey.id == Response.survey_id)
        .join(SurveyVersion, SurveyVersion.id == Response.version_id)
        .outerjoin(User, User.id == Response.rep_id)
        .outerjoin(Team, Team.id == Response.team_id)
        .where(*_response_conditions(scope, filters))
        .order_by(Response.submitted_at, Response.id, Question.position)
        .execution_options(yield_per=CSV_CHUNK_ROWS)
    )
    for (
        survey,
        version,
        texts,
        qtype,
        options,
        score,
        choices,
        text,
        rep,
        team,
        submitted,
        adhoc,
    ) in db.session.execute(query):
        yield (
            survey,
            version,
            _english(texts),
            qtype.value,
            score,
            _choice_labels(choices, options),
            text or "",
            rep or "",
            team or "",
            submitted.isoformat(timespec="seconds"),
            "yes" if adhoc else "no",
        )


def csv_text(
    rows: Iterable[Sequence[object]], *, chunk_rows: int = CSV_CHUNK_ROWS
) -> Iterator[str]:
    """``CSV_HEADER`` and ``rows`` as CSV text in chunks, with a BOM so spreadsheets read UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(CSV_HEADER)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_cell(value) for value in row])
        if count % chunk_rows == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# The page as one use case ------------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """What the filter form offers, and the objects the current filters name."""

    teams: list[Team]
    reps: list[Seller]
    lines: list[LineRef]
    team: Team | None
    rep: Seller | None
    line: LineRef | None


@dataclass(frozen=True)
class ResultsPage:
    filters: Filters
    survey: Survey | None
    choices: Choices
    results: Results
    reps: Page[Group]
    teams: Page[Group]
    comments: Page[Comment]
    surveys: list[SurveySummary] = field(default_factory=list)
    sort: str = "name"


def _choices(user: User, scope: Scope, filters: Filters) -> Choices:
    teams = list(db.session.scalars(visible_teams(user).order_by(Team.name)))
    team = next((t for t in teams if t.id == filters.team_id), None)
    if filters.team_id is not None and team is None:
        raise NotVisible(_("There is no such team among those you may see."))
    lines = product_lines()
    line = next((li for li in lines if li.id == filters.line_id), None)
    if filters.line_id is not None and line is None:
        raise NotVisible(_("There is no such product line."))
    reps: list[Seller] = []
    if team is not None or user.role is Role.MANAGER:
        reps = [
            s
            for s in sellers(scope.sellers, team_id=team.id if team else None)
            if s.role is Role.REP or s.id == filters.rep_id
        ]
    rep = next((s for s in reps if s.id == filters.rep_id), None)
    if filters.rep_id is not None and rep is None:
        one = select(User.id).where(User.id == filters.rep_id, User.id.in_(scope.sellers))
        rep = next(iter(sellers(one)), None)
        if rep is None:
            raise NotVisible(_("There is no such person among those you may see."))
    return Choices(teams, reps, lines, team, rep, line)


def customer_survey(survey: Survey) -> Survey:
    """``survey`` if its results belong on these pages (a customer survey), else NotVisible."""
    if survey.kind not in CUSTOMER_KINDS:
        raise NotVisible(_("Only customer surveys have results here."))
    return survey


def results_page(
    user: User,
    filters: Filters,
    *,
    survey: Survey | None = None,
    sort: str = "name",
    reps_page: int = 1,
    teams_page: int = 1,
    comments_page: int = 1,
    per_page: int = 25,
    today: datetime.date,
) -> ResultsPage:
    """The overview (``survey`` None: every customer survey) or one survey's results page,
    scoped to what ``user`` may see; a fixed number of queries whatever the data."""
    if survey is not None:
        customer_survey(survey)
        filters = replace(filters, survey_id=survey.id)
    scope = scope_of(user)
    choices = _choices(user, scope, filters)
    figures = results(scope, filters, survey=survey, today=today)
    sort = sort if sort in SORTS else "name"
    return ResultsPage(
        filters=filters,
        survey=survey,
        choices=choices,
        results=figures,
        reps=page_of(ordered(figures.reps, figures.metric, sort), reps_page, per_page),
        teams=page_of(ordered(figures.teams, figures.metric, sort), teams_page, per_page),
        comments=comment_page(scope, filters, page=comments_page, per_page=per_page),
        surveys=survey_summaries(scope, filters) if survey is None else [],
        sort=sort,
    )


def export_rows(user: User, survey: Survey, filters: Filters) -> Iterator[str]:
    """The CSV export of ``survey``'s raw answers that ``user`` may see, as text chunks."""
    customer_survey(survey)
    filters = replace(filters, survey_id=survey.id)
    scope = scope_of(user)
    _choices(user, scope, filters)  # refuses a team or person the reader may not see
    return csv_text(answer_rows(scope, filters))


# Per rep, for other domains ---------------------------------------------------------------------


def counts_by_rep(rep_ids: Select, start: datetime.date, end: datetime.date) -> dict[int, Counts]:
    """NPS band counts and CSAT ratings of the customer answers about each of ``rep_ids``
    submitted in ``[start, end)`` (UTC days), one GROUP BY query; reps without answers left out.
    The same counting as the results page (``_scores``), for scorecards and dashboards."""
    filters = Filters(date_from=start, date_to=end - datetime.timedelta(days=1))
    query = _scores(Scope(rep_ids, everyone=False), filters, Response.rep_id.label("rep_id"))
    return {row.rep_id: _score_counts(row) for row in db.session.execute(query)}
