"""Reading CRM and spreadsheet CSV exports: encodings, delimiters, line numbers, numbers, dates."""

from __future__ import annotations

import codecs
import datetime
import io
import random
import tracemalloc
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from coachflow.lib.csvio import (
    CsvFormatError,
    CsvSource,
    detect_decimal_separator,
    open_csv,
    parse_date,
    parse_decimal,
)

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

SAMPLE_SIZE = 64 * 1024


def open_bytes(data: bytes, **options: int) -> CsvSource:
    return open_csv(io.BytesIO(data), **options)


def read_rows(data: bytes, **options: int) -> list[tuple[int, dict[str, str] | CsvFormatError]]:
    return list(open_bytes(data, **options).rows())


def error_from_open(data: bytes) -> CsvFormatError:
    with pytest.raises(CsvFormatError) as caught:
        open_bytes(data)
    return caught.value


class GeneratedExport(io.RawIOBase):
    """A large CRM export produced on the fly, so the test itself never holds the whole file."""

    HEADER = b"Opportunity ID,Account Name,Amount,Close Date,Description\r\n"

    def __init__(self, rows: int) -> None:
        super().__init__()
        self._chunks = self._generate(rows)
        self._pending = memoryview(b"")
        self.bytes_served = 0

    def _generate(self, rows: int) -> Iterator[bytes]:
        yield self.HEADER
        for start in range(0, rows, 1000):
            yield "".join(
                f"006{number:012d},Account {number},{number % 9999}.50,2025-03-07,"
                "Renewal of the annual coaching licence for the whole sales team\r\n"
                for number in range(start, min(start + 1000, rows))
            ).encode()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        target = memoryview(buffer)
        if not self._pending:
            self._pending = memoryview(next(self._chunks, b""))
        size = min(len(target), len(self._pending))
        target[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        self.bytes_served += size
        return size


# --- open_csv: encodings and delimiters --------------------------------------------------------


def test_salesforce_export_with_utf8_bom_and_quoted_headers_reads_clean_column_names() -> None:
    text = (
        '"Opportunity ID","Account Name","Amount","Close Date"\r\n'
        '"0065g00000ABCDe","Müller GmbH","1,234.56","3/7/2025"\r\n'
    )
    data = codecs.BOM_UTF8 + text.encode()

    source = open_bytes(data)
    rows = list(source.rows())

    assert source.encoding == "utf-8"
    assert source.delimiter == ","
    assert source.header == ["Opportunity ID", "Account Name", "Amount", "Close Date"]
    assert rows == [
        (
            2,
            {
                "Opportunity ID": "0065g00000ABCDe",
                "Account Name": "Müller GmbH",
                "Amount": "1,234.56",
                "Close Date": "3/7/2025",
            },
        )
    ]


@pytest.mark.parametrize(
    ("bom", "codec", "expected_encoding"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
    ],
)
def test_excel_unicode_text_export_in_utf16_with_tabs_is_read(
    bom: bytes, codec: str, expected_encoding: str
) -> None:
    text = "Account\tOwner\tAmount\r\nZürich Versicherung\tRenée\t1.234,56\r\n"

    source = open_bytes(bom + text.encode(codec))

    assert (source.encoding, source.delimiter) == (expected_encoding, "\t")
    assert source.header == ["Account", "Owner", "Amount"]
    assert list(source.rows()) == [
        (2, {"Account": "Zürich Versicherung", "Owner": "Renée", "Amount": "1.234,56"})
    ]


def test_windows_1252_export_keeps_accents_and_euro_sign() -> None:
    data = "Kunde;Betrag\r\nCafé Müller;€ 1.234,56\r\n".encode("cp1252")
    assert b"\x80" in data

    source = open_bytes(data)
    [(line, row)] = list(source.rows())

    assert source.encoding == "cp1252"
    assert (line, row) == (2, {"Kunde": "Café Müller", "Betrag": "€ 1.234,56"})
    assert isinstance(row, dict)
    assert parse_decimal(row["Betrag"]) == Decimal("1234.56")


def test_german_semicolon_file_with_decimal_commas_reads_amounts() -> None:
    data = (
        "Kunde;Betrag;Abschlussdatum\n"
        "Müller GmbH;1.234,56;07.03.2025\n"
        "Schmidt AG;12,5;31.12.2024\n"
        "Weber KG;1.000;15.01.2025\n"
    ).encode()

    source = open_bytes(data)
    rows = [row for _, row in source.rows() if isinstance(row, dict)]
    mark = detect_decimal_separator(row["Betrag"] for row in rows)

    assert source.delimiter == ";"
    assert mark == ","
    assert [parse_decimal(row["Betrag"], decimal_hint=mark) for row in rows] == [
        Decimal("1234.56"),
        Decimal("12.5"),
        Decimal("1000"),
    ]
    assert [parse_date(row["Abschlussdatum"]) for row in rows] == [
        datetime.date(2025, 3, 7),
        datetime.date(2024, 12, 31),
        datetime.date(2025, 1, 15),
    ]


def test_pipe_delimited_file_is_split_on_pipes() -> None:
    source = open_bytes(b"Account|Amount\nAcme, Inc.|10\nGlobex|20\n")

    assert source.delimiter == "|"
    assert [row for _, row in source.rows()] == [
        {"Account": "Acme, Inc.", "Amount": "10"},
        {"Account": "Globex", "Amount": "20"},
    ]


def test_quoted_notes_with_commas_do_not_override_the_semicolons_of_the_header() -> None:
    data = b'Account;Notes\nAcme;"He said ""hi"", then left"\nGlobex;"x, ""y"", z"\n'

    source = open_bytes(data)

    assert source.delimiter == ";"
    assert [row for _, row in source.rows()] == [
        {"Account": "Acme", "Notes": 'He said "hi", then left'},
        {"Account": "Globex", "Notes": 'x, "y", z'},
    ]


def test_ragged_rows_are_split_on_the_header_delimiter_and_padded() -> None:
    source = open_bytes(b"Account|Owner|Amount\nAcme|Ann|10\nGlobex|Bob\nInitech\n")

    assert source.delimiter == "|"
    assert [row for _, row in source.rows()] == [
        {"Account": "Acme", "Owner": "Ann", "Amount": "10"},
        {"Account": "Globex", "Owner": "Bob", "Amount": ""},
        {"Account": "Initech", "Owner": "", "Amount": ""},
    ]


def test_single_column_file_reads_one_value_per_line() -> None:
    source = open_bytes(b"Email\nann@example.com\nbob@example.com\n")

    assert source.header == ["Email"]
    assert [row for _, row in source.rows()] == [
        {"Email": "ann@example.com"},
        {"Email": "bob@example.com"},
    ]


@pytest.mark.parametrize("bytes_before_cut", [1, 2])
def test_sample_boundary_inside_a_euro_sign_is_still_read_as_utf8(bytes_before_cut: int) -> None:
    head = b"Account,Amount\n" + b"Filler,1\n" * 7000
    euro_offset = SAMPLE_SIZE - bytes_before_cut
    padding = b"P" * (euro_offset - len(head))
    data = head + padding + "€uro Consulting,5\n".encode() + b"After,6\n"
    assert data.index("€".encode()) == euro_offset

    source = open_bytes(data)
    rows = list(source.rows())

    assert source.encoding == "utf-8"
    assert rows[-2] == (7002, {"Account": "P" * len(padding) + "€uro Consulting", "Amount": "5"})
    assert rows[-1] == (7003, {"Account": "After", "Amount": "6"})


def test_latin_text_after_an_ascii_sample_is_reported_with_its_line() -> None:
    data = b"Account,City\n" + b"Acme,Paris\n" * 20 + "Café,Lyon\n".encode("cp1252")
    source = open_bytes(data, sample_size=64)
    assert source.encoding == "utf-8"

    with pytest.raises(CsvFormatError) as caught:
        list(source.rows())

    assert caught.value.code == "encoding"
    assert caught.value.params == {"line": 22, "encoding": "utf-8"}
    assert "Line 22" in str(caught.value)


def test_utf8_file_with_one_stray_byte_is_refused_naming_its_line_not_read_as_windows_1252():
    data = (
        "Name,City\nRené,Genève\nJosé,Málaga\n".encode() + b"Bad \xff byte,Oslo\n" + b"Ann,Bonn\n"
    )

    error = error_from_open(data)

    assert error.code == "encoding"
    assert error.params == {"line": 4, "encoding": "utf-8"}
    assert "Line 4" in str(error)


def test_windows_1252_file_with_a_letter_that_looks_like_utf8_is_still_read() -> None:
    data = "Name,City\nRené,Genève\nMüller,Köln\nÃ©tude,Lyon\n".encode("cp1252")

    source = open_bytes(data)

    assert source.encoding == "cp1252"
    assert [values["Name"] for _line, values in source.rows()] == ["René", "Müller", "Ã©tude"]


def test_file_in_an_unsupported_encoding_is_rejected() -> None:
    error = error_from_open(b"Account\nM\x81ller\n")

    assert error.code == "encoding"
    assert "UTF-8" in str(error)


# --- open_csv: line numbers and row shapes ----------------------------------------------------


def test_quoted_field_with_line_breaks_keeps_line_numbers_of_following_rows() -> None:
    data = (
        b"Account,Notes,Amount\n"
        b'Acme,"Called twice\nno answer",10\n'
        b"Globex,plain,20\n"
        b'"Initech","First\r\nSecond\r\nThird",30\n'
        b"Umbrella,done,40\n"
    )

    rows = read_rows(data)

    assert [line for line, _ in rows] == [2, 4, 5, 8]
    assert rows[0][1] == {"Account": "Acme", "Notes": "Called twice\nno answer", "Amount": "10"}
    assert rows[2][1] == {"Account": "Initech", "Notes": "First\r\nSecond\r\nThird", "Amount": "30"}


def test_blank_rows_are_skipped_and_line_numbers_still_count_them() -> None:
    data = b"\nAccount;Amount\n\nAcme;1\n;\n   \nGlobex;2\n"

    source = open_bytes(data)

    assert source.header == ["Account", "Amount"]
    assert list(source.rows()) == [
        (4, {"Account": "Acme", "Amount": "1"}),
        (7, {"Account": "Globex", "Amount": "2"}),
    ]


def test_row_with_too_many_values_is_reported_and_reading_continues() -> None:
    data = b"Account,Amount\nAcme,10\nGlobex,20,oops\nInitech,30,,\n"

    rows = read_rows(data)

    assert rows[0] == (2, {"Account": "Acme", "Amount": "10"})
    line, error = rows[1]
    assert line == 3
    assert isinstance(error, CsvFormatError)
    assert error.code == "too_many_fields"
    assert error.params == {"line": 3, "expected": 2, "found": 3}
    assert str(error) == "Line 3 has 3 values, but the header has only 2 columns."
    assert rows[2] == (4, {"Account": "Initech", "Amount": "30"})


def test_unclosed_quote_is_reported_with_the_line_where_it_starts() -> None:
    source = open_bytes(b'Account,Notes\nAcme,fine\nGlobex,"never closed\nInitech,more\n')

    with pytest.raises(CsvFormatError) as caught:
        list(source.rows())

    assert caught.value.code == "malformed"
    assert caught.value.params["line"] == 3
    assert str(caught.value).startswith("Line 3 is not valid CSV")


def test_a_quoted_value_over_128_kib_is_refused_naming_the_limit_and_its_line() -> None:
    source = open_bytes(b'Account,Notes\nAcme,short\nGlobex,"' + b"x" * 200_000 + b'"\n')

    with pytest.raises(CsvFormatError) as caught:
        list(source.rows())

    assert caught.value.code == "field_too_large"
    assert caught.value.params == {"line": 3, "limit_kib": 128}
    assert str(caught.value).startswith("Line 3 has a value longer than 131,072 characters")


# --- open_csv: files that cannot be imported --------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b"  \r\n\n\t\n", b";;;\r\n;;;\r\n"],
    ids=["zero-bytes", "utf8-bom-only", "utf16-bom-only", "whitespace-only", "empty-cells-only"],
)
def test_empty_file_is_rejected(data: bytes) -> None:
    error = error_from_open(data)

    assert error.code == "empty"
    assert str(error) == "The file is empty."


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml",
        random.Random(7).randbytes(4096),
        bytes(range(1, 32)) * 20 + b"Account,Amount\n",
    ],
    ids=["png", "xlsx", "random-bytes", "control-characters"],
)
def test_binary_file_is_rejected(data: bytes) -> None:
    error = error_from_open(data)

    assert error.code == "binary"
    assert "not a CSV text file" in str(error)


def test_duplicate_column_names_are_rejected_with_both_positions() -> None:
    error = error_from_open(b"Account,Amount, Account \nAcme,1,2\n")

    assert error.code == "duplicate_header"
    assert error.params == {"name": "Account", "columns": [1, 3]}
    assert 'The column name "Account" appears more than once (columns 1 and 3)' in str(error)


def test_header_with_an_unnamed_column_in_the_middle_is_rejected() -> None:
    error = error_from_open(b"Account,,Amount\nAcme,x,1\n")

    assert error.code == "blank_header"
    assert error.params == {"column": 2}


def test_trailing_unnamed_columns_left_by_excel_are_ignored() -> None:
    source = open_bytes(b"Account;Amount;;\r\nAcme;10;;\r\n")

    assert source.header == ["Account", "Amount"]
    assert list(source.rows()) == [(2, {"Account": "Acme", "Amount": "10"})]


def test_file_starting_with_data_instead_of_a_header_is_rejected() -> None:
    error = error_from_open(b"2025-03-07,1234.56,10\n2025-03-08,99.00,11\n")

    assert error.code == "no_header"
    assert "not column names" in str(error)


# --- open_csv: streaming ----------------------------------------------------------------------


def test_reading_a_30_mb_export_keeps_memory_bounded() -> None:
    rows = 280_000
    export = GeneratedExport(rows)
    tracemalloc.start()
    try:
        source = open_csv(io.BufferedReader(export))
        count, last_line, last_row = 0, 0, {}
        for line, row in source.rows():
            assert isinstance(row, dict)
            count, last_line, last_row = count + 1, line, row
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert export.bytes_served > 30_000_000
    assert (count, last_line) == (rows, rows + 1)
    assert last_row["Account Name"] == f"Account {rows - 1}"
    assert peak < 4 * 1024 * 1024


# --- parse_decimal ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("1'234.56", "1234.56"),
        ("1\u2019234.56", "1234.56"),
        ("1,234,567.89", "1234567.89"),
        ("1.234.567", "1234567"),
        ("-12,5", "-12.5"),
        ("\u221212,5", "-12.5"),
        ("(12.50)", "-12.50"),
        ("$(1,200.00)", "-1200.00"),
        ("€ 1.234,56", "1234.56"),
        ("$1,234.56", "1234.56"),
        ("-$1,234.56", "-1234.56"),
        ("1234.56 EUR", "1234.56"),
        ("CHF 1'234.50", "1234.50"),
        ("US$ 99", "99"),
        ("  42  ", "42"),
    ],
)
def test_amounts_in_crm_formats_are_parsed_exactly(text: str, expected: str) -> None:
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234", "1234"),
        ("12,5", "12.5"),
        ("12,50", "12.50"),
        ("0,125", "0.125"),
        ("1234,567", "1234.567"),
        ("1.234", "1.234"),
    ],
)
def test_lone_separator_without_hint_follows_the_documented_rule(text: str, expected: str) -> None:
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("1.234", ",", "1234"),
        ("1,234", ",", "1.234"),
        ("1,234", ".", "1234"),
        ("1.234", ".", "1.234"),
        ("1.234,56", ",", "1234.56"),
    ],
)
def test_decimal_hint_decides_how_a_lone_separator_is_read(
    text: str, hint: str, expected: str
) -> None:
    assert parse_decimal(text, decimal_hint=hint) == Decimal(expected)


@pytest.mark.parametrize(("text", "hint"), [("1,234.56", ","), ("12,5", "."), ("1.2", ",")])
def test_amount_contradicting_the_files_decimal_mark_is_rejected(text: str, hint: str) -> None:
    with pytest.raises(ValueError, match="Expected a number"):
        parse_decimal(text, decimal_hint=hint)


@pytest.mark.parametrize(
    "text", ["abc", "1.2.3,4,5", "12 5", "1,2,3", "hello 12", "N/A", "--1", "(-1)", "1e5", "€"]
)
def test_garbage_amounts_are_rejected_with_the_value_in_the_message(text: str) -> None:
    with pytest.raises(ValueError, match="Expected a number, got") as caught:
        parse_decimal(text)

    assert repr(text) in str(caught.value)


def test_empty_amount_is_rejected() -> None:
    with pytest.raises(ValueError, match="empty value"):
        parse_decimal("  ")


def test_amounts_add_up_exactly_without_float_rounding() -> None:
    total = parse_decimal("0,10", decimal_hint=",") + parse_decimal("0,20", decimal_hint=",")

    assert total == Decimal("0.30")
    assert str(total) == "0.30"


# --- detect_decimal_separator -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1.234,56", "12"], ","),
        (["12,5"], ","),
        (["1.234.567", "1,234"], ","),
        (["1,234.56"], "."),
        (["12.50", "1,234"], "."),
        (["n/a", "", "€ 12,5"], ","),
        (["1,234", "1.234", "12"], None),
        (["12,5", "12.50"], None),
        ([], None),
    ],
)
def test_decimal_separator_is_detected_only_from_telling_values(
    values: list[str], expected: str | None
) -> None:
    assert detect_decimal_separator(values) == expected


# --- parse_date -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2025-03-07",
        "2025-03-07T10:00:00Z",
        "2025-03-07T10:00:00.000+0000",
        "2025-03-07 10:00:00",
        "07.03.2025",
        "7.3.25",
        "07/03/2025",
        "07-03-2025",
        "07.03.2025 14:30",
        " 2025/03/07 ",
    ],
)
def test_dates_in_iso_and_day_first_formats_are_parsed(text: str) -> None:
    assert parse_date(text) == datetime.date(2025, 3, 7)


@pytest.mark.parametrize("text", ["03/07/2025", "3/7/25", "3/7/2025 2:30 PM"])
def test_us_month_first_dates_are_read_when_the_file_is_month_first(text: str) -> None:
    assert parse_date(text, day_first=False) == datetime.date(2025, 3, 7)


def test_dotted_dates_stay_day_first_even_in_a_month_first_file() -> None:
    assert parse_date("07.03.2025", day_first=False) == datetime.date(2025, 3, 7)


@pytest.mark.parametrize("text", ["13/05/2025", "05/13/2025"])
def test_slash_date_with_only_one_possible_reading_takes_it(text: str) -> None:
    assert parse_date(text) == datetime.date(2025, 5, 13)


def test_explicit_day_first_rejects_a_month_first_date() -> None:
    with pytest.raises(ValueError, match="not a valid calendar date"):
        parse_date("05/13/2025", day_first=True)


@pytest.mark.parametrize("text", ["31.02.2025", "2025-02-30", "13/13/2025", "00.01.2025"])
def test_impossible_dates_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="is not a valid calendar date"):
        parse_date(text)


@pytest.mark.parametrize("text", ["", "soon", "2025-03", "07.03", "2025-03-07 rubbish", "1.2.3.4"])
def test_garbage_dates_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="Expected a date, got"):
        parse_date(text)
