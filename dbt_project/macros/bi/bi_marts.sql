{#
  Helpers of the BI marts (models/marts/bi). The per-KPI columns of the wide
  tables are generated from the KPI catalog (okrs/kpis.yml through the
  kpi_catalog mart), so a KPI added to the catalog becomes a column without
  editing any model.
#}

{# Rows (kpi_id, name, unit, direction, description) of the catalog, in kpi_id order; [] while parsing. #}
{% macro bi_kpi_catalog() %}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set result = run_query(
        "select kpi_id, name, unit, direction, description from " ~ ref('kpi_catalog') ~ " order by kpi_id"
    ) -%}
    {{ return(result.rows) }}
{% endmacro %}

{# 'all' for a total row, else 'dimension = value': one label a chart can colour lines by. #}
{% macro bi_slice_label(dimension, dimension_value) -%}
    case when {{ dimension }} = 'all' then 'all' else {{ dimension }} || ' = ' || {{ dimension_value }} end
{%- endmacro %}

{# Human label and colour of an OKR status, the same in every BI mart and in the HTML report. #}
{% macro bi_status_label(status) -%}
    case {{ status }}
        when 'achieved' then 'Achieved'
        when 'on_track' then 'On track'
        when 'at_risk' then 'At risk'
        when 'off_track' then 'Off track'
        when 'no_data' then 'No data'
        when 'not_started' then 'Not started'
    end
{%- endmacro %}

{% macro bi_status_color(status) -%}
    case {{ status }}
        when 'achieved' then '#1a7f37'
        when 'on_track' then '#4ac26b'
        when 'at_risk' then '#d4a72c'
        when 'off_track' then '#cf222e'
        when 'no_data' then '#8c959f'
        when 'not_started' then '#d0d7de'
    end
{%- endmacro %}

{#
  One row per day and slice of the KPI values of one window, one column per
  KPI (its value) and one <kpi_id>_is_stale flag per KPI (true when the KPI
  was not published that day: the value shown is the last good one, or null).
#}
{% macro bi_kpi_wide(kpi_window) %}
{%- set kpis = bi_kpi_catalog() %}
-- depends_on: {{ ref('kpi_catalog') }}
with series as (
    select * from {{ ref('kpi_series') }} where kpi_window = '{{ kpi_window }}'
),

slices as (
    select
        as_of_date,
        dimension,
        dimension_value,
        any_value(slice_label) as slice_label
        {%- for kpi in kpis %},
        max(value) filter (where kpi_id = '{{ kpi[0] }}') as "{{ kpi[0] }}"
        {%- endfor %}
    from series
    group by as_of_date, dimension, dimension_value
),

-- publication status is per KPI and day, whatever the slice
day_status as (
    select
        as_of_date,
        count(*) filter (where status <> 'published') as stale_kpi_count,
        string_agg(kpi_id, ', ' order by kpi_id) filter (where status <> 'published') as stale_kpis
        {%- for kpi in kpis %},
        bool_or(status <> 'published') filter (where kpi_id = '{{ kpi[0] }}') as "{{ kpi[0] }}_is_stale"
        {%- endfor %}
    from {{ source('gate', 'kpi_status') }}
    group by as_of_date
)

select
    slices.as_of_date,
    '{{ kpi_window }}' as kpi_window,
    slices.dimension,
    slices.dimension_value,
    slices.slice_label
    {%- for kpi in kpis %},
    slices."{{ kpi[0] }}"
    {%- endfor %},
    coalesce(day_status.stale_kpi_count, 0) as stale_kpi_count,
    coalesce(day_status.stale_kpis, '') as stale_kpis
    {%- for kpi in kpis %},
    coalesce(day_status."{{ kpi[0] }}_is_stale", true) as "{{ kpi[0] }}_is_stale"
    {%- endfor %}
from slices
left join day_status on day_status.as_of_date = slices.as_of_date
order by slices.as_of_date, slices.dimension, slices.dimension_value
{% endmacro %}

{#
  Post-hook of the wide tables: a comment on every generated column, from the
  catalog (the publisher keeps relation comments the YAML does not override).
#}
{% macro bi_comment_kpi_columns(kpi_window) %}
    {%- set statements = [] -%}
    {%- for kpi_id, name, unit, direction, description in bi_kpi_catalog() -%}
        {%- set value_text = name ~ " (" ~ unit ~ ", " ~ direction | replace('_', ' ') ~ "), " ~ kpi_window
            ~ " window: " ~ description -%}
        {%- set stale_text = "True when " ~ kpi_id ~ " was not published on the day (stale): its column holds "
            ~ "the last good value for the day, or null." -%}
        {%- do statements.append("comment on column " ~ this ~ ".\"" ~ kpi_id ~ "\" is '" ~ value_text | replace("'", "''") ~ "'") -%}
        {%- do statements.append("comment on column " ~ this ~ ".\"" ~ kpi_id ~ "_is_stale\" is '" ~ stale_text | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    {{ return(statements | join(";\n") if statements else "select 1") }}
{% endmacro %}

{#
  The latest loaded day (the cte `latest_day` of kr_latest and objective_latest),
  each item's last progress row by then, and where its period stands on it.
#}
{% macro bi_latest_day() -%}
    select max(as_of_date) as latest_loaded_date from {{ source('gate', 'kpi_status') }}
{%- endmacro %}

{% macro bi_last_scored(progress, key) -%}
    select p.*
    from {{ progress }} as p
    cross join latest_day
    where p.as_of_date <= latest_day.latest_loaded_date
    qualify row_number() over (partition by p.{{ key }} order by p.as_of_date desc) = 1
{%- endmacro %}

{% macro bi_period_state() -%}
    case
        when latest_loaded_date < period_start then 'not_started'
        when latest_loaded_date >= period_end then 'ended'
        else 'in_progress'
    end
{%- endmacro %}
