"""A fresh working warehouse with the raw schema, and the landing folder beside it."""

from __future__ import annotations

import pytest

from pipelines.sources.contract import load_contract
from pipelines.sources.ingest import ensure_schema
from pipelines.warehouse import connect


@pytest.fixture
def env(tmp_path):
    con = connect(tmp_path / "w.duckdb", "UTC")
    ensure_schema(con, load_contract())
    yield con, tmp_path / "landing"
    con.close()


def quarantined(con, source: str) -> list[tuple]:
    """(line, column, reason) of the source's quarantined rows, by line."""
    return con.execute(
        "select line, column_name, reason from raw.quarantine where source = ? order by line", [source]
    ).fetchall()
