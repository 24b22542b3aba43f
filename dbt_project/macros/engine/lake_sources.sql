{#
  on-run-start: make dbt's sources exist for the engine. On DuckDB they are
  the warehouse's own tables: nothing to do. On Spark they are Parquet folders
  in the lake (pipelines/lake.py): `<LODESTAR_LAKE>/raw/<source>/` for the raw
  layer (one file per extract day), `<LODESTAR_LAKE>/<schema>/<table>/` for
  the tables the pipeline hands over before each build (the ingestion's log
  and quarantine, the gate's output, the OKR sets). Each is declared again as
  an external table of the Spark catalog, whose columns come from its files;
  dropping it leaves the files alone.
#}
{% macro register_lake_sources() -%}
    {{ return(adapter.dispatch('register_lake_sources')()) }}
{%- endmacro %}

{% macro default__register_lake_sources() -%}{%- endmacro %}

{# LODESTAR_LAKE_TABLES: the schema.table folders the pipeline wrote (pipelines/lake.py); a table
   the warehouse does not have yet (no OKR file, no gate run) has no folder and stays undeclared. #}
{% macro spark__register_lake_sources() -%}
    {%- if execute -%}
    {#- the lake as Spark sees it: a cluster may mount it elsewhere (docs/spark.md) -#}
    {%- set lake = env_var('LODESTAR_LAKE_URI', '') or env_var('LODESTAR_LAKE') -%}
    {%- set tables = env_var('LODESTAR_LAKE_TABLES', '').split(',') | reject('equalto', '') | list -%}
    {%- set schemas = [] -%}
    {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- set relation = source.schema ~ '.' ~ source.identifier -%}
        {%- if source.schema not in schemas -%}
            {%- do run_query('create database if not exists ' ~ source.schema) -%}
            {%- do schemas.append(source.schema) -%}
        {%- endif -%}
        {%- do run_query('drop table if exists ' ~ relation) -%}
        {%- if relation in tables -%}
            {%- do run_query('create table ' ~ relation ~ " using parquet location '"
                             ~ lake ~ '/' ~ source.schema ~ '/' ~ source.identifier ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
