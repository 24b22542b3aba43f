"""Dagster assets for the KR outlook: forecasts and owners' check-ins.

- `kr_forecasts` (marts/kr_forecast_daily) runs after the OKR models and the
  KPI gate, before the OKR publication, which publishes it with the other OKR
  marts (publish group `okrs`).
- `okr_checkins` (marts/kr_checkins) validates `okrs/checkins/<period>.yml`
  against the validated key results; `published_checkin_marts` publishes it
  (publish group `checkins`). A broken check-in file fails only these two
  steps, with a one-line message naming the file and the problem: the OKR
  marts and forecasts are published as usual and the last accepted
  check-ins stay published.
"""

from pathlib import Path

import dagster as dg
import duckdb

from pipelines.okrs.catalog import load_catalog
from pipelines.okrs.checkins import CheckinValidationError, KrPeriod, checkin_files, load_checkins
from pipelines.okrs.forecast_store import SCHEMA, refresh_forecasts
from pipelines.publish.assets import PUBLISHED_OKRS
from pipelines.publish.publisher import publish
from pipelines.quality.assets import GATE_STATUS, GATE_VALUES
from pipelines.resources import Warehouse
from pipelines.transform.project import dbt_project
from pipelines.warehouse import transaction

FORECASTS = dg.AssetKey(["marts", "kr_forecast_daily"])
CHECKINS = dg.AssetKey(["marts", "kr_checkins"])
PUBLISHED_CHECKINS = dg.AssetKey(["published", "checkin_marts"])
# Step names, for the run summary: their failures do not stop KPI publication.
STEPS = ("kr_forecasts", "okr_checkins", "published_checkin_marts")

CHECKIN_COLUMNS = [
    ("kr_id", "VARCHAR NOT NULL"),
    ("objective_id", "VARCHAR NOT NULL"),
    ("checkin_date", "DATE NOT NULL"),
    ("confidence", "INTEGER NOT NULL"),
    ("note", "VARCHAR NOT NULL"),
    ("author", "VARCHAR"),
    ("period_start", "DATE NOT NULL"),
    ("period_end", "DATE NOT NULL"),
    ("source_file", "VARCHAR NOT NULL"),
]


def write_checkins(con, rows) -> None:
    with transaction(con):
        con.execute(f"create schema if not exists {SCHEMA}")
        cols = ", ".join(f"{c} {t}" for c, t in CHECKIN_COLUMNS)
        con.execute(f"create or replace table {SCHEMA}.kr_checkins ({cols})")
        if rows:
            con.executemany(
                f"insert into {SCHEMA}.kr_checkins values ({', '.join('?' for _ in CHECKIN_COLUMNS)})",
                [tuple(vars(r).values()) for r in rows],
            )


def published_checkins(published_marts: Path) -> list[tuple] | None:
    """The published kr_checkins rows, or None when there are none published yet."""
    if not published_marts.is_file():
        return None
    con = duckdb.connect(str(published_marts), read_only=True)
    try:
        return con.execute("select * from kr_checkins order by all").fetchall()
    except duckdb.Error:  # an older publication without the table
        return None
    finally:
        con.close()


def one_line(errors: list[str]) -> str:
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return errors[0] + more


def one_asset_step(name: str, key: dg.AssetKey, **spec):
    """An asset whose step has a name of its own (the run summary and OKR_STEPS name steps)."""
    return dg.multi_asset(name=name, specs=[dg.AssetSpec(key, **spec)])


def outlook_assets() -> list[dg.AssetsDefinition]:
    @one_asset_step(
        "kr_forecasts",
        FORECASTS,
        group_name="okrs",
        deps=[dg.AssetKey(["marts", "kr_progress_daily"]), GATE_VALUES, GATE_STATUS],
        kinds={"python", "duckdb"},
        description="Per KR and day: projected KPI value at the period end, 80% interval, "
        "probability of reaching the target and forecast status, next to the pace status.",
    )
    def kr_forecasts(context: dg.AssetExecutionContext, warehouse: Warehouse):
        catalog = load_catalog(Path(warehouse.okrs))
        kinds = {k.id: (k.additivity, k.unit) for k in catalog.kpis}
        with warehouse.connect(log=context.log) as con:
            stats = refresh_forecasts(con, kinds)
        context.log.info(
            f"KR forecasts: {stats.computed} computed, {stats.reused} unchanged, {stats.removed} removed "
            f"of {stats.kr_days} KR days in {stats.seconds:.1f}s"
        )
        yield dg.MaterializeResult(
            asset_key=FORECASTS,
            metadata={
                "kr_days": stats.kr_days,
                "computed": stats.computed,
                "unchanged": stats.reused,
                "seconds": round(stats.seconds, 2),
            },
        )

    @one_asset_step(
        "okr_checkins",
        CHECKINS,
        group_name="okrs",
        deps=[dg.AssetKey(["okr", "key_results"])],
        kinds={"python", "duckdb"},
        description="Owners' weekly confidence (0-10) and note per KR, from okrs/checkins/<period>.yml.",
    )
    def okr_checkins(context: dg.AssetExecutionContext, warehouse: Warehouse):
        files = checkin_files(Path(warehouse.okrs))
        with warehouse.connect(log=context.log) as con:
            krs = {
                kr_id: KrPeriod(objective_id, start, end, source_file)
                for kr_id, objective_id, start, end, source_file in con.execute(
                    "select kr_id, objective_id, period_start, period_end, source_file from okr.key_results"
                ).fetchall()
            }
            try:
                rows = load_checkins(files, krs)
            except CheckinValidationError as exc:
                raise dg.Failure(
                    description=one_line(exc.errors),
                    metadata={"errors": dg.MetadataValue.md("\n".join(f"- {e}" for e in exc.errors))},
                ) from exc
            write_checkins(con, rows)
        context.log.info(f"check-ins: {len(rows)} from {len(files)} file(s)")
        yield dg.MaterializeResult(asset_key=CHECKINS, metadata={"rows": len(rows), "files": len(files)})

    @one_asset_step(
        "published_checkin_marts",
        PUBLISHED_CHECKINS,
        group_name="published",
        deps=[PUBLISHED_OKRS, CHECKINS],
        kinds={"duckdb", "parquet"},
        description="kr_checkins published atomically (its own step: a broken check-in file "
        "never holds back the OKR marts).",
    )
    def published_checkin_marts(context: dg.AssetExecutionContext, warehouse: Warehouse):
        with warehouse.connect(log=context.log) as con:
            rows = con.execute(f"select * from {SCHEMA}.kr_checkins order by all").fetchall()
            # check-ins change about weekly: skip the (whole-file) publication when nothing changed
            if rows == published_checkins(warehouse.published_marts):
                context.log.info("check-ins unchanged: nothing to publish")
                yield dg.MaterializeResult(asset_key=PUBLISHED_CHECKINS, metadata={"published": "unchanged"})
                return
            report = publish(con, warehouse.settings, {"checkins"}, dbt_project.manifest_path)
        yield dg.MaterializeResult(
            asset_key=PUBLISHED_CHECKINS, metadata={"rows": dg.MetadataValue.json(report.tables)}
        )

    return [kr_forecasts, okr_checkins, published_checkin_marts]
