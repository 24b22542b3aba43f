"""What `lodestar run` tells while it runs and when it ends (pipelines/progress.py,
pipelines/console.py): per source the files and rows it read, counted here from
the landing files themselves; the same lines in Dagster's event log; and a
closing table with every phase."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date

import duckdb
import pytest

from pipelines.config import REPO_ROOT
from pipelines.sources.contract import load_contract
from pipelines.sources.landing import extract_day
from tests.e2e.conftest import cli_env

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo")]

# two extract months: Dagster records a materialization per month, the rows count once
START, END = date(2024, 2, 26), date(2024, 3, 3)
PHASES = (
    "ingest",
    "source checks",
    "dbt: KPI models",
    "KPI checks and gate",
    "dbt: BI KPI marts",
    "dbt: OKR models and marts",
    "OKRs",
    "publish",
)


SCAN = {".csv": "read_csv(?, header=true, all_varchar=true)", ".parquet": "read_parquet(?)"}


def _rows(con, path) -> int:
    return con.execute(f"select count(*) from {SCAN[path.suffix]}", [str(path)]).fetchone()[0]


def _landed(landing) -> dict[str, list[int]]:
    """Per source, the rows of each landing file of START..END in day order, read with DuckDB;
    per reference table, the rows of its file."""
    con = duckdb.connect()
    contract = load_contract()
    found = {}
    for name in contract.sources:
        files = sorted(
            (extract_day(p.name), p)
            for p in (landing / name).iterdir()
            if extract_day(p.name) and START <= extract_day(p.name) <= END
        )
        found[name] = [_rows(con, p) for _, p in files]
    references = {
        name: [_rows(con, landing / "reference" / r.file)] for name, r in contract.references.items()
    }
    return found, references


def test_a_run_tells_files_and_rows_per_source_and_ends_with_each_phase(pipeline_copy, tmp_path):
    settings = pipeline_copy
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster_instance.yaml", home / "dagster.yaml")
    env = cli_env(
        settings,
        LODESTAR_PROGRESS_SECONDS="0",  # a progress line after every file, not every 10 s
        DAGSTER_HOME=str(home),
    )
    command = [sys.executable, "-m", "pipelines.cli", "run", "--start", str(START), "--end", str(END)]
    done = subprocess.run(command, env=env, stderr=subprocess.PIPE, text=True, timeout=900)
    err = done.stderr
    assert done.returncode in (0, 2), err
    days = (END - START).days + 1

    sources, references = _landed(settings.landing)
    for name, rows in sources.items():
        # the closing line of the source: every file of the range and every line of them
        closing = re.findall(
            rf"{name}: ingested ([\d,]+) file\(s\) for ([\d,]+) day\(s\), ([\d,]+) rows read", err
        )
        assert closing == [(str(len(rows)), str(days), f"{sum(rows):,}")], (name, closing)
        # on the way: after k files, the rows of the first k files (the last one is the closing line)
        reading = re.findall(rf"{name}: reading: ([\d,]+) of ([\d,]+) files, ([\d,]+) rows", err)
        expected = [(str(k), str(len(rows)), f"{sum(rows[:k]):,}") for k in range(1, len(rows))]
        assert reading == expected, name
        assert re.search(rf"{name}: contract checked for {days} day\(s\), [\d,]+ accepted rows", err), name

    # three dbt invocations: KPI models, BI KPI marts, OKR models with their BI marts
    builds = re.findall(r"dbt build \((\w+)\): (\d+) models, (\d+) tests: ([\w ,]+), [\d.]+ s", err)
    assert sorted(b[0] for b in builds) == ["bi_kpi_models", "kpi_models", "okr_models"]
    # the statuses are counted from dbt's result lines: every model and test, once
    for name, models, tests, statuses in builds:
        assert statuses == f"{tests} pass, {models} success", name

    table = err[err.index("lodestar: time per phase") :]
    listed = {line[2:28].strip(): line for line in table.splitlines()[2:] if line.startswith("  ")}
    assert set(PHASES) <= set(listed), table
    for name, (rows,) in references.items():
        assert f"{name}: ingested 1 file(s), {rows:,} rows read" in err, name
    landed = sum(sum(rows) for rows in [*sources.values(), *references.values()])
    assert re.search(rf"^  ingest +[\d.]+ +{landed:,} +[\d,]+  rows read$", listed["ingest"]), table

    # the same lines are Dagster's log messages: in the run's event log, with the phase table
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(home)
    try:
        with dg.DagsterInstance.get() as instance:
            (run,) = instance.get_runs()
            messages = [entry.message for entry in instance.all_logs(run.run_id)]
    finally:
        del os.environ["DAGSTER_HOME"]
    assert any(m.startswith("orders: ingested ") for m in messages)
    assert any(m.startswith("orders: reading: 1 of ") for m in messages)
    assert any(m.startswith("dbt build (kpi_models): ") for m in messages)
    assert any(m.startswith("time per phase") and "source checks" in m for m in messages)
