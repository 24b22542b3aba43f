"""duckdb-engine with reflection read from DuckDB's own catalog (URL `duckdb+lodestar://`).

duckdb-engine 0.17 inherits SQLAlchemy's PostgreSQL reflection, which queries
DuckDB's partial emulation of `pg_catalog`:

- SQLAlchemy 2.1 column reflection fails (`pg_catalog.pg_collation` not found);
- SQLAlchemy 2.0.55+ key reflection fails (`Type with name REGCLASS does not exist`);
- older SQLAlchemy 2.0 reflects without error but finds no key (`pg_index` is empty).

This dialect keeps everything of duckdb-engine (connection, types, SQL) and
answers reflection from `duckdb_columns()`, `duckdb_constraints()`,
`duckdb_tables()` and `duckdb_views()`: columns with comments, primary,
unique and foreign keys, check constraints and table comments, with either
SQLAlchemy series. It is registered as the SQLAlchemy dialect
`duckdb.lodestar` by this package's entry points (docs/bi.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import duckdb_engine
from sqlalchemy import text
from sqlalchemy import types as sqltypes
from sqlalchemy.engine.reflection import ObjectKind

_DECIMAL = re.compile(r"^(DECIMAL|NUMERIC)\((\d+),\s*(\d+)\)$", re.IGNORECASE)
_ALIASES = {
    "varchar": sqltypes.String,
    "double": sqltypes.Double,
    "float": sqltypes.Float,
    "timestamp with time zone": lambda: sqltypes.TIMESTAMP(timezone=True),
    "timestamp": sqltypes.TIMESTAMP,
    "blob": sqltypes.LargeBinary,
}


def _constraint_lists(constraint_type: str, shape: Callable[[Any, str | None], dict[str, Any]]):
    """A get_multi_* reflection method: each table's constraints of one type, as `shape` makes them."""

    def reflect(self, connection, schema=None, filter_names=None, scope=None, kind=None, **kw):
        return self._grouped(
            connection, schema, filter_names, kind, constraint_type, lambda r: shape(r, schema)
        )

    return reflect


class LodestarDuckDBDialect(duckdb_engine.Dialect):
    driver = "lodestar"
    supports_statement_cache = False

    # ------------------------------------------------------------------ helpers

    def _scope(self, schema: str | None) -> tuple[str, dict[str, str]]:
        """SQL condition and parameters selecting the database and schema to reflect."""
        if schema is None:
            return "database_name = current_database() and schema_name = current_schema()", {}
        database, _, name = schema.rpartition(".")
        if database:
            return "database_name = :database and schema_name = :schema", {
                "database": database,
                "schema": name,
            }
        return "database_name = current_database() and schema_name = :schema", {"schema": name}

    def _rows(self, connection, sql: str, schema: str | None, **params: Any) -> list[Any]:
        where, scope = self._scope(schema)
        return list(connection.execute(text(sql.format(where=where)), {**scope, **params}).mappings())

    def _relations(self, connection, schema, filter_names, kind) -> dict[str, str | None]:
        """name -> comment of the tables and/or views asked for."""
        found: dict[str, str | None] = {}
        kind = kind if kind is not None else ObjectKind.TABLE
        if ObjectKind.TABLE in kind:
            for r in self._rows(
                connection,
                "select table_name as name, comment from duckdb_tables() where {where} and not internal",
                schema,
            ):
                found[r["name"]] = r["comment"]
        if ObjectKind.VIEW in kind or ObjectKind.MATERIALIZED_VIEW in kind:
            for r in self._rows(
                connection,
                "select view_name as name, comment from duckdb_views() where {where} and not internal",
                schema,
            ):
                found[r["name"]] = r["comment"]
        if filter_names is not None:
            wanted = set(filter_names)
            found = {name: comment for name, comment in found.items() if name in wanted}
        return found

    def _constraints(self, connection, schema, constraint_type: str) -> list[Any]:
        return self._rows(
            connection,
            """select table_name, constraint_name, constraint_column_names as columns,
                      referenced_table, referenced_column_names as referenced_columns, expression
               from duckdb_constraints() where {where} and constraint_type = :type
               order by table_name, constraint_index""",
            schema,
            type=constraint_type,
        )

    def _column_type(self, data_type: str) -> sqltypes.TypeEngine:
        if data_type.endswith("[]"):
            return sqltypes.ARRAY(self._column_type(data_type[:-2]))
        decimal = _DECIMAL.match(data_type)
        if decimal:
            return sqltypes.Numeric(int(decimal.group(2)), int(decimal.group(3)))
        name = data_type.lower()
        factory = _ALIASES.get(name) or self.ischema_names.get(name)
        return factory() if factory is not None else sqltypes.NullType()

    # ---------------------------------------------------------------- reflection

    def get_multi_columns(self, connection, schema=None, filter_names=None, scope=None, kind=None, **kw):
        relations = self._relations(connection, schema, filter_names, kind)
        columns: dict[str, list[dict[str, Any]]] = {name: [] for name in relations}
        for r in self._rows(
            connection,
            """select table_name, column_name, data_type, is_nullable, column_default, comment
               from duckdb_columns() where {where} and not internal order by table_name, column_index""",
            schema,
        ):
            if r["table_name"] in columns:
                columns[r["table_name"]].append(
                    {
                        "name": r["column_name"],
                        "type": self._column_type(r["data_type"]),
                        "nullable": bool(r["is_nullable"]),
                        "default": r["column_default"],
                        "autoincrement": False,
                        "comment": r["comment"],
                    }
                )
        return [((schema, name), cols) for name, cols in columns.items()]

    def get_multi_pk_constraint(
        self, connection, schema=None, filter_names=None, scope=None, kind=None, **kw
    ):
        relations = self._relations(connection, schema, filter_names, kind)
        keys = {r["table_name"]: r for r in self._constraints(connection, schema, "PRIMARY KEY")}
        return [
            (
                (schema, name),
                {"constrained_columns": list(keys[name]["columns"]), "name": keys[name]["constraint_name"]}
                if name in keys
                else {"constrained_columns": [], "name": None},
            )
            for name in relations
        ]

    def _grouped(self, connection, schema, filter_names, kind, constraint_type, shape) -> Iterable:
        relations = self._relations(connection, schema, filter_names, kind)
        grouped: dict[str, list[dict[str, Any]]] = {name: [] for name in relations}
        for r in self._constraints(connection, schema, constraint_type):
            if r["table_name"] in grouped:
                grouped[r["table_name"]].append(shape(r))
        return [((schema, name), items) for name, items in grouped.items()]

    # foreign keys, unique and check constraints: a list per table, one shape each
    get_multi_foreign_keys = _constraint_lists(
        "FOREIGN KEY",
        lambda r, schema: {
            "name": r["constraint_name"],
            "constrained_columns": list(r["columns"]),
            "referred_schema": None if schema is None else schema,
            "referred_table": r["referenced_table"],
            "referred_columns": list(r["referenced_columns"]),
            "options": {},
        },
    )
    get_multi_unique_constraints = _constraint_lists(
        "UNIQUE", lambda r, schema: {"name": r["constraint_name"], "column_names": list(r["columns"])}
    )
    get_multi_check_constraints = _constraint_lists(
        "CHECK", lambda r, schema: {"name": r["constraint_name"], "sqltext": r["expression"]}
    )

    def get_multi_indexes(self, connection, schema=None, filter_names=None, scope=None, kind=None, **kw):
        # DuckDB's indexes are the key constraints above; no separate index reflection
        return [((schema, name), []) for name in self._relations(connection, schema, filter_names, kind)]

    def get_multi_table_comment(
        self, connection, schema=None, filter_names=None, scope=None, kind=None, **kw
    ):
        return [
            ((schema, name), {"text": comment})
            for name, comment in self._relations(connection, schema, filter_names, kind).items()
        ]

    def get_multi_table_options(
        self, connection, schema=None, filter_names=None, scope=None, kind=None, **kw
    ):
        # PostgreSQL storage options (inheritance, tablespaces) have no DuckDB counterpart
        return [((schema, name), {}) for name in self._relations(connection, schema, filter_names, kind)]
