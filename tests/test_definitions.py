"""The code location loads with the whole asset graph, checks, job, schedule and sensor."""

from __future__ import annotations

import dagster as dg

from pipelines.definitions import build_definitions
from pipelines.sources.contract import load_contract


def test_definitions_load_with_every_asset_check_job_schedule_and_sensor():
    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    contract = load_contract()
    for name in [*contract.sources, *contract.references]:
        assert f"raw/{name}" in keys
    for key in (
        "marts/kpi_values",
        "gate/kpi_values",
        "gate/kpi_status",
        "published/kpi_marts",
        "published/okr_marts",
        "marts/kr_progress_daily",
        "okr/objectives",
    ):
        assert key in keys, key
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert {("raw/orders", "contract"), ("raw/gl_journal_lines", "contract")} <= checks
    assert any(name.startswith("unique_combination_kpi_values") for _, name in checks)  # dbt tests
    job = defs.resolve_job_def("lodestar_daily")
    assert isinstance(job.partitions_def, dg.MonthlyPartitionsDefinition)
    assert defs.resolve_schedule_def("lodestar_daily_0600").cron_schedule == "0 6 * * *"
    assert defs.resolve_sensor_def("landing_files") is not None


def test_sources_share_one_monthly_partitions_definition_and_run_ranges_in_one_run():
    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    partitioned = {
        k.to_user_string(): graph.get(k)
        for k in graph.materializable_asset_keys
        if graph.get(k).is_partitioned
    }
    assert set(partitioned) == {f"raw/{name}" for name in load_contract().sources}
    assert len({node.partitions_def for node in partitioned.values()}) == 1
    for node in partitioned.values():
        assert node.backfill_policy == dg.BackfillPolicy.single_run(), node.key
