"""API tokens: issue one (shown once, stored as SHA-256), revoke it, and recognise it on a request.

A token acts as its user, limited to its scopes: ``coachflow.platform.permissions`` decides what an
``ApiCaller`` may do exactly as it decides for a signed-in user, plus the scope.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import request
from flask_babel import gettext as _
from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import joinedload

from coachflow.accounts.models import ApiToken, Role, Team, User
from coachflow.accounts.services import user_deactivated
from coachflow.platform import audit
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow

TOKEN_PREFIX = "cf_"  # noqa: S105 (a marker that makes leaked tokens easy to spot, not a secret)
# What lists show to tell tokens apart: the marker and the first random characters.
SHOWN_PREFIX_LENGTH = 11
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
SCOPES = {"read": "read", "read,write": "read,write", "write,read": "read,write"}


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the stored record and the plain token, which exists only in this object."""

    record: ApiToken
    token: str


class ApiCaller:
    """An API request: acts as the token's user, limited to the token's scopes."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        self.user: User = token.user
        self.scopes = token.scope_set

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def role(self) -> Role:
        return self.user.role

    @property
    def team_id(self) -> int | None:
        return self.user.team_id

    @property
    def team(self) -> Team | None:
        return self.user.team

    @property
    def is_active(self) -> bool:
        return self.user.active and self.token.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiCaller {self.user.email} {self.token.prefix} {self.token.scopes}>"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_scopes(scopes: str) -> str:
    """``read`` or ``read,write`` (``write`` alone means both); DomainError otherwise."""
    cleaned = ",".join(part.strip() for part in scopes.lower().split(",") if part.strip())
    if cleaned == "write":
        cleaned = "read,write"
    if cleaned not in SCOPES:
        raise DomainError(_("Choose the scopes read, or read and write."), field="scopes")
    return SCOPES[cleaned]


def create_token(user: User, *, name: str, scopes: str, by: User | None) -> IssuedToken:
    """Issue a token for ``user``; the plain token is returned once and never stored."""
    scopes = normalise_scopes(scopes)
    name = name.strip()
    if not name:
        raise DomainError(
            _("Give the token a name, such as the system that will use it."), field="name"
        )
    if len(name) > 120:
        raise DomainError(_("Use at most 120 characters."), field="name")
    if not user.active:
        raise DomainError(_("This user is deactivated."), field="user_id")
    if "write" in scopes and user.role is not Role.ADMIN:
        raise DomainError(
            _("Only an admin's token may write; give this one the read scope."), field="scopes"
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        user_id=user.id,
        name=name,
        prefix=token[:SHOWN_PREFIX_LENGTH],
        token_hash=token_hash(token),
        scopes=scopes,
        created_by_id=by.id if by is not None else None,
    )
    db.session.add(record)
    audit.record(
        by, "api_token.created", user.email, f"name={name} prefix={record.prefix} scopes={scopes}"
    )
    db.session.commit()
    return IssuedToken(record, token)


def revoke_token(record: ApiToken, *, by: User | None) -> None:
    """Stop a token working from its next request on; revoking twice changes nothing."""
    if record.revoked_at is not None:
        return
    record.revoked_at = utcnow()
    audit.record(
        by, "api_token.revoked", record.user.email, f"name={record.name} prefix={record.prefix}"
    )
    db.session.commit()


@user_deactivated.connect
def revoke_tokens_of_deactivated_user(user: User, *, by: User | None) -> None:
    """Revoke every working token of a user being deactivated, in the deactivation's
    transaction: reactivating the account does not bring them back."""
    now = utcnow()
    for record in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        record.revoked_at = now
        audit.record(
            by,
            "api_token.revoked",
            user.email,
            f"name={record.name} prefix={record.prefix} (user deactivated)",
        )


def find_by_prefix(prefix: str) -> ApiToken:
    """The one token whose shown prefix is ``prefix``; DomainError when none or several."""
    found = db.session.scalars(
        select(ApiToken).where(ApiToken.prefix == prefix.strip()).limit(2)
    ).all()
    if not found:
        raise DomainError(_("No token has the prefix %(prefix)s.", prefix=prefix))
    if len(found) > 1:
        raise DomainError(_("Several tokens have the prefix %(prefix)s.", prefix=prefix))
    return found[0]


def token_list() -> Select[tuple[ApiToken]]:
    """Every token, working ones first, newest first, with its user loaded."""
    return (
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    )


def authenticate(header: str | None) -> ApiToken | None:
    """The working token an ``Authorization: Bearer …`` header carries, or None.

    Revoked tokens and tokens of deactivated users are refused. Records the time of use, at
    most once a minute per token, so that a busy integration does not write on every request.
    """
    scheme, _sep, token = (header or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        return None
    record = db.session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == token_hash(token))
    )
    if record is None or record.revoked_at is not None or not record.user.active:
        return None
    now = utcnow()
    if record.last_used_at is None or now - record.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional, so that of many processes using the token at once only one writes.
        db.session.execute(
            update(ApiToken)
            .where(
                ApiToken.id == record.id,
                or_(
                    ApiToken.last_used_at.is_(None),
                    ApiToken.last_used_at <= now - LAST_USED_RESOLUTION,
                ),
            )
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    return record


def load_caller() -> ApiCaller | None:
    """The caller behind this request's bearer token, or None; the API's bearer loader."""
    token = authenticate(request.headers.get("Authorization"))
    return ApiCaller(token) if token is not None else None
