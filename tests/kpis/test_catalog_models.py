"""The KPI catalog (okrs/kpis.yml) and the dbt models agree (docs/kpis.md).

- every catalog KPI is computed by the model the catalog names, upstream of
  kpi_values, of the kind its additivity says; no model computes a KPI the
  catalog does not know;
- the dimensions kpi_values produces per KPI are the catalog's, with a total
  row, and closed-set dimension values stay within their contract enum;
- the committed generated catalog macro equals the one rendered from the catalog.
"""

from __future__ import annotations

import json

from pipelines.config import REPO_ROOT
from pipelines.okrs.catalog import load_catalog
from pipelines.okrs.catalog_dbt import CATALOG_MACRO_FILE, render
from tests.kpis.conftest import WINDOWS, query

CATALOG = load_catalog(REPO_ROOT / "okrs")


def _upstream_models(manifest: dict, unique_id: str) -> set[str]:
    seen: set[str] = set()
    stack = [unique_id]
    while stack:
        node = manifest["nodes"].get(stack.pop())
        if node is None:
            continue
        for parent in node["depends_on"]["nodes"]:
            if parent.startswith("model.") and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def test_committed_dbt_catalog_matches_the_catalog():
    assert CATALOG_MACRO_FILE.read_text(encoding="utf-8") == render(CATALOG), (
        "dbt_project/macros/generated_catalog.sql is stale: run `python -m pipelines.okrs.catalog_dbt`"
    )


def test_every_catalog_kpi_is_computed_by_the_model_it_names_upstream_of_kpi_values(kpi_build):
    manifest = json.loads(kpi_build.manifest.read_text())
    upstream = {manifest["nodes"][u]["name"] for u in _upstream_models(manifest, "model.lodestar.kpi_values")}
    by_model: dict[str, set[str]] = {}
    for kpi in CATALOG.kpis:
        by_model.setdefault(kpi.model, set()).add(kpi.id)
    for model, kpi_ids in by_model.items():
        assert model in upstream, model
        produced = {
            r[0] for r in query(kpi_build.warehouse, f"select distinct kpi_id from intermediate.{model}")
        }
        assert produced == kpi_ids, model
    # the parts models say the same kind as the catalog
    kinds = dict(
        query(kpi_build.warehouse, "select distinct kpi_id, kind from intermediate.int_kpi_daily_parts")
    )
    assert kinds == {k.id: k.additivity for k in CATALOG.kpis if k.additivity in ("additive", "ratio")}


def test_kpi_lineage_names_only_the_sources_each_formula_reads(kpi_build):
    """The quality gate blocks a KPI on exactly these sources (the catalog's model + dbt lineage)."""
    sources: dict[str, set[str]] = {}
    for kpi_id, source in query(
        kpi_build.warehouse, "select kpi_id, source from intermediate.int_kpi_sources"
    ):
        sources.setdefault(kpi_id, set()).add(source)
    assert sources["on_time_delivery_rate"] == {"shipments"}
    assert sources["nps"] == {"nps_responses"}
    assert sources["headcount_fte"] == {"employees"}
    assert sources["ticket_backlog"] == sources["csat"] == {"support_tickets"}
    assert sources["gmv"] == {"orders", "fx_rates"}
    assert sources["conversion_rate"] == {"orders", "web_traffic", "fx_rates"}
    assert sources["customer_acquisition_cost"] == {"marketing_spend", "customers", "fx_rates"}
    assert sources["net_revenue"] == {"gl_journal_lines", "chart_of_accounts", "fx_rates"}
    assert sources["budget_variance_pct"] == {"gl_journal_lines", "chart_of_accounts", "budget", "fx_rates"}
    assert sources["revenue_per_fte"] == {"gl_journal_lines", "chart_of_accounts", "fx_rates", "employees"}
    assert sources["days_sales_outstanding"] == {"invoices", "fx_rates"}


def test_kpi_values_have_the_catalogs_kpis_windows_and_dimensions(kpi_build):
    rows = query(
        kpi_build.warehouse,
        'select kpi_id, dimension, list(distinct dimension_value), list(distinct "window") '
        "from marts.kpi_values group by all",
    )
    produced: dict[str, dict[str, set[str]]] = {}
    windows: dict[str, set[str]] = {}
    for kpi_id, dimension, values, kpi_windows in rows:
        produced.setdefault(kpi_id, {})[dimension] = set(values)
        windows.setdefault(kpi_id, set()).update(kpi_windows)
    assert set(produced) == {k.id for k in CATALOG.kpis}
    for kpi in CATALOG.kpis:
        assert produced[kpi.id].pop("all") == {"all"}, kpi.id
        assert set(produced[kpi.id]) == set(kpi.dimensions), kpi.id
        assert windows[kpi.id] == set(WINDOWS), kpi.id
        for dimension in kpi.dimensions:
            allowed = kpi.dimension_values(dimension)
            if allowed is not None:
                assert produced[kpi.id][dimension] <= set(allowed), (kpi.id, dimension)


def test_kpi_catalog_mart_has_one_row_per_kpi_with_its_model(kpi_build):
    rows = query(
        kpi_build.warehouse, "select kpi_id, unit, additivity, dimensions, dbt_model from marts.kpi_catalog"
    )
    assert len(rows) == len(CATALOG.kpis) == 19
    by_id = {r[0]: r[1:] for r in rows}
    for kpi in CATALOG.kpis:
        unit, additivity, dimensions, model = by_id[kpi.id]
        assert (unit, additivity, dimensions) == (kpi.unit, kpi.additivity, ",".join(kpi.dimensions))
        assert model.startswith("int_kpi_"), (kpi.id, model)


def test_every_total_row_exists_for_every_day_of_additive_and_snapshot_counts(kpi_build):
    """Sums and counts are 0 over a window without events: a total row every day (docs/kpis.md)."""
    missing = query(
        kpi_build.warehouse,
        """
        select k.kpi_id, d.as_of_date, w."window"
        from (values ('gmv'), ('orders'), ('net_revenue'), ('operating_expenses'),
                     ('ticket_backlog'), ('headcount_fte')) as k(kpi_id)
        cross join (select distinct as_of_date from marts.kpi_values) as d
        cross join (values ('day'), ('trailing_7d'), ('trailing_28d'), ('month_to_date'),
                           ('quarter_to_date')) as w("window")
        anti join marts.kpi_values as v
            on v.kpi_id = k.kpi_id and v.as_of_date = d.as_of_date and v."window" = w."window"
            and v.dimension = 'all'
        """,
    )
    assert missing == []
