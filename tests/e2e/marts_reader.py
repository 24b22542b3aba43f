"""A BI-like reader of the real published marts, run in its own process while
the pipeline runs: every query must succeed and see a complete publication
(all tables present, kpi_status covering every KPI for every day)."""

import json
import sys

import duckdb

from pipelines.publish.publisher import published_tables
from tests.e2e.reading import until_stopped

TABLES = {t.name for t in published_tables()}  # every table of pipelines/publish/marts.yml

if __name__ == "__main__":
    path, mode, stop_file = sys.argv[1], sys.argv[2], sys.argv[3]
    queries, errors, incomplete = 0, [], []
    held = duckdb.connect(path, read_only=True) if mode == "hold" else None

    def one_round():
        global queries
        try:
            con = held or duckdb.connect(path, read_only=True)
            tables = {t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()}
            kpis, days, rows = con.execute(
                "select count(distinct kpi_id), count(distinct as_of_date), count(*) from kpi_status"
            ).fetchone()
            con.execute("select count(*) from kpi_values").fetchone()
            if held is None:
                con.close()
            queries += 1
            if tables != TABLES or rows != kpis * days or kpis != 19:
                incomplete.append([sorted(tables ^ TABLES), kpis, days, rows])
        except Exception as exc:  # noqa: BLE001 - the test asserts there are none
            errors.append(str(exc))

    until_stopped(stop_file, one_round)
    print(json.dumps({"queries": queries, "errors": errors[:5], "incomplete": incomplete[:5]}))
