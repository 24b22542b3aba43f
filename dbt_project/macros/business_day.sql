{# The business day of a timestamp: its date in LODESTAR_TIMEZONE (docs/kpis.md). #}
{% macro business_day(ts) -%}
    {{ date_in_zone(ts, env_var("LODESTAR_TIMEZONE", "UTC")) }}
{%- endmacro %}

{# Hours between two timestamps, as decimals. #}
{% macro hours_between(earlier, later) -%}
    ({{ epoch_seconds(later) }} - {{ epoch_seconds(earlier) }}) / 3600.0
{%- endmacro %}
