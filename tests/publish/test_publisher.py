"""Publishing is atomic: new file then os.replace; readers never see half a state."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from pipelines.publish.publisher import TMP_PREFIX, publish
from pipelines.warehouse import connect
from tests.publish.conftest import fill_working


def _publish(settings, groups=frozenset({"kpis"})):
    con = connect(settings.warehouse)
    try:
        return publish(con, settings, set(groups), None)
    finally:
        con.close()


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_publish_writes_marts_with_comments_and_parquet(settings):
    fill_working(settings, version=1)
    report = _publish(settings)
    assert set(report.refreshed) == {
        "kpi_values",
        "kpi_status",
        "kpi_catalog",
        "dq_results",
        "quarantine_summary",
        "quarantine",
    }
    con = duckdb.connect(str(settings.published_marts), read_only=True)
    try:
        assert con.execute("select count(*) from kpi_values").fetchone()[0] == 1000
        tables = con.execute("select table_name, comment from duckdb_tables() where not internal").fetchall()
        assert tables and all(comment for _, comment in tables)
        columns = con.execute(
            "select table_name, column_name, comment from duckdb_columns() where not internal"
        ).fetchall()
        assert all(comment for *_, comment in columns), [c for c in columns if not c[2]]
    finally:
        con.close()
    parquet = settings.published / "parquet" / "kpi_values.parquet"
    assert duckdb.execute(f"select count(*) from '{parquet}'").fetchone()[0] == 1000
    assert not list(settings.published.rglob(f"{TMP_PREFIX}*"))


def test_failed_publish_leaves_previous_state_whole(settings):
    fill_working(settings, version=1)
    _publish(settings)
    before = _digest(settings.published_marts)
    parquet_before = _digest(settings.published / "parquet" / "kpi_values.parquet")
    con = connect(settings.warehouse)
    con.execute("drop table marts.quarantine_summary")
    con.execute(
        "create view marts.quarantine_summary as select error('disk on fire') as source, date '2024-01-01' as extract_date"
    )
    con.close()
    with pytest.raises(duckdb.Error, match="disk on fire"):
        _publish(settings)
    assert _digest(settings.published_marts) == before
    assert _digest(settings.published / "parquet" / "kpi_values.parquet") == parquet_before
    assert not list(settings.published.rglob(f"{TMP_PREFIX}*"))


def test_groups_not_refreshed_are_carried_over(settings):
    fill_working(settings, version=1)
    _publish(settings)
    fill_working(settings, version=2)
    report = _publish(settings, groups={"okrs"})  # no OKR tables: KPI tables come from the previous file
    assert "kpi_values" in report.kept
    con = duckdb.connect(str(settings.published_marts), read_only=True)
    assert con.execute("select max(value) from kpi_values").fetchone()[0] == 1
    con.close()


def test_readers_see_only_complete_versions_during_publications(settings, tmp_path):
    fill_working(settings, version=1)
    _publish(settings)
    stop = tmp_path / "stop-reading"
    readers = {
        mode: subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.publish.reader_worker",
                str(settings.published_marts),
                mode,
                str(stop),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for mode in ("hold", "reconnect")
    }
    for mode in readers:
        ready = tmp_path / f"{mode}.ready"
        for _ in range(1200):
            if ready.exists():
                break
            time.sleep(0.1)
    for version in (2, 3, 4):
        fill_working(settings, version=version, rows=1000 * version)
        _publish(settings)
        time.sleep(0.5)
    stop.touch()
    reports = {mode: json.loads(p.communicate(timeout=600)[0]) for mode, p in readers.items()}
    for report in reports.values():
        assert report["errors"] == []
        assert report["incomplete"] == 0
    assert reports["hold"]["seen"] == [1]  # an open connection keeps the version it opened
    assert reports["reconnect"]["seen"][-1] == 4 and len(reports["reconnect"]["seen"]) >= 2


def test_publish_killed_midway_leaves_old_file_and_next_publish_works(settings):
    fill_working(settings, version=1)
    _publish(settings)
    before = _digest(settings.published_marts)
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.publish.publish_worker", str(settings.published.parent), "2000000"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout.readline().strip() == "ready"
    # Wait until a publication is under way (its temporary file exists), then kill it.
    deadline = time.monotonic() + 60
    while not list(settings.published.glob(f"{TMP_PREFIX}*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    current = settings.published_marts
    con = duckdb.connect(str(current), read_only=True)
    value = con.execute("select min(value), max(value) from kpi_values").fetchone()
    con.close()
    # Either the kill landed before the switch (old file intact) or after a whole publication.
    assert value in ((1, 1), (2, 2))
    if value == (1, 1):
        assert _digest(current) == before
    fill_working(settings, version=3)
    _publish(settings)
    con = duckdb.connect(str(current), read_only=True)
    assert con.execute("select min(value), max(value) from kpi_values").fetchone() == (3, 3)
    con.close()
    assert not list(settings.published.rglob(f"{TMP_PREFIX}*"))
