"""Vega-Lite chart specs of the scorecard report, built with Altair.

Charts name their data (`alt.NamedData`) and the rows go into the spec's
top-level `datasets` after Altair built it: every spec is self-contained,
no row limit of Altair's data transformers applies, and Altair does not
validate thousands of rows against the Vega-Lite schema (seconds per chart).
Field names are short because the specs are embedded in the HTML file.
"""

from __future__ import annotations

from typing import Any

import altair as alt

# The same colours as the BI marts (dbt macro bi_status_color); a test keeps them equal.
STATUS_COLORS = {
    "achieved": "#1a7f37",
    "on_track": "#4ac26b",
    "at_risk": "#d4a72c",
    "off_track": "#cf222e",
    "no_data": "#8c959f",
    "not_started": "#d0d7de",
}
# d3 formats per catalog unit (the BI mart dim_kpi carries the same).
UNIT_FORMATS = {
    "usd": "$,.0f",
    "percent": ".1%",
    "hours": ",.1f",
    "days": ",.1f",
    "count": ",.0f",
    "score": ",.1f",
    "fte": ",.1f",
}
WINDOWS = ["day", "trailing_7d", "trailing_28d", "month_to_date", "quarter_to_date"]
DEFAULT_WINDOW = "trailing_28d"

KR_SERIES = ["KPI value", "Target in force", "Expected pace", "Baseline"]
KR_COLORS = ["#0969da", "#bc4c00", "#6e7781", "#afb8c1"]


def _with_data(chart: alt.TopLevelMixin, **datasets: list[dict[str, Any]]) -> dict:
    spec = chart.to_dict()
    spec["datasets"] = {**spec.get("datasets", {}), **datasets}
    return spec


def _axis_format(unit: str | None) -> str:
    return UNIT_FORMATS.get(unit or "", ",.4~g")


def kr_chart(kr: dict[str, Any], days: list[dict[str, Any]], as_of: str, unit: str | None) -> dict:
    """One key result over its period: the KPI value, the target in force (a step at
    each revision), the expected pace and the baseline, and a rule on the report day
    when it falls within the period.

    `days`: one dict per day of the period with d (ISO date), value (published value or
    None), target (in force that day) and pace (the value on pace that day)."""
    rows = []
    for day in days:
        for series, key in (("KPI value", "value"), ("Target in force", "target"), ("Expected pace", "pace")):
            if day.get(key) is not None:
                rows.append({"d": day["d"], "s": series, "y": day[key]})
        if kr.get("baseline") is not None:
            rows.append({"d": day["d"], "s": "Baseline", "y": kr["baseline"]})
    fmt = _axis_format(unit)
    color = alt.Color(
        "s:N",
        title=None,
        scale=alt.Scale(domain=KR_SERIES, range=KR_COLORS),
        legend=alt.Legend(orient="bottom"),
    )
    base = alt.Chart(alt.NamedData(name="kr")).encode(
        x=alt.X("d:T", title=None, axis=alt.Axis(format="%b %d")),
        y=alt.Y("y:Q", title=None, axis=alt.Axis(format=fmt), scale=alt.Scale(zero=False)),
        color=color,
        strokeDash=alt.StrokeDash(
            "s:N",
            legend=None,
            scale=alt.Scale(domain=KR_SERIES, range=[[1, 0], [1, 0], [6, 4], [2, 2]]),
        ),
        tooltip=[
            alt.Tooltip("d:T", title="day"),
            alt.Tooltip("s:N", title="series"),
            alt.Tooltip("y:Q", title="value", format=fmt),
        ],
    )
    lines = base.transform_filter(alt.datum.s != "Target in force").mark_line(strokeWidth=2)
    target = base.transform_filter(alt.datum.s == "Target in force").mark_line(
        interpolate="step-after", strokeWidth=2
    )
    layers = [lines, target]
    if days and days[0]["d"] <= as_of <= days[-1]["d"]:  # the report day, when within the period
        layers.append(
            alt.Chart(alt.InlineData(values=[{"d": as_of}]))
            .mark_rule(color="#57606a", strokeDash=[2, 2])
            .encode(x="d:T")
        )
    chart = alt.layer(*layers).properties(width="container", height=180)
    return _with_data(chart, kr=rows)


def kpi_chart(kpi: dict[str, Any], rows: list[dict[str, Any]], dimensions: list[str]) -> dict:
    """One KPI over the last 90 days: a panel for the total and one per dimension with a
    line per slice, a window picker (every window's data is in the spec) and red marks
    on the days the KPI was stale (the value is the last good one kept for that day).

    `rows`: d (ISO date), w (window), dim (dimension or 'all'), s (slice value), v, st (1 when stale)."""
    key = "".join(ch if ch.isalnum() else "_" for ch in kpi["kpi_id"])
    window = alt.param(
        name=f"window_{key}",
        value=DEFAULT_WINDOW,
        bind=alt.binding_select(options=WINDOWS, name="window "),
    )
    fmt = _axis_format(kpi.get("unit"))
    base = alt.Chart().transform_filter(alt.datum.w == window)
    line = base.mark_line(strokeWidth=1.5).encode(
        x=alt.X("d:T", title=None, axis=alt.Axis(format="%b %d", labelAngle=0)),
        y=alt.Y("v:Q", title=None, axis=alt.Axis(format=fmt), scale=alt.Scale(zero=False)),
        color=alt.Color("s:N", title="slice", legend=alt.Legend(orient="right")),
        tooltip=[
            alt.Tooltip("d:T", title="day"),
            alt.Tooltip("dim:N", title="dimension"),
            alt.Tooltip("s:N", title="slice"),
            alt.Tooltip("v:Q", title="value", format=fmt),
        ],
    )
    stale = (
        base.transform_filter(alt.datum.st == 1)
        .mark_point(shape="cross", color="#cf222e", size=30)
        .encode(x="d:T", y="v:Q", tooltip=[alt.Tooltip("d:T", title="stale day")])
    )
    chart = (
        alt.layer(line, stale, data=alt.NamedData(name="kpi"))
        .properties(width=230, height=140)
        .facet(column=alt.Column("dim:N", title=None, sort=["all", *dimensions]))
        .resolve_scale(y="independent", color="independent")
        .add_params(window)
    )
    return _with_data(chart, kpi=rows)


def quarantine_chart(rows: list[dict[str, Any]]) -> dict:
    """Quarantined rows per source and extract day (a heatmap)."""
    chart = (
        alt.Chart(alt.NamedData(name="quarantine"))
        .mark_rect()
        .encode(
            x=alt.X(
                "d:O", title=None, timeUnit="yearmonthdate", axis=alt.Axis(format="%b %d", labelAngle=-45)
            ),
            y=alt.Y("source:N", title=None),
            color=alt.Color("n:Q", title="rows", scale=alt.Scale(scheme="oranges")),
            tooltip=[
                alt.Tooltip("source:N"),
                alt.Tooltip("d:T", title="extract day"),
                alt.Tooltip("n:Q", title="quarantined rows"),
                alt.Tooltip("reason:N", title="top reason"),
            ],
        )
        .properties(width="container", height=alt.Step(18))
    )
    return _with_data(chart, quarantine=rows)
