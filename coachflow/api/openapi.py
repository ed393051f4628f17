"""The OpenAPI 3.1 document of ``/api/v1``, served at ``/api/v1/openapi.json``.

Written by hand as a Python dict; the input schemas are derived from the importer's field list
(``coachflow.sales.records.FIELDS``) so that the document and the validation cannot drift apart.
``tests/integration/test_api_openapi.py`` checks that every route is documented and vice versa,
and fuzzes the API from this document.
"""

from __future__ import annotations

import copy
from typing import Any

from coachflow.api.payloads import (
    COUNT_FIELDS,
    FLAG_OR_DATE_FIELDS,
    MAX_BATCH,
    MAX_COUNT,
    MONEY_FIELDS,
)
from coachflow.api.resources import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, MAX_QUOTA_ID
from coachflow.sales.records import FIELDS
from coachflow.surveys.distribution import Reason
from coachflow.surveys.models import InvitationStatus, SurveyKind, SurveyStatus

PREFIX = "/api/v1"

# Longest text the importer accepts per field (records.py); 200 for the others.
MAX_LENGTHS = {
    "external_id": 64,
    "account_external_id": 64,
    "territory": 120,
    "product_line": 120,
    "owner_email": 254,
    "rep_email": 254,
    "email": 254,
    "language": 20,
    "stage": 40,
    "opted_out": 40,
}

RESOURCES = {
    "accounts": ("Account", "a customer company, owned by one rep"),
    "contacts": ("Contact", "a person at a customer account who can be surveyed"),
    "deals": ("Deal", "an opportunity; won deals are revenue"),
    "quotas": ("Quota", "what one rep should sell of one product line in one period"),
}


# One valid record of each kind, as documentation and as the fuzzer's first examples.
EXAMPLES: dict[str, dict[str, Any]] = {
    "accounts": {
        "external_id": "A-17",
        "name": "Brandt Maschinenbau GmbH",
        "owner_email": "rep@example.com",
        "territory": "North",
    },
    "contacts": {
        "external_id": "C-1",
        "account_external_id": "A-17",
        "name": "Jana Brandt",
        "email": "jana.brandt@brandt.example",
        "language": "de",
        "opted_out": False,
    },
    "deals": {
        "external_id": "D-1001",
        "account_external_id": "A-17",
        "rep_email": "rep@example.com",
        "product_line": "HW",
        "amount": "1200.50",
        "currency": "EUR",
        "margin": "300.00",
        "stage": "won",
        "closed_on": "2026-03-07",
    },
    "quotas": {
        "rep_email": "rep@example.com",
        "period": "2026-Q2",
        "product_line": "HW",
        "currency": "EUR",
        "revenue_target": "50000.00",
        "margin_target": "12000.00",
        "bookings_target": 4,
        "estimates_target": 12,
    },
}
KEYS = {
    "accounts": ("external_id",),
    "contacts": ("external_id",),
    "deals": ("external_id",),
    "quotas": ("rep_email", "period", "product_line"),
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _input_property(name: str, required: bool, help_text: str) -> dict[str, Any]:
    if name in MONEY_FIELDS:
        schema: dict[str, Any] = {
            "type": ["string", "number"],
            "description": f'{help_text} A decimal string ("1234.56") or a JSON number.',
        }
    elif name in COUNT_FIELDS:
        schema = {"type": "integer", "minimum": 0, "maximum": MAX_COUNT, "description": help_text}
    elif name in FLAG_OR_DATE_FIELDS:
        schema = {
            "type": ["boolean", "string"],
            "maxLength": MAX_LENGTHS[name],
            "description": f"{help_text} true, false or the ISO date they opted out.",
        }
    else:
        schema = {
            "type": "string",
            "maxLength": MAX_LENGTHS.get(name, 200),
            "description": help_text,
        }
    if name in ("closed_on",):
        schema["description"] += " ISO 8601 (2026-03-07)."
    if not required:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        schema["type"] = [*types, "null"]
    return schema


def _input_schema(kind: str, *, key_in_path: tuple[str, ...] = ()) -> dict[str, Any]:
    """A record as the API accepts it: the importer's fields, nothing else."""
    properties = {
        spec.name: _input_property(spec.name, spec.required, spec.help) for spec in FIELDS[kind]
    }
    required = [
        spec.name for spec in FIELDS[kind] if spec.required and spec.name not in key_in_path
    ]
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


_STAMPS = {
    "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time"},
}
_MONEY_OUT = {
    "type": "string",
    "pattern": r"^-?\d+(\.\d+)?$",
    "description": "Decimal string in the record's currency (never a float).",
}


def _output(properties: dict[str, Any]) -> dict[str, Any]:
    properties = {**properties, **_STAMPS}
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _schemas() -> dict[str, Any]:
    nullable_text = {"type": ["string", "null"]}
    schemas: dict[str, Any] = {
        "Account": _output(
            {
                "external_id": {"type": "string"},
                "name": {"type": "string"},
                "owner_email": nullable_text,
                "territory": {"type": "string"},
            }
        ),
        "Contact": _output(
            {
                "external_id": nullable_text,
                "account_external_id": {"type": "string"},
                "name": {"type": "string"},
                "email": {"type": "string"},
                "language": {"type": "string", "enum": ["en", "de", "fr"]},
                "opted_out": {"type": "boolean"},
                "opted_out_at": {"type": ["string", "null"], "format": "date-time"},
            }
        ),
        "Deal": _output(
            {
                "external_id": {"type": "string"},
                "account_external_id": {"type": "string"},
                "rep_email": {"type": "string"},
                "product_line": {"type": "string", "description": "The product line's code."},
                "amount": _MONEY_OUT,
                "currency": {"type": "string", "minLength": 3, "maxLength": 3},
                "margin": {**_MONEY_OUT, "type": ["string", "null"]},
                "stage": {"type": "string", "enum": ["open", "won", "lost"]},
                "closed_on": {"type": ["string", "null"], "format": "date"},
            }
        ),
        "Quota": _output(
            {
                "id": {"type": "integer"},
                "rep_email": {"type": "string"},
                "period": {"type": "string", "description": "2026, 2026-Q2 or 2026-05."},
                "period_kind": {"type": "string", "enum": ["month", "quarter", "year"]},
                "period_start": {"type": "string", "format": "date"},
                "product_line": {"type": "string", "description": "The product line's code."},
                "currency": {"type": "string", "minLength": 3, "maxLength": 3},
                "revenue_target": _MONEY_OUT,
                "margin_target": _MONEY_OUT,
                "bookings_target": {"type": "integer"},
                "estimates_target": {"type": "integer"},
            }
        ),
        "BatchResult": {
            "type": "object",
            "properties": {
                "records": {"type": "integer"},
                "created": {"type": "integer"},
                "updated": {"type": "integer"},
            },
            "required": ["records", "created", "updated"],
            "additionalProperties": False,
        },
        "Links": {
            "type": "object",
            "properties": {
                "self": {"type": "string"},
                "next": {"type": ["string", "null"]},
                "prev": {"type": ["string", "null"]},
            },
            "required": ["self", "next", "prev"],
        },
        "Problem": {
            "type": "object",
            "description": "RFC 9457 problem details; every error of the API has this shape.",
            "properties": {
                "type": {"type": "string", "format": "uri-reference"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "errors": {"type": "array", "items": _ref("ProblemError")},
                "problem_count": {
                    "type": "integer",
                    "description": "All problems found; `errors` lists the first 500.",
                },
            },
            "required": ["type", "title", "status", "detail"],
        },
        "ProblemError": {
            "type": "object",
            "properties": {
                "pointer": {
                    "type": "string",
                    "description": "JSON pointer into the request body, such as /records/3/amount.",
                },
                "parameter": {"type": "string", "description": "The query parameter."},
                "detail": {"type": "string"},
            },
            "required": ["detail"],
        },
    }
    schemas.update(_survey_schemas())
    for kind, (name, _what) in RESOURCES.items():
        schemas[f"{name}Input"] = _input_schema(kind)
        schemas[f"{name}List"] = {
            "type": "object",
            "properties": {
                "data": {"type": "array", "items": _ref(name)},
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "links": _ref("Links"),
            },
            "required": ["data", "page", "per_page", "links"],
        }
        schemas[f"{name}Batch"] = {
            "type": "object",
            "properties": {
                "records": {
                    "type": "array",
                    "items": _ref(f"{name}Input"),
                    "minItems": 1,
                    "maxItems": MAX_BATCH,
                }
            },
            "required": ["records"],
            "additionalProperties": False,
        }
    for kind in ("accounts", "contacts", "deals"):
        name = RESOURCES[kind][0]
        schemas[f"{name}Update"] = _input_schema(kind, key_in_path=("external_id",))
    schemas["QuotaUpdate"] = _input_schema(
        "quotas", key_in_path=("rep_email", "period", "product_line")
    )
    return schemas


_PROBLEM_TEXT = {
    400: "Malformed JSON or an invalid query parameter.",
    401: "No token, or an unknown or revoked one.",
    403: "The token's scope or its user's role does not allow this.",
    404: "No such record (or no such address).",
    409: "Another request wrote the same new record at the same moment; send again.",
    413: "The body is larger than the server accepts.",
    422: "The records have problems; `errors` points at each one. Nothing was written.",
    429: "Too many requests for this token; wait as long as Retry-After says.",
    500: "An unexpected error; nothing was written.",
}


def _problems(*codes: int) -> dict[str, Any]:
    """Problem responses for ``codes``, and 429: every operation is rate-limited."""
    responses: dict[str, Any] = {}
    for code in (*codes, 429):
        response: dict[str, Any] = {
            "description": _PROBLEM_TEXT[code],
            "content": {"application/problem+json": {"schema": _ref("Problem")}},
        }
        if code == 429:
            response["headers"] = {
                "Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait."}
            }
        if code == 401:
            response["headers"] = {
                "WWW-Authenticate": {
                    "schema": {"type": "string"},
                    "description": "Bearer challenge.",
                }
            }
        responses[str(code)] = response
    return responses


def _json(name: str, description: str, **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(name)}},
        **extra,
    }


def _body(name: str, example: dict[str, Any]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": _ref(name), "example": example}},
    }


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


_LIST_PARAMETERS = [
    _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "Page, from 1."),
    _query(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        f"Records per page, {DEFAULT_PER_PAGE} by default, at most {MAX_PER_PAGE}.",
    ),
    _query("rep", {"type": "string"}, "Only records of the rep (account owner) with this email."),
    _query(
        "updated_since",
        {"type": "string", "format": "date-time"},
        "Only records changed at or after this time (ISO 8601).",
    ),
]
_EXTRA_PARAMETERS = {
    "account": _query(
        "account", {"type": "string"}, "Only records of the account with this external id."
    ),
    "closed_from": _query(
        "closed_from",
        {"type": "string", "format": "date"},
        "Only deals closed on or after this date.",
    ),
    "closed_to": _query(
        "closed_to",
        {"type": "string", "format": "date"},
        "Only deals closed on or before this date.",
    ),
    "period": _query(
        "period", {"type": "string"}, "Only quotas of this period: 2026, 2026-Q2 or 2026-05."
    ),
}
_LIST_FILTERS = {
    "accounts": (),
    "contacts": ("account",),
    "deals": ("account", "closed_from", "closed_to"),
    "quotas": ("period",),
}
_LINK_HEADER = {
    "Link": {
        "schema": {"type": "string"},
        "description": 'Next and previous pages: <url>; rel="next".',
    }
}
_LOCATION_HEADER = {
    "Location": {"schema": {"type": "string"}, "description": "Where the new record is."}
}
_WRITE_ERRORS = (400, 401, 403, 409, 413, 422, 500)


def _without_keys(kind: str) -> dict[str, Any]:
    return {k: v for k, v in EXAMPLES[kind].items() if k not in KEYS[kind]}


def _paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for kind, (name, what) in RESOURCES.items():
        tag = kind.capitalize()
        paths[f"{PREFIX}/{kind}"] = {
            "get": {
                "tags": [tag],
                "operationId": f"list_{kind}",
                "summary": f"List {kind} ({what}) the token's user may see.",
                "parameters": _LIST_PARAMETERS
                + [_EXTRA_PARAMETERS[f] for f in _LIST_FILTERS[kind]],
                "responses": {
                    "200": _json(f"{name}List", "One page.", headers=_LINK_HEADER),
                    **_problems(400, 401, 403, 500),
                },
            }
        }
        paths[f"{PREFIX}/{kind}/batch"] = {
            "post": {
                "tags": [tag],
                "operationId": f"batch_{kind}",
                "summary": f"Create or update up to {MAX_BATCH} {kind} at once, all or nothing.",
                "description": "Validated exactly as a CSV import; one bad record writes nothing "
                "and `errors` names /records/N/field.",
                "requestBody": _body(f"{name}Batch", {"records": [EXAMPLES[kind]]}),
                "responses": {
                    "200": _json("BatchResult", "All records written."),
                    **_problems(*_WRITE_ERRORS),
                },
            }
        }
    for kind in ("accounts", "contacts", "deals"):
        name = RESOURCES[kind][0]
        tag = kind.capitalize()
        key = {
            "name": "external_id",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": 64},
            "example": EXAMPLES[kind]["external_id"],
            "description": "The record's id in your CRM.",
        }
        paths[f"{PREFIX}/{kind}/{{external_id}}"] = {
            "parameters": [key],
            "get": {
                "tags": [tag],
                "operationId": f"get_{kind}",
                "summary": f"One {name.lower()} by its external id.",
                "responses": {
                    "200": _json(name, f"The {name.lower()}."),
                    **_problems(401, 403, 404, 500),
                },
            },
            "put": {
                "tags": [tag],
                "operationId": f"put_{kind}",
                "summary": f"Create or update the {name.lower()} with this external id.",
                "requestBody": _body(f"{name}Update", _without_keys(kind)),
                "responses": {
                    "200": _json(name, "Updated."),
                    "201": _json(name, "Created.", headers=_LOCATION_HEADER),
                    **_problems(*_WRITE_ERRORS, 404),
                },
            },
        }
    quota_id = {
        "name": "quota_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_QUOTA_ID},
        "example": 1,
    }
    paths[f"{PREFIX}/quotas"]["post"] = {
        "tags": ["Quotas"],
        "operationId": "create_quota",
        "summary": "Create or update the quota of a rep, period and product line.",
        "requestBody": _body("QuotaInput", EXAMPLES["quotas"]),
        "responses": {
            "200": _json("Quota", "Updated."),
            "201": _json("Quota", "Created.", headers=_LOCATION_HEADER),
            **_problems(*_WRITE_ERRORS),
        },
    }
    paths[f"{PREFIX}/quotas/{{quota_id}}"] = {
        "parameters": [quota_id],
        "get": {
            "tags": ["Quotas"],
            "operationId": "get_quota",
            "summary": "One quota by id.",
            "responses": {"200": _json("Quota", "The quota."), **_problems(401, 403, 404, 500)},
        },
        "put": {
            "tags": ["Quotas"],
            "operationId": "put_quota",
            "summary": "Change a quota's targets; its rep, period and product line stay.",
            "requestBody": _body("QuotaUpdate", _without_keys("quotas")),
            "responses": {"200": _json("Quota", "Updated."), **_problems(*_WRITE_ERRORS, 404)},
        },
    }
    paths.update(_survey_paths())
    paths[f"{PREFIX}/openapi.json"] = {
        "get": {
            "tags": ["Meta"],
            "operationId": "openapi",
            "security": [],
            "summary": "This document.",
            "responses": {
                "200": {
                    "description": "OpenAPI 3.1",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                **_problems(),
            },
        }
    }
    return paths


# Surveys and their invitations -------------------------------------------------------------------


def _values(enum_type: Any) -> list[str]:
    return [member.value for member in enum_type]


def _closed(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
        **extra,
    }


def _survey_schemas() -> dict[str, Any]:
    nullable_text = {"type": ["string", "null"]}
    return {
        "Survey": _closed(
            {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "kind": {"type": "string", "enum": _values(SurveyKind)},
                "status": {"type": "string", "enum": _values(SurveyStatus)},
                "default_language": {"type": "string"},
                "languages": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "The languages the survey's texts exist in.",
                },
                "invitation_days": {"type": "integer", "description": "How long a link works."},
                "reminder_days": {"type": "integer"},
                "max_reminders": {"type": "integer"},
                "owner_email": nullable_text,
                "created_at": {"type": "string", "format": "date-time"},
            }
        ),
        "SurveyList": {
            "type": "object",
            "properties": {
                "data": {"type": "array", "items": _ref("Survey")},
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "links": _ref("Links"),
            },
            "required": ["data", "page", "per_page", "links"],
        },
        "InvitationRequest": {
            "type": "object",
            "description": (
                "One recipient: a contact by its external id, or an email address (matched to "
                "a contact; an address that is no contact needs rep_email or deal_external_id). "
                "The invitation is about rep_email when given, else the deal's rep, else the "
                "account's owner."
            ),
            "properties": {
                "contact_external_id": {"type": ["string", "null"], "maxLength": 64},
                "email": {"type": ["string", "null"], "maxLength": 254},
                "rep_email": {"type": ["string", "null"], "maxLength": 254},
                "deal_external_id": {"type": ["string", "null"], "maxLength": 64},
            },
            "anyOf": [{"required": ["contact_external_id"]}, {"required": ["email"]}],
            "additionalProperties": False,
        },
        "InvitationBatch": _closed(
            {
                "invitations": {
                    "type": "array",
                    "items": _ref("InvitationRequest"),
                    "minItems": 1,
                    "maxItems": MAX_BATCH,
                }
            }
        ),
        "CreatedInvitation": _closed(
            {
                "index": {"type": "integer", "description": "Position in the request."},
                "id": {"type": "integer"},
                "status": {"type": "string", "enum": _values(InvitationStatus)},
                "email": {"type": "string"},
                "rep_email": nullable_text,
            }
        ),
        "ExcludedRecipient": _closed(
            {
                "index": {"type": "integer", "description": "Position in the request."},
                "email": {"type": "string"},
                "reason": {"type": "string", "enum": _values(Reason)},
                "detail": {"type": "string"},
            }
        ),
        "InvitationResult": _closed(
            {
                "created": {"type": "array", "items": _ref("CreatedInvitation")},
                "excluded": {"type": "array", "items": _ref("ExcludedRecipient")},
            }
        ),
    }


def _survey_paths() -> dict[str, Any]:
    survey_id = {
        "name": "survey_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_QUOTA_ID},
    }
    not_sendable = {
        "description": "The survey is not active, not a customer survey, or has no questions.",
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    }
    example = {
        "invitations": [
            {"contact_external_id": "C1"},
            {"contact_external_id": "C2", "deal_external_id": "D1"},
            {"email": "anna@customer.example", "rep_email": "rep@example.com"},
        ]
    }
    return {
        f"{PREFIX}/surveys": {
            "get": {
                "tags": ["Surveys"],
                "operationId": "list_surveys",
                "summary": "List the surveys the token's user may send.",
                "description": "Admin and HR: every survey; a manager: their own; a rep: none.",
                "parameters": [
                    *_LIST_PARAMETERS[:2],
                    _query(
                        "status",
                        {"type": "string", "enum": _values(SurveyStatus)},
                        "Only surveys in this state.",
                    ),
                    _query(
                        "kind",
                        {"type": "string", "enum": _values(SurveyKind)},
                        "Only surveys of this kind.",
                    ),
                ],
                "responses": {
                    "200": _json("SurveyList", "One page.", headers=_LINK_HEADER),
                    **_problems(400, 401, 403, 500),
                },
            }
        },
        f"{PREFIX}/surveys/{{survey_id}}/invitations": {
            "parameters": [survey_id],
            "post": {
                "tags": ["Surveys"],
                "operationId": "create_invitations",
                "summary": f"Invite up to {MAX_BATCH} recipients to an active customer survey.",
                "description": (
                    "All or nothing: an unknown contact, rep or deal, a malformed address or an "
                    "address that is no contact and names no rep writes nothing, and `errors` "
                    "names /invitations/N/field. Recipients who may not be surveyed now (opted "
                    "out, surveyed recently, already invited, no rep, listed twice) are returned "
                    "in `excluded` with the reason; the others are invited and the mail-out "
                    "starts."
                ),
                "requestBody": _body("InvitationBatch", example),
                "responses": {
                    "200": _json(
                        "InvitationResult", "The invitations created and who was left out."
                    ),
                    **_problems(*_WRITE_ERRORS, 404),
                    "409": not_sendable,
                },
            },
        },
    }


_DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "CoachFlow API",
        "version": "1.0.0",
        "description": (
            "Sales data for CoachFlow: customer accounts, contacts, deals and quotas. "
            "Authenticate with `Authorization: Bearer <token>`; an admin issues tokens on "
            "/admin/api-tokens or with `flask api-token create`. A read token reads what its "
            "user may see (admin and HR: everything; a manager: their teams; a rep: their own); "
            "writing needs a read-and-write token of an admin. Amounts are decimal strings in "
            "the record's currency, dates ISO 8601. Every error is RFC 9457 problem details."
        ),
    },
    "security": [{"bearerAuth": []}],
    "paths": _paths(),
    "components": {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "cf_…"}
        },
        "schemas": _schemas(),
    },
}


def openapi_document() -> dict[str, Any]:
    """The document, as a fresh copy the caller may change."""
    return copy.deepcopy(_DOCUMENT)
