"""The results pages' SVG charts and the pure helpers behind the tables, without a database."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest

from coachflow.lib.charts.histogram import Column, score_histogram
from coachflow.lib.charts.stacked import Segment, stacked_bar
from coachflow.lib.charts.trend import TrendPoint, trend_line
from coachflow.platform.formatting import nps_number, rounded
from coachflow.surveys.queries.results import (
    Counts,
    Filters,
    Group,
    csv_text,
    ordered,
    trend_months,
)


def _segments(p: int, pa: int, d: int) -> list[Segment]:
    return [
        Segment("Promoters", p, "", "band-promoter"),
        Segment("Passives", pa, "", "band-passive"),
        Segment("Detractors", d, "", "band-detractor"),
    ]


def test_stacked_bar_splits_the_width_in_proportion_to_the_counts():
    svg = stacked_bar(_segments(5, 3, 2), title="Bands", chart_id="b")
    widths = [
        float(w)
        for w in re.findall(r'<rect class="band-\w+" x="[\d.]+" y="4" width="([\d.]+)"', svg)
    ]
    assert widths == [320.0, 192.0, 128.0]
    assert 'aria-labelledby="b-title"' in svg
    assert "style=" not in svg


def test_stacked_bar_of_nothing_draws_only_its_frame_and_legend():
    svg = stacked_bar(_segments(0, 0, 0), title="Bands", chart_id="b")
    assert 'class="stack-segment"' not in svg
    assert svg.count("<rect") == 1


def test_histogram_bars_are_as_tall_as_their_counts():
    svg = score_histogram(
        [Column("0", 1, "a"), Column("1", 0, "a"), Column("2", 4, "b")],
        title="Scores",
        chart_id="h",
    )
    heights = [float(h) for h in re.findall(r'height="([\d.]+)" rx', svg)]
    assert heights == [37.5, 150.0]  # 1 and 4 of the largest 4, on a 150-pixel plot
    assert svg.count("<rect") == 2  # nothing drawn for a zero
    assert "<title>1: 0</title>" in svg


def test_trend_breaks_the_line_at_months_without_answers_and_hollows_small_samples():
    points = [
        TrendPoint("Jan", 10, -20, 40, "Jan"),
        TrendPoint("Feb", 20, 0, 40, "Feb"),
        TrendPoint("Mar", None, None, None, "Mar: no answers"),
        TrendPoint("Apr", 30, 10, 50, "Apr", small=True),
        TrendPoint("May", 35, 20, 50, "May"),
    ]
    svg = trend_line(
        points,
        title="NPS",
        chart_id="t",
        lowest=-100,
        highest=100,
        ticks=[(-100, "−100"), (0, "0"), (100, "+100")],
    )
    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 4
    assert svg.count("trend-point-small") == 1
    assert svg.count('class="trend-interval"') == 4
    assert "<title>Mar: no answers</title>" in svg
    assert "style=" not in svg


def test_chart_texts_are_escaped():
    svg = score_histogram([Column("<b>", 1, 'x" onload="y')], title="<script>", chart_id="h")
    assert "<script>" not in svg
    assert "<b>" not in svg
    assert 'onload="y"' not in svg


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (30.0, "+30"),
        (-19.05, "−19"),
        (65.2, "+65"),
        (0.4, "0"),
        (-0.4, "0"),
        (64.5, "+65"),
        (-19.5, "−20"),
        (None, "—"),
    ],
)
def test_nps_is_shown_as_a_signed_whole_number(value, shown):
    assert nps_number(value) == shown


def test_rounding_is_half_away_from_zero():
    assert [rounded(v) for v in (0.5, 1.5, 2.5, -2.5)] == [1, 2, 3, -3]


def _group(name: str, promoters: int, detractors: int, passives: int = 0) -> Group:
    return Group(hash(name), name, Counts(promoters, passives, detractors), 0.95)


def test_ordering_by_score_ranks_only_groups_with_enough_answers():
    big_low = _group("Anna", 15, 15)  # n 30, NPS 0
    big_high = _group("Zoe", 30, 0)  # n 30, NPS +100
    small_high = _group("Ben", 5, 0)  # n 5, NPS +100 but a small sample
    by_score = ordered([big_low, small_high, big_high], "nps", "score")
    assert [g.name for g in by_score] == ["Zoe", "Anna", "Ben"]
    by_name = ordered([big_low, small_high, big_high], "nps", "name")
    assert [g.name for g in by_name] == ["Anna", "Zoe", "Ben"]


def test_counts_add_up_and_give_the_response_rate():
    total = Counts(promoters=1, delivered=4, answered=1) + Counts(
        detractors=1, delivered=6, answered=2
    )
    assert (total.promoters, total.detractors, total.delivered, total.answered) == (1, 1, 10, 3)
    assert total.response_rate == pytest.approx(0.3)
    assert Counts().response_rate is None


def test_filters_swap_a_reversed_range_and_fall_back_to_95_percent():
    filters = Filters(
        date_from=datetime.date(2026, 3, 1), date_to=datetime.date(2026, 1, 1), level=0.77
    )
    assert (filters.date_from, filters.date_to) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 3, 1),
    )
    assert filters.level == 0.95
    assert filters.args() == {"from": "2026-01-01", "to": "2026-03-01"}


def test_trend_shows_the_last_twelve_months_by_default():
    months, cut = trend_months(Filters(), datetime.date(2026, 2, 14))
    assert months[0] == datetime.date(2025, 3, 1)
    assert months[-1] == datetime.date(2026, 2, 1)
    assert len(months) == 12
    assert not cut


def test_trend_follows_the_chosen_dates_up_to_24_months():
    months, cut = trend_months(
        Filters(date_from=datetime.date(2026, 1, 20), date_to=datetime.date(2026, 3, 3)),
        datetime.date(2026, 6, 1),
    )
    assert months == [datetime.date(2026, m, 1) for m in (1, 2, 3)]
    months, cut = trend_months(
        Filters(date_from=datetime.date(2020, 1, 1), date_to=datetime.date(2026, 3, 3)),
        datetime.date(2026, 6, 1),
    )
    assert len(months) == 24
    assert months[-1] == datetime.date(2026, 3, 1)
    assert cut


def test_csv_text_comes_in_chunks_with_a_header_and_defused_formulas():
    rows = [
        ("S", 1, "Q", "text", None, "", f"-{n} or =1+1", "Rep", "Team", "2026-01-01")
        for n in range(5)
    ]
    chunks = list(csv_text(rows, chunk_rows=2))
    assert len(chunks) == 3
    parsed = list(csv.reader(io.StringIO("".join(chunks).lstrip("\ufeff"))))
    assert parsed[0][0] == "survey"
    assert len(parsed) == 6
    assert parsed[1][6] == "'-0 or =1+1"
