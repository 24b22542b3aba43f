"""One measured phase of `make bench`, run in its own process so that the
parent can read its peak RSS (os.wait4) apart from the other phases.

    bench_child.py pipeline <root> <landing> <first> <last>   # one Dagster run of the daily job
    bench_child.py baseline <landing> <last> <out.parquet>    # benchmarks/baseline.sql

The last line on stdout is a JSON object with what the parent records.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

BENCH_DIR = Path(__file__).resolve().parent


def pipeline(root: Path, landing: Path, first: date, last: date) -> dict:
    from pipelines.config import REPO_ROOT, Settings
    from pipelines.console import phase_times
    from pipelines.runner import execute_range

    okrs = root / "okrs"
    if not okrs.exists():
        shutil.copytree(REPO_ROOT / "okrs", okrs)
    settings = Settings(
        landing=landing,
        warehouse=root / "warehouse" / "lodestar.duckdb",
        published=root / "published",
        okrs=okrs,
        start_date=date(2024, 1, 1),
        timezone="UTC",
        engine=os.environ.get("LODESTAR_ENGINE", "duckdb"),
    )
    started = time.perf_counter()
    result = execute_range(settings, first, last)
    seconds = time.perf_counter() - started
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        rows = con.execute(
            "select coalesce(sum(rows_read), 0) from raw.ingest_log where extract_date between ? and ?",
            [first, last],
        ).fetchone()[0]
    finally:
        con.close()
    return {
        "success": result.success,
        "seconds": seconds,
        "rows": int(rows),
        "phases": [[name, round(s, 1)] for name, s in phase_times(result)],
    }


def baseline(landing: Path, last: date, out: Path) -> dict:
    sql = (BENCH_DIR / "baseline.sql").read_text().format(landing=landing, last_day=last.isoformat())
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(sql)
    con.execute(f"copy baseline_kpi_values to '{out}' (format parquet)")
    rows = con.execute("select count(*) from baseline_kpi_values").fetchone()[0]
    con.close()
    return {"success": True, "seconds": time.perf_counter() - started, "kpi_rows": int(rows)}


def main(argv: list[str]) -> None:
    kind, *args = argv
    if kind == "pipeline":
        root, landing, first, last = args
        out = pipeline(Path(root), Path(landing), date.fromisoformat(first), date.fromisoformat(last))
    elif kind == "baseline":
        landing, last, parquet = args
        out = baseline(Path(landing), date.fromisoformat(last), Path(parquet))
    else:
        raise SystemExit(f"unknown phase {kind!r}")
    print(json.dumps(out))
    sys.exit(0 if out["success"] else 1)


if __name__ == "__main__":
    main(sys.argv[1:])
