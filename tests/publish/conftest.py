from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.config import Settings
from pipelines.warehouse import connect


def make_settings(root: Path) -> Settings:
    return Settings(
        landing=root / "landing",
        warehouse=root / "warehouse" / "w.duckdb",
        published=root / "published",
        okrs=Path("okrs").resolve(),
        start_date="2024-01-01",
        timezone="UTC",
    )


def fill_working(settings: Settings, version: int, rows: int = 1000) -> None:
    """A working warehouse with every KPI-group relation the publisher reads."""
    con = connect(settings.warehouse)
    try:
        for schema in ("gate", "audit", "marts"):
            con.execute(f"create schema if not exists {schema}")
        con.execute(
            f"""create or replace table gate.kpi_values as
                select 'gmv' as kpi_id, date '2024-01-01' + cast(i as integer) as as_of_date, 'day' as "window",
                       'all' as dimension, 'all' as dimension_value, cast({version} as double) as value,
                       cast({version} as double) as numerator, cast(null as double) as denominator
                from range({rows}) t(i)"""
        )
        con.execute(
            """create or replace table gate.kpi_status as
               select 'gmv' as kpi_id, date '2024-01-01' as as_of_date, 'published' as status,
                      cast(null as date) as stale_since, cast(null as varchar) as reason"""
        )
        con.execute("create or replace table marts.kpi_catalog as select 'gmv' as kpi_id, 'GMV' as name")
        con.execute(
            """create or replace table audit.dq_results as
               select 'contract_orders' as check_name, 'raw/orders' as asset, date '2024-01-01' as partition_date,
                      true as passed, 'error' as severity, 1 as rows_checked, 0 as unexpected_count,
                      cast(null as varchar) as reason, '{}' as details_json, 'r' as run_id,
                      timestamp '2024-01-02' as checked_at"""
        )
        con.execute(
            """create or replace table marts.quarantine_summary as
               select 'orders' as source, date '2024-01-01' as extract_date, 1 as rows_read, 1 as rows_accepted,
                      0 as rows_quarantined, 0 as rows_duplicate, cast(null as varchar) as top_reason,
                      'loaded' as status, cast(null as varchar) as message"""
        )
        con.execute(
            """create or replace table marts.quarantine as
               select 'orders' as source, date '2024-01-01' as extract_date, 'orders/2024-01-01.csv' as source_file,
                      2 as line, 'region' as column_name, 'region: ''MARS'' is not one of NA, EU' as reason,
                      '{}' as raw_row, 'ingest' as stage"""
        )
    finally:
        con.close()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)
