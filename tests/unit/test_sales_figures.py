"""Sales figures: ratios, sums, team roll-ups and table sorting, on plain values."""

from __future__ import annotations

import datetime

import pytest

from coachflow.lib import figures
from coachflow.lib.figures import (
    EMPTY,
    Figures,
    SalesRow,
    ratio,
    roll_up,
    sort_keys,
    sort_rows,
    total,
)
from coachflow.lib.periods import Period, PeriodKind


def test_ratio_is_none_without_a_whole():
    assert ratio(5, 10) == 0.5
    assert ratio(0, 10) == 0
    assert ratio(5, 0) is None
    assert ratio(5, None) is None
    assert ratio(None, 10) is None


def test_attainment_is_revenue_over_the_revenue_target():
    figures = Figures(revenue_minor=36_000_00, revenue_target_minor=50_000_00)
    assert figures.attainment == pytest.approx(0.72)


def test_no_quota_and_a_zero_quota_both_have_no_attainment():
    assert Figures(revenue_minor=100).attainment is None
    assert Figures(revenue_minor=100, revenue_target_minor=0).attainment is None
    assert not Figures(revenue_minor=100).has_quota
    assert Figures(revenue_target_minor=0).has_quota


def test_margin_rate_ignores_deals_without_a_known_margin():
    # 10,000 with 3,000 margin, plus 10,000 whose margin was not imported.
    figures = Figures(revenue_minor=20_000, margin_minor=3_000, margin_basis_minor=10_000)
    assert figures.margin_rate == pytest.approx(0.30)
    assert Figures(revenue_minor=20_000).margin_rate is None


def test_repeat_share_is_repeat_revenue_over_won_revenue():
    figures = Figures(revenue_minor=36_000, repeat_revenue_minor=27_000)
    assert figures.repeat_share == pytest.approx(0.75)
    assert EMPTY.repeat_share is None


def test_sums_keep_a_missing_target_missing_but_add_known_ones():
    a = Figures(revenue_minor=10, bookings=1, revenue_target_minor=100, bookings_target=2)
    b = Figures(revenue_minor=5, bookings=2)
    summed = a + b
    assert summed.revenue_minor == 15
    assert summed.bookings == 3
    assert summed.revenue_target_minor == 100
    assert (b + b).revenue_target_minor is None
    assert total([a, b, a]).revenue_target_minor == 200
    assert total([]) == EMPTY


def test_blended_attainment_counts_revenue_of_lines_without_a_quota():
    row = SalesRow(
        id=1,
        name="Anna",
        by_line={
            1: Figures(revenue_minor=21_000, revenue_target_minor=30_000),
            2: Figures(revenue_minor=9_000),  # no quota for this line
        },
    )
    assert row.total.attainment == pytest.approx(1.0)
    assert row.line(1).attainment == pytest.approx(0.7)
    assert row.line(2).attainment is None
    assert row.line(99) == EMPTY


def rep(id_, name, team_id, team, revenue, target, line=1):
    by_line = {line: Figures(revenue_minor=revenue, revenue_target_minor=target)}
    return SalesRow(id=id_, name=name, team_id=team_id, team_name=team, by_line=by_line)


def test_roll_up_sums_each_teams_reps_line_by_line():
    rows = [
        rep(1, "Anna", 10, "North", 70, 100),
        rep(2, "Ben", 10, "North", 50, 100, line=2),
        rep(3, "Cleo", 20, "South", 125, 100),
        rep(4, "Dan", None, "", 5, None),
    ]
    teams = roll_up(rows, no_team="No team")
    assert [(t.name, t.members) for t in teams] == [("North", 2), ("South", 1), ("No team", 1)]
    north = teams[0]
    assert north.line(1).revenue_minor == 70
    assert north.line(2).revenue_minor == 50
    assert north.total.attainment == pytest.approx(0.6)
    assert teams[2].total.attainment is None


ROWS = [
    rep(1, "bea", 10, "North", 90, 100),
    rep(2, "Adam", 20, "South", 130, 100),
    rep(3, "Cem", 10, "North", 40, None),  # no quota
    rep(4, "Dora", 20, "South", 70, 100),
]


@pytest.mark.parametrize(
    ("key", "descending", "names"),
    [
        ("name", False, ["Adam", "bea", "Cem", "Dora"]),
        ("name", True, ["Dora", "Cem", "bea", "Adam"]),
        ("attainment", True, ["Adam", "bea", "Dora", "Cem"]),
        ("attainment", False, ["Dora", "bea", "Adam", "Cem"]),
        ("quota", False, ["Adam", "bea", "Dora", "Cem"]),
        ("revenue", False, ["Cem", "Dora", "bea", "Adam"]),
        ("line-1", True, ["Adam", "bea", "Dora", "Cem"]),
        ("line-2", True, ["Adam", "bea", "Cem", "Dora"]),
        ("team", False, ["bea", "Cem", "Adam", "Dora"]),
    ],
)
def test_sorting_puts_rows_without_a_value_last_in_either_direction(key, descending, names):
    assert [r.name for r in sort_rows(ROWS, key, descending)] == names


def test_sort_keys_are_a_whitelist_including_each_product_line():
    keys = sort_keys([1, 2])
    assert {
        "name",
        "team",
        "attainment",
        "revenue",
        "quota",
        "margin",
        "margin_rate",
        "bookings",
        "repeat_share",
        "line-1",
        "line-2",
    } == keys
    assert "line-3" not in keys
    assert "__class__" not in keys


def test_the_period_after_the_current_one_is_not_offered():
    today = datetime.date(2026, 5, 20)
    assert figures.following(Period(datetime.date(2026, 1, 1), PeriodKind.QUARTER), today) == (
        Period(datetime.date(2026, 4, 1), PeriodKind.QUARTER)
    )
    assert figures.following(Period(datetime.date(2026, 4, 1), PeriodKind.QUARTER), today) is None
    assert figures.following(Period(datetime.date(2026, 5, 1), PeriodKind.MONTH), today) is None
