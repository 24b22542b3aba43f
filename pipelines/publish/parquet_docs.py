"""Table and column descriptions in the published Parquet copies.

DuckDB's COPY writes no column-level metadata, so the staged file is rewritten
once with pyarrow: the table comment goes into the schema metadata
(`description`) and each column comment into its field's metadata
(`description`), where pyarrow, Polars and pandas readers find them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq


def describe_parquet(con: duckdb.DuckDBPyConnection, database: str, table: str, path: Path) -> None:
    """Add the comments of `database`.main.`table` to the Parquet file at `path` (rewritten in place)."""
    (description,) = con.execute(
        "select comment from duckdb_tables() where database_name = ? and schema_name = 'main' and table_name = ?",
        [database, table],
    ).fetchone()
    comments = dict(
        con.execute(
            "select column_name, comment from duckdb_columns() "
            "where database_name = ? and schema_name = 'main' and table_name = ?",
            [database, table],
        ).fetchall()
    )
    data = pq.read_table(path)
    schema = pa.schema(
        [
            field.with_metadata({"description": comments[field.name]}) if comments.get(field.name) else field
            for field in data.schema
        ],
        metadata={"description": description or table, "table": table},
    )
    pq.write_table(pa.Table.from_arrays(data.columns, schema=schema), path, compression="zstd")
