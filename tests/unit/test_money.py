"""Money in integer minor units: exact conversion both ways, per currency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from coachflow.lib.money import exponent, from_minor, to_minor


@pytest.mark.parametrize(
    ("currency", "digits"),
    [
        ("EUR", 2),
        ("eur", 2),
        ("GBP", 2),
        ("USD", 2),
        ("CHF", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("BHD", 3),
        ("KWD", 3),
    ],
)
def test_exponent_is_the_number_of_minor_digits(currency, digits):
    assert exponent(currency) == digits


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("1234.56", "EUR", 123456),
        ("1234.5", "EUR", 123450),
        ("1234", "EUR", 123400),
        ("0", "EUR", 0),
        ("0.01", "EUR", 1),
        ("-12.30", "EUR", -1230),
        ("1234", "JPY", 1234),
        ("1.234", "BHD", 1234),
        ("99999999999.99", "EUR", 9999999999999),
    ],
)
def test_to_minor_is_exact(amount, currency, minor):
    assert to_minor(Decimal(amount), currency) == minor
    assert isinstance(to_minor(Decimal(amount), currency), int)


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("0.001", "EUR"),
        ("1234.567", "EUR"),
        ("1.5", "JPY"),
        ("1.2345", "BHD"),
    ],
)
def test_to_minor_refuses_more_decimals_than_the_currency_has(amount, currency):
    with pytest.raises(ValueError, match="more decimals"):
        to_minor(Decimal(amount), currency)


@pytest.mark.parametrize(
    ("minor", "currency", "amount"),
    [
        (123456, "EUR", "1234.56"),
        (5, "EUR", "0.05"),
        (0, "EUR", "0.00"),
        (-1230, "EUR", "-12.30"),
        (1234, "JPY", "1234"),
        (1234, "BHD", "1.234"),
    ],
)
def test_from_minor_gives_a_decimal_with_the_currencys_digits(minor, currency, amount):
    value = from_minor(minor, currency)
    assert isinstance(value, Decimal)
    assert str(value) == amount


def test_large_sums_survive_the_round_trip_without_float_error():
    minor = 10**15 + 7  # ten trillion euros and seven cents
    assert to_minor(from_minor(minor, "EUR"), "EUR") == minor
    assert from_minor(minor, "EUR") == Decimal("10000000000000.07")
