"""The all-or-nothing write helper on a real DuckDB file, nested as callers nest it."""

from __future__ import annotations

import pytest

from pipelines.warehouse import connect, transaction


def test_a_nested_transaction_is_part_of_the_outer_one(tmp_path):
    con = connect(tmp_path / "w.duckdb", "UTC")
    con.execute("create table t (x integer)")
    with transaction(con):
        con.execute("insert into t values (1)")
        with transaction(con):  # a second BEGIN would abort the open transaction in DuckDB
            con.execute("insert into t values (2)")
        con.execute("insert into t values (3)")
    assert con.execute("select list(x order by x) from t").fetchone()[0] == [1, 2, 3]

    with pytest.raises(RuntimeError), transaction(con):
        con.execute("insert into t values (4)")
        with transaction(con):
            con.execute("insert into t values (5)")
        raise RuntimeError("the outer write fails")
    assert con.execute("select list(x order by x) from t").fetchone()[0] == [1, 2, 3]
    with transaction(con):  # and the helper is usable again afterwards
        con.execute("insert into t values (6)")
    assert con.execute("select count(*) from t").fetchone()[0] == 4
    con.close()
