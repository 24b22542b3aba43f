"""Comparing what two runs published, for the tests that run one landing on DuckDB and on Spark."""

from __future__ import annotations

from pathlib import Path

import duckdb

RELATIVE = 1e-9  # doubles may differ in their last bits between engines, no more


def published_columns(con: duckdb.DuckDBPyConnection, database: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = ? and table_name = ? order by column_index",
        [database, table],
    ).fetchall()


def attach_both(duck: Path, spark: Path) -> duckdb.DuckDBPyConnection:
    """A connection with the DuckDB run's published marts as `duck` and the Spark run's as `spark`."""
    con = duckdb.connect()
    con.execute(f"attach '{duck}' as duck (read_only)")
    con.execute(f"attach '{spark}' as spark (read_only)")
    return con


def published_differences(con: duckdb.DuckDBPyConnection, table: str, key: tuple[str, ...]) -> list[str]:
    """What differs between `duck.table` and `spark.table`: columns, rows only on one side, and
    per column the rows whose values differ (doubles beyond RELATIVE)."""
    columns = published_columns(con, "duck", table)
    if columns != published_columns(con, "spark", table):
        return [f"columns {columns} != {published_columns(con, 'spark', table)}"]
    on = " and ".join(f'd."{c}" = s."{c}"' for c in key)
    only_duck, only_spark = con.execute(
        f'select count(*) filter (where s."{key[0]}" is null), count(*) filter (where d."{key[0]}" is null) '
        f"from duck.main.{table} as d full outer join spark.main.{table} as s on {on}"
    ).fetchone()
    differences = [f"{only_duck} rows only on DuckDB"] if only_duck else []
    differences += [f"{only_spark} rows only on Spark"] if only_spark else []
    for name, data_type in columns:
        if name in key:
            continue
        if data_type == "DOUBLE":
            differs = (
                f'abs(d."{name}" - s."{name}") > {RELATIVE} * greatest(abs(d."{name}"), abs(s."{name}"))'
                f' or (d."{name}" is null) <> (s."{name}" is null)'
            )
        else:
            differs = f'd."{name}" is distinct from s."{name}"'
        found = con.execute(
            f"select count(*) from duck.main.{table} as d join spark.main.{table} as s on {on} where {differs}"
        ).fetchone()[0]
        if found:
            differences.append(f"{name}: {found} rows")
    return differences
