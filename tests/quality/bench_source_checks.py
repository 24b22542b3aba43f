"""Timing of the source checks on a long backfill (not a test; run by hand).

    .venv/bin/python -m tests.quality.bench_source_checks [days] [scale] [work_dir]

Generates `days` days (default 1,000) of demo landing files at `scale`
(default 0.02), ingests every source, then times `check_source_partitions`
over all days for each source: one batched call per source, as a backfill
does (GX import excluded: it is paid once per process). Wall time and the
process's CPU time (all threads) are printed: on a shared machine the CPU
time is the steadier of the two. With `work_dir`, the
landing files and the ingested warehouse are kept there and reused by the
next run, so that before/after comparisons judge the same rows.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from lodestar_demo import generate
from pipelines.quality import gx_runner
from pipelines.quality.source_checks import check_reference, check_source_partitions
from pipelines.sources.contract import load_contract
from pipelines.sources.ingest import ensure_schema, ingest_days, ingest_reference
from pipelines.warehouse import connect

START = date(2023, 1, 1)
ZONE = "UTC"


def prepare(work: Path, days: list[date], scale: float) -> Path:
    """The ingested warehouse of `days`, built once per work_dir."""
    warehouse = work / f"ingested-{len(days)}-{scale}.duckdb"
    if warehouse.exists():
        return warehouse
    landing = work / f"landing-{len(days)}-{scale}"
    if not landing.exists():
        generate(landing, days[0], days[-1] + timedelta(days=1), scale=scale)
    contract = load_contract()
    building = warehouse.with_suffix(".building")
    building.unlink(missing_ok=True)
    con = connect(building, ZONE)
    ensure_schema(con, contract)
    for reference in contract.references.values():
        ingest_reference(con, contract, reference, landing, ZONE)
    for source in contract.sources.values():
        ingest_days(con, contract, source, landing, days, ZONE)
    con.close()
    building.rename(warehouse)
    return warehouse


def main(days: int = 1000, scale: float = 0.02, work_dir: str | None = None) -> None:
    work = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="lodestar-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    all_days = [START + timedelta(days=i) for i in range(days)]
    warehouse = prepare(work, all_days, scale)
    copy = work / "checked.duckdb"
    shutil.copy(warehouse, copy)  # the checks never write raw, but keep the cache pristine
    con = connect(copy, ZONE)
    gx_runner.gx_context()  # import GX outside the timing
    contract = load_contract()
    wall = cpu = 0.0
    for name in [*contract.sources, *contract.references]:
        rows = con.execute(f"select count(*) from raw.{name}").fetchone()[0]
        started, started_cpu = time.perf_counter(), time.process_time()
        if name in contract.sources:
            outcomes = check_source_partitions(con, name, all_days)
        else:
            outcomes = check_reference(con, name)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - started_cpu
        wall, cpu = wall + seconds, cpu + cpu_seconds
        failed = sum(not o.passed for o in outcomes)
        print(
            f"{name:<18} {rows:>9,} rows {len(outcomes):>5} partitions "
            f"{seconds:6.2f} s (cpu {cpu_seconds:5.2f} s)  {failed} not passed"
        )
    print(f"all sources and references: {wall:.2f} s (cpu {cpu:.2f} s)")
    con.close()
    if not work_dir:
        shutil.rmtree(work)


if __name__ == "__main__":
    args = sys.argv[1:]
    main(
        int(args[0]) if args else 1000,
        float(args[1]) if len(args) > 1 else 0.02,
        args[2] if len(args) > 2 else None,
    )
