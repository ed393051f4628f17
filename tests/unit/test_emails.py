"""The one address check (``coachflow.lib.emails``) and the messages the transport builds."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from coachflow.lib import emails
from coachflow.platform import mailing


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Anna@Example.COM", "anna@example.com"),
        ("  anna@x.example ", "anna@x.example"),
        ("Jürgen@X.example", "jürgen@x.example"),  # sent with SMTPUTF8
        ("anna@bücher.example", "anna@bücher.example"),  # sent as IDNA
    ],
)
def test_valid_addresses_are_stored_lower_case(raw, normal):
    assert emails.check(raw).normalised == normal
    assert emails.normalise(raw) == normal


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("not-an-email", emails.NOT_AN_ADDRESS),
        ("anna@@x.example", emails.NOT_AN_ADDRESS),
        ("", emails.NOT_AN_ADDRESS),
        ("anna@x", emails.BAD_DOMAIN),
        ("anna@x..example", emails.BAD_DOMAIN),
        ("anna@[192.0.2.1]", emails.BAD_DOMAIN),
        ("an na@x.example", emails.BAD_LOCAL_PART),
        ("anna..b@x.example", emails.BAD_LOCAL_PART),
        ('"anna"@x.example', emails.BAD_LOCAL_PART),
        ("anna@shop.test", emails.RESERVED_DOMAIN),
        ("anna@localhost", emails.BAD_DOMAIN),
        ("a" * 250 + "@x.de", emails.TOO_LONG),
    ],
)
def test_an_address_we_cannot_send_to_is_refused_with_the_part_that_is_wrong(raw, reason):
    with pytest.raises(emails.InvalidAddress) as refused:
        emails.check(raw)
    assert refused.value.reason == reason
    assert raw.strip()[:20] in str(refused.value)


def test_a_non_ascii_domain_travels_as_idna_without_smtputf8():
    address = emails.check("anna@bücher.example")
    assert (address.envelope, address.smtputf8) == ("anna@xn--bcher-kva.example", False)


def test_a_non_ascii_local_part_needs_smtputf8():
    address = emails.check("René@Exemple.fr")
    assert (address.envelope, address.smtputf8) == ("rené@exemple.fr", True)


def test_an_invalid_address_is_only_trimmed_and_lowered_to_look_it_up():
    assert emails.normalise(" Not An@Address ") == "not an@address"


def test_a_message_is_multipart_utf8_with_crlf_lines_and_no_injected_header():
    text = "Hallo Jürgen,\n\n" + "Eine sehr lange Zeile " * 10 + "\n.\nEnde\n"
    html = "<p>Grüße</p>" * 40  # one long line
    message = mailing.compose(
        to=emails.check("jurgen@x.example"),
        subject="Ihre Erfahrung mit Zoë: Wie war's?\r\nBcc: evil@x.example",
        text=text,
        html=html,
        language="de",
        message_id="<stable.1@acme.example>",
        headers=[("List-Unsubscribe", "<https://f.example/s/t/unsubscribe>")],
        from_="Acme Feedback <feedback@acme.example>",
    )
    data = message.as_bytes(policy=mailing.SMTP)
    assert data.isascii()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 78
    parsed = message_from_bytes(data, policy=policy.default)
    assert parsed["Subject"] == "Ihre Erfahrung mit Zoë: Wie war's? Bcc: evil@x.example"
    assert parsed["Bcc"] is None  # a line break in a value never starts a header
    assert parsed["Content-Language"] == "de"
    assert parsed["Message-ID"] == "<stable.1@acme.example>"
    assert parsed.get_body(("plain",)).get_content() == text.replace("\n", "\r\n")
    assert parsed.get_body(("html",)).get_content().rstrip("\r\n") == html


def test_a_message_to_an_international_address_is_written_in_utf8_for_smtputf8():
    message = mailing.compose(
        to=emails.check("rené@exemple.fr"),
        subject="Bonjour",
        text="Bonjour René",
        from_="Acme <feedback@acme.example>",
    )
    data = message.as_bytes(policy=mailing.SMTPUTF8)
    assert "To: rené@exemple.fr\r\n".encode() in data
    assert message_from_bytes(data, policy=policy.default)["To"] == "rené@exemple.fr"
