"""What the published marts say about publication and quality (`lodestar status`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def run_summary(marts: Path, start: date, end: date) -> list[str]:
    """Blocked source partitions and stale KPIs of [start, end], one line each."""
    con = _open(marts)
    try:
        blocked = con.execute(
            """select asset, partition_date, reason from dq_results
               where not passed and severity = 'error'
                 and (partition_date between ? and ? or partition_date is null)
               order by asset, partition_date""",
            [start, end],
        ).fetchall()
        stale = con.execute(
            """select kpi_id, count(*), min(as_of_date), max(as_of_date), arg_max(reason, as_of_date)
               from kpi_status where status = 'stale' and as_of_date between ? and ?
               group by kpi_id order by kpi_id""",
            [start, end],
        ).fetchall()
    finally:
        con.close()
    lines = [f"blocked {asset} {day or '(reference)'}: {reason}" for asset, day, reason in blocked]
    lines += [f"stale {kpi} on {n} day(s) {first}..{last}: {reason}" for kpi, n, first, last, reason in stale]
    return lines


def render_status(marts: Path) -> tuple[str, int]:
    if not marts.exists():
        return f"lodestar: nothing published yet ({marts} does not exist); run `lodestar run`", 1
    con = _open(marts)
    try:
        rows = con.execute(
            """
            with latest as (select max(as_of_date) as day from kpi_status)
            select s.kpi_id, c.name, s.status, s.stale_since, s.reason, s.note,
                   (select max(as_of_date) from kpi_status p
                     where p.kpi_id = s.kpi_id and p.status = 'published') as last_published
            from kpi_status s
            join latest on s.as_of_date = latest.day
            left join kpi_catalog c using (kpi_id)
            order by s.status desc, s.kpi_id
            """
        ).fetchall()
        checks = con.execute(
            """select count(*), count(*) filter (where not passed and severity = 'error'),
                      count(*) filter (where not passed and severity = 'warning')
               from dq_results"""
        ).fetchone()
        quarantined = con.execute(
            "select coalesce(sum(rows_quarantined), 0) from quarantine_summary"
        ).fetchone()[0]
        day = con.execute("select max(as_of_date) from kpi_status").fetchone()[0]
    finally:
        con.close()
    lines = [f"KPI status on {day} (from {marts})", ""]
    lines.append(f"{'KPI':<30} {'status':<10} {'last published':<15} reason")
    for kpi_id, _name, status, stale_since, reason, note, last_published in rows:
        detail = (
            f"stale since {stale_since}: {reason}" if status == "stale" else (f"note: {note}" if note else "")
        )
        lines.append(f"{kpi_id:<30} {status:<10} {str(last_published or '-'):<15} {detail}")
    lines += [
        "",
        f"checks recorded: {checks[0]}, failed: {checks[1]}, warnings: {checks[2]}; rows quarantined: {quarantined}",
    ]
    stale = sum(1 for r in rows if r[2] == "stale")
    return "\n".join(lines), 2 if stale else 0
