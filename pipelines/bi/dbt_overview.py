"""Render the front page of the dbt docs (`make docs`) from the KPI catalog.

dbt cannot read okrs/kpis.yml, so the page that lists every KPI is a docs block
generated from it (`python -m pipelines.bi.dbt_overview`); a test keeps the
committed file equal to the generated one, like the catalog seed.
"""

from __future__ import annotations

import sys

from pipelines.config import DBT_PROJECT_DIR, REPO_ROOT
from pipelines.okrs.catalog import Catalog, load_catalog

OVERVIEW_FILE = DBT_PROJECT_DIR / "models" / "marts" / "bi" / "overview.md"

INTRO = """\
# Lodestar

Lodestar is a KPI and OKR warehouse. Landing files are ingested by Dagster into `raw`,
checked against their contracts (Great Expectations), and the models here compute the
KPIs (`staging` → `intermediate` → `marts.kpi_values`). A quality gate publishes only
the values whose checks passed (`gate`), the OKR models score key results and objectives
from them, and the BI marts (`dim_date`, `dim_kpi`, `kpi_series`, `kpi_*_wide`,
`kpi_latest`, `kr_latest`, `objective_latest`) shape them for dashboards.

The published tables (`marts.duckdb` and its Parquet copies) are the gated KPI values and
the models of the *marts* schema; every table and column carries its description there.

## KPIs

Generated from `okrs/kpis.yml`; the formulas are in the models that list a KPI in their
`meta.kpis` (see `kpi_catalog.dbt_model`). Percents are fractions (0.92 is 92%).
"""


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def render(catalog: Catalog) -> str:
    lines = ["{% docs __overview__ %}", INTRO]
    lines.append("| KPI | name | what it measures | unit | direction | owner | slices |")
    lines.append("|---|---|---|---|---|---|---|")
    for kpi in catalog.kpis:
        slices = ", ".join(kpi.dimensions) or "total only"
        direction = kpi.direction.replace("_", " ")
        lines.append(
            f"| `{kpi.id}` | {_cell(kpi.name)} | {_cell(kpi.description)} | {kpi.unit} | {direction} "
            f"| {kpi.owner} | {slices} |"
        )
    lines += ["", "{% enddocs %}", ""]
    return "\n".join(lines)


def main() -> int:
    OVERVIEW_FILE.write_text(render(load_catalog(REPO_ROOT / "okrs")))
    print(OVERVIEW_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
