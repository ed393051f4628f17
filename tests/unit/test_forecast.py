"""The forecast's arithmetic: run rate scaled by seasonality, weighted pipeline, an honest range."""

from __future__ import annotations

import pytest

from coachflow.lib.forecast import (
    MIN_SHARE,
    ForecastInput,
    elapsed_fraction,
    expected_share,
    forecast,
    share_by,
)


def test_an_even_run_rate_without_history_doubles_at_half_time():
    result = forecast(ForecastInput(won_minor=50_000, won_deals=10, elapsed=0.5))
    assert result.expected_minor == 100_000
    assert result.share_expected == 0.5
    assert result.low_minor < 100_000 < result.high_minor


def test_quarter_end_seasonality_projects_more_than_the_even_run_rate():
    even = forecast(ForecastInput(won_minor=50_000, won_deals=10, elapsed=0.5))
    seasonal = forecast(
        ForecastInput(won_minor=50_000, won_deals=10, elapsed=0.5, season_shares=[0.4, 0.4])
    )
    assert seasonal.expected_minor == 125_000  # 50 000 / 0.4
    assert seasonal.expected_minor > even.expected_minor


def test_open_deals_are_weighted_by_the_win_rate_and_averaged_with_the_run_rate():
    result = forecast(
        ForecastInput(
            won_minor=50_000,
            won_deals=10,
            elapsed=0.5,
            open_minor=100_000,
            win_rate=0.3,
            season_shares=[0.5, 0.5],
        )
    )
    # run rate brings 50 000 more, the pipeline 30 000: the rest is their mean.
    assert result.expected_minor == 90_000


def test_the_range_never_falls_below_what_is_already_won():
    result = forecast(ForecastInput(won_minor=10_000, won_deals=1, elapsed=0.2))
    assert result.low_minor >= 10_000
    assert result.high_minor > result.expected_minor


def test_more_deals_give_a_narrower_range_relative_to_the_forecast():
    few = forecast(ForecastInput(won_minor=100_000, won_deals=2, elapsed=0.5))
    many = forecast(ForecastInput(won_minor=100_000, won_deals=200, elapsed=0.5))
    assert few.expected_minor == many.expected_minor
    assert (many.high_minor - many.low_minor) < (few.high_minor - few.low_minor)


def test_seasons_that_differ_widen_the_range():
    alike = forecast(
        ForecastInput(won_minor=100_000, won_deals=50, elapsed=0.5, season_shares=[0.5, 0.5])
    )
    unlike = forecast(
        ForecastInput(won_minor=100_000, won_deals=50, elapsed=0.5, season_shares=[0.3, 0.7])
    )
    assert (unlike.high_minor - unlike.low_minor) > (alike.high_minor - alike.low_minor)


def test_a_finished_period_forecasts_what_was_won():
    result = forecast(ForecastInput(won_minor=123, won_deals=1, elapsed=1.0, target_minor=100))
    assert (result.expected_minor, result.low_minor, result.high_minor) == (123, 123, 123)
    assert result.attainment == pytest.approx(1.23)


def test_nothing_won_and_no_pipeline_forecasts_nothing():
    result = forecast(ForecastInput(won_minor=0, won_deals=0, elapsed=0.5, target_minor=1000))
    assert result.expected_minor == 0
    assert result.attainment == 0
    assert result.covers(0)


def test_attainment_needs_a_quota():
    result = forecast(ForecastInput(won_minor=500, won_deals=1, elapsed=0.5))
    assert result.attainment is None
    assert result.low_attainment is None
    assert result.high_attainment is None


def test_attainment_and_its_range_against_the_quota():
    result = forecast(
        ForecastInput(won_minor=50_000, won_deals=10, elapsed=0.5, target_minor=100_000)
    )
    assert result.attainment == pytest.approx(1.0)
    assert result.low_attainment < 1.0 < result.high_attainment


def test_expected_share_is_the_mean_of_earlier_periods_within_bounds():
    assert expected_share(0.5, [0.2, 0.4]) == pytest.approx(0.3)
    assert expected_share(0.5, []) == 0.5
    assert expected_share(0.0, []) == MIN_SHARE
    assert expected_share(0.9, [1.2]) == 1.0


def test_share_and_elapsed_helpers():
    assert share_by(25, 100) == 0.25
    assert share_by(0, 0) is None
    assert elapsed_fraction(45, 90) == 0.5
    assert elapsed_fraction(100, 90) == 1.0
    assert elapsed_fraction(3, 0) == 1.0
