"""REST API of scorecards: figures per rep for a period (the index, its parts, and n for every
survey figure), and one rep's scorecard PDF; scoped like the pages."""

from __future__ import annotations

from flask import Response, abort, current_app, jsonify
from flask_babel import gettext as _
from pydantic import BaseModel
from sqlalchemy import select

from coachflow.accounts.models import Team, User
from coachflow.accounts.policy import visible_sellers
from coachflow.lib.periods import parse_period
from coachflow.platform.api import MAX_ID, InvalidParameter, endpoint, parsed_arg, text_arg
from coachflow.platform.api.openapi import LIST_ERRORS, READ_ERRORS, path_parameter, query
from coachflow.platform.extensions import db
from coachflow.platform.permissions import allowed, caller, requires
from coachflow.scorecards import documents, policy, queries, services
from coachflow.scorecards.models import DownloadKind

PERIOD_HELP = "A period: 2026 (year), 2026-Q3 (quarter) or 2026-07 (month)."


class NpsFigure(BaseModel):
    value: float | None
    n: int
    low: float | None
    high: float | None
    promoters: int
    passives: int
    detractors: int
    shrunk: float | None


class CsatFigure(BaseModel):
    share: float | None
    n: int
    low: float | None
    high: float | None
    mean: float | None
    shrunk: float | None


class RepScorecard(BaseModel):
    rep_id: int
    name: str
    team_id: int | None
    team: str
    currency: str
    revenue: int
    quota: int | None
    attainment: float | None
    margin_pct: float | None
    repeat_share: float | None
    estimates_given: int
    estimates_target: int | None
    nps: NpsFigure
    csat: CsatFigure
    few_answers: bool
    followup_resolution_rate: float | None
    followups_resolved: int
    followups_not_resolved: int
    followup_median_hours_to_resolve: float | None
    coaching_sessions: int
    goals_met: int
    goals_total: int
    index: float | None
    index_parts: dict[str, float]
    index_weights: dict[str, float]
    rank: int | None
    percentile: float | None


class Scorecards(BaseModel):
    period: str
    state: str
    formula: str
    weights_normalised: bool
    reps: list[RepScorecard]


def _rep(values: queries.RepFigures, currency: str) -> RepScorecard:
    nps, csat = values.nps, values.csat
    return RepScorecard(
        rep_id=values.rep_id,
        name=values.name,
        team_id=values.team_id,
        team=values.team_name,
        currency=currency,
        revenue=values.revenue,
        quota=values.quota,
        attainment=values.attainment,
        margin_pct=values.margin_pct,
        repeat_share=values.repeat_share,
        estimates_given=values.estimates_given,
        estimates_target=values.estimates_target,
        nps=NpsFigure(
            value=nps.value,
            n=nps.n,
            low=nps.low,
            high=nps.high,
            promoters=nps.promoters,
            passives=nps.passives,
            detractors=nps.detractors,
            shrunk=values.nps_shrunk,
        ),
        csat=CsatFigure(
            share=csat.share,
            n=csat.n,
            low=csat.low,
            high=csat.high,
            mean=csat.mean,
            shrunk=values.csat_shrunk,
        ),
        few_answers=values.few_answers,
        followup_resolution_rate=values.followup_resolution_rate,
        followups_resolved=values.followups_resolved,
        followups_not_resolved=values.followups_not_resolved,
        followup_median_hours_to_resolve=values.followup_hours_to_resolve,
        coaching_sessions=values.coaching_sessions,
        goals_met=values.goals_met,
        goals_total=values.goals_total,
        index=values.index,
        index_parts=values.index_parts,
        index_weights=values.index_weights,
        rank=values.rank,
        percentile=values.percentile,
    )


@endpoint(
    "GET",
    "/scorecards",
    tag="Scorecards",
    summary="Scorecard figures per rep for a period.",
    description=(
        "The reps the token's user may see (HR and admin: everyone; a manager: their teams; "
        "a rep: themselves), narrowed to one team by name. Amounts are integer minor units; "
        "shares are fractions; NPS runs from -100 to 100. Every survey figure carries its n."
    ),
    parameters=(
        {
            "name": "period",
            "in": "query",
            "required": True,
            "schema": {"type": "string", "maxLength": 16},
            "description": PERIOD_HELP,
        },
        query("team", {"type": "string", "maxLength": 120}, "Only this team (its name)."),
    ),
    ok=Scorecards,
    ok_text="The scorecards.",
    errors=(*LIST_ERRORS, 404),
)
@requires(policy.API_READ_SCORECARDS)
def list_scorecards():
    who = caller(policy.API_READ_SCORECARDS)
    period = parsed_arg("period", parse_period, _("Write a period as 2026, 2026-Q3 or 2026-07."))
    if period is None:
        raise InvalidParameter("period", _("Give the period, e.g. 2026-Q3."))
    ids = select(User.id).where(User.id.in_(visible_sellers(who)))
    name = text_arg("team")
    if name is not None:
        team = db.session.scalar(select(Team).where(Team.name == name.strip()))
        if team is None or not allowed(who, policy.API_READ_SCORECARDS, team):
            abort(404)
        ids = ids.where(User.team_id == team.id)
    cards = queries.period_figures(period, ids)
    currency = current_app.config["SALES_CURRENCY"]
    body = Scorecards(
        period=period.label,
        state=cards.state,
        formula=documents.index_formula(cards.settings),
        weights_normalised=cards.settings.weights.adjusted,
        reps=[
            _rep(values, currency) for values in sorted(cards.reps.values(), key=lambda r: r.rep_id)
        ],
    )
    return jsonify(body.model_dump(mode="json"))


@endpoint(
    "GET",
    f"/scorecards/<int(max={MAX_ID}):rep_id>/<period>.pdf",
    tag="Scorecards",
    summary="One rep's scorecard as PDF.",
    description="A closed period's PDF is the one frozen when it was closed.",
    parameters=(
        path_parameter("rep_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}),
        path_parameter("period", {"type": "string", "maxLength": 16}, description=PERIOD_HELP),
    ),
    ok_text="The PDF.",
    ok_media="application/pdf",
    errors=(400, *READ_ERRORS),
)
@requires(policy.API_READ_SCORECARDS)
def scorecard_pdf(rep_id: int, period: str):
    who = caller(policy.API_READ_SCORECARDS)
    try:
        chosen = parse_period(period)
    except ValueError:
        raise InvalidParameter("period", _("Write a period as 2026, 2026-Q3 or 2026-07.")) from None
    person = db.session.get(User, rep_id)
    if person is None or not allowed(who, policy.API_READ_SCORECARDS, person):
        abort(404)
    document = services.scorecard_pdf(chosen, person.id)
    if document is None:
        abort(404)
    services.record_download(who, DownloadKind.SINGLE, chosen, rep_id=person.id)
    filename = services.pdf_filename(person.name, chosen)
    return Response(
        document,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
