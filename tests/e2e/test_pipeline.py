"""End to end: landing files → Dagster run (ingest, GX checks, dbt, gate, OKRs) → published marts."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date, timedelta

import duckdb
import pytest

from tests.e2e.conftest import END, START, copy_pipeline, published, run

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo")]

WINDOWS = {"day", "trailing_7d", "trailing_28d", "month_to_date", "quarter_to_date"}


def gmv_from_landing(landing, day: date) -> float:
    """GMV of `day` straight from the landing files, independently of the pipeline:
    valid versions only, latest version per order, not cancelled, in USD with the
    7-day FX look-back."""
    con = duckdb.connect()
    try:
        return con.execute(
            f"""
            with versions as (
                select *, cast(filename[length(filename) - 13:length(filename) - 4] as date) as extract_day
                from read_csv('{landing}/orders/*.csv', filename=true, all_varchar=true)
            ),
            valid as (
                select order_id, cast(ordered_at as timestamptz) as ordered_at, status, currency,
                       cast(gross_amount as decimal(18,2)) as gross, cast(discount_amount as decimal(18,2)) as discount,
                       cast(updated_at as timestamptz) as updated_at, extract_day
                from versions
                where cast(discount_amount as decimal(18,2)) <= cast(gross_amount as decimal(18,2))
                  and cast(discount_amount as decimal(18,2)) >= 0
                  and cast(timezone('UTC', cast(ordered_at as timestamptz)) as date) <= extract_day
            ),
            latest as (
                select * from valid
                qualify row_number() over (partition by order_id order by updated_at desc, extract_day desc) = 1
            ),
            rates as (
                select cast(rate_date as date) as rate_date, currency, cast(usd_per_unit as double) as usd
                from read_csv('{landing}/fx_rates/*.csv', all_varchar=true)
                union all select date '{day}', 'USD', 1.0
            )
            select sum(cast(gross - discount as double) * (
                select usd from rates r where r.currency = o.currency
                  and r.rate_date between date '{day}' - 7 and date '{day}'
                order by r.rate_date desc limit 1))
            from latest o
            where status <> 'cancelled' and cast(timezone('UTC', ordered_at) as date) = date '{day}'
            """
        ).fetchone()[0]
    finally:
        con.close()


def test_published_gmv_equals_the_sum_computed_from_landing_files(demo):
    for day in (date(2024, 1, 15), date(2024, 2, 29), END):
        [(value,)] = published(
            demo,
            """select value from kpi_values where kpi_id = 'gmv' and as_of_date = ?
               and "window" = 'day' and dimension = 'all'""",
            [day],
        )
        assert value == pytest.approx(gmv_from_landing(demo.landing, day), rel=1e-9)


def test_every_kpi_is_published_for_every_window_with_total_and_dimension_rows(demo):
    rows = published(
        demo,
        # a ratio has no row on a day without denominator, so look over the month
        """select kpi_id, list(distinct "window"), list(distinct dimension)
           from kpi_values where as_of_date >= ? group by kpi_id""",
        [date(2024, 3, 1)],
    )
    assert len(rows) == 19
    catalog = dict(published(demo, "select kpi_id, name from kpi_catalog"))
    assert len(catalog) == 19
    for kpi_id, windows, dimensions in rows:
        assert set(windows) == WINDOWS, kpi_id
        assert "all" in dimensions, kpi_id
    status = published(demo, "select distinct status from kpi_status")
    assert status == [("published",)]


def test_quarantined_rows_reconcile_and_are_published(demo):
    [(read, accepted, quarantined)] = published(
        demo, "select sum(rows_read), sum(rows_accepted), sum(rows_quarantined) from quarantine_summary"
    )
    assert read == accepted + quarantined and quarantined > 0
    assert published(demo, "select count(*) from dq_results")[0][0] > 0


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _day_values(settings, kpi_id, day):
    return published(
        settings,
        """select "window", dimension, dimension_value, value from kpi_values
           where kpi_id = ? and as_of_date = ? order by all""",
        [kpi_id, day],
    )


def test_bad_orders_partition_blocks_its_kpis_keeps_last_good_values_and_recovers(pipeline_copy):
    settings = pipeline_copy
    bad_day = date(2024, 3, 20)
    gmv_before = {d: _day_values(settings, "gmv", d) for d in (date(2024, 3, 19), bad_day, END)}
    nps_before = _day_values(settings, "nps", END)
    previous = settings.published / "previous.duckdb"
    os.link(settings.published_marts, previous)  # the inode readers of the old file hold
    previous_digest = _digest(previous)

    extract = settings.landing / "orders" / f"{bad_day}.csv"
    good = extract.read_text()
    lines = good.splitlines()
    extract.write_text(
        "\n".join(",".join(f.split(",")[:-2]) for f in lines) + "\n"
    )  # drop status, updated_at
    result = run(settings, bad_day, bad_day)

    assert _digest(previous) == previous_digest  # the old published file was never written to
    assert os.stat(previous).st_ino != os.stat(settings.published_marts).st_ino
    for day, values in gmv_before.items():  # blocked days keep the last good values
        assert _day_values(settings, "gmv", day) == values
    status = dict(
        (kpi, (state, since, reason))
        for kpi, state, since, reason in published(
            settings, "select kpi_id, status, stale_since, reason from kpi_status where as_of_date = ?", [END]
        )
    )
    for kpi in ("gmv", "orders", "average_order_value", "conversion_rate"):
        state, since, reason = status[kpi]
        assert (state, since) == ("stale", bad_day)
        assert "orders" in reason and str(extract) in reason and "missing required columns" in reason
    for kpi in ("nps", "net_revenue", "headcount_fte", "ticket_backlog"):
        assert status[kpi][0] == "published", kpi
    assert status["gmv"] and published(
        settings, "select status from kpi_status where kpi_id = 'gmv' and as_of_date = ?", [date(2024, 3, 19)]
    ) == [("published",)]
    assert _day_values(settings, "nps", END) == nps_before
    assert result.success

    extract.write_text(good)  # the source re-delivers a good file
    run(settings, bad_day, bad_day)
    assert published(settings, "select count(*) from kpi_status where status = 'stale'") == [(0,)]
    for day, values in gmv_before.items():
        assert _day_values(settings, "gmv", day) == values


def _table_digests(settings):
    con = duckdb.connect(str(settings.published_marts), read_only=True)
    try:
        tables = [
            t for (t,) in con.execute("select table_name from duckdb_tables() where not internal").fetchall()
        ]
        return {
            t: con.execute(
                f"select md5(string_agg(cast(x as varchar), '|' order by all)) from \"{t}\" as x"
            ).fetchone()[0]
            for t in tables
        }
    finally:
        con.close()


def test_rerunning_a_range_or_a_sub_range_leaves_published_data_identical(demo, tmp_path):
    # Same landing files at the same paths (check records name the files they judged).
    settings = copy_pipeline(demo, tmp_path, copy_landing=False)
    before = _table_digests(settings)
    run(settings, date(2024, 3, 25), END)
    assert _table_digests(settings) == before


def test_okr_progress_is_published_for_the_loaded_days(demo):
    rows = published(
        demo,
        "select kr_id, count(*), min(as_of_date), max(as_of_date) from kr_progress_daily group by kr_id order by kr_id",
    )
    assert [r[0] for r in rows] == ["e2e-csat-chat", "e2e-gmv-28d", "e2e-on-time"]
    assert all((n, first, last) == (91, START, END) for _, n, first, last in rows)


def test_amounts_without_fx_rate_are_quarantined_not_guessed(pipeline_copy):
    settings = pipeline_copy
    first, last = date(2024, 3, 11), date(2024, 3, 20)
    gmv_before = published(
        settings,
        """select value from kpi_values where kpi_id = 'gmv' and as_of_date = ?
                     and "window" = 'day' and dimension = 'all'""",
        [last],
    )
    for offset in range((last - first).days + 1):  # re-deliver the rates with USD only
        extract = settings.landing / "fx_rates" / f"{first + timedelta(days=offset)}.csv"
        if extract.exists():
            lines = extract.read_text().splitlines()
            extract.write_text("\n".join([lines[0], *[x for x in lines[1:] if ",USD," in x]]) + "\n")
    run(settings, first, last)
    rows = published(
        settings,
        """select source, json_extract_string(raw_row, '$.currency'),
                  cast(regexp_extract(reason, 'rate on (\\d{4}-\\d{2}-\\d{2})', 1) as date), reason
           from quarantine where stage = 'conversion' and starts_with(reason, 'no ')""",
    )
    assert rows and {r[0] for r in rows} <= {"orders", "gl_journal_lines", "invoices", "marketing_spend"}
    # the 7-day look-back (D-7 included) bridges from the last day with real rates
    last_rates = max(
        date.fromisoformat(p.stem)
        for p in (settings.landing / "fx_rates").glob("*.csv")
        if date.fromisoformat(p.stem) < first
    )
    assert {r[2] for r in rows} == {
        last_rates + timedelta(days=n) for n in range(8, (last - last_rates).days + 1)
    }
    assert all(r[1] != "USD" for r in rows)
    assert all(r[3].startswith(f"no {r[1]} rate on {r[2]} or the 7 days before") for r in rows)
    # they are in the ledger: every source still reconciles, read = accepted + quarantined
    assert published(
        settings,
        "select count(*) from quarantine_summary where rows_read <> rows_accepted + rows_quarantined",
    ) == [(0,)]
    gmv_after = published(
        settings,
        """select value from kpi_values where kpi_id = 'gmv' and as_of_date = ?
                     and "window" = 'day' and dimension = 'all'""",
        [last],
    )
    assert gmv_after[0][0] < gmv_before[0][0]  # unconverted orders count nowhere


def test_readers_of_the_published_marts_see_no_error_and_only_complete_versions_during_a_run(pipeline_copy):
    settings = pipeline_copy
    stop = settings.published.parent / "stop-readers"
    readers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.marts_reader", str(settings.published_marts), mode, str(stop)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for mode in ("hold", "reconnect")
    ]
    run(settings, date(2024, 3, 30), END)
    stop.touch()
    for reader in readers:
        report = json.loads(reader.communicate(timeout=60)[0])
        assert report["queries"] > 10
        assert report["errors"] == [] and report["incomplete"] == []
