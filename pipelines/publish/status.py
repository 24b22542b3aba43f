"""What the published marts say about publication and quality (`lodestar status`)."""

from __future__ import annotations

import json
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


def status_report(marts: Path, day: date | None = None) -> dict:
    """Publication and quality status per KPI on `day` (default: the latest loaded day)."""
    con = _open(marts)
    try:
        latest = con.execute("select max(as_of_date) from kpi_status").fetchone()[0]
        day = day or latest
        rows = con.execute(
            """
            select s.kpi_id, c.name, s.status, s.stale_since, s.reason, s.note,
                   (select max(as_of_date) from kpi_status p
                     where p.kpi_id = s.kpi_id and p.status = 'published' and p.as_of_date <= s.as_of_date)
                       as last_published
            from kpi_status s
            left join kpi_catalog c using (kpi_id)
            where s.as_of_date = ?
            order by s.status desc, s.kpi_id
            """,
            [day],
        ).fetchall()
        checks = con.execute(
            """select count(*), count(*) filter (where not passed and severity = 'error'),
                      count(*) filter (where not passed and severity = 'warning')
               from dq_results"""
        ).fetchone()
        quarantined = con.execute(
            "select coalesce(sum(rows_quarantined), 0) from quarantine_summary"
        ).fetchone()[0]
    finally:
        con.close()
    names = ("kpi_id", "name", "status", "stale_since", "reason", "note", "last_published")
    return {
        "date": day,
        "latest_loaded_day": latest,
        "published_marts": str(marts),
        "kpis": [dict(zip(names, row, strict=True)) for row in rows],
        "checks": {"recorded": checks[0], "failed": checks[1], "warnings": checks[2]},
        "rows_quarantined": quarantined,
    }


def render_status(marts: Path, day: date | None = None, as_json: bool = False) -> tuple[str, int]:
    """`lodestar status`: the text (or JSON) to print and the exit status (2 when a KPI is stale)."""
    if not marts.exists():
        return f"lodestar: nothing published yet ({marts} does not exist); run `lodestar run`", 1
    report = status_report(marts, day)
    if not report["kpis"]:
        return (
            f"lodestar: no KPI status for {report['date']} in {marts} "
            f"(loaded days end on {report['latest_loaded_day']})",
            1,
        )
    code = 2 if any(k["status"] == "stale" for k in report["kpis"]) else 0
    if as_json:
        return json.dumps(report, default=str, indent=2), code
    lines = [f"KPI status on {report['date']} (from {marts})", ""]
    lines.append(f"{'KPI':<30} {'status':<10} {'last published':<15} reason")
    for k in report["kpis"]:
        if k["status"] == "stale":
            detail = f"stale since {k['stale_since']}: {k['reason']}"
        else:
            detail = f"note: {k['note']}" if k["note"] else ""
        lines.append(f"{k['kpi_id']:<30} {k['status']:<10} {str(k['last_published'] or '-'):<15} {detail}")
    checks = report["checks"]
    lines += [
        "",
        f"checks recorded: {checks['recorded']}, failed: {checks['failed']}, warnings: {checks['warnings']}; "
        f"rows quarantined: {report['rows_quarantined']}",
    ]
    return "\n".join(lines), code
