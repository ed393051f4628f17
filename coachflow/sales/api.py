"""REST API of sales records: customer accounts, contacts, deals and quotas.

One pydantic schema per resource and direction: ``…Input`` (and ``…Update`` when the address
carries the key, ``…Batch`` for up to ``MAX_BATCH`` at once) checks what JSON adds to a CSV cell
(types, unknown fields, what the database cannot hold) and turns each value into the cell's text;
the importer then validates the records exactly as a CSV import. The output model serialises a
record. Both yield the OpenAPI document. Names, required fields and help come from the importer's
field list (``records.FIELDS``), so the document states what the importer enforces.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from flask import Response, jsonify, request, url_for
from flask_babel import gettext as _
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
)
from sqlalchemy import Select
from werkzeug.exceptions import NotFound

from coachflow.lib import money
from coachflow.lib.csvio import parse_decimal
from coachflow.lib.periods import Period, PeriodKind, parse_period
from coachflow.platform.api import (
    LIST_PARAMETERS,
    MAX_ID,
    bp,
    endpoint,
    first_row,
    json_body,
    page_of,
    parsed_arg,
    text_arg,
    translate,
    utc,
)
from coachflow.platform.api.bodies import (
    InvalidPayload,
    Messages,
    PayloadProblem,
    pointer,
    refuse,
    validate,
)
from coachflow.platform.api.openapi import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Page,
    Timestamp,
    path_parameter,
    query,
)
from coachflow.platform.i18n import LANGUAGES
from coachflow.platform.permissions import authorize, caller, requires
from coachflow.platform.problems import VALIDATION, problem
from coachflow.sales import policy, queries, services
from coachflow.sales.models import DealStage
from coachflow.sales.records import FIELDS, N_
from coachflow.sales.records import Problem as ImportProblem
from coachflow.sales.services.importing import ImportRejected

MAX_BATCH = 1000
# What the database columns hold (BIGINT minor units, INTEGER counts), with room to spare.
MAX_AMOUNT = Decimal(10) ** 13
MAX_COUNT = 2**31 - 1

# Input values: each becomes the text a CSV cell would hold ---------------------------------------


def _storable(text: str) -> str:
    if "\x00" in text or not _encodable(text):
        raise refuse(N_("Contains a character that cannot be stored."))
    return text


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape
        return False
    return True


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise refuse(N_("Must be a string."))
    return _storable(value)


def _money(value: Any, info: ValidationInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise refuse(N_("Must be a number or a string."))
    text = _storable(format(value, "f") if isinstance(value, Decimal) else str(value))
    if not text.strip():
        return text
    try:
        amount = parse_decimal(text, decimal_hint=".")
    except ValueError:
        return text  # the importer says what is wrong with it
    currency = (info.data.get("currency") or "").strip().upper()
    if abs(amount) >= MAX_AMOUNT:
        raise refuse(N_("Must be less than %(max)s."), max=f"{MAX_AMOUNT:,}")
    if len(currency) == 3 and currency.isalpha() and not _fits(amount, currency):
        raise refuse(N_("Has more decimals than %(currency)s allows."), currency=currency)
    return text


def _fits(amount: Decimal, currency: str) -> bool:
    try:
        money.to_minor(amount, currency)
    except ValueError:
        return False
    return True


def _count(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise refuse(N_("Must be a whole number."))
    if value > MAX_COUNT:
        raise refuse(N_("Must be at most %(max)d."), max=MAX_COUNT)
    return str(value)


def _flag_or_date(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is not None and not isinstance(value, str):
        raise refuse(N_("Must be true, false or a date."))
    return _text(value)


def Text(max_length: int = 200) -> Any:
    return Annotated[
        str,
        PlainValidator(_text),
        WithJsonSchema({"type": "string", "maxLength": max_length}, mode="validation"),
    ]


Money = Annotated[
    str,
    PlainValidator(_money),
    WithJsonSchema(
        {
            "type": ["string", "number"],
            "description": 'A decimal string ("1234.56") or a JSON number.',
        },
        mode="validation",
    ),
]
Count = Annotated[
    str,
    PlainValidator(_count),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": MAX_COUNT}, mode="validation"),
]
FlagOrDate = Annotated[
    str,
    PlainValidator(_flag_or_date),
    WithJsonSchema(
        {
            "type": ["boolean", "string"],
            "maxLength": 40,
            "description": "true, false or the ISO date they opted out.",
        },
        mode="validation",
    ),
]


def _record_schema(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Help, required fields and null from the importer's field list; no pydantic defaults."""
    specs = {spec.name: spec for spec in FIELDS[model.kind]}  # type: ignore[attr-defined]
    for name, prop in schema["properties"].items():
        spec = specs[name]
        prop.pop("default", None)
        prop.pop("title", None)
        prop["description"] = " ".join(filter(None, (spec.help, prop.get("description"))))
        if not spec.required:
            prop["type"] = [*_types(prop["type"]), "null"]
    schema["required"] = [
        name
        for name, spec in specs.items()
        if spec.required and name not in model.key_in_path  # type: ignore[attr-defined]
    ]


def _types(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


class SalesRecord(BaseModel):
    """A sales record as the API accepts it: the importer's fields, nothing else; every field
    may be left out here, the importer says which are required."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_record_schema)
    kind: ClassVar[str]
    key_in_path: ClassVar[tuple[str, ...]] = ()

    def cells(self) -> dict[str, str]:
        """The values sent, as the text of CSV cells."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class AccountInput(SalesRecord):
    """A customer company, owned by one rep."""

    kind = "accounts"
    external_id: Text(64) = None
    name: Text() = None
    owner_email: Text(254) = None
    territory: Text(120) = None


class ContactInput(SalesRecord):
    """A person at a customer account who can be surveyed."""

    kind = "contacts"
    external_id: Text(64) = None
    account_external_id: Text(64) = None
    name: Text() = None
    email: Text(254) = None
    language: Text(20) = None
    opted_out: FlagOrDate = None


class DealInput(SalesRecord):
    """An opportunity; won deals are revenue. ``currency`` comes before the amounts, whose
    decimals depend on it."""

    kind = "deals"
    external_id: Text(64) = None
    account_external_id: Text(64) = None
    rep_email: Text(254) = None
    product_line: Text(120) = None
    currency: Text() = None
    amount: Money = None
    margin: Money = None
    stage: Text(40) = None
    closed_on: Annotated[Text(), Field(description="ISO 8601 (2026-03-07).")] = None


class QuotaInput(SalesRecord):
    """What one rep should sell of one product line in one period."""

    kind = "quotas"
    rep_email: Text(254) = None
    period: Text() = None
    product_line: Text(120) = None
    currency: Text() = None
    revenue_target: Money = None
    margin_target: Money = None
    bookings_target: Count = None
    estimates_target: Count = None


class AccountUpdate(AccountInput):
    key_in_path = ("external_id",)


class ContactUpdate(ContactInput):
    key_in_path = ("external_id",)


class DealUpdate(DealInput):
    key_in_path = ("external_id",)


class QuotaUpdate(QuotaInput):
    key_in_path = ("rep_email", "period", "product_line")


def _batch(name: str, record: type[SalesRecord]) -> type[BaseModel]:
    return type(
        name,
        (BaseModel,),
        {
            "__annotations__": {
                "records": Annotated[list[record], Field(min_length=1, max_length=MAX_BATCH)]  # type: ignore[valid-type]
            },
            "model_config": ConfigDict(extra="forbid"),
            "__module__": __name__,
        },
    )


AccountBatch = _batch("AccountBatch", AccountInput)
ContactBatch = _batch("ContactBatch", ContactInput)
DealBatch = _batch("DealBatch", DealInput)
QuotaBatch = _batch("QuotaBatch", QuotaInput)

# Checked once a value has its type: listed after the type problems of the same record.
STORABLE = frozenset(
    {
        N_("Contains a character that cannot be stored."),
        N_("Must be less than %(max)s."),
        N_("Has more decimals than %(currency)s allows."),
        N_("Must be at most %(max)d."),
    }
)
RECORD_MESSAGES: Messages = {"model_type": (N_("Must be an object."), {})}
BATCH_MESSAGES: Messages = {
    ("model_type", ()): (N_("The body must be a JSON object."), {}),
    "model_type": (N_("Must be an object."), {}),
    "missing": (N_("Must be a list of records."), {}),
    "list_type": (N_("Must be a list of records."), {}),
    "too_short": (N_("Send between 1 and %(max)d records."), {"max": MAX_BATCH}),
    "too_long": (N_("Send between 1 and %(max)d records."), {"max": MAX_BATCH}),
}

Rows = list[tuple[int, dict[str, str]]]


def batch_rows(model: type[BaseModel], body: Any) -> Rows:
    """The rows of a batch body ``{"records": [...]}`` (1 to ``MAX_BATCH`` records)."""
    batch = validate(model, body, messages=BATCH_MESSAGES, later=STORABLE)
    return [(index, record.cells()) for index, record in enumerate(batch.records)]  # type: ignore[attr-defined]


def single_row(model: type[SalesRecord], body: Any, *, fixed: dict[str, str] | None = None) -> Rows:
    """The row of one record's body; ``fixed`` values (from the address) fill in or must match."""
    fixed = fixed or {}
    first = []
    if isinstance(body, dict):
        first = [
            PayloadProblem(
                pointer(name), N_("Does not match the %(field)s in the address."), {"field": name}
            )
            for name, value in fixed.items()
            if body.get(name) not in (None, value)
        ]
        body = {**body, **fixed}
    return [
        (0, validate(model, body, messages=RECORD_MESSAGES, first=first, later=STORABLE).cells())
    ]


def import_pointer(problem: ImportProblem, *, batch: bool) -> str:
    """Where an importer problem points: its record (the row is the record's index) and field."""
    parts: list[str | int] = []
    if batch:
        parts = ["records"] if problem.row is None else ["records", problem.row]
    if problem.field:
        parts.append(problem.field)
    return pointer(*parts)


# Output: what the API shows of each record -------------------------------------------------------

MoneyText = Annotated[
    str,
    Field(
        pattern=r"^-?\d+(\.\d+)?$",
        description="Decimal string in the record's currency (never a float).",
    ),
]
LineCode = Annotated[str, Field(description="The product line's code.")]
Currency = Annotated[str, Field(min_length=3, max_length=3)]


class Output(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Account(Output):
    external_id: str
    name: str
    owner_email: str | None
    territory: str
    created_at: Timestamp
    updated_at: Timestamp


class Contact(Output):
    external_id: str | None
    account_external_id: str
    name: str
    email: str
    language: Annotated[str, Field(json_schema_extra={"enum": list(LANGUAGES)})]
    opted_out: bool
    opted_out_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp


class Deal(Output):
    external_id: str
    account_external_id: str
    rep_email: str
    product_line: LineCode
    amount: MoneyText
    currency: Currency
    margin: MoneyText | None
    stage: DealStage
    closed_on: datetime.date | None
    created_at: Timestamp
    updated_at: Timestamp


class Quota(Output):
    id: int
    rep_email: str
    period: Annotated[str, Field(description="2026, 2026-Q2 or 2026-05.")]
    period_kind: PeriodKind
    period_start: datetime.date
    product_line: LineCode
    currency: Currency
    revenue_target: MoneyText
    margin_target: MoneyText
    bookings_target: int
    estimates_target: int
    created_at: Timestamp
    updated_at: Timestamp


class BatchResult(Output):
    records: int
    created: int
    updated: int


def _amount(minor: int | None, currency: str) -> str | None:
    return None if minor is None else str(money.from_minor(minor, currency))


def _account(row: Any) -> Account:
    account, owner_email = row
    return Account(
        external_id=account.external_id,
        name=account.name,
        owner_email=owner_email,
        territory=account.territory,
        created_at=account.created_at,
        updated_at=account.updated_at,
    )


def _contact(row: Any) -> Contact:
    contact, account_external_id = row
    return Contact(
        external_id=contact.external_id,
        account_external_id=account_external_id,
        name=contact.name,
        email=contact.email,
        language=contact.language,
        opted_out=contact.opted_out_at is not None,
        opted_out_at=contact.opted_out_at,
        created_at=contact.created_at,
        updated_at=contact.updated_at,
    )


def _deal(row: Any) -> Deal:
    deal, account_external_id, rep_email, line_code = row
    return Deal(
        external_id=deal.external_id,
        account_external_id=account_external_id,
        rep_email=rep_email,
        product_line=line_code,
        amount=_amount(deal.amount_minor, deal.currency),
        currency=deal.currency,
        margin=_amount(deal.margin_minor, deal.currency),
        stage=deal.stage,
        closed_on=deal.closed_on,
        created_at=deal.created_at,
        updated_at=deal.updated_at,
    )


def _quota(row: Any) -> Quota:
    quota, rep_email, line_code = row
    period = Period(quota.period_start, quota.period_kind)
    return Quota(
        id=quota.id,
        rep_email=rep_email,
        period=period.label,
        period_kind=period.kind,
        period_start=period.start,
        product_line=line_code,
        currency=quota.currency,
        revenue_target=_amount(quota.revenue_target_minor, quota.currency),
        margin_target=_amount(quota.margin_target_minor, quota.currency),
        bookings_target=quota.bookings_target,
        estimates_target=quota.estimates_target,
        created_at=quota.created_at,
        updated_at=quota.updated_at,
    )


SERIALIZERS = {"accounts": _account, "contacts": _contact, "deals": _deal, "quotas": _quota}
OUTPUTS: dict[str, type[Output]] = {
    "accounts": Account,
    "contacts": Contact,
    "deals": Deal,
    "quotas": Quota,
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


def _without(kind: str, *keys: str) -> dict[str, Any]:
    return {k: v for k, v in EXAMPLES[kind].items() if k not in keys}


# Query parameters --------------------------------------------------------------------------------

FILTERS = {
    "rep": query(
        "rep", {"type": "string"}, "Only records of the rep (account owner) with this email."
    ),
    "updated_since": query(
        "updated_since",
        {"type": "string", "format": "date-time"},
        "Only records changed at or after this time (ISO 8601).",
    ),
    "account": query(
        "account", {"type": "string"}, "Only records of the account with this external id."
    ),
    "closed_from": query(
        "closed_from",
        {"type": "string", "format": "date"},
        "Only deals closed on or after this date.",
    ),
    "closed_to": query(
        "closed_to",
        {"type": "string", "format": "date"},
        "Only deals closed on or before this date.",
    ),
    "period": query(
        "period", {"type": "string"}, "Only quotas of this period: 2026, 2026-Q2 or 2026-05."
    ),
}


def _list_parameters(*extra: str) -> tuple[dict[str, Any], ...]:
    return (
        *LIST_PARAMETERS,
        FILTERS["rep"],
        FILTERS["updated_since"],
        *(FILTERS[f] for f in extra),
    )


def _filters(*extra: str) -> queries.ApiFilters:
    values: dict[str, Any] = {
        "rep": text_arg("rep"),
        "updated_since": parsed_arg(
            "updated_since", utc, _("Use an ISO 8601 time, such as 2026-03-01T00:00:00Z.")
        ),
    }
    if "account" in extra:
        values["account"] = text_arg("account")
    for name in ("closed_from", "closed_to"):
        if name in extra:
            values[name] = parsed_arg(
                name, datetime.date.fromisoformat, _("Use an ISO 8601 date, such as 2026-03-01.")
            )
    if "period" in extra:
        values["period"] = parsed_arg(
            "period", parse_period, _("Use a period such as 2026, 2026-Q2 or 2026-05.")
        )
    return queries.ApiFilters(**values)


EXTERNAL_ID = path_parameter(
    "external_id",
    {"type": "string", "minLength": 1, "maxLength": 64},
    description="The record's id in your CRM.",
)
QUOTA_ID = path_parameter(
    "quota_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, example=1
)

# Accounts, contacts, deals: one shape, told apart by kind ---------------------------------------

WHAT = {
    "accounts": "a customer company, owned by one rep",
    "contacts": "a person at a customer account who can be surveyed",
    "deals": "an opportunity; won deals are revenue",
    "quotas": "what one rep should sell of one product line in one period",
}


def _list_doc(kind: str, *extra: str) -> dict[str, Any]:
    return {
        "tag": kind.capitalize(),
        "summary": f"List {kind} ({WHAT[kind]}) the token's user may see.",
        "parameters": _list_parameters(*extra),
        "ok": _page_model(kind),
        "ok_text": "One page.",
        "paged": True,
        "errors": LIST_ERRORS,
    }


def _page_model(kind: str) -> type[BaseModel]:
    return Page[OUTPUTS[kind]]  # type: ignore[valid-type]


def _get_doc(kind: str) -> dict[str, Any]:
    name = OUTPUTS[kind].__name__.lower()
    return {
        "tag": kind.capitalize(),
        "summary": f"One {name} by its external id.",
        "parameters": ({**EXTERNAL_ID, "example": EXAMPLES[kind]["external_id"]},),
        "ok": OUTPUTS[kind],
        "ok_text": f"The {name}.",
        "errors": READ_ERRORS,
    }


def _put_doc(kind: str, model: type[BaseModel]) -> dict[str, Any]:
    name = OUTPUTS[kind].__name__.lower()
    return {
        "tag": kind.capitalize(),
        "summary": f"Create or update the {name} with this external id.",
        "parameters": ({**EXTERNAL_ID, "example": EXAMPLES[kind]["external_id"]},),
        "body": model,
        "example": _without(kind, "external_id"),
        "ok": OUTPUTS[kind],
        "ok_text": "Updated.",
        "created": OUTPUTS[kind],
        "errors": (*WRITE_ERRORS, 404),
    }


def _batch_doc(kind: str, model: type[BaseModel]) -> dict[str, Any]:
    return {
        "tag": kind.capitalize(),
        "summary": f"Create or update up to {MAX_BATCH} {kind} at once, all or nothing.",
        "description": "Validated exactly as a CSV import; one bad record writes nothing "
        "and `errors` names /records/N/field.",
        "body": model,
        "example": {"records": [EXAMPLES[kind]]},
        "ok": BatchResult,
        "ok_text": "All records written.",
        "errors": WRITE_ERRORS,
    }


@endpoint("GET", "/accounts", **_list_doc("accounts"))
@requires(policy.API_READ)
def list_accounts():
    return _list("accounts")


@endpoint("GET", "/accounts/<external_id>", **_get_doc("accounts"))
@requires(policy.API_READ)
def get_account(external_id: str):
    return _one("accounts", external_id)


@endpoint("PUT", "/accounts/<external_id>", **_put_doc("accounts", AccountUpdate))
@requires(policy.API_WRITE)
def put_account(external_id: str):
    return _put("accounts", AccountUpdate, external_id)


@endpoint("POST", "/accounts/batch", **_batch_doc("accounts", AccountBatch))
@requires(policy.API_WRITE)
def batch_accounts():
    return _batch("accounts", AccountBatch)


@endpoint("GET", "/contacts", **_list_doc("contacts", "account"))
@requires(policy.API_READ)
def list_contacts():
    return _list("contacts", "account")


@endpoint("GET", "/contacts/<external_id>", **_get_doc("contacts"))
@requires(policy.API_READ)
def get_contact(external_id: str):
    return _one("contacts", external_id)


@endpoint("PUT", "/contacts/<external_id>", **_put_doc("contacts", ContactUpdate))
@requires(policy.API_WRITE)
def put_contact(external_id: str):
    return _put("contacts", ContactUpdate, external_id)


@endpoint("POST", "/contacts/batch", **_batch_doc("contacts", ContactBatch))
@requires(policy.API_WRITE)
def batch_contacts():
    return _batch("contacts", ContactBatch)


@endpoint("GET", "/deals", **_list_doc("deals", "account", "closed_from", "closed_to"))
@requires(policy.API_READ)
def list_deals():
    return _list("deals", "account", "closed_from", "closed_to")


@endpoint("GET", "/deals/<external_id>", **_get_doc("deals"))
@requires(policy.API_READ)
def get_deal(external_id: str):
    return _one("deals", external_id)


@endpoint("PUT", "/deals/<external_id>", **_put_doc("deals", DealUpdate))
@requires(policy.API_WRITE)
def put_deal(external_id: str):
    return _put("deals", DealUpdate, external_id)


@endpoint("POST", "/deals/batch", **_batch_doc("deals", DealBatch))
@requires(policy.API_WRITE)
def batch_deals():
    return _batch("deals", DealBatch)


# Quotas: no external id; one is a rep × period × product line -----------------------------------


@endpoint("GET", "/quotas", **_list_doc("quotas", "period"))
@requires(policy.API_READ)
def list_quotas():
    return _list("quotas", "period")


@endpoint(
    "GET",
    "/quotas/<int:quota_id>",
    tag="Quotas",
    summary="One quota by id.",
    parameters=(QUOTA_ID,),
    ok=Quota,
    ok_text="The quota.",
    errors=READ_ERRORS,
)
@requires(policy.API_READ)
def get_quota(quota_id: int):
    return _one("quotas", quota_id)


@endpoint(
    "POST",
    "/quotas",
    tag="Quotas",
    summary="Create or update the quota of a rep, period and product line.",
    body=QuotaInput,
    example=EXAMPLES["quotas"],
    ok=Quota,
    ok_text="Updated.",
    created=Quota,
    errors=WRITE_ERRORS,
)
@requires(policy.API_WRITE)
def create_quota():
    rows = single_row(QuotaInput, json_body())
    result = services.upsert_records("quotas", rows, token=_caller().token)
    values = rows[0][1]
    row = first_row(
        queries.quota_by_target(values["rep_email"], values["period"], values["product_line"])
    )
    return _saved("quotas", row, created=bool(result.created), key=row[0].id)


@endpoint("POST", "/quotas/batch", **_batch_doc("quotas", QuotaBatch))
@requires(policy.API_WRITE)
def batch_quotas():
    return _batch("quotas", QuotaBatch)


@endpoint(
    "PUT",
    "/quotas/<int:quota_id>",
    tag="Quotas",
    summary="Change a quota's targets; its rep, period and product line stay.",
    parameters=(QUOTA_ID,),
    body=QuotaUpdate,
    example=_without("quotas", "rep_email", "period", "product_line"),
    ok=Quota,
    ok_text="Updated.",
    errors=(*WRITE_ERRORS, 404),
)
@requires(policy.API_WRITE)
def put_quota(quota_id: int):
    if not _may_exist(quota_id):
        raise NotFound()
    row = first_row(queries.api_record("quotas", quota_id))
    current = _quota(row)
    body = json_body()
    keys = _same_quota(body, row[0], current)
    rows = single_row(QuotaUpdate, body, fixed=keys)
    services.upsert_records("quotas", rows, token=_caller().token)
    return _saved(
        "quotas", first_row(queries.api_record("quotas", quota_id)), created=False, key=quota_id
    )


# The shared steps --------------------------------------------------------------------------------


def _caller() -> Any:
    return caller(policy.API_READ)


def _may_exist(key: str | int) -> bool:
    """False for keys no record can have, which some databases cannot even compare."""
    if isinstance(key, int):
        return key <= MAX_ID  # SQLite overflows past 64 bits
    return "\x00" not in key  # PostgreSQL text cannot hold NUL


def _list(kind: str, *extra: str) -> Response:
    page_statement: Select[Any] = queries.api_list(kind, _caller(), _filters(*extra))
    return page_of(page_statement, SERIALIZERS[kind], OUTPUTS[kind])


def _one(kind: str, key: str | int) -> Response:
    if not _may_exist(key):
        raise NotFound()
    row = first_row(queries.api_record(kind, key))
    authorize(policy.API_READ, row[0])
    return jsonify(SERIALIZERS[kind](row).model_dump(mode="json"))


def _put(kind: str, model: type[SalesRecord], external_id: str) -> Response:
    rows = single_row(model, json_body(), fixed={"external_id": external_id})
    result = services.upsert_records(kind, rows, token=_caller().token)
    key = external_id.strip()
    return _saved(
        kind, first_row(queries.api_record(kind, key)), created=bool(result.created), key=key
    )


def _batch(kind: str, model: type[BaseModel]) -> Response:
    rows = batch_rows(model, json_body())
    result = services.upsert_records(kind, rows, token=_caller().token)
    return jsonify(
        BatchResult(
            records=result.rows, created=result.created, updated=result.updated
        ).model_dump()
    )


ENDPOINTS = {
    "accounts": "api.get_account",
    "contacts": "api.get_contact",
    "deals": "api.get_deal",
    "quotas": "api.get_quota",
}


def _saved(kind: str, row: Any, *, created: bool, key: str | int) -> Response:
    response = jsonify(SERIALIZERS[kind](row).model_dump(mode="json"))
    if created:
        response.status_code = 201
        argument = "quota_id" if kind == "quotas" else "external_id"
        response.headers["Location"] = url_for(ENDPOINTS[kind], **{argument: key})
    return response


def _same_quota(body: Any, quota: Any, current: Quota) -> dict[str, str]:
    """The quota's rep, period and product line, which a body may repeat but not change."""
    keys = {
        "rep_email": current.rep_email,
        "period": current.period,
        "product_line": current.product_line,
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
        PayloadProblem(
            pointer(name),
            N_("A quota's rep, period and product line cannot change; create a new quota instead."),
        )
        for name, check in same.items()
        if isinstance(body.get(name), str) and not check(body[name])
    ]
    if problems:
        raise InvalidPayload(problems)
    return {
        name: body[name] if isinstance(body.get(name), str) else value
        for name, value in keys.items()
    }


def _period_or_none(text: str) -> Period | None:
    try:
        return parse_period(text)
    except ValueError:
        return None


@bp.errorhandler(ImportRejected)
def _rejected(error: ImportRejected):
    batch = request.endpoint is not None and request.endpoint.startswith("api.batch_")
    errors = [
        {"pointer": import_pointer(p, batch=batch), "detail": translate(p.message, p.params)}
        for p in error.problems
    ]
    return problem(
        422,
        _("The records have %(n)d problem(s); nothing was written.", n=error.problem_count),
        type_=VALIDATION,
        errors=errors,
        problem_count=error.problem_count,
    )
