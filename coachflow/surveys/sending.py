"""The mail-out: invitations and reminders go out in batches, one SMTP connection per batch.

A batch is *claimed* first: one short transaction pushes its rows' ``next_attempt_at`` a lease
into the future (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has one writer), so workers on
many machines share the work without sending a message twice, and rows a crashed worker held
come back when the lease ends. The messages are then rendered in each invitation's language and
sent over one connection; the outcome of the whole batch is written in one more transaction.
Answers never wait on any of it: they touch single rows, and only for milliseconds.

A failed send (refused recipient, server down, timeout) marks the invitation failed with the
error, counts the attempt and sets the next one 1, 5, 30 minutes, 2 and 12 hours later; after
the last it stays failed, visible, until someone resends it. Nothing is dropped. For an
invitation that went out, ``next_attempt_at`` is when its next reminder is due, so the one index
on (status, next_attempt_at) finds both kinds of due work.
"""

from __future__ import annotations

import binascii
import datetime
import functools
import logging
import secrets
import smtplib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from email.header import Header
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import aliased

from coachflow.accounts import organisation
from coachflow.accounts.models import User
from coachflow.lib import tokens
from coachflow.platform import audit, jobs, progress
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
# How long a claimed batch is held: longer than any batch takes to send (``MAIL_LEASE_SECONDS``).
LEASE = datetime.timedelta(minutes=15)
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


@dataclass(frozen=True)
class Letter:
    """One message ready to send: the bytes on the wire and whom they go to."""

    invitation_id: int
    to: str
    data: bytes


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
    letters, skipped = writer.letters(rows)
    outcome = deliver(letters, sender=writer.sender)  # read before the rollback above
    return _record(rows, outcome, skipped, reminder=writer.reminder)


@dataclass
class Outcome:
    """What the SMTP server said about each letter of a batch."""

    sent: list[int]
    failed: dict[int, tuple[str, bool]]  # invitation id → (error, whether retrying may help)


def deliver(letters: Sequence[Letter], *, sender: str | None = None) -> Outcome:
    """Send ``letters`` over one SMTP connection from ``sender`` (a From header; the settings'
    when None). A refused message fails alone; when the connection is lost (server down,
    timeout) the rest of the batch fails with it."""
    outcome = Outcome([], {})
    if not letters:
        return outcome
    config = current_app.config
    if config.get("MAIL_SUPPRESS_SEND") or not config.get("MAIL_SERVER"):
        _print(letters)
        outcome.sent.extend(letter.invitation_id for letter in letters)
        return outcome
    sender = parseaddr(sender or _sender_header())[1]
    try:
        connection = _connect()
    except (smtplib.SMTPException, OSError) as error:
        for letter in letters:
            outcome.failed[letter.invitation_id] = (_describe(error), True)
        return outcome
    try:
        for position, letter in enumerate(letters):
            try:
                connection.sendmail(sender, [letter.to], letter.data)
            except (
                smtplib.SMTPRecipientsRefused,
                smtplib.SMTPSenderRefused,
                smtplib.SMTPDataError,
                UnicodeEncodeError,
            ) as error:
                outcome.failed[letter.invitation_id] = (_describe(error), _transient(error))
            except (smtplib.SMTPException, OSError) as error:
                for rest in letters[position:]:
                    outcome.failed[rest.invitation_id] = (_describe(error), True)
                break
            else:
                outcome.sent.append(letter.invitation_id)
    finally:
        _close(connection)
    return outcome


def _connect() -> smtplib.SMTP:
    config = current_app.config
    timeout = config.get("MAIL_TIMEOUT", 30)
    server, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    if config.get("MAIL_USE_SSL"):
        connection: smtplib.SMTP = smtplib.SMTP_SSL(server, port, timeout=timeout)
    else:
        connection = smtplib.SMTP(server, port, timeout=timeout)
    try:
        if config.get("MAIL_USE_TLS"):
            connection.starttls()
        if config.get("MAIL_USERNAME") and config.get("MAIL_PASSWORD"):
            connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        _close(connection)
        raise
    return connection


def _close(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()


def _describe(error: BaseException) -> str:
    """A short, readable account of an SMTP failure for the invitations page."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(error.recipients.values()))
        text = f"{code} {message.decode(errors='replace')}"
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"{error.smtp_code} {error.smtp_error.decode(errors='replace')}"
    elif isinstance(error, UnicodeEncodeError):
        text = "the address needs SMTPUTF8, which is not used"
    else:
        text = f"{type(error).__name__}: {error}".rstrip(": ")
    return text[:500]


def _transient(error: BaseException) -> bool:
    """Whether the same message may go through later (4xx) rather than never (5xx)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code = next(iter(error.recipients.values()))[0]
        return 400 <= code < 500
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return not isinstance(error, UnicodeEncodeError)


def _print(letters: Sequence[Letter]) -> None:
    """The embedded default has no SMTP server: show the messages on the console instead."""
    for letter in letters:
        log.warning("Mail not sent (no MAIL_SERVER); it would have gone to %s", letter.to)
        if not current_app.testing:
            print(f"--- mail to {letter.to}\n{letter.data.decode('ascii', 'replace')}")


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
        status = (
            Invitation.status
            if reminder
            else case((unsent, InvitationStatus.FAILED), else_=Invitation.status)
        )
        _update(ids, status=status, attempts=attempts, next_attempt_at=due, last_error=error)
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


def _sender_header() -> str:
    """The organisation's sender (settings), else ``MAIL_DEFAULT_SENDER``."""
    return organisation.sender_header()


class _Writer:
    """Writes the messages of one mail-out run, batch after batch.

    What messages share (the survey's texts in one language, the rep, the expiry day) is
    rendered once, with marks where each recipient's name and links go; each message then only
    gets those filled in. Rendering every message in full would cost more than sending it.
    """

    def __init__(self, *, reminder: bool) -> None:
        self.versions: dict[int, dict] = {}  # survey version id → its texts
        self.reminder = reminder
        self.secret = current_app.config["SECRET_KEY"]
        self.sender = _sender_header()
        self.organisation = organisation.mail_branding()  # who is asking: name, colour, logo
        self.domain = parseaddr(self.sender)[1].rpartition("@")[2] or "localhost"
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

    def letters(
        self, rows: Sequence[Any]
    ) -> tuple[list[Letter], dict[int, InvitationStatus | None]]:
        """A batch's messages, and the invitations not to send (opted out, no address)."""
        letters: list[Letter] = []
        skipped: dict[int, InvitationStatus | None] = {}
        by_language: dict[str, list[Any]] = {}
        for row in rows:
            if row.opted_out_at is not None:
                skipped[row.id] = InvitationStatus.UNSUBSCRIBED if not self.reminder else None
            elif not row.email:
                skipped[row.id] = None  # erased on the contact's request
            else:
                by_language.setdefault(row.language, []).append(row)
        for language, group in by_language.items():
            with force_locale(language):
                letters.extend(self.letter(row, self.draft(row, language)) for row in group)
        return letters, skipped

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

    def letter(self, row: Any, draft: _Draft) -> Letter:
        """One recipient's message: the draft with their name and their links."""
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
        data = mime_message(
            sender=self.sender,
            to=row.email,
            subject=draft.subject,
            text=text,
            html=html,
            domain=self.domain,
            language=row.language,
            headers=[
                ("List-Unsubscribe", f"<{unsubscribe}>"),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                ("Auto-Submitted", "auto-generated"),
            ],
        )
        return Letter(row.id, row.email, data)


@dataclass(frozen=True)
class _Draft:
    subject: str
    text: str
    html: str


def mime_message(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    domain: str,
    language: str,
    headers: Sequence[tuple[str, str]],
) -> bytes:
    """A multipart/alternative message (plain text and HTML, UTF-8, quoted-printable) as the
    bytes SMTP sends.

    Written out directly because the ``email`` package spends more time building a message
    than SMTP spends sending it; tests parse the result with the ``email`` package.
    """
    boundary = f"=_cf{secrets.token_hex(12)}"
    lines = [
        f"From: {sender}",
        f"To: {_one_line(to)}",
        f"Subject: {_encoded(subject)}",
        f"Date: {formatdate(usegmt=True)}",
        f"Message-ID: {make_msgid(domain=domain)}",
        "MIME-Version: 1.0",
        f"Content-Language: {_one_line(language)}",
        *(f"{name}: {_one_line(value)}" for name, value in headers),
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        "",
        f"--{boundary}",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
        "",
        _quoted_printable(text),
        f"--{boundary}",
        'Content-Type: text/html; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
        "",
        _quoted_printable(html),
        f"--{boundary}--",
        "",
    ]
    return "\r\n".join(lines).encode("ascii")


def _one_line(value: str) -> str:
    """A header value on one line: a line break in it would start a header of its own."""
    return " ".join(value.split()) if ("\r" in value or "\n" in value) else value


@functools.lru_cache(maxsize=1024)
def _encoded(value: str) -> str:
    value = _one_line(value)
    charset = "us-ascii" if value.isascii() else "utf-8"
    return Header(value, charset, header_name="Subject").encode(linesep="\r\n")


def _quoted_printable(text: str) -> str:
    encoded = binascii.b2a_qp(text.encode("utf-8"), istext=True)
    # Every line ends in CRLF on the wire, soft breaks included.
    return encoded.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n").decode("ascii").rstrip("\r\n")
