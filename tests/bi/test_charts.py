"""The report's Vega-Lite specs, without a browser: data inline, revisions as steps,
every window selectable, the report-day rule only within the period."""

from __future__ import annotations

import json

from pipelines.bi import charts


def _marks(spec: dict) -> list[dict]:
    return [layer["mark"] for layer in spec.get("layer", [])]


def test_kr_chart_draws_target_revisions_as_steps_and_the_report_day_within_the_period():
    days = [
        {"d": "2026-10-01", "value": 10.0, "target": 20.0, "pace": 10.5},
        {"d": "2026-10-02", "value": 11.0, "target": 18.0, "pace": 11.0},  # a revision takes effect
        {"d": "2026-10-03", "value": None, "target": 18.0, "pace": 11.5},  # not yet loaded
    ]
    spec = charts.kr_chart({"baseline": 10.0}, days, "2026-10-02", "usd")
    rows = spec["datasets"]["kr"]
    assert [r["y"] for r in rows if r["s"] == "Target in force"] == [20.0, 18.0, 18.0]
    assert [r["y"] for r in rows if r["s"] == "KPI value"] == [10.0, 11.0]
    assert {r["y"] for r in rows if r["s"] == "Baseline"} == {10.0}
    marks = _marks(spec)
    assert {"type": "line", "interpolate": "step-after", "strokeWidth": 2} in marks
    assert any(m["type"] == "rule" for m in marks)
    ended = charts.kr_chart({"baseline": None}, days, "2026-11-23", "usd")
    assert not any(m["type"] == "rule" for m in _marks(ended))
    json.dumps(spec)  # embeddable as is


def test_kpi_chart_offers_every_window_and_marks_stale_days():
    rows = [
        {"d": "2026-10-01", "w": w, "dim": dim, "s": s, "v": 1.0, "st": int(dim == "region")}
        for w in charts.WINDOWS
        for dim, s in (("all", "total"), ("region", "EU"))
    ]
    spec = charts.kpi_chart({"kpi_id": "gmv", "unit": "usd"}, rows, ["region"])
    (param,) = spec["params"]
    assert param["value"] == charts.DEFAULT_WINDOW and param["bind"]["options"] == charts.WINDOWS
    assert spec["datasets"]["kpi"] == rows
    assert spec["facet"]["column"]["sort"] == ["all", "region"]
    assert any(m.get("shape") == "cross" for m in _marks(spec["spec"]))
