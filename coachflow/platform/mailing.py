"""Outgoing mail: messages are prepared in the request and delivered by a job.

With no ``MAIL_SERVER`` configured (the embedded default) Flask-Mail suppresses sending and the
message is printed to the console instead, so a developer can follow a reset link from the log.
"""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from flask import Flask, current_app, render_template
from flask_babel import force_locale
from flask_mail import Message, email_dispatched

from coachflow.platform import jobs
from coachflow.platform.extensions import mail

log = logging.getLogger(__name__)

SEND_MAIL = "coachflow.send_mail"


@shared_task(
    name=SEND_MAIL,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=10,
)
def send_mail(message: dict) -> None:
    """Deliver one prepared message (see ``prepare``); retried on SMTP errors."""
    deliver(message)


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
    return {"to": to, "subject": subject, "text": text, "html": html}


def enqueue(message: dict) -> None:
    """Hand a prepared message to the mail job (in-process without a broker)."""
    jobs.enqueue(SEND_MAIL, message)


def deliver(message: dict) -> None:
    """Send one prepared message over SMTP now; raises on SMTP errors so the job retries."""
    msg = Message(
        subject=message["subject"],
        recipients=[message["to"]],
        body=message["text"],
        html=message["html"],
        sender=message.get("sender") or current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers=message.get("headers") or None,
    )
    mail.send(msg)


def _print_suppressed(app: Flask, message: Message) -> None:
    if app.config.get("MAIL_SUPPRESS_SEND") and not app.testing:
        log.warning("Mail not sent (no MAIL_SERVER); it would have been:\n%s", message.body)
        print(f"--- mail to {', '.join(message.recipients)}: {message.subject}\n{message.body}")


def init_mailing(app: Flask) -> None:
    """Print messages to the console when no SMTP server is configured."""
    mail.init_app(app)
    email_dispatched.connect(_print_suppressed, weak=False)
