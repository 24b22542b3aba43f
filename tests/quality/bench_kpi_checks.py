"""Timing of the KPI checks on a realistic-size kpi_values (not a test; run by hand).

    .venv/bin/python -m tests.quality.bench_kpi_checks [days]

Builds marts.kpi_values in a temporary DuckDB file for every catalog KPI,
`days` days (default 1,000), five windows and the KPI's slices (closed
dimensions from the contract enums, 8 values for open ones), with values inside
the valid ranges and a few planted failures, then times `check_kpi_values`
over all days (GX import excluded: it is paid once per process). The
process's CPU time (all threads) is printed too: on a shared machine it is
steadier than the wall time.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from pipelines.config import REPO_ROOT
from pipelines.okrs.catalog import load_catalog
from pipelines.quality import gx_runner
from pipelines.quality.kpi_checks import check_kpi_values, record_kpi_check_failures
from pipelines.quality.results import record_results
from pipelines.warehouse import connect

START = date(2023, 1, 1)


def build(con, catalog, days: int) -> int:
    slices = []
    for kpi in catalog.kpis:
        slices.append((kpi.id, "all", "all"))
        for dim in kpi.dimensions:
            values = kpi.dimension_values(dim) or [f"{dim}_{i}" for i in range(8)]
            slices += [(kpi.id, dim, v) for v in values]
    con.execute("create temp table _slices (kpi_id varchar, dimension varchar, dimension_value varchar)")
    con.executemany("insert into _slices values (?, ?, ?)", slices)
    con.execute("create schema if not exists marts")
    con.execute(
        f"""
        create table marts.kpi_values as
        select s.kpi_id, cast(d as date) as as_of_date, w."window", s.dimension, s.dimension_value,
               0.5 + 0.05 * sin(hash(s.kpi_id, d, w."window", s.dimension_value) % 1000) as value,
               null::double as numerator, null::double as denominator
        from _slices as s
        cross join range(date '{START}', date '{START + timedelta(days=days)}', interval 1 day) as t(d)
        cross join (select unnest(['day', 'trailing_7d', 'trailing_28d', 'month_to_date',
                                   'quarter_to_date']) as "window") as w
        order by all
        """
    )
    # planted: a spike, a value out of range, a missing total
    last = START + timedelta(days=days - 1)
    con.execute(f"update marts.kpi_values set value = 50 where kpi_id = 'gmv' and as_of_date = date '{last}'")
    con.execute(
        f"""update marts.kpi_values set value = 2 where kpi_id = 'csat' and as_of_date = date '{last}'
            and "window" = 'day' and dimension = 'all'"""
    )
    con.execute(
        f"""delete from marts.kpi_values where kpi_id = 'orders' and as_of_date = date '{last}'
            and "window" = 'trailing_7d' and dimension = 'all'"""
    )
    return con.execute("select count(*) from marts.kpi_values").fetchone()[0]


def main(days: int = 1000) -> None:
    catalog = load_catalog(REPO_ROOT / "okrs")
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "bench.duckdb")
        rows = build(con, catalog, days)
        gx_runner.gx_context()  # import GX outside the timing
        first, last = START, START + timedelta(days=days - 1)
        runs = (("all days", first), ("all days again", first), ("last 3 days", last - timedelta(days=2)))
        for label, first_day in runs:
            started, started_cpu = time.perf_counter(), time.process_time()
            outcomes = check_kpi_values(con, catalog, first_day, last)
            checked, checked_cpu = time.perf_counter() - started, time.process_time() - started_cpu
            record_kpi_check_failures(con, outcomes, first_day, last)
            record_results(con, outcomes, run_id=label)
            total = time.perf_counter() - started
            failed = [o for o in outcomes if not o.passed]
            print(
                f"{label}: {len(outcomes)} KPI-days over {rows:,} rows: checks {checked:.2f}s "
                f"(cpu {checked_cpu:.2f}s), "
                f"with recording (failures, dq_results) {total:.2f}s; {len(failed)} not passed"
            )
        for o in failed:
            print(f"  {o.severity}: {o.reason}")
        con.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
