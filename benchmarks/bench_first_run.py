"""The first run a new user makes: the demo backfill as `make run` does it,
timed, with the Dagster events it writes counted by type.

Runs `lodestar run` in a child process with a fresh DAGSTER_HOME (so the run is
recorded as in `make run`), for one or more checkouts side by side on the same
landing files, e.g. before and after a change:

    .venv/bin/python benchmarks/bench_first_run.py [--end 2026-11-23] [--scale 0.02] \
        [--checkout OLD_WORKTREE] [--checkout .]

Each checkout's own code runs (PYTHONPATH), with this interpreter. Not a test:
it prints a table and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
START = "2024-01-01"


def generate(landing: Path, end: str, scale: float) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "generate",
            "--start",
            START,
            "--end",
            end,
            "--scale",
            str(scale),
        ],
        cwd=REPO,
        env={**os.environ, "LODESTAR_LANDING": str(landing)},
        check=True,
        stdout=subprocess.DEVNULL,
    )


def first_run(checkout: Path, landing: Path, root: Path, end: str) -> dict:
    home = root / "dagster_home"
    home.mkdir(parents=True)
    instance_yaml = checkout / "dagster_instance.yaml"
    if instance_yaml.exists():
        shutil.copy(instance_yaml, home / "dagster.yaml")
    okrs = root / "okrs"
    shutil.copytree(checkout / "okrs", okrs)
    env = {
        **os.environ,
        "PYTHONPATH": str(checkout),
        "DAGSTER_HOME": str(home),
        "LODESTAR_LANDING": str(landing),
        "LODESTAR_WAREHOUSE": str(root / "warehouse" / "lodestar.duckdb"),
        "LODESTAR_PUBLISHED": str(root / "published"),
        "LODESTAR_OKRS": str(okrs),
        "LODESTAR_START_DATE": START,
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--start", START, "--end", end],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "checkout": checkout,
        "exit": done.returncode,
        "seconds": seconds,
        "cpu": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        "peak_rss_mib": after.ru_maxrss / 1024,
        "events": count_events(home),
        "output_lines": len((done.stdout + done.stderr).splitlines()),
        "marts": mart_hashes(root / "published" / "marts.duckdb"),
    }


# Columns that say when or by which run something was written: they differ between any two runs.
RUN_COLUMNS = ("published_at", "run_id", "recorded_at", "checked_at", "loaded_at", "generated_at")


def mart_hashes(path: Path) -> dict[str, str]:
    """Each published table's content as an order-independent hash (run stamps left out)."""
    import duckdb

    if not path.exists():
        return {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        hashes = {}
        for (table,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main' order by 1"
        ).fetchall():
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = 'main' and table_name = ?"
                    " order by column_index",
                    [table],
                ).fetchall()
                if c not in RUN_COLUMNS
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            count, total = con.execute(f'select count(*), sum(hash({listed})) from "{table}"').fetchone()
            hashes[table] = f"{count} rows, {total}"
        return hashes
    finally:
        con.close()


def count_events(home: Path) -> Counter:
    """Every event the run stored in the instance, by type."""
    code = (
        "import collections, dagster as dg, json\n"
        "i = dg.DagsterInstance.get()\n"
        "c = collections.Counter()\n"
        "for r in i.get_runs():\n"
        "    for e in i.all_logs(r.run_id):\n"
        "        c[e.dagster_event.event_type_value if e.is_dagster_event else 'LOG_MESSAGE'] += 1\n"
        "print(json.dumps(c))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
        check=True,
    )
    return Counter(json.loads(out.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--end", default="2026-11-23")
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument(
        "--checkout", type=Path, action="append", help="a checkout to run (default: this one)"
    )
    args = parser.parse_args()
    checkouts = [c.resolve() for c in (args.checkout or [REPO])]
    with tempfile.TemporaryDirectory(prefix="lodestar-first-run-") as tmp:
        landing = Path(tmp) / "landing"
        generate(landing, args.end, args.scale)
        rows = [first_run(c, landing, Path(tmp) / f"run{i}", args.end) for i, c in enumerate(checkouts)]
    kinds = sorted({k for r in rows for k in r["events"]}, key=lambda k: -max(r["events"][k] for r in rows))
    print(f"demo {START}..{args.end} at scale {args.scale}, one `lodestar run` per checkout, side by side\n")
    print(f"| | {' | '.join(str(r['checkout']) for r in rows)} |")
    print(f"|---|{'---|' * len(rows)}")
    for label, key, fmt in [
        ("exit status", "exit", "{}"),
        ("wall time (s)", "seconds", "{:.1f}"),
        ("CPU time (s)", "cpu", "{:.1f}"),
        ("peak RSS (MiB)", "peak_rss_mib", "{:.0f}"),
        ("lines printed", "output_lines", "{}"),
    ]:
        print(f"| {label} | {' | '.join(fmt.format(r[key]) for r in rows)} |")
    print(f"| Dagster events, all | {' | '.join(str(sum(r['events'].values())) for r in rows)} |")
    for kind in kinds:
        print(f"| {kind} | {' | '.join(str(r['events'].get(kind, 0)) for r in rows)} |")
    if len(rows) > 1:
        tables = sorted({t for r in rows for t in r["marts"]})
        same = [t for t in tables if len({r["marts"].get(t) for r in rows}) == 1]
        print(f"\npublished tables with identical content in every checkout: {len(same)} of {len(tables)}")
        for table in tables:
            if table not in same:
                print(f"  differs: {table}: " + " | ".join(r["marts"].get(table, "absent") for r in rows))


if __name__ == "__main__":
    main()
