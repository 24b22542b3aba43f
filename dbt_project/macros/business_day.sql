{# The business day of a timestamp: its date in LODESTAR_TIMEZONE (docs/kpis.md). #}
{% macro business_day(ts) -%}
    cast(timezone('{{ env_var("LODESTAR_TIMEZONE", "UTC") }}', {{ ts }}) as date)
{%- endmacro %}

{# Hours between two timestamps, as decimals. #}
{% macro hours_between(earlier, later) -%}
    (epoch({{ later }}) - epoch({{ earlier }})) / 3600.0
{%- endmacro %}
