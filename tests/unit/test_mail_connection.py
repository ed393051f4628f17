"""How the transport reads an SMTP server's refusals: one message, or the whole connection."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from types import SimpleNamespace

import pytest

from coachflow.lib import emails
from coachflow.platform import mailing


class Refusing:
    """An SMTP session whose server answers every message with ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def has_extn(self, name: str) -> bool:
        return False

    def sendmail(self, *args: object) -> None:
        raise self.error


def connection_refusing(error: Exception) -> mailing.Connection:
    connection = mailing.Connection.__new__(mailing.Connection)
    connection.settings = SimpleNamespace()
    connection.timeout = 1
    connection.envelope_from = "noreply@example.com"
    connection.smtp = Refusing(error)
    return connection


def message() -> EmailMessage:
    built = EmailMessage()
    built["Subject"] = "Hello"
    built.set_content("Hi")
    return built


def test_a_recipient_refused_for_good_fails_that_message_only():
    to = emails.check("anna@example.com")
    error = smtplib.SMTPRecipientsRefused({to.envelope: (550, b"no such user")})
    with pytest.raises(mailing.MessageRefused) as refused:
        connection_refusing(error).send(message(), to)
    assert not refused.value.transient


def test_a_server_closing_the_connection_with_421_ends_the_batch_not_just_the_message():
    to = emails.check("anna@example.com")
    for error in (
        smtplib.SMTPRecipientsRefused({to.envelope: (421, b"closing")}),
        smtplib.SMTPDataError(421, b"closing"),
        smtplib.SMTPSenderRefused(421, b"closing", "noreply@example.com"),
    ):
        with pytest.raises(mailing.ConnectionLost):
            connection_refusing(error).send(message(), to)
