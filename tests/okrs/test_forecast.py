"""The KR forecast on made-up KPI histories (the engine alone; the pipeline's
forecasts are tested end to end in tests/e2e/test_forecasts.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from pipelines.okrs.forecast import History, KrQuestion, forecast_kr, forecast_status, window_start

FIRST = date(2024, 1, 1)
END = date(2026, 9, 30)  # a Q3 period end, like the demo's


def history(days: int, daily, seed: int = 1, noise: float = 0.05, window: int = 28) -> History:
    """A positive daily series (an additive KPI: numerator = day value) with its trailing window."""
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    num = np.asarray(daily(t), float) * rng.lognormal(0, noise, days)
    value = np.convolve(num, np.ones(window))[:days]
    return History(FIRST, num, np.full(days, np.nan), value, np.ones(days, bool))


def growing(t):  # a clear trend: +150% a year, a weekly rhythm and a yearly season
    return (
        1000
        * (1 + 1.5 * t / 365)
        * (1 + 0.1 * np.sin(2 * np.pi * t / 7))
        * (1 + 0.1 * np.sin(2 * np.pi * t / 365))
    )


def q(kr_type: str, target: float, window="trailing_28d", additivity="additive", unit="usd", end=END):
    return KrQuestion(kr_type, window, additivity, unit, end, target)


def until(day: date) -> int:
    return (day - FIRST).days + 1


@pytest.mark.parametrize("days_of_history", [until(date(2026, 7, 15)), 120])  # year-over-year and short
def test_a_clear_trend_gives_near_certain_probabilities_when_the_target_is_far(days_of_history):
    hist = history(days_of_history, growing)
    day = FIRST + timedelta(days=days_of_history - 1)
    end = day + timedelta(days=60)
    level = hist.value[-1]
    low, high = 0.5 * level, 3 * level  # far below / far above where the trend leads
    assert forecast_kr(hist, q("increase", high, end=end), day).probability < 0.01
    assert forecast_kr(hist, q("stay_above", low, end=end), day).probability > 0.99
    assert forecast_kr(hist, q("decrease", low, end=end), day).probability < 0.01
    assert forecast_kr(hist, q("stay_below", high, end=end), day).probability > 0.99
    f = forecast_kr(hist, q("increase", high, end=end), day)
    assert f.method == ("yoy_ets" if days_of_history > 365 else "ets")
    e = (end - FIRST).days
    truth = growing(np.arange(e - 27, e + 1)).sum()  # the noise-free window value on the end day
    assert f.low < truth < f.high


def test_the_same_inputs_give_the_same_forecast_bit_for_bit():
    day = date(2026, 8, 1)
    a = history(until(END), growing, seed=4)
    b = history(until(END), growing, seed=4)  # rebuilt from scratch
    for window in ("trailing_28d", "quarter_to_date", "day"):
        question = q("increase", 60000, window=window)
        assert forecast_kr(a, question, day) == forecast_kr(b, question, day) == forecast_kr(a, question, day)


@pytest.mark.parametrize(
    ("window", "additivity"),
    [("trailing_28d", "additive"), ("quarter_to_date", "additive"), ("trailing_7d", "percentile")],
)
def test_a_forecast_uses_nothing_after_its_day(window, additivity):
    day = date(2026, 8, 10)
    hist = history(until(END), growing, seed=2)
    later = (day - FIRST).days + 1
    changed = History(
        hist.first,
        np.concatenate([hist.num[:later], hist.num[later:] * 3]),
        hist.den,
        np.concatenate([hist.value[:later], np.full(len(hist) - later, np.nan)]),
        np.concatenate([hist.published[:later], np.zeros(len(hist) - later, bool)]),
    )
    question = q("increase", 60000, window=window, additivity=additivity)
    assert forecast_kr(hist, question, day) == forecast_kr(changed, question, day)
    assert forecast_kr(hist, question, day + timedelta(days=5)) != forecast_kr(
        changed, question, day + timedelta(days=5)
    )


def test_the_observed_part_of_a_quarter_narrows_the_interval_as_the_quarter_fills():
    hist = history(until(END), growing, seed=3)
    question = q("increase", 300000, window="quarter_to_date")
    widths = [
        (f.high - f.low) / f.projected
        for f in (
            forecast_kr(hist, question, d) for d in (date(2026, 7, 2), date(2026, 8, 15), date(2026, 9, 25))
        )
    ]
    assert widths[0] > widths[1] > widths[2] > 0


def test_on_the_period_end_the_value_is_known():
    hist = history(until(END), growing)
    f = forecast_kr(hist, q("increase", 1.0), END)
    assert (f.method, f.horizon_days, f.probability) == ("exact", 0, 1.0)
    assert f.projected == f.low == f.high == hist.value[-1]
    assert forecast_kr(hist, q("decrease", 1.0), END).probability == 0.0


def test_ratio_kpis_combine_the_observed_days_with_the_forecast_ratio_of_the_rest():
    rng = np.random.default_rng(5)
    n = until(END)
    den = 200 * rng.lognormal(0, 0.1, n)
    num = den * np.clip(0.9 + rng.normal(0, 0.02, n), 0, 1)  # a rate of about 90%
    hist = History(
        FIRST,
        num,
        den,
        np.convolve(num, np.ones(28))[:n] / np.convolve(den, np.ones(28))[:n],
        np.ones(n, bool),
    )
    f = forecast_kr(
        hist,
        q("increase", 0.95, window="quarter_to_date", additivity="ratio", unit="percent"),
        date(2026, 9, 1),
    )
    assert 0.88 < f.low < f.projected < f.high < 0.92
    assert f.probability < 0.01


def test_too_little_history_gives_no_forecast_and_says_why():
    hist = history(20, growing)
    f = forecast_kr(hist, q("increase", 1.0, end=FIRST + timedelta(days=60)), FIRST + timedelta(days=19))
    assert (f.projected, f.probability, f.method, f.note) == (None, None, "none", "not enough history")


def test_a_stale_day_in_the_history_is_filled_from_the_same_weekday_a_week_before():
    hist = history(until(date(2026, 8, 1)), growing, seed=6)
    stale = hist.index(date(2026, 7, 20))
    num, published = hist.num.copy(), hist.published.copy()
    num[stale], published[stale] = np.nan, False
    f = forecast_kr(replace(hist, num=num, published=published), q("increase", 60000), date(2026, 8, 1))
    assert f.probability is not None and f.history_days == len(hist) - 1


def test_window_starts():
    d = date(2026, 11, 20)
    assert [
        window_start(w, d) for w in ("day", "trailing_7d", "trailing_28d", "month_to_date", "quarter_to_date")
    ] == [
        d,
        date(2026, 11, 14),
        date(2026, 10, 24),
        date(2026, 11, 1),
        date(2026, 10, 1),
    ]


def test_forecast_status_thresholds():
    assert [forecast_status(p, 0.7, 0.3) for p in (None, 0.0, 0.3, 0.31, 0.69, 0.7, 1.0)] == [
        None,
        "unlikely",
        "unlikely",
        "uncertain",
        "uncertain",
        "likely",
        "likely",
    ]
