"""Pure parts of the mail-out: reading address lists, the backoff, and the message bytes."""

from __future__ import annotations

import datetime
from email import message_from_bytes, policy

import pytest

from coachflow.platform.errors import DomainError
from coachflow.surveys.distribution import (
    addresses_from_csv,
    normalise_address,
    split_addresses,
)
from coachflow.surveys.sending import BACKOFF, MAX_ATTEMPTS, mime_message, next_attempt


def test_pasted_addresses_split_on_commas_semicolons_spaces_and_lines():
    pasted = "a@x.example, b@x.example;c@x.example\r\nd@x.example\te@x.example  f@x.example"
    assert split_addresses(pasted) == [f"{c}@x.example" for c in "abcdef"]


def test_a_name_with_its_address_in_angle_brackets_gives_the_address():
    pasted = 'Anna Schmidt <anna@x.example>, "Müller, Bob" <bob@x.example>'
    assert split_addresses(pasted) == ["anna@x.example", "bob@x.example"]


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Anna@Example.COM", "anna@example.com"),
        ("anna@x", None),
        ("anna@@x.example", None),
        ("anna@x..example", None),
        ("an na@x.example", None),
        ("jürgen@x.example", None),  # would need SMTPUTF8
        ("a" * 250 + "@x.de", None),
        ("", None),
    ],
)
def test_addresses_are_checked_and_lowered(raw, normal):
    assert normalise_address(raw) == normal


def test_a_csv_gives_its_email_column_whatever_its_delimiter_and_header():
    data = "Name;E-Mail;Phone\r\nAnna;anna@x.example;1\r\nBob;;2\r\nCleo; cleo@x.example ;3\r\n"
    assert addresses_from_csv(data.encode("cp1252")) == ["anna@x.example", "cleo@x.example"]


def test_a_csv_of_one_column_without_a_header_gives_every_line():
    assert addresses_from_csv(b"anna@x.example\nbob@x.example\nnot-an-address\n") == [
        "anna@x.example",
        "bob@x.example",
        "not-an-address",
    ]


@pytest.mark.parametrize("data", [b"name,phone\nAnna,1\n", b"", b"\x00\x01\x02binary"])
def test_a_csv_without_addresses_is_refused_on_the_file_field(data):
    with pytest.raises(DomainError) as error:
        addresses_from_csv(data)
    assert error.value.field == "file"


def test_failed_sends_wait_longer_each_time_then_stop():
    now = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    waits = [next_attempt(n, now) - now for n in range(1, MAX_ATTEMPTS)]
    assert waits == [datetime.timedelta(minutes=m) for m in (1, 5, 30, 120, 720)]
    assert list(BACKOFF) == waits
    assert next_attempt(MAX_ATTEMPTS, now) is None


def test_a_message_is_multipart_utf8_and_every_line_ends_in_crlf():
    text = "Hallo Jürgen,\n\n" + "Eine sehr lange Zeile " * 10 + "\n.\nEnde"
    html = "<p>Grüße</p>" * 40  # one long line
    data = mime_message(
        sender="Acme Feedback <feedback@acme.example>",
        to="jurgen@x.example",
        subject="Ihre Erfahrung mit Zoë: Wie war's?\r\nBcc: evil@x.example",
        text=text,
        html=html,
        domain="acme.example",
        language="de",
        headers=[("List-Unsubscribe", "<https://f.example/s/t/unsubscribe>")],
    )
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    message = message_from_bytes(data, policy=policy.default)
    assert message["Subject"] == "Ihre Erfahrung mit Zoë: Wie war's? Bcc: evil@x.example"
    assert message["Bcc"] is None  # a line break in a value never starts a header
    assert message["Content-Language"] == "de"
    assert message["Message-ID"].endswith("@acme.example>")
    assert message.get_body(("plain",)).get_content() == text.replace("\n", "\r\n")
    assert message.get_body(("html",)).get_content().rstrip("\r\n") == html
