"""Outgoing mail: the one transport, for single mails and for the survey mail-out's batches.

Messages are built by the standard library's ``email`` package (``EmailMessage`` under the SMTP
policy: RFC 2047 words, folded lines, quoted-printable UTF-8 bodies) with ``compose``, and sent
by a ``Connection``: one SMTP connection, opened from the app's ``MAIL_*`` settings, for one
mail or a whole batch. A recipient whose address has a non-ASCII part before the @ is sent with
SMTPUTF8 when the server offers it, and refused alone (``MessageRefused``) when it does not;
a non-ASCII domain always travels as IDNA. A single mail (a password link) is prepared in the
request (``prepare``) and delivered by the ``coachflow.send_mail`` job, retried with backoff
while the server is unreachable.

With no ``MAIL_SERVER`` configured (the embedded default, ``make run``) nothing is sent: each
message is printed to the console instead, so a developer can follow a link from the log.
"""

from __future__ import annotations

import functools
import logging
import smtplib
import time
from collections.abc import Iterable
from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from types import TracebackType
from typing import Any

from celery import shared_task
from flask import Flask, current_app, render_template
from flask_babel import force_locale

from coachflow.lib import emails
from coachflow.platform import jobs
from coachflow.platform.extensions import mail

log = logging.getLogger(__name__)

SEND_MAIL = "coachflow.send_mail"


class _HeaderRegistry(HeaderRegistry):
    """The standard header registry, except that it makes each header's class once: the
    standard one makes a new class for every header it parses, a third of building a message."""

    def __init__(self) -> None:
        super().__init__()
        self.made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self.made.get(key)
        if made is None:
            made = self.made[key] = super().__getitem__(name)
        return made


# CRLF line ends, ASCII headers (RFC 2047 words where needed); and the same with UTF-8 headers,
# for a server that takes them (SMTPUTF8).
SMTP = policy.SMTP.clone(header_factory=_HeaderRegistry())
SMTPUTF8 = SMTP.clone(utf8=True)


class MailError(Exception):
    """A message did not go out: ``reason`` for the people who read it, and whether trying
    again later may help (a 4xx reply, a lost connection) or not (a 5xx reply, a bad address)."""

    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason[:500]
        self.transient = transient


class MessageRefused(MailError):
    """This one message was refused; the connection goes on with the next."""


class ConnectionLost(MailError):
    """The server could not be reached or went away: nothing more goes over this connection."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, transient=True)


# Building messages ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def header(name: str, value: str) -> BaseHeader:
    """A parsed header, shared by every message that carries the same one (a batch's sender,
    subject, date): parsing costs more than the rest of building a message. Header objects are
    immutable strings, so sharing them is safe."""
    return SMTP.header_factory(name, " ".join(value.split()))  # one line: no header injection


def settings() -> Any:
    """The mail settings as Flask-Mail reads them from the app's ``MAIL_*`` configuration (with
    its defaults), read afresh for every connection so that a changed setting counts at once.

    Flask-Mail holds the settings; the messages and the SMTP session are ours, because
    Flask-Mail 0.10 can neither bound a connection's wait (a server that hangs would hold a
    worker) nor ask for SMTPUTF8 (international addresses)."""
    app = current_app
    return mail.init_mail(app.config, app.debug, app.testing)


def sender() -> str:
    """The ``From`` of every message: ``MAIL_DEFAULT_SENDER`` (a string or (name, address))."""
    configured = settings().default_sender
    if isinstance(configured, tuple | list):
        name, address = configured
        return f"{name} <{address}>" if name else address
    return configured


def compose(
    *,
    to: emails.Address,
    subject: str,
    text: str,
    html: str | None = None,
    language: str | None = None,
    message_id: str | None = None,
    headers: Iterable[tuple[str, str | BaseHeader]] = (),
    from_: str | None = None,
    attachments: Iterable[dict] = (),
) -> EmailMessage:
    """A message to one recipient: plain text, and HTML beside it when given (multipart/
    alternative), both UTF-8 quoted-printable. ``message_id`` (with its angle brackets) makes a
    repeat recognisable; by default it is unique. Each of ``attachments`` is a text part
    ``{"filename", "content", "subtype", "params"}`` (a calendar invitation: subtype
    ``calendar``, params ``{"method": "REQUEST"}``)."""
    origin = from_ or sender()
    message = EmailMessage(policy=SMTP)
    message["From"] = header("From", origin)
    message["To"] = to.envelope
    message["Subject"] = header("Subject", subject)
    message["Date"] = header("Date", formatdate(usegmt=True))
    message["Message-ID"] = message_id or make_msgid(domain=domain_of(origin))
    for name, value in headers:  # parsed once (``header``) or a line of text
        message[name] = value if isinstance(value, BaseHeader) else " ".join(value.split())
    message.set_content(text, cte="quoted-printable")
    if html is not None:
        message.add_alternative(html, subtype="html", cte="quoted-printable")
    for attachment in attachments:
        message.add_attachment(
            attachment["content"],
            subtype=attachment.get("subtype", "plain"),
            filename=attachment["filename"],
            params=attachment.get("params") or {},
            cte="quoted-printable",
        )
    if language:  # after the parts: making the message multipart moves Content-* into them
        message["Content-Language"] = header("Content-Language", language)
    return message


def domain_of(address: str) -> str:
    """The domain of an address (or ``Name <address>``), for Message-IDs."""
    return parseaddr(address)[1].rpartition("@")[2] or "localhost"


# Sending ----------------------------------------------------------------------------------------


def connection() -> Connection:
    """A connection for one mail or one batch, from the app's settings: SMTP, or the console
    when no ``MAIL_SERVER`` is configured. Use it as a context manager."""
    if not current_app.config.get("MAIL_SERVER") or settings().suppress:
        return Console(print_messages=not current_app.testing)
    return Connection(settings(), timeout=current_app.config.get("MAIL_TIMEOUT", 30))


class Connection:
    """One SMTP connection, opened on entering: ``send`` one message after another over it.

    ``send`` raises ``MessageRefused`` when this message cannot go (the connection stays
    usable) and ``ConnectionLost`` when nothing more can go over it; entering raises
    ``ConnectionLost`` when the server cannot be reached.
    """

    def __init__(self, settings: Any, *, timeout: float) -> None:
        self.settings = settings
        self.timeout = timeout
        self.smtp: smtplib.SMTP | None = None
        self.envelope_from = parseaddr(sender())[1]

    def __enter__(self) -> Connection:
        mail_settings, timeout = self.settings, self.timeout
        server, port = mail_settings.server, mail_settings.port
        try:
            if mail_settings.use_ssl:
                self.smtp = smtplib.SMTP_SSL(server, port, timeout=timeout)
            else:
                self.smtp = smtplib.SMTP(server, port, timeout=timeout)
            self.smtp.ehlo_or_helo_if_needed()  # learn the extensions (SMTPUTF8) before sending
            if mail_settings.use_tls:
                self.smtp.starttls()
                self.smtp.ehlo()
            if mail_settings.username and mail_settings.password:
                self.smtp.login(mail_settings.username, mail_settings.password)
        except (smtplib.SMTPException, OSError) as error:
            self._close()
            raise ConnectionLost(describe(error)) from error
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._close()

    def send(self, message: EmailMessage, to: emails.Address) -> None:
        """Send ``message`` to ``to``; it has been accepted when this returns."""
        assert self.smtp is not None, "use the connection as a context manager"
        options: tuple[str, ...] = ()
        if to.smtputf8:
            if not self.smtp.has_extn("smtputf8"):
                raise MessageRefused(
                    "The mail server does not accept addresses with non-ASCII characters before "
                    "the @ (no SMTPUTF8).",
                    transient=False,
                )
            options = ("SMTPUTF8", "BODY=8BITMIME")
        try:
            data = message.as_bytes(policy=SMTPUTF8 if to.smtputf8 else SMTP)
        except Exception as error:  # a header the email package cannot write
            raise MessageRefused(describe(error), transient=False) from error
        try:
            self.smtp.sendmail(self.envelope_from, [to.envelope], data, options)
        except (
            smtplib.SMTPRecipientsRefused,
            smtplib.SMTPSenderRefused,
            smtplib.SMTPDataError,
            smtplib.SMTPNotSupportedError,
        ) as error:
            if _closing(error):  # 421: the server is closing this connection
                raise ConnectionLost(describe(error)) from error
            raise MessageRefused(describe(error), transient=_transient(error)) from error
        except (smtplib.SMTPException, OSError) as error:
            raise ConnectionLost(describe(error)) from error

    def _close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()
        self.smtp = None


class Console(Connection):
    """No SMTP server configured: messages are printed to the console (not under tests)."""

    def __init__(self, *, print_messages: bool) -> None:
        self.print_messages = print_messages

    def __enter__(self) -> Console:
        return self

    def _close(self) -> None:
        """Nothing to close: the console stays open."""

    def send(self, message: EmailMessage, to: emails.Address) -> None:
        log.warning("Mail not sent (no MAIL_SERVER); it would have gone to %s", to.normalised)
        if self.print_messages:
            body = message.get_body(("plain",))
            text = body.get_content() if body is not None else ""
            print(f"--- mail to {to.normalised}: {message['Subject']}\n{text}")


def describe(error: BaseException) -> str:
    """A short, readable account of an SMTP failure, for logs and the invitations page."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()))
        text = f"{code} {reply.decode(errors='replace')}"
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"{error.smtp_code} {error.smtp_error.decode(errors='replace')}"
    else:
        text = f"{type(error).__name__}: {error}".rstrip(": ")
    return text[:500]


def _closing(error: BaseException) -> bool:
    """Whether the server answered 421: it is closing the connection (smtplib has closed it)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(code == 421 for code, _reply in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421


def _transient(error: BaseException) -> bool:
    """Whether the same message may go through later (4xx) rather than never (5xx)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code = next(iter(error.recipients.values()))[0]
        return 400 <= code < 500
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return False


# Single mails: prepared in the request, delivered by a job ----------------------------------


@shared_task(
    bind=True,
    name=SEND_MAIL,
    autoretry_for=(MailError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=10,
)
def send_mail(self: Any, message: dict) -> None:
    """Deliver one prepared message (see ``prepare``); retried while the server is away or
    answers 4xx; a message refused for good is logged and dropped."""
    try:
        deliver(message)
    except MailError as error:
        if not error.transient:
            log.error("Mail to %s refused: %s", message["to"], error.reason)
            return
        if self.request.is_eager and not current_app.config.get("JOBS_INLINE"):
            # No broker to wait for us: this job runs on a thread of its own (``enqueue``), so
            # it waits here, as a worker would, before the next try.
            time.sleep(min(30 * 2**self.request.retries, 900))
        raise


def prepare(
    to: str, subject: object, template: str, *, language: str = "en", **context: object
) -> dict:
    """Render ``templates/<template>.txt`` and ``.html`` in ``language`` into a plain dict.

    ``subject`` is a lazy string, so that it too is translated into the recipient's language.
    """
    with force_locale(language):
        subject = str(subject)
        text = render_template(f"{template}.txt", **context)
        html = render_template(f"{template}.html", subject=subject, **context)
    return {"to": to, "subject": subject, "text": text, "html": html, "language": language}


def enqueue(message: dict) -> None:
    """Hand a prepared message to the mail job: a worker with a broker, else a thread of this
    process, so that neither a slow server nor the waits between tries hold the request."""
    jobs.start(SEND_MAIL, message)


def deliver(message: dict) -> None:
    """Send one prepared message now, over a connection of its own; raises ``MailError``."""
    try:
        to = emails.check(message["to"])
    except emails.InvalidAddress as error:
        raise MessageRefused(str(error), transient=False) from error
    built = compose(
        to=to,
        subject=message["subject"],
        text=message["text"],
        html=message.get("html"),
        language=message.get("language"),
        headers=(message.get("headers") or {}).items(),
        from_=message.get("sender"),
        attachments=message.get("attachments") or (),
    )
    with connection() as smtp:
        smtp.send(built, to)


def init_mailing(app: Flask) -> None:
    """Register Flask-Mail with ``app``; the transport reads its settings when it connects."""
    app.config.setdefault("MAIL_SUPPRESS_SEND", not app.config.get("MAIL_SERVER"))
    mail.init_app(app)
