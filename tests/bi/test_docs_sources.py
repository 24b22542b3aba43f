"""Generated documentation sources stay in step with the KPI catalog."""

from pipelines.bi.dbt_overview import OVERVIEW_FILE, render
from pipelines.config import REPO_ROOT
from pipelines.okrs.catalog import load_catalog


def test_dbt_docs_front_page_lists_every_catalog_kpi_as_generated():
    catalog = load_catalog(REPO_ROOT / "okrs")
    assert OVERVIEW_FILE.read_text() == render(catalog), "run `python -m pipelines.bi.dbt_overview`"
    for kpi in catalog.kpis:
        assert f"| `{kpi.id}` | {kpi.name} |" in OVERVIEW_FILE.read_text()
