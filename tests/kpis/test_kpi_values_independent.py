"""KPI values recomputed independently, straight from the landing files.

Nothing of dbt is reused: the landing files are read again with DuckDB, each
keyed source is reduced to its latest version (greatest updated_at, then the
later extract, then the later line), amounts are converted with the rate of
the day or up to 7 days earlier, and each formula of docs/kpis.md is written directly
over the window's rows (no daily parts, no running sums). Rows the ingest
quarantined are left out by (file, line), as the contract says they count
nowhere. The sample covers all 19 KPIs, every window and every slice for a
few days around month and quarter boundaries.
"""

from __future__ import annotations

import math
from datetime import date

import duckdb
import pytest

from pipelines.sources.contract import load_contract
from tests.kpis.conftest import END, START, WINDOWS, kpi_values, query
from tests.property.reference import window_start

SAMPLE_DAYS = [START, date(2024, 3, 19), date(2024, 3, 31), date(2024, 4, 1), END]

# Additive and snapshot-count KPIs: a slice absent from the independent result is 0.
ZERO_WHEN_ABSENT = {"gmv", "orders", "net_revenue", "operating_expenses", "ticket_backlog", "headcount_fte"}


@pytest.fixture(scope="module")
def landing_db(kpi_landing, kpi_build):
    """An in-memory DuckDB holding the landing files as read, minus quarantined lines."""
    contract = load_contract()
    quarantined = query(kpi_build.warehouse, "select source_file, line from raw.quarantine")
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute("create table quarantined (file varchar, line bigint)")
    con.executemany("insert into quarantined values (?, ?)", quarantined)
    for source in contract.sources.values():
        columns = ", ".join(f'try_cast("{c}" as {col.type}) as "{c}"' for c, col in source.columns.items())
        parts = []
        for path in sorted((kpi_landing / source.name).iterdir()):
            day = date.fromisoformat(path.stem)
            if not START <= day <= END:
                continue
            if path.suffix == ".csv":
                reader = f"read_csv('{path}', header=true, delim=',', all_varchar=true)"
                scan = f"(select *, row_number() over () + 1 as _line from {reader})"
            else:
                reader = f"read_parquet('{path}', file_row_number=true)"
                scan = f"(select *, file_row_number + 1 as _line from {reader})"
            parts.append(
                f"select {columns}, date '{day}' as _extract, '{path}' as _file, _line from {scan} "
                f"where (_line) not in (select line from quarantined where file = '{path}')"
            )
        con.execute(f"create table all_{source.name} as {' union all '.join(parts)}")
        order = f"{source.version_column} desc, " if source.version_column else ""
        con.execute(
            f"create view {source.name} as select * from all_{source.name} "
            f"qualify row_number() over (partition by {', '.join(source.key)} "
            f"order by {order}_extract desc, _line desc) = 1"
        )
    for name in ("chart_of_accounts", "budget"):
        con.execute(
            f"create table {name} as select * "
            f"from read_csv('{kpi_landing / 'reference' / (name + '.csv')}', header=true, all_varchar=true)"
        )
    # USD per unit for each currency and day: that day's rate or the latest of the 7 days before
    con.execute(
        f"""
        create table fx_day as
        select r.currency, cast(g.day as date) as day,
               arg_max(cast(r.usd_per_unit as double), r.rate_date) as usd
        from fx_rates as r
        join range(date '{START}' - interval 62 day, date '{END}' + interval 1 day, interval 1 day) as g(day)
          on r.rate_date between g.day - interval 7 day and g.day
        where r.currency <> 'USD'
        group by all
        """
    )
    con.execute("create macro bday(ts) as cast(timezone('UTC', ts) as date)")
    con.execute("create macro hours(a, b) as (epoch(b) - epoch(a)) / 3600.0")
    con.execute(
        f"insert into fx_day select 'USD', cast(day as date), 1.0 "
        f"from range(date '{START}' - interval 62 day, date '{END}' + interval 1 day, interval 1 day) "
        "as g(day)"
    )
    # each amount-carrying source with the rate of its FX day (null: no usable rate)
    for name, fx_day in {
        "orders": "bday(x.ordered_at)",
        "gl_journal_lines": "x.posted_on",
        "invoices": "x.issued_on",
        "marketing_spend": "x.spend_date",
        "budget": "cast(x.budget_month || '-01' as date)",
    }.items():
        con.execute(
            f"create view {name}_fx as select x.*, fx.usd as rate from {name} as x "
            f"left join fx_day as fx on fx.currency = x.currency and fx.day = {fx_day}"
        )
    yield con
    con.close()


def _slices(con, sql: str, params: list, dimensions: list[str]) -> dict[tuple[str, str], float]:
    """Run `sql` (which selects the dimension columns and `value`) per slice."""
    out: dict[tuple[str, str], float] = {}
    for dimension in ["all", *dimensions]:
        group = "'all'" if dimension == "all" else dimension
        rows = con.execute(
            f"select cast({group} as varchar) as v, value "
            f"from ({sql.format(group=group)}) where value is not null",
            params,
        ).fetchall()
        for value_key, value in rows:
            out[(dimension, value_key)] = value
    return out


def independent(con, kpi: str, as_of: date, window: str) -> dict[tuple[str, str], float]:
    s, d = window_start(as_of, window), as_of
    days_in = (d - s).days + 1
    p = [s, d]
    orders = """
        select region, channel, (gross_amount - discount_amount) * rate as usd
        from orders_fx
        where status <> 'cancelled' and bday(ordered_at) between ? and ? and rate is not null"""
    gl = """
        select l.cost_center, c.account_type, l.debit * l.rate as debit, l.credit * l.rate as credit
        from gl_journal_lines_fx l join chart_of_accounts c using (account_code)
        where l.posted_on between ? and ? and l.rate is not null"""
    if kpi == "gmv":
        return _slices(
            con, f"select {{group}}, sum(usd) as value from ({orders}) group by all", p, ["region", "channel"]
        )
    if kpi == "orders":
        return _slices(
            con, f"select {{group}}, count(*) as value from ({orders}) group by all", p, ["region", "channel"]
        )
    if kpi == "average_order_value":
        return _slices(
            con, f"select {{group}}, avg(usd) as value from ({orders}) group by all", p, ["region", "channel"]
        )
    if kpi == "conversion_rate":
        sql = f"""
            select {{group}}, sum(n) / sum(sessions) as value from (
                select region, channel, 1 as n, 0 as sessions
                from ({orders}) where channel in ('web', 'mobile')
                union all
                select region, channel, 0, sessions from web_traffic where traffic_date between ? and ?)
            group by all having sum(sessions) > 0"""
        return _slices(con, sql, p + p, ["region", "channel"])
    if kpi == "net_revenue":
        return _slices(
            con, f"select sum(credit - debit) as value from ({gl}) where account_type = 'revenue'", p, []
        )
    if kpi == "gross_margin_pct":
        sql = f"""
            select (sum(credit - debit) filter (where account_type = 'revenue')
                    - sum(debit - credit) filter (where account_type = 'cogs'))
                   / sum(credit - debit) filter (where account_type = 'revenue') as value
            from ({gl}) having sum(credit - debit) filter (where account_type = 'revenue') > 0"""
        return _slices(con, sql, p, [])
    if kpi == "operating_expenses":
        sql = f"""
            select {{group}}, sum(debit - credit) as value
            from ({gl}) where account_type = 'opex' group by all"""
        return _slices(con, sql, p, ["cost_center"])
    if kpi == "budget_variance_pct":
        sql = f"""
            with spread as (
                select b.cost_center,
                       cast(b.amount as double) * b.rate
                       / datediff('day', cast(b.budget_month || '-01' as date),
                                  cast(cast(b.budget_month || '-01' as date) + interval 1 month as date))
                       as budget
                from budget_fx b
                join range(cast(? as date), cast(? as date) + interval 1 day, interval 1 day) as r(day)
                  on strftime(r.day, '%Y-%m') = b.budget_month
                where b.account_type = 'opex' and b.rate is not null),
            opex as (select cost_center, debit - credit as opex from ({gl}) where account_type = 'opex')
            select {{group}}, (sum(opex) - sum(budget)) / sum(budget) as value from (
                select cost_center, opex, 0 as budget from opex
                union all select cost_center, 0, budget from spread)
            group by all having sum(budget) > 0"""
        # the budget of the same days: days with data only (a window reaching
        # before the first partition compares what exists on both sides)
        return _slices(con, sql, [max(s, START), d, *p], ["cost_center"])
    if kpi == "customer_acquisition_cost":
        sql = """
            select {group}, sum(spend) / sum(n) as value from (
                select region, amount * rate as spend, 0 as n from marketing_spend_fx
                where spend_date between ? and ? and rate is not null
                union all
                select region, 0, 1 from customers where bday(created_at) between ? and ?)
            group by all having sum(n) > 0"""
        return _slices(con, sql, p + p, ["region"])
    if kpi == "days_sales_outstanding":
        sql = """
            select sum(usd) filter (where paid_on is null or paid_on > ?)
                   / sum(usd) filter (where issued_on > ? - interval 90 day) * 90 as value
            from (select *, amount * rate as usd from invoices_fx where issued_on <= ? and rate is not null)
            having sum(usd) filter (where issued_on > ? - interval 90 day) > 0"""
        return _slices(con, sql, [d, d, d, d], [])
    if kpi == "on_time_delivery_rate":
        sql = """
            select {group}, avg(case when bday(delivered_at) <= promised_date then 1 else 0 end) as value
            from shipments where bday(delivered_at) between ? and ? group by all"""
        return _slices(con, sql, p, ["carrier"])
    if kpi == "avg_fulfillment_hours":
        sql = """
            select avg(hours(o.ordered_at, s.shipped_at)) as value
            from shipments s join orders_fx o using (order_id)
            where bday(s.shipped_at) between ? and ? and o.rate is not null"""
        return _slices(con, sql, p, [])
    if kpi == "first_response_hours_median":
        sql = """
            select {group}, quantile_cont(hours(opened_at, first_response_at), 0.5) as value
            from support_tickets where bday(opened_at) between ? and ? and first_response_at is not null
            group by all"""
        return _slices(con, sql, p, ["channel", "priority"])
    if kpi == "resolution_hours_p90":
        sql = """
            select {group}, quantile_cont(hours(opened_at, resolved_at), 0.9) as value
            from support_tickets where bday(resolved_at) between ? and ? group by all"""
        return _slices(con, sql, p, ["channel", "priority"])
    if kpi == "csat":
        sql = """
            select {group}, avg(case when csat_score >= 4 then 1 else 0 end) as value
            from support_tickets
            where bday(resolved_at) between ? and ? and csat_score is not null group by all"""
        return _slices(con, sql, p, ["channel"])
    if kpi == "nps":
        sql = """
            select 100.0 * (count(*) filter (where score >= 9) - count(*) filter (where score <= 6))
                   / count(*) as value
            from nps_responses where bday(responded_at) between ? and ? having count(*) > 0"""
        return _slices(con, sql, p, [])
    if kpi == "ticket_backlog":
        sql = """
            select {group}, count(*) as value from support_tickets
            where bday(opened_at) <= ? and (resolved_at is null or bday(resolved_at) > ?) group by all"""
        return _slices(con, sql, [d, d], ["priority"])
    if kpi == "headcount_fte":
        sql = """
            select {group}, sum(fte) as value from employees
            where hired_on <= ? and (terminated_on is null or terminated_on > ?) group by all"""
        return _slices(con, sql, [d, d], ["department"])
    if kpi == "revenue_per_fte":
        revenue = independent(con, "net_revenue", as_of, window).get(("all", "all"), 0.0)
        fte = independent(con, "headcount_fte", as_of, window).get(("all", "all"), 0.0)
        return {("all", "all"): float(revenue) * 365 / days_in / float(fte)} if fte > 0 else {}
    raise AssertionError(f"no independent formula for {kpi}")


KPIS = [
    "gmv", "orders", "average_order_value", "conversion_rate", "net_revenue", "gross_margin_pct",
    "operating_expenses", "budget_variance_pct", "customer_acquisition_cost", "days_sales_outstanding",
    "on_time_delivery_rate", "avg_fulfillment_hours", "first_response_hours_median", "resolution_hours_p90",
    "csat", "nps", "ticket_backlog", "headcount_fte", "revenue_per_fte",
]  # fmt: skip


@pytest.fixture(scope="module")
def built(kpi_build):
    return kpi_values(kpi_build.warehouse)


@pytest.mark.parametrize("kpi", KPIS)
def test_kpi_matches_independent_computation_from_landing_files(landing_db, built, kpi):
    problems, compared = [], 0
    for as_of in SAMPLE_DAYS:
        for window in WINDOWS:
            expected = independent(landing_db, kpi, as_of, window)
            actual = {
                key[3:]: row[0]
                for key, row in built.items()
                if key[0] == kpi and key[1] == as_of and key[2] == window
            }
            for key in expected.keys() | actual.keys():
                absent = 0.0 if kpi in ZERO_WHEN_ABSENT else None
                want, got = expected.get(key, absent), actual.get(key, absent)
                if (
                    want is None
                    or got is None
                    or not math.isclose(got, float(want), rel_tol=1e-9, abs_tol=1e-6)
                ):
                    problems.append((as_of.isoformat(), window, key, want, got))
                compared += 1
    assert not problems, f"{len(problems)} of {compared} values differ, e.g. {problems[:8]}"
    assert compared >= 2 * len(WINDOWS), f"only {compared} values to compare"


def test_sample_covers_boundaries_and_every_kpi(built):
    kpis_on_sample = {key[0] for key in built if key[1] in SAMPLE_DAYS}
    assert kpis_on_sample == set(KPIS)
