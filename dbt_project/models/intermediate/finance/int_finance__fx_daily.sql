{{ config(materialized='table') }}
-- USD per unit for every currency and day: the rate of that day or the latest
-- earlier one up to 7 days old (SPEC §3). No row: no usable rate, the amount
-- is not converted (it is quarantined, never guessed). USD is always 1.
with currencies as (
    select distinct currency from {{ ref('stg_finance__fx_rates') }} where currency <> 'USD'
),

grid as (
    select calendar.day, currencies.currency
    from {{ ref('int_calendar') }} as calendar
    cross join currencies
),

rated as (
    select grid.day, grid.currency, rates.usd_per_unit, rates.rate_date
    from grid
    asof left join {{ ref('stg_finance__fx_rates') }} as rates
        on grid.currency = rates.currency and grid.day >= rates.rate_date
)

select day, currency, cast(usd_per_unit as double) as usd_per_unit, rate_date
from rated
where rate_date >= day - 7
union all
select day, 'USD', 1.0, day
from {{ ref('int_calendar') }}
