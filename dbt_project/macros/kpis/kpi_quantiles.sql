{#
  The continuous quantiles percentile KPIs may take (docs/kpis.md: median and p90).
  kpi_values computes them all in one pass per window (one sort) and picks the
  KPI's own; kpi_samples() rejects a level not listed here.
#}
{% macro kpi_quantile_levels() -%}
    {{ return([0.5, 0.9]) }}
{%- endmacro %}

{# The window's continuous quantile of `sample` at the row's own `quantile` level. #}
{% macro kpi_window_quantile(sample, quantile) -%}
    {{ return(adapter.dispatch('kpi_window_quantile')(sample, quantile)) }}
{%- endmacro %}

{% macro duckdb__kpi_window_quantile(sample, quantile) -%}
    {%- set levels = kpi_quantile_levels() | join(', ') -%}
    quantile_cont({{ sample }}, [{{ levels }}])[list_position([{{ levels }}], any_value({{ quantile }}))]
{%- endmacro %}

{# Spark's percentile() is the same continuous (interpolated) quantile. #}
{% macro spark__kpi_window_quantile(sample, quantile) -%}
    {%- set levels = 'array(' ~ (kpi_quantile_levels() | join('D, ')) ~ 'D)' -%}  {#- doubles, as the samples -#}
    element_at(percentile({{ sample }}, {{ levels }}), cast(array_position({{ levels }}, any_value({{ quantile }})) as int))
{%- endmacro %}
