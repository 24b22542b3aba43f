"""What KR forecasts cost a run, on a copy of a loaded working warehouse.

    .venv/bin/python benchmarks/bench_forecasts.py [--warehouse data/warehouse/lodestar.duckdb]

Measures `refresh_forecasts` (the kr_forecasts asset's work) three ways:
every KR day from scratch (a first run or a full backfill), the last loaded
day only (a daily run: that day's rows are new), and nothing changed (a re-run
or a backfill over unchanged data). Works on a temporary copy; the warehouse
is not touched.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.config import REPO_ROOT
from pipelines.okrs.catalog import load_catalog
from pipelines.okrs.forecast_store import SCHEMA, refresh_forecasts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--warehouse", type=Path, default=REPO_ROOT / "data" / "warehouse" / "lodestar.duckdb"
    )
    args = parser.parse_args()
    kinds = {k.id: (k.additivity, k.unit) for k in load_catalog(REPO_ROOT / "okrs").kpis}
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "bench.duckdb"
        shutil.copy(args.warehouse, copy)
        con = duckdb.connect(str(copy))
        try:
            started = time.perf_counter()
            import statsforecast.models  # noqa: F401 - the import is part of a run's cost

            print(f"import statsforecast          {time.perf_counter() - started:6.1f} s")
            full = refresh_forecasts(con, kinds, recompute_all=True)
            print(f"every KR day from scratch     {full.seconds:6.1f} s  ({full.computed} forecasts)")
            last = con.execute(f"select max(as_of_date) from {SCHEMA}.kr_forecasts").fetchone()[0]
            con.execute(f"delete from {SCHEMA}.kr_forecasts where as_of_date = ?", [last])
            daily = refresh_forecasts(con, kinds)
            print(f"daily run (day {last})  {daily.seconds:6.1f} s  ({daily.computed} forecasts)")
            same = refresh_forecasts(con, kinds)
            print(f"nothing changed               {same.seconds:6.1f} s  ({same.computed} forecasts)")
        finally:
            con.close()


if __name__ == "__main__":
    main()
