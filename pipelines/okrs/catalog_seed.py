"""Render the KPI catalog (okrs/kpis.yml) as the dbt seed behind the `kpi_catalog` mart.

dbt cannot read okrs/kpis.yml, so the catalog reaches dbt as a seed CSV
generated from it (`python -m pipelines.okrs.catalog_seed`); a test keeps the
committed seed equal to the generated one. One row per KPI; dimensions are a
comma-separated list of dimension names in catalog order ('' when none).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from pipelines.config import DBT_PROJECT_DIR, REPO_ROOT
from pipelines.okrs.catalog import Catalog, load_catalog

SEED_FILE = DBT_PROJECT_DIR / "seeds" / "raw_kpi_catalog.csv"

COLUMNS = [
    "kpi_id",
    "name",
    "description",
    "family",
    "owner",
    "unit",
    "direction",
    "additivity",
    "dimensions",
    "valid_min",
    "valid_max",
    "anomaly_blocking",
    "anomaly_z_threshold",
    "anomaly_history_weeks",
    "anomaly_absurd_factor",
]


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def render(catalog: Catalog) -> str:
    """The seed CSV for a catalog: header plus one row per KPI, in catalog order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for kpi in catalog.kpis:
        writer.writerow(
            [
                kpi.id,
                kpi.name,
                kpi.description,
                kpi.family,
                kpi.owner,
                kpi.unit,
                kpi.direction,
                kpi.additivity,
                ",".join(kpi.dimensions),
                _number(kpi.valid_range.min),
                _number(kpi.valid_range.max),
                "true" if kpi.anomaly.blocking else "false",
                _number(kpi.anomaly.z_threshold),
                str(kpi.anomaly.history_weeks),
                _number(kpi.anomaly.absurd_factor),
            ]
        )
    return buffer.getvalue()


def write_seed(okrs_dir: Path = REPO_ROOT / "okrs", path: Path = SEED_FILE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(load_catalog(okrs_dir)), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    okrs_dir = Path(args[0]) if args else REPO_ROOT / "okrs"
    print(f"wrote {write_seed(okrs_dir)}")


if __name__ == "__main__":
    main()
