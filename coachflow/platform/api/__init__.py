"""The REST API's shared parts: the ``/api/v1`` blueprint, its rate limit, paging, query
parameters, JSON bodies, RFC 9457 problem details for every error, and the OpenAPI document.

Bearer tokens only: the blueprint is exempt from CSRF because a session cookie never
authenticates it. A domain adds its endpoints with ``endpoint`` (the route, its action and its
OpenAPI operation in one declaration) and installs how a token becomes a caller with
``record_once`` on ``bp``; ``coachflow.app`` registers the blueprint after the domains have added
their endpoints. Nothing here imports a domain.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from pydantic import BaseModel
from sqlalchemy import Select
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound

from coachflow.platform.api.bodies import InvalidPayload, MalformedJson, parse_json
from coachflow.platform.api.openapi import (
    PREFIX,
    Operation,
    Page,
    Registry,
    openapi_path,
    query,
)
from coachflow.platform.error_pages import render_error
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import csrf, db, limiter
from coachflow.platform.permissions import PUBLIC, requires
from coachflow.platform.problems import INVALID_PARAMETER, MALFORMED_BODY, VALIDATION, problem

log = logging.getLogger(__name__)

# Requests per token (or per address without one); API_RATE_LIMIT in the config overrides it.
DEFAULT_RATE_LIMIT = "600 per minute"
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 500
MAX_PAGE = 1_000_000_000
MAX_ID = 2**31 - 1  # id columns are 32-bit integers; larger ids are simply not found

bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)
registry = Registry()

View = TypeVar("View", bound=Callable[..., Any])


def _rate_limit_key() -> str:
    """One budget per token, told apart by its hash (no database query), else per address."""
    header = request.headers.get("Authorization")
    if header:
        return "api-token:" + hashlib.sha256(header.encode()).hexdigest()[:32]
    return "api-address:" + get_remote_address()


limiter.limit(
    lambda: current_app.config.get("API_RATE_LIMIT", DEFAULT_RATE_LIMIT), key_func=_rate_limit_key
)(bp)


@bp.after_request
def _not_cached(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def endpoint(
    method: str,
    rule: str,
    *,
    tag: str,
    summary: str,
    ok: type[BaseModel] | None = None,
    ok_text: str = "",
    created: type[BaseModel] | None = None,
    paged: bool = False,
    errors: tuple[int, ...] = (),
    **documented: Any,
) -> Callable[[View], View]:
    """Route ``method rule`` to the view and document it; ``ok`` and ``created`` are the
    response models of 200 and 201, ``errors`` the problem statuses besides 429."""

    def decorate(view: View) -> View:
        responses: dict[int, tuple[type[BaseModel] | None, str, tuple[str, ...]]] = {}
        if ok is not None or created is None:
            responses[200] = (ok, ok_text, ("Link",) if paged else ())
        if created is not None:
            responses[201] = (created, "Created.", ("Location",))
        registry.add(
            Operation(
                method=method.lower(),
                path=PREFIX + openapi_path(rule),
                operation_id=view.__name__,
                tag=tag,
                summary=summary,
                responses=responses,
                errors=errors,
                **documented,
            )
        )
        bp.add_url_rule(rule, view_func=view, methods=[method])
        return view

    return decorate


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every endpoint the domains have added."""
    return registry.document()


@endpoint(
    "GET",
    "/openapi.json",
    tag="Meta",
    summary="This document.",
    ok_text="OpenAPI 3.1",
    public=True,
)
@requires(PUBLIC)
def openapi():
    return jsonify(openapi_document())


# Bodies, lists and query parameters -------------------------------------------------------------


def json_body() -> Any:
    """The request's JSON body, numbers exact; ``MalformedJson`` when it is not JSON."""
    return parse_json(request.get_data(cache=False))


def first_row(statement: Select[Any]) -> Any:
    """The first row of ``statement``; 404 when there is none."""
    row = db.session.execute(statement.limit(1)).first()
    if row is None:
        raise NotFound()
    return row


LIST_PARAMETERS = (
    query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "Page, from 1."),
    query(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        f"Records per page, {DEFAULT_PER_PAGE} by default, at most {MAX_PER_PAGE}.",
    ),
)


def page_of(
    statement: Select[Any],
    item: Callable[[Any], BaseModel],
    model: type[BaseModel],
    *,
    scalars: bool = False,
) -> Response:
    """One page of ``statement`` (ordered by the caller) as ``Page[model]`` with a Link header.

    Reads one row more than the page holds to know whether a next page exists, so a page is
    one query however long the list.
    """
    page = int_arg("page", 1, 1, MAX_PAGE)
    per_page = int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    statement = statement.limit(per_page + 1).offset((page - 1) * per_page)
    result = db.session.scalars(statement) if scalars else db.session.execute(statement)
    rows = result.all()
    links = {
        "self": _page_url(page),
        "next": _page_url(page + 1) if len(rows) > per_page else None,
        "prev": _page_url(page - 1) if page > 1 else None,
    }
    body = Page[
        model
    ].model_validate(  # type: ignore[valid-type]
        {
            "data": [item(row) for row in rows[:per_page]],
            "page": page,
            "per_page": per_page,
            "links": links,
        }
    )
    response = jsonify(body.model_dump(mode="json"))
    link_header = [f'<{url}>; rel="{rel}"' for rel, url in links.items() if url and rel != "self"]
    if link_header:
        response.headers["Link"] = ", ".join(link_header)
    return response


def _page_url(page: int) -> str:
    args = request.args.to_dict()
    args["page"] = str(page)
    return f"{request.base_url}?{urlencode(args)}"


class InvalidParameter(Exception):
    """A query parameter the API cannot use; a 400 naming it."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name, self.message = name, message


def int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) < 12) or not low <= int(raw) <= high:
        raise InvalidParameter(
            name, _("Use a whole number from %(low)d to %(high)d.", low=low, high=high)
        )
    return int(raw)


def text_arg(name: str) -> str | None:
    raw = request.args.get(name)
    if raw is not None and "\x00" in raw:
        raise InvalidParameter(name, _("Contains a character that cannot be stored."))
    return raw


def parsed_arg(name: str, parse: Callable[[str], Any], message: str) -> Any:
    raw = text_arg(name)
    if raw is None:
        return None
    try:
        return parse(raw)
    except (ValueError, OverflowError):
        raise InvalidParameter(name, message) from None


def utc(text: str) -> datetime.datetime:
    """An ISO 8601 time in UTC; a time without an offset is taken as UTC."""
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC)


# Errors: problem details ------------------------------------------------------------------------


def translate(message: str, params: dict[str, Any]) -> str:
    return _(message, **params) if params else _(message)


@bp.errorhandler(MalformedJson)
def _malformed(error: MalformedJson):
    return problem(
        400, _("The body is not valid JSON: %(reason)s.", reason=str(error)), type_=MALFORMED_BODY
    )


@bp.errorhandler(InvalidPayload)
def _invalid_payload(error: InvalidPayload):
    errors = [
        {"pointer": p.pointer, "detail": translate(p.message, p.params)} for p in error.problems
    ]
    return problem(
        422,
        _("The request body has %(n)d problem(s); nothing was written.", n=len(errors)),
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
    if error.code == 405 and not _any_rule_matches():
        # Werkzeug answers 405 when one method's rule refuses a converter value (an id too large
        # for the database) and another method's rule exists: that address holds nothing.
        error = NotFound()
    if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
        return http_problem(error)
    return render_error(error.code or 500)


def _any_rule_matches() -> bool:
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in ("GET", "POST", "PUT"):
        try:
            adapter.match(method=method)
        except HTTPException:
            continue
        return True
    return False


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
    return getattr(getattr(view, "required_action", None), "scope", None)
