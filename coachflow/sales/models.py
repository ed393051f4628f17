"""Customer accounts, contacts, deals and quotas, and the imports that bring them in."""

from __future__ import annotations

import datetime
import enum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachflow.accounts.models import ProductLine, User
from coachflow.lib.periods import PeriodKind
from coachflow.platform.extensions import db, enum_column
from coachflow.platform.i18n import languages_check
from coachflow.platform.time import UTCDateTime, utcnow


class DealStage(enum.StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class ImportKind(enum.StrEnum):
    ACCOUNTS = "accounts"
    CONTACTS = "contacts"
    DEALS = "deals"
    QUOTAS = "quotas"


class ImportStatus(enum.StrEnum):
    UPLOADED = "uploaded"  # file stored, columns not yet mapped
    MAPPED = "mapped"  # mapping chosen, ready to check
    CHECKING = "checking"  # dry run in progress
    CHECKED = "checked"  # dry run finished: problems listed, or ready to import
    IMPORTING = "importing"
    DONE = "done"
    REJECTED = "rejected"  # the import found problems and wrote nothing
    FAILED = "failed"  # an unexpected error; nothing written


class CustomerAccount(db.Model):
    """A customer company, owned by one rep."""

    __tablename__ = "customer_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    territory: Mapped[str] = mapped_column(String(120), default="")
    import_run_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, index=True
    )

    owner: Mapped[User | None] = relationship()


class Contact(db.Model):
    """A person at a customer account who can be surveyed."""

    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint(languages_check("language"), name="language_supported"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("customer_accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    language: Mapped[str] = mapped_column(String(5), default="en")
    opted_out_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    import_run_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, index=True
    )

    account: Mapped[CustomerAccount] = relationship()


class Deal(db.Model):
    """An opportunity; won deals are revenue. Amounts are integer minor units (cents)."""

    __tablename__ = "deals"
    __table_args__ = (
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        CheckConstraint(
            "margin_minor IS NULL OR margin_minor <= amount_minor", name="margin_within_amount"
        ),
        CheckConstraint("length(currency) = 3", name="currency_iso"),
        CheckConstraint("stage = 'open' OR closed_on IS NOT NULL", name="closed_deal_has_date"),
        Index("ix_deals_rep_closed", "rep_id", "closed_on"),
        Index("ix_deals_account_closed", "account_id", "closed_on"),
        Index("ix_deals_line_closed", "product_line_id", "closed_on"),
        Index("ix_deals_closed_stage", "closed_on", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("customer_accounts.id", ondelete="CASCADE"))
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    product_line_id: Mapped[int] = mapped_column(
        ForeignKey("product_lines.id", ondelete="RESTRICT")
    )
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    margin_minor: Mapped[int | None] = mapped_column(BigInteger)
    stage: Mapped[DealStage] = mapped_column(enum_column(DealStage, "deal_stage", length=16))
    closed_on: Mapped[datetime.date | None] = mapped_column(Date)
    import_run_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, index=True
    )

    account: Mapped[CustomerAccount] = relationship()
    rep: Mapped[User] = relationship()
    product_line: Mapped[ProductLine] = relationship()


class Quota(db.Model):
    """What one rep should sell of one product line in one period."""

    __tablename__ = "quotas"
    __table_args__ = (
        UniqueConstraint(
            "rep_id", "period_kind", "period_start", "product_line_id", name="uq_quotas_target"
        ),
        CheckConstraint("revenue_target_minor >= 0", name="revenue_not_negative"),
        CheckConstraint("margin_target_minor >= 0", name="margin_not_negative"),
        CheckConstraint("bookings_target >= 0", name="bookings_not_negative"),
        CheckConstraint("estimates_target >= 0", name="estimates_not_negative"),
        Index("ix_quotas_period", "period_kind", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    product_line_id: Mapped[int] = mapped_column(
        ForeignKey("product_lines.id", ondelete="RESTRICT")
    )
    period_kind: Mapped[PeriodKind] = mapped_column(
        enum_column(PeriodKind, "period_kind", length=16)
    )
    period_start: Mapped[datetime.date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    revenue_target_minor: Mapped[int] = mapped_column(BigInteger)
    margin_target_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    bookings_target: Mapped[int] = mapped_column(Integer, default=0)
    # The standard asks for three estimates per booking aimed at; imports default to that.
    estimates_target: Mapped[int] = mapped_column(Integer, default=0)
    import_run_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, index=True
    )

    rep: Mapped[User] = relationship()
    product_line: Mapped[ProductLine] = relationship()


class ImportMapping(db.Model):
    """A remembered column mapping for one source (\"Salesforce deals report\") and kind."""

    __tablename__ = "import_mappings"
    __table_args__ = (UniqueConstraint("kind", "name", name="uq_import_mappings_kind_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = mapped_column(enum_column(ImportKind, "import_kind", length=16))
    name: Mapped[str] = mapped_column(String(120))
    columns: Mapped[dict] = mapped_column(db.JSON)  # CoachFlow field → file column
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime.datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )


class ImportRun(db.Model):
    """One file brought in through the web or the CLI: its mapping, progress and outcome."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = mapped_column(enum_column(ImportKind, "import_kind", length=16))
    status: Mapped[ImportStatus] = mapped_column(
        enum_column(ImportStatus, "import_status", length=16)
    )
    filename: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    encoding: Mapped[str] = mapped_column(String(32), default="")
    delimiter: Mapped[str] = mapped_column(String(4), default="")
    header: Mapped[list] = mapped_column(db.JSON, default=list)
    columns: Mapped[dict] = mapped_column(db.JSON, default=dict)  # CoachFlow field → column
    mapping_name: Mapped[str] = mapped_column(String(120), default="")
    bytes_done: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_created: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    problem_count: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list] = mapped_column(db.JSON, default=list)  # the first few hundred
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()


class ImportFileChunk(db.Model):
    """An uploaded file, stored in pieces in the database so that any worker can read it."""

    __tablename__ = "import_file_chunks"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("import_runs.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class SuppressionReason(enum.StrEnum):
    ERASURE = "erasure"  # the person asked for their data to be erased


class SuppressedAddress(db.Model):
    """An email address that may not be stored again, kept only as a keyed hash (HMAC-SHA256 of
    the lower-cased address under a key derived from SECRET_KEY): never the address itself."""

    __tablename__ = "suppressed_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    address_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[SuppressionReason] = mapped_column(
        enum_column(SuppressionReason, "suppression_reason", length=16)
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()
