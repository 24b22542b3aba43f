"""End to end on a messy landing (`lodestar generate --messy`, without defects).

Foreign systems stamp their local time and cut their extracts at their own
midnight, save some CSV from a spreadsheet (BOM, CRLF, a line pasted twice),
plan a cost center in two currencies and key hires before their start. All of
it is valid under the reading rules of docs/landing-contract.md, so the run must come out as
clean as on the default landing: nothing blocked, no KPI stale, nothing
quarantined, and every data line counted.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from lodestar_demo import generate
from pipelines.config import REPO_ROOT, Settings
from pipelines.publish.status import run_summary
from pipelines.runner import execute_range
from tests.e2e.conftest import make_settings, published

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("landings")]

# ten days across the switch to daylight time in Los Angeles (2024-03-10)
START, END = date(2024, 3, 4), date(2024, 3, 13)


@pytest.fixture(scope="module")
def messy_run(tmp_path_factory) -> tuple[Settings, dict[str, int], list[str]]:
    root = tmp_path_factory.mktemp("messy")
    settings = make_settings(root).model_copy(update={"start_date": START})
    counts = generate(settings.landing, START, END, scale=0.02, seed=7, defects=False, messy=True)
    settings.okrs.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "okrs" / "kpis.yml", settings.okrs)
    shutil.copy(Path(__file__).parent / "okrs" / "2024-Q1.yml", settings.okrs)
    result = execute_range(settings, START, END)
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    return settings, counts, failed


def test_messy_run_completes_without_failed_steps(messy_run):
    settings, _, failed = messy_run
    assert failed == []
    assert settings.published_marts.exists()


def test_messy_run_blocks_nothing_and_leaves_no_kpi_stale(messy_run):
    settings, _, _ = messy_run
    problems = run_summary(settings.published_marts, START, END)
    assert problems == [], "\n".join(problems)
    assert published(settings, "select distinct status from kpi_status") == [("published",)]


def test_messy_rows_are_all_accepted(messy_run):
    settings, _, _ = messy_run
    quarantined = published(
        settings,
        """select source, extract_date, rows_quarantined, top_reason from quarantine_summary
           where rows_quarantined > 0 or status not in ('loaded', 'no_file') order by all""",
    )
    assert quarantined == [], "\n".join(f"{s} {d}: {n} rows, {reason}" for s, d, n, reason in quarantined)


def test_messy_rows_read_count_every_data_line_and_reconcile(messy_run):
    settings, counts, _ = messy_run
    rows = published(
        settings,
        """select source, sum(rows_read), sum(rows_accepted), sum(rows_quarantined)
           from quarantine_summary where extract_date is not null group by source""",
    )
    for source, read, accepted, quarantined in rows:
        assert read == accepted + quarantined, source
    # exact duplicate lines are read (and counted once as rows, with a warning)
    assert {source: read for source, read, _, _ in rows} == {
        source: n for source, n in counts.items() if source not in ("chart_of_accounts", "budget")
    }
