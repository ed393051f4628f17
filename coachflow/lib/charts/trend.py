"""A line over time with each point's confidence interval as a whisker (NPS or CSAT by month)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LEFT = 44
RIGHT = 12
TOP = 14
PLOT_HEIGHT = 180
AXIS_GAP = 24
HEIGHT = TOP + PLOT_HEIGHT + AXIS_GAP
POINT_RADIUS = 4


@dataclass(frozen=True)
class TrendPoint:
    """One period: its axis label, the value (None: no answers), the interval, the tooltip."""

    label: str
    value: float | None
    low: float | None
    high: float | None
    description: str
    small: bool = False  # drawn hollow: too few answers to read much into


def trend_line(
    points: Sequence[TrendPoint],
    *,
    title: str,
    chart_id: str,
    lowest: float,
    highest: float,
    ticks: Sequence[tuple[float, str]],
) -> Markup:
    """An SVG line through the known points (broken where a period has no answers).

    ``lowest``/``highest`` fix the vertical scale; ``ticks`` are (value, label) grid lines.
    """
    plot_width = WIDTH - LEFT - RIGHT
    slot = plot_width / max(1, len(points))

    def x(index: int) -> float:
        return round(LEFT + slot * (index + 0.5), 1)

    def y(value: float) -> float:
        clamped = min(max(value, lowest), highest)
        return round(TOP + PLOT_HEIGHT * (highest - clamped) / (highest - lowest), 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-trend" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart_id}-title">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for value, label in ticks:
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" y1="{y(value)}" x2="{WIDTH - RIGHT}" '
            f'y2="{y(value)}"/>'
            f'<text class="chart-value" x="{LEFT - 6}" y="{y(value)}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(label)}</text>'
        )
    runs: list[list[str]] = [[]]
    for index, point in enumerate(points):
        if point.value is None:
            runs.append([])
        else:
            runs[-1].append(f"{x(index)},{y(point.value)}")
    for run in runs:
        if len(run) > 1:
            parts.append(f'<polyline class="trend-line" fill="none" points="{" ".join(run)}"/>')
    for index, point in enumerate(points):
        parts.append(f"<g><title>{escape(point.description)}</title>")
        if point.value is not None:
            if point.low is not None and point.high is not None:
                parts.append(
                    f'<line class="trend-interval" x1="{x(index)}" y1="{y(point.low)}" '
                    f'x2="{x(index)}" y2="{y(point.high)}"/>'
                )
            css = "trend-point trend-point-small" if point.small else "trend-point"
            parts.append(
                f'<circle class="{css}" cx="{x(index)}" cy="{y(point.value)}" r="{POINT_RADIUS}"/>'
            )
        parts.append(
            f'<text class="chart-label" x="{x(index)}" y="{TOP + PLOT_HEIGHT + 16}" '
            f'text-anchor="middle">{escape(point.label)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value above is escaped)
