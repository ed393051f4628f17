"""Scorecard settings, closed periods with their frozen snapshots, bulk exports and the
download log.

Snapshots keep the rendered PDF in the database, not under ``instance/``: web processes and
Celery workers may run on several machines that share only the database, and a closed period's
PDF must be the same whichever process serves it (DESIGN.md, "Scale").
"""

from __future__ import annotations

import datetime
import enum

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachflow.accounts.models import User
from coachflow.lib.periods import Period, PeriodKind
from coachflow.lib.scoring.index import DEFAULT_WEIGHTS, Caps, Weights
from coachflow.platform.extensions import db, enum_column
from coachflow.platform.time import UTCDateTime, utcnow


class PeriodState(enum.StrEnum):
    CLOSED = "closed"
    REOPENED = "reopened"


class ExportStatus(enum.StrEnum):
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


class DownloadKind(enum.StrEnum):
    SINGLE = "single"
    BULK = "bulk"


class ScorecardSettings(db.Model):
    """The one row of index weights, caps and thresholds an admin edits (id 1)."""

    __tablename__ = "scorecard_settings"
    __table_args__ = (
        CheckConstraint(
            "weight_attainment >= 0 AND weight_margin >= 0 AND weight_repeat >= 0"
            " AND weight_nps >= 0 AND weight_csat >= 0 AND weight_followups >= 0",
            name="weights_not_negative",
        ),
        CheckConstraint("attainment_cap > 0 AND margin_cap > 0", name="caps_positive"),
        CheckConstraint("few_answers >= 1", name="few_answers_positive"),
        CheckConstraint("estimates_multiple >= 0", name="estimates_multiple_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    weight_attainment: Mapped[float] = mapped_column(Float, default=DEFAULT_WEIGHTS["attainment"])
    weight_margin: Mapped[float] = mapped_column(Float, default=DEFAULT_WEIGHTS["margin"])
    weight_repeat: Mapped[float] = mapped_column(Float, default=DEFAULT_WEIGHTS["repeat"])
    weight_nps: Mapped[float] = mapped_column(Float, default=DEFAULT_WEIGHTS["nps"])
    weight_csat: Mapped[float] = mapped_column(Float, default=DEFAULT_WEIGHTS["csat"])
    weight_followups: Mapped[float] = mapped_column(Float, default=DEFAULT_WEIGHTS["followups"])
    attainment_cap: Mapped[float] = mapped_column(Float, default=1.2)
    margin_cap: Mapped[float] = mapped_column(Float, default=1.2)
    few_answers: Mapped[int] = mapped_column(Integer, default=10)
    estimates_multiple: Mapped[int] = mapped_column(Integer, default=3)
    updated_at: Mapped[datetime.datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )

    @property
    def weights(self) -> Weights:
        return Weights(
            self.weight_attainment,
            self.weight_margin,
            self.weight_repeat,
            self.weight_nps,
            self.weight_csat,
            self.weight_followups,
        )

    @property
    def caps(self) -> Caps:
        return Caps(self.attainment_cap, self.margin_cap)


class ClosedPeriod(db.Model):
    """A period HR closed (its scorecards frozen), or closed and opened again."""

    __tablename__ = "scorecard_periods"
    __table_args__ = (
        UniqueConstraint("period_kind", "period_start", name="uq_scorecard_periods_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_kind: Mapped[PeriodKind] = mapped_column(
        enum_column(PeriodKind, "scorecard_period_kind", length=16)
    )
    period_start: Mapped[datetime.date] = mapped_column(Date)
    state: Mapped[PeriodState] = mapped_column(
        enum_column(PeriodState, "scorecard_period_state", length=16)
    )
    closed_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reopened_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)

    @property
    def period(self) -> Period:
        return Period(self.period_start, self.period_kind)


class Snapshot(db.Model):
    """One rep's scorecard of a closed period: figures (JSON) and the rendered PDF."""

    __tablename__ = "scorecard_snapshots"
    __table_args__ = (
        UniqueConstraint("period_id", "rep_id", name="uq_scorecard_snapshots_period_rep"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("scorecard_periods.id", ondelete="CASCADE"))
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(Integer)
    figures: Mapped[dict] = mapped_column(db.JSON)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)


class BulkExport(db.Model):
    """A ZIP of scorecards HR asked for: which period and teams, and how far it got."""

    __tablename__ = "scorecard_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    period_kind: Mapped[PeriodKind] = mapped_column(
        enum_column(PeriodKind, "scorecard_export_period_kind", length=16)
    )
    period_start: Mapped[datetime.date] = mapped_column(Date)
    team_ids: Mapped[list] = mapped_column(db.JSON, default=list)  # empty: every team
    status: Mapped[ExportStatus] = mapped_column(
        enum_column(ExportStatus, "scorecard_export_status", length=16)
    )
    total: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[User | None] = relationship()

    @property
    def period(self) -> Period:
        return Period(self.period_start, self.period_kind)


class ExportItem(db.Model):
    """One rendered PDF of a bulk export, written by whichever worker rendered it."""

    __tablename__ = "scorecard_export_items"

    export_id: Mapped[int] = mapped_column(
        ForeignKey("scorecard_exports.id", ondelete="CASCADE"), primary_key=True
    )
    rep_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)


class Download(db.Model):
    """Who downloaded which scorecard (or bulk ZIP), when."""

    __tablename__ = "scorecard_downloads"
    __table_args__ = (Index("ix_scorecard_downloads_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[DownloadKind] = mapped_column(
        enum_column(DownloadKind, "scorecard_download_kind", length=16)
    )
    period_label: Mapped[str] = mapped_column(String(16))
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    export_id: Mapped[int | None] = mapped_column(
        ForeignKey("scorecard_exports.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    rep: Mapped[User | None] = relationship(foreign_keys=[rep_id])
