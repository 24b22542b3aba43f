"""A broken reference file does not blank its KPIs for all history: the real
pipeline keeps the last accepted budget in force, reports the new file by
line, and says so in the status of the KPIs that read it."""

from __future__ import annotations

import pytest

from pipelines.runner import run_range
from tests.e2e.conftest import END, published

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo")]


def _variance(settings):
    return published(
        settings,
        """select as_of_date, "window", dimension, dimension_value, value from kpi_values
           where kpi_id = 'budget_variance_pct' order by all""",
    )


def test_a_broken_budget_keeps_the_last_accepted_one_in_force_and_says_so(pipeline_copy, capsys):
    settings = pipeline_copy
    before = _variance(settings)
    assert before
    budget = settings.landing / "reference" / "budget.csv"
    lines = budget.read_text().splitlines()
    fields = lines[3].split(",")
    fields[-1] = "-100.00"  # a negative plan on line 4
    budget.write_text("\n".join([*lines[:3], ",".join(fields), *lines[4:]]) + "\n")

    assert run_range(settings, END, END) == 0  # nothing is blocked or stale: the run is clean
    assert _variance(settings) == before
    status = published(
        settings,
        "select status, note from kpi_status where kpi_id = 'budget_variance_pct' and as_of_date = ?",
        [END],
    )
    [(state, note)] = status
    assert state == "published"
    assert "budget: new version rejected, the last accepted version" in note
    assert f"{budget}: rejected, 1 row(s) break a rule: line 4: amount is below 0" in note
    [(passed, severity)] = published(
        settings,
        "select passed, severity from dq_results where asset = 'raw/budget' and partition_date is null",
    )
    assert (passed, severity) == (False, "warning")
    assert published(
        settings, "select count(*), count(*) filter (where line = 4) from quarantine where source = 'budget'"
    ) == [(len(lines) - 1, 1)]
    # KPIs that do not read the budget carry no note
    assert published(
        settings, "select note from kpi_status where kpi_id = 'gmv' and as_of_date = ?", [END]
    ) == [(None,)]
