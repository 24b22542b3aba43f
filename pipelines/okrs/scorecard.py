"""The OKR scorecard for a terminal (`lodestar scorecard [--date D]`).

Reads only the published marts file, with a read-only connection: the
okr_scorecard mart for the latest loaded day, or, for another day, the same
rows computed from okr_objectives, okr_key_results, kr_progress_daily and
objective_progress_daily (the mirror of the dbt model okr_scorecard).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

OKR_TABLES = ("okr_objectives", "okr_key_results", "kr_progress_daily", "objective_progress_daily")

STATUS_LABELS = {
    "achieved": "achieved",
    "on_track": "on track",
    "at_risk": "at risk",
    "off_track": "off track",
    "no_data": "no data",
    "not_started": "not started",
}
STATUS_ORDER = ("achieved", "on_track", "at_risk", "off_track", "no_data", "not_started")

COLUMNS = (
    "item_type, item_id, parent_id, objective_id, title, owner, depth, path, sort_key, "
    "period_start, period_end, scored_on, kpi_id, kpi_window, filter_dimension, filter_value, kr_type, "
    "weight, baseline, target, value, progress, score, expected, status, stale_reason, score_change_7d"
)

# The rows of okr_scorecard for any day $as_of (keep in step with
# dbt_project/models/okrs/okr_scorecard.sql). Table names are filled in from the
# published file's own catalog; the day is a bound parameter.
_SCORECARD_AT = """
with objectives as (select * from {okr_objectives}),
key_results as (select * from {okr_key_results} where revision = 0),
kr_daily as (select * from {kr_progress_daily}),
objective_daily as (select * from {objective_progress_daily}),
kr_last as (
    select * from kr_daily where as_of_date <= $as_of
    qualify row_number() over (partition by kr_id order by as_of_date desc) = 1
),
objective_last as (
    select * from objective_daily where as_of_date <= $as_of
    qualify row_number() over (partition by objective_id order by as_of_date desc) = 1
),
objective_rows as (
    select
        'objective' as item_type, o.objective_id as item_id, o.parent_objective_id as parent_id,
        o.objective_id, o.title, o.owner, o.depth, o.path, o.sort_key, o.period_start, o.period_end,
        l.as_of_date as scored_on, null::varchar as kpi_id, null::varchar as kpi_window,
        null::varchar as filter_dimension, null::varchar as filter_value, null::varchar as kr_type,
        o.weight, null::double as baseline, null::double as target, null::double as value,
        null::double as progress, l.score,
        case when l.objective_id is null and $as_of < o.period_start then 0.0 else l.expected end as expected,
        case when l.objective_id is not null then l.status
             when $as_of < o.period_start then 'not_started' else 'no_data' end as status,
        null::varchar as stale_reason,
        l.score - prev.score as score_change_7d
    from objectives as o
    left join objective_last as l on l.objective_id = o.objective_id
    left join objective_daily as prev
        on prev.objective_id = o.objective_id and prev.as_of_date = l.as_of_date - 7
),
kr_rows as (
    select
        'key_result' as item_type, kr.kr_id as item_id, kr.objective_id as parent_id,
        kr.objective_id, kr.title, o.owner, o.depth + 1 as depth, o.path || ' > ' || kr.kr_id as path,
        o.sort_key || '.0' || lpad(cast(kr.sort_order as varchar), 6, '0') as sort_key,
        kr.period_start, kr.period_end, l.as_of_date as scored_on, kr.kpi_id, kr.kpi_window,
        kr.filter_dimension, kr.filter_value, kr.kr_type, kr.weight, kr.baseline,
        coalesce(l.target, kr.target) as target, l.value, l.progress, l.score,
        case when l.kr_id is null and $as_of < kr.period_start then 0.0 else l.expected end as expected,
        case when l.kr_id is not null then l.status
             when $as_of < kr.period_start then 'not_started' else 'no_data' end as status,
        l.stale_reason,
        l.score - prev.score as score_change_7d
    from key_results as kr
    left join objectives as o on o.objective_id = kr.objective_id
    left join kr_last as l on l.kr_id = kr.kr_id
    left join kr_daily as prev on prev.kr_id = kr.kr_id and prev.as_of_date = l.as_of_date - 7
)
select {columns} from objective_rows
union all
select {columns} from kr_rows
order by sort_key
"""


class ScorecardError(RuntimeError):
    """The published file is missing or has no OKR marts."""


@dataclass
class Item:
    row: dict[str, Any]
    children: list[Item] = field(default_factory=list)

    @property
    def is_objective(self) -> bool:
        return self.row["item_type"] == "objective"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _locate(con, tables: tuple[str, ...]) -> dict[str, str]:
    """Qualified names of the given tables in the published file (any schema, main first)."""
    found: dict[str, str] = {}
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = current_database() "
        "order by case table_schema when 'main' then 0 else 1 end, table_schema"
    ).fetchall()
    for schema, name in rows:
        if name in tables and name not in found:
            found[name] = f"{_quote(schema)}.{_quote(name)}"
    return found


def scorecard_rows(con, as_of: date | None) -> tuple[date | None, list[dict[str, Any]]]:
    """(the scorecard's day, its rows in tree order) from a published-marts connection."""
    where = _locate(con, (*OKR_TABLES, "okr_scorecard", "kpi_status"))
    missing = [t for t in OKR_TABLES if t not in where]
    if missing:
        raise ScorecardError(f"the published marts have no OKR tables ({', '.join(missing)} missing)")
    if as_of is None:
        if "okr_scorecard" in where:
            day = con.execute(f"select max(as_of_date) from {where['okr_scorecard']}").fetchone()[0]
            if day is not None:
                cur = con.execute(f"select {COLUMNS} from {where['okr_scorecard']} order by sort_key")
                names = [d[0] for d in cur.description]
                return day, [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        source = where.get("kpi_status", where["kr_progress_daily"])
        as_of = con.execute(f"select max(as_of_date) from {source}").fetchone()[0]
        if as_of is None:
            as_of = date.today()
    sql = _SCORECARD_AT.format(columns=COLUMNS, **{t: where[t] for t in OKR_TABLES})
    cur = con.execute(sql, {"as_of": as_of})
    names = [d[0] for d in cur.description]
    return as_of, [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


# --------------------------------------------------------------------------- formatting


def _units(con) -> dict[str, str]:
    where = _locate(con, ("kpi_catalog",))
    if "kpi_catalog" not in where:
        return {}
    try:
        return dict(con.execute(f"select id, unit from {where['kpi_catalog']}").fetchall())
    except duckdb.Error:
        try:
            return dict(con.execute(f"select kpi_id, unit from {where['kpi_catalog']}").fetchall())
        except duckdb.Error:
            return {}


def _compact(x: float) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:.3g}{suffix}" if abs(x) / size < 100 else f"{x / size:.0f}{suffix}"
    return f"{x:.4g}"


def format_value(value: float | None, unit: str | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "percent":  # fractions: 0.923 -> 92.3%, small rates keep two decimals (1.54%)
        return f"{value * 100:.2f}%" if abs(value) < 0.1 else f"{value * 100:.1f}%"
    if unit == "usd":
        return ("-$" if value < 0 else "$") + _compact(abs(value))
    if unit == "hours":
        return f"{value:.1f} h"
    if unit == "days":
        return f"{value:.1f} days"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "fte":
        return f"{value:,.1f} FTE"
    if unit == "score":
        return f"{value:.1f}"
    return _compact(value)


def format_pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.0f}%"


def format_trend(change: float | None) -> str:
    if change is None:
        return ""
    points = change * 100
    if abs(points) < 0.05:
        return "▬ 0.0"
    return f"{'▲' if points > 0 else '▼'} {points:+.1f}".replace("-", "−")


def _truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _tree(rows: list[dict[str, Any]]) -> list[Item]:
    objectives = {r["item_id"]: Item(r) for r in rows if r["item_type"] == "objective"}
    roots: list[Item] = []
    for r in rows:  # rows are in sort_key order: KRs first, then child objectives
        if r["item_type"] == "objective":
            parent = objectives.get(r["parent_id"]) if r["parent_id"] is not None else None
            (parent.children if parent else roots).append(objectives[r["item_id"]])
        else:
            parent = objectives.get(r["objective_id"])
            (parent.children if parent else roots).append(Item(r))
    return roots


LEFT = 62


def _kr_detail(row: dict[str, Any], units: dict[str, str]) -> str:
    unit = units.get(row["kpi_id"])
    what = f"{row['kpi_id']} {row['kpi_window']}"
    if row["filter_dimension"] is not None:
        what += f" [{row['filter_dimension']}={row['filter_value']}]"
    target = format_value(row["target"], unit)
    kind = {"increase": "↑", "decrease": "↓", "stay_above": "≥", "stay_below": "≤"}.get(row["kr_type"], "")
    text = f"{what} · {format_value(row['value'], unit)} vs target {kind} {target}"
    if row["baseline"] is not None:
        text += f" (baseline {format_value(row['baseline'], unit)})"
    if row["status"] == "no_data":
        text += f" · no data: {row['stale_reason'] or 'no published value'}"
    elif row["status"] == "not_started":
        text += f" · starts {row['period_start']}"
    return text


def _line(prefix: str, row: dict[str, Any]) -> str:
    marker = "◆" if row["item_type"] == "objective" else "•"
    weight = row["weight"]
    heavy = f" ×{weight:g}" if weight is not None and weight != 1 else ""
    label = _truncate(f"{prefix}{marker} {row['item_id']}{heavy}  {row['title']}", LEFT)
    status = STATUS_LABELS.get(row["status"], row["status"])
    return (
        f"{label:<{LEFT}} {format_pct(row['score']):>6} {format_pct(row['expected']):>9}  "
        f"{status:<11} {format_trend(row['score_change_7d'])}"
    ).rstrip()


def _render_item(item: Item, lead: str, branch: str, out: list[str], units: dict[str, str]) -> None:
    out.append(_line(lead + branch, item.row))
    child_lead = lead + ("" if not branch else ("│  " if branch == "├─ " else "   "))
    if not item.is_objective:
        out.append(f"{child_lead}     {_kr_detail(item.row, units)}")
        # forecast and latest check-in, when published (pipelines/okrs/outlook.py)
        out.extend(f"{child_lead}     {line}" for line in item.row.get("outlook", ()))
    for i, child in enumerate(item.children):
        last = i == len(item.children) - 1
        _render_item(child, child_lead, "└─ " if last else "├─ ", out, units)


def render_rows(day: date | None, rows: list[dict[str, Any]], units: dict[str, str] | None = None) -> str:
    units = units or {}
    out = [f"OKR scorecard as of {day}" if day else "OKR scorecard (no loaded day yet)"]
    if not rows:
        out.append("No OKRs are published.")
        return "\n".join(out) + "\n"
    out.append(f"{'':<{LEFT}} {'score':>6} {'expected':>9}  {'status':<11} 7-day trend (points)")
    for root in _tree(rows):
        r = root.row
        period = f"{r['period_start']} → {r['period_end']}"
        if r["scored_on"] is not None and r["scored_on"] != day:
            period += f", scored on {r['scored_on']}"
        out.append("")
        out.append(f"{r['owner']} · {period}")
        _render_item(root, "", "", out, units)

    krs = [r for r in rows if r["item_type"] == "key_result"]
    counts = {s: sum(1 for r in krs if r["status"] == s) for s in STATUS_ORDER}
    summary = " · ".join(f"{n} {STATUS_LABELS[s]}" for s, n in counts.items() if n)
    out.append("")
    out.append(f"{len(krs)} key results: {summary}")
    return "\n".join(out) + "\n"


def render_scorecard(published_marts_path: Path | str, as_of: date | None = None) -> str:
    """The scorecard as text, from the published marts file only (read-only)."""
    path = Path(published_marts_path)
    if not path.is_file():
        raise ScorecardError(f"no published marts at {path}: run the pipeline (`lodestar run`) first")
    con = duckdb.connect(str(path), read_only=True)
    try:
        day, rows = scorecard_rows(con, as_of)
        units = _units(con)
        from pipelines.okrs.outlook import attach_outlook

        attach_outlook(con, day, rows, units)
    finally:
        con.close()
    return render_rows(day, rows, units)
