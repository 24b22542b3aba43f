"""The publish gate (docs/quality-gate.md): which KPI values may be published, per KPI and day.

A rejected reference file (budget, chart of accounts) does not block: the
last accepted version stays in force, and the status of the KPIs that read it
carries a note saying so.

A KPI value for day D and window W is publishable when the contract checks of
every source the KPI depends on passed for every extract day W reads (all days
up to D for snapshot KPIs) and the KPI's own checks passed for D. A value that
is not publishable keeps its last good published value (or stays absent),
and `gate.kpi_status` marks the KPI stale for D with the reason.

The gate recomputes its decisions for all days each run: a fixed source
clears the stale flag of every day it blocked.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.okrs.catalog import Catalog


@dataclass(frozen=True)
class GateSummary:
    published_rows: int
    stale_days: int
    stale_kpis: dict[str, str]  # kpi_id -> reason on the last loaded day


def ensure_check_failures_table(con: duckdb.DuckDBPyConnection) -> None:
    """`gate.kpi_check_failures`: the blocking KPI check outcomes, one row per KPI and day (kpi_checks.py)."""
    con.execute("create schema if not exists gate")
    con.execute(
        "create table if not exists gate.kpi_check_failures (kpi_id varchar, as_of_date date, reason varchar)"
    )


def ensure_gate_schema(con: duckdb.DuckDBPyConnection) -> None:
    ensure_check_failures_table(con)
    con.execute(
        """create table if not exists gate.kpi_values (
            kpi_id varchar, as_of_date date, "window" varchar, dimension varchar,
            dimension_value varchar, value double, numerator double, denominator double)"""
    )
    con.execute(
        """create table if not exists gate.kpi_status (
            kpi_id varchar, as_of_date date, status varchar, stale_since date, reason varchar, note varchar)"""
    )
    con.execute("alter table gate.kpi_status add column if not exists note varchar")


def kpi_sources(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """{kpi_id: the landing sources it reads}, as dbt derived it from the catalog and its lineage."""
    sources: dict[str, set[str]] = {}
    for kpi_id, source in con.execute("select kpi_id, source from intermediate.int_kpi_sources").fetchall():
        sources.setdefault(kpi_id, set()).add(source)
    return sources


def apply_gate(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, sources_by_kpi: dict[str, set[str]]
) -> GateSummary:
    ensure_gate_schema(con)
    con.execute(
        "create or replace temp table _kpi_sources (kpi_id varchar, source varchar, snapshot boolean)"
    )
    rows = [
        (kpi.id, source, kpi.is_snapshot)
        for kpi in catalog.kpis
        for source in sorted(sources_by_kpi.get(kpi.id, ()))
    ]
    if rows:
        con.executemany("insert into _kpi_sources values (?, ?, ?)", rows)
    con.execute("create or replace temp table _kpis (kpi_id varchar)")
    con.executemany("insert into _kpis values (?)", [(k.id,) for k in catalog.kpis])

    # Failed error-severity source checks: (source, day) — a reference table's
    # failure (partition_date null) blocks every day.
    con.execute(
        """
        create or replace temp table _source_failures as
        select split_part(asset, '/', 2) as source, partition_date as day,
               any_value(reason order by check_name) as reason
        from audit.dq_results
        where not passed and severity = 'error' and asset like 'raw/%'
        group by all
        """
    )
    # Warnings about the reference data in force (a rejected new version of the
    # budget or the chart of accounts): the KPIs are published on the last
    # accepted version, and their status says so.
    con.execute(
        """
        create or replace temp table _notes as
        select ks.kpi_id, string_agg(distinct ks.source || ': ' || d.reason, '; ' order by ks.source || ': ' || d.reason) as note
        from _kpi_sources as ks
        join audit.dq_results as d
          on d.asset = 'raw/' || ks.source and d.partition_date is null
         and not d.passed and d.severity = 'warning'
        group by all
        """
    )
    # Blocked (kpi, as_of_date, window) with a reason.
    con.execute(
        """
        create or replace temp table _blocked as
        with source_blocks as (
            select ks.kpi_id, w.as_of_date, w."window",
                   'source ' || f.source || coalesce(' ' || f.day, '') || ' failed its checks: ' || f.reason as reason
            from _kpi_sources as ks
            join _source_failures as f on f.source = ks.source
            join intermediate.int_kpi_windows as w
              on f.day is null
              or (f.day <= w.as_of_date and (ks.snapshot or f.day >= w.window_start))
        ),
        check_blocks as (
            select c.kpi_id, w.as_of_date, w."window", 'KPI check failed: ' || c.reason as reason
            from gate.kpi_check_failures as c
            join intermediate.int_kpi_windows as w using (as_of_date)
        )
        select kpi_id, as_of_date, "window", min(reason) as reason, count(*) as causes
        from (select * from source_blocks union all select * from check_blocks)
        group by all
        """
    )
    # Publishable values replace the published ones; blocked ones keep the last good value.
    con.execute(
        """
        create or replace temp table _published as
        select v.kpi_id, v.as_of_date, v."window", v.dimension, v.dimension_value, v.value, v.numerator, v.denominator
        from marts.kpi_values as v
        anti join _blocked as b using (kpi_id, as_of_date, "window")
        union all
        select g.*
        from gate.kpi_values as g
        semi join _blocked as b using (kpi_id, as_of_date, "window")
        """
    )
    con.execute("delete from gate.kpi_values")
    con.execute(
        """insert into gate.kpi_values select * from _published
           order by kpi_id, as_of_date, "window", dimension, dimension_value"""
    )
    # Status per KPI and loaded day; stale_since = first day of the current stale streak.
    con.execute("delete from gate.kpi_status")
    con.execute(
        """
        insert into gate.kpi_status
        with days as (
            select k.kpi_id, c.day as as_of_date, b.reason
            from _kpis as k
            cross join intermediate.int_calendar as c
            left join (
                select kpi_id, as_of_date, min(reason) as reason from _blocked group by all
            ) as b on b.kpi_id = k.kpi_id and b.as_of_date = c.day
        ),
        streaks as (
            select *,
                   sum(case when reason is null then 1 else 0 end)
                       over (partition by kpi_id order by as_of_date) as published_so_far
            from days
        )
        select streaks.kpi_id, as_of_date,
               case when reason is null then 'published' else 'stale' end as status,
               case when reason is null then null
                    else min(case when reason is not null then as_of_date end)
                        over (partition by streaks.kpi_id, published_so_far) end as stale_since,
               reason,
               _notes.note
        from streaks
        left join _notes on _notes.kpi_id = streaks.kpi_id
        order by streaks.kpi_id, as_of_date
        """
    )
    published_rows = con.execute("select count(*) from gate.kpi_values").fetchone()[0]
    stale_days = con.execute("select count(*) from gate.kpi_status where status = 'stale'").fetchone()[0]
    stale_kpis = dict(
        con.execute(
            """select kpi_id, reason from gate.kpi_status
               where status = 'stale' and as_of_date = (select max(as_of_date) from gate.kpi_status)
               order by kpi_id"""
        ).fetchall()
    )
    return GateSummary(published_rows, stale_days, stale_kpis)
