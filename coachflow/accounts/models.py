"""People, roles, teams and product lines: the part of the domain every feature needs."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachflow.platform.extensions import db
from coachflow.platform.i18n import languages_check
from coachflow.platform.time import UTCDateTime, utcnow


class Role(enum.StrEnum):
    """One role per user; what each may do is decided in ``coachflow.platform.permissions``."""

    ADMIN = "admin"
    HR = "hr"
    MANAGER = "manager"
    REP = "rep"


role_type = Enum(
    Role,
    name="role",
    native_enum=False,
    create_constraint=True,
    length=16,
    values_callable=lambda roles: [role.value for role in roles],
    validate_strings=True,
)


class Team(db.Model):
    """A manager and their reps, working one territory."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    territory: Mapped[str] = mapped_column(String(120), default="")
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id])
    members: Mapped[list[User]] = relationship(
        back_populates="team", foreign_keys="User.team_id", order_by="User.name"
    )

    def __repr__(self) -> str:
        return f"<Team {self.name!r}>"


class User(db.Model):
    """A person who signs in: admin, HR, manager or rep."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(languages_check("language"), name="language_supported"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # None until the person sets a password from their invitation link.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(role_type, index=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    # None (the default): the person has not chosen; pages follow the browser's language.
    language: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped when a password changes or the account is deactivated: every session stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team | None] = relationship(back_populates="members", foreign_keys=[team_id])
    managed_teams: Mapped[list[Team]] = relationship(
        foreign_keys="Team.manager_id", viewonly=True, order_by="Team.name"
    )

    # The signed-in session this object was loaded for (not a column): the cookie's key.
    session_key = None

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        """The session key the cookie carries: the random id of a ``UserSession``."""
        return self.session_key

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ProductLine(db.Model):
    """What a company sells, grouped as quotas and results are (Hardware, Software, Services)."""

    __tablename__ = "product_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PasswordResetToken(db.Model):
    """A single-use, expiring link to set a password; only the token's SHA-256 is stored."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class UserSession(db.Model):
    """One signed-in browser: the cookie carries a random key, only its SHA-256 is stored.

    Signing out deletes the row, so a copied cookie stops working. The session version the
    user had at sign-in is kept: bumping the user's (password change, reset, deactivation) ends
    every session at once.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    session_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrganisationSettings(db.Model):
    """The organisation's own settings, one row (id 1); read through
    ``queries.organisation_settings()``, which gives the defaults before an admin saves any."""

    __tablename__ = "organisation_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("length(accent_colour) IN (0, 7)", name="accent_colour_hex"),
        CheckConstraint(
            "(logo IS NULL AND logo_type IS NULL AND logo_size IS NULL AND logo_hash IS NULL)"
            " OR (logo IS NOT NULL AND logo_type IN ('image/png', 'image/svg+xml')"
            " AND logo_size > 0 AND logo_hash IS NOT NULL)",
            name="logo_complete",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # The company's own mail domains ("example.com"): such addresses are never customers.
    company_domains: Mapped[list] = mapped_column(db.JSON, default=list)
    # A manager's send to pasted addresses waits for HR's approval before it is mailed.
    adhoc_needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who is asking: what survey mails and pages show ("" for each: CoachFlow's defaults).
    name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    sender_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    sender_address: Mapped[str] = mapped_column(String(254), default="", server_default="")
    accent_colour: Mapped[str] = mapped_column(String(7), default="", server_default="")
    # The logo, served from our own host: its bytes are loaded only by the route that serves it.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_type: Mapped[str | None] = mapped_column(String(32))
    logo_size: Mapped[int | None] = mapped_column(Integer)
    logo_hash: Mapped[str | None] = mapped_column(String(64))  # SHA-256: in the logo's URL
    # IANA name: coaching sessions are stored in UTC and shown and entered in this zone.
    time_zone: Mapped[str] = mapped_column(
        String(64), default="Europe/Berlin", server_default="Europe/Berlin"
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ApiToken(db.Model):
    """A bearer token for the REST API; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("scopes IN ('read', 'read,write')", name="scopes_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists to tell tokens apart
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split(","))
