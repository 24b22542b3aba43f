"""The publish gate (docs/quality-gate.md): which KPI values may be published, per KPI and day.

A rejected reference file (budget, chart of accounts) does not block: the
last accepted version stays in force, and the status of the KPIs that read it
carries a note saying so.

A KPI value for day D and window W is publishable when the contract checks of
every source the KPI depends on passed for every extract day W reads (all days
up to D for snapshot KPIs) and the KPI's own checks passed for D. A value that
is not publishable keeps its last good published value (or stays absent),
and `gate.kpi_status` marks the KPI stale for D with the reason.

A run re-decides only the KPI days whose inputs changed (`gate_work`): the
days from which kpi_values changed since the last gate (dbt records them in
`intermediate.kpi_changes`), and, for the KPIs reading a source, the days
from which a source check outcome changed since the last gate (a fixed file
clears the stale flag of every day it blocked). Everything else keeps its
decision. `kpi_status` is small and is recomputed for every day, so
`stale_since` always follows the whole history. The work list is cleared in
the transaction that writes the decisions: a run that stops before leaves it
to the next one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from pipelines.okrs.catalog import Catalog
from pipelines.warehouse import transaction

# The first day of everything: a KPI re-decided "from the beginning".
EVERY_DAY = date(1, 1, 1)


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
    # The latest dq_results.checked_at the gate has taken into account.
    con.execute("create table if not exists gate.state (dq_checked_until timestamptz)")
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


@dataclass(frozen=True)
class GateWork:
    """What a run must (re)judge: per KPI, the first day whose inputs changed."""

    checks_from: dict[str, date]  # KPI checks: the first as_of_date of each KPI whose value changed
    redo_from: dict[str, date] | None  # gate decisions; None: every KPI and day (nothing judged yet)
    last_day: date | None  # the last loaded day
    dq_checked_until: datetime | None  # the dq_results this work list includes


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            """select count(*) from information_schema.tables
               where table_catalog = current_database() and table_schema = ? and table_name = ?""",
            [schema, table],
        ).fetchone()[0]
    )


def gate_work(con: duckdb.DuckDBPyConnection, sources_by_kpi: dict[str, set[str]]) -> GateWork | None:
    """The KPI days this run must judge, or None when dbt did not record its changes.

    KPI checks judge the days kpi_values changed (`intermediate.kpi_changes`,
    from the first changed day of each KPI to the last loaded day). The gate
    re-decides those days too, plus, for each KPI, the days from the earliest
    extract day whose source check outcome changed since the last gate run (a
    reference table's outcome: every day).
    """
    if not _exists(con, "intermediate", "kpi_changes") or not _exists(con, "intermediate", "int_calendar"):
        return None
    ensure_gate_schema(con)
    first, last = con.execute("select min(day), max(day) from intermediate.int_calendar").fetchone()
    checks = {
        kpi_id: max(day, first) if first else day
        for kpi_id, day in con.execute(
            "select kpi_id, min(from_day) from intermediate.kpi_changes group by kpi_id"
        ).fetchall()
    }
    until = con.execute("select max(dq_checked_until) from gate.state").fetchone()[0]
    checked = (
        con.execute("select max(checked_at) from audit.dq_results").fetchone()[0]
        if _exists(con, "audit", "dq_results")
        else None
    )
    if until is None and con.execute("select count(*) from gate.kpi_values").fetchone()[0] == 0:
        return GateWork(checks, None, last, checked)  # nothing decided yet: decide everything
    redo = dict(checks)
    changed_sources = (
        con.execute(
            """select split_part(asset, '/', 2), min(coalesce(partition_date, date '0001-01-01'))
           from audit.dq_results
           where asset like 'raw/%' and (? is null or checked_at > ?)
           group by all""",
            [until, until],
        ).fetchall()
        if checked is not None
        else []
    )
    for source, day in changed_sources:
        for kpi_id, sources in sources_by_kpi.items():
            if source in sources:
                redo[kpi_id] = min(day, redo.get(kpi_id, day))
    return GateWork(checks, redo, last, checked)


def finish_gate_work(con: duckdb.DuckDBPyConnection, work: GateWork | None) -> None:
    """Clear the work list the gate has judged and remember how far dq_results was taken in."""
    if work is None:
        return
    con.execute("delete from intermediate.kpi_changes")
    con.execute("delete from gate.state")
    con.execute("insert into gate.state values (?)", [work.dq_checked_until])


def apply_gate(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    sources_by_kpi: dict[str, set[str]],
    redo_from: Mapping[str, date] | None = None,
    work: GateWork | None = None,
) -> GateSummary:
    """Decide what may be published: every KPI day, or per KPI from `redo_from` on.

    With `work`, its list is cleared in the same transaction as the decisions.
    """
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
    # The KPI days to re-decide; the others keep their decision.
    con.execute("create or replace temp table _redo (kpi_id varchar, from_day date)")
    redo = redo_from if redo_from is not None else {k.id: EVERY_DAY for k in catalog.kpis}
    if redo:
        con.executemany("insert into _redo values (?, ?)", sorted(redo.items()))
    # Publishable values replace the published ones; blocked ones keep the last good value.
    con.execute(
        """
        create or replace temp table _published as
        select v.kpi_id, v.as_of_date, v."window", v.dimension, v.dimension_value, v.value, v.numerator, v.denominator
        from marts.kpi_values as v
        semi join _redo as r on r.kpi_id = v.kpi_id and v.as_of_date >= r.from_day
        anti join _blocked as b using (kpi_id, as_of_date, "window")
        union all
        select g.*
        from gate.kpi_values as g
        semi join _redo as r on r.kpi_id = g.kpi_id and g.as_of_date >= r.from_day
        semi join _blocked as b using (kpi_id, as_of_date, "window")
        """
    )
    with transaction(con):
        _write_decisions(con)
        finish_gate_work(con, work)
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


def _write_decisions(con: duckdb.DuckDBPyConnection) -> None:
    """Replace the re-decided KPI days of gate.kpi_values, and kpi_status for every day."""
    con.execute(
        """delete from gate.kpi_values as g using _redo as r
           where g.kpi_id = r.kpi_id and g.as_of_date >= r.from_day"""
    )
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
