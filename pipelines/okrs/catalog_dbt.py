"""The KPI catalog as dbt sees it: a macro generated from okrs/kpis.yml.

`dbt_project/macros/generated_catalog.sql` returns the catalog's KPIs and
windows; the union models (int_kpi_daily_parts/samples/snapshots/derived), the
windows (int_kpi_windows), the KPI → source lineage (int_kpi_sources) and the
`kpi_catalog` mart are built from it. It is rewritten whenever the catalog in
LODESTAR_OKRS changes, before dbt parses the project (see
pipelines/transform/project.py), and `python -m pipelines.okrs.catalog_dbt`
writes it by hand; a test keeps the committed file equal to the repository's
catalog.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipelines.config import DBT_PROJECT_DIR, REPO_ROOT
from pipelines.jinja import data_macro, write_if_changed
from pipelines.okrs.catalog import Catalog, load_catalog

CATALOG_MACRO_FILE = DBT_PROJECT_DIR / "macros" / "generated_catalog.sql"
HEADER = (
    "{# Generated from okrs/kpis.yml by pipelines/okrs/catalog_dbt.py: edit the catalog, not this file. #}\n"
)


def kpi_entries(catalog: Catalog) -> list[dict]:
    """One flat dict per KPI: the columns of the `kpi_catalog` mart."""
    return [
        {
            "kpi_id": kpi.id,
            "name": kpi.name,
            "description": kpi.description,
            "family": kpi.family,
            "owner": kpi.owner,
            "unit": kpi.unit,
            "direction": kpi.direction,
            "additivity": kpi.additivity,
            "dbt_model": kpi.model,
            "dimensions": list(kpi.dimensions),
            "valid_min": kpi.valid_range.min,
            "valid_max": kpi.valid_range.max,
            "anomaly_blocking": kpi.anomaly.blocking,
            "anomaly_z_threshold": kpi.anomaly.z_threshold,
            "anomaly_history_weeks": kpi.anomaly.history_weeks,
            "anomaly_absurd_factor": kpi.anomaly.absurd_factor,
        }
        for kpi in catalog.kpis
    ]


def render(catalog: Catalog) -> str:
    windows = [{"name": name, **spec.model_dump()} for name, spec in catalog.windows.items()]
    return (
        HEADER
        + "\n"
        + data_macro(
            "kpi_catalog_entries", kpi_entries(catalog), "Every KPI of the catalog, in catalog order."
        )
        + "\n"
        + data_macro("kpi_window_specs", windows, "The windows every KPI is computed for.")
    )


def ensure_dbt_catalog(okrs_dir: Path) -> bool:
    """Rewrite the generated macro when the catalog changed; True when it did."""
    return write_if_changed(CATALOG_MACRO_FILE, render(load_catalog(okrs_dir)))


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    okrs_dir = Path(args[0]) if args else REPO_ROOT / "okrs"
    ensure_dbt_catalog(okrs_dir)
    print(f"wrote {CATALOG_MACRO_FILE}")


if __name__ == "__main__":
    main()
