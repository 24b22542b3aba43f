"""The forecast and the latest check-in of each key result, as scorecard lines.

Reads the published kr_forecast_daily and kr_checkins (when they exist: an
older publication without them just shows no extra lines), so a review sees
what the data says next to what the owner believes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pipelines.okrs.formats import format_value
from pipelines.okrs.published import dict_rows, locate


def forecast_line(f: dict[str, Any], unit: str | None) -> str:
    if f["probability"] is None:
        return f"forecast: none ({f['forecast_note'] or 'no forecast'})"
    if f["forecast_method"] == "exact":  # the period's last day: nothing left to forecast
        outcome = "reached" if f["probability"] == 1 else "missed"
        return f"forecast: final {format_value(f['projected'], unit)} on {f['period_end']} → target {outcome}"
    band = f"80% {format_value(f['projected_low'], unit)}–{format_value(f['projected_high'], unit)}"
    return (
        f"forecast: projected {format_value(f['projected'], unit)} on {f['period_end']} "
        f"({band}) (p = {f['probability']:.2f}) → {f['forecast_status']}"
    )


def checkin_line(c: dict[str, Any]) -> str:
    by = f" by {c['author']}" if c["author"] else ""
    return f"check-in {c['checkin_date']}{by}: confidence {c['confidence']}/10 · {c['note']}"


def _latest_per_kr(con, table: str | None, date_column: str, day: date) -> dict[str, dict[str, Any]]:
    """Each key result's latest row of `table` up to `day`; none when the table is not published."""
    if table is None:
        return {}
    cur = con.execute(
        f"""select * from {table} where {date_column} <= $day
            qualify row_number() over (partition by kr_id order by {date_column} desc) = 1""",
        {"day": day},
    )
    return {r["kr_id"]: r for r in dict_rows(cur)}


def attach_outlook(con, day: date | None, rows: list[dict[str, Any]], units: dict[str, str]) -> None:
    """Add an 'outlook' list of lines to each key-result row of the scorecard."""
    where = locate(con, ("kr_forecast_daily", "kr_checkins"))
    krs = {r["item_id"]: r for r in rows if r["item_type"] == "key_result"}
    if not krs or day is None:
        return
    forecasts = _latest_per_kr(con, where.get("kr_forecast_daily"), "as_of_date", day)
    checkins = _latest_per_kr(con, where.get("kr_checkins"), "checkin_date", day)
    for kr_id, row in krs.items():
        lines = []
        f = forecasts.get(kr_id)
        if f is not None and f["as_of_date"] == row["scored_on"]:
            lines.append(forecast_line(f, units.get(row["kpi_id"])))
        if kr_id in checkins:
            lines.append(checkin_line(checkins[kr_id]))
        row["outlook"] = lines
