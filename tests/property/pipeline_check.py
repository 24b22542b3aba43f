"""What the property tests read from the published marts, and how they judge it."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb

from tests.property.reference import Key

REL_TOL = 1e-9
ABS_TOL = 1e-9  # values that cancel to ~0 (a variance, a margin) have no relative precision


def _query(marts: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(marts), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def published_kpi_values(marts: Path) -> dict[Key, float]:
    rows = _query(
        marts, 'select kpi_id, as_of_date, "window", dimension, dimension_value, value from kpi_values'
    )
    return {tuple(row[:5]): row[5] for row in rows}


def pipeline_problems(marts: Path, files: dict[tuple[str, date], int], start: date, end: date) -> list[str]:
    """Blocked partitions, failed checks, stale KPIs, and quarantine counts that
    do not reconcile with the rows each landing file holds (all should be none)."""
    problems = []
    summary = {
        (source, day): (read, accepted, quarantined, status, reason)
        for source, day, read, accepted, quarantined, status, reason in _query(
            marts,
            """select source, extract_date, rows_read, rows_accepted, rows_quarantined, status, top_reason
               from quarantine_summary""",
        )
    }
    for (source, day), (read, accepted, quarantined, status, reason) in sorted(
        summary.items(), key=lambda item: (item[0][0], item[0][1] or date.min)
    ):
        if read != accepted + quarantined:
            problems.append(
                f"{source} {day}: rows_read {read} != accepted {accepted} + quarantined {quarantined}"
            )
        if quarantined or status == "blocked":
            problems.append(f"{source} {day}: {status}, {quarantined} of {read} rows quarantined: {reason}")
    for (source, day), rows in sorted(files.items()):
        logged = summary.get((source, day))
        if logged is None or logged[0] != rows:
            problems.append(f"{source} {day}: the file has {rows} rows, quarantine_summary says {logged}")
    for check, day, reason in _query(
        marts,
        """select check_name, partition_date, reason from dq_results
           where not passed and severity = 'error' order by all""",
    ):
        problems.append(f"check {check} {day} failed: {reason}")
    for kpi, n, first, reason in _query(
        marts,
        f"""select kpi_id, count(*), min(as_of_date), any_value(reason) from kpi_status
            where status <> 'published' and as_of_date between '{start}' and '{end}'
            group by kpi_id order by kpi_id""",
    ):
        problems.append(f"KPI {kpi} not published on {n} day(s) from {first}: {reason}")
    return problems


def _describe(key: Key) -> str:
    kpi, day, window, dimension, value = key
    return f"{kpi} {day} {window} {dimension}={value}"


def differences(expected: dict[Key, float], published: dict[Key, float]) -> list[str]:
    """Every value that differs, or exists on one side only; a per-KPI count first."""
    lines = []
    for key in sorted(expected.keys() | published.keys(), key=lambda k: tuple(map(str, k))):
        want, got = expected.get(key), published.get(key)
        if want is None:
            lines.append((key[0], f"{_describe(key)}: published {got!r}, the reference has no row"))
        elif got is None:
            lines.append((key[0], f"{_describe(key)}: reference {want!r}, not published"))
        elif not math.isclose(got, want, rel_tol=REL_TOL, abs_tol=ABS_TOL):
            lines.append((key[0], f"{_describe(key)}: reference {want!r}, published {got!r}"))
    if not lines:
        return []
    per_kpi = Counter(kpi for kpi, _ in lines)
    head = "differences per KPI: " + ", ".join(f"{k} {n}" for k, n in sorted(per_kpi.items()))
    # a few lines of every KPI rather than the first 40 of one
    shown, seen = [], Counter()
    for kpi, line in lines:
        seen[kpi] += 1
        if seen[kpi] <= 4:
            shown.append(line)
    return [head, *shown]
