"""The audit log: one line per change that matters, written in the service's transaction."""

from __future__ import annotations

from coachflow.accounts.models import AuditEvent, User
from coachflow.platform.extensions import db


def record(actor: User | None, action: str, subject: str, details: str = "") -> None:
    """Add an audit event to the current transaction (the caller commits)."""
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor is not None else None,
            action=action,
            subject=subject[:120],
            details=details[:2000],
        )
    )
