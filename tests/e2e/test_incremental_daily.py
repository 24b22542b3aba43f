"""A daily run on top of history costs what changed: it rewrites only the keys
and days its extracts reach, and publishes what a from-scratch run publishes.

The history START..END-1 is loaded by one run into a private warehouse; then
stored rows are marked in place (a sentinel `updated_at`, a value moved by one
ulp toward zero) and the daily run for END goes through the real job. A row the run
rewrites loses its mark; a row it leaves alone keeps it:

- staging (latest version per key): only the orders the run may change lose
  the mark: the keys of END's extract, and orders whose FX rate day the rates
  delivered on END reach;
- an intermediate table kept by business day: only the days from the first
  changed event day on;
- kpi_values: only each KPI's days from its recompute_from on.

The published KPI and OKR marts then equal the demo's, which loaded the same
days from scratch in one run.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import duckdb
import pytest

from tests.e2e.conftest import END, START, make_settings, run

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo")]

STAGED = datetime(1990, 1, 1)  # mark of the staging rows
KEPT_BY_DAY = datetime(1980, 1, 1)  # mark of the intermediate rows
COMPARED = ("kpi_values", "kr_progress_daily", "objective_progress_daily")


def _published(settings) -> dict[str, list]:
    con = duckdb.connect(str(settings.published_marts), read_only=True)
    try:
        return {t: con.execute(f'select * from "{t}" order by all').fetchall() for t in COMPARED}
    finally:
        con.close()


def _mark(warehouse) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("update staging.stg_commerce__orders set updated_at = ?", [STAGED])
        con.execute("update intermediate.int_commerce__orders set updated_at = ?", [KEPT_BY_DAY])
        # one ulp toward zero: invisible to every check (a zero stays unmarked),
        # but a rewritten row comes back without it
        con.execute("update marts.kpi_values set value = nextafter(value, 0)")
        con.execute("create table main.marked_kpi_values as select * from marts.kpi_values")
    finally:
        con.close()


@pytest.fixture(scope="module")
def daily(demo, tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("incremental_daily"), demo.landing)
    shutil.copytree(demo.okrs, settings.okrs)
    run(settings, START, END - timedelta(days=1))
    _mark(settings.warehouse)
    run(settings, END, END)
    return settings


def _query(settings, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_staging_rewrites_only_the_keys_the_run_may_change(daily):
    rewritten = {
        r[0]
        for r in _query(
            daily, "select order_id from staging.stg_commerce__orders where updated_at <> ?", [STAGED]
        )
    }
    delivered = {
        r[0] for r in _query(daily, "select order_id from raw.orders where _extract_date = ?", [END])
    }
    (fx_from,) = _query(
        daily,
        "select coalesce(min(from_day), ?) from intermediate.int_changed_sources where source = 'fx_rates'",
        [END + timedelta(days=1)],
    )[0]
    reached_by_rates = {
        r[0]
        for r in _query(
            daily, "select order_id from staging.stg_commerce__orders where ordered_on >= ?", [fx_from]
        )
    }
    (total,) = _query(daily, "select count(*) from staging.stg_commerce__orders")[0]
    assert delivered and delivered <= rewritten
    assert rewritten <= delivered | reached_by_rates
    assert len(rewritten) < total / 10, (len(rewritten), total)


def test_intermediate_rebuilds_only_the_changed_days(daily):
    (first_changed,) = _query(
        daily,
        """select least(?, min(from_day)) from intermediate.int_changed_sources
           where source in ('orders', 'fx_rates')""",
        [END],
    )[0]
    assert first_changed > START + timedelta(days=28), first_changed  # history is not rebuilt
    kept, rebuilt = _query(
        daily,
        """select count(*) filter (ordered_on < ?), count(*) filter (ordered_on >= ?)
           from intermediate.int_commerce__orders""",
        [first_changed, first_changed],
    )[0]
    marked_before, marked_after = _query(
        daily,
        """select count(*) filter (ordered_on < ?), count(*) filter (ordered_on >= ?)
           from intermediate.int_commerce__orders where updated_at = ?""",
        [first_changed, first_changed, KEPT_BY_DAY],
    )[0]
    assert kept > 0 and rebuilt > 0
    assert (marked_before, marked_after) == (kept, 0)


def test_kpi_values_rewrites_only_each_kpis_recomputed_days(daily):
    plan = dict(_query(daily, "select kpi_id, recompute_from from intermediate.int_kpi_recompute_plan"))
    assert len(plan) == 19 and min(plan.values()) > START, plan
    counts = _query(
        daily,
        """select
               count(*) filter (v.as_of_date < p.recompute_from and m.value is not distinct from v.value),
               count(*) filter (v.as_of_date < p.recompute_from),
               count(*) filter (v.as_of_date >= p.recompute_from and m.value is not distinct from v.value),
               count(*) filter (v.as_of_date >= p.recompute_from)
           from marts.kpi_values as v
           join intermediate.int_kpi_recompute_plan as p using (kpi_id)
           left join main.marked_kpi_values as m
               using (kpi_id, as_of_date, "window", dimension, dimension_value)
           where m.value is distinct from 0""",
    )[0]
    still_marked_before, before, still_marked_from, from_ = counts
    assert before > 0 and still_marked_before == before  # untouched: the mark survived
    assert from_ > 0 and still_marked_from == 0  # recomputed: every row came back without it


def test_published_marts_equal_a_from_scratch_run(daily, demo):
    got, expected = _published(daily), _published(demo)
    for table in COMPARED:
        assert got[table] == expected[table], table
    assert len(got["kpi_values"]) > 1000 and got["kr_progress_daily"]
