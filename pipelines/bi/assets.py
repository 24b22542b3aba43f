"""Dagster assets of the BI layer.

- `bi_kpi_models`: the dbt models tagged `bi` but not `bi_okr` (dim_date,
  dim_kpi, kpi_series, the wide tables, kpi_latest). They read the gated values,
  so they run after the gate and are published with the KPI marts (group `kpis`
  in pipelines/publish/marts.yml): a broken OKR file never holds them back.
- kr_latest and objective_latest (tag `bi_okr`) are built with the OKR models,
  in the same dbt invocation (`okr_models`, pipelines/transform/assets.py),
  and published with the OKR marts (group `okrs`).
- `published/report`: the HTML scorecard report, made from the published marts
  only, after the OKR publication.
"""

from pathlib import Path

import dagster as dg

from pipelines.config import Settings
from pipelines.publish.assets import PUBLISHED_OKRS
from pipelines.resources import Warehouse
from pipelines.transform.assets import dbt_build_assets

PUBLISHED_REPORT = dg.AssetKey(["published", "report"])


def bi_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    @dg.asset(
        key=PUBLISHED_REPORT,
        group_name="published",
        deps=[PUBLISHED_OKRS],
        kinds={"html"},
        description="The scorecard report: one self-contained HTML file under <published>/report/, "
        "made from the published marts only.",
    )
    def published_report(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        from pipelines.bi.report import write_report

        report = write_report(warehouse.published_marts, Path(warehouse.published) / "report")
        context.log.info(f"report written: {report.path} ({report.seconds:.1f} s)")
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(report.path)),
                "as_of": str(report.as_of),
                "charts": report.charts,
                "bytes": report.path.stat().st_size,
            }
        )

    return [
        # the BI marts read the gate's output where it lives, in the DuckDB warehouse
        dbt_build_assets(settings, "bi_kpi_models", "tag:bi", exclude="tag:bi_okr", on_engine=False),
        published_report,
    ]
