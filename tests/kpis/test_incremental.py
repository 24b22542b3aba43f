"""kpi_values is incremental and correct under late-arriving data .

The session build (conftest.kpi_build) loaded extract days START..K with a
full build, then K+1..END with one incremental run for that range. Here, from
the same base, four more dbt invocations:

1. A: ingest K+1, run for range K+1; ingest K+2 (= END), run for range K+2
   → identical kpi_values to the one-range run (bytes, not a tolerance)
2. A: extract K+1 is re-delivered with one more row — an order placed on
   E = K−10 cancelled on K+1 — re-ingested, run for range K+1 only
   → exactly the rows whose window contains E changed: gmv, orders,
     average_order_value and conversion_rate for the order's total, region and
     channel slices, as_of_date ≥ E (trailing windows up to E+27,
     period-to-date windows to the period's end); nothing else; and a stored
     row of a KPI whose sources did not change before K+1 is not rewritten
3. the same warehouse rebuilt with --full-refresh equals the incremental A.
"""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime, time, timedelta

import duckdb
import pytest

from pipelines.sources.contract import load_contract
from tests.kpis.conftest import END, WINDOWS, DbtWorkspace, K, days, ingest, ingest_day, kpi_values, query
from tests.kpis.test_kpi_values_independent import window_start

E = K - timedelta(days=10)  # event day changed by the late cancellation


@pytest.fixture(scope="module")
def scenario(tmp_path_factory, kpi_landing, kpi_build):
    landing = tmp_path_factory.mktemp("kpi_incremental") / "landing"
    shutil.copytree(kpi_landing, landing)  # this module edits a landing file
    dbt = kpi_build.workspace
    dbt.load(kpi_build.base)
    first = dbt.invocations
    out = {"one_range": kpi_values(kpi_build.warehouse)}

    # 1. A: day by day
    for day in days(K + timedelta(days=1), END):
        ingest(dbt.warehouse, landing, day, day, with_references=False)
        dbt.run("run", range_=(day, day))
    out["day_by_day"] = kpi_values(dbt.warehouse)

    # 2. A: re-delivered extract K+1 cancels an order of day E
    out["cancelled"] = _cancel_an_order(dbt, landing, day=K + timedelta(days=1), ordered_on=E)
    ingest_day(dbt.warehouse, landing, "orders", K + timedelta(days=1))
    # mark two stored rows: one the run must leave alone (nps reads no changed
    # source before K+1), one it must rebuild (gmv on the last day)
    untouched, rebuilt = ("nps", K, "trailing_28d", "all", "all"), ("gmv", END, "day", "all", "all")
    stored = _mark(dbt.warehouse, [untouched, rebuilt])
    dbt.run("run", range_=(K + timedelta(days=1), K + timedelta(days=1)))
    after = kpi_values(dbt.warehouse)
    out["marks"] = {"untouched": after[untouched][0], "rebuilt": after[rebuilt][0]}
    after[untouched] = stored[untouched]  # undo the mark for the comparisons below
    out["after_change"] = after
    out["min_event_date"] = query(
        dbt.warehouse,
        "select min_event_date from raw.ingest_log where source = 'orders' and extract_date = ?",
        [K + timedelta(days=1)],
    )[0][0]

    # 3. full refresh of the same data
    dbt.run("run", "--full-refresh")
    out["full_refresh"] = kpi_values(dbt.warehouse)
    assert dbt.invocations - first == 4
    return out


MARK = -123456.0


def _mark(db, keys) -> dict:
    """Overwrite the value of stored kpi_values rows with MARK; return the rows as they were."""
    stored = kpi_values(db)
    con = duckdb.connect(str(db))
    try:
        for key in keys:
            con.execute(
                'update marts.kpi_values set value = ? where kpi_id = ? and as_of_date = ? and "window" = ? '
                "and dimension = ? and dimension_value = ?",
                [MARK, *key],
            )
    finally:
        con.close()
    return {key: stored[key] for key in keys}


def _cancel_an_order(dbt: DbtWorkspace, landing, day, ordered_on) -> dict:
    """Append to extract `day` a cancelled version of a web/mobile order placed on `ordered_on`."""
    assert load_contract().sources["orders"].format == "csv"
    # an order counted in the KPIs whose latest version predates `day`
    row = query(
        dbt.warehouse,
        """
        select order_id, region, channel from intermediate.int_commerce__orders
        where ordered_on = ? and status <> 'cancelled' and channel in ('web', 'mobile')
          and cast(timezone('UTC', updated_at) as date) < ?
        order by order_id limit 1
        """,
        [ordered_on, day],
    )
    assert row, f"no order placed on {ordered_on} to cancel"
    order_id, region, channel = row[0]
    versions = []
    for path in sorted((landing / "orders").glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            versions += [r for r in csv.DictReader(handle) if r["order_id"] == order_id]
    latest = max(versions, key=lambda r: r["updated_at"])
    cancelled = dict(
        latest, status="cancelled", updated_at=datetime.combine(day, time(23, 0), UTC).isoformat()
    )
    path = landing / "orders" / f"{day.isoformat()}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames=header, lineterminator="\n").writerow(
            {c: cancelled[c] for c in header}
        )
    return {"order_id": order_id, "region": region, "channel": channel}


def test_day_by_day_and_one_range_give_identical_kpi_values(scenario):
    day_by_day, one_range = scenario["day_by_day"], scenario["one_range"]
    assert day_by_day.keys() == one_range.keys()
    assert day_by_day == one_range  # exact: sums are decimals, no float drift


def test_incremental_runs_equal_a_full_refresh(scenario):
    after, full = scenario["after_change"], scenario["full_refresh"]
    assert after.keys() == full.keys()
    assert after == full


def test_rows_outside_the_recompute_plan_are_not_rewritten(scenario):
    """The run rebuilt only the changed KPIs' rows from their own first changed day (cost ∝ change)."""
    assert scenario["marks"]["untouched"] == MARK
    assert scenario["marks"]["rebuilt"] != MARK


def test_redelivered_day_records_the_changed_event_day(scenario):
    assert scenario["min_event_date"] <= E


def test_a_late_cancellation_changes_exactly_the_windows_containing_its_day(scenario):
    before, after = scenario["day_by_day"], scenario["after_change"]
    order = scenario["cancelled"]
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}

    slices = {("all", "all"), ("region", order["region"]), ("channel", order["channel"])}
    expected = {
        (kpi, as_of, window, *slice_)
        for kpi in ("gmv", "orders", "average_order_value", "conversion_rate")
        for as_of in days(E, END)
        for window in WINDOWS
        if window_start(as_of, window) <= E
        for slice_ in slices
    }
    # gmv, orders and conversion_rate must move in every such window; an average
    # could in theory stay put, so for it only "nothing outside" is required
    must_change = {key for key in expected if key[0] != "average_order_value"}
    assert must_change <= changed, sorted(must_change - changed)[:10]
    assert changed <= expected, sorted(changed - expected)[:10]
    # the windows that do not contain E are untouched, e.g. the new quarter's
    assert all(
        before[key] == after[key]
        for key in before
        if key[0] == "gmv"
        and key[1] >= E
        and key[2] == "quarter_to_date"
        and window_start(key[1], key[2]) > E
    )
    # and days before E are not even recomputed: their rows are the same
    assert {k: v for k, v in before.items() if k[1] < E} == {k: v for k, v in after.items() if k[1] < E}
    # the order left the counts
    total = ("orders", END, "trailing_28d", "all", "all")
    assert after[total][0] == before[total][0] - 1


def test_a_new_budget_version_recomputes_its_kpis_for_all_history(tmp_path_factory, kpi_landing, kpi_build):
    """A reference file has no extract day: a new version in force still reaches every day it plans."""
    from pipelines.sources.ingest import ingest_reference
    from pipelines.warehouse import connect
    from tests.kpis.conftest import START, TIMEZONE

    landing = tmp_path_factory.mktemp("kpi_budget") / "landing"
    shutil.copytree(kpi_landing, landing)
    dbt = kpi_build.workspace
    dbt.load(kpi_build.warehouse)  # built through END
    before = kpi_values(dbt.warehouse)

    budget = landing / "reference" / "budget.csv"
    with budget.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:  # every opex plan 10% higher
        if row["account_type"] == "opex":
            row["amount"] = f"{float(row['amount']) * 1.1:.2f}"
    with budget.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    contract = load_contract()
    con = connect(dbt.warehouse, TIMEZONE)
    try:
        assert (
            ingest_reference(con, contract, contract.references["budget"], landing, TIMEZONE).status
            == "loaded"
        )
    finally:
        con.close()

    dbt.run("run", range_=(END, END))  # a daily run: the budget changed for every day
    after = kpi_values(dbt.warehouse)
    changed = {key for key in after.keys() | before.keys() if after.get(key) != before.get(key)}
    assert {key[0] for key in changed} == {"budget_variance_pct"}
    assert min(key[1] for key in changed) == START

    dbt.run("run", range_=(END, END))  # the next run sees the same version: nothing more to do
    assert kpi_values(dbt.warehouse) == after
    dbt.run("run", "--full-refresh")
    assert kpi_values(dbt.warehouse) == after
