{{ config(meta={'dagster': {'ref': {'name': 'kpi_values'}}}) }}  {# a check of kpi_values in Dagster #}
-- Window values agree with an independent recomputation from the daily parts
-- for a sample of days (the 1st, 7th and 28th of each month, and the last
-- day): window starts from the catalog's window specs (okrs/kpis.yml) by
-- date arithmetic rather than int_kpi_windows,
-- additive = Σ numerator (0 without events), ratio = Σ numerator / Σ
-- denominator with no row unless Σ denominator > 0. Any row missing on either
-- side or a value off by more than 1e-9 (relative) fails.
with sample_days as (
    select distinct as_of_date
    from {{ ref('kpi_values') }}
    where day(as_of_date) in (1, 7, 28)
       or as_of_date = (select max(as_of_date) from {{ ref('kpi_values') }})
),

windows as (
    {% for window in kpi_window_specs() %}
    select as_of_date, '{{ window["name"] }}' as {{ adapter.quote('window') }}, {{ kpi_window_start(window, 'as_of_date') }} as window_start
    from sample_days
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

slices as (
    {{ kpi_part_slices() }}
),

expected as (
    select
        slices.kpi_id, windows.as_of_date, windows.{{ adapter.quote('window') }}, slices.dimension, slices.dimension_value,
        case when slices.kind = 'additive' then coalesce(sum(parts.numerator), 0)
             when sum(parts.denominator) > 0 then cast(sum(parts.numerator) as double) / cast(sum(parts.denominator) as double)
        end as value
    from slices
    cross join windows
    left join {{ ref('int_kpi_daily_parts') }} as parts
        on parts.kpi_id = slices.kpi_id
        and parts.dimension = slices.dimension
        and parts.dimension_value = slices.dimension_value
        and parts.day between windows.window_start and windows.as_of_date
    where slices.dimension = 'all' or windows.as_of_date >= slices.first_day
    group by slices.kpi_id, slices.kind, windows.as_of_date, windows.{{ adapter.quote('window') }}, slices.dimension, slices.dimension_value
    having slices.kind = 'additive' or sum(parts.denominator) > 0
),

actual as (
    select kpi_id, as_of_date, {{ adapter.quote('window') }}, dimension, dimension_value, value
    from {{ ref('kpi_values') }}
    where as_of_date in (select as_of_date from sample_days)
      and kpi_id in (select kpi_id from slices)
)

select
    coalesce(expected.kpi_id, actual.kpi_id) as kpi_id,
    coalesce(expected.as_of_date, actual.as_of_date) as as_of_date,
    coalesce(expected.{{ adapter.quote('window') }}, actual.{{ adapter.quote('window') }}) as {{ adapter.quote('window') }},
    coalesce(expected.dimension, actual.dimension) as dimension,
    coalesce(expected.dimension_value, actual.dimension_value) as dimension_value,
    expected.value as expected_value,
    actual.value as actual_value
from expected
full outer join actual using (kpi_id, as_of_date, {{ adapter.quote('window') }}, dimension, dimension_value)
where expected.value is null
   or actual.value is null
   or abs(expected.value - actual.value) > 1e-9 * greatest(1, abs(expected.value))
