-- Each KPI's latest value per window and slice, for KPI tiles and tables: the
-- value of the latest day it was published, its change against the day
-- before, the week before and the same day last year, and whether it is
-- current. A KPI that is stale on the latest loaded day shows its last
-- published value with publication_status 'stale', the day of that value
-- and the reason, never as if it were today's.
with series as (
    select * from {{ ref('kpi_series') }}
),

kpis as (
    select * from {{ ref('dim_kpi') }}
),

latest_day as (
    select max(as_of_date) as latest_loaded_date from {{ source('gate', 'kpi_status') }}
),

status_now as (
    select s.kpi_id, s.status, s.stale_since, s.reason
    from {{ source('gate', 'kpi_status') }} as s
    inner join latest_day on s.as_of_date = latest_day.latest_loaded_date
),

slices as (
    select distinct kpi_id, kpi_window, dimension, dimension_value, slice_label from series
),

last_published as (
    select kpi_id, kpi_window, dimension, dimension_value, as_of_date as value_date, value
    from series
    where is_published and value is not null
    qualify row_number() over (
        partition by kpi_id, kpi_window, dimension, dimension_value order by as_of_date desc
    ) = 1
),

compared as (
    select
        sl.*,
        lp.value_date,
        lp.value,
        day_before.value as value_day_before,
        week_before.value as value_week_before,
        year_before.value as value_same_day_last_year
    from slices as sl
    left join last_published as lp using (kpi_id, kpi_window, dimension, dimension_value)
    left join series as day_before
        on day_before.kpi_id = sl.kpi_id and day_before.kpi_window = sl.kpi_window
        and day_before.dimension = sl.dimension and day_before.dimension_value = sl.dimension_value
        and day_before.as_of_date = lp.value_date - 1
    left join series as week_before
        on week_before.kpi_id = sl.kpi_id and week_before.kpi_window = sl.kpi_window
        and week_before.dimension = sl.dimension and week_before.dimension_value = sl.dimension_value
        and week_before.as_of_date = lp.value_date - 7
    left join series as year_before
        on year_before.kpi_id = sl.kpi_id and year_before.kpi_window = sl.kpi_window
        and year_before.dimension = sl.dimension and year_before.dimension_value = sl.dimension_value
        and year_before.as_of_date = (lp.value_date - interval 1 year)::date
)

select
    c.kpi_id,
    k.kpi_name,
    k.unit,
    k.display_format,
    k.direction,
    c.kpi_window,
    c.dimension,
    c.dimension_value,
    c.slice_label,
    ld.latest_loaded_date,
    c.value_date,
    c.value,
    case
        when c.value_date = ld.latest_loaded_date and sn.status = 'published' then 'published'
        else 'stale'
    end as publication_status,
    date_diff('day', c.value_date, ld.latest_loaded_date) as days_behind,
    sn.stale_since,
    case
        when sn.status is distinct from 'published' then coalesce(sn.reason, 'no publication status on the latest loaded day')
        when c.value_date is distinct from ld.latest_loaded_date then 'no value for this slice on the latest loaded day'
    end as stale_reason,
    c.value_day_before,
    c.value - c.value_day_before as change_day_over_day,
    (c.value - c.value_day_before) / nullif(abs(c.value_day_before), 0) as change_day_over_day_pct,
    c.value_week_before,
    c.value - c.value_week_before as change_week_over_week,
    (c.value - c.value_week_before) / nullif(abs(c.value_week_before), 0) as change_week_over_week_pct,
    c.value_same_day_last_year,
    c.value - c.value_same_day_last_year as change_year_over_year,
    (c.value - c.value_same_day_last_year) / nullif(abs(c.value_same_day_last_year), 0) as change_year_over_year_pct,
    case
        when c.value is null or c.value_week_before is null then null
        when c.value = c.value_week_before then 'flat'
        when (c.value > c.value_week_before) = (k.direction = 'higher_is_better') then 'better'
        else 'worse'
    end as week_over_week_trend
from compared as c
cross join latest_day as ld
left join kpis as k on k.kpi_id = c.kpi_id
left join status_now as sn on sn.kpi_id = c.kpi_id
order by c.kpi_id, c.kpi_window, c.dimension, c.dimension_value
