"""What each kind of sales record looks like, and how one row of values becomes one record.

Pure code: rows are plain ``dict[str, str]`` keyed by CoachFlow's field names (the importer maps
file columns to them first; the API sends them as JSON). Problems carry an English message
marked with ``N_`` for the catalogues; the caller translates it for display.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from coachflow.lib import emails
from coachflow.lib.csvio import detect_decimal_separator, parse_date, parse_decimal
from coachflow.lib.money import exponent, to_minor
from coachflow.lib.periods import Period, parse_period
from coachflow.platform.i18n import LANGUAGES


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it here."""
    return message


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one value: where (row, field) and why (message with params)."""

    row: int | None
    field: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "field": self.field,
            "message": self.message,
            "params": self.params,
        }


@dataclass(frozen=True)
class FieldSpec:
    name: str
    required: bool
    aliases: tuple[str, ...]  # column names of common CRM exports, compared case-insensitively
    help: str


STAGES = {
    "won": "won",
    "closed won": "won",
    "closedwon": "won",
    "gewonnen": "won",
    "gagné": "won",
    "gagne": "won",
    "lost": "lost",
    "closed lost": "lost",
    "closedlost": "lost",
    "verloren": "lost",
    "perdu": "lost",
    "open": "open",
    "offen": "open",
    "ouvert": "open",
}
# Amounts are stored as 64-bit minor units and counts as 32-bit integers.
MAX_AMOUNT = Decimal(10) ** 13
MAX_COUNT = 2**31
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")
_TRUE = {"1", "true", "yes", "y", "ja", "oui", "x", "opted out", "unsubscribed"}
_FALSE = {"", "0", "false", "no", "n", "nein", "non"}


def _spec(name: str, required: bool, help_text: str, *aliases: str) -> FieldSpec:
    return FieldSpec(name, required, (name, *aliases), help_text)


# What people call each field on the pages (the names themselves are what files and the API use).
FIELD_LABELS = {
    "external_id": N_("CRM id"),
    "name": N_("Name"),
    "owner_email": N_("Email of the owner"),
    "territory": N_("Territory"),
    "account_external_id": N_("CRM id of the account"),
    "email": N_("Email"),
    "language": N_("Language"),
    "opted_out": N_("Opted out"),
    "rep_email": N_("Email of the rep"),
    "product_line": N_("Product line"),
    "amount": N_("Amount"),
    "currency": N_("Currency"),
    "margin": N_("Margin"),
    "stage": N_("Stage"),
    "closed_on": N_("Closing date"),
    "period": N_("Period"),
    "revenue_target": N_("Revenue target"),
    "margin_target": N_("Margin target"),
    "bookings_target": N_("Bookings target"),
    "estimates_target": N_("Estimates target"),
}

FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "accounts": (
        _spec(
            "external_id",
            True,
            N_("The account's id in your CRM."),
            "Account ID",
            "Record ID",
            "Company ID",
            "Id",
        ),
        _spec("name", True, N_("Company name."), "Account Name", "Company name", "Name"),
        _spec(
            "owner_email",
            False,
            N_("Email of the rep who owns the account."),
            "Account Owner Email",
            "Owner Email",
            "Company owner email",
            "Company owner",
        ),
        _spec(
            "territory",
            False,
            N_("Sales territory."),
            "Territory",
            "Region",
            "Billing State/Province",
        ),
    ),
    "contacts": (
        _spec("external_id", False, N_("The contact's id in your CRM."), "Contact ID", "Record ID"),
        _spec(
            "account_external_id",
            True,
            N_("Id of the contact's account."),
            "Account ID",
            "Associated Company ID",
            "Company ID",
        ),
        _spec("name", True, N_("Full name."), "Full Name", "Contact Name", "Name"),
        _spec("email", True, N_("Email address surveys go to."), "Email", "E-mail"),
        _spec(
            "language",
            False,
            N_("en, de or fr; English when empty."),
            "Language",
            "Preferred Language",
            "Sprache",
            "Langue",
        ),
        _spec(
            "opted_out",
            False,
            N_("yes/no or the date they opted out."),
            "Email Opt Out",
            "HasOptedOutOfEmail",
            "Unsubscribed from all email",
            "Opted out",
        ),
    ),
    "deals": (
        _spec(
            "external_id",
            True,
            N_("The deal's id in your CRM."),
            "Opportunity ID",
            "Deal ID",
            "Record ID",
        ),
        _spec(
            "account_external_id",
            True,
            N_("Id of the customer account."),
            "Account ID",
            "Associated Company ID",
            "Company ID",
        ),
        _spec(
            "rep_email",
            True,
            N_("Email of the rep who owns the deal."),
            "Opportunity Owner Email",
            "Owner Email",
            "Deal owner email",
            "Deal owner",
        ),
        _spec(
            "product_line",
            True,
            N_("Product line code or name."),
            "Product Line",
            "Product Family",
            "Pipeline",
            "Produktlinie",
        ),
        _spec(
            "amount",
            True,
            N_("Deal amount, e.g. 1234.56 or 1.234,56."),
            "Amount",
            "Deal amount",
            "Betrag",
            "Montant",
        ),
        _spec(
            "currency",
            True,
            N_("Three-letter currency code."),
            "Currency",
            "Opportunity Currency",
            "Currency code",
            "Währung",
            "Devise",
        ),
        _spec(
            "margin",
            False,
            N_("Margin in the same currency; not above the amount."),
            "Margin",
            "Gross Margin",
            "Marge",
        ),
        _spec("stage", True, N_("won, lost or open."), "Stage", "Deal Stage", "Phase"),
        _spec(
            "closed_on",
            False,
            N_("Close date; required for won and lost deals."),
            "Close Date",
            "Closed Date",
            "Abschlussdatum",
            "Date de clôture",
        ),
    ),
    "quotas": (
        _spec("rep_email", True, N_("Email of the rep."), "Owner Email", "Rep Email"),
        _spec("period", True, N_("2026, 2026-Q2 or 2026-05."), "Period", "Zeitraum", "Période"),
        _spec("product_line", True, N_("Product line code or name."), "Product Line"),
        _spec("currency", True, N_("Three-letter currency code."), "Currency"),
        _spec(
            "revenue_target",
            True,
            N_("Revenue to reach in the period."),
            "Revenue Target",
            "Quota",
            "Quota Amount",
        ),
        _spec("margin_target", False, N_("Margin to reach in the period."), "Margin Target"),
        _spec(
            "bookings_target",
            False,
            N_("Number of orders to win."),
            "Bookings Target",
            "Deals Target",
        ),
        _spec(
            "estimates_target",
            False,
            N_("Estimates to give; three times the bookings target when empty."),
            "Estimates Target",
            "Quotes Target",
        ),
    ),
}


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-zäöüéèàç]+", "", name.lower())


def guess_columns(kind: str, header: list[str]) -> dict[str, str]:
    """Map CoachFlow fields to the file's columns by their usual names; unknown ones left out."""
    by_norm = {_norm(column): column for column in header}
    columns: dict[str, str] = {}
    for spec in FIELDS[kind]:
        for alias in spec.aliases:
            column = by_norm.get(_norm(alias))
            if column is not None and column not in columns.values():
                columns[spec.name] = column
                break
    return columns


def missing_required(kind: str, columns: dict[str, str]) -> list[str]:
    """Required fields that the mapping leaves without a column."""
    return [spec.name for spec in FIELDS[kind] if spec.required and not columns.get(spec.name)]


# Typed records ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountRecord:
    external_id: str
    name: str
    owner_email: str | None
    territory: str


@dataclass(frozen=True)
class ContactRecord:
    external_id: str | None
    account_external_id: str
    name: str
    email: str
    language: str
    opted_out: bool | datetime.date


@dataclass(frozen=True)
class DealRecord:
    external_id: str
    account_external_id: str
    rep_email: str
    product_line: str
    amount: Decimal
    currency: str
    margin: Decimal | None
    stage: str
    closed_on: datetime.date | None


@dataclass(frozen=True)
class QuotaRecord:
    rep_email: str
    period: Period
    product_line: str
    currency: str
    revenue_target: Decimal
    margin_target: Decimal
    bookings_target: int
    estimates_target: int


@dataclass
class ParseOptions:
    """How numbers and dates of one file are written."""

    decimal_hint: str | None = None
    day_first: bool | None = None


class _Row:
    """Reads the values of one row, collecting a problem per bad value instead of stopping."""

    def __init__(self, row: int | None, values: dict[str, str], options: ParseOptions) -> None:
        self.row, self.values, self.options = row, values, options
        self.problems: list[Problem] = []

    def problem(self, name: str, message: str, **params: Any) -> None:
        self.problems.append(Problem(self.row, name, message, params))

    def text(self, name: str, *, required: bool, max_length: int = 200) -> str:
        value = (self.values.get(name) or "").strip()
        if _UNSTORABLE.search(value):
            self.problem(
                name,
                N_("Contains characters that cannot be stored (control or invalid characters)."),
            )
            return ""
        if required and not value:
            self.problem(name, N_("This value is required."))
        elif len(value) > max_length:
            self.problem(name, N_("Longer than %(max)d characters."), max=max_length)
        return value

    def convert(
        self, name: str, parse: Callable[[str], Any], message: str, *, required: bool
    ) -> Any:
        value = self.text(name, required=required)
        if not value:
            return None
        try:
            return parse(value)
        except ValueError:
            self.problem(name, message, value=value[:40])
            return None

    def money(self, name: str, *, required: bool) -> Decimal | None:
        amount = self.convert(
            name,
            lambda v: parse_decimal(v, decimal_hint=self.options.decimal_hint),
            N_("“%(value)s” is not a number."),
            required=required,
        )
        if amount is not None and amount < 0:
            self.problem(name, N_("Must not be negative."))
        elif amount is not None and amount >= MAX_AMOUNT:
            self.problem(name, N_("Too large: amounts must stay below %(max)s."), max=MAX_AMOUNT)
            return None
        return amount

    def fits_currency(self, name: str, amount: Decimal | None, currency: str) -> None:
        """Refuse an amount with more decimals than its currency has (1.005 EUR)."""
        if amount is None or not _CURRENCY.match(currency):
            return
        try:
            to_minor(amount, currency)
        except ValueError:
            self.problem(
                name,
                N_("%(currency)s amounts have at most %(n)d decimals."),
                currency=currency,
                n=exponent(currency),
            )

    def count(self, name: str) -> int | None:
        number = self.money(name, required=False)
        if number is not None and number != number.to_integral_value():
            self.problem(name, N_("Must be a whole number."))
            return None
        if number is not None and number >= MAX_COUNT:
            self.problem(name, N_("Too large: at most %(max)d."), max=MAX_COUNT - 1)
            return None
        return None if number is None else int(number)

    def email(self, name: str, *, required: bool) -> str:
        value = self.text(name, required=required, max_length=emails.MAX_LENGTH)
        if not value or len(value) > emails.MAX_LENGTH:
            return value.lower()  # missing or too long: said already
        try:
            return emails.check(value).normalised
        except emails.InvalidAddress as error:
            self.problem(name, error.reason, value=value[:40])
            return value.lower()

    def currency(self, name: str) -> str:
        value = self.text(name, required=True).upper()
        if value and not _CURRENCY.match(value):
            self.problem(
                name, N_("“%(value)s” is not a three-letter currency code."), value=value[:40]
            )
        return value

    def day(self, name: str, *, required: bool) -> datetime.date | None:
        return self.convert(
            name,
            lambda v: parse_date(v, day_first=self.options.day_first),
            N_("“%(value)s” is not a date."),
            required=required,
        )


def parse_account(row: _Row) -> AccountRecord:
    return AccountRecord(
        external_id=row.text("external_id", required=True, max_length=64),
        name=row.text("name", required=True),
        owner_email=row.email("owner_email", required=False) or None,
        territory=row.text("territory", required=False, max_length=120),
    )


def parse_contact(row: _Row) -> ContactRecord:
    language = row.text("language", required=False, max_length=20).lower()[:2] or "en"
    if language not in LANGUAGES:
        row.problem("language", N_("“%(value)s” is not one of en, de, fr."), value=language)
    opted_raw = row.text("opted_out", required=False, max_length=40)
    opted_out: bool | datetime.date = False
    if opted_raw.lower() in _TRUE:
        opted_out = True
    elif opted_raw.lower() not in _FALSE:
        opted_out = row.day("opted_out", required=False) or False
    return ContactRecord(
        external_id=row.text("external_id", required=False, max_length=64) or None,
        account_external_id=row.text("account_external_id", required=True, max_length=64),
        name=row.text("name", required=True),
        email=row.email("email", required=True),
        language=language,
        opted_out=opted_out,
    )


def parse_deal(row: _Row) -> DealRecord:
    stage_raw = row.text("stage", required=True, max_length=40)
    stage = STAGES.get(stage_raw.lower(), "")
    if stage_raw and not stage:
        row.problem(
            "stage", N_("“%(value)s” is not a stage: use won, lost or open."), value=stage_raw
        )
    amount = row.money("amount", required=True)
    margin = row.money("margin", required=False)
    if amount is not None and margin is not None and margin > amount:
        row.problem("margin", N_("The margin is larger than the amount."))
    currency = row.currency("currency")
    row.fits_currency("amount", amount, currency)
    row.fits_currency("margin", margin, currency)
    closed_on = row.day("closed_on", required=False)
    if stage in ("won", "lost") and closed_on is None and not row.values.get("closed_on"):
        row.problem("closed_on", N_("A won or lost deal needs its close date."))
    return DealRecord(
        external_id=row.text("external_id", required=True, max_length=64),
        account_external_id=row.text("account_external_id", required=True, max_length=64),
        rep_email=row.email("rep_email", required=True),
        product_line=row.text("product_line", required=True, max_length=120),
        amount=amount if amount is not None else Decimal(0),
        currency=currency,
        margin=margin,
        stage=stage,
        closed_on=closed_on,
    )


def parse_quota(row: _Row) -> QuotaRecord:
    period = row.convert(
        "period",
        parse_period,
        N_("“%(value)s” is not a period: write 2026, 2026-Q2 or 2026-05."),
        required=True,
    )
    bookings = row.count("bookings_target") or 0
    estimates = row.count("estimates_target")
    revenue = row.money("revenue_target", required=True)
    margin_target = row.money("margin_target", required=False)
    currency = row.currency("currency")
    row.fits_currency("revenue_target", revenue, currency)
    row.fits_currency("margin_target", margin_target, currency)
    return QuotaRecord(
        rep_email=row.email("rep_email", required=True),
        period=period,
        product_line=row.text("product_line", required=True, max_length=120),
        currency=currency,
        revenue_target=revenue if revenue is not None else Decimal(0),
        margin_target=margin_target or Decimal(0),
        bookings_target=bookings,
        estimates_target=estimates if estimates is not None else 3 * bookings,
    )


PARSERS: dict[str, Callable[[_Row], Any]] = {
    "accounts": parse_account,
    "contacts": parse_contact,
    "deals": parse_deal,
    "quotas": parse_quota,
}


def parse_record(
    kind: str, row: int | None, values: dict[str, str], options: ParseOptions | None = None
) -> tuple[Any, list[Problem]]:
    """One row's values as a typed record, with every problem found (the record is unusable
    when the list is not empty)."""
    reader = _Row(row, values, options or ParseOptions())
    record = PARSERS[kind](reader)
    return record, reader.problems


def map_row(values: dict[str, str], columns: dict[str, str]) -> dict[str, str]:
    """A file row keyed by CoachFlow field names, through the chosen column mapping."""
    return {name: values.get(column, "") for name, column in columns.items() if column}


_SLASH_OR_DOT_DATE = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-]\d{2,4}")


def detect_options(kind: str, sample: list[dict[str, str]]) -> ParseOptions:
    """How this file writes numbers and dates, judged from its first rows."""
    numeric = [
        spec.name
        for spec in FIELDS[kind]
        if spec.name in {"amount", "margin", "revenue_target", "margin_target"}
    ]
    decimal_hint = detect_decimal_separator(row.get(name, "") for row in sample for name in numeric)
    day_first: bool | None = None
    for row in sample:
        for name in ("closed_on", "opted_out"):
            match = _SLASH_OR_DOT_DATE.match(row.get(name, ""))
            if match and int(match[1]) > 12:
                day_first = True
            elif match and int(match[2]) > 12 and day_first is None:
                day_first = False
    return ParseOptions(decimal_hint=decimal_hint, day_first=day_first)
