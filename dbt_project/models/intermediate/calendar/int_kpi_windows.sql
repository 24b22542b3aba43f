{{ config(materialized='table') }}
-- The five KPI windows ending on each day (SPEC §4): first day and calendar length.
{% set windows = {
    'day': 'day',
    'trailing_7d': 'day - 6',
    'trailing_28d': 'day - 27',
    'month_to_date': 'month_start',
    'quarter_to_date': 'quarter_start',
} %}
{% for name, start in windows.items() %}
select
    day as as_of_date,
    '{{ name }}' as "window",
    cast({{ start }} as date) as window_start,
    datediff('day', cast({{ start }} as date), day) + 1 as days_in_window
from {{ ref('int_calendar') }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
