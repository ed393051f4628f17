"""The OpenAPI 3.1 document of ``/api/v1``, assembled from what each domain registers.

A domain's ``api.py`` declares each operation beside its view (``endpoint`` in
``coachflow.platform.api``) and names pydantic models for bodies and responses; their JSON Schema
(2020-12, the dialect of OpenAPI 3.1) becomes ``components/schemas``. Nothing here is written per
resource, so the document cannot drift from the validation and the serialisation.
"""

from __future__ import annotations

import copy
import datetime
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field, PlainSerializer, WithJsonSchema
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"

INFO = {
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
}

PROBLEM_TEXT = {
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
WRITE_ERRORS = (400, 401, 403, 409, 413, 422, 500)
READ_ERRORS = (401, 403, 404, 500)
LIST_ERRORS = (400, 401, 403, 500)


# A moment as ISO 8601 with its offset (``+00:00``), as ``datetime.isoformat`` writes it.
Timestamp = Annotated[
    datetime.datetime,
    PlainSerializer(lambda moment: moment.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]


class ProblemError(BaseModel):
    pointer: str | None = Field(
        None, description="JSON pointer into the request body, such as /records/3/amount."
    )
    parameter: str | None = Field(None, description="The query parameter.")
    detail: str


class Problem(BaseModel):
    """RFC 9457 problem details; every error of the API has this shape."""

    type: str = Field(json_schema_extra={"format": "uri-reference"})
    title: str
    status: int
    detail: str
    errors: list[ProblemError] | None = None
    problem_count: int | None = Field(
        None, description="All problems found; `errors` lists the first 500."
    )


class Links(BaseModel):
    self: str
    next: str | None
    prev: str | None


Item = TypeVar("Item", bound=BaseModel)


class Page(BaseModel, Generic[Item]):
    """One page of a list; ``Page[Deal]`` is documented as ``DealList``."""

    data: list[Item]
    page: int
    per_page: int
    links: Links

    @classmethod
    def model_parametrized_name(cls, params: tuple[type[Any], ...]) -> str:
        return f"{params[0].__name__}List"


def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    """An optional query parameter."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def path_parameter(name: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema, **extra}


@dataclass(frozen=True)
class Operation:
    """One documented operation; ``responses`` maps a success status to (model, text, headers)."""

    method: str
    path: str
    operation_id: str
    tag: str
    summary: str
    description: str | None = None
    parameters: tuple[dict[str, Any], ...] = ()
    body: type[BaseModel] | None = None
    example: Any = None
    responses: dict[int, tuple[type[BaseModel] | None, str, tuple[str, ...]]] = field(
        default_factory=dict
    )
    errors: tuple[int, ...] = ()
    error_text: dict[int, str] = field(default_factory=dict)
    public: bool = False
    # A success response that is a file rather than JSON (a PDF): its media type.
    ok_media: str | None = None


HEADERS = {
    "Link": {
        "schema": {"type": "string"},
        "description": 'Next and previous pages: <url>; rel="next".',
    },
    "Location": {"schema": {"type": "string"}, "description": "Where the new record is."},
}


class _Names(GenerateJsonSchema):
    """Components named as a reader would: ``Page[Deal]`` is ``DealList``."""

    def normalize_name(self, name: str) -> str:
        return super().normalize_name(re.sub(r"^Page\[(\w+)\]$", r"\1List", name))


class Registry:
    """The operations and models the domains declared; ``document()`` assembles them."""

    def __init__(self) -> None:
        self.operations: list[Operation] = []

    def add(self, operation: Operation) -> None:
        self.operations.append(operation)

    def document(self) -> dict[str, Any]:
        models: dict[tuple[type[BaseModel], Literal["validation", "serialization"]], None] = {}
        models[(Problem, "serialization")] = None
        for op in self.operations:
            if op.body is not None:
                models[(op.body, "validation")] = None
            for model, _text, _headers in op.responses.values():
                if model is not None:
                    models[(model, "serialization")] = None
        refs, defs = models_json_schema(list(models), ref_template=REF, schema_generator=_Names)
        schemas = {name: _tidy(schema) for name, schema in defs.get("$defs", {}).items()}
        paths: dict[str, Any] = {}
        for op in self.operations:
            paths.setdefault(op.path, {})[op.method] = self._operation(op, refs)
        return {
            "openapi": "3.1.0",
            "info": INFO,
            "security": [{"bearerAuth": []}],
            "paths": paths,
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "cf_…"}
                },
                "schemas": schemas,
            },
        }

    def _operation(self, op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
        spec: dict[str, Any] = {"tags": [op.tag], "operationId": op.operation_id}
        if op.public:
            spec["security"] = []
        spec["summary"] = op.summary
        if op.description:
            spec["description"] = op.description
        if op.parameters:
            spec["parameters"] = list(op.parameters)
        if op.body is not None:
            media: dict[str, Any] = {"schema": refs[(op.body, "validation")]}
            if op.example is not None:
                media["example"] = op.example
            spec["requestBody"] = {"required": True, "content": {"application/json": media}}
        responses: dict[str, Any] = {}
        for status, (model, text, headers) in op.responses.items():
            schema = refs[(model, "serialization")] if model is not None else {"type": "object"}
            content = {"application/json": {"schema": schema}}
            if op.ok_media is not None:
                content = {op.ok_media: {"schema": {"type": "string", "format": "binary"}}}
            responses[str(status)] = {"description": text, "content": content}
            if headers:
                responses[str(status)]["headers"] = {name: HEADERS[name] for name in headers}
        problem = refs[(Problem, "serialization")]
        for status in (*op.errors, 429):
            responses[str(status)] = _problem_response(
                status, op.error_text.get(status, PROBLEM_TEXT[status]), problem
            )
        spec["responses"] = responses
        return spec


def _problem_response(status: int, text: str, schema: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": text,
        "content": {"application/problem+json": {"schema": schema}},
    }
    if status == 429:
        response["headers"] = {
            "Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait."}
        }
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer challenge."}
        }
    return response


def _tidy(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop pydantic's generated titles, which say nothing the property name does not."""
    schema = copy.deepcopy(schema)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    return schema


def openapi_path(rule: str) -> str:
    """``/quotas/<int(max=…):quota_id>`` → ``/quotas/{quota_id}``."""
    return re.sub(r"<(?:[^<>:]+:)?([^<>:]+)>", r"{\1}", rule)
