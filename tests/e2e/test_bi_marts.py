"""The BI marts (dbt_project/models/marts/bi) reconcile with kpi_values, kpi_status,
kr_progress_daily and objective_progress_daily on the published demo, carry comments
everywhere (Parquet copies included) and declare their keys."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
import pytest

from pipelines.bi.charts import STATUS_COLORS
from pipelines.okrs.catalog import load_catalog
from pipelines.publish.publisher import published_tables

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo")]

WINDOW_TABLES = {
    "day": "kpi_daily_wide",
    "trailing_7d": "kpi_trailing_7d_wide",
    "trailing_28d": "kpi_trailing_28d_wide",
    "month_to_date": "kpi_month_to_date_wide",
    "quarter_to_date": "kpi_quarter_to_date_wide",
}
BI_TABLES = {
    "dim_date",
    "dim_kpi",
    "kpi_series",
    *WINDOW_TABLES.values(),
    "kpi_latest",
    "kr_latest",
    "objective_latest",
}


@pytest.fixture(scope="module")
def marts(demo):
    con = duckdb.connect(str(demo.published_marts), read_only=True)
    yield con
    con.close()


def one(con, sql, params=None):
    return con.execute(sql, params or []).fetchone()


def test_bi_marts_are_published_with_keys_and_no_reserved_column_names(marts):
    tables = {t for (t,) in marts.execute("select table_name from duckdb_tables()").fetchall()}
    assert tables >= BI_TABLES
    keys = {
        t: cols
        for t, cols in marts.execute(
            "select table_name, constraint_column_names from duckdb_constraints() where constraint_type = 'PRIMARY KEY'"
        ).fetchall()
    }
    declared = {t.name: list(t.primary_key) for t in published_tables() if t.primary_key}
    assert set(declared) >= BI_TABLES
    assert {t: keys.get(t) for t in declared} == declared
    reserved = {
        w
        for (w,) in marts.execute(
            "select keyword_name from duckdb_keywords() where keyword_category = 'reserved'"
        ).fetchall()
    }
    columns = marts.execute(
        "select table_name, column_name from duckdb_columns() where table_name in ?", [sorted(BI_TABLES)]
    ).fetchall()
    assert not [(t, c) for t, c in columns if c.lower() in reserved]


def test_every_bi_table_and_column_has_a_real_comment_also_in_the_parquet_copies(demo, marts):
    for table in BI_TABLES:
        (comment,) = one(marts, "select comment from duckdb_tables() where table_name = ?", [table])
        assert comment and comment != table, table
        columns = dict(
            marts.execute(
                "select column_name, comment from duckdb_columns() where table_name = ?", [table]
            ).fetchall()
        )
        assert all(text and text != name for name, text in columns.items()), (table, columns)
        schema = pq.read_schema(demo.published / "parquet" / f"{table}.parquet")
        assert schema.metadata[b"description"].decode() == comment
        assert {f.name: f.metadata[b"description"].decode() for f in schema} == columns
    # the generated KPI columns are described from the catalog
    gmv = one(
        marts,
        "select comment from duckdb_columns() where table_name = 'kpi_daily_wide' and column_name = 'gmv'",
    )[0]
    assert gmv.startswith("Gross merchandise value (usd, higher is better), day window")


def test_kpi_series_is_kpi_values_with_the_status_of_the_day(marts):
    assert one(marts, "select count(*) from kpi_series") == one(marts, "select count(*) from kpi_values")
    assert one(
        marts,
        """select count(*) from (
             select kpi_id, as_of_date, "window", dimension, dimension_value, value from kpi_values
             except all
             select kpi_id, as_of_date, kpi_window, dimension, dimension_value, value from kpi_series)""",
    ) == (0,)
    assert one(
        marts,
        """select count(*) from kpi_series s join kpi_status k using (kpi_id, as_of_date)
           where s.publication_status <> k.status or s.stale_reason is distinct from k.reason""",
    ) == (0,)


@pytest.mark.parametrize("window", sorted(WINDOW_TABLES))
def test_wide_tables_have_a_column_per_catalog_kpi_and_unpivot_to_kpi_values(demo, marts, window):
    table = WINDOW_TABLES[window]
    kpis = [k.id for k in load_catalog(demo.okrs).kpis]
    columns = [
        c
        for (c,) in marts.execute(
            "select column_name from duckdb_columns() where table_name = ?", [table]
        ).fetchall()
    ]
    assert set(kpis) <= set(columns) and {f"{k}_is_stale" for k in kpis} <= set(columns)
    unpivoted = " union all ".join(
        f'select \'{k}\' as kpi_id, as_of_date, dimension, dimension_value, "{k}" as value, "{k}_is_stale" as stale '
        f'from {table} where "{k}" is not null'
        for k in kpis
    )
    assert one(
        marts,
        f"""select count(*) from (
              select kpi_id, as_of_date, dimension, dimension_value, value from kpi_values where "window" = ?
              except all
              select kpi_id, as_of_date, dimension, dimension_value, value from ({unpivoted}))""",
        [window],
    ) == (0,)
    assert one(marts, f"select count(*) from ({unpivoted})") == one(
        marts, 'select count(*) from kpi_values where "window" = ?', [window]
    )
    assert one(
        marts,
        f"""select count(*) from ({unpivoted}) w join kpi_status s using (kpi_id, as_of_date)
            where w.stale <> (s.status <> 'published')""",
    ) == (0,)


def test_kpi_latest_is_the_last_published_value_with_its_changes(marts):
    rows = marts.execute(
        """select l.kpi_id, l.kpi_window, l.dimension, l.dimension_value, l.value, l.value_date,
                  l.publication_status, l.change_week_over_week, l.value_same_day_last_year,
                  (select max(v.as_of_date) from kpi_values v join kpi_status s using (kpi_id, as_of_date)
                    where v.kpi_id = l.kpi_id and v."window" = l.kpi_window and v.dimension = l.dimension
                      and v.dimension_value = l.dimension_value and s.status = 'published' and v.value is not null),
                  l.latest_loaded_date
           from kpi_latest l"""
    ).fetchall()
    slices = one(
        marts,
        'select count(*) from (select distinct kpi_id, "window", dimension, dimension_value from kpi_values)',
    )
    assert len(rows) == slices[0]
    for kpi, window, dim, value_of, value, day, status, wow, last_year, expected_day, latest in rows:
        assert day == expected_day, (kpi, window, dim, value_of)
        if day is None:
            continue
        actual = one(
            marts,
            """select value from kpi_values where kpi_id = ? and "window" = ? and dimension = ? and dimension_value = ?
               and as_of_date = ?""",
            [kpi, window, dim, value_of, day],
        )[0]
        assert value == actual
        week = marts.execute(
            """select value from kpi_values where kpi_id = ? and "window" = ? and dimension = ? and dimension_value = ?
               and as_of_date = ?::date - 7""",
            [kpi, window, dim, value_of, day],
        ).fetchone()
        assert wow == (None if week is None else pytest.approx(value - week[0]))
        assert status == ("published" if day == latest else "stale")
        assert last_year is None  # the demo holds one quarter of data


def test_kr_latest_and_objective_latest_reconcile_with_daily_progress_and_the_scorecard(marts):
    krs = marts.execute(
        """select k.kr_id, k.status, k.score, k.expected, k.target, k.value, k.status_color,
                  p.status, p.score, p.expected, p.target, p.value, c.status, c.owner, k.owner
           from kr_latest k
           join kr_progress_daily p on p.kr_id = k.kr_id and p.as_of_date = k.scored_on
           join okr_scorecard c on c.item_type = 'key_result' and c.item_id = k.kr_id"""
    ).fetchall()
    assert len(krs) == one(marts, "select count(distinct kr_id) from kr_progress_daily")[0] > 0
    for kr_id, status, score, expected, target, value, color, *daily, card_status, card_owner, owner in krs:
        assert (status, score, expected, target, value) == tuple(daily), kr_id
        assert (card_status, card_owner) == (status, owner)
        assert color == STATUS_COLORS[status]
    objectives = marts.execute(
        """select o.objective_id, o.status, o.score, o.expected, p.status, p.score, p.expected, o.key_results,
                  o.key_results_achieved + o.key_results_on_track + o.key_results_at_risk + o.key_results_off_track
                    + o.key_results_no_data + o.key_results_not_started
           from objective_latest o
           join objective_progress_daily p on p.objective_id = o.objective_id and p.as_of_date = o.scored_on"""
    ).fetchall()
    assert len(objectives) == one(marts, "select count(*) from okr_objectives")[0]
    for objective_id, status, score, expected, *daily, total, by_status in objectives:
        assert (status, score, expected) == tuple(daily[:3]), objective_id
        assert total == by_status
    assert one(marts, "select sum(key_results) from objective_latest") == one(
        marts, "select count(*) from kr_latest"
    )


def test_dim_date_covers_every_loaded_day_and_flags_the_latest(marts):
    assert one(
        marts,
        "select count(*) from (select distinct as_of_date from kpi_status) s anti join dim_date d on d.date_day = s.as_of_date",
    ) == (0,)
    latest = one(marts, "select max(as_of_date) from kpi_status")[0]
    assert one(marts, "select date_day from dim_date where is_latest_loaded") == (latest,)
    assert one(marts, "select count(*) from dim_date where is_last_28_days") == (28,)
    assert one(marts, "select count(*) filter (where is_loaded) from dim_date") == one(
        marts, "select count(distinct as_of_date) from kpi_status"
    )
