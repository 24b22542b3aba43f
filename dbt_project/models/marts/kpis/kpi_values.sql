{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['as_of_date'],
        on_schema_change='fail',
    )
}}
-- Every KPI for every day D, window W ending on D and slice (SPEC §4), in the
-- long shape BI reads. Ratios are ratios of the window's sums; additive KPIs
-- are 0 over a window without events; a ratio without denominator gives no row.
-- Incremental: only as_of_dates from recompute_from() on are rebuilt.
with windows as (
    select *
    from {{ ref('int_kpi_windows') }}
    {% if is_incremental() %}where as_of_date >= {{ recompute_from() }}{% endif %}
),

parts as (
    select *
    from {{ ref('int_kpi_daily_parts') }}
    where day >= (select min(window_start) from windows)
),

windowed as (
    select
        parts.kpi_id,
        parts.kind,
        windows.as_of_date,
        windows."window",
        parts.dimension,
        parts.dimension_value,
        sum(parts.numerator) as numerator,
        sum(parts.denominator) as denominator
    from windows
    inner join parts
        on parts.day between windows.window_start and windows.as_of_date
    group by all
),

-- additive KPIs have a row (0 when nothing happened) for every slice ever seen
additive_spine as (
    select slices.kpi_id, slices.kind, windows.as_of_date, windows."window", slices.dimension, slices.dimension_value
    from (select distinct kpi_id, kind, dimension, dimension_value
          from {{ ref('int_kpi_daily_parts') }} where kind = 'additive') as slices
    cross join windows
),

additive as (
    select
        spine.kpi_id, spine.as_of_date, spine."window", spine.dimension, spine.dimension_value,
        coalesce(windowed.numerator, 0) as value,
        coalesce(windowed.numerator, 0) as numerator,
        cast(null as double) as denominator
    from additive_spine as spine
    left join windowed using (kpi_id, as_of_date, "window", dimension, dimension_value)
),

ratios as (
    select
        kpi_id, as_of_date, "window", dimension, dimension_value,
        numerator / denominator as value,
        numerator,
        denominator
    from windowed
    where kind = 'ratio' and denominator > 0
)

select kpi_id, as_of_date, "window", dimension, dimension_value, value, numerator, denominator
from additive
union all
select kpi_id, as_of_date, "window", dimension, dimension_value, value, numerator, denominator
from ratios
