"""Use cases for people, teams and product lines. Each owns its transaction."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from blinker import Namespace
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from coachflow.accounts import organisation
from coachflow.accounts.models import (
    PasswordResetToken,
    ProductLine,
    Role,
    Team,
    User,
    UserSession,
)
from coachflow.lib import emails
from coachflow.platform import audit, jobs, mailing
from coachflow.platform.errors import Conflict, DomainError, InvalidToken
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.platform.web import external_url

MIN_PASSWORD_LENGTH = 10
INVITATION_TTL = timedelta(days=7)
# A session's last_seen_at is written at most this often, not on every request.
SESSION_SEEN_RESOLUTION = timedelta(minutes=5)

# Checked against when the email is unknown, so that a wrong email costs as long as a wrong
# password and timing does not reveal which accounts exist. One per hash method, made once.
_DUMMY_HASH: dict[str, str] = {}

_signals = Namespace()
# Sent inside the deactivation's transaction; later domains (API tokens) end what they hold.
user_deactivated = _signals.signal("user-deactivated")


def hash_password(password: str) -> str:
    """Hash with the configured modern KDF (scrypt by default)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    dummy = _DUMMY_HASH.get(method)
    if dummy is None:
        dummy = _DUMMY_HASH[method] = generate_password_hash(
            secrets.token_urlsafe(16), method=method
        )
    return dummy


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, signed in with a new server-side session
    (``user.session_key`` is the cookie's key), or None without saying which was wrong."""
    user = db.session.scalar(select(User).where(User.email == emails.normalise(email)))
    if user is None or user.password_hash is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return start_session(user)


def _session_idle_limit() -> timedelta:
    return current_app.permanent_session_lifetime


# The job that forgets sessions nobody can use any more (see coachflow/accounts/tasks.py).
PURGE_SESSIONS = "coachflow.purge_sessions"


def purge_sessions() -> int:
    """Forget every session idle too long to be used again (people who never came back); the
    number forgotten."""
    forgotten = db.session.execute(
        delete(UserSession).where(UserSession.last_seen_at <= utcnow() - _session_idle_limit())
    ).rowcount
    db.session.commit()
    return forgotten


def start_session(user: User) -> User:
    """Open a server-side session for ``user``; its random key is set as ``user.session_key``."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    # Forget this person's sessions that can no longer be used: older version or idle too long.
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            or_(
                UserSession.session_version != user.session_version,
                UserSession.last_seen_at <= now - _session_idle_limit(),
            ),
        )
    )
    db.session.add(
        UserSession(
            user_id=user.id,
            key_hash=_token_hash(key),
            session_version=user.session_version,
            created_at=now,
            last_seen_at=now,
        )
    )
    db.session.commit()
    user.session_key = key
    return user


def load_session_user(session_key: str) -> User | None:
    """The user behind a session key, in one query; None when signed out, stale or deactivated."""
    now = utcnow()
    found = db.session.execute(
        select(User, UserSession.id, UserSession.last_seen_at)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.key_hash == _token_hash(session_key),
            UserSession.session_version == User.session_version,
            UserSession.last_seen_at > now - _session_idle_limit(),
            User.active,
        )
    ).first()
    if found is None:
        return None
    user, session_id, last_seen_at = found
    if now - last_seen_at >= SESSION_SEEN_RESOLUTION:
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == session_id)
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    user.session_key = session_key
    return user


def end_session(session_key: str | None) -> None:
    """Sign out one session: its key stops working on every copy of the cookie."""
    if session_key is None:
        return
    db.session.execute(delete(UserSession).where(UserSession.key_hash == _token_hash(session_key)))
    db.session.commit()


def end_all_sessions(user: User) -> None:
    """Sign ``user`` out on every device, this one included."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    audit.record(user, "user.signed_out_everywhere", user.email)
    db.session.commit()


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
    _spend_outstanding_links(user)
    audit.record(user, "user.password_changed", user.email)
    db.session.commit()


def set_language(user: User, language: str | None) -> None:
    """Store the language the user reads CoachFlow in; none (empty) follows the browser."""
    if language and language not in current_app.config["LANGUAGES"]:
        raise DomainError(_("Choose one of the offered languages."), field="language")
    user.language = language or None
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


def _spend_outstanding_links(user: User) -> None:
    """Links sent before a password change stop working: they were meant for the old one."""
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def _reset_ttl() -> timedelta:
    return timedelta(seconds=current_app.config["PASSWORD_RESET_TTL_SECONDS"])


def _send_password_link(
    user: User, token: str, *, invitation: bool, background: bool = False
) -> None:
    link = external_url("auth.reset_link", token=token)
    if invitation:
        subject, template = _l("Your CoachFlow account"), "mail/invitation"
    else:
        subject, template = _l("Reset your CoachFlow password"), "mail/password_reset"
    hours = current_app.config["PASSWORD_RESET_TTL_SECONDS"] // 3600
    message = mailing.prepare(
        user.email,
        subject,
        template,
        language=user.language or current_app.config["BABEL_DEFAULT_LOCALE"],
        user=user,
        link=link,
        hours=hours,
        days=INVITATION_TTL.days,
        organisation=organisation.mail_branding(),
    )
    message["sender"] = organisation.sender_header()
    if background:
        # Delivered off the request, so that an SMTP round trip does not show in its duration.
        jobs.start(mailing.SEND_MAIL, message)
    else:
        mailing.enqueue(message)


def request_password_reset(email: str) -> None:
    """Email a reset link when an active account has this address; say nothing either way.

    Takes at least ``PASSWORD_RESET_MIN_SECONDS`` whatever happens, so that its duration does not
    tell which addresses have an account. At most ``PASSWORD_RESET_MAILS_PER_HOUR`` links per
    account per hour, counted in the database, so that an inbox cannot be flooded.
    """
    started = time.monotonic()
    try:
        _send_reset_link_if_allowed(emails.normalise(email))
    finally:
        # Release the row lock before waiting out the rest of the minimum duration.
        db.session.rollback()
        remaining = current_app.config["PASSWORD_RESET_MIN_SECONDS"] - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)


def _send_reset_link_if_allowed(email: str) -> None:
    # Locking the user serialises concurrent requests for one account, so the cap holds.
    user = db.session.scalar(select(User).where(User.email == email).with_for_update())
    if user is None or not user.active:
        return
    sent_lately = db.session.scalar(
        select(func.count())
        .select_from(PasswordResetToken)
        .where(
            PasswordResetToken.user_id == user.id,
            PasswordResetToken.created_at > utcnow() - timedelta(hours=1),
        )
    )
    if sent_lately >= current_app.config["PASSWORD_RESET_MAILS_PER_HOUR"]:
        return
    token = _issue_token(user, _reset_ttl())
    db.session.commit()
    _send_password_link(user, token, invitation=False, background=True)


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
    _spend_outstanding_links(user)
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
    language: str | None  # None: follow the browser


def _check_user_data(data: UserData, existing: User | None) -> Team | None:
    try:
        email = emails.check(data.email).normalised
    except emails.InvalidAddress as error:
        raise DomainError(_(error.reason, value=error.value[:60]), field="email") from None
    clash = db.session.scalar(select(User.id).where(User.email == email))
    if clash is not None and (existing is None or clash != existing.id):
        raise Conflict(_("Another user already has this email address."), field="email")
    if data.language and data.language not in current_app.config["LANGUAGES"]:
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
        email=emails.normalise(data.email),
        role=data.role,
        team_id=data.team_id,
        language=data.language or None,
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
    user.email = emails.normalise(data.email)
    user.role = data.role
    user.team_id = data.team_id
    user.language = data.language or None
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
    if not active:
        user_deactivated.send(user, by=by)
    audit.record(by, "user.activated" if active else "user.deactivated", user.email)
    db.session.commit()


def send_password_link(user: User, *, by: User) -> None:
    """An admin sends a user a fresh link to set their password."""
    if not user.active:
        raise DomainError(_("Reactivate the account before sending a link."))
    invitation = user.password_hash is None
    # Only a first password gets the invitation's days; a reset link lasts as long as any other.
    token = _issue_token(user, INVITATION_TTL if invitation else _reset_ttl())
    audit.record(by, "user.password_link_sent", user.email)
    db.session.commit()
    _send_password_link(user, token, invitation=invitation)


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
    email = emails.normalise(email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(_("Another user already has this email address."), field="email")
    user = User(email=email, name=name, role=Role.ADMIN, password_hash=hash_password(password))
    db.session.add(user)
    audit.record(None, "user.created", email, "role=admin (command line)")
    db.session.commit()
    return user
