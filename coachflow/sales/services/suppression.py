"""Addresses erased on request, which no import, API write or survey may bring back.

Only a keyed hash of each address is kept: HMAC-SHA256 of the trimmed, lower-cased address under
a key derived from SECRET_KEY, so the list cannot be read back into addresses (nor matched against
a dictionary of addresses without the key). An admin who is asked to allow an address again types
it; its hash finds the row to remove.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from coachflow.accounts.models import User
from coachflow.lib.emails import normalise
from coachflow.platform import audit
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.sales.models import SuppressedAddress, SuppressionReason
from coachflow.sales.records import N_

HASH_PREFIX = 12  # hex digits shown in lists and the audit log to tell rows apart
LOOKUP_CHUNK = 2_000  # hashes per IN (...) lookup
# A fixed label makes the suppression key independent of every other key derived from SECRET_KEY.
_KEY_LABEL = b"coachflow:suppressed-addresses:v1"

REFUSED = N_(
    "This address was erased on request and may not be stored again; an admin can lift the "
    "suppression."
)


def address_hash(email: str) -> str:
    """The keyed hash under which ``email`` is suppressed (64 hex digits)."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    key = hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest()
    return hmac.new(key, normalise(email).encode(), hashlib.sha256).hexdigest()


def suppressed_among(emails: Iterable[str]) -> set[str]:
    """The addresses of ``emails`` that are suppressed, normalised; one query per
    ``LOOKUP_CHUNK`` addresses."""
    by_hash: dict[str, str] = {}
    for email in emails:
        if email:
            by_hash[address_hash(email)] = normalise(email)
    hashes = list(by_hash)
    found: set[str] = set()
    for start in range(0, len(hashes), LOOKUP_CHUNK):
        chunk = hashes[start : start + LOOKUP_CHUNK]
        found.update(
            by_hash[h]
            for h in db.session.scalars(
                select(SuppressedAddress.address_hash).where(
                    SuppressedAddress.address_hash.in_(chunk)
                )
            )
        )
    return found


def suppress(email: str, *, reason: SuppressionReason, by: User | None) -> str:
    """Add ``email`` to the suppression list in the caller's transaction (the caller commits);
    returns its hash. Suppressing an address twice keeps the first row."""
    digest = address_hash(email)
    exists = db.session.scalar(
        select(SuppressedAddress.id).where(SuppressedAddress.address_hash == digest)
    )
    if exists is None:
        db.session.add(
            SuppressedAddress(
                address_hash=digest, reason=reason, created_by_id=by.id if by else None
            )
        )
    return digest


def suppressions() -> Select[tuple[SuppressedAddress]]:
    """The suppression list, newest first, with who added each row."""
    return (
        select(SuppressedAddress)
        .options(selectinload(SuppressedAddress.created_by))
        .order_by(SuppressedAddress.created_at.desc(), SuppressedAddress.id.desc())
    )


def lift(email: str, *, by: User | None) -> None:
    """Allow ``email`` to be stored again (audited); DomainError when it is not suppressed."""
    digest = address_hash(email)
    row = db.session.scalar(
        select(SuppressedAddress).where(SuppressedAddress.address_hash == digest)
    )
    if row is None:
        raise DomainError(_l("This address is not on the suppression list."), field="email")
    db.session.delete(row)
    # The hash prefix, never the address: the audit log must not undo the erasure.
    audit.record(by, "contact.suppression_lifted", f"suppression {digest[:HASH_PREFIX]}")
    db.session.commit()
