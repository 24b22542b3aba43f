{# The last day with a loaded extract: KPI values exist up to it (docs/kpis.md). #}
{% macro last_loaded_day() -%}
    (select max(extract_date) from raw.ingest_log where status = 'loaded')
{%- endmacro %}
