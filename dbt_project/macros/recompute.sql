{#
  Incremental KPI runs (SPEC §4, issue 4). A run for extract days
  [LODESTAR_RANGE_START, LODESTAR_RANGE_END] recomputes every as_of_date from
  the earliest business day any ingested row of that range touched (the ingest
  log records it per partition) to the last loaded day: trailing and
  period-to-date windows and snapshots after a changed day all move. Days
  before it are left untouched. Without a range, everything is recomputed.
#}
{% macro recompute_from() -%}
    {%- set range_start = env_var('LODESTAR_RANGE_START', '') -%}
    {%- set range_end = env_var('LODESTAR_RANGE_END', '') -%}
    {%- if range_start and range_end -%}
        (select least(date '{{ range_start }}', coalesce(min(min_event_date), date '{{ range_start }}'))
         from raw.ingest_log
         where extract_date between date '{{ range_start }}' and date '{{ range_end }}')
    {%- else -%}
        date '{{ env_var("LODESTAR_START_DATE", "2024-01-01") }}'
    {%- endif -%}
{%- endmacro %}

{# The last day with a loaded extract: KPI values exist up to it (SPEC §4). #}
{% macro last_loaded_day() -%}
    (select max(extract_date) from raw.ingest_log where status = 'loaded')
{%- endmacro %}
