"""Horizontal bar charts of ratios against a target line (quota attainment)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 170
VALUE_WIDTH = 70
ROW_HEIGHT = 30
BAR_HEIGHT = 18
TOP = 24
BOTTOM = 8
MAX_LABEL_CHARS = 24


@dataclass(frozen=True)
class Bar:
    """One bar: what it is, its value (None: nothing to draw), the value as the reader sees it."""

    label: str
    value: float | None
    value_label: str
    href: str | None = None


def scale_maximum(values: Sequence[float | None], target: float = 1.0, cap: float = 2.5) -> float:
    """The axis end: at least 20% past the target, rounded up to a quarter, never past ``cap``."""
    known = [v for v in values if v is not None]
    highest = max([target * 1.2, *known])
    return min(cap, math.ceil(highest * 4) / 4)


def band(value: float | None, target: float = 1.0) -> str:
    """The colour class of a bar: below 90% of target, close to it, or at or above it."""
    if value is None:
        return "bar-none"
    value = round(value, 2)  # as whole percentages show it: 99.6% reads, and counts, as 100%
    if value >= target:
        return "bar-met"
    if value >= 0.9 * target:
        return "bar-near"
    return "bar-below"


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def attainment_bars(
    bars: Sequence[Bar], *, title: str, target_label: str, chart_id: str, target: float = 1.0
) -> Markup:
    """An SVG of one bar per item with a line at ``target``; the data also belongs in a table."""
    top = scale_maximum([b.value for b in bars], target)
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP + ROW_HEIGHT * len(bars) + BOTTOM

    def x(value: float) -> float:
        return round(LABEL_WIDTH + plot * min(max(value, 0.0), top) / top, 1)

    # An image's content is hidden from assistive technology, links included: a chart whose bars
    # are links is a group of them instead.
    role = "group" if any(b.href for b in bars) else "img"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'role="{role}" aria-labelledby="{chart_id}-title">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<line class="chart-axis" x1="{LABEL_WIDTH}" y1="{TOP - 6}" x2="{LABEL_WIDTH}" '
        f'y2="{height - BOTTOM}"/>',
    ]
    for index, item in enumerate(bars):
        y = TOP + index * ROW_HEIGHT
        middle = y + ROW_HEIGHT / 2
        row = [
            f"<title>{escape(item.label)}: {escape(item.value_label)}</title>",
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(_short(item.label))}</text>',
        ]
        end = LABEL_WIDTH
        if item.value is not None:
            end = x(item.value)
            over = " bar-over" if item.value > top else ""
            row.append(
                f'<rect class="bar {band(item.value, target)}{over}" x="{LABEL_WIDTH}" '
                f'y="{y + (ROW_HEIGHT - BAR_HEIGHT) / 2}" width="{round(end - LABEL_WIDTH, 1)}" '
                f'height="{BAR_HEIGHT}" rx="2"/>'
            )
        row.append(
            f'<text class="chart-value" x="{end + 6}" y="{middle}" '
            f'dominant-baseline="middle">{escape(item.value_label)}</text>'
        )
        group = f'<g class="chart-row">{"".join(row)}</g>'
        if item.href:
            group = f'<a href="{escape(item.href)}">{group}</a>'
        parts.append(group)
    target_x = x(target)
    parts.append(
        f'<line class="chart-target" x1="{target_x}" y1="{TOP - 6}" x2="{target_x}" '
        f'y2="{height - BOTTOM}"/>'
        f'<text class="chart-target-label" x="{target_x}" y="{TOP - 10}" '
        f'text-anchor="middle">{escape(target_label)}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value above is escaped)
