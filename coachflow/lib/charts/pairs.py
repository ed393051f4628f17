"""Paired horizontal bars on a 1–5 scale: a rep's self-assessment beside their manager's, per
competency. Pure: plain values in, escaped SVG markup out (the data also belongs in a table)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 230
VALUE_WIDTH = 40
ROW_HEIGHT = 34
BAR_HEIGHT = 11
TOP = 26
BOTTOM = 8
SCALE = 5
MAX_LABEL_CHARS = 34


@dataclass(frozen=True)
class Pair:
    """One competency: its name and the two ratings (None: not rated)."""

    label: str
    first: int | None
    second: int | None


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def bar_width(rating: int | None) -> float:
    """Width of a bar for a 1–5 rating (0 when unrated), over the plot's width."""
    if rating is None:
        return 0.0
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    return round(plot * min(max(rating, 0), SCALE) / SCALE, 1)


def paired_bars(
    pairs: Sequence[Pair], *, title: str, first_label: str, second_label: str, chart_id: str
) -> Markup:
    """An SVG with two bars per row (``first`` above ``second``) and a legend on top."""
    height = TOP + ROW_HEIGHT * len(pairs) + BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-pairs" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{chart_id}-title">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<rect class="pair-first" x="{LABEL_WIDTH}" y="6" width="10" height="10"/>',
        f'<text class="chart-label" x="{LABEL_WIDTH + 14}" y="15">{escape(first_label)}</text>',
        f'<rect class="pair-second" x="{LABEL_WIDTH + 200}" y="6" width="10" height="10"/>',
        f'<text class="chart-label" x="{LABEL_WIDTH + 214}" y="15">{escape(second_label)}</text>',
    ]
    for index, pair in enumerate(pairs):
        y = TOP + index * ROW_HEIGHT
        row = [
            f"<title>{escape(pair.label)}: {pair.first or '—'} / {pair.second or '—'}</title>",
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y + ROW_HEIGHT / 2}" '
            f'text-anchor="end" dominant-baseline="middle">{escape(_short(pair.label))}</text>',
        ]
        for offset, css, rating in (
            (4, "pair-first", pair.first),
            (4 + BAR_HEIGHT + 2, "pair-second", pair.second),
        ):
            width = bar_width(rating)
            row.append(
                f'<rect class="{css}" x="{LABEL_WIDTH}" y="{y + offset}" width="{width}" '
                f'height="{BAR_HEIGHT}"/>'
                f'<text class="chart-value" x="{LABEL_WIDTH + width + 4}" '
                f'y="{y + offset + BAR_HEIGHT - 1}">{rating if rating is not None else "—"}</text>'
            )
        parts.append(f'<g class="chart-row">{"".join(row)}</g>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value above is escaped)
