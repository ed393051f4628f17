"""JSON bodies of the API as the rows the importer reads, and where problems point in them.

Pure code: no Flask, no database. The API validates through the same importer as a CSV file
(``coachflow.sales.importing``), so this module only checks what JSON adds (types, unknown
fields, the shape of a batch) and turns each value into the text a CSV cell would hold. Problem
messages are English, marked with ``N_`` for the catalogues; the caller translates them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from coachflow.lib import money
from coachflow.lib.csvio import parse_decimal
from coachflow.sales.records import FIELDS, N_, Problem

MAX_BATCH = 1000
MONEY_FIELDS = frozenset({"amount", "margin", "revenue_target", "margin_target"})
COUNT_FIELDS = frozenset({"bookings_target", "estimates_target"})
FLAG_OR_DATE_FIELDS = frozenset({"opted_out"})
# What the database columns hold (BIGINT minor units, INTEGER counts), with room to spare.
MAX_AMOUNT = Decimal(10) ** 13
MAX_COUNT = 2**31 - 1


class MalformedJson(ValueError):
    """The body is not JSON at all."""


@dataclass(frozen=True)
class PayloadProblem:
    """One thing wrong in a request body: where (a JSON pointer, RFC 6901) and why."""

    pointer: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


class InvalidPayload(Exception):
    """The body is JSON but not the records it should be; nothing was checked further."""

    def __init__(self, problems: list[PayloadProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the request body")
        self.problems = problems


Rows = list[tuple[int, dict[str, str]]]


def parse_json(body: bytes) -> Any:
    """The JSON value of ``body``, with numbers as ``Decimal`` or ``int`` (never float)."""
    if not body.strip():
        raise MalformedJson("the body is empty")
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_refuse_constant)
    except RecursionError as error:
        raise MalformedJson("the body is nested too deeply") from error
    except ValueError as error:  # JSONDecodeError, bad UTF-8, an integer with too many digits
        raise MalformedJson(str(error)) from error


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def pointer(*parts: str | int) -> str:
    """A JSON pointer to ``parts`` (``pointer("records", 3, "amount")`` → ``/records/3/amount``)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def import_pointer(problem: Problem, *, batch: bool) -> str:
    """Where an importer problem points: its record (the row is the record's index) and field."""
    parts: list[str | int] = []
    if batch:
        parts = ["records"] if problem.row is None else ["records", problem.row]
    if problem.field:
        parts.append(problem.field)
    return pointer(*parts)


def batch_rows(kind: str, body: Any) -> Rows:
    """The rows of a batch body ``{"records": [...]}`` (1 to ``MAX_BATCH`` records)."""
    if not isinstance(body, dict):
        raise InvalidPayload([PayloadProblem("", N_("The body must be a JSON object."))])
    problems = [
        PayloadProblem(pointer(name), N_("This field is not known."))
        for name in body
        if name != "records"
    ]
    records = body.get("records")
    if not isinstance(records, list):
        problems.append(PayloadProblem(pointer("records"), N_("Must be a list of records.")))
    elif not 1 <= len(records) <= MAX_BATCH:
        problems.append(
            PayloadProblem(
                pointer("records"), N_("Send between 1 and %(max)d records."), {"max": MAX_BATCH}
            )
        )
    if problems:
        raise InvalidPayload(problems)
    rows: Rows = []
    for index, record in enumerate(records):
        values, found = record_values(kind, record, ("records", index))
        problems.extend(found)
        rows.append((index, values))
    if problems:
        raise InvalidPayload(problems)
    return rows


def single_row(kind: str, body: Any, *, fixed: dict[str, str] | None = None) -> Rows:
    """The row of one record's body; ``fixed`` values (from the URL) fill in or must match."""
    fixed = fixed or {}
    problems = []
    if isinstance(body, dict):
        problems = [
            PayloadProblem(
                pointer(name), N_("Does not match the %(field)s in the address."), {"field": name}
            )
            for name, value in fixed.items()
            if body.get(name) not in (None, value)
        ]
        body = {**body, **fixed}
    values, found = record_values(kind, body, ())
    problems.extend(found)
    if problems:
        raise InvalidPayload(problems)
    return [(0, values)]


def record_values(
    kind: str, record: Any, at: tuple[str | int, ...]
) -> tuple[dict[str, str], list[PayloadProblem]]:
    """One JSON record as the text a CSV cell would hold, field by field, with its problems."""
    if not isinstance(record, dict):
        return {}, [PayloadProblem(pointer(*at), N_("Must be an object."))]
    known = {spec.name for spec in FIELDS[kind]}
    problems = [
        PayloadProblem(pointer(*at, name), N_("This field is not known."))
        for name in record
        if name not in known
    ]
    values: dict[str, str] = {}
    for name, value in record.items():
        if name not in known:
            continue
        text, message = _as_text(name, value)
        if message is not None:
            problems.append(PayloadProblem(pointer(*at, name), message))
        else:
            values[name] = text
    problems.extend(_storable(values, at))
    return values, problems


def _as_text(name: str, value: Any) -> tuple[str, str | None]:
    """A JSON value as cell text, or the reason it cannot be one."""
    if value is None:
        return "", None
    if name in MONEY_FIELDS:
        if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
            return "", N_("Must be a number or a string.")
        return (format(value, "f") if isinstance(value, Decimal) else str(value)), None
    if name in COUNT_FIELDS:
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            return "", N_("Must be a whole number.")
        return str(value), None
    if name in FLAG_OR_DATE_FIELDS and isinstance(value, bool):
        return ("yes" if value else "no"), None
    if not isinstance(value, str):
        if name in FLAG_OR_DATE_FIELDS:
            return "", N_("Must be true, false or a date.")
        return "", N_("Must be a string.")
    return value, None


def _storable(values: dict[str, str], at: tuple[str | int, ...]) -> list[PayloadProblem]:
    """Values the importer would accept but the database cannot hold.

    The importer does not yet refuse these itself (see the API section of the README); until it
    does, the API refuses them here so that they are a 422, not a failed write.
    """
    problems = []
    currency = values.get("currency", "").strip().upper()
    for name, text in values.items():
        if "\x00" in text or not _encodable(text):
            problems.append(
                PayloadProblem(
                    pointer(*at, name), N_("Contains a character that cannot be stored.")
                )
            )
        elif name in MONEY_FIELDS and text.strip():
            try:
                amount = parse_decimal(text, decimal_hint=".")
            except ValueError:
                continue  # the importer says what is wrong with it
            if abs(amount) >= MAX_AMOUNT:
                problems.append(
                    PayloadProblem(
                        pointer(*at, name),
                        N_("Must be less than %(max)s."),
                        {"max": f"{MAX_AMOUNT:,}"},
                    )
                )
            elif len(currency) == 3 and currency.isalpha() and not _fits(amount, currency):
                problems.append(
                    PayloadProblem(
                        pointer(*at, name),
                        N_("Has more decimals than %(currency)s allows."),
                        {"currency": currency},
                    )
                )
        elif name in COUNT_FIELDS and text and int(text) > MAX_COUNT:
            problems.append(
                PayloadProblem(
                    pointer(*at, name), N_("Must be at most %(max)d."), {"max": MAX_COUNT}
                )
            )
    return problems


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape
        return False
    return True


def _fits(amount: Decimal, currency: str) -> bool:
    try:
        money.to_minor(amount, currency)
    except ValueError:
        return False
    return True
