"""docs/recipes.md, followed in a temporary copy of the project: a ratio KPI on an
existing source is its catalog entry plus one SQL model, and the real pipeline
computes, checks and publishes it with no other edit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.config import REPO_ROOT
from tests.kpis.conftest import query

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("landings")]

START, END = "2024-03-01", "2024-03-10"

ENTRY = """
  - id: return_rate
    name: Return rate
    description: Orders returned over orders placed in the window and not cancelled.
    family: growth
    owner: commerce
    unit: percent
    direction: lower_is_better
    additivity: ratio
    model: int_kpi_parts__returns
    dimensions: {region: region, channel: order_channel}
    valid_range: {min: 0, max: 1}
"""

MODEL = """-- Daily parts of return_rate: returned orders over orders placed and not
-- cancelled, by the order's business day.
{{ kpi_daily_parts('return_rate', ref('int_commerce__orders'), 'ordered_on',
                   "case when status = 'returned' then 1 else 0 end", '1',
                   dimensions=['region', 'channel'], where="status <> 'cancelled'") }}
"""


def _project_copy(root: Path) -> Path:
    """The repository's tracked files (no data, no build output), as a new user would clone them."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    project = root / "project"
    for name in files:
        source = REPO_ROOT / name
        if source.is_file() and not name.startswith(("tests/", "docs/", "benchmarks/")):
            target = project / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return project


def _lodestar(project: Path, root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LODESTAR_", "DAGSTER_HOME"))}
    env.update(
        PYTHONPATH=str(project),  # the copy's `pipelines` package, not the installed one
        LODESTAR_LANDING=str(root / "landing"),
        LODESTAR_WAREHOUSE=str(root / "warehouse" / "lodestar.duckdb"),
        LODESTAR_PUBLISHED=str(root / "published"),
        LODESTAR_OKRS=str(project / "okrs"),
        LODESTAR_START_DATE=START,
    )
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args], cwd=project, env=env, capture_output=True, text=True
    )


def test_a_ratio_kpi_is_a_catalog_entry_and_one_model(tmp_path):
    project = _project_copy(tmp_path)
    catalog = project / "okrs" / "kpis.yml"
    catalog.write_text(catalog.read_text() + ENTRY)
    (project / "dbt_project" / "models" / "intermediate" / "kpis" / "int_kpi_parts__returns.sql").write_text(
        MODEL
    )
    for path in (project / "okrs").glob("20*.yml"):  # OKR sets of other periods are not needed here
        path.unlink()
    shutil.rmtree(project / "okrs" / "checkins")  # nor their owners' check-ins

    generated = _lodestar(project, tmp_path, "generate", "--start", START, "--end", END, "--scale", "0.02")
    assert generated.returncode == 0, generated.stderr[-2000:]
    run = _lodestar(project, tmp_path, "run", "--start", START, "--end", END)
    assert run.returncode == 0, run.stderr[-4000:]

    marts = tmp_path / "published" / "marts.duckdb"
    [values] = query(
        marts,
        """select count(*), count(distinct as_of_date), count(distinct "window"),
                  list(distinct dimension order by dimension), min(value), max(value)
           from kpi_values where kpi_id = 'return_rate'""",
    )
    status = query(marts, "select distinct status from kpi_status where kpi_id = 'return_rate'")
    catalog_row = query(marts, "select additivity, dbt_model from kpi_catalog where kpi_id = 'return_rate'")
    [(checks,)] = query(marts, "select count(*) from dq_results where check_name = 'kpi_return_rate'")
    count, days, windows, dimensions, low, high = values
    assert count > 0 and days == 10 and windows == 5
    assert dimensions == ["all", "channel", "region"]
    assert 0 <= low <= high <= 1
    assert status == [("published",)]
    assert catalog_row == [("ratio", "int_kpi_parts__returns")]
    assert checks == 10  # the KPI checks judged it every day
