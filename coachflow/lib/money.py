"""Money as integer minor units (cents), never floats. Pure code."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

# ISO 4217 currencies whose minor unit is not the hundredth.
_EXPONENTS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "BHD": 3, "KWD": 3, "OMR": 3, "TND": 3}


def exponent(currency: str) -> int:
    """Digits after the decimal mark for ``currency`` (2 for EUR, 0 for JPY)."""
    return _EXPONENTS.get(currency.upper(), 2)


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
