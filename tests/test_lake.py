"""The lake's hand-over and take-back on real DuckDB files (pipelines/lake.py)."""

from __future__ import annotations

from datetime import date

import duckdb

from pipelines import lake


def _parquet(con, folder, select):
    folder.mkdir(parents=True, exist_ok=True)
    con.execute(f"copy ({select}) to '{folder / 'part-00000.snappy.parquet'}' (format parquet)")


def test_take_back_replaces_a_view_or_a_table_and_is_repeatable(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema intermediate")
    con.execute("create view intermediate.int_calendar as select date '2024-01-01' as day")  # a DuckDB build
    con.execute("create schema marts")
    con.execute("create table marts.kpi_values as select 'old' as kpi_id")  # an earlier Spark take-back
    built = tmp_path / "lake" / "spark" / "warehouse"
    _parquet(con, built / "intermediate.db" / "int_calendar", "select date '2024-01-02' as day")
    _parquet(con, built / "marts.db" / "kpi_values", "select 'new' as kpi_id")
    tables = [("intermediate", "int_calendar"), ("marts", "kpi_values"), ("marts", "not_built")]

    for _ in range(2):  # the next day's run takes back over its own tables
        taken = lake.take_back(con, tmp_path / "lake", tables)
        assert taken == ["intermediate.int_calendar", "marts.kpi_values"]
        assert con.execute("select day from intermediate.int_calendar").fetchall() == [(date(2024, 1, 2),)]
        assert con.execute("select kpi_id from marts.kpi_values").fetchall() == [("new",)]


def test_the_raw_layer_has_one_file_per_day_and_a_day_without_rows_empties_its_file(tmp_path):
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute(
        "create table raw.orders as select * from (values ('O1', date '2024-01-01'), ('O2', date '2024-01-02'))"
        " as t (order_id, _extract_date)"
    )
    lake.write_raw_days(con, tmp_path, "orders", [date(2024, 1, 1), date(2024, 1, 2)])
    folder = lake.raw_folder(tmp_path, "orders")
    assert sorted(p.name for p in folder.iterdir()) == ["2024-01-01.parquet", "2024-01-02.parquet"]

    con.execute(
        "delete from raw.orders where _extract_date = date '2024-01-02'"
    )  # a re-delivery without rows
    lake.write_raw_days(con, tmp_path, "orders", [date(2024, 1, 2)])
    rows = con.execute(f"select order_id from read_parquet('{folder}/*.parquet') order by 1").fetchall()
    assert rows == [("O1",)]
    assert not [p for p in folder.iterdir() if p.name.startswith(".part-")]
