"""Bringing sales records in, all or nothing: from CSV files (web, CLI) and API batches.

Rows stream through in chunks. Each chunk is parsed (pure code in ``records``), its references
resolved in a few set-based queries (reps by email, accounts by external id, product lines), and
written with bulk INSERT / UPDATE by primary key, inside one transaction for the whole import.
A row whose values do not all parse is not written, but its references that did parse are
resolved with the rest of its chunk, so that every problem of a row is reported at once.
When any row has a problem the transaction is rolled back and every problem is reported; a dry
run is the same import, always rolled back. Memory stays flat: only the current chunk and the
first problems are held. Duplicates across chunks are found through ``import_run_id``: a key
already written by this run is a second occurrence in the file.
"""

from __future__ import annotations

import datetime
import enum
import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Table, bindparam, insert, or_, select, tuple_, update

from coachflow.accounts.models import ProductLine, Role, User
from coachflow.lib.csvio import CsvFormatError
from coachflow.lib.money import to_minor
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.sales import records
from coachflow.sales.models import Contact, CustomerAccount, Deal, Quota
from coachflow.sales.records import N_, ParseOptions, Problem
from coachflow.sales.services import suppression

CHUNK_SIZE = 2000
PROBLEMS_KEPT = 500
SAMPLE_ROWS = 200


class ImportRejected(DomainError):
    """The records had problems; nothing was written. ``problems`` lists the first ones."""

    status_code = 422

    def __init__(self, problems: list[Problem], problem_count: int) -> None:
        super().__init__(f"{problem_count} problem(s); nothing was imported")
        self.problems = problems
        self.problem_count = problem_count


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0


Row = tuple[int | None, "dict[str, str] | CsvFormatError"]
# A row's line number and its record, every value of which parsed.
Parsed = tuple[int | None, Any]
# A row's line number, its record and the fields with a problem: the record is never written, and
# only its other reference fields are looked up. A reference value that is empty or malformed
# always has a problem under its own field's name, so the rest are fit to look up.
Rejected = tuple[int | None, Any, frozenset[str]]
ALL_PARSED: frozenset[str] = frozenset()  # the fields with a problem in a parsed record


def import_records(
    kind: str,
    rows: Iterable[Row],
    *,
    run_id: int | None = None,
    options: ParseOptions | None = None,
    dry_run: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Validate and upsert ``rows`` (values keyed by field name) of ``kind``, all or nothing.

    Raises ``ImportRejected`` listing every problem (by row and field) when any row is wrong.
    """
    rows = iter(rows)
    if options is None:
        sample = list(itertools.islice(rows, SAMPLE_ROWS))
        options = records.detect_options(
            kind, [values for _row, values in sample if isinstance(values, dict)]
        )
        rows = itertools.chain(sample, rows)
    writer = WRITERS[kind](run_id)
    result = ImportResult()
    problems: list[Problem] = []
    problem_count = 0
    try:
        for chunk in _chunks(rows, CHUNK_SIZE):
            parsed: list[Parsed] = []
            rejected: list[Rejected] = []
            for row, values in chunk:
                if isinstance(values, CsvFormatError):
                    found = [
                        Problem(
                            row,
                            "",
                            N_(
                                "This row has %(found)d values but the header "
                                "has %(expected)d columns."
                            ),
                            values.params,
                        )
                    ]
                else:
                    record, found = records.parse_record(kind, row, values, options)
                    if found:
                        rejected.append((row, record, frozenset(p.field for p in found)))
                    else:
                        parsed.append((row, record))
                if found:
                    problem_count += len(found)
                    problems.extend(found[: max(0, PROBLEMS_KEPT - len(problems))])
            found = writer.write(parsed, rejected, result)
            problem_count += len(found)
            problems.extend(found[: max(0, PROBLEMS_KEPT - len(problems))])
            result.rows += len(chunk)
            if on_progress is not None:
                on_progress(result.rows)
    except BaseException:
        db.session.rollback()
        raise
    if problem_count:
        db.session.rollback()
        problems.sort(key=lambda p: (p.row is None, p.row or 0))
        raise ImportRejected(problems, problem_count)
    if dry_run:
        db.session.rollback()
    return result


def _chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


# Writers: resolve references, find duplicates, write -----------------------------------------


class _Writer(ABC):
    """Shared lookups for one import; a subclass writes one kind of record."""

    def __init__(self, run_id: int | None) -> None:
        self.run_id = run_id
        self.currency = current_app.config["SALES_CURRENCY"]
        self.now = utcnow()
        self._users: dict[str, tuple[int, Role, bool] | None] = {}
        self._lines: dict[str, int] | None = None

    def users(self, emails: Iterable[str]) -> dict[str, tuple[int, Role, bool] | None]:
        wanted = {e for e in emails if e and e not in self._users}
        if wanted:
            found = db.session.execute(
                select(User.email, User.id, User.role, User.active).where(User.email.in_(wanted))
            )
            for email, user_id, role, active in found:
                self._users[email] = (user_id, role, active)
            for email in wanted - self._users.keys():
                self._users[email] = None
        return self._users

    def seller(
        self, email: str, row: int | None, field: str, problems: list[Problem]
    ) -> int | None:
        """The id of the active rep or manager with this email, or a problem."""
        user = self.users([email]).get(email)
        if user is None:
            problems.append(
                Problem(
                    row, field, N_("No CoachFlow user has the email “%(value)s”."), {"value": email}
                )
            )
            return None
        user_id, role, active = user
        if role not in (Role.REP, Role.MANAGER) or not active:
            problems.append(
                Problem(
                    row, field, N_("“%(value)s” is not an active rep or manager."), {"value": email}
                )
            )
            return None
        return user_id

    def product_line(self, name: str, row: int | None, problems: list[Problem]) -> int | None:
        if self._lines is None:
            self._lines = {}
            for line_id, code, line_name in db.session.execute(
                select(ProductLine.id, ProductLine.code, ProductLine.name).where(
                    ProductLine.active.is_(True)
                )
            ):
                self._lines[code.lower()] = self._lines[line_name.lower()] = line_id
        line_id = self._lines.get(name.strip().lower())
        if line_id is None:
            problems.append(
                Problem(
                    row,
                    "product_line",
                    N_("“%(value)s” is not a product line of CoachFlow."),
                    {"value": name},
                )
            )
        return line_id

    def currency_ok(self, currency: str, row: int | None, problems: list[Problem]) -> bool:
        if currency and currency != self.currency:
            problems.append(
                Problem(
                    row,
                    "currency",
                    N_("CoachFlow reports in %(expected)s; this row is in %(value)s."),
                    {"expected": self.currency, "value": currency},
                )
            )
            return False
        return True

    @staticmethod
    def wanted(name: str, parsed: list[Parsed], rejected: list[Rejected]) -> set[str]:
        """The values of reference field ``name`` to look up for one chunk: those of the parsed
        records and those of the rejected records where that field parsed."""
        values = {getattr(record, name) for _row, record in parsed}
        values.update(getattr(record, name) for _row, record, bad in rejected if name not in bad)
        values.discard(None)
        values.discard("")
        return values

    def accounts(self, external_ids: Iterable[str]) -> dict[str, int]:
        wanted = set(external_ids)
        if not wanted:
            return {}
        return dict(
            db.session.execute(
                select(CustomerAccount.external_id, CustomerAccount.id).where(
                    CustomerAccount.external_id.in_(wanted)
                )
            ).all()
        )

    def account_id(
        self, accounts: dict[str, int], external_id: str, row: int | None, problems: list[Problem]
    ) -> int | None:
        """The id of the account ``external_id`` among this chunk's ``accounts``, or a problem."""
        account_id = accounts.get(external_id)
        if account_id is None:
            problems.append(
                Problem(
                    row,
                    "account_external_id",
                    N_("No account has the id “%(value)s”; import the accounts first."),
                    {"value": external_id},
                )
            )
        return account_id

    def first_in_chunk(
        self, seen: set, key: Any, row: int | None, field: str, problems: list[Problem]
    ) -> bool:
        """Whether ``key`` is new in this chunk; a repeat is reported even if the first was bad."""
        if key in seen:
            label = key if isinstance(key, str) else " / ".join(str(k) for k in key)
            problems.append(self.duplicate(row, field, label))
            return False
        seen.add(key)
        return True

    def duplicate(self, row: int | None, field: str, value: str) -> Problem:
        return Problem(row, field, N_("“%(value)s” appears more than once."), {"value": value})

    def split(
        self,
        keyed: list[tuple[Any, int | None, dict]],
        existing: dict[Any, tuple[int, Any]],
        field: str,
        problems: list[Problem],
        result: ImportResult,
    ) -> None:
        """Insert new keys, update existing ones, refuse keys seen before in this import."""
        inserts, updates, seen = [], [], set()
        for key, row, values in keyed:
            label = key if isinstance(key, str) else " / ".join(str(k) for k in key)
            if key in seen:
                problems.append(self.duplicate(row, field, label))
                continue
            seen.add(key)
            found = existing.get(key)
            values["import_run_id"] = self.run_id
            values["updated_at"] = self.now
            if found is None:
                inserts.append(values)
            elif self.run_id is not None and found[1] == self.run_id:
                problems.append(self.duplicate(row, field, label))
            else:
                updates.append({"id": found[0], **values})
        table = self.model.__table__
        if inserts:
            _bulk_insert(table, inserts, self.now)
        if updates:
            db.session.connection().execute(
                update(table).where(table.c.id == bindparam("_id")),
                [{"_id": values.pop("id"), **values} for values in updates],
            )
        result.created += len(inserts)
        result.updated += len(updates)

    model: Any = None

    @abstractmethod
    def write(
        self, parsed: list[Parsed], rejected: list[Rejected], result: ImportResult
    ) -> list[Problem]:
        """Resolve, check and write one chunk of parsed records, and resolve the references of
        its rejected ones (never written); return the problems found."""

    @abstractmethod
    def references(
        self,
        row: int | None,
        record: Any,
        accounts: dict[str, int],
        problems: list[Problem],
        unparsed: frozenset[str] = ALL_PARSED,
    ) -> Any:
        """Resolve what ``record`` refers to, with a problem for each unknown reference; the
        fields in ``unparsed`` did not parse and are left alone."""

    def check_rejected(
        self, rejected: list[Rejected], accounts: dict[str, int], problems: list[Problem]
    ) -> None:
        """Report the unknown references of records that are not written for other problems."""
        for row, record, unparsed in rejected:
            self.references(row, record, accounts, problems, unparsed)


class _AccountWriter(_Writer):
    model = CustomerAccount

    def write(self, parsed, rejected, result):
        problems: list[Problem] = []
        self.users(self.wanted("owner_email", parsed, rejected))
        self.check_rejected(rejected, {}, problems)
        keyed, seen = [], set()
        for row, record in parsed:
            if not self.first_in_chunk(seen, record.external_id, row, "external_id", problems):
                continue
            found: list[Problem] = []
            owner_id = self.references(row, record, {}, found)
            if found:
                problems.extend(found)
                continue
            keyed.append(
                (
                    record.external_id,
                    row,
                    {
                        "external_id": record.external_id,
                        "name": record.name,
                        "owner_id": owner_id,
                        "territory": record.territory,
                    },
                )
            )
        existing = {
            ext: (pk, run)
            for ext, pk, run in db.session.execute(
                select(
                    CustomerAccount.external_id, CustomerAccount.id, CustomerAccount.import_run_id
                ).where(CustomerAccount.external_id.in_([k for k, _r, _v in keyed]))
            )
        }
        self.split(keyed, existing, "external_id", problems, result)
        return problems

    def references(self, row, record, accounts, problems, unparsed=ALL_PARSED) -> int | None:
        """The id of the account's owner, when it names one that parsed."""
        if not record.owner_email or "owner_email" in unparsed:
            return None
        return self.seller(record.owner_email, row, "owner_email", problems)


class _DealWriter(_Writer):
    model = Deal

    def write(self, parsed, rejected, result):
        problems: list[Problem] = []
        self.users(self.wanted("rep_email", parsed, rejected))
        accounts = self.accounts(self.wanted("account_external_id", parsed, rejected))
        self.check_rejected(rejected, accounts, problems)
        keyed, seen = [], set()
        for row, record in parsed:
            if not self.first_in_chunk(seen, record.external_id, row, "external_id", problems):
                continue
            found: list[Problem] = []
            rep_id, line_id, account_id = self.references(row, record, accounts, found)
            if found:
                problems.extend(found)
                continue
            keyed.append(
                (
                    record.external_id,
                    row,
                    {
                        "external_id": record.external_id,
                        "account_id": account_id,
                        "rep_id": rep_id,
                        "product_line_id": line_id,
                        "currency": record.currency,
                        "amount_minor": to_minor(record.amount, record.currency),
                        "margin_minor": None
                        if record.margin is None
                        else to_minor(record.margin, record.currency),
                        "stage": record.stage,
                        "closed_on": record.closed_on,
                    },
                )
            )
        existing = {
            ext: (pk, run)
            for ext, pk, run in db.session.execute(
                select(Deal.external_id, Deal.id, Deal.import_run_id).where(
                    Deal.external_id.in_([k for k, _r, _v in keyed])
                )
            )
        }
        self.split(keyed, existing, "external_id", problems, result)
        return problems

    def references(
        self, row, record, accounts, problems, unparsed=ALL_PARSED
    ) -> tuple[int | None, int | None, int | None]:
        """The ids of the deal's rep, product line and account; its currency is checked too."""
        rep_id = line_id = account_id = None
        if "rep_email" not in unparsed:
            rep_id = self.seller(record.rep_email, row, "rep_email", problems)
        if "product_line" not in unparsed:
            line_id = self.product_line(record.product_line, row, problems)
        if "account_external_id" not in unparsed:
            account_id = self.account_id(accounts, record.account_external_id, row, problems)
        if "currency" not in unparsed:
            self.currency_ok(record.currency, row, problems)
        return rep_id, line_id, account_id


class _ContactWriter(_Writer):
    model = Contact
    erased: frozenset[str] = frozenset()  # this chunk's addresses that were erased on request

    def write(self, parsed, rejected, result):
        problems: list[Problem] = []
        accounts = self.accounts(self.wanted("account_external_id", parsed, rejected))
        erased = suppression.suppressed_among(self.wanted("email", parsed, rejected))
        self.erased = frozenset(erased)
        self.check_rejected(rejected, accounts, problems)
        ext_ids = [r.external_id for _row, r in parsed if r.external_id]
        emails = [r.email for _row, r in parsed]
        by_ext: dict[str, tuple[int, Any, str, Any]] = {}
        by_email: dict[str, tuple[int, Any, str | None, Any]] = {}
        for pk, ext, email, run, opted in db.session.execute(
            select(
                Contact.id,
                Contact.external_id,
                Contact.email,
                Contact.import_run_id,
                Contact.opted_out_at,
            ).where(or_(Contact.external_id.in_(ext_ids), Contact.email.in_(emails)))
        ):
            if ext is not None:
                by_ext[ext] = (pk, run, email, opted)
            by_email[email] = (pk, run, ext, opted)
        keyed = []
        existing: dict[Any, tuple[int, Any]] = {}
        emails_seen: set[str] = set()
        ids_seen: set[str] = set()
        for row, record in parsed:
            if not self.first_in_chunk(emails_seen, record.email, row, "email", problems):
                continue
            if record.external_id and not self.first_in_chunk(
                ids_seen, record.external_id, row, "external_id", problems
            ):
                continue
            account_id = self.references(row, record, accounts, problems)
            if account_id is None:
                continue
            match = by_ext.get(record.external_id) if record.external_id else None
            owner_of_email = by_email.get(record.email)
            if (
                match is None
                and owner_of_email is not None
                and (record.external_id is None or owner_of_email[2] in (None, record.external_id))
            ):
                match = (owner_of_email[0], owner_of_email[1], record.email, owner_of_email[3])
            if owner_of_email is not None and (match is None or owner_of_email[0] != match[0]):
                problems.append(
                    Problem(
                        row,
                        "email",
                        N_("Another contact already has the email “%(value)s”."),
                        {"value": record.email},
                    )
                )
                continue
            key = ("id", match[0]) if match else ("new", record.external_id or record.email)
            if match:
                existing[key] = (match[0], match[1])
            values = {
                "external_id": record.external_id,
                "account_id": account_id,
                "name": record.name,
                "email": record.email,
                "language": record.language,
            }
            opted_at = match[3] if match else None
            # An import can opt a contact out, never back in: an unsubscribe stays.
            if opted_at is None and record.opted_out:
                opted_at = (
                    self.now
                    if record.opted_out is True
                    else datetime.datetime.combine(
                        record.opted_out, datetime.time(), tzinfo=datetime.UTC
                    )
                )
            values["opted_out_at"] = opted_at
            keyed.append((key, row, values))
        self.split(keyed, existing, "email", problems, result)
        return problems

    def references(self, row, record, accounts, problems, unparsed=ALL_PARSED) -> int | None:
        """The id of the contact's account; None, with a problem, also when the contact's address
        was erased on request (an erasure must not be undone by an import)."""
        erased = "email" not in unparsed and record.email in self.erased
        if erased:
            problems.append(Problem(row, "email", suppression.REFUSED))
        if "account_external_id" in unparsed:
            return None
        account_id = self.account_id(accounts, record.account_external_id, row, problems)
        return None if erased else account_id


class _QuotaWriter(_Writer):
    model = Quota

    def write(self, parsed, rejected, result):
        problems: list[Problem] = []
        self.users(self.wanted("rep_email", parsed, rejected))
        self.check_rejected(rejected, {}, problems)
        keyed, seen = [], set()
        for row, record in parsed:
            label = (record.rep_email, record.period.label, record.product_line.lower())
            if not self.first_in_chunk(seen, label, row, "period", problems):
                continue
            found: list[Problem] = []
            rep_id, line_id = self.references(row, record, {}, found)
            if found:
                problems.extend(found)
                continue
            key = (rep_id, record.period.kind.value, record.period.start, line_id)
            keyed.append(
                (
                    key,
                    row,
                    {
                        "rep_id": rep_id,
                        "product_line_id": line_id,
                        "period_kind": record.period.kind,
                        "period_start": record.period.start,
                        "currency": record.currency,
                        "revenue_target_minor": to_minor(record.revenue_target, record.currency),
                        "margin_target_minor": to_minor(record.margin_target, record.currency),
                        "bookings_target": record.bookings_target,
                        "estimates_target": record.estimates_target,
                    },
                )
            )
        existing: dict[Any, tuple[int, Any]] = {}
        if keyed:
            columns = (Quota.rep_id, Quota.period_kind, Quota.period_start, Quota.product_line_id)
            for pk, run, *key in db.session.execute(
                select(Quota.id, Quota.import_run_id, *columns).where(
                    tuple_(*columns).in_([k for k, _r, _v in keyed])
                )
            ):
                rep_id, kind, start, line_id = key
                existing[(rep_id, getattr(kind, "value", kind), start, line_id)] = (pk, run)
        self.split(keyed, existing, "period", problems, result)
        return problems

    def references(
        self, row, record, accounts, problems, unparsed=ALL_PARSED
    ) -> tuple[int | None, int | None]:
        """The ids of the quota's rep and product line; its currency is checked too."""
        rep_id = line_id = None
        if "rep_email" not in unparsed:
            rep_id = self.seller(record.rep_email, row, "rep_email", problems)
        if "product_line" not in unparsed:
            line_id = self.product_line(record.product_line, row, problems)
        if "currency" not in unparsed:
            self.currency_ok(record.currency, row, problems)
        return rep_id, line_id


def _bulk_insert(table: Table, rows: list[dict], now: datetime.datetime) -> None:
    """Insert new rows through the database's own bulk path, inside the session's transaction:
    COPY on PostgreSQL, the driver's executemany elsewhere. The values are already checked, so
    SQLAlchemy's per-row parameter processing is skipped; that is most of an import's time."""
    names = [*rows[0].keys(), "created_at"]
    connection = db.session.connection()
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([*(_plain(v) for v in row.values()), now])
        return
    if connection.dialect.name != "sqlite":
        connection.execute(insert(table), [{**row, "created_at": now} for row in rows])
        return
    stamp = now.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    placeholders = ", ".join("?" for _ in names)
    raw.executemany(
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({placeholders})",  # noqa: S608
        [[*(_sqlite_value(v, stamp) for v in row.values()), stamp] for row in rows],
    )


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _sqlite_value(value: Any, stamp: str) -> Any:
    """A value as SQLAlchemy stores it in SQLite (dates as ISO text, enums as their value)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


WRITERS: dict[str, type[_Writer]] = {
    "accounts": _AccountWriter,
    "contacts": _ContactWriter,
    "deals": _DealWriter,
    "quotas": _QuotaWriter,
}
