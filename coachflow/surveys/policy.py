"""Who may send surveys, read their results, and handle a contact's privacy requests."""

from __future__ import annotations

from typing import Any

from coachflow.accounts.models import Role
from coachflow.accounts.policy import ADMIN, EVERYONE
from coachflow.platform.permissions import action
from coachflow.questionnaires.models import Survey

# Sending a survey and following its invitations take the right to build it (the
# questionnaire's action, declared there).
from coachflow.questionnaires.policy import MANAGE_SURVEYS as MANAGE_SURVEYS


def may_read_results(user: Any, survey: object) -> bool:
    """The survey itself is open to all who read results; its figures are scoped to
    ``visible_sellers(user)`` by the results queries."""
    if not isinstance(survey, Survey):
        raise TypeError(f"no ownership rule for {type(survey).__name__}")
    return True


VIEW_SURVEY_RESULTS = action("surveys.results", EVERYONE, rule=may_read_results)
MANAGE_CONTACT_PRIVACY = action("contacts.privacy", ADMIN)
# Let a manager's send to pasted addresses go out, when the organisation requires approval.
APPROVE_ADHOC_SENDS = action("surveys.approve_adhoc", {Role.ADMIN, Role.HR})
