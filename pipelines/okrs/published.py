"""Reading the published marts file: where its tables are, and their rows as dicts."""

from __future__ import annotations

from typing import Any


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def locate(con, tables: tuple[str, ...]) -> dict[str, str]:
    """Qualified names of the given tables in the published file (any schema, main first)."""
    found: dict[str, str] = {}
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = current_database() "
        "order by case table_schema when 'main' then 0 else 1 end, table_schema"
    ).fetchall()
    for schema, name in rows:
        if name in tables and name not in found:
            found[name] = f"{_quote(schema)}.{_quote(name)}"
    return found


def dict_rows(cursor) -> list[dict[str, Any]]:
    """The rows of an executed query, each a dict by column name."""
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
