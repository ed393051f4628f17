"""REST API of follow-up cases: the list (filters rep, team, state, opened_from, opened_to)
and one case, scoped like the pages (a case outside the token user's scope is a 404). A read
token is the API's one read action (``sales.policy.API_READ``); the cases' own rule scopes it."""

from __future__ import annotations

import datetime

from flask import jsonify
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import NotFound

from coachflow.followups import policy, queries
from coachflow.followups.models import CaseReason, CaseState, FollowUpCase
from coachflow.platform.api import (
    LIST_PARAMETERS,
    MAX_ID,
    InvalidParameter,
    endpoint,
    int_arg,
    page_of,
    parsed_arg,
    text_arg,
)
from coachflow.platform.api.openapi import (
    LIST_ERRORS,
    READ_ERRORS,
    Page,
    Timestamp,
    path_parameter,
    query,
)
from coachflow.platform.extensions import db
from coachflow.platform.permissions import allowed, caller, requires
from coachflow.sales import policy as sales_policy


class FollowUp(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    state: CaseState
    reason: CaseReason
    score: int | None = Field(description="The NPS score or satisfaction rating of the answer.")
    comment: str
    rep_email: str | None
    team_id: int | None
    account_external_id: str | None
    deal_external_id: str | None
    root_cause: str | None = Field(description="The root cause's code, once the case is closed.")
    opened_at: Timestamp
    due_at: Timestamp
    overdue: bool
    first_contact_at: Timestamp | None
    closed_at: Timestamp | None


def _follow_up(case: FollowUpCase) -> FollowUp:
    active = not case.state.is_closed
    return FollowUp(
        id=case.id,
        state=case.state,
        reason=case.reason,
        score=case.score,
        comment=case.comment,
        rep_email=case.rep.email if case.rep is not None else None,
        team_id=case.team_id,
        account_external_id=case.account.external_id if case.account is not None else None,
        deal_external_id=case.deal.external_id if case.deal is not None else None,
        root_cause=case.root_cause.code if case.root_cause is not None else None,
        opened_at=case.opened_at,
        due_at=case.due_at,
        overdue=active and case.due_at < datetime.datetime.now(datetime.UTC),
        first_contact_at=case.first_contact_at,
        closed_at=case.closed_at,
    )


def _loaded():
    return (
        joinedload(FollowUpCase.rep),
        joinedload(FollowUpCase.account),
        joinedload(FollowUpCase.deal),
        joinedload(FollowUpCase.root_cause),
    )


DATE = {"type": "string", "format": "date"}


@endpoint(
    "GET",
    "/followups",
    tag="Follow-ups",
    summary="List the follow-up cases the token's user may see, newest first.",
    description=(
        "Admin and HR: every case; a manager: their teams' and their own; a rep: their own. "
        "opened_from and opened_to are days (UTC), both included."
    ),
    parameters=(
        *LIST_PARAMETERS,
        query("rep", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "Cases of this rep."),
        query("team", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "Cases of this team."),
        query(
            "state",
            {"type": "string", "enum": [state.value for state in CaseState]},
            "Cases in this state.",
        ),
        query("opened_from", DATE, "Cases opened on or after this day."),
        query("opened_to", DATE, "Cases opened on or before this day."),
    ),
    ok=Page[FollowUp],
    ok_text="One page.",
    paged=True,
    errors=LIST_ERRORS,
)
@requires(sales_policy.API_READ)
def list_followups():
    state = text_arg("state")
    if state is not None and state not in CaseState._value2member_map_:
        raise InvalidParameter(
            "state", _("Use one of: %(values)s.", values=", ".join(s.value for s in CaseState))
        )
    message = _("Use a date such as 2026-12-31.")
    filters = queries.CaseFilters(
        state=CaseState(state) if state is not None else None,
        rep_id=int_arg("rep", 0, 1, MAX_ID) or None,
        team_id=int_arg("team", 0, 1, MAX_ID) or None,
        opened_from=parsed_arg("opened_from", datetime.date.fromisoformat, message),
        opened_to=parsed_arg("opened_to", datetime.date.fromisoformat, message),
    )
    statement = queries.case_ids_for_api(caller(sales_policy.API_READ), filters).options(*_loaded())
    return page_of(statement, _follow_up, FollowUp, scalars=True)


@endpoint(
    "GET",
    f"/followups/<int(max={MAX_ID}):case_id>",
    tag="Follow-ups",
    summary="One follow-up case by id.",
    parameters=(path_parameter("case_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}),),
    ok=FollowUp,
    ok_text="The case.",
    errors=READ_ERRORS,
)
@requires(sales_policy.API_READ)
def get_followup(case_id: int):
    case = db.session.get(FollowUpCase, case_id, options=_loaded())
    if case is None or not allowed(caller(sales_policy.API_READ), policy.VIEW_CASES, case):
        raise NotFound()
    return jsonify(_follow_up(case).model_dump(mode="json"))
