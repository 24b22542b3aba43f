"""One Dagster asset per source (partitioned by extract month), generated from the contract.

Each asset ingests the extract days of its run, then validates them against
the source's Great Expectations suite (the `contract` asset check). A blocked
or failing day never stops the run: the quality gate keeps the KPIs that
depend on it from being published for the affected days (docs/quality-gate.md).
"""

import time
from collections.abc import Callable, Iterable
from pathlib import Path

import dagster as dg

from pipelines.config import Settings
from pipelines.lake import write_raw_days
from pipelines.partitions import SINGLE_RUN, days_between, extract_months, run_days
from pipelines.progress import rate
from pipelines.quality.assets import check_result
from pipelines.quality.results import record_ignored_files, record_results, recorded_in_run
from pipelines.quality.source_checks import check_reference, check_source_partitions
from pipelines.resources import Warehouse
from pipelines.sources.contract import Reference, Source, load_contract
from pipelines.sources.ingest import PartitionResult, ensure_schema, ingest_days, ingest_reference
from pipelines.sources.landing import REFERENCE_FOLDER, ignored_files

CONTRACT_CHECK = "contract"


def raw_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", name])


def _files(results: list[PartitionResult]) -> int:
    """Landing files the results read (a missing day's result names the folder, not a file)."""
    return sum(r.source_file is not None and Path(r.source_file).is_file() for r in results)


def _ingest_metadata(results: list[PartitionResult], ignored, timings: dict) -> dict:
    blocked = [
        f"{r.extract_date or 'file'}: {r.message}" for r in results if r.blocked or r.status == "rejected"
    ]
    warnings = [w for r in results for w in r.warnings] + [
        f"ignored landing/{f.path}: {f.reason}" for f in ignored
    ]
    return {
        "days": len(results),
        "files_read": _files(results),
        "rows_read": sum(r.rows_read for r in results),
        "rows_accepted": sum(r.rows_accepted for r in results),
        "rows_quarantined": sum(r.rows_quarantined for r in results),
        "blocked_days": dg.MetadataValue.md("\n".join(f"- {b}" for b in blocked) or "none"),
        "warnings": dg.MetadataValue.md("\n".join(f"- {w}" for w in warnings) or "none"),
        # the phase summary of `lodestar run` (pipelines/console.py) splits the step with these
        **{key: round(value, 3) for key, value in timings.items()},
    }


def _check_result(key: dg.AssetKey, outcomes) -> dg.AssetCheckResult:
    return check_result(
        key,
        CONTRACT_CHECK,
        outcomes,
        lambda o: f"{o.partition}: {o.reason}",
        partitions_checked=len(outcomes),
        partitions_failed=sum(o.blocking for o in outcomes),
    )


# A failed contract gates publication, not the run: the KPIs that read the
# source are held back for the failed days (the quality gate), everything else
# goes on. Dagster's `blocking` would stop every downstream asset, so the
# checks are not declared blocking; their metadata and description say what they do.


def contract_check_spec(key: dg.AssetKey, suite: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        CONTRACT_CHECK,
        asset=key,
        blocking=False,
        description=(
            f"The source contract (Great Expectations suite {suite}). A failed day gates publication: "
            "the KPIs that read this source keep their last good values and are marked stale for the days "
            "whose windows read it; the run and the other KPIs go on."
        ),
        metadata={"gates": "publication of the KPIs that read this source, for the failed days"},
    )


def _report_ignored(con, context, settings: Settings, folder: str):
    """Record the files of a landing folder that are not loaded; warn about the ones new to this run."""
    contract = load_contract()
    ignored = ignored_files(settings.landing, contract, folder, settings.start_date, settings.yesterday())
    record_ignored_files(con, folder, ignored, run_id=context.run_id)
    new = {asset for _, asset, _ in recorded_in_run(con, context.run_id)}
    for f in ignored:
        if f"landing/{f.path}" in new:
            context.log.warning(f"ignored landing/{f.path}: {f.reason}")
    return ignored


def _for_days(results: list[PartitionResult]) -> str:
    """' for N day(s)' for a source's extract days; nothing for a reference file (no day)."""
    days = sum(r.extract_date is not None for r in results)
    return f" for {days:,} day(s)" if days else ""


def _log_ingest(context, name: str, results: list[PartitionResult], seconds: float) -> None:
    """One line per source and run: files and rows read, kept and blocked, the rate and the time."""
    read = sum(r.rows_read for r in results)
    files = _files(results)
    blocked = [r for r in results if r.blocked]
    context.log.info(
        f"{name}: ingested {files:,} file(s){_for_days(results)}, {read:,} rows read "
        f"({sum(r.rows_accepted for r in results):,} accepted, {sum(r.rows_quarantined for r in results):,} "
        f"quarantined), {len(blocked)} day(s) blocked, {rate(read, seconds)}, {seconds:.1f} s"
    )
    for r in blocked:
        context.log.error(f"{name} {r.extract_date} blocked: {r.message}")


def _log_checks(context, name: str, results: list[PartitionResult], outcomes, seconds: float) -> int:
    """One line per source and run: the days and accepted rows its contract judged; returns the rows."""
    rows = sum(r.rows_accepted for r in results if r.status == "loaded")
    failed = sum(o.blocking for o in outcomes)
    context.log.info(
        f"{name}: contract checked{_for_days(results)}, {rows:,} accepted rows, {failed} failed, "
        f"{rate(rows, seconds)}, {seconds:.1f} s"
    )
    return rows


def _ingest_asset(
    name: str,
    *,
    folder: str,
    ingest: Callable,
    suite: str,
    description: str,
    deps: Iterable[dg.AssetKey] = (),
    metadata: dict | None = None,
    **partitioning,
) -> dg.AssetsDefinition:
    """The asset of one source or reference: `ingest(context, con, contract, settings)` loads it and
    returns (results, contract outcomes, {"ingest_seconds": .., "rows_checked": .., ...});
    the outcomes are recorded and the landing folder's ignored files reported."""
    key = raw_key(name)

    @dg.multi_asset(
        name=f"ingest_{name}",
        specs=[
            dg.AssetSpec(
                key,
                group_name="sources",
                kinds={"duckdb"},
                deps=deps,
                description=description,
                metadata=metadata,
            )
        ],
        check_specs=[contract_check_spec(key, suite)],
        **partitioning,
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: Warehouse):
        contract = load_contract()
        settings = warehouse.settings
        with warehouse.connect(log=context.log) as con:
            ensure_schema(con, contract)
            results, outcomes, timings = ingest(context, con, contract, settings)
            if settings.engine == "spark":  # the raw layer Spark reads, for the days just loaded
                write_raw_days(
                    con, settings.lake_dir, name, sorted({r.extract_date for r in results}, key=str)
                )
            record_results(con, outcomes, run_id=context.run_id)
            ignored = _report_ignored(con, context, settings, folder)
        yield dg.MaterializeResult(asset_key=key, metadata=_ingest_metadata(results, ignored, timings))
        yield _check_result(key, outcomes)

    return _ingest


def build_source_asset(source: Source, months: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    def ingest(context: dg.AssetExecutionContext, con, contract, settings: Settings):
        days = days_between(*run_days(context.run.tags, settings))
        started = time.monotonic()
        results = ingest_days(
            con, contract, source, settings.landing, days, settings.timezone, say=context.log.info
        )
        read = time.monotonic()
        _log_ingest(context, source.name, results, read - started)
        outcomes = check_source_partitions(con, source.name, days, say=context.log.info)
        checked = time.monotonic() - read
        rows = _log_checks(context, source.name, results, outcomes, checked)
        return (
            results,
            outcomes,
            {"ingest_seconds": read - started, "check_seconds": checked, "rows_checked": rows},
        )

    return _ingest_asset(
        source.name,
        folder=source.name,
        ingest=ingest,
        suite=f"expectations/{source.name}.json on each extract day of the run",
        description=f"{source.name} extracts ({source.delivery}) loaded into raw.{source.name}; "
        "bad rows quarantined, bad files block their day.",
        deps=sorted({raw_key(c.reference.split(".")[0]) for c in source.columns.values() if c.reference}),
        metadata={"system": source.system, "format": source.format},
        partitions_def=months,
        backfill_policy=SINGLE_RUN,
    )


def build_reference_asset(reference: Reference) -> dg.AssetsDefinition:
    def ingest(context: dg.AssetExecutionContext, con, contract, settings: Settings):
        started = time.monotonic()
        result = ingest_reference(con, contract, reference, settings.landing, settings.timezone)
        read = time.monotonic()
        _log_ingest(context, reference.name, [result], read - started)
        if result.status == "rejected":
            context.log.warning(f"{reference.name}: {result.message}")
        outcomes = check_reference(con, reference.name)
        checked = time.monotonic() - read
        _log_checks(context, reference.name, [result], outcomes, checked)
        return (
            [result],
            outcomes,
            {
                "ingest_seconds": read - started,
                "check_seconds": checked,
                "rows_checked": result.rows_accepted,
            },
        )

    return _ingest_asset(
        reference.name,
        folder=REFERENCE_FOLDER,
        ingest=ingest,
        suite=f"expectations/{reference.name}.json on the version in force",
        description=f"Reference file reference/{reference.file} loaded into raw.{reference.name}.",
    )


def source_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    """The assets of the contract's references and sources; `settings` only dates the partitions
    (from LODESTAR_START_DATE): a run reads its paths from the `warehouse` resource."""
    contract = load_contract()
    months = extract_months(settings)
    return [build_reference_asset(r) for r in contract.references.values()] + [
        build_source_asset(s, months) for s in contract.sources.values()
    ]
