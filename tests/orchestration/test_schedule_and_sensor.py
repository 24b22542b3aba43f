"""The daily schedule targets yesterday in the business time zone; the sensor
requests exactly the days whose landing files are new or changed (by content).
Runs carry their extract days as tags, within their month's partition."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from pipelines.config import Settings
from pipelines.definitions import build_definitions
from pipelines.partitions import FIRST_DAY_TAG, LAST_DAY_TAG


def _settings(root: Path, timezone: str = "UTC") -> Settings:
    return Settings(
        landing=root / "landing",
        warehouse=root / "w.duckdb",
        published=root / "published",
        okrs=Path("okrs").resolve(),
        start_date="2024-01-01",
        timezone=timezone,
    )


@pytest.mark.parametrize(
    ("timezone", "tick", "expected"),
    [
        ("UTC", datetime(2026, 11, 24, 6, 0), "2026-11-23"),
        ("America/New_York", datetime(2026, 11, 24, 6, 0), "2026-11-23"),
        ("Asia/Tokyo", datetime(2026, 3, 1, 6, 0), "2026-02-28"),
    ],
)
def test_schedule_runs_yesterday_at_six_in_the_business_time_zone(tmp_path, timezone, tick, expected):
    settings = _settings(tmp_path, timezone)
    defs = build_definitions(settings)
    schedule = defs.resolve_schedule_def("lodestar_daily_0600")
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.execution_timezone == timezone
    context = dg.build_schedule_context(
        scheduled_execution_time=tick.replace(tzinfo=ZoneInfo(timezone)),
        repository_def=defs.get_repository_def(),
    )
    [request] = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == expected[:7]  # the extract month
    assert (request.tags[FIRST_DAY_TAG], request.tags[LAST_DAY_TAG]) == (expected, expected)
    assert schedule.description


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _sensor(settings: Settings):
    defs = build_definitions(settings)
    return defs, defs.resolve_sensor_def("landing_files")


def _tick(sensor, cursor, defs):
    context = dg.build_sensor_context(cursor=cursor, definitions=defs)
    result = sensor.evaluate_tick(context)
    return result, context.cursor


def test_sensor_requests_exactly_new_and_redelivered_days(tmp_path):
    settings = _settings(tmp_path)
    landing = settings.landing
    for day in ("2024-01-01", "2024-01-02", "2024-01-03"):
        _write(landing / "orders" / f"{day}.csv", f"order_id\n{day}\n")
    _write(landing / "reference" / "budget.csv", "x\n")
    _write(landing / "orders" / "notes.txt", "ignored\n")
    defs, sensor = _sensor(settings)

    result, cursor = _tick(sensor, None, defs)
    assert result.run_requests == [] and "initialised with 3 landing files" in result.skip_message

    result, cursor = _tick(sensor, cursor, defs)
    assert result.run_requests == []  # nothing changed

    _write(landing / "customers" / "2024-01-05.csv", "customer_id\nC1\n")  # new file for a past day
    _write(landing / "orders" / "2024-01-02.csv", "order_id\nchanged\n")  # re-delivered with new content
    same = landing / "orders" / "2024-01-03.csv"
    same.write_text(same.read_text())  # rewritten, same bytes: not a change
    os.utime(same, (1, 1))
    result, cursor = _tick(sensor, cursor, defs)
    requested = sorted(
        (r.partition_key, r.tags[FIRST_DAY_TAG], r.tags[LAST_DAY_TAG]) for r in result.run_requests
    )
    assert requested == [("2024-01", "2024-01-02", "2024-01-02"), ("2024-01", "2024-01-05", "2024-01-05")]

    result, _ = _tick(sensor, cursor, defs)
    assert result.run_requests == []  # the same files are never requested twice
    assert set(json.loads(cursor)) == {
        "orders/2024-01-01.csv",
        "orders/2024-01-02.csv",
        "orders/2024-01-03.csv",
        "customers/2024-01-05.csv",
    }


def test_sensor_ignores_days_outside_the_partition_range(tmp_path):
    settings = _settings(tmp_path)
    defs, sensor = _sensor(settings)
    _, cursor = _tick(sensor, None, defs)
    _write(settings.landing / "orders" / "2023-12-31.csv", "x\n")  # before the first partition
    future = date.today().replace(year=date.today().year + 1)
    _write(settings.landing / "orders" / f"{future}.csv", "x\n")  # not a complete day yet
    result, _ = _tick(sensor, cursor, defs)
    assert result.run_requests == []


def test_sensor_requests_one_run_per_stretch_of_consecutive_days_within_a_month(tmp_path):
    settings = _settings(tmp_path)
    defs, sensor = _sensor(settings)
    _, cursor = _tick(sensor, None, defs)
    for day in ("2024-01-30", "2024-01-31", "2024-02-01", "2024-02-02", "2024-02-10"):
        _write(settings.landing / "orders" / f"{day}.csv", f"order_id\n{day}\n")
    result, _ = _tick(sensor, cursor, defs)
    requested = sorted(
        (r.partition_key, r.tags[FIRST_DAY_TAG], r.tags[LAST_DAY_TAG]) for r in result.run_requests
    )
    assert requested == [
        ("2024-01", "2024-01-30", "2024-01-31"),
        ("2024-02", "2024-02-01", "2024-02-02"),
        ("2024-02", "2024-02-10", "2024-02-10"),
    ]
