"""The lake: open Parquet files that DuckDB and Spark both read (docs/spark.md).

With LODESTAR_ENGINE=spark the dbt models run on Spark, which cannot open the
DuckDB warehouse. The tables they read are handed over as Parquet, and the
tables they build are taken back:

- `<lake>/raw/<source>/<extract day>.parquet`: the raw layer, the accepted
  rows of one source and extract day (`reference.parquet`: a reference file's
  rows). Ingestion writes the files of the days it loaded (`write_raw_days`),
  one file per source and day, so days and sources load independently; a
  source's folder is its Spark table.
- `<lake>/<schema>/<table>/part-0.parquet`: every other table the models read
  (the ingestion's quarantine and log, the gate's output, the OKR sets),
  written whole before each dbt build (`hand_over`).
- `<lake>/spark/warehouse/<schema>.db/<model>/`: the tables Spark built,
  copied into the warehouse after each build (`take_back`), where the gate,
  the checks and publishing read them as after a DuckDB build.

Every file is written under a temporary name and renamed into place, so a
reader (or a killed run) sees a whole file, old or new.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb

REFERENCE_FILE = "reference"  # the file of a reference source's rows (no extract day)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy(con: duckdb.DuckDBPyConnection, select: str, target: Path) -> None:
    """COPY `select` to the Parquet file `target`, atomically (temporary name, then rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f".part-{uuid.uuid4().hex}.parquet")
    con.execute(f"copy ({select}) to {_quote(str(part))} (format parquet)")
    os.replace(part, target)


def raw_folder(lake: Path, source: str) -> Path:
    return lake / "raw" / source


def write_raw_days(
    con: duckdb.DuckDBPyConnection, lake: Path, source: str, days: Iterable[date | None]
) -> None:
    """The raw-layer files of `source` for extract `days` (None: the reference file's rows).

    A day without accepted rows still gets its file (empty, with the columns):
    a re-delivered day that lost every row must replace the old file.
    """
    folder = raw_folder(lake, source)
    days = list(days)
    # The days' rows once, ordered by day: each file's COPY then reads only its own row
    # groups, instead of scanning the whole raw table once per day of a backfill.
    con.execute("create or replace temp table _lake_days (day date)")
    con.executemany("insert into _lake_days values (?)", [(d,) for d in days])
    con.execute(
        f"""create or replace temp table _lake_rows as
            select r.* from raw.{source} as r semi join _lake_days as d on r._extract_date is not distinct from d.day
            order by r._extract_date"""
    )
    try:
        for day in days:
            where = "_extract_date is null" if day is None else f"_extract_date = date '{day.isoformat()}'"
            name = REFERENCE_FILE if day is None else day.isoformat()
            _copy(con, f"select * from _lake_rows where {where}", folder / f"{name}.parquet")
    finally:
        con.execute("drop table if exists _lake_days")
        con.execute("drop table if exists _lake_rows")


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    query = "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?"
    return bool(con.execute(query, [schema, name]).fetchone()[0])


def _manifest(manifest_path: Path) -> dict:
    return json.loads(manifest_path.read_text())


def dbt_sources(manifest_path: Path) -> list[tuple[str, str, str]]:
    """(source name, schema, table) of every dbt source of the project."""
    sources = _manifest(manifest_path)["sources"].values()
    return sorted({(s["source_name"], s["schema"], s["identifier"]) for s in sources})


def hand_over(con: duckdb.DuckDBPyConnection, lake: Path, manifest_path: Path) -> list[str]:
    """Write the warehouse's tables behind dbt's sources to the lake; return them (schema.table).

    Small tables (logs, gate output, OKR sets) are written whole. The raw
    layer is the ingestion's (`write_raw_days`); a raw table without a folder
    yet (a warehouse loaded before the engine was switched) is written whole
    here, one file per extract day. A table the warehouse does not have yet
    (no gate run so far) is left out: dbt declares only what was written.
    """
    written = []
    for source_name, schema, table in dbt_sources(manifest_path):
        if not _table_exists(con, schema, table):
            continue
        if source_name == "raw":
            if not raw_folder(lake, table).exists():
                days = [
                    d for (d,) in con.execute(f"select distinct _extract_date from raw.{table}").fetchall()
                ]
                write_raw_days(con, lake, table, days or [None])
        else:
            _copy(con, f"select * from {schema}.{table}", lake / schema / table / "part-0.parquet")
        written.append(f"{schema}.{table}")
    return written


def take_back(con: duckdb.DuckDBPyConnection, lake: Path, tables: Iterable[tuple[str, str]]) -> list[str]:
    """Replace the warehouse's `tables` (schema, name) with the Parquet files Spark wrote for them."""
    copied = []
    for schema, name in tables:
        folder = lake / "spark" / "warehouse" / f"{schema}.db" / name
        if not any(folder.glob("*.parquet")):
            continue
        con.execute(f"create schema if not exists {schema}")
        # a DuckDB build keeps some models as views; `create or replace table` replaces only tables
        is_view = con.execute(
            "select count(*) from duckdb_views() where schema_name = ? and view_name = ?", [schema, name]
        ).fetchone()[0]
        if is_view:
            con.execute(f'drop view {schema}."{name}"')
        con.execute(
            f'create or replace table {schema}."{name}" as '
            f"select * from read_parquet({_quote(str(folder / '*.parquet'))})"
        )
        copied.append(f"{schema}.{name}")
    return copied


def record_full_kpi_changes(con: duckdb.DuckDBPyConnection) -> None:
    """Every KPI changed from its first day: the quality gate's work list after a full
    build of kpi_values (dbt_project/macros/kpis/kpi_changes.sql does it on DuckDB)."""
    con.execute("create table if not exists intermediate.kpi_changes (kpi_id varchar, from_day date)")
    con.execute(
        "insert into intermediate.kpi_changes select kpi_id, min(as_of_date) from marts.kpi_values group by kpi_id"
    )
