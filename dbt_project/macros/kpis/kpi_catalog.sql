{#
  The KPI catalog (okrs/kpis.yml) as dbt uses it, through the generated
  kpi_catalog_entries() and kpi_window_specs() (macros/generated_catalog.sql).
  Which models the unions read, the windows, the lineage and the kpi_catalog
  mart all come from here: adding a KPI is a catalog entry (and, for a new
  formula, one model), never an edit of these lists.
#}

{# The dbt models computing the KPIs whose additivity is one of `kinds`, sorted. #}
{% macro kpi_models(kinds) -%}
    {%- set models = [] -%}
    {%- for kpi in kpi_catalog_entries() if kpi['additivity'] in kinds and kpi['dbt_model'] not in models -%}
        {%- do models.append(kpi['dbt_model']) -%}
    {%- endfor -%}
    {{ return(models | sort) }}
{%- endmacro %}

{# The window names, in catalog order. #}
{% macro kpi_window_names() -%}
    {{ return(kpi_window_specs() | map(attribute='name') | list) }}
{%- endmacro %}

{#
  SQL for the first day of `window` ending on `day` (a DATE expression):
  the last trailing_days days, or the day's grain (week, month, quarter,
  year) so far.
#}
{% macro kpi_window_start(window, day) -%}
    {%- if window['trailing_days'] -%}
        cast({{ day }} - {{ window['trailing_days'] - 1 }} as date)
    {%- else -%}
        cast(date_trunc('{{ window["grain_to_date"] }}', {{ day }}) as date)
    {%- endif -%}
{%- endmacro %}

{#
  The landing sources a dbt model reads, walked up its lineage to the raw
  sources (execute time). The one home of the KPI → source lineage: the
  recompute plan of kpi_values and the int_kpi_sources table the quality gate
  reads both use it.
#}
{% macro model_raw_sources(model_name) -%}
    {%- set found = [] -%}
    {%- if execute -%}
        {%- set node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') | selectattr('name', 'equalto', model_name) | first -%}
        {%- if node -%}{%- do _raw_sources_above(node.unique_id, found, []) -%}{%- endif -%}
    {%- endif -%}
    {{ return(found | sort) }}
{%- endmacro %}

{% macro _raw_sources_above(unique_id, found, seen) -%}
    {%- if unique_id not in seen -%}
        {%- do seen.append(unique_id) -%}
        {%- set src = graph.sources.get(unique_id) -%}
        {%- if src -%}
            {%- if src.source_name == 'raw' and src.name not in found -%}{%- do found.append(src.name) -%}{%- endif -%}
        {%- else -%}
            {%- set node = graph.nodes.get(unique_id) -%}
            {%- for parent in (node.depends_on.nodes if node else []) -%}
                {%- do _raw_sources_above(parent, found, seen) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{# {kpi_id: [raw source names]} for every KPI of the catalog. #}
{% macro kpi_source_map() -%}
    {%- set result = {} -%}
    {%- for kpi in kpi_catalog_entries() -%}
        {%- do result.update({kpi['kpi_id']: model_raw_sources(kpi['dbt_model'])}) -%}
    {%- endfor -%}
    {{ return(result) }}
{%- endmacro %}

{#
  `select <columns> from ref(model) union all ...` over the models of
  `kinds` (columns: name -> SQL type, every model cast to the same types), or
  a typed empty relation when the catalog has none of them. In an
  incremental union (kpi_union_config), each model contributes its rows from
  its own changed_from() on.
#}
{% macro union_kpi_models(kinds, columns, day_column=none) -%}
    {%- set models = kpi_models(kinds) -%}
    {%- for model in models %}
    select {% for name, type in columns.items() %}cast({{ name }} as {{ type }}) as {{ name }}{{ ', ' if not loop.last }}{% endfor %}
    from {{ ref(model) }}
    {% if day_column %}where true{{ changed_days_filter(day_column, model) }}{% endif %}
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    select {% for name, type in columns.items() %}cast(null as {{ type }}) as {{ name }}{{ ', ' if not loop.last }}{% endfor %}
    where false
    {%- endfor %}
{%- endmacro %}

{#
  Config of a union of KPI models kept by (KPI, day): on an incremental run the
  pre-hook deletes each model's KPIs from that model's changed_from() on, and
  union_kpi_models(..., day_column) appends them again.
#}
{% macro kpi_union_config(kinds, day_column='day') -%}
    {%- set deletes = [] -%}
    {%- for model in kpi_models(kinds) -%}
        {%- set ids = [] -%}
        {%- for kpi in kpi_catalog_entries() if kpi['dbt_model'] == model -%}{%- do ids.append("'" ~ kpi['kpi_id'] ~ "'") -%}{%- endfor -%}
        {%- do deletes.append("(kpi_id in (" ~ ids | join(', ') ~ ") and " ~ day_column
                              ~ " >= date '{{ changed_from('" ~ model ~ "') }}')") -%}
    {%- endfor -%}
    {{ return(engine_config({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'pre_hook': "{% if is_incremental() %}delete from {{ this }} where false or "
                    ~ (deletes | join(' or ') or 'false') ~ "{% endif %}",
    })) }}
{%- endmacro %}

{# A SQL literal of a catalog value (lists become comma-separated text). #}
{% macro sql_literal(value) -%}
    {%- if value is none -%}null
    {%- elif value is sameas true -%}true
    {%- elif value is sameas false -%}false
    {%- elif value is number -%}{{ value }}
    {%- elif value is string -%}'{{ value | replace("'", "''") }}'
    {%- else -%}'{{ value | join(",") }}'
    {%- endif -%}
{%- endmacro %}

{#
  The slices (KPI, dimension, dimension value) of the additive and ratio KPIs,
  each with its kind and the first day it has parts: a window value exists
  for every slice on each day from then on (for the total 'all' slice, on
  every day).
#}
{% macro kpi_part_slices() -%}
    select kpi_id, kind, dimension, dimension_value, min(day) as first_day
    from {{ ref('int_kpi_daily_parts') }}
    group by all
{%- endmacro %}
