"""The OKR scorecard for a terminal (`lodestar scorecard [--date D] [--json]`).

Reads only the published marts file, with a read-only connection: the rows of
the okr_scorecard_daily mart for the day (dbt computes them; nothing here
re-derives scores), laid out as a tree that fits the terminal's width.
"""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from pipelines.okrs.formats import format_pct, format_trend, format_value
from pipelines.okrs.outlook import attach_outlook
from pipelines.okrs.published import dict_rows, locate

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
T = TypeVar("T")


class ScorecardError(RuntimeError):
    """The published file is missing or has no OKR marts."""


def or_one_line(read: Callable[[], T], failure: str) -> T | None:
    """What `read` makes of the published marts, or None once the reason is one line on stderr.

    `failure` leads the line for an unexpected error (a locked or corrupt
    file): a CLI command says what went wrong, not a traceback.
    """
    try:
        return read()
    except ScorecardError as exc:
        print(f"lodestar: {exc}", file=sys.stderr)
    except Exception as exc:
        print(f"lodestar: {failure}: {exc}", file=sys.stderr)
    return None


@dataclass
class Item:
    row: dict[str, Any]
    children: list[Item] = field(default_factory=list)

    @property
    def is_objective(self) -> bool:
        return self.row["item_type"] == "objective"


def scorecard_rows(con, as_of: date | None) -> tuple[date | None, list[dict[str, Any]]]:
    """(the scorecard's day, its rows in tree order) from a published-marts connection.

    The rows are the published okr_scorecard_daily of that day (default: the
    latest loaded day); dbt computes them, this only reads.
    """
    where = locate(con, ("okr_scorecard_daily",))
    if "okr_scorecard_daily" not in where:
        raise ScorecardError("the published marts have no OKR scorecard (okr_scorecard_daily is missing)")
    daily = where["okr_scorecard_daily"]
    first, last = con.execute(f"select min(as_of_date), max(as_of_date) from {daily}").fetchone()
    day = as_of or last
    if first is not None and day > last:
        raise ScorecardError(f"no scorecard for {day}: the last loaded day is {last}")
    before_any_data = first is not None and day < first
    cur = con.execute(
        f"select {COLUMNS} from {daily} where as_of_date = ? order by sort_key",
        [first if before_any_data else day],
    )
    rows = dict_rows(cur)
    if before_any_data:
        rows = [_unscored(row, day) for row in rows]
    return day, rows


# What a day before the first loaded day knows: the OKR tree, and no number.
_SCORES = ("scored_on", "value", "progress", "score", "stale_reason", "score_change_7d")


def _unscored(row: dict[str, Any], day: date) -> dict[str, Any]:
    started = day >= row["period_start"]
    return (
        row
        | dict.fromkeys(_SCORES)
        | {
            "expected": None if started else 0.0,
            "status": "no_data" if started else "not_started",
        }
    )


# --------------------------------------------------------------------------- formatting


def _units(con) -> dict[str, str]:
    where = locate(con, ("kpi_catalog",))
    if "kpi_catalog" not in where:
        return {}
    try:
        return dict(con.execute(f"select id, unit from {where['kpi_catalog']}").fetchall())
    except duckdb.Error:
        try:
            return dict(con.execute(f"select kpi_id, unit from {where['kpi_catalog']}").fetchall())
        except duckdb.Error:
            return {}


def _truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _wrap(lead: str, text: str, width: int) -> list[str]:
    """Detail lines wrap rather than being cut: a stale reason must be read whole."""
    return textwrap.wrap(
        text, width=max(width, len(lead) + 30), initial_indent=lead, subsequent_indent=lead + "  "
    ) or [lead.rstrip()]


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


# Columns after the title: score, expected, status and the 7-day trend.
RIGHT = 42
DEFAULT_WIDTH = 104  # when there is no terminal to measure (a pipe, a file)


def terminal_width() -> int:
    return shutil.get_terminal_size(fallback=(DEFAULT_WIDTH, 24)).columns


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


def _line(prefix: str, row: dict[str, Any], left: int) -> str:
    marker = "◆" if row["item_type"] == "objective" else "•"
    weight = row["weight"]
    heavy = f" ×{weight:g}" if weight is not None and weight != 1 else ""
    label = _truncate(f"{prefix}{marker} {row['item_id']}{heavy}  {row['title']}", left)
    status = STATUS_LABELS.get(row["status"], row["status"])
    return (
        f"{label:<{left}} {format_pct(row['score']):>6} {format_pct(row['expected']):>9}  "
        f"{status:<11} {format_trend(row['score_change_7d'])}"
    ).rstrip()


def _render_item(
    item: Item, lead: str, branch: str, out: list[str], units: dict[str, str], width: int
) -> None:
    left = max(width - RIGHT, 30)
    out.append(_line(lead + branch, item.row, left))
    child_lead = lead + ("" if not branch else ("│  " if branch == "├─ " else "   "))
    if not item.is_objective:
        out.extend(_wrap(f"{child_lead}     ", _kr_detail(item.row, units), width))
        # forecast and latest check-in, when published (pipelines/okrs/outlook.py)
        for line in item.row.get("outlook", ()):
            out.extend(_wrap(f"{child_lead}     ", line, width))
    for i, child in enumerate(item.children):
        last = i == len(item.children) - 1
        _render_item(child, child_lead, "└─ " if last else "├─ ", out, units, width)


def render_rows(
    day: date | None,
    rows: list[dict[str, Any]],
    units: dict[str, str] | None = None,
    width: int = DEFAULT_WIDTH,
) -> str:
    """The scorecard as text lines no wider than `width` (titles are cut with …, details wrap)."""
    units = units or {}
    left = max(width - RIGHT, 30)
    out = [f"OKR scorecard as of {day}" if day else "OKR scorecard (no loaded day yet)"]
    if not rows:
        out.append("No OKRs are published.")
        return "\n".join(out) + "\n"
    out.append(f"{'':<{left}} {'score':>6} {'expected':>9}  {'status':<11} 7-day Δ")
    for root in _tree(rows):
        r = root.row
        period = f"{r['period_start']} → {r['period_end']}"
        if r["scored_on"] is not None and r["scored_on"] != day:
            period += f", scored on {r['scored_on']}"
        out.append("")
        out.append(f"{r['owner']} · {period}")
        _render_item(root, "", "", out, units, width)

    krs = [r for r in rows if r["item_type"] == "key_result"]
    counts = {s: sum(1 for r in krs if r["status"] == s) for s in STATUS_ORDER}
    summary = " · ".join(f"{n} {STATUS_LABELS[s]}" for s, n in counts.items() if n)
    out.append("")
    out.extend(textwrap.wrap(f"{len(krs)} key results: {summary}", width=width, subsequent_indent="  "))
    return "\n".join(out) + "\n"


def render_scorecard(
    published_marts_path: Path | str,
    as_of: date | None = None,
    width: int | None = None,
    as_json: bool = False,
) -> str:
    """The scorecard as text (or JSON for scripts), from the published marts file only (read-only)."""
    path = Path(published_marts_path)
    if not path.is_file():
        raise ScorecardError(f"no published marts at {path}: run the pipeline (`lodestar run`) first")
    con = duckdb.connect(str(path), read_only=True)
    try:
        day, rows = scorecard_rows(con, as_of)
        units = _units(con)
        attach_outlook(con, day, rows, units)
    finally:
        con.close()
    if as_json:
        return json.dumps({"date": day, "items": rows}, default=str, indent=2) + "\n"
    return render_rows(day, rows, units, width or terminal_width())
