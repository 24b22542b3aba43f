"""Runs over ranges: one run for a range equals day-by-day runs, a broken OKR file
does not stop KPI publication, and two runs never write the warehouse at once."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date, timedelta

import duckdb
import pytest

from pipelines.runner import EXIT_INCOMPLETE, run_range
from tests.e2e.conftest import cli_env, make_settings, published, run

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo")]

COMPARED = ("kpi_values", "kpi_status", "kr_progress_daily", "objective_progress_daily", "quarantine_summary")


def _fresh(tmp_path, name, demo):
    settings = make_settings(tmp_path / name, demo.landing)
    shutil.copytree(demo.okrs, settings.okrs)
    return settings


def _contents(settings):
    con = duckdb.connect(str(settings.published_marts), read_only=True)
    try:
        return {t: con.execute(f'select * from "{t}" order by all').fetchall() for t in COMPARED}
    finally:
        con.close()


def test_one_run_for_a_range_equals_day_by_day_runs(demo, tmp_path):
    first, last = date(2024, 1, 1), date(2024, 1, 10)
    ranged = _fresh(tmp_path, "ranged", demo)
    run(ranged, first, last)
    daily = _fresh(tmp_path, "daily", demo)
    run(daily, first, last - timedelta(days=3))
    for offset in (2, 1, 0):
        day = last - timedelta(days=offset)
        run(daily, day, day)
    ranged_tables, daily_tables = _contents(ranged), _contents(daily)
    for table in COMPARED:
        assert ranged_tables[table] == daily_tables[table], table
    assert len(ranged_tables["kpi_values"]) > 1000 and len(ranged_tables["kr_progress_daily"]) == 30


def test_broken_okr_file_stops_okr_assets_but_kpis_are_published(pipeline_copy, capsys):
    settings = pipeline_copy
    okrs_before = published(settings, "select * from kr_progress_daily order by all")
    (settings.okrs / "2024-Q2.yml").write_text(
        "period: {start: 2024-04-01, end: 2024-06-30}\n"
        "objectives:\n  - id: broken\n    title: Broken\n    owner: x\n"
        "    key_results:\n      - {id: k, title: k, kpi: no_such_kpi, window: day, type: increase, baseline: 0, target: 1}\n"
    )
    bad_day = date(2024, 3, 31)
    kpi_file = settings.published_marts.stat().st_ino
    code = run_range(settings, bad_day, bad_day)
    err = capsys.readouterr().err
    assert code == EXIT_INCOMPLETE
    assert "okr_definitions" in err and "no_such_kpi" in err.replace("'", "")
    assert settings.published_marts.stat().st_ino != kpi_file  # KPIs were republished
    assert published(
        settings, "select status, count(*) from kpi_status where as_of_date = ? group by all", [bad_day]
    ) == [("published", 19)]
    assert (
        published(settings, "select * from kr_progress_daily order by all") == okrs_before
    )  # last good OKRs


def test_a_second_concurrent_run_waits_or_fails_clearly_and_corrupts_nothing(pipeline_copy):
    settings = pipeline_copy
    env = cli_env(settings)
    command = [sys.executable, "-m", "pipelines.cli", "run", "--start", "2024-03-30", "--end", "2024-03-31"]
    first = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    lock = settings.warehouse.with_name(settings.warehouse.name + ".lock")
    while not (lock.exists() and lock.read_text().startswith("pid")):
        assert first.poll() is None, first.stderr.read()
    impatient = subprocess.run(
        command, env={**env, "LODESTAR_LOCK_WAIT_SECONDS": "1"}, stderr=subprocess.PIPE, text=True
    )
    patient = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    assert first.wait(timeout=600) == 0
    patient_err = patient.communicate(timeout=600)[1]
    assert impatient.returncode == 1
    assert "still holds" in impatient.stderr and "nothing was changed" in impatient.stderr
    assert patient.returncode == 0 and "waiting for the run holding" in patient_err
    assert published(settings, "select count(*) from kpi_status where status = 'stale'") == [(0,)]
