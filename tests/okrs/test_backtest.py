"""The backtest's scores and the conformal calibration (the command itself runs
on the e2e demo in tests/e2e/test_forecasts.py)."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.okrs.backtest import Scored, calibrate, summarize
from pipelines.okrs.forecast import SIGMA_SCALE, Z, forecast_kr, sigma_scale
from tests.okrs.test_forecast import END, growing, history, q, until


def scored(horizon: int, std_error: float, covered=True, p=0.5, outcome=1.0) -> Scored:
    return Scored("kr", date(2026, 7, 1), horizon, covered, p, outcome, False, std_error, 1.0)


def test_calibration_finds_the_scale_that_makes_80_percent_intervals_hold_80_percent():
    # per horizon bucket, standardized errors spread evenly over [0, 2 Z]: 80% lie within 1.6 Z
    items = [scored(h, 2 * Z * i / 100) for h in (3, 20, 45, 80) for i in range(101)]
    assert calibrate(items) == tuple((days, 1.6) for days, _ in SIGMA_SCALE)


def test_summary_scores():
    items = [scored(5, 0, covered=True, p=0.8, outcome=1.0), scored(5, 0, covered=False, p=0.8, outcome=0.0)]
    s = summarize("x", items)
    assert (s.n, s.coverage) == (2, 0.5)
    assert s.brier == pytest.approx((0.2**2 + 0.8**2) / 2)
    assert s.naive_brier == pytest.approx(0.5)  # persistence said 1 both times


@pytest.mark.parametrize("day", [date(2026, 7, 5), date(2026, 8, 20), date(2026, 9, 25)])
def test_the_interval_ends_are_the_calibrated_quantiles_of_the_model(day):
    f = forecast_kr(history(until(END), growing), q("increase", 60000, window="quarter_to_date"), day)
    k = sigma_scale(f.horizon_days)
    assert f.standardized_error(f.projected) == pytest.approx(0, abs=1e-9)
    assert f.standardized_error(f.high) == pytest.approx(Z * k)
    assert f.standardized_error(f.low) == pytest.approx(Z * k)
