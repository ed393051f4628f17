"""The audit log: one line per change that matters, written in the service's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachflow.platform.extensions import db
from coachflow.platform.time import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """Who did what and when, for the changes that matter (roles, accounts, imports, sends)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(120))
    details: Mapped[str] = mapped_column(String(2000), default="")

    # The person who acted (the accounts domain's User, named so the platform imports no domain).
    actor = relationship("User")


def record(actor: Any | None, action: str, subject: str, details: str = "") -> None:
    """Add an audit event to the current transaction (the caller commits)."""
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor is not None else None,
            action=action,
            subject=subject[:120],
            details=details[:2000],
        )
    )


# The audit log in words -------------------------------------------------------------------------
# The accounts domain renders the log and knows its own codes; the domains after it register the
# words for theirs here at start-up (``describe_actions`` in their ``register(app)``).
_WORDS = "coachflow.audit_words"


def describe_actions(
    app: Any,
    actions: dict[str, Any],
    *,
    keys: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
) -> None:
    """Register labels (lazy strings) for a domain's action codes, and optionally for the keys
    and values of its details (``key=value``), so the audit page shows them in words."""
    words = app.extensions.setdefault(_WORDS, {"actions": {}, "keys": {}, "values": {}})
    words["actions"].update(actions)
    words["keys"].update(keys or {})
    words["values"].update(values or {})


def described(table: str) -> dict[str, Any]:
    """The registered labels of the current app: ``table`` is "actions", "keys" or "values"."""
    from flask import current_app

    return current_app.extensions.get(_WORDS, {}).get(table, {})
