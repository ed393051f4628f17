"""The mail-out: invitations and reminders go out in batches, one SMTP connection per batch.

A batch is *claimed* first: one short transaction pushes its rows' ``next_attempt_at`` a lease
into the future (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has one writer), so workers on
many machines share the work, and rows a crashed worker held come back when the lease ends. What
the messages share is rendered once per survey, language and rep; each message then gets its
recipient's name and links and is built by the ``email`` package, and all go over one connection
of ``platform.mailing``'s transport. Answers never wait on any of it: they touch single rows, and
only for milliseconds.

Delivery is **at least once, with at most one duplicate per crash**. Each message is recorded as
sent, in a transaction of its own, as soon as the SMTP server has accepted it; a worker killed
between the server's acceptance and that commit leaves exactly one message that the next claim
sends again. That repeat carries the same ``Message-ID`` (one per invitation and attempt, or per
reminder), so a receiving server that drops repeats drops it. On PostgreSQL those commits do not
wait for the disk (see ``_record_sent``): a crash of the database server itself, not of a worker,
may repeat the messages of its last fraction of a second.

A message that cannot be built (an address we cannot send to, a broken text) or that the server
refuses fails alone, with the reason, and the rest of the batch goes out. A failed invitation
counts the attempt and is tried again 1, 5, 30 minutes, 2 and 12 hours later (a refusal that no
retry can mend, a 5xx or a bad address, too: the address or the server may be mended); after
the last it stays failed, visible, until someone resends it. Nothing is dropped. For an
invitation that went out, ``next_attempt_at`` is when its next reminder is due, so the one index
on (status, next_attempt_at) finds both kinds of due work.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import secrets
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import bindparam, case, func, select, text, update
from sqlalchemy.orm import aliased

from coachflow.accounts import organisation
from coachflow.accounts.models import User
from coachflow.lib import emails, tokens
from coachflow.platform import audit, jobs, mailing, progress
from coachflow.platform.errors import DomainError
from coachflow.platform.extensions import db
from coachflow.platform.time import utcnow
from coachflow.platform.web import external_url
from coachflow.questionnaires.models import Survey, SurveyStatus, SurveyVersion
from coachflow.sales.models import Contact
from coachflow.sales.policy import visible_sales
from coachflow.surveys.models import Invitation, InvitationStatus

log = logging.getLogger(__name__)

# The jobs that run this module's work (see coachflow/surveys/tasks.py).
MAIL_OUT = "coachflow.mail_out"
TICK = "coachflow.surveys_tick"
# Where the running mail-out reports its figures (coachflow.platform.progress).
MAIL_OUT_PROGRESS = "mail_out"

# Each batch costs a claim, a load, an outcome write and an SMTP handshake; 500 keeps those
# under a tenth of the sending time while a failed batch stays small.
BATCH_SIZE = 500
# How long a claimed batch is held (``MAIL_LEASE_SECONDS``); the sender renews it for the rest of
# its batch while it sends, so it can be short: a batch whose worker died comes back soon.
LEASE = datetime.timedelta(minutes=2)
# Waits after the 1st, 2nd, … failed attempt; after the last, an invitation stays failed.
BACKOFF = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
REMINDER_RETRY = datetime.timedelta(minutes=30)  # a reminder the server could not take now
UNSENT = (InvitationStatus.FAILED, InvitationStatus.QUEUED)  # retries first: they are older
DELIVERED = (InvitationStatus.SENT, InvitationStatus.OPENED)
LIVE = (*UNSENT, *DELIVERED)


def next_attempt(attempts: int, now: datetime.datetime) -> datetime.datetime | None:
    """When to try again after ``attempts`` failed attempts, or None: stop and stay failed."""
    if attempts < 1 or attempts > len(BACKOFF):
        return None
    return now + BACKOFF[attempts - 1]


@dataclass
class Report:
    """What one run of the mail-out did."""

    sent: int = 0
    failed: int = 0
    unsubscribed: int = 0
    reminded: int = 0
    expired: int = 0

    def add(self, other: Report) -> Report:
        for name in ("sent", "failed", "unsubscribed", "reminded", "expired"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


# The periodic work -------------------------------------------------------------------------------


def tick() -> Report:
    """Everything that is due: expire old links, send queued and failed invitations whose time
    has come, then reminders. The beat schedule runs it every 5 minutes; so can cron."""
    report = Report(expired=expire_invitations())
    report.add(send_due())
    report.add(send_reminders())
    return report


def expire_invitations() -> int:
    """Mark invitations past their expiry that were not answered or unsubscribed as expired."""
    result = db.session.execute(
        update(Invitation)
        .where(Invitation.status.in_(LIVE), Invitation.expires_at <= utcnow())
        .values(status=InvitationStatus.EXPIRED, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def send_due(*, batch_size: int = BATCH_SIZE) -> Report:
    """Send every queued invitation, and every failed one whose next attempt is due; the
    figures so far are reported as progress ``MAIL_OUT_PROGRESS`` after each batch."""
    report = Report()
    writer = _Writer(reminder=False)
    progress.report(MAIL_OUT_PROGRESS, running=True, sent=0, failed=0)
    try:
        while ids := _claim(UNSENT, batch_size):
            report.add(_send_batch(ids, writer))
            progress.report(MAIL_OUT_PROGRESS, running=True, sent=report.sent, failed=report.failed)
    finally:
        progress.report(MAIL_OUT_PROGRESS, running=False, sent=report.sent, failed=report.failed)
    return report


def send_reminders(*, batch_size: int = BATCH_SIZE) -> Report:
    """Remind those who have not answered, once the survey's reminder delay has passed, at most
    its number of reminders; the link stays the same."""
    report = Report()
    writer = _Writer(reminder=True)
    while ids := _claim(DELIVERED, batch_size):
        report.add(_send_batch(ids, writer))
    return report


class InvitationNotFound(DomainError):
    """No invitation with this id that the sender may see."""

    status_code = 404


def resend_failed(survey: Survey, by: Any, *, invitation_id: int | None = None) -> int:
    """Queue the survey's failed invitations about the people ``by`` may see (or just one of
    them) again with fresh attempts, then start the mail-out. Returns how many were queued.

    Raises ``InvitationNotFound`` for an ``invitation_id`` of another survey or about someone
    ``by`` may not see.
    """
    if survey.status is not SurveyStatus.ACTIVE:
        raise DomainError(_("Only an active survey's invitations can be sent."))
    visible = visible_sales(getattr(by, "user", by), Invitation.rep_id)
    query = update(Invitation).where(
        Invitation.survey_id == survey.id, Invitation.status == InvitationStatus.FAILED, visible
    )
    if invitation_id is not None:
        found = db.session.scalar(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.id == invitation_id, Invitation.survey_id == survey.id, visible)
        )
        if not found:
            raise InvitationNotFound(_("There is no such invitation."))
        query = query.where(Invitation.id == invitation_id)
    result = db.session.execute(
        query.values(
            status=InvitationStatus.QUEUED, attempts=0, next_attempt_at=utcnow(), last_error=""
        ).execution_options(synchronize_session=False)
    )
    count = result.rowcount
    if count:
        audit.record(
            getattr(by, "user", by),
            "surveys.invitations.resent",
            f"survey {survey.id}",
            f"{survey.name}: {count} failed invitation(s)",
        )
    db.session.commit()
    if count:
        jobs.start(MAIL_OUT)
    return count


# Claiming a batch --------------------------------------------------------------------------------


def lease() -> datetime.timedelta:
    """How long a claimed batch is held before another worker may take it."""
    seconds = current_app.config.get("MAIL_LEASE_SECONDS")
    return datetime.timedelta(seconds=seconds) if seconds else LEASE


def _clock() -> float:
    """Seconds on a clock that only moves forward (how long a batch has been sending)."""
    return time.monotonic()


def _renew_lease(ids: list[int], held_until: Any) -> Any | None:
    """Hold the rest of a batch for another lease while it is being sent (committed); the new
    end of the lease, or None when the lease had run out and another worker took some of it."""
    renewed = utcnow() + lease()
    count = db.session.execute(
        update(Invitation)
        .where(Invitation.id.in_(ids), Invitation.next_attempt_at == held_until)
        .values(next_attempt_at=renewed)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return renewed if count == len(ids) else None


def _claim(statuses: Sequence[InvitationStatus], batch_size: int) -> list[int]:
    """Take up to ``batch_size`` due invitations in ``statuses`` for this worker (committed).

    One status at a time, in order, so that each is read in the order of the (status,
    next_attempt_at) index: the oldest due first, without sorting every due row.
    """
    now = utcnow()
    claimed: list[int] = []
    for status in statuses:
        due = (
            select(Invitation.id)
            .join(Survey, Survey.id == Invitation.survey_id)
            .where(
                Invitation.status == status,
                Invitation.next_attempt_at <= now,
                Invitation.expires_at > now,
                Survey.status == SurveyStatus.ACTIVE,
            )
            .order_by(Invitation.next_attempt_at)
            .limit(batch_size - len(claimed))
        )
        if status in DELIVERED:
            due = due.where(Invitation.reminders_sent < Survey.max_reminders)
        if db.session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True, of=Invitation)
        claimed += db.session.scalars(
            update(Invitation)
            .where(Invitation.id.in_(due.scalar_subquery()))
            .values(next_attempt_at=now + lease())
            .returning(Invitation.id)
            .execution_options(synchronize_session=False)
        ).all()
        if len(claimed) == batch_size:
            break
    db.session.commit()
    return sorted(claimed)


# Sending a batch ---------------------------------------------------------------------------------


def _batch_rows(ids: list[int]) -> list[Any]:
    rep = aliased(User)
    return db.session.execute(
        select(
            Invitation.id,
            Invitation.email,
            Invitation.language,
            Invitation.token_salt,
            Invitation.expires_at,
            Invitation.attempts,
            Invitation.reminders_sent,
            Invitation.version_id,
            Invitation.next_attempt_at.label("held_until"),  # the claim's lease
            Contact.name.label("contact_name"),
            Contact.opted_out_at,
            rep.name.label("rep_name"),
            Survey.name.label("survey_name"),
            Survey.default_language,
            Survey.reminder_days,
            Survey.max_reminders,
        )
        .join(Survey, Survey.id == Invitation.survey_id)
        .outerjoin(Contact, Contact.id == Invitation.contact_id)
        .outerjoin(rep, rep.id == Invitation.rep_id)
        .where(Invitation.id.in_(ids))
        .order_by(Invitation.id)
    ).all()


def _send_batch(ids: list[int], writer: _Writer) -> Report:
    rows = _batch_rows(ids)
    missing = {row.version_id for row in rows} - writer.versions.keys()
    if missing:
        writer.versions.update(
            db.session.execute(
                select(SurveyVersion.id, SurveyVersion.texts).where(SurveyVersion.id.in_(missing))
            ).all()
        )
    db.session.rollback()  # no transaction stays open while the SMTP server answers
    plan = writer.plan(rows)
    report = Report()
    if plan.skipped:
        report.add(_record(rows, Outcome([], {}), plan.skipped, reminder=writer.reminder))
    report.add(_send(rows, plan, writer))
    return report


@dataclass
class Outcome:
    """What became of the messages of a batch."""

    sent: list[int]
    failed: dict[int, tuple[str, bool]]  # invitation id → (error, whether retrying may help)


def _send(rows: Sequence[Any], plan: _Plan, writer: _Writer) -> Report:
    """Send the planned messages over one connection, each recorded as sent (committed) as
    soon as the server has accepted it: a crash re-sends at most the one message in between.

    A message that cannot be built or that the server refuses fails alone; when the
    connection is lost (server down, timeout) the rest of the batch fails with it. Failures
    are written together at the end: a crash before then only leaves them to be tried again.
    """
    report = Report()
    failed = dict(plan.failed)
    done = 0  # letters sent or failed so far
    renewed = _clock()
    held_until = rows[0].held_until if rows else None
    try:
        with mailing.connection() as smtp:
            for row, draft in plan.letters:
                if _clock() - renewed > lease().total_seconds() / 3:
                    # The messages still to go, and the failures written at the end.
                    still_held = [unsent.id for unsent, _draft in plan.letters[done:]]
                    held_until = _renew_lease(still_held + list(failed), held_until)
                    if held_until is None:
                        # Held too long (a server that hangs): another worker has taken over
                        # the rest; sending it here too would send it twice.
                        log.warning(
                            "Mail-out lease lost; %d message(s) left to another worker",
                            len(still_held),
                        )
                        break
                    renewed = _clock()
                try:
                    message, to = writer.message(row, draft)
                    smtp.send(message, to)
                except mailing.ConnectionLost:
                    raise
                except mailing.MailError as error:
                    failed[row.id] = (error.reason, error.transient)
                except Exception as error:  # a bad message fails alone; the batch goes on
                    log.exception("Invitation %s could not be sent", row.id)
                    failed[row.id] = (mailing.describe(error), False)
                else:
                    report.add(_record_sent(row, reminder=writer.reminder))
                done += 1
    except mailing.ConnectionLost as error:
        for row, _draft in plan.letters[done:]:
            failed[row.id] = (error.reason, True)
    if failed:
        report.add(_record(rows, Outcome([], failed), {}, reminder=writer.reminder))
    return report


def _record(
    rows: Sequence[Any],
    outcome: Outcome,
    skipped: dict[int, InvitationStatus | None],
    *,
    reminder: bool,
) -> Report:
    """Write a batch's outcome in one transaction; each row only if it is still where it was.

    Rows with the same outcome (mostly: all of them) are written by one UPDATE … WHERE id IN.
    """
    now = utcnow()
    by_id = {row.id: row for row in rows}
    sent: dict[tuple, list[int]] = defaultdict(list)  # (next reminder, reminders sent) → ids
    for invitation_id in outcome.sent:
        row = by_id[invitation_id]
        reminders = row.reminders_sent + 1 if reminder else row.reminders_sent
        due = (
            now + datetime.timedelta(days=row.reminder_days)
            if reminders < row.max_reminders
            else None
        )
        sent[(due, reminders)].append(invitation_id)
    failed: dict[tuple, list[int]] = defaultdict(list)  # (next attempt, attempts, error) → ids
    for invitation_id, (error, transient) in outcome.failed.items():
        row = by_id[invitation_id]
        if reminder:
            again = now + REMINDER_RETRY if transient else None
            message = _("Reminder not sent: %(error)s", error=error)[:500]
            failed[(again, row.attempts, message)].append(invitation_id)
        else:
            attempts = row.attempts + 1
            failed[(next_attempt(attempts, now), attempts, error)].append(invitation_id)
    unsent = Invitation.status.in_(UNSENT)
    for (due, reminders), ids in sent.items():
        _update(
            ids,
            status=case((unsent, InvitationStatus.SENT), else_=Invitation.status),
            sent_at=func.coalesce(Invitation.sent_at, now) if reminder else now,
            attempts=Invitation.attempts + (0 if reminder else 1),
            reminders_sent=reminders,
            next_attempt_at=due,
            last_error="",
        )
    for (due, attempts, error), ids in failed.items():
        if reminder:
            _update(ids, attempts=attempts, next_attempt_at=due, last_error=error)
        else:
            # Only what is still unsent: another worker may have sent it since (a lease that ran
            # out), and a sent invitation keeps its state, its reminder date and no error.
            _update(
                ids,
                unsent,
                status=InvitationStatus.FAILED,
                attempts=attempts,
                next_attempt_at=due,
                last_error=error,
            )
    unsubscribed = [i for i, status in skipped.items() if status is InvitationStatus.UNSUBSCRIBED]
    if unsubscribed:
        # The contact opted out after the invitation was queued: it is never sent.
        _update(unsubscribed, unsent, status=InvitationStatus.UNSUBSCRIBED, next_attempt_at=None)
    stopped = [i for i, status in skipped.items() if status is None]
    if stopped:
        _update(stopped, next_attempt_at=None)
    db.session.commit()
    report = Report(failed=sum(len(ids) for ids in failed.values()), unsubscribed=len(unsubscribed))
    count = sum(len(ids) for ids in sent.values())
    if reminder:
        report.reminded = count
    else:
        report.sent = count
    return report


def _sent_statement(*, reminder: bool) -> Any:
    now = bindparam("now", type_=Invitation.sent_at.type)
    return (
        update(Invitation)
        .where(Invitation.id == bindparam("invitation_id"))
        .values(
            status=case(
                (Invitation.status.in_(UNSENT), InvitationStatus.SENT), else_=Invitation.status
            ),
            sent_at=func.coalesce(Invitation.sent_at, now) if reminder else now,
            attempts=Invitation.attempts + (0 if reminder else 1),
            reminders_sent=bindparam("reminders"),
            next_attempt_at=bindparam("due", type_=Invitation.next_attempt_at.type),
            last_error="",
        )
        .execution_options(synchronize_session=False)
    )


_SENT = {reminder: _sent_statement(reminder=reminder) for reminder in (False, True)}


def _record_sent(row: Any, *, reminder: bool) -> Report:
    """Record one message the server accepted, in a commit of its own (as ``_record`` would).

    On PostgreSQL the commit does not wait for the disk (``synchronous_commit`` off for this
    transaction only): the database has it once the statement returns, so a worker killed
    after it loses nothing; only a crash of the database server itself within a fraction of a
    second could forget the last few, whose messages would then go out once more.
    """
    now = utcnow()
    reminders = row.reminders_sent + 1 if reminder else row.reminders_sent
    due = None
    if reminders < row.max_reminders:
        due = now + datetime.timedelta(days=row.reminder_days)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    db.session.execute(
        _SENT[reminder], {"invitation_id": row.id, "now": now, "reminders": reminders, "due": due}
    )
    db.session.commit()
    return Report(reminded=1) if reminder else Report(sent=1)


def _update(ids: list[int], *conditions: Any, **values: Any) -> None:
    db.session.execute(
        update(Invitation)
        .where(Invitation.id.in_(ids), *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


# Writing the messages ----------------------------------------------------------------------------


def survey_links(token: str) -> tuple[str, str]:
    """The answer and unsubscribe links of a token, on ``PUBLIC_BASE_URL``."""
    return (
        external_url("public.answer", token=token),
        external_url("public.unsubscribe", token=token),
    )


def message_id(secret_key: str, domain: str, invitation_id: int, kind: str, number: int) -> str:
    """The ``Message-ID`` of the ``number``-th attempt at an invitation (``kind``: invitation)
    or of its ``number``-th reminder: the same every time that message is sent, so a receiving
    server can drop a repeat after a crash; opaque, so it tells nothing about the invitation."""
    digest = hmac.new(
        secret_key.encode(), f"{kind}:{invitation_id}:{number}".encode(), hashlib.sha256
    ).hexdigest()
    return f"<{digest[:32]}@{domain}>"


@dataclass(frozen=True)
class _Draft:
    subject: str
    text: str
    html: str


@dataclass
class _Plan:
    """A batch sorted out: the messages to send, the invitations not to send (opted out, no
    address) and those whose message could not even be drafted."""

    letters: list[tuple[Any, _Draft]]
    skipped: dict[int, InvitationStatus | None]
    failed: dict[int, tuple[str, bool]]


class _Writer:
    """Writes the messages of one mail-out run, batch after batch.

    What messages share (the survey's texts in one language, the rep, the expiry day) is
    rendered once, with marks where each recipient's name and links go; each message then only
    gets those filled in before the ``email`` package builds it.
    """

    def __init__(self, *, reminder: bool) -> None:
        self.versions: dict[int, dict] = {}  # survey version id → its texts
        self.reminder = reminder
        self.kind = "reminder" if reminder else "invitation"
        self.secret = current_app.config["SECRET_KEY"]
        self.sender = organisation.sender_header()
        self.organisation = organisation.mail_branding()  # who is asking: name, colour, logo
        self.domain = mailing.domain_of(self.sender)
        # Marks no text can contain: a random nonce between two control characters.
        nonce = secrets.token_hex(8)
        self.name_mark, self.link_mark, self.unsubscribe_mark = (
            f"\x1e{nonce}{what}\x1e" for what in ("name", "link", "unsubscribe")
        )
        self.token_mark = f"TOKEN{nonce}"  # letters and digits: the URL builder keeps it as is
        self.answer_link, self.unsubscribe_link = survey_links(self.token_mark)
        # Straight from the Jinja environment: render_template's context processors and
        # signals cost more than the templates themselves, and a message needs none of them.
        environment = current_app.jinja_env
        self.text_template = environment.get_template("mail/survey_invitation.txt")
        self.html_template = environment.get_template("mail/survey_invitation.html")
        self.drafts: dict[tuple, _Draft] = {}
        self.fixed_headers = [
            (name, mailing.header(name, value))
            for name, value in (
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                ("Auto-Submitted", "auto-generated"),
            )
        ]

    def plan(self, rows: Sequence[Any]) -> _Plan:
        """Sort a batch's invitations out and draft what their messages share."""
        plan = _Plan([], {}, {})
        by_language: dict[str, list[Any]] = {}
        for row in rows:
            if row.opted_out_at is not None:
                plan.skipped[row.id] = InvitationStatus.UNSUBSCRIBED if not self.reminder else None
            elif not row.email:
                plan.skipped[row.id] = None  # erased on the contact's request
            else:
                by_language.setdefault(row.language, []).append(row)
        drafts: dict[int, _Draft] = {}
        for language, group in by_language.items():
            with force_locale(language):
                for row in group:
                    try:
                        drafts[row.id] = self.draft(row, language)
                    except Exception as error:  # a bad text fails its messages alone
                        log.exception("Invitation %s could not be drafted", row.id)
                        plan.failed[row.id] = (mailing.describe(error), False)
        plan.letters = [(row, drafts[row.id]) for row in rows if row.id in drafts]
        return plan

    def draft(self, row: Any, language: str) -> _Draft:
        """The message every recipient of this survey, language, rep and expiry day gets."""
        key = (
            row.version_id,
            language,
            row.rep_name,
            bool(row.contact_name),
            row.expires_at.date(),
        )
        draft = self.drafts.get(key)
        if draft is not None:
            return draft
        texts = self.versions.get(row.version_id) or {}
        own = texts.get(language) or texts.get(row.default_language) or {}
        title = own.get("title") or row.survey_name
        rep = row.rep_name or ""
        subject = (
            _("Your experience with %(rep)s: %(title)s", rep=rep, title=title) if rep else title
        )
        if self.reminder:
            subject = _("Reminder: %(subject)s", subject=subject)
        context = {
            "subject": subject,
            "title": title,
            "intro": own.get("intro") or "",
            "name": self.name_mark if row.contact_name else "",
            "rep": rep,
            "link": self.link_mark,
            "unsubscribe_link": self.unsubscribe_mark,
            "expires": format_date(row.expires_at.date(), "long"),
            "reminder": self.reminder,
            "language": language,
            "organisation": self.organisation,
        }
        draft = _Draft(
            subject, self.text_template.render(context), self.html_template.render(context)
        )
        self.drafts[key] = draft
        return draft

    def message(self, row: Any, draft: _Draft) -> tuple[EmailMessage, emails.Address]:
        """One recipient's message: the draft with their name and their links, built by the
        ``email`` package; ``MessageRefused`` when the stored address is not one to send to."""
        try:
            to = emails.check(row.email)
        except emails.InvalidAddress as error:
            raise mailing.MessageRefused(str(error), transient=False) from error
        token = tokens.derive(self.secret, row.id, row.token_salt)
        link = self.answer_link.replace(self.token_mark, token)
        unsubscribe = self.unsubscribe_link.replace(self.token_mark, token)
        name = row.contact_name or ""
        text, html = draft.text, draft.html
        for mark, value in (
            (self.name_mark, name),
            (self.link_mark, link),
            (self.unsubscribe_mark, unsubscribe),
        ):
            text = text.replace(mark, value)
            html = html.replace(mark, str(escape(value)))
        # One Message-ID per invitation, whatever the attempt: an attempt whose acceptance was
        # lost with the connection is retried as the same message, which a receiving server
        # can drop; each reminder is a message of its own.
        number = row.reminders_sent + 1 if self.reminder else 1
        message = mailing.compose(
            to=to,
            subject=draft.subject,
            text=text,
            html=html,
            language=row.language,
            message_id=message_id(self.secret, self.domain, row.id, self.kind, number),
            headers=[("List-Unsubscribe", f"<{unsubscribe}>"), *self.fixed_headers],
            from_=self.sender,
        )
        return message, to
