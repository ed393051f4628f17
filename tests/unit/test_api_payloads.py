"""JSON bodies as importer rows: types, unknown fields, batch shape and JSON pointers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from coachflow.platform.api.bodies import InvalidPayload, MalformedJson, parse_json, pointer
from coachflow.sales.api import (
    MAX_BATCH,
    ContactInput,
    DealBatch,
    DealInput,
    QuotaInput,
    batch_rows,
    import_pointer,
    single_row,
)
from coachflow.sales.records import Problem

DEAL = {
    "external_id": "D1",
    "account_external_id": "A1",
    "rep_email": "rep@example.com",
    "product_line": "HW",
    "amount": "1200.50",
    "currency": "EUR",
    "stage": "won",
    "closed_on": "2026-03-07",
}


def problems_of(call) -> list[tuple[str, str]]:
    with pytest.raises(InvalidPayload) as raised:
        call()
    return [(p.pointer, p.message) for p in raised.value.problems]


def test_numbers_are_parsed_as_decimals_and_kept_exactly():
    body = parse_json(b'{"amount": 1234567.89, "margin": 0.1, "count": 3}')
    assert body == {"amount": Decimal("1234567.89"), "margin": Decimal("0.1"), "count": 3}
    [(_row, values)] = single_row(
        DealInput, {**DEAL, "amount": body["amount"], "margin": Decimal("1E+2")}
    )
    assert values["amount"] == "1234567.89"
    assert values["margin"] == "100"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"  ",
        b"{bad",
        b"[1,",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b"\xff\xfe\x00",
        b"[" * 100_000,
        b"9" * 5000,
    ],
)
def test_what_is_not_json_is_malformed(body):
    with pytest.raises(MalformedJson):
        parse_json(body)


def test_json_values_become_the_text_a_csv_cell_would_hold():
    contact = {
        "account_external_id": "A1",
        "name": "Ada",
        "email": "ada@x.com",
        "opted_out": True,
        "language": None,
    }
    [(_row, values)] = single_row(ContactInput, contact, fixed={"external_id": "C1"})
    assert values == {
        "account_external_id": "A1",
        "name": "Ada",
        "email": "ada@x.com",
        "opted_out": "yes",
        "language": "",
        "external_id": "C1",
    }
    quota = {
        "rep_email": "r@x.com",
        "period": "2026",
        "product_line": "HW",
        "currency": "EUR",
        "revenue_target": 50000,
        "bookings_target": Decimal("4.0"),
    }
    [(_row, values)] = single_row(QuotaInput, quota)
    assert (values["revenue_target"], values["bookings_target"]) == ("50000", "4")


def test_wrong_types_and_unknown_fields_point_at_themselves():
    found = problems_of(
        lambda: single_row(
            DealInput, {**DEAL, "amount": True, "stage": 3, "amout": "1", "margin": [1]}
        )
    )
    assert sorted(found) == [
        ("/amount", "Must be a number or a string."),
        ("/amout", "This field is not known."),
        ("/margin", "Must be a number or a string."),
        ("/stage", "Must be a string."),
    ]
    assert problems_of(lambda: single_row(QuotaInput, {"bookings_target": 2.5})) == [
        ("/bookings_target", "Must be a whole number.")
    ]
    assert problems_of(lambda: single_row(ContactInput, {"opted_out": 1})) == [
        ("/opted_out", "Must be true, false or a date.")
    ]


def test_the_address_key_fills_in_or_must_match():
    [(_row, values)] = single_row(
        DealInput,
        {k: v for k, v in DEAL.items() if k != "external_id"},
        fixed={"external_id": "D1"},
    )
    assert values["external_id"] == "D1"
    assert problems_of(lambda: single_row(DealInput, DEAL, fixed={"external_id": "D2"})) == [
        ("/external_id", "Does not match the %(field)s in the address.")
    ]


def test_a_batch_is_an_object_with_1_to_1000_records():
    assert problems_of(lambda: batch_rows(DealBatch, [DEAL])) == [
        ("", "The body must be a JSON object.")
    ]
    assert problems_of(lambda: batch_rows(DealBatch, {"records": []})) == [
        ("/records", "Send between 1 and %(max)d records.")
    ]
    assert problems_of(lambda: batch_rows(DealBatch, {"records": [DEAL] * (MAX_BATCH + 1)})) == [
        ("/records", "Send between 1 and %(max)d records.")
    ]
    assert problems_of(lambda: batch_rows(DealBatch, {"records": "all", "dry_run": True})) == [
        ("/dry_run", "This field is not known."),
        ("/records", "Must be a list of records."),
    ]
    rows = batch_rows(DealBatch, {"records": [DEAL, DEAL]})
    assert [row for row, _values in rows] == [0, 1]


def test_every_bad_record_of_a_batch_is_named_by_its_index():
    found = problems_of(lambda: batch_rows(DealBatch, {"records": [DEAL, 7, {**DEAL, "x": 1}]}))
    assert found == [
        ("/records/1", "Must be an object."),
        ("/records/2/x", "This field is not known."),
    ]


def test_values_the_database_cannot_store_are_refused_before_the_importer():
    assert problems_of(lambda: single_row(DealInput, {**DEAL, "name": None, "stage": "w\x00n"}))[
        -1
    ] == ("/stage", "Contains a character that cannot be stored.")
    assert problems_of(lambda: single_row(DealInput, {**DEAL, "stage": "\ud800"})) == [
        ("/stage", "Contains a character that cannot be stored.")
    ]
    assert problems_of(lambda: single_row(DealInput, {**DEAL, "amount": Decimal("1E+20")})) == [
        ("/amount", "Must be less than %(max)s.")
    ]
    assert problems_of(lambda: single_row(DealInput, {**DEAL, "amount": "10.001"})) == [
        ("/amount", "Has more decimals than %(currency)s allows.")
    ]
    assert single_row(DealInput, {**DEAL, "currency": "JPY", "amount": "1200"})
    assert problems_of(lambda: single_row(QuotaInput, {"bookings_target": 2**31})) == [
        ("/bookings_target", "Must be at most %(max)d.")
    ]


def test_pointers_escape_slashes_and_tildes_and_name_records_by_index():
    assert pointer("records", 3, "amount") == "/records/3/amount"
    assert pointer("a/b", "c~d") == "/a~1b/c~0d"
    assert pointer() == ""
    problem = Problem(7, "closed_on", "x")
    assert import_pointer(problem, batch=True) == "/records/7/closed_on"
    assert import_pointer(problem, batch=False) == "/closed_on"
    assert import_pointer(Problem(2, "", "x"), batch=True) == "/records/2"


def test_each_input_schema_names_exactly_the_importers_fields_and_required_ones():
    from coachflow.sales.api import AccountInput, DealUpdate
    from coachflow.sales.records import FIELDS

    for model in (AccountInput, ContactInput, DealInput, QuotaInput):
        assert set(model.model_fields) == {spec.name for spec in FIELDS[model.kind]}
        schema = model.model_json_schema()
        assert set(schema["required"]) == {s.name for s in FIELDS[model.kind] if s.required}
    assert "external_id" not in DealUpdate.model_json_schema()["required"]


def test_the_platform_api_imports_no_domain():
    from pathlib import Path

    import coachflow.platform.api as platform_api

    for source in Path(platform_api.__file__).parent.glob("*.py"):
        text = source.read_text()
        for domain in ("accounts", "sales", "surveys"):
            assert f"coachflow.{domain}" not in text, (source.name, domain)
