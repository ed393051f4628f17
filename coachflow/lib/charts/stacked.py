"""A single 100% stacked bar: the shares of promoters, passives and detractors (or any parts)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
BAR_TOP = 4
BAR_HEIGHT = 32
HEIGHT = 40
MIN_LABEL_SHARE = 0.09  # narrower segments carry their figure in the legend only


@dataclass(frozen=True)
class Segment:
    """One part of the whole: its name, how many, the share as the reader sees it, a class."""

    label: str
    count: int
    share_label: str
    css: str


def stacked_bar(segments: Sequence[Segment], *, title: str, chart_id: str) -> Markup:
    """An SVG bar split in proportion to the segments' counts, each labelled with its share when
    it is wide enough, its count and name in a tooltip.

    It carries no legend: the caller writes the figures as text beside it, with swatches of the
    same classes. A total of zero draws only the frame.
    """
    total = sum(s.count for s in segments)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-stacked" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart_id}-title">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<rect class="stack-frame" x="0.5" y="{BAR_TOP + 0.5}" width="{WIDTH - 1}" '
        f'height="{BAR_HEIGHT - 1}" rx="3"/>',
    ]
    x = 0.0
    for segment in segments:
        if total == 0 or segment.count == 0:
            continue
        share = segment.count / total
        width = WIDTH * share
        parts.append(
            f'<g class="stack-segment"><title>{escape(segment.label)}: {segment.count} '
            f"({escape(segment.share_label)})</title>"
            f'<rect class="{escape(segment.css)}" x="{round(x, 1)}" y="{BAR_TOP}" '
            f'width="{round(width, 1)}" height="{BAR_HEIGHT}"/>'
        )
        if share >= MIN_LABEL_SHARE:
            parts.append(
                f'<text class="stack-label" x="{round(x + width / 2, 1)}" '
                f'y="{BAR_TOP + BAR_HEIGHT / 2}" text-anchor="middle" '
                f'dominant-baseline="middle">{escape(segment.share_label)}</text>'
            )
        parts.append("</g>")
        x += width
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value above is escaped)
