{{ config(materialized='table') }}
-- The as_of_dates this run (re)computes: from recompute_from() — the earliest
-- business day the run's extracts touched — to the last loaded day; every
-- day when kpi_values does not exist yet. The quality gate checks exactly
-- these days.
{%- set existing = adapter.get_relation(database=target.database, schema='marts', identifier='kpi_values') if execute else none %}
select
    {% if existing %}{{ recompute_from() }}{% else %}date '{{ env_var("LODESTAR_START_DATE", "2024-01-01") }}'{% endif %} as recompute_from,
    {{ last_loaded_day() }} as last_day
