"""Colours as ``#rrggbb`` and their contrast, after WCAG 2.2 (relative luminance, contrast ratio).

A brand colour fills buttons that carry white text; WCAG's 4.5 : 1 for normal text keeps the
button readable.
"""

from __future__ import annotations

import re

WHITE = "#ffffff"
MIN_TEXT_CONTRAST = 4.5  # WCAG 2.2, success criterion 1.4.3, normal text
_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def parse_hex_colour(text: str) -> str | None:
    """``text`` as ``#rrggbb`` in lower case (``#rgb`` and a missing ``#`` are accepted), or None
    when it is no such colour."""
    match = _HEX.match((text or "").strip())
    if match is None:
        return None
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return f"#{digits}"


def relative_luminance(colour: str) -> float:
    """WCAG's relative luminance of a ``#rrggbb`` colour: 0 for black, 1 for white.

    L = 0.2126 R + 0.7152 G + 0.0722 B over the linearised sRGB channels, where a channel c in
    [0, 1] is c / 12.92 up to 0.04045 and ((c + 0.055) / 1.055) ** 2.4 above.
    """
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = (
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    )
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG's contrast ratio (L1 + 0.05) / (L2 + 0.05) of two ``#rrggbb`` colours, L1 the
    lighter: from 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
