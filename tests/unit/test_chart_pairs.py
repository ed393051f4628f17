"""Self versus manager bars: widths on the 1–5 scale, unrated rows, escaping."""

from __future__ import annotations

import re

from coachflow.lib.charts.pairs import WIDTH, Pair, bar_width, paired_bars


def test_bar_widths_follow_the_rating():
    full = bar_width(5)
    assert full == WIDTH - 230 - 40
    assert bar_width(1) == round(full / 5, 1)
    assert bar_width(None) == 0.0
    assert bar_width(9) == full  # clamped to the scale


def test_two_bars_per_competency_and_escaped_labels():
    svg = paired_bars(
        [Pair("Knows <the> products", 4, 2), Pair("Uses the CRM", None, 3)],
        title="Self & manager",
        first_label="Self",
        second_label="Manager",
        chart_id="c",
    )
    assert "Knows &lt;the&gt; products" in svg
    assert "Self &amp; manager" in svg
    firsts = re.findall(r'<rect class="pair-first" x="230" y="[\d.]+" width="([\d.]+)"', svg)
    assert [float(w) for w in firsts[1:]] == [bar_width(4), 0.0]
    assert svg.count('class="pair-second"') == 3  # legend and two rows
