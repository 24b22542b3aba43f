"""The duckdb+lodestar SQLAlchemy dialect reflects what stock duckdb-engine cannot: keys."""

from __future__ import annotations

import duckdb
import pytest
import sqlalchemy as sa


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "bi.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        """
        create table dim_kpi (kpi_id varchar primary key, unit varchar, target decimal(18, 2), tags varchar[]);
        comment on table dim_kpi is 'KPIs';
        comment on column dim_kpi.kpi_id is 'KPI id';
        create table facts (kpi_id varchar references dim_kpi (kpi_id), day date, value double,
                            code integer unique, primary key (kpi_id, day));
        create view facts_view as select * from facts;
        insert into dim_kpi values ('gmv', 'usd', 1.5, ['a']);
        insert into facts values ('gmv', date '2026-01-01', 2.0, 1);
        """
    )
    con.close()
    return path


def test_entry_point_dialect_reflects_columns_comments_and_keys_read_only(database):
    engine = sa.create_engine(f"duckdb+lodestar:///{database}?access_mode=read_only")
    try:
        inspector = sa.inspect(engine)
        assert set(inspector.get_table_names()) == {"dim_kpi", "facts"}
        assert inspector.get_view_names() == ["facts_view"]
        columns = {c["name"]: c for c in inspector.get_columns("dim_kpi")}
        assert columns["kpi_id"]["comment"] == "KPI id" and not columns["kpi_id"]["nullable"]
        assert isinstance(columns["target"]["type"], sa.Numeric) and columns["target"]["type"].scale == 2
        assert isinstance(columns["tags"]["type"], sa.ARRAY)
        assert inspector.get_table_comment("dim_kpi") == {"text": "KPIs"}
        assert inspector.get_pk_constraint("facts")["constrained_columns"] == ["kpi_id", "day"]
        assert inspector.get_pk_constraint("facts_view")["constrained_columns"] == []
        (fk,) = inspector.get_foreign_keys("facts")
        assert (fk["constrained_columns"], fk["referred_table"], fk["referred_columns"]) == (
            ["kpi_id"],
            "dim_kpi",
            ["kpi_id"],
        )
        assert [u["column_names"] for u in inspector.get_unique_constraints("facts")] == [["code"]]

        metadata = sa.MetaData()
        metadata.reflect(engine, views=True)
        assert [c.name for c in metadata.tables["facts"].primary_key.columns] == ["kpi_id", "day"]
        assert metadata.tables["dim_kpi"].comment == "KPIs"
        with engine.connect() as con:
            assert con.execute(sa.select(metadata.tables["facts_view"].c.value)).scalar_one() == 2.0
            with pytest.raises(sa.exc.DBAPIError, match="read-only"):
                con.execute(sa.text("create table nope (x int)"))
    finally:
        engine.dispose()


def test_stock_duckdb_engine_reflects_columns_and_comments_with_the_pinned_sqlalchemy(database):
    """The `bi` extra pins SQLAlchemy below 2.0.55: duckdb-engine's own reflection then runs
    without error (columns and comments), though it finds no keys."""
    engine = sa.create_engine(f"duckdb:///{database}?access_mode=read_only")
    try:
        inspector = sa.inspect(engine)
        columns = {c["name"]: c["comment"] for c in inspector.get_columns("dim_kpi")}
        assert columns["kpi_id"] == "KPI id"
        assert inspector.get_pk_constraint("facts")["constrained_columns"] == []
        metadata = sa.MetaData()
        metadata.reflect(engine, views=True)
        assert set(metadata.tables) == {"dim_kpi", "facts", "facts_view"}
    finally:
        engine.dispose()
