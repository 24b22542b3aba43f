"""The scorecard report (`lodestar report [--date D]`): one self-contained HTML file.

Made from the published marts only (read-only connection), for a day D (default:
the latest loaded day):

- the OKR tree with scores, expected pace, status colours, owners and stale
  reasons (the rows of `lodestar scorecard`, for any day);
- per key result, its KPI over the period with baseline, target in force
  (revisions as steps) and expected pace;
- per KPI, the last 90 days of every window with its slices;
- data quality: stale KPIs and why, quarantined rows per source and day, failed checks.

Charts are Vega-Lite specs rendered by vega-embed; vega, vega-lite and vega-embed
are inlined from the bundle vl-convert ships, so the file opens without network.
Each chart element records whether it rendered (`data-rendered`), which the
browser test reads.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from pipelines.bi import charts
from pipelines.okrs.formats import format_pct, format_value
from pipelines.okrs.published import dict_rows
from pipelines.okrs.scorecard import STATUS_LABELS, ScorecardError, scorecard_rows

TEMPLATE = Path(__file__).with_name("report.html.j2")
KPI_DAYS = 90
MAX_FAILED_CHECKS = 200


@dataclass(frozen=True)
class ReportResult:
    path: Path
    as_of: date
    charts: int
    seconds: float


@cache
def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one script (assigns window.vegaEmbed)."""
    import vl_convert

    return vl_convert.javascript_bundle()


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> list[dict[str, Any]]:
    return dict_rows(con.execute(sql, params or []))


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _round(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.6g}")


# --------------------------------------------------------------------------- data


def _kpis(con) -> list[dict[str, Any]]:
    return _records(
        con,
        """select kpi_id, kpi_name, description, owner, unit, direction, dimensions
           from dim_kpi order by family, kpi_id""",
    )


def _kr_days(con, as_of: date) -> dict[str, list[dict[str, Any]]]:
    """Per key result, one row per day of its period: target in force, value on pace,
    and the published value up to `as_of`."""
    rows = _records(
        con,
        """
        with targets as (
            select kr_id, kr_type, baseline, target, valid_from, valid_to, period_start, period_end
            from okr_key_results
        ),
        days as (
            select kr_id, unnest(generate_series(min(period_start), max(period_end), interval 1 day))::date as d
            from targets group by kr_id
        )
        select
            days.kr_id, days.d, t.target,
            case when t.kr_type in ('increase', 'decrease')
                 then t.baseline + (date_diff('day', t.period_start, days.d) + 1)::double
                      / (date_diff('day', t.period_start, t.period_end) + 1) * (t.target - t.baseline)
                 else t.target end as pace,
            p.value
        from days
        join targets as t on t.kr_id = days.kr_id and days.d between t.valid_from and t.valid_to
        left join kr_progress_daily as p on p.kr_id = days.kr_id and p.as_of_date = days.d and p.as_of_date <= $as_of
        order by days.kr_id, days.d
        """,
        {"as_of": as_of},
    )
    by_kr: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_kr.setdefault(r["kr_id"], []).append(
            {
                "d": r["d"].isoformat(),
                "target": r["target"],
                "pace": _round(r["pace"]),
                "value": _round(r["value"]),
            }
        )
    return by_kr


def _kpi_rows(con, as_of: date) -> dict[str, list[dict[str, Any]]]:
    rows = con.execute(
        """
        select v.kpi_id, v.as_of_date, v."window", v.dimension,
               case when v.dimension = 'all' then 'total' else v.dimension_value end,
               v.value, coalesce(s.status, 'stale') <> 'published'
        from kpi_values as v
        left join kpi_status as s on s.kpi_id = v.kpi_id and s.as_of_date = v.as_of_date
        where v.as_of_date between $first and $as_of
        order by v.kpi_id, v."window", v.dimension, v.dimension_value, v.as_of_date
        """,
        {"first": as_of - timedelta(days=KPI_DAYS - 1), "as_of": as_of},
    ).fetchall()
    by_kpi: dict[str, list[dict[str, Any]]] = {}
    for kpi_id, day, window, dimension, label, value, stale in rows:
        by_kpi.setdefault(kpi_id, []).append(
            {
                "d": day.isoformat(),
                "w": window,
                "dim": dimension,
                "s": label,
                "v": _round(value),
                "st": int(stale),
            }
        )
    return by_kpi


def _kpi_status(con, as_of: date) -> dict[str, dict[str, Any]]:
    rows = _records(
        con,
        """select s.kpi_id, s.status, s.stale_since, s.reason, s.note,
                  (select max(p.as_of_date) from kpi_status as p
                    where p.kpi_id = s.kpi_id and p.status = 'published' and p.as_of_date <= $as_of) as last_published
           from kpi_status as s where s.as_of_date = $as_of""",
        {"as_of": as_of},
    )
    return {r["kpi_id"]: r for r in rows}


def _kpi_headline(con, as_of: date) -> dict[str, float | None]:
    """Each KPI's total, default-window value on the report day."""
    return dict(
        con.execute(
            """select kpi_id, value from kpi_values
               where as_of_date = ? and "window" = ? and dimension = 'all'""",
            [as_of, charts.DEFAULT_WINDOW],
        ).fetchall()
    )


def _quarantine(con, as_of: date) -> list[dict[str, Any]]:
    rows = _records(
        con,
        """select source, extract_date, rows_quarantined, top_reason
           from quarantine_summary
           where rows_quarantined > 0 and extract_date between $first and $as_of
           order by source, extract_date""",
        {"first": as_of - timedelta(days=KPI_DAYS - 1), "as_of": as_of},
    )
    return rows


def _quarantine_reasons(con, as_of: date) -> list[dict[str, Any]]:
    """The commonest reasons per source over the last 90 days (reasons with their
    values stripped after the colon, so that one rule is one line)."""
    return _records(
        con,
        """select source, stage, split_part(reason, ':', 1) as rule, count(*) as rows,
                  min(extract_date) as first_day, max(extract_date) as last_day, any_value(reason) as example
           from quarantine
           where extract_date between $first and $as_of
           group by all order by rows desc, source limit 30""",
        {"first": as_of - timedelta(days=KPI_DAYS - 1), "as_of": as_of},
    )


def _failed_checks(con, as_of: date) -> list[dict[str, Any]]:
    return _records(
        con,
        f"""select check_name, asset, partition_date, severity, unexpected_count, reason
            from dq_results
            where not passed and (partition_date is null or partition_date between $first and $as_of)
            order by severity, partition_date desc nulls first, check_name
            limit {MAX_FAILED_CHECKS}""",
        {"first": as_of - timedelta(days=KPI_DAYS - 1), "as_of": as_of},
    )


# --------------------------------------------------------------------------- assembly


def _latest_day(con) -> date:
    day = con.execute("select max(as_of_date) from kpi_status").fetchone()[0]
    if day is None:
        raise ScorecardError("the published marts hold no loaded day yet: run the pipeline first")
    return day


def build_context(con: duckdb.DuckDBPyConnection, as_of: date | None) -> dict[str, Any]:
    """Everything the template shows, with one Vega-Lite spec per chart."""
    as_of = as_of or _latest_day(con)
    day, rows = scorecard_rows(con, as_of)
    kpis = _kpis(con)
    units = {k["kpi_id"]: k["unit"] for k in kpis}
    kr_days = _kr_days(con, day)
    specs: list[dict[str, Any]] = []

    def add_chart(spec: dict, kind: str, ident: str) -> int:
        specs.append({"id": f"chart-{len(specs)}", "kind": kind, "for": ident, "spec": spec})
        return len(specs) - 1

    items = []
    for r in rows:
        item = {**r, "status_label": STATUS_LABELS.get(r["status"], r["status"])}
        item["color"] = charts.STATUS_COLORS.get(r["status"], "#8c959f")
        item["score_text"] = format_pct(r["score"])
        item["expected_text"] = format_pct(r["expected"])
        if r["item_type"] == "key_result":
            unit = units.get(r["kpi_id"])
            item["value_text"] = format_value(r["value"], unit)
            item["target_text"] = format_value(r["target"], unit)
            item["baseline_text"] = format_value(r["baseline"], unit)
            item["chart"] = add_chart(
                charts.kr_chart(r, kr_days.get(r["item_id"], []), day.isoformat(), unit), "kr", r["item_id"]
            )
        items.append(item)

    status = _kpi_status(con, day)
    headline = _kpi_headline(con, day)
    kpi_rows = _kpi_rows(con, day)
    kpi_cards = []
    for k in kpis:
        dimensions = [d for d in (k["dimensions"] or "").split(",") if d]
        kpi_cards.append(
            {
                **k,
                "status": status.get(k["kpi_id"], {"status": "stale", "reason": "no status for the day"}),
                "value_text": format_value(headline.get(k["kpi_id"]), k["unit"]),
                "chart": add_chart(
                    charts.kpi_chart(k, kpi_rows.get(k["kpi_id"], []), dimensions), "kpi", k["kpi_id"]
                ),
            }
        )

    quarantine = _quarantine(con, day)
    quarantine_chart = None
    if quarantine:
        quarantine_chart = add_chart(
            charts.quarantine_chart(
                [
                    {
                        "source": q["source"],
                        "d": q["extract_date"].isoformat(),
                        "n": q["rows_quarantined"],
                        "reason": q["top_reason"],
                    }
                    for q in quarantine
                ]
            ),
            "quality",
            "quarantine",
        )
    krs = [i for i in items if i["item_type"] == "key_result"]
    return {
        "as_of": day,
        "items": items,
        "kr_counts": [
            (STATUS_LABELS[s], charts.STATUS_COLORS[s], sum(1 for i in krs if i["status"] == s))
            for s in charts.STATUS_COLORS
        ],
        "kpis": kpi_cards,
        "stale": [s for s in status.values() if s["status"] != "published"],
        "notes": [s for s in status.values() if s.get("note")],
        "quarantine_rows": sum(q["rows_quarantined"] for q in quarantine),
        "quarantine_chart": quarantine_chart,
        "quarantine_reasons": _quarantine_reasons(con, day),
        "failed_checks": _failed_checks(con, day),
        "max_failed_checks": MAX_FAILED_CHECKS,
        "kpi_days": KPI_DAYS,
        "specs": specs,
        "windows": charts.WINDOWS,
        "default_window": charts.DEFAULT_WINDOW,
    }


def _spec_json(spec: dict) -> str:
    # inside <script type="application/json">: a "</" would end the element
    return json.dumps(spec, separators=(",", ":"), default=_iso).replace("</", "<\\/")


def render_html(context: dict[str, Any], source: Path) -> str:
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["spec_json"] = _spec_json
    template = env.from_string(TEMPLATE.read_text())
    return template.render(**context, source=source, vega_bundle=vega_bundle())


def report_path(out_dir: Path, as_of: date | None) -> Path:
    """scorecard.html for the latest day; scorecard-<D>.html for a given day."""
    return out_dir / ("scorecard.html" if as_of is None else f"scorecard-{as_of.isoformat()}.html")


def write_report(marts: Path, out_dir: Path, as_of: date | None = None) -> ReportResult:
    """Write the report for `as_of` (default: the latest loaded day) and return where."""
    started = time.perf_counter()
    if not marts.is_file():
        raise ScorecardError(f"no published marts at {marts}: run the pipeline (`lodestar run`) first")
    con = duckdb.connect(str(marts), read_only=True)
    try:
        context = build_context(con, as_of)
    finally:
        con.close()
    html = render_html(context, marts)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = report_path(out_dir, as_of)
    tmp = out_dir / f".writing-{uuid.uuid4().hex}.html"
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)  # a reader never sees half a report
    return ReportResult(path, context["as_of"], len(context["specs"]), time.perf_counter() - started)
