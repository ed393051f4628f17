"""Set-based reads of customer surveys' responses that other packages ask for."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, func, select

from coachflow.platform.extensions import db
from coachflow.questionnaires.models import SurveyVersion
from coachflow.questionnaires.queries import AnswerCounter
from coachflow.surveys.models import Response


def responses_per_survey(survey_ids: Sequence[int]) -> dict[int, int]:
    """How many responses each survey has (one GROUP BY query; surveys without any left out)."""
    if not survey_ids:
        return {}
    return dict(
        db.session.execute(
            select(Response.survey_id, func.count())
            .where(Response.survey_id.in_(survey_ids))
            .group_by(Response.survey_id)
        ).all()
    )


def answered_versions(version_ids: Sequence[int]) -> set[int]:
    """Those of the versions that have at least one response (one query; each stops at the first
    response it finds)."""
    if not version_ids:
        return set()
    return set(
        db.session.scalars(
            select(SurveyVersion.id).where(
                SurveyVersion.id.in_(version_ids),
                exists().where(Response.version_id == SurveyVersion.id),
            )
        )
    )


# The builder's survey list and its "edit a new version once answered" ask these.
ANSWER_COUNTER = AnswerCounter(
    responses_per_survey=responses_per_survey, answered_versions=answered_versions
)
