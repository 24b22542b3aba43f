{{ config(materialized='table') }}
-- Per KPI, the first as_of_date this run recomputes in kpi_values: the
-- earliest event day the run changed in the sources the KPI reads, never
-- after the range's first day; every day on a first build or without a
-- range. The quality gate checks exactly these KPI days.
{%- do ref('int_changed_sources') %}
{%- set existing = adapter.get_relation(database=target.database, schema='marts', identifier='kpi_values') if execute else none %}
{% if existing and not flags.FULL_REFRESH %}
{{ kpi_recompute_plan() }}
{% else %}
select kpi_id, date '{{ env_var("LODESTAR_START_DATE", "2024-01-01") }}' as recompute_from
from (values {% for kpi in kpi_catalog_entries() %}('{{ kpi["kpi_id"] }}'){{ ', ' if not loop.last }}{% endfor %}) as kpis (kpi_id)
{% endif %}
