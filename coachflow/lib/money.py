"""Money as integer minor units (cents), never floats. Pure code."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from babel.numbers import get_currency_precision


def exponent(currency: str) -> int:
    """Digits after the decimal mark for ``currency`` (2 for EUR, 0 for JPY, 3 for KWD), from
    the Unicode CLDR data that Babel ships."""
    return get_currency_precision(currency.upper())


def to_minor(amount: Decimal, currency: str) -> int:
    """``Decimal('1234.56')`` EUR → ``123456``; refuses amounts with more decimals than exist."""
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more decimals than {currency.upper()} allows")
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """``123456`` EUR → ``Decimal('1234.56')``."""
    digits = exponent(currency)
    return (Decimal(minor).scaleb(-digits)).quantize(
        Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN
    )
