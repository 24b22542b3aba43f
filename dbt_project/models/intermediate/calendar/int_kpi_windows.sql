{{ config(materialized='table') }}
-- Every catalog window (okrs/kpis.yml) ending on each day: its first day and
-- calendar length (days in W).
{% for window in kpi_window_specs() %}
select
    day as as_of_date,
    '{{ window["name"] }}' as {{ adapter.quote('window') }},
    {{ kpi_window_start(window, 'day') }} as window_start,
    {{ days_between(kpi_window_start(window, 'day'), 'day') }} + 1 as days_in_window
from {{ ref('int_calendar') }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
