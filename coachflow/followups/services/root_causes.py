"""The admin-kept list of root causes."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from coachflow.followups.labels import SEEDED_ROOT_CAUSES
from coachflow.followups.models import RootCause
from coachflow.platform import audit
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db


def seed_root_causes() -> None:
    """Add the seeded root causes that are missing (the migration adds them; so does the demo
    and a database emptied by hand)."""
    known = set(db.session.scalars(select(RootCause.code)))
    for position, code in enumerate(SEEDED_ROOT_CAUSES):
        if code not in known:
            db.session.add(RootCause(code=code, name="", position=position))
    db.session.flush()


def active_root_causes() -> list[RootCause]:
    """The root causes one may choose, in their order."""
    return list(
        db.session.scalars(
            select(RootCause).where(RootCause.active).order_by(RootCause.position, RootCause.id)
        )
    )


def all_root_causes() -> list[RootCause]:
    return list(db.session.scalars(select(RootCause).order_by(RootCause.position, RootCause.id)))


def _code(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:40] or "cause"


def add_root_cause(name: str, by: Any) -> RootCause:
    """Add an admin's own root cause after the others."""
    name = name.strip()
    if not name:
        raise DomainError(_("Give the root cause a name."), field="name")
    code = _code(name)
    if db.session.scalar(select(RootCause.id).where(RootCause.code == code)) is not None:
        raise DomainError(_("That root cause is already on the list."), field="name")
    last = db.session.scalar(select(func.max(RootCause.position))) or 0
    cause = RootCause(code=code, name=name[:120], position=last + 1)
    db.session.add(cause)
    db.session.flush()
    audit.record(by, "followup.root_cause_added", name)
    db.session.commit()
    return cause


def set_root_cause_active(cause: RootCause, active: bool, by: Any) -> None:
    """Offer a root cause again, or stop offering it (cases keep theirs)."""
    cause.active = active
    audit.record(by, "followup.root_cause_changed", cause.code, f"active={active}")
    db.session.commit()
