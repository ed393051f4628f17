"""The home pages' use cases: recognition, a team's leaderboard switch, the weekly digest."""

from __future__ import annotations

import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from coachflow.accounts import organisation
from coachflow.accounts.models import Role, Team, User
from coachflow.coaching.services import add_agenda_item
from coachflow.dashboards import queries
from coachflow.dashboards.models import REASON_MAX, DigestSetting, Recognition, TeamBoard
from coachflow.platform import audit, jobs, mailing
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.platform.web import external_url

SEND_DIGESTS = "coachflow.dashboards.send_weekly_digests"
DIGEST_BATCH = 500  # people per run; the next run (an hour later) takes the rest


def give_recognition(giver: User, recipient: User, reason: str) -> Recognition:
    """Record that ``giver`` recognises ``recipient`` for ``reason``; refused for oneself."""
    reason = " ".join((reason or "").split())
    if recipient.id == giver.id:
        raise DomainError(_l("Recognition is for someone else: choose a colleague."), field="rep")
    if not reason:
        raise DomainError(_l("Say in a few words what you recognise."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(
            _l("Keep the reason to %(max)d characters.", max=REASON_MAX), field="reason"
        )
    recognition = Recognition(
        giver_id=giver.id, recipient_id=recipient.id, team_id=recipient.team_id, reason=reason
    )
    db.session.add(recognition)
    db.session.commit()
    return recognition


def put_on_agenda(recognition: Recognition, by: User) -> int:
    """Add ``recognition`` to the agenda of its team's next sales meeting; the session's id.
    Refused when the team has no sales meeting planned."""
    session_id = queries.next_sales_meeting(recognition.team_id, utcnow())
    if session_id is None:
        raise DomainError(
            _l("The team has no sales meeting planned: plan one in coaching, then add this.")
        )
    text = _l(
        "Recognition for %(name)s: %(reason)s",
        name=recognition.recipient.name,
        reason=recognition.reason,
    )
    add_agenda_item(session_id, str(text), by)
    return session_id


def set_leaderboard(team: Team, enabled: bool, by: User) -> None:
    """Switch ``team``'s leaderboard on or off (its manager decides)."""
    board = db.session.get(TeamBoard, team.id)
    if board is None:
        board = TeamBoard(team_id=team.id)
        db.session.add(board)
    board.leaderboard = enabled
    audit.record(by, "team.leaderboard", team.name, f"enabled={'yes' if enabled else 'no'}")
    db.session.commit()


def set_digest(user: User, enabled: bool) -> None:
    """Let ``user`` switch the weekly digest on or off."""
    setting = db.session.get(DigestSetting, user.id)
    if setting is None:
        setting = DigestSetting(user_id=user.id)
        db.session.add(setting)
    setting.enabled = enabled
    db.session.commit()


def last_monday(today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=today.weekday())


def digest_message(user: User, today: datetime.date) -> dict:
    """The weekly digest of ``user``, rendered in their language: what their home page says."""
    page = queries.home(user, today)
    return mailing.prepare(
        user.email,
        _l("Your week in CoachFlow"),
        "mail/weekly_digest",
        language=user.language or current_app.config["BABEL_DEFAULT_LOCALE"],
        user=user,
        page=page,
        is_rep=user.role is Role.REP,
        link=external_url("home.index"),
        settings_link=external_url("accounts.account"),
        organisation=organisation.mail_branding(),
    )


def send_weekly_digests(today: datetime.date) -> int:
    """On a Monday, mail the week's digest to everyone who has not had it and has not switched
    it off; a batch at a time. Each is marked sent as it is handed to the mail job, so a later
    run never sends it twice. Returns how many were sent."""
    if today.weekday() != 0:
        return 0
    monday = last_monday(today)
    people = queries.digest_recipients(monday, DIGEST_BATCH)
    if not people:
        return 0
    settings = {
        s.user_id: s
        for s in db.session.scalars(
            select(DigestSetting).where(DigestSetting.user_id.in_([p.id for p in people]))
        )
    }
    sender = organisation.sender_header()
    for person in people:
        message = digest_message(person, today)
        message["sender"] = sender
        setting = settings.get(person.id)
        if setting is None:
            db.session.add(DigestSetting(user_id=person.id, enabled=True, last_sent_on=monday))
        else:
            setting.last_sent_on = monday
        db.session.commit()
        jobs.start(mailing.SEND_MAIL, message)
    return len(people)
