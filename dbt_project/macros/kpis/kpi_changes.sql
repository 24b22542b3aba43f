{#
  kpi_values writes only what changed, and says so.

  The model computes every row of its recompute plan (int_kpi_recompute_plan)
  into a temporary relation; the strategy `kpi_changed_rows` compares it with
  the stored rows of the same (KPI, as_of_date) pairs and
  - deletes the stored rows that are no longer computed or differ,
  - inserts the computed rows that are new or differ,
  - records per KPI the first as_of_date with a change in
    intermediate.kpi_changes (kpi_id, from_day).
  Rows that came out the same are not rewritten. A full build records every
  KPI from its first day.

  intermediate.kpi_changes is the quality gate's work list: it accumulates
  across runs and the gate clears what it has judged (pipelines/quality), so a
  run that stops between kpi_values and the gate leaves the changed days to
  the next one.
#}

{% macro kpi_changes_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema='intermediate', identifier='kpi_changes')) }}
{%- endmacro %}

{% macro ensure_kpi_changes() -%}
    create table if not exists {{ kpi_changes_relation() }} (kpi_id varchar, from_day date)
{%- endmacro %}

{# kpi_values' post-hook on a full build: every KPI changed from its first day. #}
{% macro record_full_kpi_changes() -%}
    {{ ensure_kpi_changes() }};
    insert into {{ kpi_changes_relation() }}
    select kpi_id, min(as_of_date) from {{ this }} group by kpi_id
{%- endmacro %}

{% macro get_incremental_kpi_changed_rows_sql(arg_dict) -%}
    {%- set target_relation = arg_dict['target_relation'] -%}
    {%- set temp_relation = arg_dict['temp_relation'] -%}
    {%- set key = 'kpi_id, as_of_date, "window", dimension, dimension_value' -%}
    {%- set columns = key ~ ', value, numerator, denominator' -%}
    {%- set plan = ref('int_kpi_recompute_plan') -%}
    create or replace temp table _kpi_stored as
        select {{ columns }}
        from {{ target_relation }} as stored
        semi join {{ plan }} as plan
            on plan.kpi_id = stored.kpi_id and stored.as_of_date >= plan.recompute_from;
    create or replace temp table _kpi_gone as
        select {{ columns }} from _kpi_stored except select {{ columns }} from {{ temp_relation }};
    create or replace temp table _kpi_new as
        select {{ columns }} from {{ temp_relation }} except select {{ columns }} from _kpi_stored;
    {{ ensure_kpi_changes() }};
    insert into {{ kpi_changes_relation() }}
        select kpi_id, min(as_of_date)
        from (select kpi_id, as_of_date from _kpi_gone union all select kpi_id, as_of_date from _kpi_new)
        group by kpi_id;
    delete from {{ target_relation }}
        where ({{ key }}) in (select {{ key }} from _kpi_gone);
    insert into {{ target_relation }} ({{ columns }})
        select {{ columns }} from _kpi_new;
    drop table _kpi_stored;
    drop table _kpi_gone;
    drop table _kpi_new
{%- endmacro %}
