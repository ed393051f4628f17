"""Use cases for people, teams and product lines. Each owns its transaction."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from coachflow import audit, mailing
from coachflow.accounts.models import (
    PasswordResetToken,
    ProductLine,
    Role,
    Team,
    User,
)
from coachflow.errors import Conflict, DomainError, InvalidToken
from coachflow.extensions import db
from coachflow.timeutil import utcnow
from coachflow.web import external_url

MIN_PASSWORD_LENGTH = 10
INVITATION_TTL = timedelta(days=7)

# Checked against when the email is unknown, so that a wrong email costs as long as a wrong
# password and timing does not reveal which accounts exist.
_DUMMY_HASH: dict[str, str] = {}


def hash_password(password: str) -> str:
    """Hash with the configured modern KDF (scrypt by default)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def normalise_email(email: str) -> str:
    """Emails are compared and stored lower-case, without surrounding spaces."""
    return email.strip().lower()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (without saying which was wrong)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or user.password_hash is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        dummy = _DUMMY_HASH.setdefault(method, generate_password_hash("x", method=method))
        check_password_hash(dummy, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def load_session_user(session_id: str) -> User | None:
    """The user behind a session key ``id:version``, or None when stale or deactivated."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def validate_new_password(password: str, confirm: str) -> None:
    """Refuse a password that is too short or does not match its confirmation."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field="password"
        )
    if password != confirm:
        raise DomainError(_("The two passwords do not match."), field="confirm")


def change_password(user: User, current: str, new: str, confirm: str) -> None:
    """Change a signed-in user's password after checking the current one."""
    if user.password_hash is None or not check_password_hash(user.password_hash, current):
        raise DomainError(_("The current password is not correct."), field="current_password")
    validate_new_password(new, confirm)
    user.password_hash = hash_password(new)
    user.session_version += 1
    audit.record(user, "user.password_changed", user.email)
    db.session.commit()


def set_language(user: User, language: str) -> None:
    """Store the language the user reads CoachFlow in."""
    if language not in current_app.config["LANGUAGES"]:
        raise DomainError(_("Choose one of the offered languages."), field="language")
    user.language = language
    db.session.commit()


# Password reset and invitation links ------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue_token(user: User, ttl: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordResetToken(
            user_id=user.id, token_hash=_token_hash(token), expires_at=utcnow() + ttl
        )
    )
    return token


def _send_password_link(user: User, token: str, *, invitation: bool) -> None:
    link = external_url("auth.reset_link", token=token)
    if invitation:
        subject, template = _l("Your CoachFlow account"), "mail/invitation"
    else:
        subject, template = _l("Reset your CoachFlow password"), "mail/password_reset"
    hours = current_app.config["PASSWORD_RESET_TTL_SECONDS"] // 3600
    mailing.enqueue(
        mailing.prepare(
            user.email,
            subject,
            template,
            language=user.language,
            user=user,
            link=link,
            hours=hours,
            days=INVITATION_TTL.days,
        )
    )


def request_password_reset(email: str) -> None:
    """Email a reset link when an active account has this address; say nothing either way."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        return
    ttl = timedelta(seconds=current_app.config["PASSWORD_RESET_TTL_SECONDS"])
    token = _issue_token(user, ttl)
    db.session.commit()
    _send_password_link(user, token, invitation=False)


def check_reset_token(token: str) -> PasswordResetToken:
    """The unused, unexpired token record for ``token``, or ``InvalidToken``."""
    record = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token))
    )
    if record is None or not record.user.active:
        raise InvalidToken(
            _("This link is not valid. Check that you copied it completely."), status_code=404
        )
    if record.used_at is not None:
        raise InvalidToken(
            _("This link has already been used. Request a new one if you need to."),
            status_code=410,
        )
    if record.expires_at <= utcnow():
        raise InvalidToken(_("This link has expired. Request a new one."), status_code=410)
    return record


def reset_password(token: str, password: str, confirm: str) -> User:
    """Set a new password from a link, once: the token is spent and older sessions end."""
    record = check_reset_token(token)
    validate_new_password(password, confirm)
    now = utcnow()
    # Spend the token atomically: of two concurrent submissions exactly one wins.
    spent = db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == record.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    if spent.rowcount != 1:
        db.session.rollback()
        raise InvalidToken(
            _("This link has already been used. Request a new one if you need to."),
            status_code=410,
        )
    user = record.user
    user.password_hash = hash_password(password)
    user.session_version += 1
    # Any other outstanding link for this account stops working too.
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    audit.record(user, "user.password_reset", user.email)
    db.session.commit()
    return user


# Users --------------------------------------------------------------------------------------


@dataclass
class UserData:
    """What an admin sets on a user."""

    name: str
    email: str
    role: Role
    team_id: int | None
    language: str


def _check_user_data(data: UserData, existing: User | None) -> Team | None:
    email = normalise_email(data.email)
    clash = db.session.scalar(select(User.id).where(User.email == email))
    if clash is not None and (existing is None or clash != existing.id):
        raise Conflict(_("Another user already has this email address."), field="email")
    if data.language not in current_app.config["LANGUAGES"]:
        raise DomainError(_("Choose one of the offered languages."), field="language")
    team = None
    if data.team_id is not None:
        team = db.session.get(Team, data.team_id)
        if team is None:
            raise DomainError(_("This team does not exist."), field="team_id")
    return team


def create_user(data: UserData, *, by: User) -> User:
    """Create a user and email them a link to set their password."""
    _check_user_data(data, None)
    user = User(
        name=data.name.strip(),
        email=normalise_email(data.email),
        role=data.role,
        team_id=data.team_id,
        language=data.language,
    )
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(_("Another user already has this email address."), field="email") from exc
    token = _issue_token(user, INVITATION_TTL)
    audit.record(by, "user.created", user.email, f"role={user.role.value}")
    db.session.commit()
    _send_password_link(user, token, invitation=True)
    return user


def update_user(user: User, data: UserData, *, by: User) -> None:
    """Change a user's details, role or team; an admin cannot demote themselves."""
    _check_user_data(data, user)
    if user.id == by.id and data.role is not Role.ADMIN:
        raise DomainError(_("You cannot take away your own admin role."), field="role")
    changes = []
    if user.role is not data.role:
        changes.append(f"role {user.role.value}->{data.role.value}")
        if user.role is Role.MANAGER:
            # A former manager no longer leads teams; admins assign a new manager.
            db.session.execute(
                update(Team).where(Team.manager_id == user.id).values(manager_id=None)
            )
    if user.team_id != data.team_id:
        changes.append(f"team {user.team_id}->{data.team_id}")
    user.name = data.name.strip()
    user.email = normalise_email(data.email)
    user.role = data.role
    user.team_id = data.team_id
    user.language = data.language
    audit.record(by, "user.updated", user.email, "; ".join(changes))
    db.session.commit()


def set_active(user: User, active: bool, *, by: User) -> None:
    """Deactivate (signed out at their next request) or reactivate a user."""
    if user.id == by.id and not active:
        raise DomainError(_("You cannot deactivate your own account."))
    if user.active == active:
        return
    user.active = active
    user.session_version += 1
    audit.record(by, "user.activated" if active else "user.deactivated", user.email)
    db.session.commit()


def send_password_link(user: User, *, by: User) -> None:
    """An admin sends a user a fresh link to set their password."""
    if not user.active:
        raise DomainError(_("Reactivate the account before sending a link."))
    token = _issue_token(user, INVITATION_TTL)
    audit.record(by, "user.password_link_sent", user.email)
    db.session.commit()
    _send_password_link(user, token, invitation=user.password_hash is None)


# Teams and product lines ---------------------------------------------------------------------


def save_team(
    team: Team | None, *, name: str, territory: str, manager_id: int | None, by: User
) -> Team:
    """Create (``team`` None) or update a team; its manager must have the manager role."""
    name = name.strip()
    clash = db.session.scalar(select(Team.id).where(func.lower(Team.name) == name.lower()))
    if clash is not None and (team is None or clash != team.id):
        raise Conflict(_("A team with this name already exists."), field="name")
    if manager_id is not None:
        manager = db.session.get(User, manager_id)
        if manager is None or manager.role is not Role.MANAGER or not manager.active:
            raise DomainError(_("Choose an active user with the manager role."), field="manager_id")
    if team is None:
        team = Team(name=name, territory=territory.strip(), manager_id=manager_id)
        db.session.add(team)
        action = "team.created"
    else:
        team.name, team.territory, team.manager_id = name, territory.strip(), manager_id
        action = "team.updated"
    audit.record(by, action, name, f"manager={manager_id}")
    db.session.commit()
    return team


def save_product_line(
    line: ProductLine | None, *, code: str, name: str, active: bool, by: User
) -> ProductLine:
    """Create (``line`` None) or update a product line; code and name are unique."""
    code, name = code.strip().upper(), name.strip()
    for column, value, field, message in (
        (ProductLine.code, code, "code", _("A product line with this code already exists.")),
        (ProductLine.name, name, "name", _("A product line with this name already exists.")),
    ):
        clash = db.session.scalar(select(ProductLine.id).where(func.lower(column) == value.lower()))
        if clash is not None and (line is None or clash != line.id):
            raise Conflict(message, field=field)
    if line is None:
        line = ProductLine(code=code, name=name, active=active)
        db.session.add(line)
    else:
        line.code, line.name, line.active = code, name, active
    audit.record(by, "product_line.saved", name, f"code={code} active={active}")
    db.session.commit()
    return line


def create_admin(email: str, name: str, password: str) -> User:
    """Bootstrap an admin from the command line (a fresh production install has nobody)."""
    validate_new_password(password, password)
    email = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(_("Another user already has this email address."), field="email")
    user = User(email=email, name=name, role=Role.ADMIN, password_hash=hash_password(password))
    db.session.add(user)
    audit.record(None, "user.created", email, "role=admin (command line)")
    db.session.commit()
    return user
