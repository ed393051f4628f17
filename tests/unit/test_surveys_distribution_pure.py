"""Pure parts of the mail-out: reading address lists and the backoff."""

from __future__ import annotations

import datetime

import pytest

from coachflow.platform.errors import DomainError
from coachflow.surveys.services.distribution import addresses_from_csv, split_addresses
from coachflow.surveys.services.sending import BACKOFF, MAX_ATTEMPTS, next_attempt


def test_pasted_addresses_split_on_commas_semicolons_spaces_and_lines():
    pasted = "a@x.example, b@x.example;c@x.example\r\nd@x.example\te@x.example  f@x.example"
    assert split_addresses(pasted) == [f"{c}@x.example" for c in "abcdef"]


def test_a_name_with_its_address_in_angle_brackets_gives_the_address():
    pasted = 'Anna Schmidt <anna@x.example>, "Müller, Bob" <bob@x.example>'
    assert split_addresses(pasted) == ["anna@x.example", "bob@x.example"]


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
