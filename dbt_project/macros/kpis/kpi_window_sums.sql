{#
  kpi_values' window sums: for every row of `spine` (a slice, as_of_date and
  window_start), Σ numerator and Σ denominator over [window_start,
  as_of_date] as cum(as_of_date) − cum(window_start − 1), where cum(X) is the
  slice's running sum (`cumulative`) at its latest day on or before X (0
  before its first day). Linear in days × slices on both engines.
#}
{% macro kpi_window_sums(spine, cumulative) -%}
    {{ return(adapter.dispatch('kpi_window_sums')(spine, cumulative)) }}
{%- endmacro %}

{# The spine's columns and its window's sums from the running sums `upto` (at as_of_date) and `before` (the day before window_start). #}
{% macro _window_sums_select() -%}
    select
        spine.kpi_id,
        spine.kind,
        spine.as_of_date,
        spine.{{ adapter.quote("window") }},
        spine.dimension,
        spine.dimension_value,
        coalesce(upto.cum_numerator, 0) - coalesce(before.cum_numerator, 0) as numerator,
        coalesce(upto.cum_denominator, 0) - coalesce(before.cum_denominator, 0) as denominator
{%- endmacro %}

{% macro duckdb__kpi_window_sums(spine, cumulative) -%}
    {{ _window_sums_select() }}
    from {{ spine }} as spine
    asof left join {{ cumulative }} as upto
        on upto.kpi_id = spine.kpi_id
        and upto.dimension = spine.dimension
        and upto.dimension_value = spine.dimension_value
        and upto.day <= spine.as_of_date
    asof left join {{ cumulative }} as before
        on before.kpi_id = spine.kpi_id
        and before.dimension = spine.dimension
        and before.dimension_value = spine.dimension_value
        and before.day < spine.window_start
{%- endmacro %}

{#
  Spark has no ASOF join: the days probed (each as_of_date and each
  window_start − 1) are merged into the slice's running sums in day order, a
  probe after the running sum of its own day, and each probe carries the last
  running sum before it forward; the spine then joins its two probes on the day.
#}
{% macro spark__kpi_window_sums(spine, cumulative) -%}
    {%- set slice = 'kpi_id, dimension, dimension_value' -%}
    with _probes as (
        select {{ slice }}, as_of_date as day from {{ spine }}
        union
        select {{ slice }}, date_sub(window_start, 1) as day from {{ spine }}
    ),

    _timeline as (
        select {{ slice }}, day, 1 as is_probe,
               cast(null as decimal(38, 10)) as cum_numerator, cast(null as decimal(38, 10)) as cum_denominator
        from _probes
        union all
        select {{ slice }}, day, 0 as is_probe, cum_numerator, cum_denominator
        from {{ cumulative }}
    ),

    _carried as (
        select
            {{ slice }},
            day,
            is_probe,
            last(cum_numerator, true) over running as cum_numerator,
            last(cum_denominator, true) over running as cum_denominator
        from _timeline
        window running as (
            partition by {{ slice }}
            order by day, is_probe
            rows between unbounded preceding and current row
        )
    ),

    _at as (
        select * from _carried where is_probe = 1
    )

    {{ _window_sums_select() }}
    from {{ spine }} as spine
    left join _at as upto
        on upto.kpi_id = spine.kpi_id
        and upto.dimension = spine.dimension
        and upto.dimension_value = spine.dimension_value
        and upto.day = spine.as_of_date
    left join _at as before
        on before.kpi_id = spine.kpi_id
        and before.dimension = spine.dimension
        and before.dimension_value = spine.dimension_value
        and before.day = date_sub(spine.window_start, 1)
{%- endmacro %}
