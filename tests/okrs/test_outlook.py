"""Forecast and check-in lines of the terminal scorecard."""

from __future__ import annotations

from datetime import date

from pipelines.okrs.outlook import checkin_line, forecast_line


def forecast(**overrides):
    row = {
        "projected": 151_234.0,
        "projected_low": 139_000.0,
        "projected_high": 164_000.0,
        "probability": 0.623,
        "forecast_status": "uncertain",
        "forecast_method": "yoy_ets",
        "forecast_note": None,
        "period_end": date(2026, 12, 31),
    }
    return {**row, **overrides}


def test_a_forecast_reads_projected_value_interval_and_probability():
    assert forecast_line(forecast(), "usd") == (
        "forecast: projected $151k on 2026-12-31 (80% $139k–$164k) (p = 0.62) → uncertain"
    )
    assert forecast_line(forecast(projected=0.0241, projected_low=0.0207, projected_high=0.0274,
                                  probability=0.09, forecast_status="unlikely"), "percent") == (
        "forecast: projected 2.41% on 2026-12-31 (80% 2.07%–2.74%) (p = 0.09) → unlikely"
    )  # fmt: skip


def test_the_last_day_and_a_missing_forecast_say_what_they_are():
    final = forecast(forecast_method="exact", probability=0.0, projected=317_000.0)
    assert forecast_line(final, "usd") == "forecast: final $317k on 2026-12-31 → target missed"
    none = forecast(probability=None, forecast_method="none", forecast_note="not enough history")
    assert forecast_line(none, "usd") == "forecast: none (not enough history)"


def test_a_check_in_shows_day_author_confidence_and_note():
    row = {
        "checkin_date": date(2026, 11, 16),
        "author": "commerce",
        "confidence": 7,
        "note": "Black Friday ahead.",
    }
    assert checkin_line(row) == "check-in 2026-11-16 by commerce: confidence 7/10 · Black Friday ahead."
    assert checkin_line({**row, "author": None}).startswith("check-in 2026-11-16: confidence 7/10")
