"""The KPI gate asset: KPI checks, then the per-KPI, per-day publish decision.

A run checks the KPI values that changed since the last gate (per KPI, from
the first day dbt rewrote: `intermediate.kpi_changes`, see kpi_gate.gate_work;
without that record, the as_of_dates of `intermediate.int_kpi_recompute_range`,
or every day of marts.kpi_values), records one `kpi_<kpi_id>` outcome per KPI
and day in `audit.dq_results`, replaces the blocking failures of those days
in `gate.kpi_check_failures`, then re-decides the KPI days whose inputs
changed. The `kpi_checks` asset check on gate/kpi_values reports the run's
verdicts.
"""

import time
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from pipelines.okrs.catalog import load_catalog
from pipelines.quality.kpi_checks import check_kpi_values, recompute_range, record_kpi_check_failures
from pipelines.quality.kpi_gate import apply_gate, gate_work, kpi_sources
from pipelines.quality.outcomes import MAX_LISTED, CheckOutcome, failed_and_warned, markdown_listing
from pipelines.quality.results import record_results, recorded_in_run
from pipelines.resources import Warehouse

# What the gate writes; the OKR models and the publisher read these (dbt source `gate`).
GATE_VALUES = dg.AssetKey(["gate", "kpi_values"])
GATE_STATUS = dg.AssetKey(["gate", "kpi_status"])
KPI_CHECK = "kpi_checks"


def check_result(
    key: dg.AssetKey,
    check_name: str,
    outcomes: list[CheckOutcome],
    describe: Callable[[CheckOutcome], str],
    **metadata,
) -> dg.AssetCheckResult:
    """The Dagster verdict of a check's outcomes (the source contracts' and the KPI checks'):
    passed unless one blocks; `metadata`, then the failures and warnings listed (capped)."""
    failed, warned = failed_and_warned(outcomes)
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=check_name,
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            **metadata,
            "failures": dg.MetadataValue.md(markdown_listing([describe(o) for o in failed])),
            "warnings": dg.MetadataValue.md(markdown_listing([describe(o) for o in warned])),
        },
    )


def kpi_check_result(outcomes, checked_range) -> dg.AssetCheckResult:
    """The `kpi_checks` verdict: passed unless a KPI check blocks a KPI for a day."""
    failed, warned = failed_and_warned(outcomes)
    first, last = checked_range or (None, None)
    return check_result(
        GATE_VALUES,
        KPI_CHECK,
        outcomes,
        lambda o: o.reason,
        first_day=str(first) if first else "none",
        last_day=str(last) if last else "none",
        kpi_days_checked=len(outcomes),
        kpi_days_blocked=len(failed),
        kpi_days_with_warnings=len(warned),
        blocked_kpis=dg.MetadataValue.json(sorted({o.check_name.removeprefix("kpi_") for o in failed})),
    )


def gate_assets() -> list[dg.AssetsDefinition]:
    @dg.multi_asset(
        name="kpi_gate",
        specs=[
            dg.AssetSpec(
                key,
                group_name="quality",
                deps=[dg.AssetKey(["marts", "kpi_values"])],
                kinds={"duckdb"},
                description=description,
            )
            for key, description in (
                (GATE_VALUES, "KPI values that passed the gate; a stale KPI keeps its last good value."),
                (GATE_STATUS, "Per KPI and loaded day: published or stale, since when and why."),
            )
        ],
        check_specs=[
            dg.AssetCheckSpec(
                KPI_CHECK,
                asset=GATE_VALUES,
                blocking=False,  # it gates publication per KPI and day (this asset), not the run
                description=(
                    "Great Expectations suite expectations/kpi_values.json on the KPI values this run "
                    "recomputed, per KPI and day: total rows, valid ranges, finite values, unique keys, "
                    "anomalies (blocking only where the catalog says), absurd values. A failed KPI-day is not "
                    "published: the KPI keeps its last good value and is marked stale; the run goes on."
                ),
                metadata={"gates": "publication of the failed KPI for the failed days"},
            )
        ],
    )
    def kpi_gate(context: dg.AssetExecutionContext, warehouse: Warehouse):
        started = time.monotonic()
        catalog = load_catalog(Path(warehouse.okrs))
        with warehouse.connect(log=context.log) as con:
            sources = kpi_sources(con)
            work = gate_work(con, sources)
            if work is None:  # a warehouse whose dbt did not record its changes: the recompute range
                checked, first_by_kpi = recompute_range(con), None
            else:
                first_by_kpi = work.checks_from
                first = min(first_by_kpi.values(), default=None)
                checked = (
                    (first, work.last_day) if first and work.last_day and first <= work.last_day else None
                )
            outcomes = []
            if checked:
                outcomes = check_kpi_values(con, catalog, *checked, first_day_by_kpi=first_by_kpi)
                record_results(con, outcomes, run_id=context.run.run_id)
                record_kpi_check_failures(con, outcomes, *checked, first_day_by_kpi=first_by_kpi)
            else:
                context.log.info("no KPI values to check (none changed)")
            summary = apply_gate(con, catalog, sources, work.redo_from if work else None, work)
            new = recorded_in_run(con, context.run.run_id)
        failed, warned = failed_and_warned(outcomes)
        # Tell what this run found; outcomes unchanged since an earlier run were told then.
        fresh_failed = [o for o in failed if (o.check_name, o.asset, o.partition) in new]
        fresh_warned = [o for o in warned if (o.check_name, o.asset, o.partition) in new]
        for o in fresh_failed[:MAX_LISTED]:
            context.log.error(f"KPI check failed: {o.reason}")
        for o in fresh_warned[:MAX_LISTED]:
            context.log.warning(f"KPI check warning: {o.reason}")
        context.log.info(
            f"KPI checks: {len(outcomes)} KPI-days checked; {len(failed)} blocked ({len(fresh_failed)} new), "
            f"{len(warned)} with warnings ({len(fresh_warned)} new); all outcomes are in dq_results; "
            f"checks and gate {time.monotonic() - started:.1f} s"
        )
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
        yield kpi_check_result(outcomes, checked)

    return [kpi_gate]
