"""A Superset-like reader of the published marts, run in its own process while the
pipeline publishes: every round connects through SQLAlchemy + duckdb-engine read-only,
reflects every published table (columns with comments, primary keys) and runs the
dashboard queries. Prints a JSON report; the test asserts it holds no error."""

import json
import sys
import warnings

import sqlalchemy as sa

from pipelines.publish.publisher import published_tables
from tests.e2e.reading import until_stopped

# a KPI trend by slice over the calendar, as a Superset line chart would query it
KPI_TREND = """
select d.date_day, d.iso_week_label, s.slice_label, s.value, s.publication_status
from kpi_series as s
join dim_date as d on d.date_day = s.as_of_date
join dim_kpi as k on k.kpi_id = s.kpi_id
where s.kpi_id = 'gmv' and s.kpi_window = 'trailing_7d' and s.dimension in ('all', 'region') and d.is_last_28_days
order by d.date_day, s.slice_label
"""
WIDE_TREND = """
select d.year_month, w.slice_label, sum(w.orders) as orders, bool_or(w.orders_is_stale) as any_stale
from kpi_daily_wide as w join dim_date as d on d.date_day = w.as_of_date
group by all order by all
"""
KR_STATUS_COUNTS = """
select status_label, status_color, count(*) as key_results from kr_latest group by all order by key_results desc
"""


def one_round(url: str, expected_keys: dict[str, list[str]], check_keys: bool) -> dict:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        inspector = sa.inspect(engine)
        tables = set(inspector.get_table_names())
        missing = sorted(set(expected_keys) - tables)
        uncommented, wrong_keys = [], []
        for table in sorted(tables):
            for column in inspector.get_columns(table):
                if not column.get("comment"):
                    uncommented.append(f"{table}.{column['name']}")
            key = inspector.get_pk_constraint(table)["constrained_columns"]
            if check_keys and key != expected_keys.get(table, []):
                wrong_keys.append([table, key])
        with engine.connect() as con:
            trend = con.execute(sa.text(KPI_TREND)).all()
            wide = con.execute(sa.text(WIDE_TREND)).all()
            counts = con.execute(sa.text(KR_STATUS_COUNTS)).all()
        return {
            "tables": len(tables),
            "missing": missing,
            "uncommented": uncommented[:5],
            "wrong_keys": wrong_keys[:5],
            "empty": [
                name for name, rows in (("trend", trend), ("wide", wide), ("counts", counts)) if not rows
            ],
        }
    finally:
        engine.dispose()


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    path, stop_file = sys.argv[1], sys.argv[2]
    expected = {t.name: list(t.primary_key) for t in published_tables()}
    dialects = {"duckdb": False, "duckdb+lodestar": True}  # stock duckdb-engine finds no keys
    rounds, errors, problems = 0, [], []

    def one_pass():
        global rounds
        for dialect, check_keys in dialects.items():
            try:
                result = one_round(f"{dialect}:///{path}?access_mode=read_only", expected, check_keys)
                rounds += 1
                if result["missing"] or result["uncommented"] or result["wrong_keys"] or result["empty"]:
                    problems.append({dialect: result})
            except Exception as exc:  # noqa: BLE001 - the test asserts there are none
                errors.append(f"{dialect}: {type(exc).__name__}: {exc}"[:500])

    until_stopped(stop_file, one_pass)
    print(json.dumps({"rounds": rounds, "errors": errors[:5], "problems": problems[:5]}))
