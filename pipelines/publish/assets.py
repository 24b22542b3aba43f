"""Publishing assets: KPI marts after the gate, OKR marts after the OKR models.

Two assets so that a broken OKR file (which stops the OKR assets) never stops
the publication of KPIs (docs/okrs.md): each publishes its own tables and carries
the others over from the current published file.
"""

import dagster as dg

from pipelines.publish.publisher import PublishReport, publish, published_tables
from pipelines.quality.assets import GATE_STATUS, GATE_VALUES
from pipelines.resources import Warehouse
from pipelines.transform.project import dbt_project

PUBLISHED_KPIS = dg.AssetKey(["published", "kpi_marts"])
PUBLISHED_OKRS = dg.AssetKey(["published", "okr_marts"])


def _metadata(report: PublishReport) -> dict:
    return {
        "path": dg.MetadataValue.path(str(report.path)),
        "refreshed": ", ".join(report.refreshed) or "none",
        "kept_from_previous": ", ".join(report.kept) or "none",
        "rows": dg.MetadataValue.json(report.tables),
        # the rows this step wrote (the refreshed tables), for the phase summary (pipelines/console.py)
        "rows_written": sum(report.tables.get(t, 0) for t in report.refreshed),
    }


def publish_assets() -> list[dg.AssetsDefinition]:
    okr_marts = [dg.AssetKey(["marts", t.name]) for t in published_tables() if t.group == "okrs"]
    # dbt marts published with the KPIs (catalog, quarantine, BI marts): built before they are published
    kpi_marts = [
        dg.AssetKey(["marts", t.name])
        for t in published_tables()
        if t.group == "kpis" and t.relation.startswith("marts.")
    ]

    @dg.asset(
        key=PUBLISHED_KPIS,
        group_name="published",
        deps=[GATE_VALUES, GATE_STATUS, *kpi_marts],
        kinds={"duckdb", "parquet"},
        description="KPI marts, status, check results and quarantine summary published atomically.",
    )
    def published_kpi_marts(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        with warehouse.connect(log=context.log) as con:
            report = publish(con, warehouse.settings, {"kpis"}, dbt_project.manifest_path)
        context.log.info(f"published {report.path}: {report.tables}")
        return dg.MaterializeResult(metadata=_metadata(report))

    @dg.asset(
        key=PUBLISHED_OKRS,
        group_name="published",
        deps=[PUBLISHED_KPIS, *okr_marts],
        kinds={"duckdb", "parquet"},
        description="OKR marts (objectives, key results, daily progress, scorecard) published atomically.",
    )
    def published_okr_marts(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        with warehouse.connect(log=context.log) as con:
            report = publish(con, warehouse.settings, {"okrs"}, dbt_project.manifest_path)
        return dg.MaterializeResult(metadata=_metadata(report))

    return [published_kpi_marts, published_okr_marts]
