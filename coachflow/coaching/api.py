"""REST API of coaching: the cycles the token's user may see, and one cycle with its goals,
sessions and action items; scoped as the pages are."""

from __future__ import annotations

import datetime
from typing import Any

from flask import jsonify
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field
from werkzeug.exceptions import NotFound

from coachflow.coaching import policy, queries
from coachflow.coaching.models import (
    CoachingCycle,
    CycleState,
    Metric,
    SessionKind,
    SessionState,
)
from coachflow.lib.periods import parse_period
from coachflow.platform.api import (
    LIST_PARAMETERS,
    MAX_ID,
    endpoint,
    page_of,
    parsed_arg,
    text_arg,
)
from coachflow.platform.api.openapi import LIST_ERRORS, Page, Timestamp, path_parameter, query
from coachflow.platform.extensions import db
from coachflow.platform.permissions import allowed, caller, requires
from coachflow.platform.time import utcnow


class Output(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Cycle(Output):
    id: int
    rep_email: str
    rep_name: str
    manager_name: str
    team: str
    period_start: datetime.date
    period_end: datetime.date = Field(description="The cycle's last day.")
    state: CycleState


class GoalOut(Output):
    id: int
    title: str
    metric: Metric
    target: float
    due_on: datetime.date
    value: float | None = Field(description="Computed from the data, or set by hand (manual).")
    expected_today: float
    behind: bool
    met: bool


class SessionOut(Output):
    id: int
    kind: SessionKind
    state: SessionState
    starts_at: Timestamp
    duration_minutes: int
    place: str
    agenda: list[str]
    debriefed: bool


class ActionItemOut(Output):
    id: int
    text: str
    owner_email: str
    due_on: datetime.date
    done: bool


class CycleDetail(Cycle):
    summary: str
    goals: list[GoalOut]
    sessions: list[SessionOut]
    action_items: list[ActionItemOut]


def _cycle(row: Any) -> Cycle:
    return Cycle(
        id=row.id,
        rep_email=row.rep_email,
        rep_name=row.rep_name,
        manager_name=row.manager_name,
        team=row.team_name,
        period_start=row.period_start,
        period_end=row.period_end - datetime.timedelta(days=1),
        state=row.state,
    )


def _state(text: str) -> CycleState:
    return CycleState(text)


@endpoint(
    "GET",
    "/coaching/cycles",
    tag="Coaching",
    summary="List the coaching cycles the token's user may see.",
    description="Admin and HR: every cycle; a manager: their teams'; a rep: their own.",
    parameters=(
        *LIST_PARAMETERS,
        query("rep", {"type": "string"}, "Only cycles of the rep with this email."),
        query("team", {"type": "string"}, "Only cycles of reps of the team with this name."),
        query("period", {"type": "string"}, "Only cycles overlapping 2026, 2026-Q2 or 2026-05."),
        query(
            "state",
            {"type": "string", "enum": [state.value for state in CycleState]},
            "Only cycles in this state.",
        ),
    ),
    ok=Page[Cycle],
    ok_text="One page.",
    paged=True,
    errors=LIST_ERRORS,
)
@requires(policy.API_READ_COACHING)
def list_coaching_cycles():
    filters = queries.CycleFilters(
        period=parsed_arg(
            "period", parse_period, _("Use a period such as 2026, 2026-Q2 or 2026-05.")
        ),
        state=parsed_arg(
            "state",
            _state,
            _("Use one of: %(values)s.", values=", ".join(s.value for s in CycleState)),
        ),
        rep_email=text_arg("rep"),
        team_name=text_arg("team"),
    )
    statement = queries.cycles_query(caller(policy.API_READ_COACHING), filters)
    return page_of(statement, _cycle, Cycle)


@endpoint(
    "GET",
    f"/coaching/cycles/<int(max={MAX_ID}):cycle_id>",
    tag="Coaching",
    summary="One coaching cycle with its goals (and their progress), sessions and action items.",
    parameters=(path_parameter("cycle_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}),),
    ok=CycleDetail,
    ok_text="The cycle.",
    errors=(*LIST_ERRORS, 404),
)
@requires(policy.API_READ_COACHING)
def get_coaching_cycle(cycle_id: int):
    who = caller(policy.API_READ_COACHING)
    found = db.session.get(CoachingCycle, cycle_id)
    if found is None or not allowed(who, policy.API_READ_COACHING, found):
        raise NotFound()
    row = db.session.execute(
        queries.cycles_query(who, queries.CycleFilters()).where(CoachingCycle.id == cycle_id)
    ).one()
    page = queries.cycle_page(found, who, utcnow().date())
    detail = CycleDetail(
        **_cycle(row).model_dump(),
        summary=found.summary,
        goals=[
            GoalOut(
                id=g.goal.id,
                title=g.goal.title,
                metric=g.goal.metric,
                target=g.goal.target,
                due_on=g.goal.due_on,
                value=g.pace.value,
                expected_today=g.pace.expected,
                behind=g.pace.behind,
                met=g.pace.met,
            )
            for g in page.goals
        ],
        sessions=[
            SessionOut(
                id=s.id,
                kind=s.kind,
                state=s.state,
                starts_at=s.starts_at,
                duration_minutes=s.duration_minutes,
                place=s.place,
                agenda=[point.text for point in s.agenda],
                debriefed=s.debrief is not None,
            )
            for s in page.sessions
        ],
        action_items=[
            ActionItemOut(
                id=item.id,
                text=item.text,
                owner_email=item.owner.email,
                due_on=item.due_on,
                done=item.done_at is not None,
            )
            for item in page.action_items
        ],
    )
    return jsonify(detail.model_dump(mode="json"))
