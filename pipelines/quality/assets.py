"""The KPI gate asset: KPI checks, then the per-KPI, per-day publish decision."""

import dagster as dg

from pipelines.config import Settings
from pipelines.okrs.catalog import load_catalog
from pipelines.orchestration.partitions import SINGLE_RUN, daily_partitions
from pipelines.quality.kpi_gate import apply_gate
from pipelines.quality.lineage import kpi_sources
from pipelines.transform.project import dbt_project
from pipelines.warehouse import working_db

# What the gate writes; the OKR models and the publisher read these (dbt source `gate`).
GATE_VALUES = dg.AssetKey(["gate", "kpi_values"])
GATE_STATUS = dg.AssetKey(["gate", "kpi_status"])


def gate_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    @dg.multi_asset(
        name="kpi_gate",
        specs=[
            dg.AssetSpec(
                GATE_VALUES,
                group_name="quality",
                deps=[dg.AssetKey(["marts", "kpi_values"])],
                kinds={"duckdb"},
                description="KPI values that passed the gate; a stale KPI keeps its last good value.",
            ),
            dg.AssetSpec(
                GATE_STATUS,
                group_name="quality",
                deps=[dg.AssetKey(["marts", "kpi_values"])],
                kinds={"duckdb"},
                description="Per KPI and loaded day: published or stale, since when and why.",
            ),
        ],
        partitions_def=daily_partitions(settings),
        backfill_policy=SINGLE_RUN,
    )
    def kpi_gate(context: dg.AssetExecutionContext):
        catalog = load_catalog(settings.okrs)
        sources = kpi_sources(dbt_project.manifest_path)
        with working_db(settings, log=context.log) as con:
            summary = apply_gate(con, catalog, sources)
        for kpi_id, reason in summary.stale_kpis.items():
            context.log.warning(f"KPI {kpi_id} is stale: {reason}")
        yield dg.MaterializeResult(asset_key=GATE_VALUES, metadata={"published_rows": summary.published_rows})
        yield dg.MaterializeResult(
            asset_key=GATE_STATUS,
            metadata={
                "stale_kpi_days": summary.stale_days,
                "stale_kpis_on_last_day": dg.MetadataValue.json(summary.stale_kpis),
            },
        )

    return [kpi_gate]
