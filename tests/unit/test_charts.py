"""Server-side SVG bar charts: geometry, colour bands and escaping, without a browser."""

from __future__ import annotations

import re

import pytest

from coachflow.lib.charts.bars import Bar, attainment_bars, band, scale_maximum


def widths(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'<rect class="bar[^"]*"[^>]* width="([\d.]+)"', svg)]


def test_scale_reaches_past_the_target_and_past_the_largest_bar():
    assert scale_maximum([0.5, 0.9]) == 1.25
    assert scale_maximum([1.31]) == 1.5
    assert scale_maximum([None]) == 1.25
    assert scale_maximum([9.0]) == 2.5  # capped: one outlier does not squash the rest


@pytest.mark.parametrize(
    ("value", "css"),
    [
        (None, "bar-none"),
        (0.5, "bar-below"),
        (0.9, "bar-near"),
        (0.99, "bar-near"),
        (0.996, "bar-met"),
        (1.0, "bar-met"),
        (1.4, "bar-met"),
    ],
)
def test_band_colours_bars_by_how_close_they_are_to_the_target(value, css):
    assert band(value) == css


def test_bars_are_proportional_and_a_missing_value_draws_no_bar():
    svg = attainment_bars(
        [Bar("Anna", 0.5, "50%"), Bar("Ben", 1.0, "100%"), Bar("Cleo", None, "no quota")],
        title="Attainment",
        target_label="quota",
        chart_id="t",
    )
    half, full = widths(svg)
    assert full == pytest.approx(2 * half, abs=0.2)
    assert svg.count("<rect") == 2
    assert "no quota" in svg
    assert 'class="chart-target"' in svg


def test_chart_has_an_accessible_title_and_no_inline_style():
    svg = attainment_bars(
        [Bar("Anna", 0.5, "50%")], title="Attainment Q2", target_label="q", chart_id="reps"
    )
    assert 'role="img"' in svg
    assert 'aria-labelledby="reps-title"' in svg
    assert '<title id="reps-title">Attainment Q2</title>' in svg
    assert "style=" not in svg


def test_labels_and_links_are_escaped():
    svg = attainment_bars(
        [Bar('<script>alert("x")</script>', 1.2, "120%", href='/sales/reps/1?a=1&b="2"')],
        title="T & Co",
        target_label="quota",
        chart_id="x",
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert 'href="/sales/reps/1?a=1&amp;b=&#34;2&#34;"' in svg
    assert "T &amp; Co" in svg


def test_a_chart_whose_bars_are_links_is_a_group_of_links_not_an_image():
    linked = attainment_bars(
        [Bar("Anna", 0.5, "50%", href="/sales/reps/1")], title="T", target_label="q", chart_id="x"
    )
    assert 'role="group" aria-labelledby="x-title"' in linked
    assert 'role="img"' not in linked
    assert '<a href="/sales/reps/1"><g class="chart-row"><title>Anna: 50%</title>' in linked


def test_bars_beyond_the_scale_are_drawn_to_its_end_and_marked():
    svg = attainment_bars(
        [Bar("Outlier", 4.0, "400%"), Bar("Anna", 1.0, "100%")],
        title="T",
        target_label="q",
        chart_id="x",
    )
    assert "bar-over" in svg
    assert max(widths(svg)) == pytest.approx(640 - 170 - 70)


def test_long_names_are_shortened_but_kept_whole_in_the_tooltip():
    name = "Maximiliane Alexandra von Hohenberg-Schwarzenfeld"
    svg = attainment_bars([Bar(name, 1.0, "100%")], title="T", target_label="q", chart_id="x")
    assert f"<title>{name}: 100%</title>" in svg
    assert "Maximiliane Alexandra v…" in svg
