{#
  The engine-specific pieces of SQL, one macro each, with a DuckDB and a
  Spark implementation (adapter.dispatch picks by target type: duckdb__* or
  spark__*). Models stay one copy for both engines; everything else they use
  is SQL both engines read the same way: `string` rather than `varchar`,
  `* except (...)`, `qualify`, `group by all`, `semi join`/`anti join`, and
  the column `window` (a keyword) quoted with adapter.quote.
#}

{# Days from `start` to `end` (DATE expressions, both included) as a relation with one column, `day`. #}
{% macro date_spine(start, end) -%}
    {{ return(adapter.dispatch('date_spine')(start, end)) }}
{%- endmacro %}

{% macro duckdb__date_spine(start, end) -%}
    (select cast(range as date) as day
     from range(cast({{ start }} as date), cast({{ end }} as date) + interval 1 day, interval 1 day))
{%- endmacro %}

{% macro spark__date_spine(start, end) -%}
    (select explode(sequence(cast({{ start }} as date), cast({{ end }} as date), interval 1 day)) as day)
{%- endmacro %}


{# The date of a timestamp (an instant) in time zone `zone`. #}
{% macro date_in_zone(ts, zone) -%}
    {{ return(adapter.dispatch('date_in_zone')(ts, zone)) }}
{%- endmacro %}

{% macro duckdb__date_in_zone(ts, zone) -%}
    cast(timezone('{{ zone }}', {{ ts }}) as date)
{%- endmacro %}

{# The session time zone is UTC (profiles.yml): the wall clock of UTC moved to `zone`. #}
{% macro spark__date_in_zone(ts, zone) -%}
    to_date(from_utc_timestamp({{ ts }}, '{{ zone }}'))
{%- endmacro %}


{# Seconds since the epoch of a timestamp, as a double. #}
{% macro epoch_seconds(ts) -%}
    {{ return(adapter.dispatch('epoch_seconds')(ts)) }}
{%- endmacro %}

{% macro duckdb__epoch_seconds(ts) -%}
    epoch({{ ts }})
{%- endmacro %}

{# DuckDB's epoch(): microseconds over 1e6 in double, so the engines round alike. #}
{% macro spark__epoch_seconds(ts) -%}
    (cast(unix_micros({{ ts }}) as double) / 1000000.0)
{%- endmacro %}


{#
  For every day D of `days` (a relation with as_of_date) and every `key` of
  `rows` (a relation with key and as_of_date): the row of that key with the
  latest as_of_date on or before D, as `day` (D) and the row's columns. Keys
  whose first row is after D have none.
#}
{% macro last_row_by_day(days, rows, key) -%}
    {{ return(adapter.dispatch('last_row_by_day')(days, rows, key)) }}
{%- endmacro %}

{% macro duckdb__last_row_by_day(days, rows, key) -%}
    select {{ days }}.as_of_date as day, {{ rows }}.*
    from (select distinct {{ key }} from {{ rows }}) as _keys
    cross join {{ days }}
    asof inner join {{ rows }}
        on {{ rows }}.{{ key }} = _keys.{{ key }} and {{ rows }}.as_of_date <= {{ days }}.as_of_date
{%- endmacro %}

{# Spark has no ASOF join: each row holds from its day to the day before its key's next row. #}
{% macro spark__last_row_by_day(days, rows, key) -%}
    select {{ days }}.as_of_date as day, _held.* except (_next_day)
    from (
        select *, lead(as_of_date) over (partition by {{ key }} order by as_of_date) as _next_day
        from {{ rows }}
    ) as _held
    inner join {{ days }}
        on {{ days }}.as_of_date >= _held.as_of_date
        and ({{ days }}.as_of_date < _held._next_day or _held._next_day is null)
{%- endmacro %}


{# Whole days from `start` to `end` (DATE expressions). #}
{% macro days_between(start, end) -%}
    {{ return(adapter.dispatch('days_between')(start, end)) }}
{%- endmacro %}

{% macro duckdb__days_between(start, end) -%}
    date_diff('day', {{ start }}, {{ end }})
{%- endmacro %}

{% macro spark__days_between(start, end) -%}
    cast(datediff({{ end }}, {{ start }}) as bigint)  {#- BIGINT, as DuckDB gives it #}
{%- endmacro %}


{# Replace every match of a regular expression. #}
{% macro regexp_replace_all(text, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all')(text, pattern, replacement)) }}
{%- endmacro %}

{% macro duckdb__regexp_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}


{#
  Lists of reasons, as the quarantine ledger builds them: a reason is a
  struct (column, reason); reason_list() keeps the non-null ones of `items`
  (SQL expressions, each a reason_item() or null).
#}
{% macro reason_item(column, reason) -%}
    {{ return(adapter.dispatch('reason_item')(column, reason)) }}
{%- endmacro %}

{% macro duckdb__reason_item(column, reason) -%}
    {'column': {{ column }}, 'reason': {{ reason }}}
{%- endmacro %}

{% macro spark__reason_item(column, reason) -%}
    named_struct('column', {{ column }}, 'reason', {{ reason }})
{%- endmacro %}

{% macro reason_list(items) -%}
    {{ return(adapter.dispatch('reason_list')(items)) }}
{%- endmacro %}

{% macro duckdb__reason_list(items) -%}
    list_filter([{{ items | join(', ') }}], lambda r: r is not null)
{%- endmacro %}

{% macro spark__reason_list(items) -%}
    filter(array({{ items | join(', ') }}), r -> r is not null)
{%- endmacro %}

{# How many reasons a list holds. #}
{% macro reason_count(reasons) -%}
    {{ return(adapter.dispatch('reason_count')(reasons)) }}
{%- endmacro %}

{% macro duckdb__reason_count(reasons) -%}len({{ reasons }}){%- endmacro %}

{% macro spark__reason_count(reasons) -%}size({{ reasons }}){%- endmacro %}

{# The column of the first reason. #}
{% macro first_reason_column(reasons) -%}
    {{ return(adapter.dispatch('first_reason_column')(reasons)) }}
{%- endmacro %}

{% macro duckdb__first_reason_column(reasons) -%}{{ reasons }}[1].column{%- endmacro %}

{% macro spark__first_reason_column(reasons) -%}element_at({{ reasons }}, 1).column{%- endmacro %}

{# Every reason's text, joined by '; '. #}
{% macro reasons_text(reasons) -%}
    {{ return(adapter.dispatch('reasons_text')(reasons)) }}
{%- endmacro %}

{% macro duckdb__reasons_text(reasons) -%}
    array_to_string(list_transform({{ reasons }}, lambda r: r.reason), '; ')
{%- endmacro %}

{% macro spark__reasons_text(reasons) -%}
    array_join(transform({{ reasons }}, r -> r.reason), '; ')
{%- endmacro %}


{#
  A row's values as a JSON object text: {"column": value, ...} for `columns`
  of the relation `alias`, nulls included, timestamps as DuckDB writes them
  ("2026-08-01 21:00:02+00", in UTC).
#}
{% macro row_json(alias, columns) -%}
    {{ return(adapter.dispatch('row_json')(alias, columns)) }}
{%- endmacro %}

{% macro duckdb__row_json(alias, columns) -%}
    to_json({ {%- for name in columns -%}'{{ name }}': {{ alias }}.{{ name }}{{ ', ' if not loop.last }}{%- endfor -%} })
{%- endmacro %}

{% macro spark__row_json(alias, columns) -%}
    to_json(
        named_struct({%- for name in columns -%}'{{ name }}', {{ alias }}.{{ name }}{{ ', ' if not loop.last }}{%- endfor -%}),
        map('ignoreNullFields', 'false', 'timestampFormat', 'yyyy-MM-dd HH:mm:ssx')
    )
{%- endmacro %}


{#
  A fingerprint (md5 text) of a relation's rows over `columns`, independent
  of row order: a new version of a reference file in force is a new
  fingerprint. Each engine compares only with fingerprints it wrote.
#}
{% macro content_fingerprint(relation, columns) -%}
    {{ return(adapter.dispatch('content_fingerprint')(relation, columns)) }}
{%- endmacro %}

{% macro duckdb__content_fingerprint(relation, columns) -%}
    (select md5(coalesce(string_agg(line, '|' order by line), ''))
     from (select cast(row({{ columns | join(', ') }}) as string) as line from {{ relation }}))
{%- endmacro %}

{% macro spark__content_fingerprint(relation, columns) -%}
    (select md5(coalesce(array_join(sort_array(collect_list(line)), '|'), ''))
     from (select to_json(named_struct({% for c in columns %}'{{ c }}', {{ c }}{{ ', ' if not loop.last }}{% endfor %})) as line
           from {{ relation }}))
{%- endmacro %}


{# `create or replace table relation as sql`, for a hook. #}
{% macro replace_table_as(relation, sql) -%}
    {{ return(adapter.dispatch('replace_table_as')(relation, sql)) }}
{%- endmacro %}

{% macro duckdb__replace_table_as(relation, sql) -%}
    create or replace table {{ relation }} as {{ sql }}
{%- endmacro %}

{# Spark's built-in Parquet tables cannot be replaced in one statement: drop, then create. #}
{% macro spark__replace_table_as(relation, sql) -%}
    {%- if execute %}{% do run_query('drop table if exists ' ~ relation) %}{% endif -%}
    create table {{ relation }} using parquet as {{ sql }}
{%- endmacro %}
