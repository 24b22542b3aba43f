"""Atomic publication of the marts (docs/quality-gate.md).

The complete set of published tables is written into a new DuckDB file next
to the published one, checked, closed, and then `os.replace`d over
`marts.duckdb`; Parquet copies go the same way (new file, then rename).
Readers holding the old file keep reading it, new readers see the new one,
and a publish that dies halfway leaves the previous state whole. The
published file is never opened for writing.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import yaml

from pipelines.config import Settings
from pipelines.publish.parquet_docs import describe_parquet

MARTS_FILE = Path(__file__).with_name("marts.yml")
TMP_PREFIX = ".publishing-"
# Files BI tools with a DuckDB 1.x driver can still open.
STORAGE_VERSION = "v1.1.0"


@dataclass(frozen=True)
class PublishedTable:
    name: str
    relation: str
    group: str
    order_by: tuple[str, ...] = ()
    description: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()  # declared in the file so BI tools reflect it


@cache
def published_tables() -> tuple[PublishedTable, ...]:
    spec = yaml.safe_load(MARTS_FILE.read_text())
    return tuple(
        PublishedTable(
            name=name,
            relation=entry["relation"],
            group=entry["group"],
            order_by=tuple(entry.get("order_by", ())),
            description=entry.get("description"),
            columns=entry.get("columns", {}),
            primary_key=tuple(entry.get("primary_key", ())),
        )
        for name, entry in spec.items()
    )


def _dbt_docs(manifest_path: Path | None) -> dict[str, tuple[str, dict[str, str]]]:
    """schema.name -> (description, column descriptions) of every dbt model."""
    if manifest_path is None or not manifest_path.exists():
        return {}
    manifest = json.loads(manifest_path.read_text())
    docs = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] in ("model", "seed"):
            columns = {name: col.get("description", "") for name, col in node.get("columns", {}).items()}
            docs[f"{node['schema']}.{node['name']}"] = (node.get("description", ""), columns)
    return docs


def _quote(text: str) -> str:
    return "'" + " ".join(text.split()).replace("'", "''") + "'"


def _relation_exists(con: duckdb.DuckDBPyConnection, relation: str, database: str | None = None) -> bool:
    schema, _, name = relation.rpartition(".")
    query = "select count(*) from duckdb_tables() where table_name = ? and schema_name = ?"
    params = [name, schema or "main"]
    if database:
        query += " and database_name = ?"
        params.append(database)
    views = "select count(*) from duckdb_views() where view_name = ? and schema_name = ?"
    return bool(con.execute(query, params).fetchone()[0] or con.execute(views, params[:2]).fetchone()[0])


def _relation_comments(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    *database, schema, name = relation.split(".")
    query = "select column_name, comment from duckdb_columns() where schema_name = ? and table_name = ?"
    params = [schema, name]
    if database:
        query += " and database_name = ?"
        params.append(database[0])
    else:
        query += " and database_name = current_database()"
    return {column: comment for column, comment in con.execute(query, params).fetchall() if comment}


@dataclass
class PublishReport:
    path: Path
    tables: dict[str, int]  # table -> rows
    refreshed: list[str]
    kept: list[str]


def _cleanup_leftovers(directory: Path) -> None:
    """Remove half-written files of a publish that was killed."""
    for leftover in directory.rglob(f"{TMP_PREFIX}*"):
        leftover.unlink(missing_ok=True)


def publish(
    con: duckdb.DuckDBPyConnection, settings: Settings, groups: set[str], manifest_path: Path | None
) -> PublishReport:
    """Publish the tables of `groups` from the working warehouse (`con`); keep the others as published."""
    target = settings.published_marts
    parquet_dir = settings.published / "parquet"
    parquet_dir.mkdir(parents=True, exist_ok=True)
    _cleanup_leftovers(settings.published)
    tmp = settings.published / f"{TMP_PREFIX}{uuid.uuid4().hex}.duckdb"
    docs = _dbt_docs(manifest_path)
    tables: dict[str, int] = {}
    refreshed, kept = [], []

    con.execute(f"attach {_quote(str(tmp))} as publishing (storage_version '{STORAGE_VERSION}')")
    has_previous = target.exists()
    if has_previous:
        con.execute(f"attach {_quote(str(target))} as previous (read_only)")
    try:
        for table in published_tables():
            if table.group in groups and _relation_exists(con, table.relation):
                source = table.relation
                refreshed.append(table.name)
            elif has_previous and _relation_exists(con, f"main.{table.name}", database="previous"):
                source = f"previous.main.{table.name}"
                kept.append(table.name)
            else:
                continue
            order = ", ".join(f'"{c}"' for c in table.order_by) or "all"
            con.execute(
                f'create table publishing.main."{table.name}" as select * from {source} order by {order}'
            )
            if table.primary_key:
                key = ", ".join(f'"{c}"' for c in table.primary_key)
                con.execute(f'alter table publishing.main."{table.name}" add primary key ({key})')
            description, column_docs = docs.get(table.relation, (table.description or "", {}))
            description = table.description or description
            # columns no YAML describes (generated ones) keep the comment of their source relation
            column_docs = {**_relation_comments(con, source), **column_docs, **table.columns}
            con.execute(
                f'comment on table publishing.main."{table.name}" is {_quote(description or table.name)}'
            )
            for (column,) in con.execute(
                "select column_name from duckdb_columns() where database_name = 'publishing' and table_name = ?",
                [table.name],
            ).fetchall():
                text = column_docs.get(column) or column
                con.execute(f'comment on column publishing.main."{table.name}"."{column}" is {_quote(text)}')
            tables[table.name] = con.execute(
                f'select count(*) from publishing.main."{table.name}"'
            ).fetchone()[0]
        con.execute("detach publishing")
        if has_previous:
            con.execute("detach previous")
        _audit(tmp, tables)
        staged = _stage_parquet(con, tmp, parquet_dir, tables)
        os.replace(tmp, target)  # the atomic switch: readers see old or new, never half
        for final, part in staged:
            os.replace(part, final)
    except BaseException:
        for database in ("publishing", "previous"):
            con.execute(f"detach database if exists {database}")
        tmp.unlink(missing_ok=True)
        raise
    return PublishReport(path=target, tables=tables, refreshed=refreshed, kept=kept)


def _audit(path: Path, expected: dict[str, int]) -> None:
    """Re-open the new file read-only and check that it holds what was written."""
    check = duckdb.connect(str(path), read_only=True)
    try:
        for name, rows in expected.items():
            found = check.execute(f'select count(*) from "{name}"').fetchone()[0]
            if found != rows:
                raise RuntimeError(f"publish audit: {name} has {found} rows in {path}, expected {rows}")
    finally:
        check.close()
    if path.with_name(path.name + ".wal").exists():
        raise RuntimeError(f"publish audit: {path} still has a write-ahead log")


def _stage_parquet(con, marts: Path, parquet_dir: Path, tables: dict[str, int]) -> list[tuple[Path, Path]]:
    con.execute(f"attach {_quote(str(marts))} as staged (read_only)")
    staged = []
    try:
        for name in tables:
            final = parquet_dir / f"{name}.parquet"
            part = parquet_dir / f"{TMP_PREFIX}{name}.parquet"
            con.execute(f'copy staged.main."{name}" to {_quote(str(part))} (format parquet)')
            describe_parquet(con, "staged", name, part)
            staged.append((final, part))
    finally:
        con.execute("detach staged")
    return staged
