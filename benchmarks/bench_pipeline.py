"""Pipeline benchmark: ingestion rows/s, a one-year single-run backfill, one
daily run, and single-run versus run-per-day for the same week, all measured
side by side in one process on fresh directories. Not a test: it prints.

    .venv/bin/python benchmarks/bench_pipeline.py [--scale 0.02] [--year 2025]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from lodestar_demo import generate
from pipelines.config import REPO_ROOT, Settings
from pipelines.runner import execute_range
from pipelines.sources.contract import load_contract
from pipelines.sources.ingest import ensure_schema, ingest_days, ingest_reference
from pipelines.warehouse import connect


def settings_for(root: Path, landing: Path, start: date) -> Settings:
    okrs = root / "okrs"
    okrs.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "okrs" / "kpis.yml", okrs)
    return Settings(
        landing=landing,
        warehouse=root / "warehouse" / "lodestar.duckdb",
        published=root / "published",
        okrs=okrs,
        start_date=start,
        timezone="UTC",
    )


def timed(label: str, results: list, fn):
    started = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - started
    results.append((label, seconds))
    print(f"{label:<55} {seconds:8.1f} s", flush=True)
    return value


def run(settings: Settings, start: date, end: date) -> None:
    result = execute_range(settings, start, end)
    if not result.success:
        raise SystemExit(f"run {start}..{end} failed")


def bench_ingest(settings: Settings, days: list[date]) -> None:
    contract = load_contract()
    con = connect(settings.warehouse, settings.timezone)
    ensure_schema(con, contract)
    for reference in contract.references.values():
        ingest_reference(con, contract, reference, settings.landing, settings.timezone)
    total_rows, total_seconds = 0, 0.0
    for source in contract.sources.values():
        started = time.perf_counter()
        results = ingest_days(con, contract, source, settings.landing, days, settings.timezone)
        seconds = time.perf_counter() - started
        rows = sum(r.rows_read for r in results)
        total_rows, total_seconds = total_rows + rows, total_seconds + seconds
        print(f"  ingest {source.name:<18} {rows:>9,} rows {seconds:6.2f} s {rows / seconds:>10,.0f} rows/s")
    con.close()
    print(
        f"  ingest all sources      {total_rows:>9,} rows {total_seconds:6.2f} s {total_rows / total_seconds:>10,.0f} rows/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    first, last = date(args.year, 1, 1), date(args.year, 12, 31)
    root = Path(tempfile.mkdtemp(prefix="lodestar-bench-"))
    landing = root / "landing"
    results: list[tuple[str, float]] = []
    counts = timed(
        f"generate {first}..{last + timedelta(days=1)} at scale {args.scale}",
        results,
        lambda: generate(landing, first, last + timedelta(days=1), scale=args.scale),
    )
    print(f"  {sum(counts.values()):,} landing rows")

    print("ingestion alone (no Dagster, no checks):")
    bench_ingest(
        settings_for(root / "ingest", landing, first), [first + timedelta(days=i) for i in range(365)]
    )

    year = settings_for(root / "year", landing, first)
    timed(f"one-year single-run backfill {first}..{last}", results, lambda: run(year, first, last))
    next_day = last + timedelta(days=1)
    timed(f"one daily run ({next_day}) on top of the year", results, lambda: run(year, next_day, next_day))

    week_start = last - timedelta(days=6)
    base = settings_for(root / "base", landing, first)
    timed(
        f"prepare: backfill {first}..{week_start - timedelta(days=1)}",
        results,
        lambda: run(base, first, week_start - timedelta(days=1)),
    )
    single = settings_for(root / "single", landing, first)
    daily = settings_for(root / "daily", landing, first)
    for target in (single, daily):
        shutil.copytree(base.warehouse.parent, target.warehouse.parent)
        shutil.copytree(base.published, target.published)
    one = timed(f"week {week_start}..{last} as one run", results, lambda: run(single, week_start, last))
    del one

    def per_day():
        for offset in range(7):
            day = week_start + timedelta(days=offset)
            run(daily, day, day)

    timed(f"week {week_start}..{last} as seven daily runs", results, per_day)
    seconds = dict(results)
    ratio = (
        seconds[f"week {week_start}..{last} as seven daily runs"]
        / seconds[f"week {week_start}..{last} as one run"]
    )
    print(f"single-run backfill is {ratio:.1f}x faster than run-per-day for one week")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
