"""Format-level reading of CRM and spreadsheet CSV exports (no Flask, no database).

`open_csv` streams a binary file, detects its encoding and delimiter and yields rows keyed by
the header. Line numbers are physical 1-based lines of the file: the header is on line 1 when
the file starts with it, and a record whose quoted fields contain line breaks is reported at the
line where it starts, so the records after it keep their true line numbers.

Problems that make the whole file unreadable raise `CsvFormatError`. A row with more values than
the header has columns is yielded by `CsvSource.rows` as a `CsvFormatError` value instead, so an
import can report it and carry on with the next row.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "CsvFormatError",
    "CsvSource",
    "detect_decimal_separator",
    "open_csv",
    "parse_date",
    "parse_decimal",
]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DELIMITERS = ",;\t|"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_CHAR_SHARE = 0.05
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes kept by the "surrogateescape" handler
# A character of two to four bytes as UTF-8 writes it (RFC 3629); Windows-1252 text seldom has one.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)

_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUMBER = re.compile(r"[0-9]+(?:[.,'\u2019\s][0-9]+)*")
_CURRENCY_AFFIX = re.compile(r"[^\W\d_]{0,3}\s*[^\w\s]?")  # "", "€", "US$", "EUR", "kr"

_TIME = r"""
    (?:[T\ ]\s*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?    # 10:00, 10:00:00, 10:00:00.000
       \s*(?:[AaPp]\.?[Mm]\.?|Z|[+-]\d{2}:?\d{2})?)?    # 2 PM, Z, +01:00
"""
_YEAR_FIRST_DATE = re.compile(
    r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})" + _TIME,
    re.VERBOSE,
)
_YEAR_LAST_DATE = re.compile(
    r"(?P<first>\d{1,2})(?P<sep>[-/.])(?P<second>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})" + _TIME,
    re.VERBOSE,
)


class CsvFormatError(Exception):
    """A problem with the file's format; `code` and `params` let the app show a translated message.

    Codes: empty, binary, encoding, no_header, blank_header, duplicate_header, malformed,
    field_too_large, too_many_fields.
    """

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass
class CsvSource:
    """An opened CSV file: detected encoding and delimiter, cleaned header, one pass over rows.

    `encoding` is "utf-8", "utf-16-le", "utf-16-be" or "cp1252" (byte order marks are skipped).
    """

    encoding: str
    delimiter: str
    header: list[str]
    _records: Iterator[tuple[int, list[str]]] = field(repr=False, compare=False)

    def rows(self) -> Iterator[tuple[int, dict[str, str] | CsvFormatError]]:
        """Yield (start line, values by column) per non-blank record; short records are padded.

        A record with too many values is yielded as (line, CsvFormatError "too_many_fields").
        """
        width = len(self.header)
        for line, fields in self._records:
            found = len(_without_trailing_blanks(fields))
            if found > width:
                yield (
                    line,
                    CsvFormatError(
                        "too_many_fields",
                        f"Line {line} has {found} values, but the header has only {width} columns.",
                        line=line,
                        expected=width,
                        found=found,
                    ),
                )
                continue
            values = fields[:width] + [""] * (width - len(fields))
            yield line, dict(zip(self.header, values, strict=True))


def open_csv(stream: BinaryIO, *, sample_size: int = 64 * 1024) -> CsvSource:
    """Open a binary CSV stream lazily, detecting encoding and delimiter from its first bytes.

    Raises CsvFormatError when the file cannot be read as a CSV with a header row.
    """
    sample, at_eof = _read_sample(stream, sample_size)
    encoding, bom_length, text = _detect_encoding(sample, at_eof)
    if _looks_binary(text):
        raise _binary_error()
    delimiter = _detect_delimiter(text)
    raw = _ReplayStream(sample[bom_length:], stream)
    text_stream = io.TextIOWrapper(
        io.BufferedReader(raw), encoding, errors="surrogateescape", newline=""
    )
    records = _records(text_stream, delimiter)
    first = next(records, None)
    if first is None:
        raise CsvFormatError("empty", "The file is empty.")
    return CsvSource(encoding, delimiter, _clean_header(first[1]), records)


def parse_decimal(text: str, *, decimal_hint: str | None = None) -> Decimal:
    """Parse an amount such as `1,234.56`, `1.234,56`, `1 234,56`, `1'234.56`, `€ 12` or `(12.50)`.

    `decimal_hint` ("," or ".") is the file's decimal mark. Without it a lone "." is decimal, and
    a lone "," too unless it groups exactly three digits like a thousands separator (`1,234`).
    """
    if decimal_hint not in (None, ",", "."):
        raise ValueError(f"decimal_hint must be ',', '.' or None, got {decimal_hint!r}.")
    if decimal_hint != "," and _PLAIN_NUMBER.fullmatch(text):
        return Decimal(text)  # the common case of machine exports, without the general parse
    if not text.strip():
        raise ValueError("Expected a number, got an empty value.")
    negative, groups, separators = _split_number(text)
    decimal_mark = decimal_hint or _infer_decimal_mark(groups, separators)
    thousands, fraction = separators, ""
    if decimal_mark in separators:
        if separators.count(decimal_mark) > 1 or separators[-1] != decimal_mark:
            raise ValueError(f"Expected a number, got {text!r}.")
        thousands, groups, fraction = separators[:-1], groups[:-1], groups[-1]
    if len(set(thousands)) > 1 or not _is_thousands_grouping(groups):
        raise ValueError(f"Expected a number, got {text!r}.")
    digits = "".join(groups) + (f".{fraction}" if fraction else "")
    return Decimal(f"-{digits}" if negative else digits)


def parse_date(text: str, *, day_first: bool | None = None) -> datetime.date:
    """Parse `2025-03-07`, `2025-03-07T10:00:00Z`, `07.03.2025`, `7/3/25` or `03/07/2025` (US).

    Dotted dates are day-first; for others None prefers day-first unless only month-first is valid.
    """
    value = text.strip()
    if _ISO_DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{text!r} is not a valid calendar date.") from None
    if match := _YEAR_FIRST_DATE.fullmatch(value):
        year = int(match["year"])
        readings = [(int(match["day"]), int(match["month"]))]
    elif match := _YEAR_LAST_DATE.fullmatch(value):
        year = int(match["year"]) + (2000 if len(match["year"]) == 2 else 0)
        first, second = int(match["first"]), int(match["second"])
        if match["sep"] == "." or day_first:
            readings = [(first, second)]
        elif day_first is None:
            readings = [(first, second), (second, first)]
        else:
            readings = [(second, first)]
    else:
        raise ValueError(f"Expected a date, got {text!r}.")
    for day, month in readings:
        try:
            return datetime.date(year, month, day)
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a valid calendar date.")


def detect_decimal_separator(values: Iterable[str]) -> str | None:
    """Return the decimal mark ("," or ".") that sample values of a numeric column reveal.

    `12,5` or `1.234,56` reveal ","; None if no value tells (`1,234`, `12`) or values disagree.
    """
    found = set()
    for value in values:
        readable_with = [mark for mark in (",", ".") if _is_number(value, mark)]
        if len(readable_with) == 1:
            found.add(readable_with[0])
    return found.pop() if len(found) == 1 else None


class _ReplayStream(io.RawIOBase):
    """A raw binary stream that returns already-read bytes before reading on from the source."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        target = memoryview(buffer)
        if self._head:
            size = min(len(target), len(self._head))
            target[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(target))
        target[: len(data)] = data
        return len(data)


def _read_sample(stream: BinaryIO, size: int) -> tuple[bytes, bool]:
    """Read up to `size` bytes, tolerating short reads; also tell whether the stream ended."""
    chunks = []
    remaining = size
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks), remaining > 0


def _detect_encoding(sample: bytes, at_eof: bool) -> tuple[str, int, str]:
    """Return the encoding, the length of its byte order mark and the decoded sample.

    A multibyte character cut by the end of the sample is left undecoded, not taken as invalid.
    """
    candidates = [(encoding, len(bom)) for bom, encoding in _BOMS if sample.startswith(bom)]
    if not candidates:
        if b"\x00" in sample:
            raise _binary_error()
        candidates = [("utf-8", 0), ("cp1252", 0)]
    for encoding, bom_length in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            return encoding, bom_length, decoder.decode(sample[bom_length:], final=at_eof)
        except UnicodeDecodeError as error:
            if encoding == "utf-8" and _mostly_utf8(sample):
                # Read as Windows-1252, every other accented letter would be garbled.
                raise _encoding_error("utf-8", sample.count(b"\n", 0, error.start) + 1) from None
            continue
    raise CsvFormatError(
        "encoding",
        "The file's text encoding is not supported. Save it as UTF-8 CSV and try again.",
    )


def _mostly_utf8(sample: bytes) -> bool:
    """Whether the non-ASCII bytes of ``sample`` are mostly well-formed UTF-8 characters (a
    UTF-8 file with a stray byte) rather than single Windows-1252 letters."""
    sequences = _UTF8_SEQUENCE.findall(sample)
    high_bytes = sum(1 for byte in sample if byte >= 0x80)
    in_sequences = sum(len(sequence) for sequence in sequences)
    return len(sequences) > 0 and len(sequences) >= high_bytes - in_sequences


def _looks_binary(text: str) -> bool:
    return len(_CONTROL_CHARS.findall(text)) > _MAX_CONTROL_CHAR_SHARE * len(text)


def _binary_error() -> CsvFormatError:
    return CsvFormatError(
        "binary",
        "The file is not a CSV text file (it may be an Excel workbook or an image). "
        "Export it as CSV and try again.",
    )


def _detect_delimiter(text: str) -> str:
    """Ask csv.Sniffer; fall back to the delimiter found most often in the header line.

    The sniffed delimiter is trusted only if the header line contains it outside quotes.
    """
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = _count_outside_quotes(header_line)
    complete_lines = text[: text.rfind("\n") + 1] or text
    try:
        sniffed = csv.Sniffer().sniff(complete_lines, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    if sniffed is not None and (counts[sniffed] or not any(counts.values())):
        return sniffed
    best = max(_DELIMITERS, key=counts.__getitem__)
    return best if counts[best] else ","


def _count_outside_quotes(line: str) -> dict[str, int]:
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char in counts and not quoted:
            counts[char] += 1
    return counts


def _records(text: io.TextIOWrapper, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (start line, fields) per non-blank record; reader errors become CsvFormatError."""
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field limit" in str(error):
                raise _field_too_large(line) from error
            raise CsvFormatError(
                "malformed",
                f"Line {line} is not valid CSV ({error}). Check its quotation marks.",
                line=line,
                detail=str(error),
            ) from error
        except UnicodeDecodeError as error:
            raise _encoding_error(text.encoding, line) from error
        if any(_UNDECODABLE.search(value) for value in fields):
            raise _encoding_error(text.encoding, line)
        if any(value.strip() for value in fields):
            yield line, fields
        line = reader.line_num + 1


def _field_too_large(line: int) -> CsvFormatError:
    limit = csv.field_size_limit()
    return CsvFormatError(
        "field_too_large",
        f"Line {line} has a value longer than {limit:,} characters ({limit // 1024} KiB), the "
        "most one value may hold. Shorten it, or check that its quotation marks are closed.",
        line=line,
        limit_kib=limit // 1024,
    )


def _encoding_error(encoding: str, line: int) -> CsvFormatError:
    return CsvFormatError(
        "encoding",
        f"Line {line} contains bytes that are not valid {encoding} text. "
        "Save the file as UTF-8 CSV and try again.",
        line=line,
        encoding=encoding,
    )


def _clean_header(fields: list[str]) -> list[str]:
    """Strip names, drop trailing unnamed columns and reject data-like, blank or duplicate names."""
    names = _without_trailing_blanks([name.replace("\ufeff", "").strip() for name in fields])
    if all(_is_number(name, None) or _is_date(name) for name in names):
        raise CsvFormatError(
            "no_header",
            "The first row contains data, not column names. Add a header row and try again.",
        )
    first_column: dict[str, int] = {}
    for column, name in enumerate(names, start=1):
        if not name:
            raise CsvFormatError(
                "blank_header", f"Column {column} has no name in the header row.", column=column
            )
        if name in first_column:
            columns = [first_column[name], column]
            raise CsvFormatError(
                "duplicate_header",
                f'The column name "{name}" appears more than once (columns {columns[0]} and '
                f"{column}). Rename one of them and try again.",
                name=name,
                columns=columns,
            )
        first_column[name] = column
    return names


def _without_trailing_blanks(fields: list[str]) -> list[str]:
    end = len(fields)
    while end and not fields[end - 1].strip():
        end -= 1
    return fields[:end]


def _split_number(text: str) -> tuple[bool, list[str], list[str]]:
    """Strip currency and sign; return (negative, digit groups, separators between them)."""
    body = _strip_currency(text)
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, _strip_currency(body[1:-1])
    elif body.startswith(("+", "-", "\u2212")):
        negative, body = body[0] != "+", _strip_currency(body[1:])
    if not _NUMBER.fullmatch(body):
        raise ValueError(f"Expected a number, got {text!r}.")
    parts = re.split(r"([^0-9])", body)
    separators = [" " if sep.isspace() else sep.replace("\u2019", "'") for sep in parts[1::2]]
    return negative, parts[0::2], separators


def _strip_currency(text: str) -> str:
    """Remove surrounding whitespace and a leading or trailing currency symbol or code."""
    start, end = 0, len(text)
    while start < end and _is_currency_char(text[start]):
        start += 1
    while end > start and _is_currency_char(text[end - 1]):
        end -= 1
    for affix in (text[:start], text[end:]):
        if not _CURRENCY_AFFIX.fullmatch(affix.strip()):
            raise ValueError(f"Expected a number, got {text!r}.")
    return text[start:end]


def _is_currency_char(char: str) -> bool:
    return char.isalpha() or char.isspace() or unicodedata.category(char) == "Sc"


def _infer_decimal_mark(groups: list[str], separators: list[str]) -> str | None:
    """Guess the decimal mark of a number written without a hint (None: no decimal part).

    A single trailing "." or "," is decimal, except a lone "," grouping like thousands (`1,234`).
    """
    last = separators[-1] if separators else None
    if last not in (".", ",") or separators.count(last) > 1:
        return None
    if last == "." or len(set(separators)) > 1:
        return last
    return None if len(groups[-1]) == 3 and _is_thousands_grouping(groups) else last


def _is_thousands_grouping(groups: list[str]) -> bool:
    head, *rest = groups
    return not rest or (
        len(head) <= 3 and not head.startswith("0") and all(len(g) == 3 for g in rest)
    )


def _is_number(value: str, decimal_hint: str | None) -> bool:
    try:
        parse_decimal(value, decimal_hint=decimal_hint)
    except ValueError:
        return False
    return True


def _is_date(value: str) -> bool:
    try:
        parse_date(value)
    except ValueError:
        return False
    return True
