"""Email addresses: the one check every entry point uses, and the forms that sending needs.

An address enters by CSV import, the API, a pasted list, the admin's user form or the password
forms; each calls ``check`` (or ``normalise`` to look one up), so none accepts an address that
the mail-out later refuses. The check is ``email_validator``'s syntax check without DNS
(deliverability checks off): no quoted local parts, no IP literals, no domains reserved for tests
or local use. Internationalised addresses are allowed: a non-ASCII domain travels as IDNA
(``xn--…``), so only a non-ASCII part before the @ needs the server's SMTPUTF8 extension.

Stored and compared, an address is lower-case and in Unicode normal form C (``normalised``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254  # RFC 5321's path limit, less the angle brackets


def N_(message: str) -> str:
    """Marks a message for translation; the entry point translates it with ``value``."""
    return message


NOT_AN_ADDRESS = N_("“%(value)s” is not an email address.")
TOO_LONG = N_("“%(value)s” is too long for an email address.")
BAD_LOCAL_PART = N_(
    "“%(value)s” is not an email address: the part before the @ has a character or a dot "
    "an address cannot have."
)
BAD_DOMAIN = N_("“%(value)s” is not an email address: the part after the @ is not a domain name.")
RESERVED_DOMAIN = N_(
    "“%(value)s” cannot receive mail: its domain is reserved for tests or local networks."
)


class InvalidAddress(ValueError):
    """Why an address is refused: ``reason`` is an untranslated message taking ``value``."""

    def __init__(self, reason: str, value: str) -> None:
        super().__init__(reason % {"value": value})
        self.reason = reason
        self.value = value


@dataclass(frozen=True, slots=True)
class Address:
    """A valid address in the forms it is stored and sent in."""

    normalised: str  # stored and compared: lower-case, NFC, the domain in Unicode
    envelope: str  # what SMTP and the To header carry: all ASCII (IDNA domain) when it can be
    smtputf8: bool  # the envelope has a non-ASCII local part: the server must offer SMTPUTF8


def check(address: str) -> Address:
    """The address in its stored and sent forms; ``InvalidAddress`` with the reason if it is
    not one we can send to."""
    return _checked((address or "").strip())


# Imports check the same few addresses again and again (a rep's email on each of their deals):
# a valid address is checked once per process.
@functools.lru_cache(maxsize=4096)
def _checked(value: str) -> Address:
    if len(value) > MAX_LENGTH:
        raise InvalidAddress(TOO_LONG, value)
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain or "@" in local:
        raise InvalidAddress(NOT_AN_ADDRESS, value)
    try:
        result = validate_email(value, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as error:
        raise InvalidAddress(_reason(str(error), local), value) from None
    normalised = result.normalized.lower()
    if result.ascii_email is not None:
        return Address(normalised, result.ascii_email.lower(), smtputf8=False)
    return Address(normalised, normalised, smtputf8=True)


def _reason(message: str, local: str) -> str:
    """Which part of the address is wrong, told apart by checking the local part alone."""
    if "special-use or reserved" in message:
        return RESERVED_DOMAIN
    if "too long" in message:
        return TOO_LONG
    try:
        validate_email(f"{local}@example.com", check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        return BAD_LOCAL_PART
    return BAD_DOMAIN


def normalise(address: str) -> str:
    """The stored form of an address, to look it up; an invalid one is only trimmed and
    lower-cased (it matches nothing stored, as nothing invalid is stored)."""
    try:
        return check(address).normalised
    except InvalidAddress:
        return (address or "").strip().lower()
