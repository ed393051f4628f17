"""REST API of pulse: the rounds, and one round's results per group (HR and admin tokens).

The results obey the same rule as the page and the CSV export (``coachflow.lib.anonymity``):
a hidden group has ``hidden: true`` and null figures. The answer pool is never served.
"""

from __future__ import annotations

import datetime

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import NotFound

from coachflow.platform.api import LIST_PARAMETERS, MAX_ID, endpoint, page_of
from coachflow.platform.api.openapi import LIST_ERRORS, Page, path_parameter
from coachflow.platform.extensions import db
from coachflow.platform.permissions import caller, requires
from coachflow.pulse import policy, queries
from coachflow.pulse.models import PulseRound, RoundStatus


class Output(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Round(Output):
    id: int
    pulse_id: int
    pulse: str
    number: int
    opens_on: datetime.date
    closes_on: datetime.date
    status: RoundStatus


class ItemShare(Output):
    question_id: int
    text: str
    favourable: float | None = Field(description="Share of answers 4 or 5 (0…1).")


class GroupResult(Output):
    team: str | None = Field(description="The team; null for the company.")
    parent: str | None = Field(description="The group above: `company` for a team.")
    responses: int | None = Field(description="Answers; null when hidden.")
    hidden: bool = Field(description="Too few answers, or hidden so none can be subtracted.")
    enps: float | None
    interval: list[float] | None = Field(description="95% interval of the eNPS: [low, high].")
    promoters: float | None
    passives: float | None
    detractors: float | None
    items: list[ItemShare] | None


class RoundResult(Output):
    round: Round
    minimum: int = Field(description="Answers a group needs before its figures show.")
    groups: list[GroupResult]


def _round(round_: PulseRound) -> Round:
    return Round(
        id=round_.id,
        pulse_id=round_.pulse_id,
        pulse=round_.pulse.name,
        number=round_.number,
        opens_on=round_.opens_on,
        closes_on=round_.closes_on,
        status=round_.status,
    )


def _group(group: queries.Group) -> GroupResult:
    estimate = None if group.hidden else group.enps
    known = estimate is not None and estimate.known
    return GroupResult(
        team=group.name or None,
        parent=group.parent,
        responses=None if group.hidden else group.responses,
        hidden=group.hidden,
        enps=estimate.value if known else None,
        interval=[estimate.low, estimate.high] if known else None,
        promoters=estimate.promoter_share if known else None,
        passives=estimate.passive_share if known else None,
        detractors=estimate.detractor_share if known else None,
        items=None
        if group.hidden
        else [
            ItemShare(question_id=i.question_id, text=i.text, favourable=i.favourable)
            for i in group.items
        ],
    )


@endpoint(
    "GET",
    "/pulse/rounds",
    tag="Pulse",
    summary="List pulse rounds, newest first.",
    description="HR and admin tokens.",
    parameters=LIST_PARAMETERS,
    ok=Page[Round],
    ok_text="One page.",
    paged=True,
    errors=LIST_ERRORS,
)
@requires(policy.PULSE_API)
def list_pulse_rounds():
    statement = (
        select(PulseRound)
        .options(joinedload(PulseRound.pulse))
        .order_by(PulseRound.opens_on.desc(), PulseRound.id.desc())
    )
    return page_of(statement, _round, Round, scalars=True)


@endpoint(
    "GET",
    f"/pulse/rounds/<int(max={MAX_ID}):round_id>/results",
    tag="Pulse",
    summary="One round's results per group: the company and every team.",
    description=(
        "A group with too few answers, or hidden so that it cannot be worked out by "
        "subtraction, has `hidden: true` and null figures."
    ),
    parameters=(path_parameter("round_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}),),
    ok=RoundResult,
    ok_text="The round's groups.",
    errors=(*LIST_ERRORS, 404),
)
@requires(policy.PULSE_API)
def pulse_round_results(round_id: int):
    round_ = db.session.get(PulseRound, round_id)
    if round_ is None:
        raise NotFound()
    results = queries.round_results(caller(policy.PULSE_API), round_)
    body = RoundResult(
        round=_round(round_),
        minimum=results.thresholds.minimum,
        groups=[_group(g) for g in [results.company, *results.teams]],
    )
    return jsonify(body.model_dump(mode="json"))
