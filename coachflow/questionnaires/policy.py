"""Who may build a questionnaire (a survey's versions, questions and texts) and send it."""

from __future__ import annotations

from typing import Any

from coachflow.accounts.models import Role
from coachflow.platform.permissions import action
from coachflow.questionnaires.models import Survey


def may_manage_survey(user: Any, survey: object) -> bool:
    """HR and admin manage every survey; a manager their own."""
    if not isinstance(survey, Survey):
        raise TypeError(f"no ownership rule for {type(survey).__name__}")
    return user.role in (Role.ADMIN, Role.HR) or survey.owner_id == user.id


MANAGE_SURVEYS = action(
    "surveys.manage", {Role.ADMIN, Role.HR, Role.MANAGER}, rule=may_manage_survey
)
