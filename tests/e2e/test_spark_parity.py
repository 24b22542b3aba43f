"""The same demo on Spark (LODESTAR_ENGINE=spark) publishes what it publishes on DuckDB.

The demo's landing (START..END at the demo scale, with its OKR set) is run
again through the real job with the KPI and OKR dbt models on a local PySpark
(dbt-spark's session method): the raw layer goes to the lake as Parquet, the
models run on Spark, their tables come back for the gate and publishing. Every
published KPI value and KR and objective progress row must equal the DuckDB
run's (doubles to 1e-9 relative), and BI tools must see the same tables with
the same column types.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from tests.e2e.conftest import END, START, make_settings, run
from tests.engines import attach_both, published_columns, published_differences

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo")]

# table -> its key; the other columns are compared (doubles to 1e-9 relative)
COMPARED = {
    "kpi_values": ("kpi_id", "as_of_date", "window", "dimension", "dimension_value"),
    "kr_progress_daily": ("kr_id", "as_of_date"),
    "objective_progress_daily": ("objective_id", "as_of_date"),
}


@pytest.fixture(scope="module")
def on_spark(demo, tmp_path_factory):
    root = tmp_path_factory.mktemp("spark")
    settings = make_settings(root, demo.landing).model_copy(update={"engine": "spark"})
    shutil.copytree(demo.okrs, settings.okrs)
    run(settings, START, END)
    return settings


@pytest.fixture
def both(demo, on_spark):
    con = attach_both(demo.published_marts, on_spark.published_marts)
    yield con
    con.close()


@pytest.mark.parametrize("table", sorted(COMPARED))
def test_every_published_row_equals_the_duckdb_run(both, table):
    rows = both.execute(f"select count(*) from duck.main.{table}").fetchone()[0]
    assert rows > 100, f"{table} has only {rows} rows: the comparison would prove little"
    assert not published_differences(both, table, COMPARED[table])


def test_bi_tools_see_the_same_tables_and_column_types(both):
    tables = "select table_name from duckdb_tables() where database_name = ? order by table_name"
    duck_tables = [t for (t,) in both.execute(tables, ["duck"]).fetchall()]
    assert duck_tables == [t for (t,) in both.execute(tables, ["spark"]).fetchall()]
    for table in duck_tables:
        assert published_columns(both, "spark", table) == published_columns(both, "duck", table), table


def test_the_raw_layer_is_one_parquet_file_per_source_and_extract_day(on_spark):
    folder = on_spark.lake_dir / "raw" / "orders"
    days = sorted(p.stem for p in folder.glob("*.parquet"))
    assert days[0] == START.isoformat() and days[-1] == END.isoformat()
    con = duckdb.connect(str(on_spark.warehouse), read_only=True)
    try:
        in_lake = con.execute(
            f"select count(*), count(distinct _extract_date) from read_parquet('{folder}/*.parquet')"
        ).fetchone()
        in_warehouse = con.execute(
            "select count(*), count(distinct _extract_date) from raw.orders"
        ).fetchone()
    finally:
        con.close()
    assert in_lake == in_warehouse
    assert in_lake[1] == len(days)
