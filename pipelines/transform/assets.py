"""dbt models as Dagster assets: one dbt invocation per run for the whole range.

Two groups, because the quality gate sits between them: `kpi_models`
(staging → intermediate → kpi_values) and `okr_models` (KR and objective
progress from the gated KPI values, and the BI marts of the OKRs, kr_latest
and objective_latest, which read nothing else a Python step writes: one dbt
invocation instead of two). The BI marts of the KPIs are a third invocation
(`bi_kpi_models`, pipelines/bi/assets.py): they read the gated values like the
OKR models, but must not wait for the OKR files (a broken one stops the OKR
steps only, docs/okrs.md).

The dbt models are not Dagster-partitioned: they are tables over all days
that dbt updates incrementally for the run's range (taken from the run's
partition tags). Partitioning them would make Dagster record one event per
model and day — 45 models x 1,000 days is minutes of pure bookkeeping on a
backfill — for no gain: the daily partitions live on the source assets.
"""

import contextlib
import io
import shutil
import time
from collections import Counter
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from pipelines import lake
from pipelines.config import Settings
from pipelines.partitions import run_days
from pipelines.progress import Progress
from pipelines.resources import Warehouse
from pipelines.transform.project import dbt_environment, dbt_project, ensure_manifest, keep_parse_state
from pipelines.warehouse import transaction


class LodestarTranslator(DagsterDbtTranslator):
    """Asset keys <schema>/<model>; groups by layer folder."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return f"dbt_{fqn[1]}" if len(fqn) > 2 else "dbt"


TRANSLATOR = LodestarTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

# dbt's unit tests check the SQL, not the data: the test suite runs them
# (tests/kpis, tests/okrs), a run only pays for its data tests.
# --no-write-json: dbt would write manifest.json twice (1.7 MB, after parsing
# and after the run) and run_results.json in every invocation, about 0.7 s of
# a 7 s invocation; dagster-dbt reads neither (it works from dbt's event
# stream and the manifest the definitions were built from), and the summary
# below counts dbt's result lines instead of reading run_results.json. dbt
# still writes its parse state (partial_parse.msgpack) and, in the target
# folder kept when a build fails, its log and the compiled SQL.
BUILD = ["build", "--exclude", "resource_type:unit_test", "--no-write-json"]

# dbt's line per finished node (info level, so on the stdout dagster-dbt reads);
# its node_status is the status run_results.json would hold for the node.
RESULT_LINES = {"LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult", "SkippingDetails"}


def _range_env(context: dg.AssetExecutionContext, settings: Settings) -> dict[str, str]:
    """The run's extract days for dbt's run_range(); none: rebuild everything."""
    days = run_days(context.run.tags, settings)
    if days is None:
        return {"LODESTAR_RANGE_START": "", "LODESTAR_RANGE_END": ""}
    return {"LODESTAR_RANGE_START": days[0].isoformat(), "LODESTAR_RANGE_END": days[1].isoformat()}


def _before_build(context: dg.AssetExecutionContext, warehouse: Warehouse, engine: str) -> dict[str, str]:
    """dbt's environment for `engine`. On Spark, the warehouse tables behind
    dbt's sources are first written to the lake (pipelines/lake.py)."""
    if engine != "spark":
        return {"LODESTAR_ENGINE": engine}
    with warehouse.connect(log=context.log) as con:
        tables = lake.hand_over(con, warehouse.settings.lake_dir, dbt_project.manifest_path)
    return {"LODESTAR_ENGINE": engine, "LODESTAR_LAKE_TABLES": ",".join(tables)}


def _after_build(context: dg.AssetExecutionContext, warehouse: Warehouse, engine: str) -> None:
    """On Spark, the tables Spark built replace the warehouse's; and, as after a
    full DuckDB build of kpi_values, every KPI counts as changed from its first
    day for the quality gate (Spark rebuilds every model whole)."""
    if engine != "spark":
        return
    # one transaction: a take-back that fails leaves the warehouse as the last build left it
    with warehouse.connect(log=context.log) as con, transaction(con):
        lake.take_back(
            con, warehouse.settings.lake_dir, [tuple(key.path) for key in context.selected_asset_keys]
        )
        if dg.AssetKey(["marts", "kpi_values"]) in context.selected_asset_keys:
            lake.record_full_kpi_changes(con)


def build_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse, engine: str):
    """One `dbt build` of the asset's selection for the run's range, on `engine`.

    dbt's own console (a line per model and test) goes to the invocation's
    log rather than the terminal: the run says what it built in one line
    (and, on a long build, how far it is every LODESTAR_PROGRESS_SECONDS),
    and shows dbt's output only when the build failed.
    """
    started = time.monotonic()
    console = io.StringIO()
    models = len(context.selected_asset_keys)
    tests = len(context.selected_asset_check_keys)
    progress = Progress(context.log.info, f"dbt build ({context.op_def.name})", models, "models", rows=False)
    checked = 0
    events = []
    statuses = Counter()
    settings = warehouse.settings
    with dbt_environment(
        settings, **_range_env(context, settings), **_before_build(context, warehouse, engine)
    ):
        invocation = dbt.cli(BUILD, context=context, raise_on_error=False)
        with contextlib.redirect_stdout(console):
            # invocation.stream() less its iterator: the raw events give the statuses too
            for line in invocation.stream_raw_events():
                info, node = line.raw_event["info"], line.raw_event["data"].get("node_info", {})
                if info["name"] in RESULT_LINES:
                    statuses[node["node_status"]] += 1
                for event in line.to_default_asset_events(
                    manifest=invocation.manifest,
                    dagster_dbt_translator=invocation.dagster_dbt_translator,
                    context=context,
                    target_path=invocation.target_path,
                    project=invocation.project,
                ):
                    events.append(event)
                    if isinstance(event, dg.AssetCheckResult | dg.AssetCheckEvaluation):
                        checked += 1
                        progress.note = f", {checked} of {tests} tests"
                    progress.advance(int(isinstance(event, dg.Output | dg.AssetMaterialization)))
    keep_parse_state(invocation.target_path)
    if invocation.is_successful():
        _after_build(context, warehouse, engine)
    yield from events
    summary = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    if not invocation.is_successful():
        tail = "\n".join(console.getvalue().splitlines()[-40:])
        raise dg.Failure(f"dbt build failed ({summary}); the end of dbt's output:\n{tail}")
    context.log.info(
        f"dbt build ({context.op_def.name}): {models} models, {tests} tests: {summary}, "
        f"{time.monotonic() - started:.1f} s"
    )
    # Each invocation writes its own target folder; a daily schedule would
    # pile them up. Kept only when the build failed (raised above).
    shutil.rmtree(invocation.target_path, ignore_errors=True)


def dbt_build_assets(
    settings: Settings, name: str, select: str, exclude: str = "", on_engine: bool = True
) -> dg.AssetsDefinition:
    """The dbt models of one selection as one Dagster asset group, built by `build_models`.

    `settings` only prepares the manifest the definitions are read from; a run builds
    with the `warehouse` resource's configuration: on its engine (LODESTAR_ENGINE) when
    `on_engine`, else always on the DuckDB warehouse."""

    @dbt_assets(
        manifest=ensure_manifest(settings),
        select=select,
        exclude=exclude,
        name=name,
        dagster_dbt_translator=TRANSLATOR,
    )
    def models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
        yield from build_models(context, dbt, warehouse, warehouse.engine if on_engine else "duckdb")

    return models


def dbt_model_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    return [
        dbt_build_assets(settings, "kpi_models", "tag:kpi"),
        dbt_build_assets(settings, "okr_models", "tag:okr tag:bi_okr"),
    ]
