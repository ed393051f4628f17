"""Vertical bars of how many answers gave each score (0–10 or 1–5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
TOP = 22
PLOT_HEIGHT = 150
AXIS_GAP = 22
HEIGHT = TOP + PLOT_HEIGHT + AXIS_GAP
SIDE = 8
GAP_SHARE = 0.25  # of each slot, left between bars


@dataclass(frozen=True)
class Column:
    """One score: its label on the axis, how many gave it, and the class that colours it."""

    label: str
    count: int
    css: str


def score_histogram(columns: Sequence[Column], *, title: str, chart_id: str) -> Markup:
    """An SVG of one bar per score, heights in proportion to the largest count, counts on top."""
    highest = max([c.count for c in columns] or [0])
    slot = (WIDTH - 2 * SIDE) / max(1, len(columns))
    bar_width = slot * (1 - GAP_SHARE)
    baseline = TOP + PLOT_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-histogram" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart_id}-title">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<line class="chart-axis" x1="{SIDE}" y1="{baseline}" x2="{WIDTH - SIDE}" '
        f'y2="{baseline}"/>',
    ]
    for index, column in enumerate(columns):
        left = SIDE + index * slot + (slot - bar_width) / 2
        middle = round(left + bar_width / 2, 1)
        height = PLOT_HEIGHT * column.count / highest if highest else 0
        parts.append(f"<g><title>{escape(column.label)}: {column.count}</title>")
        if column.count:
            parts.append(
                f'<rect class="{escape(column.css)}" x="{round(left, 1)}" '
                f'y="{round(baseline - height, 1)}" width="{round(bar_width, 1)}" '
                f'height="{round(height, 1)}" rx="2"/>'
            )
        parts.append(
            f'<text class="chart-value" x="{middle}" y="{round(baseline - height - 6, 1)}" '
            f'text-anchor="middle">{column.count}</text>'
            f'<text class="chart-label" x="{middle}" y="{baseline + 16}" '
            f'text-anchor="middle">{escape(column.label)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value above is escaped)
