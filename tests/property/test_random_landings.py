"""Property: any contract-valid landing goes through the real pipeline with
nothing blocked or quarantined, and every published KPI value equals the
independent reference computation (tests/property/reference.py).

Each example runs the whole pipeline once (Dagster run, dbt, GX, publish) over
the landing's 4-8 days: about half a minute. LODESTAR_PROPERTY_EXAMPLES sets
the number of examples per zone (default 3); derandomize keeps CI deterministic.
"""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from pipelines.config import REPO_ROOT, Settings
from pipelines.runner import execute_range, step_failures
from tests.property.landing_files import Landing, write_landing
from tests.property.landing_strategy import landing_strategy
from tests.property.pipeline_check import differences, pipeline_problems, published_kpi_values
from tests.property.reference import reference_kpi_values
from tests.property.reference_read import read_landing, violations

# The e2e group runs on one xdist worker: heavy pipeline runs never compete for the cores.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("landings")]

EXAMPLES = int(os.environ.get("LODESTAR_PROPERTY_EXAMPLES", "3"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # One example costs a pipeline run (~30 s): shrinking would take hours.
    # A failure names the landing folder to inspect instead.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def run_and_compare(landing: Landing, root, zone: str) -> None:
    """Write the landing, run the pipeline over its days, compare with the reference."""
    write_landing(landing, root / "landing")
    read = read_landing(root / "landing", landing.start, landing.end, zone)
    invalid = violations(read, landing.start, landing.end)
    assert not invalid, "the strategy wrote an invalid landing:\n" + "\n".join(invalid[:20])
    expected = reference_kpi_values(read, landing.start, landing.end)
    covered = {key[0] for key in expected}
    assert len(covered) >= 15, f"a degenerate landing: the reference has values for {sorted(covered)} only"

    config = Settings(
        landing=root / "landing",
        warehouse=root / "warehouse" / "lodestar.duckdb",
        published=root / "published",
        okrs=root / "okrs",
        start_date=landing.start,
        timezone=zone,
    )
    config.okrs.mkdir()
    shutil.copy(REPO_ROOT / "okrs" / "kpis.yml", config.okrs)
    result = execute_range(config, landing.start, landing.end)
    failed = step_failures(result)

    where = f"landing {root / 'landing'} ({landing.start}..{landing.end}, LODESTAR_TIMEZONE={zone})"
    assert result.success, f"{where}: the run failed:\n" + "\n".join(failed)
    problems = pipeline_problems(config.published_marts, read.files, landing.start, landing.end)
    problems += differences(expected, published_kpi_values(config.published_marts))
    assert not problems, f"{where}: {len(problems)} problems\n" + "\n".join(problems[:40])


# UTC; a zone far east of it (evening events of western systems land on the next
# business day); one west of it with daylight saving (events move to earlier days).
@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/Los_Angeles"])
@PROPERTY
@given(landing=landing_strategy())
def test_valid_landing_is_published_whole_and_matches_the_reference(tmp_path_factory, zone, landing):
    run_and_compare(landing, tmp_path_factory.mktemp("property"), zone)
