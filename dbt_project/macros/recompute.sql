{#
  Incremental KPI runs (docs/kpis.md). A run for extract days
  [LODESTAR_RANGE_START, LODESTAR_RANGE_END] recomputes each KPI for every
  as_of_date from the earliest business day the range's extracts touched in
  the sources that KPI reads, to the last loaded day: trailing and
  period-to-date windows and snapshots after a changed day all move. Earlier
  days are left untouched. See kpi_recompute_plan() (macros/kpis) for the
  per-KPI plan kpi_values uses.

  recompute_from() is the earliest day any KPI is recomputed from (the
  plan's minimum): the first as_of_date a run may change. Without a range,
  everything is recomputed.
#}
{% macro recompute_from() -%}
    {%- set range_start = env_var('LODESTAR_RANGE_START', '') -%}
    {%- set range_end = env_var('LODESTAR_RANGE_END', '') -%}
    {%- if range_start and range_end -%}
        (select coalesce(min(recompute_from), date '{{ range_start }}') from ({{ kpi_recompute_plan() }}) as plan)
    {%- else -%}
        date '{{ env_var("LODESTAR_START_DATE", "2024-01-01") }}'
    {%- endif -%}
{%- endmacro %}

{# The last day with a loaded extract: KPI values exist up to it (docs/kpis.md). #}
{% macro last_loaded_day() -%}
    (select max(extract_date) from raw.ingest_log where status = 'loaded')
{%- endmacro %}
