"""Shared fixtures for the KPI tests: landing data, ingestion, dbt runs.

dbt runs as a subprocess against a temporary warehouse with its own target
and log paths (never the repository's target/ or data/). A `DbtWorkspace`
keeps one warehouse path for all its invocations so dbt can parse partially
(the profile, hence the path, must not change); other databases are swapped
in and out of that path as files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from lodestar_demo.generator import generate
from pipelines.config import DBT_PROJECT_DIR
from pipelines.sources.contract import load_contract
from pipelines.sources.ingest import ensure_schema, ingest_partition, ingest_reference
from pipelines.transform.project import DBT_EXECUTABLE
from pipelines.warehouse import connect

# A range that crosses a quarter (and month) boundary on 04-01; windows of the
# first days reach before the first partition. The session build loads
# START..K in a first full build and K+1..END in one incremental range run.
START = date(2024, 3, 4)
END = date(2024, 4, 5)
K = END - timedelta(days=2)
TIMEZONE = "UTC"
WINDOWS = ("day", "trailing_7d", "trailing_28d", "month_to_date", "quarter_to_date")


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def write_landing_files(landing: Path, start: date = START, end: date = END) -> Path:
    """Demo landing files (lodestar_demo/generator.py) for start..end at a small scale."""
    generate(landing, start, end, scale=0.02, seed=7)
    return landing


def ingest(db: Path, landing: Path, start: date, end: date, with_references: bool = True) -> None:
    """Load extract days start..end of every source (and the reference files) into `db`."""
    contract = load_contract()
    con = connect(db, TIMEZONE)
    try:
        ensure_schema(con, contract)
        if with_references:
            for reference in contract.references.values():
                ingest_reference(con, contract, reference, landing, TIMEZONE)
        for day in days(start, end):
            for source in contract.sources.values():
                result = ingest_partition(con, contract, source, landing, day, TIMEZONE)
                assert not result.blocked, result.message
    finally:
        con.close()


def ingest_day(db: Path, landing: Path, source: str, day: date) -> None:
    contract = load_contract()
    con = connect(db, TIMEZONE)
    try:
        result = ingest_partition(con, contract, contract.sources[source], landing, day, TIMEZONE)
        assert result.status == "loaded", result.message
    finally:
        con.close()


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def kpi_values(db: Path) -> dict[tuple, tuple]:
    """kpi_values keyed by (kpi_id, as_of_date, window, dimension, dimension_value)."""
    rows = query(
        db,
        'select kpi_id, as_of_date, "window", dimension, dimension_value, value, numerator, denominator '
        "from marts.kpi_values",
    )
    return {row[:5]: row[5:] for row in rows}


class DbtWorkspace:
    """dbt invocations on one warehouse path, with private target and log paths."""

    def __init__(self, root: Path, start: date = START):
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.warehouse = root / "warehouse.duckdb"
        self.start = start
        self.invocations = 0

    def run(self, *args: str, range_: tuple[date, date] | None = None, select: str = "tag:kpi") -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LODESTAR_")}
        env.update(
            LODESTAR_WAREHOUSE=str(self.warehouse),
            LODESTAR_START_DATE=self.start.isoformat(),
            LODESTAR_TIMEZONE=TIMEZONE,
        )
        if range_:
            env.update(LODESTAR_RANGE_START=range_[0].isoformat(), LODESTAR_RANGE_END=range_[1].isoformat())
        command = [
            str(DBT_EXECUTABLE),
            *args,
            "--project-dir", str(DBT_PROJECT_DIR),
            "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(self.root / "target"),
            "--log-path", str(self.root / "logs"),
            "--select", select,
        ]  # fmt: skip
        self.invocations += 1
        done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=self.root)
        if done.returncode != 0:
            raise AssertionError(
                f"dbt {' '.join(args)} failed:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}"
            )
        return done.stdout

    @property
    def manifest(self) -> Path:
        return self.root / "target" / "manifest.json"

    def save(self, path: Path) -> Path:
        """Copy the warehouse out (dbt has closed it)."""
        shutil.copyfile(self.warehouse, path)
        return path

    def load(self, path: Path) -> None:
        """Put a saved warehouse in place for the next invocation."""
        shutil.copyfile(path, self.warehouse)


@pytest.fixture(scope="session")
def kpi_landing(tmp_path_factory) -> Path:
    return write_landing_files(tmp_path_factory.mktemp("kpi_landing"))


@dataclass
class KpiBuild:
    workspace: DbtWorkspace  # reusable for more runs (keeps dbt's partial parsing)
    base: Path  # copy of the warehouse after START..K and a full `dbt build`
    warehouse: Path  # copy after K+1..END and one incremental `dbt build` for that range
    manifest: Path


@pytest.fixture(scope="session")
def kpi_build(tmp_path_factory, kpi_landing) -> KpiBuild:
    """START..K built in full, then K+1..END in one incremental range run (models and dbt tests)."""
    root = tmp_path_factory.mktemp("kpi_build")
    workspace = DbtWorkspace(root / "dbt")
    ingest(workspace.warehouse, kpi_landing, START, K)
    workspace.run("build")
    base = workspace.save(root / "base.duckdb")
    ingest(workspace.warehouse, kpi_landing, K + timedelta(days=1), END, with_references=False)
    workspace.run("build", range_=(K + timedelta(days=1), END))
    built = workspace.save(root / "built.duckdb")
    manifest = root / "manifest.json"
    shutil.copyfile(workspace.manifest, manifest)
    return KpiBuild(workspace, base, built, manifest)
