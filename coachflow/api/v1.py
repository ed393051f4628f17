"""REST API v1: accounts, contacts, deals and quotas for CRMs and scripts.

Bearer tokens only: the blueprint is exempt from CSRF because a session cookie never
authenticates it. Each view declares ``Action.API_READ`` or ``Action.API_WRITE``; the permission
layer asks the token's loader installed here who is calling and decides with the token's scopes
and its user's role. Writes go through the importer, so the API and CSV files validate alike.
Every error, routing ones under ``/api/`` included, is RFC 9457 problem details.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound

from coachflow.accounts.models import User
from coachflow.api import payloads, resources, services
from coachflow.api.openapi import openapi_document
from coachflow.api.problems import (
    INVALID_PARAMETER,
    MALFORMED_BODY,
    VALIDATION,
    problem,
)
from coachflow.api.tokens import ApiCaller, authenticate
from coachflow.auth.permissions import (
    TOKEN_SCOPES,
    Action,
    allowed,
    authorize,
    bearer_loader,
    caller,
    requires,
)
from coachflow.core.errors import render_error
from coachflow.errors import DomainError
from coachflow.extensions import csrf, db, limiter
from coachflow.sales.importing import ImportRejected
from coachflow.sales.models import Quota
from coachflow.sales.periods import Period, parse_period
from coachflow.sales.records import N_
from coachflow.surveys import distribution
from coachflow.surveys.models import Invitation, Survey, SurveyKind, SurveyStatus

log = logging.getLogger(__name__)

PREFIX = "/api/v1"

# Requests per token (or per address without one); API_RATE_LIMIT in the config overrides it.
DEFAULT_RATE_LIMIT = "600 per minute"

bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)


def _rate_limit_key() -> str:
    """One budget per token, told apart by its hash (no database query), else per address."""
    header = request.headers.get("Authorization")
    if header:
        return "api-token:" + hashlib.sha256(header.encode()).hexdigest()[:32]
    return "api-address:" + get_remote_address()


limiter.limit(
    lambda: current_app.config.get("API_RATE_LIMIT", DEFAULT_RATE_LIMIT), key_func=_rate_limit_key
)(bp)


def load_caller() -> ApiCaller | None:
    """The caller behind this request's bearer token, or None."""
    token = authenticate(request.headers.get("Authorization"))
    return ApiCaller(token) if token is not None else None


@bp.record_once
def _install_bearer_loader(state: Any) -> None:
    bearer_loader(state.app, load_caller)


@bp.after_request
def _not_cached(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# Accounts --------------------------------------------------------------------------------------


@bp.get("/accounts")
@requires(Action.API_READ)
def list_accounts():
    return _list("accounts")


@bp.get("/accounts/<external_id>")
@requires(Action.API_READ)
def get_account(external_id: str):
    return _one("accounts", external_id)


@bp.put("/accounts/<external_id>")
@requires(Action.API_WRITE)
def put_account(external_id: str):
    return _put("accounts", external_id)


@bp.post("/accounts/batch")
@requires(Action.API_WRITE)
def batch_accounts():
    return _batch("accounts")


# Contacts --------------------------------------------------------------------------------------


@bp.get("/contacts")
@requires(Action.API_READ)
def list_contacts():
    return _list("contacts")


@bp.get("/contacts/<external_id>")
@requires(Action.API_READ)
def get_contact(external_id: str):
    return _one("contacts", external_id)


@bp.put("/contacts/<external_id>")
@requires(Action.API_WRITE)
def put_contact(external_id: str):
    return _put("contacts", external_id)


@bp.post("/contacts/batch")
@requires(Action.API_WRITE)
def batch_contacts():
    return _batch("contacts")


# Deals -----------------------------------------------------------------------------------------


@bp.get("/deals")
@requires(Action.API_READ)
def list_deals():
    return _list("deals")


@bp.get("/deals/<external_id>")
@requires(Action.API_READ)
def get_deal(external_id: str):
    return _one("deals", external_id)


@bp.put("/deals/<external_id>")
@requires(Action.API_WRITE)
def put_deal(external_id: str):
    return _put("deals", external_id)


@bp.post("/deals/batch")
@requires(Action.API_WRITE)
def batch_deals():
    return _batch("deals")


# Quotas: no external id; one is a rep × period × product line -----------------------------------


@bp.get("/quotas")
@requires(Action.API_READ)
def list_quotas():
    return _list("quotas")


@bp.get("/quotas/<int:quota_id>")
@requires(Action.API_READ)
def get_quota(quota_id: int):
    return _one("quotas", quota_id)


@bp.post("/quotas")
@requires(Action.API_WRITE)
def create_quota():
    rows = payloads.single_row("quotas", _json_body())
    result = services.upsert_records("quotas", rows, token=_caller().token)
    values = rows[0][1]
    row = _first(
        resources.quota_by_target(values["rep_email"], values["period"], values["product_line"])
    )
    return _saved("quotas", row, created=bool(result.created), key=row[0].id)


@bp.post("/quotas/batch")
@requires(Action.API_WRITE)
def batch_quotas():
    return _batch("quotas")


@bp.put("/quotas/<int:quota_id>")
@requires(Action.API_WRITE)
def put_quota(quota_id: int):
    if not _may_exist(quota_id):
        raise NotFound()
    row = _first(resources.one_query("quotas", quota_id))
    current = resources.RESOURCES["quotas"].serialize(row)
    body = _json_body()
    keys = _same_quota(body, row[0], current)
    rows = payloads.single_row("quotas", body, fixed=keys)
    services.upsert_records("quotas", rows, token=_caller().token)
    return _saved(
        "quotas", _first(resources.one_query("quotas", quota_id)), created=False, key=quota_id
    )


# Surveys: the ones the token's user may send, and invitations to them ----------------------------

SURVEY_ID = f"<int(max={resources.MAX_QUOTA_ID}):survey_id>"
INVITATION_FIELDS = {
    "contact_external_id": 64,
    "email": 254,
    "rep_email": 254,
    "deal_external_id": 64,
}


@bp.get("/surveys")
@requires(Action.API_READ)
def list_surveys():
    page = _int_arg("page", 1, 1, resources.MAX_PAGE)
    per_page = _int_arg("per_page", resources.DEFAULT_PER_PAGE, 1, resources.MAX_PER_PAGE)
    query = distribution.manageable_surveys(_caller())
    for name, enum_type, column in (
        ("status", SurveyStatus, Survey.status),
        ("kind", SurveyKind, Survey.kind),
    ):
        value = _text_arg(name)
        if value is not None:
            if value not in enum_type._value2member_map_:
                raise InvalidParameter(
                    name, _("Use one of: %(values)s.", values=", ".join(e.value for e in enum_type))
                )
            query = query.where(column == enum_type(value))
    surveys = db.session.scalars(
        query.options(selectinload(Survey.versions), joinedload(Survey.owner))
        .order_by(Survey.id)
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    ).all()
    links = {
        "self": _page_url(page),
        "next": _page_url(page + 1) if len(surveys) > per_page else None,
        "prev": _page_url(page - 1) if page > 1 else None,
    }
    response = jsonify(
        data=[_survey(s) for s in surveys[:per_page]], page=page, per_page=per_page, links=links
    )
    link_header = [f'<{url}>; rel="{rel}"' for rel, url in links.items() if url and rel != "self"]
    if link_header:
        response.headers["Link"] = ", ".join(link_header)
    return response


@bp.post(f"/surveys/{SURVEY_ID}/invitations")
@requires(Action.API_WRITE)
def create_invitations(survey_id: int):
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise NotFound()
    who = _caller()
    if not allowed(who, Action.MANAGE_SURVEYS, survey):
        abort(403)
    requests = _invitation_requests(_json_body())
    selection, ids = distribution.invite_requested(survey, requests, who)
    statuses = dict(
        db.session.execute(
            select(Invitation.id, Invitation.status).where(Invitation.id.in_(ids))
        ).all()
    )
    reps = dict(
        db.session.execute(
            select(User.id, User.email).where(User.id.in_({r.rep_id for r in selection.recipients}))
        ).all()
    )
    created = [
        {
            "index": recipient.index,
            "id": invitation_id,
            "status": statuses[invitation_id].value,
            "email": recipient.email,
            "rep_email": reps.get(recipient.rep_id),
        }
        for recipient, invitation_id in zip(selection.recipients, ids, strict=True)
    ]
    excluded = [
        {
            "index": item.index,
            "email": item.email,
            "reason": item.reason.value,
            "detail": distribution.describe(item.reason, selection.throttle_days),
        }
        for item in selection.excluded
    ]
    return jsonify(created=created, excluded=excluded)


def _survey(survey: Survey) -> dict[str, Any]:
    version = survey.current_version
    return {
        "id": survey.id,
        "name": survey.name,
        "kind": survey.kind.value,
        "status": survey.status.value,
        "default_language": survey.default_language,
        "languages": sorted(version.texts or {}) if version is not None else [],
        "invitation_days": survey.invitation_days,
        "reminder_days": survey.reminder_days,
        "max_reminders": survey.max_reminders,
        "owner_email": survey.owner.email if survey.owner is not None else None,
        "created_at": survey.created_at.isoformat(),
    }


def _invitation_requests(body: Any) -> list[distribution.InvitationRequest]:
    """The recipients of ``{"invitations": [...]}``: each a contact_external_id or an email,
    with an optional rep_email and deal_external_id."""
    pointer = payloads.pointer
    if not isinstance(body, dict):
        raise payloads.InvalidPayload(
            [payloads.PayloadProblem("", N_("The body must be a JSON object."))]
        )
    problems = [
        payloads.PayloadProblem(pointer(name), N_("This field is not known."))
        for name in body
        if name != "invitations"
    ]
    items = body.get("invitations")
    if not isinstance(items, list):
        problems.append(
            payloads.PayloadProblem(pointer("invitations"), N_("Must be a list of invitations."))
        )
    elif not 1 <= len(items) <= payloads.MAX_BATCH:
        problems.append(
            payloads.PayloadProblem(
                pointer("invitations"),
                N_("Send between 1 and %(max)d invitations."),
                {"max": payloads.MAX_BATCH},
            )
        )
    if problems:
        raise payloads.InvalidPayload(problems)
    requests = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(
                payloads.PayloadProblem(pointer("invitations", index), N_("Must be an object."))
            )
            continue
        values: dict[str, str | None] = {}
        for name, value in item.items():
            at = pointer("invitations", index, name)
            if name not in INVITATION_FIELDS:
                problems.append(payloads.PayloadProblem(at, N_("This field is not known.")))
            elif value is not None and not isinstance(value, str):
                problems.append(payloads.PayloadProblem(at, N_("Must be a string.")))
            elif value is not None and (
                len(value) > INVITATION_FIELDS[name] or "\x00" in value or not value.isprintable()
            ):
                problems.append(
                    payloads.PayloadProblem(
                        at,
                        N_("Must be at most %(max)d printable characters."),
                        {"max": INVITATION_FIELDS[name]},
                    )
                )
            else:
                values[name] = (value.strip() or None) if value is not None else None
        if values.get("contact_external_id") and values.get("email"):
            problems.append(
                payloads.PayloadProblem(
                    pointer("invitations", index, "email"),
                    N_("Give contact_external_id or email, not both."),
                )
            )
        elif (
            not values.get("contact_external_id")
            and not values.get("email")
            and not any(p.pointer.startswith(pointer("invitations", index) + "/") for p in problems)
        ):
            problems.append(
                payloads.PayloadProblem(
                    pointer("invitations", index), N_("Give contact_external_id or email.")
                )
            )
        requests.append(distribution.InvitationRequest(index=index, **values))
    if problems:
        raise payloads.InvalidPayload(problems)
    return requests


@bp.get("/openapi.json")
@requires(Action.PUBLIC)
def openapi():
    return jsonify(openapi_document())


# The shared steps --------------------------------------------------------------------------------


def _caller() -> ApiCaller:
    return caller(Action.API_READ)


def _may_exist(key: str | int) -> bool:
    """False for keys no record can have, which some databases cannot even compare."""
    if isinstance(key, int):
        return key <= resources.MAX_QUOTA_ID  # SQLite overflows past 64 bits
    return "\x00" not in key  # PostgreSQL text cannot hold NUL


def _first(query: Any) -> Any:
    row = db.session.execute(query.limit(1)).first()
    if row is None:
        raise NotFound()
    return row


def _list(kind: str):
    page = _int_arg("page", 1, 1, resources.MAX_PAGE)
    per_page = _int_arg("per_page", resources.DEFAULT_PER_PAGE, 1, resources.MAX_PER_PAGE)
    filters = _filters(resources.RESOURCES[kind].filters)
    query = resources.list_query(kind, _caller(), filters)
    rows = db.session.execute(query.limit(per_page + 1).offset((page - 1) * per_page)).all()
    serialize = resources.RESOURCES[kind].serialize
    links = {
        "self": _page_url(page),
        "next": _page_url(page + 1) if len(rows) > per_page else None,
        "prev": _page_url(page - 1) if page > 1 else None,
    }
    response = jsonify(
        data=[serialize(row) for row in rows[:per_page]], page=page, per_page=per_page, links=links
    )
    link_header = [f'<{url}>; rel="{rel}"' for rel, url in links.items() if url and rel != "self"]
    if link_header:
        response.headers["Link"] = ", ".join(link_header)
    return response


def _one(kind: str, key: str | int):
    if not _may_exist(key):
        raise NotFound()
    row = _first(resources.one_query(kind, key))
    authorize(Action.API_READ, row[0])
    return jsonify(resources.RESOURCES[kind].serialize(row))


def _put(kind: str, external_id: str):
    rows = payloads.single_row(kind, _json_body(), fixed={"external_id": external_id})
    result = services.upsert_records(kind, rows, token=_caller().token)
    key = external_id.strip()
    return _saved(
        kind, _first(resources.one_query(kind, key)), created=bool(result.created), key=key
    )


def _batch(kind: str):
    rows = payloads.batch_rows(kind, _json_body())
    result = services.upsert_records(kind, rows, token=_caller().token)
    return jsonify(records=result.rows, created=result.created, updated=result.updated)


def _saved(kind: str, row: Any, *, created: bool, key: str | int) -> Response:
    response = jsonify(resources.RESOURCES[kind].serialize(row))
    if created:
        response.status_code = 201
        endpoint = {
            "accounts": "api.get_account",
            "contacts": "api.get_contact",
            "deals": "api.get_deal",
            "quotas": "api.get_quota",
        }[kind]
        argument = "quota_id" if kind == "quotas" else "external_id"
        response.headers["Location"] = url_for(endpoint, **{argument: key})
    return response


def _same_quota(body: Any, quota: Quota, current: dict[str, Any]) -> dict[str, str]:
    """The quota's rep, period and product line, which a body may repeat but not change."""
    keys = {
        "rep_email": current["rep_email"],
        "period": current["period"],
        "product_line": current["product_line"],
    }
    if not isinstance(body, dict):
        return keys
    same = {
        "rep_email": lambda v: v.strip().lower() == keys["rep_email"],
        "period": lambda v: _period_or_none(v) == Period(quota.period_start, quota.period_kind),
        "product_line": lambda v: (
            v.strip().lower() in {quota.product_line.code.lower(), quota.product_line.name.lower()}
        ),
    }
    problems = [
        payloads.PayloadProblem(
            payloads.pointer(name),
            N_("A quota's rep, period and product line cannot change; create a new quota instead."),
        )
        for name, check in same.items()
        if isinstance(body.get(name), str) and not check(body[name])
    ]
    if problems:
        raise payloads.InvalidPayload(problems)
    return {
        name: body[name] if isinstance(body.get(name), str) else value
        for name, value in keys.items()
    }


def _period_or_none(text: str) -> Period | None:
    try:
        return parse_period(text)
    except ValueError:
        return None


def _json_body() -> Any:
    return payloads.parse_json(request.get_data(cache=False))


# Query parameters ---------------------------------------------------------------------------------


class InvalidParameter(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name, self.message = name, message


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) < 12) or not low <= int(raw) <= high:
        raise InvalidParameter(
            name, _("Use a whole number from %(low)d to %(high)d.", low=low, high=high)
        )
    return int(raw)


def _text_arg(name: str) -> str | None:
    raw = request.args.get(name)
    if raw is not None and "\x00" in raw:
        raise InvalidParameter(name, _("Contains a character that cannot be stored."))
    return raw


def _parsed(name: str, parse: Any, message: str) -> Any:
    raw = _text_arg(name)
    if raw is None:
        return None
    try:
        return parse(raw)
    except (ValueError, OverflowError):
        raise InvalidParameter(name, message) from None


def _utc(text: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC)


def _filters(extra: tuple[str, ...]) -> resources.Filters:
    values: dict[str, Any] = {
        "rep": _text_arg("rep"),
        "updated_since": _parsed(
            "updated_since", _utc, _("Use an ISO 8601 time, such as 2026-03-01T00:00:00Z.")
        ),
    }
    if "account" in extra:
        values["account"] = _text_arg("account")
    for name in ("closed_from", "closed_to"):
        if name in extra:
            values[name] = _parsed(
                name, datetime.date.fromisoformat, _("Use an ISO 8601 date, such as 2026-03-01.")
            )
    if "period" in extra:
        values["period"] = _parsed(
            "period", parse_period, _("Use a period such as 2026, 2026-Q2 or 2026-05.")
        )
    return resources.Filters(**values)


def _page_url(page: int) -> str:
    args = request.args.to_dict()
    args["page"] = str(page)
    return f"{request.base_url}?{urlencode(args)}"


# Errors: problem details ------------------------------------------------------------------------


def _translate(message: str, params: dict[str, Any]) -> str:
    return _(message, **params) if params else _(message)


@bp.errorhandler(payloads.MalformedJson)
def _malformed(error: payloads.MalformedJson):
    return problem(
        400, _("The body is not valid JSON: %(reason)s.", reason=str(error)), type_=MALFORMED_BODY
    )


@bp.errorhandler(payloads.InvalidPayload)
def _invalid_payload(error: payloads.InvalidPayload):
    errors = [
        {"pointer": p.pointer, "detail": _translate(p.message, p.params)} for p in error.problems
    ]
    return problem(
        422,
        _("The request body has %(n)d problem(s); nothing was written.", n=len(errors)),
        type_=VALIDATION,
        errors=errors,
    )


@bp.errorhandler(ImportRejected)
def _rejected(error: ImportRejected):
    batch = request.endpoint is not None and request.endpoint.startswith("api.batch_")
    errors = [
        {
            "pointer": payloads.import_pointer(p, batch=batch),
            "detail": _translate(p.message, p.params),
        }
        for p in error.problems
    ]
    return problem(
        422,
        _("The records have %(n)d problem(s); nothing was written.", n=error.problem_count),
        type_=VALIDATION,
        errors=errors,
        problem_count=error.problem_count,
    )


@bp.errorhandler(distribution.RecipientsRejected)
def _recipients_rejected(error: distribution.RecipientsRejected):
    errors = [
        {
            "pointer": payloads.pointer("invitations", p.index, p.field),
            "detail": _translate(p.message, p.params),
        }
        for p in error.problems
    ]
    return problem(
        422,
        _("The invitations have %(n)d problem(s); none was created.", n=len(errors)),
        type_=VALIDATION,
        errors=errors,
    )


@bp.errorhandler(InvalidParameter)
def _invalid_parameter(error: InvalidParameter):
    return problem(
        400,
        error.message,
        type_=INVALID_PARAMETER,
        errors=[{"parameter": error.name, "detail": error.message}],
    )


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    return problem(error.status_code, error.message)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return http_problem(error)


@bp.errorhandler(InternalServerError)
def _server_error(error: InternalServerError):
    db.session.rollback()
    log.exception("unhandled API error", exc_info=error.original_exception)
    return problem(500, _("The request could not be completed. Nothing was changed; try again."))


@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
def _routing_error(error: HTTPException):
    """Routing errors reach no blueprint: under /api/ they are problems too, elsewhere pages."""
    if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
        return http_problem(error)
    return render_error(error.code or 500)


def _details() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Send a valid API token: Authorization: Bearer <token>."),
        403: _("This token's user may not do this."),
        404: _("There is nothing at this address."),
        405: _("This address does not accept the %(method)s method.", method=request.method),
        413: _("The request is larger than this server accepts."),
        429: _("Too many requests in a short time; wait and try again."),
    }


def http_problem(error: HTTPException) -> Response:
    """A werkzeug HTTP error (abort, routing, body too large) as problem details."""
    status = error.code or 500
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    detail = _details().get(status) or error.description or ""
    if status == 401:
        challenge = 'Bearer realm="CoachFlow API"'
        if request.headers.get("Authorization"):
            challenge += ', error="invalid_token"'
            detail = _(
                "This API token is not valid: it is unknown, revoked, or its user is deactivated."
            )
        headers = [(k, v) for k, v in headers if k.lower() != "www-authenticate"]
        headers.append(("WWW-Authenticate", challenge))
    elif status == 403:
        needed = _needed_scope()
        who = g.get("api_caller")
        if needed and who is not None and needed not in who.scopes:
            detail = _(
                "This token has the %(scopes)s scope; this needs %(needed)s.",
                scopes=who.token.scopes,
                needed=needed,
            )
            headers.append(
                (
                    "WWW-Authenticate",
                    f'Bearer realm="CoachFlow API", error="insufficient_scope", scope="{needed}"',
                )
            )
    return problem(status, detail, headers=headers)


def _needed_scope() -> str | None:
    view = current_app.view_functions.get(request.endpoint or "")
    return TOKEN_SCOPES.get(getattr(view, "required_action", None))  # type: ignore[arg-type]
