"""Recognition between colleagues, and the settings of home pages: a team's leaderboard, a
person's weekly digest."""

from __future__ import annotations

import datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachflow.accounts.models import Team, User
from coachflow.platform.extensions import db
from coachflow.platform.time import UTCDateTime, utcnow

REASON_MAX = 280


class Recognition(db.Model):
    """A manager or a peer thanks a rep for something, with a short reason."""

    __tablename__ = "recognitions"
    __table_args__ = (
        CheckConstraint("giver_id <> recipient_id", name="not_to_oneself"),
        CheckConstraint("length(reason) > 0", name="reason_given"),
        Index("ix_recognitions_recipient_created", "recipient_id", "created_at"),
        Index("ix_recognitions_team_created", "team_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    giver_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The recipient's team when it was given: the team's next sales meeting may take it up.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime, default=utcnow)

    giver: Mapped[User] = relationship(foreign_keys=[giver_id])
    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])
    team: Mapped[Team | None] = relationship()


class TeamBoard(db.Model):
    """A team's home-page settings: its manager may switch the leaderboard off."""

    __tablename__ = "team_boards"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    leaderboard: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime.datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )

    team: Mapped[Team] = relationship()


class DigestSetting(db.Model):
    """Whether a person gets the weekly digest (no row: they do), and the Monday last sent."""

    __tablename__ = "digest_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_sent_on: Mapped[datetime.date | None] = mapped_column(Date, index=True)
