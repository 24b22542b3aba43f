"""KR forecasts and check-ins through the real pipeline (the session demo: 2024-Q1
with tests/e2e/okrs/2024-Q1.yml)."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from pipelines.cli import main
from pipelines.okrs.backtest import run_backtest, summarize
from pipelines.okrs.forecast_store import SCHEMA, refresh_forecasts
from pipelines.okrs.scorecard import render_scorecard
from pipelines.runner import EXIT_INCOMPLETE, run_range
from pipelines.warehouse import working_db
from tests.e2e.conftest import END, published, run

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo")]

KINDS = {
    "gmv": ("additive", "usd"),
    "csat": ("ratio", "percent"),
    "on_time_delivery_rate": ("ratio", "percent"),
}


def forecasts(settings) -> list[tuple]:
    return published(settings, "select * from kr_forecast_daily order by kr_id, as_of_date")


def test_every_kr_day_has_a_forecast_row_next_to_its_pace(demo):
    assert published(
        demo,
        """select count(*) from kr_progress_daily p
           left join kr_forecast_daily f using (kr_id, as_of_date)
           where f.kr_id is null or f.pace_status is distinct from p.status""",
    ) == [(0,)]
    rows = published(
        demo,
        """select kr_id, as_of_date, projected_low, projected, projected_high, probability, forecast_status,
                  forecast_method
           from kr_forecast_daily where probability is not null""",
    )
    assert {r[0] for r in rows} == {"e2e-gmv-28d", "e2e-csat-chat", "e2e-on-time"}
    for kr, day, low, mid, high, p, status, method in rows:
        assert low <= mid <= high and 0 <= p <= 1, (kr, day)
        assert status == ("likely" if p >= 0.7 else "unlikely" if p <= 0.3 else "uncertain")
        assert method == ("exact" if day == END else "ets")  # a quarter of history: no yearly season yet
    # the first weeks have too little history, and say so
    assert published(
        demo, "select distinct forecast_note from kr_forecast_daily where probability is null"
    ) == [("not enough history",)]


def test_the_backtest_runs_on_a_small_range(demo, monkeypatch, capsys):
    scored = run_backtest(demo.published_marts, date(2024, 3, 10), date(2024, 3, 30))
    assert {s.kr_id for s in scored} == {"e2e-gmv-28d", "e2e-csat-chat", "e2e-on-time"}
    assert all(date(2024, 3, 10) <= s.day <= date(2024, 3, 30) for s in scored)
    summary = summarize("all", scored)
    assert 0 <= summary.coverage <= 1 and 0 <= summary.brier <= 1
    monkeypatch.setenv("LODESTAR_PUBLISHED", str(demo.published))
    assert main(["forecast", "backtest", "--start", "2024-03-10", "--end", "2024-03-30", "--by-kr"]) == 0
    out = capsys.readouterr().out
    assert "coverage" in out and "Brier" in out and "e2e-on-time" in out


def test_a_backfill_recomputes_the_same_forecasts(pipeline_copy):
    settings = pipeline_copy
    query = f"select * exclude (input_hash) from {SCHEMA}.kr_forecasts order by kr_id, as_of_date"
    with working_db(settings) as con:
        before = con.execute(query).fetchall()
        stats = refresh_forecasts(con, KINDS, recompute_all=True)
        assert stats.computed == len(before) > 0
        assert con.execute(query).fetchall() == before
    published_before = forecasts(settings)
    run(settings, date(2024, 3, 1), END)  # a backfill of the last month through the pipeline
    assert forecasts(settings) == published_before


def test_changing_a_later_day_moves_no_earlier_forecast(pipeline_copy):
    settings, changed = pipeline_copy, date(2024, 3, 20)
    before = forecasts(settings)
    extract = settings.landing / "orders" / f"{changed}.csv"
    with extract.open(newline="") as f:
        rows = list(csv.DictReader(f))
    # ten large new orders placed that day: only GMV from that day on changes
    extra = [
        {
            **rows[0],
            "order_id": f"OX{i:06d}",
            "ordered_at": f"{changed}T12:00:00+00:00",
            "currency": "USD",
            "gross_amount": "2000.00",
            "discount_amount": "0.00",
            "status": "placed",
            "updated_at": f"{changed}T12:30:00+00:00",
        }
        for i in range(10)
    ]
    with extract.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows + extra)
    run(settings, changed, changed)
    after = forecasts(settings)
    assert [r for r in after if r[1] < changed] == [r for r in before if r[1] < changed]
    moved = {(r[0], r[1]) for r in set(after) - set(before)}
    assert moved and all(kr == "e2e-gmv-28d" and day >= changed for kr, day in moved)


def test_check_ins_are_published_and_a_broken_file_stops_only_its_own_step(pipeline_copy, capsys):
    settings = pipeline_copy
    folder = settings.okrs / "checkins"
    folder.mkdir()
    checkins = folder / "2024-Q1.yml"
    checkins.write_text(
        "checkins:\n"
        "  - {kr: e2e-on-time, date: 2024-03-25, confidence: 12, note: carrier contract signed, by: ops}\n"
    )
    assert run_range(settings, END, END) == EXIT_INCOMPLETE
    err = capsys.readouterr().err
    # one line naming the step, the file, the key result and the bad value
    problem = f"{checkins}: key result 'e2e-on-time' on 2024-03-25: confidence 12 is outside 0..10"
    assert [line for line in err.splitlines() if "okr_checkins" in line and line.endswith(problem)]
    # the OKR marts and forecasts were published anyway; no check-ins yet
    assert published(settings, "select count(*) from kr_checkins") == [(0,)]
    assert published(settings, "select count(*) from kr_forecast_daily where as_of_date = ?", [END]) == [(3,)]

    checkins.write_text(checkins.read_text().replace("confidence: 12", "confidence: 8"))
    run(settings, END, END)
    assert published(settings, "select kr_id, checkin_date, confidence, note, author from kr_checkins") == [
        ("e2e-on-time", date(2024, 3, 25), 8, "carrier contract signed", "ops")
    ]
    text = render_scorecard(settings.published_marts, date(2024, 3, 30))
    assert "check-in 2024-03-25 by ops: confidence 8/10 · carrier contract signed" in text
    assert "forecast: projected" in text and "(p = " in text
    assert "forecast: final" in render_scorecard(settings.published_marts)  # the period's last day


def test_the_published_tables_carry_comments(demo):
    comments = dict(
        published(
            demo,
            "select table_name, comment from duckdb_tables() where table_name in ('kr_forecast_daily', 'kr_checkins')",
        )
    )
    [(columns,)] = published(
        demo,
        "select count(*) from duckdb_columns() where table_name = 'kr_forecast_daily' and comment = column_name",
    )
    assert comments["kr_forecast_daily"].startswith("Will the key result make it?")
    assert comments["kr_checkins"].startswith("Owners' check-ins")
    assert columns == 0  # every column documented in marts.yml
