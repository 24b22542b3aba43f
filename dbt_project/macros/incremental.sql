{#
  Incremental runs: a run for extract days [LODESTAR_RANGE_START,
  LODESTAR_RANGE_END] costs what its extracts changed, not what the warehouse
  holds.

  - Staging tables (the latest version of each key) re-derive only the keys
    the run touched (changed_keys()).
  - Every model below staging that is kept as a table is keyed by business
    day: it rebuilds the days from changed_from(model) on and leaves earlier
    days untouched. changed_from is the earliest event day the changes of the
    model's raw sources reach (int_changed_sources, the rule of the KPI
    recompute plan, see macros/kpis/kpi_recompute.sql), and never after the
    range's first day (new days always get built).

  Without a range, on a first build and with --full-refresh, everything is
  rebuilt.
#}

{#
  On Spark (LODESTAR_ENGINE=spark) every model is rebuilt whole: Spark's
  built-in Parquet tables have no DELETE, which the incremental strategies
  here need. engine_config() turns an incremental config into a table there,
  and run_range() is none.
#}
{% macro engine_config(config) -%}
    {%- if target.type == 'spark' and config.get('materialized') == 'incremental' -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
    {{ return(config) }}
{%- endmacro %}

{# (first, last) extract day of the run, or none: rebuild everything. #}
{% macro run_range() -%}
    {%- if target.type == 'spark' %}{{ return(none) }}{% endif -%}
    {%- set first = env_var('LODESTAR_RANGE_START', '') -%}
    {%- set last = env_var('LODESTAR_RANGE_END', '') -%}
    {{ return((first, last) if first and last else none) }}
{%- endmacro %}

{#
  The first business day (a 'YYYY-MM-DD' string) whose rows of `model_name`
  this run rebuilds: least(range start, earliest changed event day over the
  model's raw sources). '0001-01-01' (everything) without a range. Queried
  when the model runs, so that it is a literal the scans can prune on.
#}
{% macro changed_from(model_name) -%}
    {%- set changes = ref('int_changed_sources') -%}
    {%- set range = run_range() -%}
    {%- if not execute or range is none -%}{{ return('0001-01-01') }}{%- endif -%}
    {%- set sources = model_raw_sources(model_name) -%}
    {%- set query -%}
        select cast(least(date '{{ range[0] }}', min(from_day)) as string)
        from {{ changes }}
        where source in ({% for s in sources %}'{{ s }}'{{ ', ' if not loop.last }}{% else %}null{% endfor %})
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0]) }}
{%- endmacro %}

{#
  A model kept by business day: on an incremental run, the pre-hook deletes
  its rows from changed_from on, and the model's own SQL (filtered with
  changed_days_filter) appends them again, in the same transaction.
#}
{% macro day_partitioned(day_column) -%}
    {{ return(engine_config({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'pre_hook': "{% if is_incremental() %}delete from {{ this }} where " ~ day_column
                    ~ " >= date '{{ changed_from(this.identifier) }}'{% endif %}",
    })) }}
{%- endmacro %}

{# `and <day> >= changed_from` on an incremental run; nothing otherwise. #}
{% macro changed_days_filter(day_expression, model_name=none) -%}
    {%- do ref('int_changed_sources') -%}  {# parsed unconditionally: the dependency that orders the run #}
    {%- if is_incremental() %} and {{ day_expression }} >= date '{{ changed_from(model_name or this.identifier) }}'{% endif -%}
{%- endmacro %}

{#
  Config of a staging model (latest version per key of raw `source_name`):
  an incremental table replaced key by key. Keys that lost every accepted
  version come back from latest_version() as rows without an extract day
  (tombstones): delete+insert removes their old row, the post-hook the
  tombstone.
#}
{% macro staging_config(source_name) -%}
    {{ return(engine_config({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': contract_table(source_name)['key'],
        'post_hook': "{% if is_incremental() %}delete from {{ this }} where _extract_date is null{% endif %}",
    })) }}
{%- endmacro %}

{#
  The keys of raw `source_name` whose latest version this run may change:
  - keys delivered in the run's extract days;
  - keys whose stored version came from one of those days (a re-delivered
    file may have dropped them);
  - for a source converted to USD, when FX rates changed: keys with a version
    whose rate day the changed rates reach (from the first changed rate day to
    7 days after the range, the FX look-back), which may convert now or
    differently.
  Without a range: every key.
#}
{% macro changed_keys(source_name) -%}
    {%- set table = contract_table(source_name) -%}
    {%- set key = table['key'] | join(', ') -%}
    {%- set changes = ref('int_changed_sources') -%}
    {%- set range = run_range() -%}
    {%- if range is none -%}
    select {{ key }} from {{ source('raw', source_name) }}
    union
    select {{ key }} from {{ this }}
    {%- else -%}
    select {{ key }} from {{ source('raw', source_name) }}
    where _extract_date between date '{{ range[0] }}' and date '{{ range[1] }}'
    union
    select {{ key }} from {{ this }}
    where _extract_date between date '{{ range[0] }}' and date '{{ range[1] }}'
        {%- if table['fx'] %}
            {%- set fx_from = fx_changed_from() %}
            {%- if fx_from %}
    union
    select {{ key }} from {{ source('raw', source_name) }} as r
    where {{ fx_rate_day(source_name, 'r') }} between date '{{ fx_from }}' and date '{{ range[1] }}' + 7
                {%- set day_column = table['fx']['day'] -%}
                {%- if table['columns'][day_column] == 'TIMESTAMPTZ' %}
        -- a superset by instant first, so that old row groups are skipped by their min/max
        and r.{{ day_column }} >= timestamptz '{{ fx_from }}' - interval 2 day
                {%- endif %}
            {%- endif %}
        {%- endif %}
    {%- endif %}
{%- endmacro %}

{# The first rate day of the FX rates this run changed ('YYYY-MM-DD'), or none. #}
{% macro fx_changed_from() -%}
    {%- set changes = ref('int_changed_sources') -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set query = "select cast(min(from_day) as string) from " ~ changes ~ " where source = 'fx_rates'" -%}
    {{ return(run_query(query).columns[0].values()[0]) }}
{%- endmacro %}

{#
  The raw rows of a converted source (alias `r`) whose conversion verdict this
  run may change: rows of the run's extract days, and rows whose rate day the
  changed FX rates reach. none: every row (no range, or a reference table,
  which is small and has no extract day).
#}
{% macro conversion_changes(source_name, alias='r') -%}
    {%- set range = run_range() -%}
    {%- if range is none or contract_table(source_name)['reference'] -%}{{ return(none) }}{%- endif -%}
    {%- set fx_from = fx_changed_from() -%}
    {%- set condition -%}
        {{ alias }}._extract_date between date '{{ range[0] }}' and date '{{ range[1] }}'
        {%- if fx_from %} or {{ fx_rate_day(source_name, alias) }} between date '{{ fx_from }}' and date '{{ range[1] }}' + 7{% endif -%}
    {%- endset -%}
    {{ return('(' ~ condition ~ ')') }}
{%- endmacro %}

{# int_quarantine__conversion's pre-hook: delete the verdicts conversion_changes() re-judges. #}
{% macro delete_conversion_changes() -%}
    {%- set range = run_range() -%}
    {%- set fx_from = fx_changed_from() -%}
    delete from {{ this }}
    {%- if range is not none %}
    where source in ({% for name in converted_tables() if contract_table(name)['reference'] %}'{{ name }}'{{ ', ' if not loop.last }}{% else %}null{% endfor %})
       or extract_date between date '{{ range[0] }}' and date '{{ range[1] }}'
       {%- if fx_from %}
       or rate_day between date '{{ fx_from }}' and date '{{ range[1] }}' + 7
       {%- endif %}
    {%- endif %}
{%- endmacro %}
