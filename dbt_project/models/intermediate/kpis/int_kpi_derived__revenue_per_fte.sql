-- revenue_per_fte (docs/kpis.md) for every day D and window W ending on D, total only:
--   numerator   = net_revenue over W annualised: Σ net_revenue parts × 365 / days in W
--   denominator = headcount_fte at the end of D (total)
--   value       = numerator / denominator; no row when the headcount is 0.
-- Built from the daily net_revenue parts and the headcount snapshot, so its
-- lineage is the ledger and employee sources only.
with revenue as (
    select day, numerator as net_revenue_usd
    from {{ ref('int_kpi_parts__ledger') }}
    where kpi_id = 'net_revenue' and dimension = 'all'
),

headcount as (
    select day, value as fte
    from {{ ref('int_kpi_snapshots__employees') }}
    where dimension = 'all'
),

windowed as (
    select
        windows.as_of_date,
        windows.{{ adapter.quote('window') }},
        windows.days_in_window,
        coalesce(sum(revenue.net_revenue_usd), 0) as net_revenue_usd
    from {{ ref('int_kpi_windows') }} as windows
    left join revenue
        on revenue.day between windows.window_start and windows.as_of_date
    group by all
)

select
    'revenue_per_fte' as kpi_id,
    windowed.as_of_date,
    windowed.{{ adapter.quote('window') }},
    'all' as dimension,
    'all' as dimension_value,
    cast(windowed.net_revenue_usd as double) * 365 / windowed.days_in_window / cast(headcount.fte as double) as value,
    cast(windowed.net_revenue_usd as double) * 365 / windowed.days_in_window as numerator,
    cast(headcount.fte as double) as denominator
from windowed
inner join headcount
    on headcount.day = windowed.as_of_date
where headcount.fte > 0
