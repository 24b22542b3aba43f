"""`make bench`: what a backfill and a daily run cost, against plain DuckDB.

For each scale factor (default 0.1 and 1; 1 is about 10M landing rows over
the range), in one go:

1. demo landing files for 2024-01-01..END (cached under data/bench/landing/);
2. the hand-written baseline (benchmarks/baseline.sql) over the extracts up to
   END-1;
3. the pipeline's backfill 2024-01-01..END-1 as one run, then the daily run
   for END on top of it (about 3 years of history);
4. the same on one year: backfill 2024-01-01..2024-12-30, daily run 2024-12-31;
5. with `--engines duckdb spark` (the default), the 3-year backfill and daily
   run again with the KPI and OKR models on Spark (LODESTAR_ENGINE=spark,
   local mode; docs/spark.md).

Each phase runs in its own process (benchmarks/bench_child.py): wall time and
peak RSS (os.wait4, the process and the dbt processes it waited for) are its
own. It prints a table per scale and the ratios, and writes them into
docs/benchmarks.md between the scale's markers. Not a test: it asserts no time.

    .venv/bin/python benchmarks/bench.py [--scales 0.1 1] [--end 2026-11-30] [--engines duckdb spark]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "data" / "bench"
DOC = REPO / "docs" / "benchmarks.md"
START = date(2024, 1, 1)
PYTHON = sys.executable


@dataclass
class Phase:
    name: str
    seconds: float
    peak_mb: float
    cpu: float = 0.0  # user + system seconds of the process and the children it waited for
    rows: int | None = None
    detail: dict = field(default_factory=dict)
    load: float = 0.0  # 1-minute load average when the phase started


def _child(name: str, args: list[str], log: Path, engine: str = "duckdb") -> Phase:
    """Run a phase in its own process; its stdout's last line is its JSON."""
    load = os.getloadavg()[0]
    out = log.with_suffix(".json")
    started = time.perf_counter()
    env = {**os.environ, "LODESTAR_ENGINE": engine}
    with out.open("w") as stdout, log.open("w") as stderr:
        process = subprocess.Popen([PYTHON, *args], stdout=stdout, stderr=stderr, cwd=REPO, env=env)
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    lines = out.read_text().strip().splitlines()
    if os.waitstatus_to_exitcode(status) != 0 or not lines:
        tail = "\n".join(log.read_text().splitlines()[-30:])
        raise SystemExit(f"bench: phase {name} failed (log {log}):\n{tail}")
    detail = json.loads(lines[-1])
    cpu = usage.ru_utime + usage.ru_stime
    phase = Phase(name, seconds, usage.ru_maxrss / 1024, cpu, detail.get("rows"), detail, load)
    rate = f", {phase.rows / seconds:,.0f} rows/s" if phase.rows else ""
    print(
        f"  {name:<34} {seconds:8.1f} s (CPU {cpu:7.1f} s)  peak {phase.peak_mb:7,.0f} MB{rate}", flush=True
    )
    return phase


def landing_for(scale: float, end: date) -> tuple[Path, Phase | None]:
    """Cached demo landing files; generated (and timed) when missing or incomplete."""
    landing = BENCH / "landing" / f"sf{scale:g}-{START}-{end}"
    done = landing.with_name(landing.name + ".complete")  # beside it: the landing zone holds only sources
    if done.exists():
        return landing, None
    shutil.rmtree(landing, ignore_errors=True)
    landing.mkdir(parents=True)
    log = BENCH / f"generate-sf{scale:g}.log"
    env = {**os.environ, "LODESTAR_LANDING": str(landing)}
    print(f"  generating SF{scale:g} landing files into {landing} (cached for the next run)", flush=True)
    started = time.perf_counter()
    command = [PYTHON, "-m", "pipelines.cli", "generate", "--start", str(START), "--end", str(end)]
    with log.open("w") as out:
        subprocess.run(
            [*command, "--scale", str(scale)], env=env, stdout=out, stderr=out, cwd=REPO, check=True
        )
    phase = Phase("generate landing", time.perf_counter() - started, 0.0)
    done.write_text(f"generated in {phase.seconds:.0f} s\n")
    return landing, phase


def compare_with_baseline(published: Path, baseline: Path) -> str:
    """Per KPI: baseline rows equal to the published kpi_values (1e-9 relative), and days whose total differs."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{published}' as pub (read_only)")
        rows = con.execute(
            f"""select b.kpi_id, count(*),
                   count(*) filter (abs(b.value - p.value) <= 1e-9 * greatest(abs(p.value), 1)),
                   count(distinct b.as_of_date) filter (
                       b."window" = 'day' and b.dimension = 'all'
                       and not coalesce(abs(b.value - p.value) <= 1e-9 * greatest(abs(p.value), 1), false)),
                   count(distinct b.as_of_date) filter (b."window" = 'day' and b.dimension = 'all')
                from read_parquet('{baseline}') as b
                left join pub.kpi_values as p using (kpi_id, as_of_date, "window", dimension, dimension_value)
                group by all order by all"""
        ).fetchall()
    finally:
        con.close()
    lines = ["| KPI | baseline rows | equal | days whose day total differs |", "|---|---:|---:|---:|"]
    lines += [f"| {k} | {n:,} | {eq:,} | {bad} of {days} |" for k, n, eq, bad, days in rows]
    return "\n".join(lines) + "\n"


def bench_scale(scale: float, end: date, engines: list[str]) -> dict:
    print(f"SF{scale:g}: 2024-01-01..{end}", flush=True)
    landing, generated = landing_for(scale, end)
    work = BENCH / "runs" / f"sf{scale:g}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    last_backfill_day = end - timedelta(days=1)
    year_end = date(START.year, 12, 31)
    child = str(REPO / "benchmarks" / "bench_child.py")
    parquet = work / "baseline.parquet"
    phases = {
        "baseline": _child(
            "baseline (plain DuckDB SQL)", [child, "baseline", str(landing), str(last_backfill_day), str(parquet)],
            work / "baseline.log",
        ),
    }  # fmt: skip
    for key, label, root, first, last in (
        ("backfill", f"backfill {START}..{last_backfill_day}", "history", START, last_backfill_day),
        ("daily", f"daily run {end}", "history", end, end),
        (
            "backfill_1y",
            f"backfill {START}..{year_end - timedelta(days=1)}",
            "year",
            START,
            year_end - timedelta(1),
        ),
        ("daily_1y", f"daily run {year_end} (1y history)", "year", year_end, year_end),
    ):
        args = [child, "pipeline", str(work / root), str(landing), str(first), str(last)]
        phases[key] = _child(label, args, work / f"{key}.log")
    if "spark" in engines:  # the same 3-year history and daily run, models on Spark
        for key, label, first, last in (
            ("backfill_spark", f"backfill {START}..{last_backfill_day} on Spark", START, last_backfill_day),
            ("daily_spark", f"daily run {end} on Spark", end, end),
        ):
            args = [child, "pipeline", str(work / "spark"), str(landing), str(first), str(last)]
            phases[key] = _child(label, args, work / f"{key}.log", engine="spark")
    agreement = compare_with_baseline(work / "history" / "published" / "marts.duckdb", parquet)
    return {
        "scale": scale,
        "end": end,
        "generated": generated,
        "phases": phases,
        "agreement": agreement,
    }


def _ratio(a: Phase, b: Phase) -> str:
    wall = f"{a.seconds / b.seconds:.3f}" if b.seconds else "n/a"
    return f"{wall} | {a.cpu / b.cpu:.3f}" if b.cpu else f"{wall} | n/a"


def render(result: dict) -> str:
    p = result["phases"]
    years = f"{round((result['end'] - START).days / 365)}y"
    backfill_rows = p["backfill"].rows or 0
    lines = [
        f"### SF{result['scale']:g} ({backfill_rows:,} landing rows {START}..{result['end'] - timedelta(1)}, "
        f"measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores)",
        "",
        "| phase | wall s | CPU s | peak RSS MB | rows/s | load at start | pipeline steps (s) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for phase in p.values():
        rate = f"{phase.rows / phase.seconds:,.0f}" if phase.rows else ""
        steps = ", ".join(f"{n} {s}" for n, s in phase.detail.get("phases", []))
        lines.append(
            f"| {phase.name} | {phase.seconds:.1f} | {phase.cpu:.1f} | {phase.peak_mb:,.0f} | {rate} "
            f"| {phase.load:.1f} | {steps} |"
        )
    if result["generated"]:
        lines.append(
            f"| (generating the landing files, cached) | {result['generated'].seconds:.1f} | | | | | |"
        )
    lines += [
        "",
        "| ratio | wall | CPU |",
        "|---|---:|---:|",
        f"| daily / backfill ({years} history) | {_ratio(p['daily'], p['backfill'])} |",
        f"| backfill / plain DuckDB baseline | {_ratio(p['backfill'], p['baseline'])} |",
        f"| daily on {years} / daily on 1y history | {_ratio(p['daily'], p['daily_1y'])} |",
        f"| daily / backfill (1y history) | {_ratio(p['daily_1y'], p['backfill_1y'])} |",
        *(
            [
                f"| backfill on Spark / on DuckDB | {_ratio(p['backfill_spark'], p['backfill'])} |",
                f"| daily run on Spark / on DuckDB | {_ratio(p['daily_spark'], p['daily'])} |",
            ]
            if "backfill_spark" in p
            else []
        ),
        "",
        "The baseline against the published kpi_values of the backfill plus the daily run (a day total "
        "differs where the contract quarantined rows, the demo's defects, or where a KPI is stale and "
        "keeps its last good value, the demo's web-traffic incident):",
        "",
        result["agreement"],
    ]
    return "\n".join(lines) + "\n"


def write_doc(scale: float, text: str) -> None:
    begin, end = f"<!-- bench sf{scale:g} begin -->", f"<!-- bench sf{scale:g} end -->"
    doc = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    block = f"{begin}\n{text}{end}"
    if begin in doc and end in doc:
        doc = doc[: doc.index(begin)] + block + doc[doc.index(end) + len(end) :]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(doc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 1.0])
    parser.add_argument(
        "--end", type=date.fromisoformat, default=date(2026, 11, 30), help="the daily run's day"
    )
    parser.add_argument("--engines", nargs="+", choices=["duckdb", "spark"], default=["duckdb", "spark"])
    args = parser.parse_args()
    for scale in args.scales:
        text = render(bench_scale(scale, args.end, args.engines))
        print(text, flush=True)
        write_doc(scale, text)
        print(f"bench: SF{scale:g} written to {DOC.relative_to(REPO)}", flush=True)


if __name__ == "__main__":
    main()
