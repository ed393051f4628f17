"""Pulse use cases: start a pulse, open and close its rounds, invite and remind, take an answer
anonymously, and move waiting answers from the pool into the results.

The answer and its move are two transactions on purpose (``docs/pulse-anonymity.md``): spending
the invitation and putting the answer into the pool commit together, so nothing is lost and
nobody answers twice; the results rows are written later, in shuffled batches of at least the
threshold (or all that wait when the round closes), so no results row shares a transaction,
an order or a time with the invitation it came from.
"""

from __future__ import annotations

import calendar
import datetime
import logging
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, update

from coachflow.accounts import organisation
from coachflow.accounts.models import Role, Team, User
from coachflow.lib import emails, tokens
from coachflow.platform import audit, jobs, mailing
from coachflow.platform.errors import DomainError, InvalidToken
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.platform.web import external_url
from coachflow.pulse.models import (
    Pulse,
    PulseAnswer,
    PulseAnswerPool,
    PulseInvitation,
    PulseResponse,
    PulseRound,
    PulseSettings,
    RoundStatus,
    Schedule,
    random_id,
)
from coachflow.questionnaires.answers import SurveyPage, check_answers, page_language, survey_page
from coachflow.questionnaires.models import Survey, SurveyKind, SurveyStatus

TICK = "coachflow.pulse.tick"
SEND_ROUND = "coachflow.pulse.send_round"
log = logging.getLogger(__name__)
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,128}")
MONTHS = {Schedule.MONTHLY: 1, Schedule.QUARTERLY: 3}
DAYS = {Schedule.WEEKLY: 7, Schedule.FORTNIGHTLY: 14}


# Errors -----------------------------------------------------------------------------------------


class PulseLinkProblem(InvalidToken):
    """The link cannot be answered now; ``page`` (when known) gives the language and texts."""

    kind = "invalid"

    def __init__(self, message: str, *, status_code: int, page: SurveyPage | None = None):
        super().__init__(message, status_code=status_code)
        self.page = page


class UnknownLink(PulseLinkProblem):
    def __init__(self) -> None:
        super().__init__(
            _l("This pulse link is not valid. Open the link in the email again."), status_code=404
        )


class RoundClosed(PulseLinkProblem):
    kind = "closed"

    def __init__(self, page: SurveyPage) -> None:
        super().__init__(
            _l(
                "This pulse round has closed, so answers are no longer taken. The next round "
                "will come by email; thank you for your interest."
            ),
            status_code=410,
            page=page,
        )


class AlreadyAnswered(PulseLinkProblem):
    kind = "answered"

    def __init__(self, page: SurveyPage) -> None:
        super().__init__(
            _l("You have already answered this pulse; your first answer stands. Thank you!"),
            status_code=409,
            page=page,
        )


class TeamOutOfScope(DomainError):
    """A manager named a team they do not lead (the view answers 404, as for an unknown id)."""

    status_code = 404


# Thresholds -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    minimum: int
    comment_minimum: int


def thresholds() -> Thresholds:
    """The organisation's thresholds (defaults before an admin saves any)."""
    row = db.session.get(PulseSettings, 1)
    if row is None:
        row = PulseSettings(id=1, minimum=5, comment_minimum=10)
    return Thresholds(row.minimum, row.comment_minimum)


# Schedules --------------------------------------------------------------------------------------


def occurrence(starts_on: datetime.date, schedule: Schedule, number: int) -> datetime.date | None:
    """The day round ``number`` (from 1) of a pulse opens; None when there is no such round."""
    if number < 1 or (schedule is Schedule.ONCE and number > 1):
        return None
    if schedule in DAYS:
        return starts_on + datetime.timedelta(days=DAYS[schedule] * (number - 1))
    if schedule in MONTHS:
        months = starts_on.month - 1 + MONTHS[schedule] * (number - 1)
        year, month = starts_on.year + months // 12, months % 12 + 1
        return datetime.date(year, month, min(starts_on.day, calendar.monthrange(year, month)[1]))
    return starts_on


# Starting a pulse -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PulseInput:
    survey_id: int
    name: str
    team_ids: Sequence[int]
    everyone: bool
    schedule: Schedule
    starts_on: datetime.date
    days_open: int


def startable_surveys(user: User) -> list[Survey]:
    """Active employee-pulse questionnaires ``user`` may send (a manager their own)."""
    query = select(Survey).where(
        Survey.kind == SurveyKind.EMPLOYEE_PULSE, Survey.status == SurveyStatus.ACTIVE
    )
    if user.role is Role.MANAGER:
        query = query.where(Survey.owner_id == user.id)
    return list(db.session.scalars(query.order_by(Survey.name)))


def start_pulse(data: PulseInput, *, by: User, today: datetime.date | None = None) -> Pulse:
    """Start a pulse; its first round opens at once when it starts today or earlier."""
    today = today or utcnow().date()
    survey = next((s for s in startable_surveys(by) if s.id == data.survey_id), None)
    if survey is None:
        raise DomainError(_l("Choose an active pulse questionnaire."), field="survey_id")
    if data.everyone and by.role is Role.MANAGER:
        raise DomainError(_l("A manager starts a pulse for their own teams."), field="teams")
    teams = list(db.session.scalars(select(Team).where(Team.id.in_(data.team_ids))))
    if len(teams) != len(set(data.team_ids)) or (
        by.role is Role.MANAGER and any(team.manager_id != by.id for team in teams)
    ):
        raise TeamOutOfScope(_l("Unknown team."), field="teams")
    if not teams and not data.everyone:
        raise DomainError(_l("Choose at least one team, or everyone."), field="teams")
    if data.starts_on < today:
        raise DomainError(_l("The first round cannot start in the past."), field="starts_on")
    if not 1 <= data.days_open <= 60:
        raise DomainError(_l("A round stays open from 1 to 60 days."), field="days_open")
    pulse = Pulse(
        survey=survey,
        name=data.name.strip()[:200] or survey.name,
        schedule=data.schedule,
        everyone=data.everyone,
        starts_on=data.starts_on,
        days_open=data.days_open,
        created_by_id=by.id,
        teams=[] if data.everyone else teams,
    )
    db.session.add(pulse)
    db.session.flush()
    audit.record(by, "pulse.started", f"pulse {pulse.id} {pulse.name}", f"schedule={data.schedule}")
    db.session.commit()
    open_due_rounds(today, pulse_ids=[pulse.id])
    return pulse


# Rounds -----------------------------------------------------------------------------------------


def tick(today: datetime.date | None = None) -> None:
    """The periodic work: close rounds that ended, open rounds that are due, mail invitations
    and reminders, move waiting answers."""
    today = today or utcnow().date()
    close_due_rounds(today)
    open_due_rounds(today)
    send_reminders(today)
    send_due_mail()
    for round_id in db.session.scalars(
        select(PulseAnswerPool.round_id).group_by(PulseAnswerPool.round_id)
    ).all():
        move_pool(round_id)


def open_due_rounds(today: datetime.date, *, pulse_ids: Iterable[int] | None = None) -> int:
    """Open the latest due round of every active pulse that has not opened it yet; invite."""
    query = select(Pulse).where(Pulse.active.is_(True))
    if pulse_ids is not None:
        query = query.where(Pulse.id.in_(list(pulse_ids)))
    opened = 0
    for pulse in db.session.scalars(query).all():
        last = db.session.scalar(
            select(func.max(PulseRound.number)).where(PulseRound.pulse_id == pulse.id)
        )
        number = _latest_due(pulse, today)
        if number is None or (last is not None and number <= last):
            continue
        round_ = open_round(pulse, number)
        # Mailed by a job of its own: starting a pulse for everyone does not wait on mail.
        jobs.start(SEND_ROUND, round_.id)
        opened += 1
    return opened


def _latest_due(pulse: Pulse, today: datetime.date) -> int | None:
    number = None
    candidate = 1
    while (day := occurrence(pulse.starts_on, pulse.schedule, candidate)) and day <= today:
        number, candidate = candidate, candidate + 1
    return number


def members(pulse: Pulse) -> list[User]:
    """The active people of the pulse's teams (everyone's: every team's)."""
    query = select(User).where(User.active.is_(True), User.team_id.is_not(None))
    if not pulse.everyone:
        query = query.where(User.team_id.in_([team.id for team in pulse.teams]))
    return list(db.session.scalars(query.order_by(User.id)))


def open_round(pulse: Pulse, number: int, *, invite: bool = True) -> PulseRound:
    """Round ``number`` of ``pulse`` on its questionnaire's current version, with invitations."""
    opens_on = occurrence(pulse.starts_on, pulse.schedule, number)
    version = pulse.survey.current_version
    round_ = PulseRound(
        pulse=pulse,
        number=number,
        version_id=version.id,
        opens_on=opens_on,
        closes_on=opens_on + datetime.timedelta(days=pulse.days_open - 1),
        status=RoundStatus.OPEN,
    )
    db.session.add(round_)
    db.session.flush()
    if invite:
        for person in members(pulse):
            invitation = PulseInvitation(
                round_id=round_.id,
                user_id=person.id,
                team_id=person.team_id,
                salt=tokens.new_salt(),
                token_hash="",
            )
            db.session.add(invitation)
            db.session.flush()
            invitation.token_hash = tokens.hash_token(link_token(invitation))
    audit.record(None, "pulse.round_opened", f"pulse {pulse.id} {pulse.name}", f"round={number}")
    db.session.commit()
    return round_


def link_token(invitation: PulseInvitation) -> str:
    """The invitation's personal link token, derived again whenever a mail needs it."""
    key = f"pulse:{current_app.config['SECRET_KEY']}"
    return tokens.derive(key, invitation.id, invitation.salt)


def close_due_rounds(today: datetime.date) -> int:
    """Close the open rounds whose last day has passed, moving every waiting answer first."""
    due = db.session.scalars(
        select(PulseRound.id).where(
            PulseRound.status == RoundStatus.OPEN, PulseRound.closes_on < today
        )
    ).all()
    for round_id in due:
        close_round(round_id)
    return len(due)


def close_round(round_id: int) -> None:
    """No more answers; whatever waits in the pool moves into the results."""
    db.session.execute(
        update(PulseRound).where(PulseRound.id == round_id).values(status=RoundStatus.CLOSED)
    )
    db.session.commit()
    move_pool(round_id, everything=True)


def send_reminders(today: datetime.date) -> int:
    """One reminder, the day before a round closes, to those who have not answered."""
    due = db.session.scalars(
        select(PulseRound).where(
            PulseRound.status == RoundStatus.OPEN,
            PulseRound.reminded.is_(False),
            PulseRound.closes_on <= today + datetime.timedelta(days=1),
            PulseRound.opens_on < today,
        )
    ).all()
    for round_ in due:
        round_.reminded = True
    db.session.commit()
    return len(due)


def send_due_mail() -> int:
    """Mail what is due in open rounds: invitations not yet accepted by the mail server, and
    reminders of rounds whose reminder day came. What failed is tried again at the next tick."""
    waiting = db.session.execute(
        select(PulseRound.id, PulseRound.reminded)
        .join(PulseInvitation, PulseInvitation.round_id == PulseRound.id)
        .where(
            PulseRound.status == RoundStatus.OPEN,
            PulseInvitation.sent_at.is_(None)
            | (
                PulseRound.reminded.is_(True)
                & PulseInvitation.used.is_(False)
                & PulseInvitation.reminded_at.is_(None)
            ),
        )
        .distinct()
    ).all()
    sent = 0
    for round_id, reminded in waiting:
        sent += send_invitations(round_id)
        if reminded:
            sent += send_invitations(round_id, reminder=True)
    return sent


def send_invitations(round_id: int, *, reminder: bool = False) -> int:
    """Mail the round's invitations not yet mailed (or, for the reminder, those not yet used)
    over one connection, recording each as soon as the server accepts it."""
    round_ = db.session.get(PulseRound, round_id)
    query = (
        select(PulseInvitation, User)
        .join(User, User.id == PulseInvitation.user_id)
        .where(PulseInvitation.round_id == round_id, User.active.is_(True))
    )
    if reminder:
        query = query.where(PulseInvitation.used.is_(False), PulseInvitation.reminded_at.is_(None))
    else:
        query = query.where(PulseInvitation.sent_at.is_(None))
    rows = db.session.execute(query.order_by(PulseInvitation.id)).all()
    if not rows:
        return 0
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    branding = organisation.mail_branding()
    origin = organisation.sender_header()
    subject = (
        _l("Reminder: %(name)s", name=round_.pulse.name)
        if reminder
        else _l("Pulse survey: %(name)s", name=round_.pulse.name)
    )
    sent = 0
    try:
        with mailing.connection() as smtp:
            for invitation, person in rows:
                message = mailing.prepare(
                    person.email,
                    subject,
                    "mail/pulse_invitation",
                    language=person.language or default,
                    person=person,
                    pulse=round_.pulse,
                    closes_on=round_.closes_on,
                    reminder=reminder,
                    link=external_url("pulse_answer.answer", token=link_token(invitation)),
                    organisation=branding,
                )
                try:
                    to = emails.check(person.email)
                    smtp.send(
                        mailing.compose(
                            to=to,
                            subject=message["subject"],
                            text=message["text"],
                            html=message["html"],
                            language=message["language"],
                            from_=origin,
                        ),
                        to,
                    )
                except (emails.InvalidAddress, mailing.MessageRefused) as error:
                    log.warning("pulse mail to user %s not sent: %s", person.id, error)
                    continue
                if reminder:
                    invitation.reminded_at = utcnow()
                else:
                    invitation.sent_at = utcnow()
                db.session.commit()
                sent += 1
    except mailing.MailError as error:
        log.warning("pulse mail-out of round %s stopped: %s", round_id, error)
    return sent


# Answering --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    invitation_id: int
    round_id: int
    team_id: int | None
    used: bool
    open: bool
    page: SurveyPage


def open_link(token: str, language: str | None = None) -> Link:
    """The round behind a link, its page in the person's language; UnknownLink when unknown."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        raise UnknownLink()
    row = db.session.execute(
        select(PulseInvitation, PulseRound, User)
        .join(PulseRound, PulseRound.id == PulseInvitation.round_id)
        .join(User, User.id == PulseInvitation.user_id)
        .where(PulseInvitation.token_hash == tokens.hash_token(token))
    ).first()
    if row is None:
        raise UnknownLink()
    invitation, round_, person = row
    version = round_.version
    wanted = language or person.language
    page = survey_page(
        version, page_language(wanted, version.texts, version.survey.default_language)
    )
    is_open = round_.status is RoundStatus.OPEN and round_.closes_on >= utcnow().date()
    return Link(invitation.id, round_.id, invitation.team_id, invitation.used, is_open, page)


def answerable(token: str) -> Link:
    """The link when it may still be answered; RoundClosed (410) or AlreadyAnswered otherwise."""
    link = open_link(token)
    if link.used:
        raise AlreadyAnswered(link.page)
    if not link.open:
        raise RoundClosed(link.page)
    return link


def submit(token: str, values: Mapping[str, Sequence[str]]) -> Link:
    """Check the answers, then in one transaction spend the link and put the answer in the pool.

    The pool row holds the round, the team and the answers only; the invitation keeps only that
    it was used. A second submission (two tabs) finds the link spent and is told so kindly.
    """
    link = answerable(token)
    answers = check_answers(link.page, values)
    spent = db.session.execute(
        update(PulseInvitation)
        .where(PulseInvitation.id == link.invitation_id, PulseInvitation.used.is_(False))
        .values(used=True)
    )
    if spent.rowcount != 1:
        db.session.rollback()
        raise AlreadyAnswered(link.page)
    db.session.add(PulseAnswerPool(round_id=link.round_id, team_id=link.team_id, answers=answers))
    db.session.commit()
    return link


def move_pool(round_id: int, *, everything: bool = False) -> int:
    """Move the round's waiting answers into the results in one transaction of their own, in a
    shuffled order under random keys: only when at least the threshold wait, or all at close.

    Delete and insert commit together, so a crash leaves every answer either in the pool or in
    the results, never in both and never in neither.
    """
    minimum = thresholds().minimum
    waiting = db.session.scalars(
        select(PulseAnswerPool)
        .where(PulseAnswerPool.round_id == round_id)
        .order_by(PulseAnswerPool.sort_key)
        .with_for_update(skip_locked=True)
    ).all()
    if not waiting or (len(waiting) < minimum and not everything):
        db.session.rollback()
        return 0
    batch = list(waiting)
    random.SystemRandom().shuffle(batch)
    responses, answers = [], []
    for entry in batch:
        response_id = random_id()
        responses.append({"id": response_id, "round_id": entry.round_id, "team_id": entry.team_id})
        answers.extend(
            {
                "response_id": response_id,
                "question_id": answer["question_id"],
                "score": answer.get("score"),
                "text": answer.get("text")
                if "text" in answer
                else (",".join(answer["choices"]) if "choices" in answer else None),
            }
            for answer in entry.answers
        )
    db.session.execute(
        delete(PulseAnswerPool).where(PulseAnswerPool.id.in_([entry.id for entry in batch]))
    )
    db.session.execute(insert(PulseResponse), responses)
    if answers:
        db.session.execute(insert(PulseAnswer), answers)
    db.session.commit()
    return len(batch)


# Settings ---------------------------------------------------------------------------------------


def save_thresholds(minimum: int, comment_minimum: int, *, by: User) -> Thresholds:
    """Set the thresholds: scores at least 3 answers, comments no fewer than scores."""
    if minimum < 3:
        raise DomainError(_l("The threshold is at least 3 answers."), field="minimum")
    if comment_minimum < minimum:
        raise DomainError(
            _l("Comments need at least as many answers as scores."), field="comment_minimum"
        )
    row = db.session.get(PulseSettings, 1) or PulseSettings(id=1)
    row.minimum, row.comment_minimum = minimum, comment_minimum
    db.session.add(row)
    audit.record(by, "pulse.thresholds", "pulse", f"minimum={minimum} comments={comment_minimum}")
    db.session.commit()
    return Thresholds(minimum, comment_minimum)
