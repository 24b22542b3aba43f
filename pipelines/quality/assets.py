"""The KPI gate asset: KPI checks, then the per-KPI, per-day publish decision."""

from __future__ import annotations

import dagster as dg

from pipelines.config import Settings
from pipelines.okrs.catalog import load_catalog
from pipelines.orchestration.partitions import SINGLE_RUN, daily_partitions
from pipelines.quality.kpi_gate import apply_gate
from pipelines.quality.lineage import kpi_sources
from pipelines.transform.project import dbt_project
from pipelines.warehouse import working_db

KPI_GATE = dg.AssetKey(["kpi_gate"])


def gate_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    @dg.asset(
        key=KPI_GATE,
        group_name="quality",
        deps=[dg.AssetKey(["marts", "kpi_values"])],
        partitions_def=daily_partitions(settings),
        backfill_policy=SINGLE_RUN,
        kinds={"duckdb"},
        description="Decides per KPI and day what may be published (gate.kpi_values, gate.kpi_status).",
    )
    def kpi_gate(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        catalog = load_catalog(settings.okrs)
        sources = kpi_sources(dbt_project.manifest_path)
        with working_db(settings, log=context.log) as con:
            summary = apply_gate(con, catalog, sources)
        for kpi_id, reason in summary.stale_kpis.items():
            context.log.warning(f"KPI {kpi_id} is stale: {reason}")
        return dg.MaterializeResult(
            metadata={
                "published_rows": summary.published_rows,
                "stale_kpi_days": summary.stale_days,
                "stale_kpis_on_last_day": dg.MetadataValue.json(summary.stale_kpis),
            }
        )

    return [kpi_gate]
