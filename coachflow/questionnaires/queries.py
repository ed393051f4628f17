"""Set-based reads of questionnaires: the builder's list with its counts, and whether a version
has been answered.

Answers are stored by the domains that collect them (customer surveys' responses to invitations;
later pulse and coaching assessments, whose answers belong to no invitation), which come after
this package and so cannot be imported here. Each registers an ``AnswerCounter`` at start-up;
the counts below add up what the registered counters report, and are zero without any.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import joinedload

from coachflow.accounts.models import Role, User
from coachflow.platform.extensions import db
from coachflow.platform.paging import Page, paginate
from coachflow.questionnaires.models import (
    Question,
    Survey,
    SurveyKind,
    SurveyStatus,
    SurveyVersion,
)

ANSWER_COUNTERS = "coachflow.answer_counters"


@dataclass(frozen=True)
class AnswerCounter:
    """How a domain that collects answers tells the builder about them; each function is one
    set-based query (GROUP BY or a semi-join) over the ids it is given, never one per id."""

    # Survey ids -> how many responses each has (surveys without any may be left out).
    responses_per_survey: Callable[[Sequence[int]], Mapping[int, int]]
    # Version ids -> those among them that have at least one response.
    answered_versions: Callable[[Sequence[int]], Collection[int]]


def register_answer_counter(app: Flask, counter: AnswerCounter) -> None:
    """Let the builder count the answers a domain stores (call from its ``register(app)``)."""
    app.extensions.setdefault(ANSWER_COUNTERS, []).append(counter)


def _answer_counters() -> list[AnswerCounter]:
    return current_app.extensions.get(ANSWER_COUNTERS, [])


def responses_per_survey(survey_ids: Sequence[int]) -> dict[int, int]:
    """Responses per survey, over every domain that collects them: one query per domain."""
    totals: dict[int, int] = {}
    for counter in _answer_counters():
        for survey_id, count in counter.responses_per_survey(survey_ids).items():
            totals[survey_id] = totals.get(survey_id, 0) + count
    return totals


def has_answers(version: SurveyVersion) -> bool:
    """Whether anybody has answered this version (then it is never edited in place)."""
    return any(
        version.id in counter.answered_versions([version.id]) for counter in _answer_counters()
    )


# The list of surveys ------------------------------------------------------------------------------


def visible_surveys(user: User) -> Select[tuple[Survey]]:
    """The surveys ``user`` may build and send: a manager their own, HR and admin all."""
    query = select(Survey)
    if user.role in (Role.ADMIN, Role.HR):
        return query
    return query.where(Survey.owner_id == user.id)


@dataclass(frozen=True)
class SurveyCounts:
    versions: int = 0
    questions: int = 0  # in the current version
    responses: int = 0


@dataclass
class SurveyListPage:
    page: Page
    counts: dict[int, SurveyCounts] = field(default_factory=dict)


def survey_list(
    user: User, *, status: SurveyStatus | None, kind: SurveyKind | None, page: int, per_page: int
) -> SurveyListPage:
    """One page of ``user``'s surveys, newest first, with their counts: four queries in all."""
    query = visible_surveys(user).options(joinedload(Survey.owner))
    if status is not None:
        query = query.where(Survey.status == status)
    if kind is not None:
        query = query.where(Survey.kind == kind)
    result = paginate(
        query.order_by(Survey.created_at.desc(), Survey.id.desc()),
        page,
        per_page,
    )
    return SurveyListPage(result, survey_counts([survey.id for survey in result.items]))


def survey_counts(survey_ids: Sequence[int]) -> dict[int, SurveyCounts]:
    """Versions, questions of the current version and responses per survey, grouped in SQL."""
    if not survey_ids:
        return {}
    current = (
        select(
            SurveyVersion.survey_id,
            func.max(SurveyVersion.number).label("number"),
            func.count().label("versions"),
        )
        .where(SurveyVersion.survey_id.in_(survey_ids))
        .group_by(SurveyVersion.survey_id)
        .subquery()
    )
    rows = db.session.execute(
        select(current.c.survey_id, current.c.versions, func.count(Question.id))
        .join(
            SurveyVersion,
            and_(
                SurveyVersion.survey_id == current.c.survey_id,
                SurveyVersion.number == current.c.number,
            ),
        )
        .outerjoin(Question, Question.version_id == SurveyVersion.id)
        .group_by(current.c.survey_id, current.c.versions)
    ).all()
    responses = responses_per_survey(survey_ids)
    return {
        survey_id: SurveyCounts(versions, questions, responses.get(survey_id, 0))
        for survey_id, versions, questions in rows
    }
