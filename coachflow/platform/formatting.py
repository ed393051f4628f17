"""How figures read on every page and PDF: template filters in the reader's locale."""

from __future__ import annotations

import datetime
import math
import re

from flask import Flask
from flask_babel import format_datetime, format_decimal, format_percent, get_locale


def rounded(value: float) -> int:
    """Half away from zero, as people round: 64.5 → 65, −19.5 → −20."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def nps_number(value: float | None) -> str:
    """An NPS as shown: ``+30``, ``−19`` (a true minus sign), ``0``; a dash for no estimate."""
    if value is None:
        return "—"
    number = rounded(value)
    if number > 0:
        return f"+{number}"
    return f"−{-number}" if number < 0 else "0"


def mean_rating(value: float | None) -> str:
    """A mean rating with one decimal in the reader's locale (``3.7``, ``3,7``)."""
    return "—" if value is None else format_decimal(value, format="0.0")


def whole_percent(value: float | None) -> str:
    """A share as a whole percentage in the reader's locale; a dash for none."""
    return "—" if value is None else format_percent(value, format="#,##0%")


def full_year(pattern: str) -> str:
    """A CLDR date pattern with its two-digit year (``yy``) written out: ``dd.MM.yy`` →
    ``dd.MM.y``, which Babel renders as ``2027``."""
    return re.sub(r"(?<!y)yy(?!y)", "y", pattern)


def date_and_time(value: datetime.datetime, format: str | None = "short") -> str:
    """A moment in the reader's locale and time zone, short but with the four-digit year:
    ``04.01.2027, 21:45``, ``1/4/2027, 9:45 PM``, ``04/01/2027 21:45``. ``long`` and ``full``
    keep Babel's own formats; ``short`` and ``medium`` (and none) read alike, without seconds."""
    if format not in (None, "short", "medium"):
        return format_datetime(value, format)
    locale = get_locale()
    pattern = (
        str(locale.datetime_formats["short"])
        .replace("{1}", full_year(locale.date_formats["short"].pattern))
        .replace("{0}", locale.time_formats["short"].pattern)
    )
    return format_datetime(value, pattern)


def init_formatting(app: Flask) -> None:
    """Make the filters available to every template."""
    app.jinja_env.filters.update(
        nps_number=nps_number, mean_rating=mean_rating, whole_percent=whole_percent
    )
