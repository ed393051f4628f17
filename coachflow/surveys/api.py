"""REST API of surveys: the ones the token's user may send, and invitations to them.

``InvitationBatch`` is the one schema of a request: it checks the body, yields the recipients
for ``distribution.invite_requested`` and documents the operation; the output models serialise
what was created and who was left out.
"""

from __future__ import annotations

from typing import Annotated, Any

from flask import abort, jsonify
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema, model_validator
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import NotFound

from coachflow.accounts.models import User
from coachflow.platform.api import (
    LIST_PARAMETERS,
    MAX_ID,
    InvalidParameter,
    bp,
    endpoint,
    json_body,
    page_of,
    text_arg,
    translate,
)
from coachflow.platform.api.bodies import N_, Messages, pointer, refuse, validate
from coachflow.platform.api.openapi import (
    LIST_ERRORS,
    WRITE_ERRORS,
    Page,
    Timestamp,
    path_parameter,
    query,
)
from coachflow.platform.extensions import db
from coachflow.platform.permissions import allowed, caller, requires
from coachflow.platform.problems import VALIDATION, problem
from coachflow.questionnaires.models import Survey as SurveyRecord
from coachflow.questionnaires.models import SurveyKind, SurveyStatus
from coachflow.sales import policy as sales_policy
from coachflow.surveys import policy
from coachflow.surveys.models import Invitation, InvitationStatus
from coachflow.surveys.services import distribution

MAX_BATCH = 1000
BOTH = N_("Give contact_external_id or email, not both.")


def _checked(value: Any, max_length: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise refuse(N_("Must be a string."))
    if len(value) > max_length or "\x00" in value or not value.isprintable():
        raise refuse(N_("Must be at most %(max)d printable characters."), max=max_length)
    return value.strip() or None


def _text(max_length: int) -> Any:
    return Annotated[
        str | None,
        PlainValidator(lambda value: _checked(value, max_length)),
        WithJsonSchema({"type": ["string", "null"], "maxLength": max_length}, mode="validation"),
    ]


def _email(value: Any, info: Any) -> str | None:
    email = _checked(value, 254)
    if email and info.data.get("contact_external_id"):
        raise refuse(BOTH)
    return email


class InvitationRequest(BaseModel):
    """One recipient: a contact by its external id, or an email address (matched to a contact;
    an address that is no contact needs rep_email or deal_external_id). The invitation is about
    rep_email when given, else the deal's rep, else the account's owner."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [{"required": ["contact_external_id"]}, {"required": ["email"]}]
        },
    )
    contact_external_id: _text(64) = None
    email: Annotated[
        str | None,
        PlainValidator(_email),
        WithJsonSchema({"type": ["string", "null"], "maxLength": 254}, mode="validation"),
    ] = None
    rep_email: _text(254) = None
    deal_external_id: _text(64) = None

    @model_validator(mode="after")
    def _names_a_recipient(self) -> InvitationRequest:
        if not self.contact_external_id and not self.email:
            raise refuse(N_("Give contact_external_id or email."))
        return self


class InvitationBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    invitations: Annotated[list[InvitationRequest], Field(min_length=1, max_length=MAX_BATCH)]


MESSAGES: Messages = {
    ("model_type", ()): (N_("The body must be a JSON object."), {}),
    "model_type": (N_("Must be an object."), {}),
    "missing": (N_("Must be a list of invitations."), {}),
    "list_type": (N_("Must be a list of invitations."), {}),
    "too_short": (N_("Send between 1 and %(max)d invitations."), {"max": MAX_BATCH}),
    "too_long": (N_("Send between 1 and %(max)d invitations."), {"max": MAX_BATCH}),
}


class Output(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Survey(Output):
    id: int
    name: str
    kind: SurveyKind
    status: SurveyStatus
    default_language: str
    languages: list[str] = Field(description="The languages the survey's texts exist in.")
    invitation_days: int = Field(description="How long a link works.")
    reminder_days: int
    max_reminders: int
    owner_email: str | None
    created_at: Timestamp


class CreatedInvitation(Output):
    index: int = Field(description="Position in the request.")
    id: int
    status: InvitationStatus
    email: str
    rep_email: str | None


class ExcludedRecipient(Output):
    index: int = Field(description="Position in the request.")
    email: str
    reason: distribution.Reason
    detail: str


class InvitationResult(Output):
    created: list[CreatedInvitation]
    excluded: list[ExcludedRecipient]


def _survey(survey: SurveyRecord) -> Survey:
    version = survey.current_version
    return Survey(
        id=survey.id,
        name=survey.name,
        kind=survey.kind,
        status=survey.status,
        default_language=survey.default_language,
        languages=sorted(version.texts or {}) if version is not None else [],
        invitation_days=survey.invitation_days,
        reminder_days=survey.reminder_days,
        max_reminders=survey.max_reminders,
        owner_email=survey.owner.email if survey.owner is not None else None,
        created_at=survey.created_at,
    )


def _values(enum_type: Any) -> list[str]:
    return [member.value for member in enum_type]


@endpoint(
    "GET",
    "/surveys",
    tag="Surveys",
    summary="List the surveys the token's user may send.",
    description="Admin and HR: every survey; a manager: their own; a rep: none.",
    parameters=(
        *LIST_PARAMETERS,
        query(
            "status",
            {"type": "string", "enum": _values(SurveyStatus)},
            "Only surveys in this state.",
        ),
        query(
            "kind", {"type": "string", "enum": _values(SurveyKind)}, "Only surveys of this kind."
        ),
    ),
    ok=Page[Survey],
    ok_text="One page.",
    paged=True,
    errors=LIST_ERRORS,
)
@requires(sales_policy.API_READ)
def list_surveys():
    statement = distribution.manageable_surveys(caller(sales_policy.API_READ))
    for name, enum_type, column in (
        ("status", SurveyStatus, SurveyRecord.status),
        ("kind", SurveyKind, SurveyRecord.kind),
    ):
        value = text_arg(name)
        if value is not None:
            if value not in enum_type._value2member_map_:
                raise InvalidParameter(
                    name, _("Use one of: %(values)s.", values=", ".join(e.value for e in enum_type))
                )
            statement = statement.where(column == enum_type(value))
    statement = statement.options(
        selectinload(SurveyRecord.versions), joinedload(SurveyRecord.owner)
    ).order_by(SurveyRecord.id)
    return page_of(statement, _survey, Survey, scalars=True)


@endpoint(
    "POST",
    f"/surveys/<int(max={MAX_ID}):survey_id>/invitations",
    tag="Surveys",
    summary=f"Invite up to {MAX_BATCH} recipients to an active customer survey.",
    description=(
        "All or nothing: an unknown contact, rep or deal, a malformed address or an "
        "address that is no contact and names no rep writes nothing, and `errors` "
        "names /invitations/N/field. Recipients who may not be surveyed now (opted "
        "out, surveyed recently, already invited, no rep, listed twice) are returned "
        "in `excluded` with the reason; the others are invited and the mail-out "
        "starts."
    ),
    parameters=(path_parameter("survey_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}),),
    body=InvitationBatch,
    example={
        "invitations": [
            {"contact_external_id": "C1"},
            {"contact_external_id": "C2", "deal_external_id": "D1"},
            {"email": "anna@customer.example", "rep_email": "rep@example.com"},
        ]
    },
    ok=InvitationResult,
    ok_text="The invitations created and who was left out.",
    errors=(*WRITE_ERRORS, 404),
    error_text={409: "The survey is not active, not a customer survey, or has no questions."},
)
@requires(sales_policy.API_WRITE)
def create_invitations(survey_id: int):
    survey = db.session.get(SurveyRecord, survey_id)
    if survey is None:
        raise NotFound()
    who = caller(sales_policy.API_READ)
    if not allowed(who, policy.MANAGE_SURVEYS, survey):
        abort(403)
    batch = validate(
        InvitationBatch,
        json_body(),
        messages=MESSAGES,
        unknown_first=False,
        later=frozenset({BOTH}),
    )
    requests = [
        distribution.InvitationRequest(index=index, **item.model_dump())
        for index, item in enumerate(batch.invitations)
    ]
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
    result = InvitationResult(
        created=[
            CreatedInvitation(
                index=recipient.index,
                id=invitation_id,
                status=statuses[invitation_id],
                email=recipient.email,
                rep_email=reps.get(recipient.rep_id),
            )
            for recipient, invitation_id in zip(selection.recipients, ids, strict=True)
        ],
        excluded=[
            ExcludedRecipient(
                index=item.index,
                email=item.email,
                reason=item.reason,
                detail=distribution.describe(item.reason, selection.throttle_days),
            )
            for item in selection.excluded
        ],
    )
    return jsonify(result.model_dump(mode="json"))


@bp.errorhandler(distribution.RecipientsRejected)
def _recipients_rejected(error: distribution.RecipientsRejected):
    errors = [
        {
            "pointer": pointer("invitations", p.index, p.field),
            "detail": translate(p.message, p.params),
        }
        for p in error.problems
    ]
    return problem(
        422,
        _("The invitations have %(n)d problem(s); none was created.", n=len(errors)),
        type_=VALIDATION,
        errors=errors,
    )
