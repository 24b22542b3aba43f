"""Dagster asset that validates the OKR sets and writes the okr.* tables.

`okr_definitions` reads every `okrs/<period>.yml` (LODESTAR_OKRS), validates
them against the KPI catalog (docs/okrs.md) and rewrites okr.objectives,
okr.key_results and okr.kr_targets in the working warehouse, the sources of the
dbt OKR models. An invalid file fails this asset with every problem listed;
nothing is written, so the OKR models downstream do not run on broken
definitions while KPI computation and publication, which do not depend on it,
go on.
"""

from pathlib import Path

import dagster as dg

from pipelines.okrs.catalog import load_catalog
from pipelines.okrs.validate import OkrValidationError, load_okr_sets, okr_files, write_okr_tables
from pipelines.resources import Warehouse

# The tables this asset writes: the dbt OKR models' source `okr`.
OKR_TABLES = ("objectives", "key_results", "kr_targets")


def okr_assets() -> list[dg.AssetsDefinition]:
    @dg.multi_asset(
        name="okr_definitions",
        specs=[
            dg.AssetSpec(
                dg.AssetKey(["okr", table]),
                group_name="okrs",
                kinds={"python", "duckdb"},
                description=f"okr.{table}: from the OKR sets (okrs/<period>.yml) validated against the KPI catalog.",
            )
            for table in OKR_TABLES
        ],
    )
    def okr_definitions(context: dg.AssetExecutionContext, warehouse: Warehouse):
        okrs = Path(warehouse.okrs)
        try:
            catalog = load_catalog(okrs)
        except ValueError as exc:
            raise dg.Failure(description=f"The KPI catalog is invalid: {exc}") from exc
        files = okr_files(okrs)
        if not files:  # no OKRs defined yet: nothing to score, KPIs still publish
            context.log.warning(f"no OKR sets in {okrs}: the OKR marts will be empty")
        try:
            sets = load_okr_sets(okrs, catalog) if files else []
        except OkrValidationError as exc:
            listing = "\n".join(f"- {e}" for e in exc.errors)
            raise dg.Failure(
                description=f"{len(exc.errors)} problem(s) in the OKR files:\n{listing}",
                metadata={
                    "errors": dg.MetadataValue.md(listing),
                    "error_count": len(exc.errors),
                    "files": [str(f) for f in files],
                },
            ) from exc

        # one transaction, closed when done
        with warehouse.connect(log=context.log) as con:
            counts = write_okr_tables(con, sets)
        context.log.info(
            f"OKR definitions: {len(sets)} file(s), {counts['objectives']} objectives, "
            f"{counts['key_results']} key results, {counts['kr_targets']} targets"
        )
        for table in OKR_TABLES:
            yield dg.MaterializeResult(
                asset_key=dg.AssetKey(["okr", table]),
                metadata={"rows": counts[table], "files": [s.file.name for s in sets]},
            )

    return [okr_definitions]
